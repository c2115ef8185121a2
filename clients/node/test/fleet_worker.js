// One process of the fleet test: the real Zoho Node SDK making API calls.
//
// Loading the SDK costs about 1.5 s of CPU (1,744 modules), so a process
// serves several jobs one after the other, each with an SDK initialized
// afresh (its process-wide state cleared as in zohosdk.initialize), and
// the fleet test runs its baseline and its agent fleet on the same
// processes.
//
// Prints {"loaded": true} once the SDK is loaded, then reads jobs as JSON
// lines on stdin (not argv, which other users of the machine can read): {"zohotest": url, "client_id", "client_secret",
// "refresh_token", "dir", "seconds", "interval", and either "agent":
// {"addr", "token"} (AgentTokenStore) or "filestore": path (the SDK's own
// FileStore, the baseline)}. For each: initializes the SDK, prints
// {"init_error": text or null}, waits for a line on stdin, calls GET users
// every interval for the given seconds and prints {"ok", "failed",
// "unauthorized", "errors": {text: n}, "tokens": {sha256 prefix: first
// seen, Unix s}, "find_ms": [latencies of the store's finds]}. No token is
// printed. Ends when stdin does.

import crypto from "node:crypto";
import readline from "node:readline";
import * as Z from "@zohocrm/nodejs-sdk-8.0";
import * as sdk from "./zohosdk.js";
import { AgentClient } from "../index.js";
import { AgentTokenStore } from "../zoho.js";

/** AgentTokenStore recording how long each find takes. */
class TimedStore extends AgentTokenStore {
  findMs = [];
  async findToken(token) { return this.#timed(() => super.findToken(token)); }
  async findTokenById(id) { return this.#timed(() => super.findTokenById(id)); }
  async #timed(fn) {
    const t = performance.now();
    try { return await fn(); } finally { this.findMs.push(performance.now() - t); }
  }
}

const cause = (e) => (e instanceof Z.SDKException && e.cause ? cause(e.cause) : e);
const short = (e) => `${cause(e).name || cause(e).constructor.name}: ${String(cause(e).message || e).slice(0, 120)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function serve(job) {
  let store, client;
  if (job.agent) {
    client = new AgentClient({ addr: job.agent.addr, token: job.agent.token });
    store = new TimedStore({ client });
  } else {
    store = new Z.FileStore(job.filestore);
  }
  const token = sdk.oauth({ clientId: job.client_id, secret: job.client_secret, refreshToken: job.refresh_token });
  let initError = null;
  try {
    await sdk.initialize(job.zohotest, token, store, job.dir);
  } catch (e) {
    initError = short(e);
  }
  process.stdout.write(JSON.stringify({ init_error: initError }) + "\n");
  await lines.next();
  const res = { ok: 0, failed: 0, unauthorized: 0, errors: {}, tokens: {}, find_ms: [] };
  const end = Date.now() + job.seconds * 1000;
  while (Date.now() < end) {
    const t = Date.now();
    try {
      const r = await sdk.currentUser();
      if (r.getStatusCode() === 200) res.ok++;
      else {
        res.failed++;
        if (r.getStatusCode() === 401) res.unauthorized++;
      }
      const at = job.agent ? store.last?.[1] : token.getAccessToken();
      if (at) res.tokens[crypto.createHash("sha256").update(at).digest("hex").slice(0, 12)] ??= Date.now() / 1000;
    } catch (e) {
      res.failed++;
      const k = short(e);
      res.errors[k] = (res.errors[k] || 0) + 1;
    }
    await sleep(Math.max(0, job.interval * 1000 - (Date.now() - t)));
  }
  res.find_ms = store.findMs ?? [];
  process.stdout.write(JSON.stringify(res) + "\n");
  client?.close();
}

process.stdout.write(JSON.stringify({ loaded: true }) + "\n");
for (let next = await lines.next(); !next.done; next = await lines.next()) await serve(JSON.parse(next.value));
process.exit(0);
