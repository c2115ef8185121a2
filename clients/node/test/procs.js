// Processes the client tests run: zohotest (the fake Zoho) and the agent.
//
// Binaries come from ZOHOTEST_BIN and TOKENSTORE_AGENT_BIN (what
// scripts/testenv/clients.sh builds), else they are built with go into a
// temporary directory from this repository's cmd/zohotest and
// cmd/tokenstore-agent. Every process is ours: stopped by its handle.

import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const HEADER_TOKEN = "clients-test-" + crypto.randomBytes(16).toString("hex");
// A fixed pepper: every agent of a test shares it, as a fleet's agents must.
export const PEPPER = "7f".repeat(32);
export const REQUIRED = process.env.TOKENSTORE_INTEGRATION === "required";

/** Something a test needs cannot run here. */
export class Unavailable extends Error {}

let bins = null;
/** The two binaries, built once per test process if not given. */
export function binaries() {
  if (bins) return bins;
  let dir = null;
  const build = (name, pkg, envVar) => {
    if (process.env[envVar]) return process.env[envVar];
    const src = path.join(REPO, pkg);
    if (!fs.existsSync(src)) throw new Unavailable(`${pkg} is not in this checkout and ${envVar} is not set`);
    if (!dir) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenstore-clients-"));
      process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    const out = path.join(dir, name);
    execFileSync("go", ["build", "-o", out, "."], { cwd: src, stdio: "inherit" });
    return out;
  };
  bins = { zohotest: build("zohotest", "cmd/zohotest", "ZOHOTEST_BIN"), agent: build("tokenstore-agent", "cmd/tokenstore-agent", "TOKENSTORE_AGENT_BIN") };
  return bins;
}

/**
 * skipOrFail: a test whose server is missing skips with the reason, or
 * fails under TOKENSTORE_INTEGRATION=required.
 */
export function unavailable(t, reason) {
  if (REQUIRED) throw new Error(`${reason} (TOKENSTORE_INTEGRATION=required)`);
  t.skip(reason);
}

/** A store URL with a namespace of its own for backend, or null with why not. */
export function storeURL(backend) {
  const ns = "clients-node/" + crypto.randomBytes(6).toString("hex");
  switch (backend) {
    case "mem": return { url: "mem://" };
    case "vault":
      if (!process.env.VAULT_ADDR || !process.env.VAULT_TOKEN) return { why: "vault: VAULT_ADDR and VAULT_TOKEN are not set" };
      return { url: `vault://secret/${ns}` };
    case "awssm":
      if (!process.env.AWS_ENDPOINT_URL) return { why: "awssm: AWS_ENDPOINT_URL (LocalStack) is not set" };
      return { url: `awssm://${ns}/` };
  }
  throw new Error(backend);
}

// waitLine resolves to the first JSON line of file for which pred holds.
async function waitLine(file, proc, pred, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      let doc;
      try { doc = JSON.parse(line); } catch { continue; }
      if (doc && pred(doc)) return doc;
    }
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode} before it was ready:\n${fs.readFileSync(file, "utf8").slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not ready in ${timeoutMs / 1000} s`);
}

function start(bin, args, logFile, env) {
  const fd = fs.openSync(logFile, "w");
  const proc = spawn(bin, args, { stdio: ["ignore", fd, fd], env });
  fs.closeSync(fd);
  return proc;
}

async function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const t = setTimeout(() => proc.kill("SIGKILL"), 10000);
  await done;
  clearTimeout(t);
}

/** A running zohotest: url (accounts server and API) and its control API. */
export class Zohotest {
  static async start(dir, ...args) {
    const z = new Zohotest();
    z.log = path.join(dir, `zohotest-${crypto.randomBytes(4).toString("hex")}.out`);
    z.proc = start(binaries().zohotest, args, z.log, process.env);
    const ready = await waitLine(z.log, z.proc, (d) => "url" in d, "zohotest", 10000);
    z.url = ready.url;
    z.control = ready.control;
    return z;
  }
  async call(method, p, body) {
    const res = await fetch(this.control + p, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`zohotest ${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  client(id, secret) { return this.call("POST", "/clients", { client_id: id, client_secret: secret }); }
  async refreshToken(id) { return (await this.call("POST", "/refresh-tokens", { client_id: id })).refresh_token; }
  async grantCode(id) { return (await this.call("POST", "/grant-codes", { client_id: id })).code; }
  revoke(rt) { return this.call("POST", "/revoke", { refresh_token: rt }); }
  advance(d) { return this.call("POST", "/clock", { advance: d }); }
  stats() { return this.call("GET", "/stats"); }
  /** One refresh at the token endpoint, as another client would. */
  async refresh(id, secret, rt) {
    const body = new URLSearchParams({ grant_type: "refresh_token", client_id: id, client_secret: secret, refresh_token: rt });
    return (await fetch(this.url + "/oauth/v2/token", { method: "POST", body })).json();
  }
  stop() { return stop(this.proc); }
}

/** A running tokenstore agent: addr, its log. */
export class Agent {
  static async start(dir, store, zt, extra = [], { token = HEADER_TOKEN, readyTimeoutMs = 30000 } = {}) {
    const a = new Agent();
    a.log = path.join(dir, `agent-${crypto.randomBytes(4).toString("hex")}.log`);
    const env = { ...process.env, TOKENSTORE_AGENT_TOKEN: token, TOKENSTORE_PEPPER: PEPPER };
    const args = ["--store", store, "--addr", "127.0.0.1:0", "--metrics-addr", "off",
      "--accounts-url", zt.url, "--allow-api-domain", zt.url, ...extra];
    a.proc = start(binaries().agent, args, a.log, env);
    const ready = await waitLine(a.log, a.proc, (d) => d.msg === "ready", "tokenstore-agent", readyTimeoutMs);
    a.addr = ready.addr;
    a.token = token;
    return a;
  }
  output() { return fs.readFileSync(this.log, "utf8"); }
  stop() { return stop(this.proc); }
}

/** A fresh directory for one test, removed after it. */
export function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenstore-node-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A registered client with a new refresh token: [id, secret, refresh]. */
export async function clientCreds(zt) {
  const id = "1000." + crypto.randomBytes(8).toString("hex").toUpperCase();
  const secret = "secret-" + crypto.randomBytes(12).toString("hex");
  await zt.client(id, secret);
  return [id, secret, await zt.refreshToken(id)];
}
