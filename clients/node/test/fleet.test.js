// The fleet test: N processes of the real Zoho Node SDK against zohotest's
// real limits (10 tokens per refresh token per 10 minutes, 15 active), half
// of them sharing an agent per group of 5, half with an agent each, every
// agent over one store (LocalStack, else Vault): exactly one token call per
// expiry, 0 throttled. Beside it the baseline: the same SDK with its own
// FileStore per process.
//
// zohotest's tokens live 2 minutes, the least package zoho accepts
// (zoho.MinExpiresIn); the agents refresh them 110 s before they expire, so
// a token serves 10 s: an "expiry" below is a token reaching the agents'
// skew, every 10 s (--refresh-min-interval 5s lets a refresh that early
// happen; the 2-minute default would hold it back). Every process calls the
// API every 2 s (five times per expiry: what matters is that each needs a
// token in each).
// TOKENSTORE_FLEET_N sets N (default 50). Both
// tests run on the same N processes, one after the other.
// TOKENSTORE_FLEET_STORE=mem:// runs the fleet on one agent, for a quick look.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { Agent, Zohotest, storeURL, tempDir, unavailable } from "./procs.js";

const N = Number(process.env.TOKENSTORE_FLEET_N || 50);
const GROUP = 5;
const LIFETIME = 120, SKEW = 110, MIN_INTERVAL = 5, SECONDS = 30, INTERVAL = 2, BASELINE_SECONDS = 20;
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "fleet_worker.js");

function sharedStore() {
  if (process.env.TOKENSTORE_FLEET_STORE) return { url: process.env.TOKENSTORE_FLEET_STORE };
  const aws = storeURL("awssm");
  if (aws.url) return aws;
  const vault = storeURL("vault");
  if (vault.url) return vault;
  return { why: "fleet: neither AWS_ENDPOINT_URL nor VAULT_ADDR is set (one store shared by every agent)" };
}

/** A worker process; line() resolves to its next JSON line. */
function worker(dir, i) {
  const err = fs.openSync(path.join(dir, `worker-${i}.err`), "w");
  const proc = spawn(process.execPath, [WORKER], { stdio: ["pipe", "pipe", err], cwd: dir });
  fs.closeSync(err);
  const it = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  return {
    send(v) { proc.stdin.write((typeof v === "string" ? v : JSON.stringify(v)) + "\n"); },
    async line() {
      const { value, done } = await it.next();
      if (done) throw new Error(`worker ${i} ended; see ${dir}/worker-${i}.err`);
      return JSON.parse(value);
    },
    kill() { if (proc.exitCode === null) proc.kill("SIGKILL"); },
  };
}

// The N processes, started once and shared by the tests of this file (see
// fleet_worker.js: loading the SDK costs about 1.5 s of CPU per process).
// They start a core's worth at a time, each once the one before it has
// loaded the SDK: 50 processes loading at once on 2 cores spend more CPU
// (and time) fighting over them than loading. All N then run the fleet at
// once, as before.
let pool = null;
after(() => {
  if (!pool) return;
  pool.workers.forEach((w) => w.kill());
  fs.rmSync(pool.dir, { recursive: true, force: true });
});
async function workers() {
  if (!pool) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenstore-fleet-"));
    pool = { dir, workers: [] };
    const t = Date.now();
    let next = 0;
    const slots = Math.min(N, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
    await Promise.all(Array.from({ length: slots }, async () => {
      while (next < N) {
        const i = next++;
        pool.workers[i] = worker(dir, i);
        const first = await pool.workers[i].line();
        if (!first.loaded) throw new Error(`worker ${i}: ${JSON.stringify(first)}`);
      }
    }));
    console.log(JSON.stringify({ fleet_processes: N, loaded_in_s: (Date.now() - t) / 1000, at_once: slots }));
  }
  return pool.workers;
}

/** Give job i to process i; once all initialized, let them call. */
async function runFleet(jobs) {
  const ws = await workers();
  jobs.forEach((j, i) => ws[i].send(j));
  const inits = await Promise.all(ws.map((w) => w.line()));
  const t = Date.now();
  ws.forEach((w) => w.send("go"));
  const results = await Promise.all(ws.map((w) => w.line()));
  return { inits, results, took: (Date.now() - t) / 1000 };
}

async function fleetZohotest(t, dir) {
  const zt = await Zohotest.start(dir, "-token-lifetime", `${LIFETIME}s`);
  t.after(() => zt.stop());
  const id = "1000.FLEET" + crypto.randomBytes(4).toString("hex").toUpperCase();
  const secret = "fleet-secret-" + crypto.randomBytes(8).toString("hex");
  await zt.client(id, secret);
  return { zt, id, secret, rt: await zt.refreshToken(id) };
}

