// The real Zoho CRM Node SDK through the agent, on each backend: its API
// calls work, the token is made once by the agent, and the SDK's own token
// calls never run.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "./zohosdk.js";
import { BACKENDS, setup } from "./harness.js";
import { Agent, Zohotest, tempDir } from "./procs.js";
import { AgentClient } from "../index.js";
import { AgentTokenStore } from "../zoho.js";

for (const backend of BACKENDS) {
  describe(backend, () => {
    test("SDK calls through the agent", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const spy = sdk.selfRefreshSpy(t);
      await sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken }), h.store, h.dir);
      const emails = new Set();
      for (let i = 0; i < 5; i++) emails.add(sdk.emailOf(await sdk.currentUser()));
      assert.equal(emails.size, 1);
      assert.match([...emails][0], /@zohotest\.example$/);
      assert.equal((await h.zt.stats()).token_calls, 1, "one token call, made by the agent");
      assert.equal(spy.calls, 0, "the SDK refreshed by itself");
      const stored = await h.store.getTokens();
      assert.equal(stored.length, 1);
      assert.equal(stored[0].getRefreshToken(), refreshToken);
      assert.ok(stored[0].getAccessToken());
    });

    test("user signature", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const spy = sdk.selfRefreshSpy(t);
      for (let i = 0; i < 2; i++) {
        await sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken, user: "ann@example.com" }), h.store, h.dir);
        sdk.emailOf(await sdk.currentUser());
      }
      assert.equal((await h.zt.stats()).token_calls, 1);
      assert.equal(spy.calls, 0);
      const [stored] = await h.store.getTokens();
      assert.equal(stored.getUserSignature().getName(), "ann@example.com");
    });

    test("by id", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const spy = sdk.selfRefreshSpy(t);
      const saved = await h.client.save({ client_id: clientId, client_secret: secret, refresh_token: refreshToken });
      await sdk.initialize(h.zt.url, sdk.oauth({ id: saved.id }), h.store, h.dir);
      for (let i = 0; i < 3; i++) sdk.emailOf(await sdk.currentUser());
      assert.equal((await h.zt.stats()).token_calls, 1);
      assert.equal(spy.calls, 0);
    });

    test("grant token exchanged once, by the agent", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      await h.zt.client("1000.GRANT", "grant-secret-0123");
      const spy = sdk.selfRefreshSpy(t);
      const grantToken = await h.zt.grantCode("1000.GRANT");
      await sdk.initialize(h.zt.url, sdk.oauth({ clientId: "1000.GRANT", secret: "grant-secret-0123", grantToken }), h.store, h.dir);
      sdk.emailOf(await sdk.currentUser());
      const st = await h.zt.stats();
      assert.deepEqual([st.exchanges, st.token_calls], [1, 1]);
      assert.equal(spy.calls, 0);
      const [stored] = await h.store.getTokens();
      assert.ok(stored.getRefreshToken(), "the exchange's refresh token is stored");
    });

    test("a 401 INVALID_OAUTHTOKEN reported gets a new token", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      // The token as an import brings it (tokenctl, an OAuth callback), not
      // refreshed by the fleet: the agents refresh a refused token at once
      // unless the fleet itself refreshed it less than
      // --refresh-min-interval (2 min) ago (refresh.Options.MinInterval).
      const made = await h.zt.refresh(clientId, secret, refreshToken);
      await h.client.save({ client_id: clientId, client_secret: secret, refresh_token: refreshToken, access_token: made.access_token,
        expiry_time: String(Date.now() + made.expires_in * 1000), api_domain: h.zt.url });
      await sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken }), h.store, h.dir);
      sdk.emailOf(await sdk.currentUser());
      await h.zt.advance("61m"); // Zoho refuses the token the agent thinks valid
      const res = await sdk.currentUser();
      assert.equal(res.getStatusCode(), 401);
      assert.equal(await h.store.reportIfInvalid(res), true);
      assert.equal(await h.store.reportIfInvalid(res), false, "reported once: nothing left to report");
      sdk.emailOf(await sdk.currentUser());
      assert.equal((await h.zt.stats()).refreshes, 2, "the import's token and the agent's after the report");
    });

    test("the seed drops the caller's access token", async (t) => {
      const h = await setup(t, backend);
      if (!h) return;
      const [clientId, secret, refreshToken] = await h.creds();
      const spy = sdk.selfRefreshSpy(t);
      await sdk.initialize(h.zt.url, sdk.oauth({ clientId, secret, refreshToken, accessToken: "1000.old.token" }), h.store, h.dir);
      sdk.emailOf(await sdk.currentUser());
      assert.equal(spy.calls, 0);
      assert.equal((await h.zt.stats()).api_unauthorized, 0);
    });
  });
}

test("tokens expire: one token call per expiry, never the SDK's", async (t) => {
  // Calls over 13 s, the agent refreshing 2-minute tokens (the least
  // package zoho accepts) once they have less than 116 s left, i.e. every
  // 4 s: one token call per such expiry (at 0, 4, 8, 12 s).
  const dir = tempDir(t);
  const zt = await Zohotest.start(dir, "-token-lifetime", "2m");
  t.after(() => zt.stop());
  const agent = await Agent.start(dir, "mem://", zt, ["--refresh-skew", "116s", "--refresh-min-interval", "2s"]);
  t.after(() => agent.stop());
  const client = new AgentClient({ addr: agent.addr, token: agent.token });
  t.after(() => client.close());
  await zt.client("1000.SHORT", "short-secret-0123");
  const refreshToken = await zt.refreshToken("1000.SHORT");
  const spy = sdk.selfRefreshSpy(t);
  await sdk.initialize(zt.url, sdk.oauth({ clientId: "1000.SHORT", secret: "short-secret-0123", refreshToken }), new AgentTokenStore({ client }), dir);
  const start = Date.now();
  while (Date.now() - start < 13000) {
    sdk.emailOf(await sdk.currentUser());
    await new Promise((r) => setTimeout(r, 250));
  }
  const st = await zt.stats();
  assert.ok(st.refreshes >= 4 && st.refreshes <= 5, `refreshes ${st.refreshes}`);
  assert.equal(st.token_calls, st.refreshes);
  assert.equal(st.api_unauthorized, 0);
  assert.equal(spy.calls, 0);
});
