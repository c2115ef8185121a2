// AgentClient: the agent's HTTP API (/v1) over kept-alive loopback
// connections, with node:http only.

import http from "node:http";
import net from "node:net";
import fs from "node:fs";
import * as errors from "./errors.js";

export const DEFAULT_ADDR = "127.0.0.1:2774";
// The agent works on a request for at most 30 s (a token call, or waiting
// for another agent's refresh); the client waits a little longer.
export const DEFAULT_TIMEOUT_MS = 35000;

/**
 * The header token as the agent reads it: TOKENSTORE_AGENT_TOKEN, else the
 * file named by TOKENSTORE_AGENT_TOKEN_FILE, else, in AWS Lambda,
 * AWS_SESSION_TOKEN (which the function and its extensions share).
 */
export function headerTokenFromEnv(env = process.env) {
  if (env.TOKENSTORE_AGENT_TOKEN) return env.TOKENSTORE_AGENT_TOKEN;
  if (env.TOKENSTORE_AGENT_TOKEN_FILE) return fs.readFileSync(env.TOKENSTORE_AGENT_TOKEN_FILE, "utf8").trim();
  if (env.AWS_LAMBDA_FUNCTION_NAME && env.AWS_SESSION_TOKEN) return env.AWS_SESSION_TOKEN;
  return null;
}

// loopback splits host:port and refuses anything but a loopback IP:
// requests carry the header token and answers carry OAuth tokens over
// plain HTTP.
function loopback(addr) {
  const i = addr.lastIndexOf(":");
  const host = addr.slice(0, Math.max(i, 0)).replace(/^\[|\]$/g, "");
  const port = Number(addr.slice(i + 1));
  const v = net.isIP(host);
  const isLoop = (v === 4 && host.startsWith("127.")) || (v === 6 && host === "::1");
  if (i < 0 || !isLoop || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(`tokenstore-agent: address ${JSON.stringify(addr)}: want a loopback IP and port such as ${DEFAULT_ADDR}`);
  }
  return { host, port };
}

/**
 * The agent's API. Methods resolve to the agent's JSON (tokens as objects
 * with the Zoho SDKs' field names, all strings) and reject with the errors
 * of errors.js.
 */
export class AgentClient {
  /**
   * @param {object} [opts]
   * @param {string} [opts.addr] default TOKENSTORE_AGENT_ADDR or 127.0.0.1:2774
   * @param {string} [opts.token] default headerTokenFromEnv()
   * @param {number} [opts.timeoutMs]
   */
  constructor({ addr, token, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    this.addr = addr || process.env.TOKENSTORE_AGENT_ADDR || DEFAULT_ADDR;
    const { host, port } = loopback(this.addr);
    this.host = host;
    this.port = port;
    const t = token ?? headerTokenFromEnv();
    if (!t) throw new TypeError("tokenstore-agent: no header token: set TOKENSTORE_AGENT_TOKEN or TOKENSTORE_AGENT_TOKEN_FILE");
    // Not enumerable: console.log(client) and JSON.stringify never show it.
    Object.defineProperty(this, "token", { value: t, enumerable: false });
    this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** FindToken with the lookup rules; fresh: with a valid access token. null on a miss. */
  async find(query, fresh = false) {
    return this.#orNull(this.#call("find", "POST", "/v1/tokens/find" + (fresh ? "?fresh=1" : ""), query));
  }
  /** SaveToken (upsert): the token as stored, ID included. */
  save(token) { return this.#call("save", "PUT", "/v1/tokens", token); }
  /** GetTokens: every token, ordered by ID. */
  async getAll() { return (await this.#call("getAll", "GET", "/v1/tokens")).tokens; }
  /** FindTokenByID; null on a miss. */
  getById(id) { return this.#orNull(this.#call("getById", "GET", "/v1/tokens/" + encodeURIComponent(id))); }
  /** DeleteToken; NotFoundError when there is no such token. */
  async delete(id) { await this.#call("delete", "DELETE", "/v1/tokens/" + encodeURIComponent(id)); }
  /** DeleteTokens: every token of the agent's store. */
  async deleteAll() { await this.#call("deleteAll", "DELETE", "/v1/tokens?confirm=all"); }

  /** A valid access token: {access_token, expiry_time, api_domain, token_type, id, user_name}. */
  accessToken({ userName, id } = {}) {
    const q = id ? `id=${encodeURIComponent(id)}` : `user=${encodeURIComponent(userName)}`;
    return this.#call("accessToken", "GET", "/v1/token?" + q);
  }

  /** Tell the agent the API refused accessToken (401 INVALID_OAUTHTOKEN): it expires it for the fleet, once. */
  async reportInvalid(accessToken, { id, userName } = {}) {
    const body = { access_token: accessToken };
    if (id) body.id = id;
    else if (userName) body.user_name = userName;
    await this.#call("reportInvalid", "POST", "/v1/token/invalid", body);
  }

  /** Close idle connections (a process may then exit at once). */
  close() { this.agent.destroy(); }

  async #orNull(p) {
    try {
      return await p;
    } catch (e) {
      if (e instanceof errors.NotFoundError) return null;
      throw e;
    }
  }

  async #call(op, method, path, body) {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#send(op, method, path, data);
      } catch (e) {
        // A kept-alive connection the agent closed while idle: the request
        // never reached it, so it is sent once more on a new one.
        if (e.retryable && attempt === 0) continue;
        throw e.agentError ?? e;
      }
    }
  }

  #send(op, method, path, data) {
    const headers = { "X-Tokenstore-Token": this.token, Accept: "application/json" };
    if (data) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = data.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", (e) => reject(unreachable(op, this.addr, e)));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          let doc = null;
          try { doc = raw ? JSON.parse(raw) : null; } catch { doc = null; }
          if (res.statusCode === 204) return resolve(null);
          if (res.statusCode >= 200 && res.statusCode < 300 && doc !== null) return resolve(doc);
          reject(toError(op, res, doc));
        });
      });
      req.on("timeout", () => {
        req.destroy();
        reject(new errors.UnavailableError(op, 0, "timeout", `agent at ${this.addr} did not answer in ${this.timeoutMs / 1000} s`));
      });
      req.on("error", (e) => {
        const err = unreachable(op, this.addr, e);
        if (req.reusedSocket && e.code === "ECONNRESET") reject({ retryable: true, agentError: err });
        else reject(err);
      });
      req.end(data ?? undefined);
    });
  }
}

function unreachable(op, addr, e) {
  return new errors.UnavailableError(op, 0, "unreachable", `agent at ${addr}: ${e.code || e.name}`);
}

function toError(op, res, doc) {
  const err = doc && typeof doc.error === "object" && doc.error ? doc.error : {};
  const code = err.code || (res.statusCode >= 500 ? "unavailable" : `http_${res.statusCode}`);
  const message = String(err.message || res.statusMessage || "no message");
  const Cls = errors.byCode[code] || (res.statusCode >= 500 ? errors.UnavailableError : errors.AgentError);
  const num = (v) => (v == null || v === "" || Number.isNaN(Number(v)) ? null : Number(v));
  return new Cls(op, res.statusCode, code, message, num(res.headers["retry-after"]), num(err.retry_after));
}