const issued = async (zt, rt) => (await zt.call("GET", "/issued?refresh_token=" + encodeURIComponent(rt))).issued.map((s) => Date.parse(s) / 1000);
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.round((p / 100) * (s.length - 1)))] : NaN;
};

/** Print the figures; append them to $TOKENSTORE_FLEET_REPORT if set. */
function report(name, fig) {
  const line = JSON.stringify({ fleet: name, ...fig });
  console.log(line);
  if (process.env.TOKENSTORE_FLEET_REPORT) fs.appendFileSync(process.env.TOKENSTORE_FLEET_REPORT, line + "\n");
}

test("fleet: one token call per expiry", { timeout: 600000 }, async (t) => {
  const store = sharedStore();
  if (!store.url) return unavailable(t, store.why);
  const dir = tempDir(t);
  const { zt, id, secret, rt } = await fleetZohotest(t, dir);
  const skew = ["--refresh-skew", `${SKEW}s`, "--refresh-min-interval", `${MIN_INTERVAL}s`];
  const start = async () => {
    const a = await Agent.start(dir, store.url, zt, skew, { readyTimeoutMs: 60000 });
    t.after(() => a.stop());
    return a;
  };
  let agents;
  if (store.url === "mem://") {
    const a = await start();
    agents = Array(N).fill(a);
  } else {
    const half = Math.floor(N / 2);
    const grouped = await Promise.all(Array.from({ length: Math.ceil(half / GROUP) }, start));
    const own = await Promise.all(Array.from({ length: N - half }, start));
    agents = [...Array.from({ length: half }, (_, i) => grouped[Math.floor(i / GROUP)]), ...own];
  }
  const jobs = agents.map((a) => ({ zohotest: zt.url, client_id: id, client_secret: secret, refresh_token: rt, dir,
    seconds: SECONDS, interval: INTERVAL, agent: { addr: a.addr, token: a.token } }));
  const { inits, results, took } = await runFleet(jobs);
  const st = await zt.stats();
  const times = await issued(zt, rt);
  const finds = results.flatMap((r) => r.find_ms);
  const fig = { sdk: "node", store: store.url.split("://")[0], processes: N, agents: new Set(agents.map((a) => a.addr)).size,
    seconds: Math.round(took * 10) / 10, expiries: times.length, token_calls: st.token_calls, throttled: st.throttled,
    api_ok: results.reduce((n, r) => n + r.ok, 0), api_failed: results.reduce((n, r) => n + r.failed, 0),
    find_p50_ms: Math.round(percentile(finds, 50) * 100) / 100, find_p99_ms: Math.round(percentile(finds, 99) * 100) / 100 };
  report("agent", fig);
  assert.deepEqual(inits.map((i) => i.init_error), Array(N).fill(null));
  assert.deepEqual(Object.assign({}, ...results.map((r) => r.errors)), {});
  assert.equal(fig.api_failed, 0);
  assert.equal(st.api_unauthorized, 0);
  assert.equal(st.throttled, 0);
  assert.equal(st.rejected, 0);
  assert.equal(st.token_calls, st.refreshes);
  assert.equal(st.refreshes, times.length);
  // One token per expiry: each was made only once the one before had less
  // than the skew left (a second token for one expiry would come within
  // milliseconds of the first).
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  assert.ok(gaps.every((g) => g >= LIFETIME - SKEW - 0.5), JSON.stringify(gaps));
  assert.ok(times.length >= Math.floor(SECONDS / (LIFETIME - SKEW)), "the run spanned several expiries");
});

test("fleet baseline: a FileStore per process", { timeout: 600000 }, async (t) => {
  const dir = tempDir(t);
  const { zt, id, secret, rt } = await fleetZohotest(t, dir);
  const jobs = Array.from({ length: N }, (_, i) => ({ zohotest: zt.url, client_id: id, client_secret: secret, refresh_token: rt, dir,
    seconds: BASELINE_SECONDS, interval: INTERVAL, filestore: path.join(dir, `tokens-${i}.csv`) }));
  const { inits, results, took } = await runFleet(jobs);
  const st = await zt.stats();
  const times = await issued(zt, rt);
  report("baseline", { sdk: "node", store: "FileStore per process", processes: N, seconds: Math.round(took * 10) / 10,
    token_calls: st.token_calls, tokens_made: times.length, throttled: st.throttled, evicted: st.evictions,
    no_token_at_start: inits.filter((i) => i.init_error).length,
    api_ok: results.reduce((n, r) => n + r.ok, 0), api_failed: results.reduce((n, r) => n + r.failed, 0) });
  // Zoho's limit, enforced by zohotest: 10 tokens per window, the rest refused.
  assert.equal(times.length, Math.min(N, 10));
  assert.ok(st.throttled >= N - 10);
});
