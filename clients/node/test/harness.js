// Per-test setup shared by the test files: a zohotest, an agent on a
// backend, a directory, all stopped after the test.

import { Agent, Zohotest, clientCreds, storeURL, tempDir, unavailable } from "./procs.js";
import { AgentClient } from "../index.js";
import { AgentTokenStore } from "../zoho.js";

export const BACKENDS = ["mem", "vault", "awssm"];

/**
 * setup(t, backend, opts) starts zohotest (opts.zohotestArgs) and an agent
 * (opts.agentArgs) on backend; null when the backend is not available (the
 * test was skipped).
 */
export async function setup(t, backend, { zohotestArgs = [], agentArgs = [] } = {}) {
  const s = storeURL(backend);
  if (!s.url) {
    unavailable(t, s.why);
    return null;
  }
  const dir = tempDir(t);
  const zt = await Zohotest.start(dir, ...zohotestArgs);
  t.after(() => zt.stop());
  const agent = await Agent.start(dir, s.url, zt, agentArgs);
  t.after(() => agent.stop());
  const client = new AgentClient({ addr: agent.addr, token: agent.token });
  t.after(() => client.close());
  return { dir, zt, agent, client, store: new AgentTokenStore({ client }), creds: () => clientCreds(zt), url: s.url };
}
