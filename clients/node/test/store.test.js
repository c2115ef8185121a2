// The six TokenStore operations of AgentTokenStore, and AgentClient's own
// calls, against the agent on each backend.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "./zohosdk.js";
import { BACKENDS, setup } from "./harness.js";
import { AgentClient, BadRequestError, NotFoundError, headerTokenFromEnv } from "../index.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import util from "node:util";

const UNKNOWN = "0123456789abcdef0123456789abcdef";

for (const backend of BACKENDS) {
  describe(backend, () => {
    test("six operations", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const ann = sdk.oauth({ clientId, secret, refreshToken, user: "ann@example.com" });
      await h.store.saveToken(ann);
      assert.ok(ann.getId(), "saveToken sets the ID it stored under");
      const bob = sdk.oauth({ clientId, secret, refreshToken: refreshToken + ".other", user: "bob@example.com" });
      await h.store.saveToken(bob);

      // by user name (rule 1): the SDK's token filled, its access token valid
      const q = sdk.oauth({ user: "ann@example.com" });
      assert.equal(await h.store.findToken(q), q);
      assert.equal(q.getId(), ann.getId());
      assert.equal(q.getRefreshToken(), refreshToken);
      assert.ok(Number(q.getExpiresIn()) > Date.now() + 5000, "more than the SDK's 5 s margin left");
      // by access token alone (rule 2), by refresh token and client (rule 3)
      assert.equal((await h.store.findToken(sdk.oauth({ accessToken: q.getAccessToken() }))).getId(), ann.getId());
      assert.equal((await h.store.findToken(sdk.oauth({ clientId, secret, refreshToken }))).getId(), ann.getId());
      assert.equal((await h.store.findTokenById(ann.getId())).getUserSignature().getName(), "ann@example.com");

      const ids = (await h.store.getTokens()).map((x) => x.getId());
      assert.deepEqual(ids, [ann.getId(), bob.getId()].sort());
      await h.store.deleteToken(bob.getId());
      assert.deepEqual((await h.store.getTokens()).map((x) => x.getId()), [ann.getId()]);
      await h.store.deleteTokens();
      assert.deepEqual(await h.store.getTokens(), []);
    });

    test("misses", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      assert.equal(await h.store.findToken(sdk.oauth({ user: "nobody@example.com" })), null);
      await assert.rejects(h.store.findTokenById(UNKNOWN), NotFoundError);
      await assert.rejects(h.store.deleteToken(UNKNOWN), NotFoundError);
      await assert.rejects(h.store.saveToken(sdk.oauth({ user: "x@example.com" })), (e) => e instanceof BadRequestError && e.code === "invalid_token" && e.status === 400);
    });

    test("save merges", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      await h.store.saveToken(sdk.oauth({ clientId, secret, refreshToken, user: "m@example.com" }));
      await h.store.saveToken(sdk.oauth({ accessToken: "1000.handmade", user: "m@example.com" }));
      const [t1] = await h.store.getTokens();
      assert.deepEqual([t1.getRefreshToken(), t1.getAccessToken(), t1.getClientSecret()], [refreshToken, "1000.handmade", secret]);
    });

    test("access token for plain callers", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const saved = await h.client.save({ client_id: clientId, client_secret: secret, refresh_token: refreshToken, user_name: "p@example.com" });
      const got = await h.client.accessToken({ userName: "p@example.com" });
      assert.equal(got.token_type, "Zoho-oauthtoken");
      assert.equal(got.id, saved.id);
      assert.ok(got.access_token);
      assert.equal(got.refresh_token, undefined);
      assert.equal(got.client_secret, undefined);
      assert.equal((await h.client.accessToken({ id: saved.id })).access_token, got.access_token);
      assert.equal((await h.zt.stats()).refreshes, 1);
    });
  });
}

test("the client refuses addresses other than loopback IPs", () => {
  for (const addr of ["10.0.0.1:2774", "localhost:2774", "0.0.0.0:2774", "127.0.0.1", "127.0.0.1:0", "[::1]:x"]) {
    assert.throws(() => new AgentClient({ addr, token: "a-header-token-of-16+" }), /loopback/, addr);
  }
  assert.equal(new AgentClient({ addr: "[::1]:2774", token: "t".repeat(16) }).addr, "[::1]:2774");
  assert.equal(new AgentClient({ addr: "127.0.0.2:2774", token: "t".repeat(16) }).addr, "127.0.0.2:2774");
});

test("the header token from the environment", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hdr-"));
  t.after(() => fs.rmSync(dir, { recursive: true }));
  const f = path.join(dir, "token");
  fs.writeFileSync(f, "from-file-0123456789\n");
  assert.equal(headerTokenFromEnv({ TOKENSTORE_AGENT_TOKEN: "a", TOKENSTORE_AGENT_TOKEN_FILE: f }), "a");
  assert.equal(headerTokenFromEnv({ TOKENSTORE_AGENT_TOKEN_FILE: f }), "from-file-0123456789");
  // AWS_SESSION_TOKEN only inside Lambda, where the extension uses it too.
  assert.equal(headerTokenFromEnv({ AWS_SESSION_TOKEN: "s" }), null);
  assert.equal(headerTokenFromEnv({ AWS_SESSION_TOKEN: "s", AWS_LAMBDA_FUNCTION_NAME: "f" }), "s");
  assert.throws(() => new AgentClient({ addr: "127.0.0.1:2774", token: "" }), /no header token/);
  // The token is no enumerable property: logging the client never shows it.
  const c = new AgentClient({ addr: "127.0.0.1:2774", token: "never-shown-0123456789" });
  assert.ok(!util.inspect(c, { depth: 4 }).includes("never-shown"), util.inspect(c));
  assert.ok(!Object.keys(c).includes("token"));
  c.close();
});

test("the package's exports resolve by its name", async () => {
  // Node resolves a package's own name through its "exports" map, as an
  // application that installed it does.
  const main = await import("tokenstore-agent");
  const zoho = await import("tokenstore-agent/zoho");
  assert.equal(typeof main.AgentClient, "function");
  assert.equal(typeof main.ThrottledError, "function");
  assert.equal(typeof zoho.AgentTokenStore, "function");
  const Z = await import("@zohocrm/nodejs-sdk-8.0");
  assert.ok(new zoho.AgentTokenStore({ client: new main.AgentClient({ addr: "127.0.0.1:2774", token: "t".repeat(16) }) }) instanceof Z.TokenStore.TokenStore);
});
