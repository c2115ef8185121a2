// Typed errors through the real SDK: throttled, revoked, agent down, wrong
// header token; and no secret in any error or log.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import util from "node:util";
import * as Z from "@zohocrm/nodejs-sdk-8.0";
import * as sdk from "./zohosdk.js";
import { BACKENDS, setup } from "./harness.js";
import { Agent, storeURL } from "./procs.js";
import { AgentClient, RefreshFailedError, RevokedError, ThrottledError, UnauthorizedError, UnavailableError } from "../index.js";
import { AgentTokenStore } from "../zoho.js";

const causeOf = (e) => (e instanceof Z.SDKException && e.cause ? causeOf(e.cause) : e);

async function failure(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail("no error");
}

for (const backend of BACKENDS) {
  describe(backend, () => {
    test("throttled", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      for (let i = 0; i < 10; i++) assert.ok((await h.zt.refresh(clientId, secret, refreshToken)).access_token);
      const spy = sdk.selfRefreshSpy(t);
      for (let i = 0; i < 2; i++) {
        const err = causeOf(await failure(sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken }), h.store, h.dir)));
        assert.ok(err instanceof ThrottledError, util.inspect(err));
        assert.equal(err.status, 429);
        assert.ok(err.retryAfter > 0 && err.until > Date.now() / 1000);
      }
      assert.equal((await h.zt.stats()).throttled, 1, "the agent recorded the throttle: the second find made no token call");
      assert.equal(spy.calls, 0);
    });

    test("revoked", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      await h.zt.revoke(refreshToken);
      const err = causeOf(await failure(sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken }), h.store, h.dir)));
      assert.ok(err instanceof RevokedError && err.code === "revoked", util.inspect(err));
    });

    test("token endpoint down", async (t) => {
      // Zoho's accounts server does not answer when the fleet needs a token:
      // the caller whose token call failed gets RefreshFailedError (503
      // refresh_failed, the fleet's backoff), not "the store failed"; the
      // fleet records the failure and backs off, so the next find calls
      // nobody and gets the same error with the wait.
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const spy = sdk.selfRefreshSpy(t);
      await h.zt.stop();
      for (let i = 1; i <= 2; i++) {
        const err = causeOf(await failure(sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken }), h.store, h.dir)));
        assert.ok(err instanceof RefreshFailedError, `find ${i}: ${util.inspect(err)}`);
        assert.ok(err.status === 503 && err.code === "refresh_failed", `find ${i}: ${util.inspect(err)}`);
        assert.ok(err.retryAfter > 0 && err.until > Date.now() / 1000, `find ${i}: ${util.inspect(err)}`);
      }
      assert.equal(spy.calls, 0);
    });

    test("agent down", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      await sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken }), h.store, h.dir);
      sdk.emailOf(await sdk.currentUser());
      await h.agent.stop();
      const e = await failure(sdk.currentUser());
      assert.ok(e instanceof Z.SDKException);
      const err = causeOf(e);
      assert.ok(err instanceof UnavailableError && err.code === "unreachable", util.inspect(err));
    });

    test("wrong header token", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const c = new AgentClient({ addr: h.agent.addr, token: "not-the-agent-token-0123" });
      t.after(() => c.close());
      await assert.rejects(c.find({ user_name: "x@example.com" }), (e) => e instanceof UnauthorizedError && e.status === 401);
    });

    test("no secret in errors or logs", async (t) => {
      // Every error path above on one agent, then every error text, the
      // SDK's log and the agent's log are searched for each secret.
      const h = await setup(t, backend);
      if (!h) return;
      const seen = [];
      const texts = [];
      const creds = async () => {
        await h.zt.client("1000.NOSECRET", "very-secret-client-secret");
        const rt = await h.zt.refreshToken("1000.NOSECRET");
        seen.push("very-secret-client-secret", rt);
        return ["1000.NOSECRET", "very-secret-client-secret", rt];
      };
      const attempt = async (p) => {
        try { await p(); } catch (e) { texts.push(String(e), util.inspect(e, { depth: 5 }), String(causeOf(e))); }
      };
      const init = (c) => sdk.initialize(h.zt.url, sdk.oauth({ clientId: c[0], secret: c[1], refreshToken: c[2] }), h.store, h.dir);
      const good = await creds();
      await init(good);
      sdk.emailOf(await sdk.currentUser());
      const revoked = await creds();
      await h.zt.revoke(revoked[2]);
      await attempt(() => init(revoked));
      const throttled = await creds();
      for (let i = 0; i < 10; i++) await h.zt.refresh(...throttled);
      await attempt(() => init(throttled));
      const wrong = new AgentClient({ addr: h.agent.addr, token: "wrong-header-token-0123" });
      await attempt(() => wrong.find({ refresh_token: good[2], client_id: good[0], client_secret: good[1] }));
      wrong.close();
      for (const tok of await h.store.getTokens()) if (tok.getAccessToken()) seen.push(tok.getAccessToken());
      await h.agent.stop();
      await attempt(() => sdk.currentUser());
      assert.ok(texts.length >= 12, texts.join("\n"));
      // The SDK logs through winston, which writes its file asynchronously.
      let sdkLog = "";
      for (let i = 0; i < 100 && !/"error"|level: 'error'/.test(sdkLog); i++) {
        await new Promise((r) => setTimeout(r, 50));
        sdkLog = fs.readFileSync(`${h.dir}/sdk.log`, "utf8");
      }
      assert.match(sdkLog, /level: 'error'/, "the SDK logged the failures");
      const logs = [sdkLog, h.agent.output()];
      for (const s of seen) for (const text of [...texts, ...logs]) assert.ok(!text.includes(s), "a secret in: " + text.slice(0, 200));
    });
  });
}
