// AgentTokenStore: the Zoho CRM Node SDK's TokenStore
// (@zohocrm/nodejs-sdk-8.0) over a tokenstore agent.
//
// The SDK asks its store for the token before every API call and refreshes
// by itself only when the token it gets has less than 5 seconds left
// (lib/models/authenticator/oauth_token.js, getToken and getTokenExpiry). So
// findToken and findTokenById ask the agent for a *fresh* token: the agent
// makes the access token valid through its fleet refresh, one token call
// per expiry across every process sharing its store, and the SDK's own
// refresh path never runs while the agent is up.
//
// The SDK gives a store no hook on a 401 INVALID_OAUTHTOKEN answer (it
// resolves to an APIResponse), so the caller reports it: reportIfInvalid.

import * as ZOHOCRMSDK from "@zohocrm/nodejs-sdk-8.0";
import { AgentClient } from "./client.js";
import { NotFoundError } from "./errors.js";

const { OAuthToken, UserSignature } = ZOHOCRMSDK;
const TokenStore = ZOHOCRMSDK.TokenStore.TokenStore;

const empty = (v) => v === null || v === undefined || v === "";
const value = (w, k) => (empty(w[k]) ? null : w[k]);

/** The agent's form of an SDK OAuthToken: the fields it has, as strings. */
export function toWire(token) {
  const sig = token.getUserSignature();
  const values = {
    id: token.getId(),
    user_name: sig ? sig.getName() : null,
    client_id: token.getClientId(),
    client_secret: token.getClientSecret(),
    refresh_token: token.getRefreshToken(),
    access_token: token.getAccessToken(),
    grant_token: token.getGrantToken(),
    expiry_time: token.getExpiresIn(),
    redirect_url: token.getRedirectURL(),
    api_domain: token.getAPIDomain(),
  };
  const w = {};
  for (const [k, v] of Object.entries(values)) if (!empty(v)) w[k] = String(v);
  return w;
}

/** A new SDK OAuthToken holding the agent's token w. */
export function fromWire(w) {
  const name = value(w, "user_name");
  const t = new OAuthToken(value(w, "client_id"), value(w, "client_secret"), value(w, "grant_token"), value(w, "refresh_token"),
    value(w, "redirect_url"), value(w, "id"), value(w, "access_token"), name ? new UserSignature(name) : null);
  t.setExpiresIn(value(w, "expiry_time"));
  t.setAPIDomain(value(w, "api_domain"));
  return t;
}

// fill makes the SDK's token hold the agent's record. The token state
// (access token, expiry, API domain, ID, user) is the fleet's and replaces
// the SDK's; credentials the caller gave are kept, as the SDK's FileStore
// keeps them.
function fill(token, w) {
  token.setId(value(w, "id"));
  token.setAccessToken(value(w, "access_token"));
  token.setExpiresIn(value(w, "expiry_time"));
  token.setAPIDomain(value(w, "api_domain"));
  if (value(w, "user_name")) token.setUserSignature(new UserSignature(w.user_name));
  const keep = [
    ["getClientId", "setClientId", "client_id"],
    ["getClientSecret", "setClientSecret", "client_secret"],
    ["getRefreshToken", "setRefreshToken", "refresh_token"],
    ["getGrantToken", "setGrantToken", "grant_token"],
    ["getRedirectURL", "setRedirectURL", "redirect_url"],
  ];
  for (const [get, set, k] of keep) if (empty(token[get]())) token[set](value(w, k));
}

const seedable = (w) => Boolean((w.refresh_token || w.grant_token) && w.client_id && w.client_secret);

/**
 * A TokenStore of the Zoho CRM Node SDK kept by a tokenstore agent.
 *
 * `client` is an AgentClient (default: from the environment,
 * TOKENSTORE_AGENT_ADDR and TOKENSTORE_AGENT_TOKEN). With `seed` (the
 * default), a find that misses but carries a refresh token or grant token
 * with the client ID and secret saves it to the agent and returns the fresh
 * token the agent gets with it, so even the first token of a new fleet is
 * made once, not once per process.
 *
 * Errors are those of errors.js (the SDK wraps them in its SDKException,
 * `cause` holding ours); none carries a secret.
 */
export class AgentTokenStore extends TokenStore {
  constructor({ client, seed = true } = {}) {
    super();
    this.client = client ?? new AgentClient();
    this.seed = seed;
    this.last = null; // [id, access token] last handed to the SDK
  }

  async findToken(token) {
    if (!(token instanceof OAuthToken)) return token;
    const query = toWire(token);
    let w = await this.client.find(query, true);
    if (w === null && this.seed && seedable(query)) {
      // The credentials only: an access token of unknown age must not
      // overwrite one another process may have stored meanwhile.
      const { access_token: _a, expiry_time: _e, ...creds } = query;
      const stored = await this.client.save(creds);
      w = await this.client.find({ id: stored.id }, true);
    }
    if (w === null) return null;
    fill(token, w);
    this.last = [w.id, w.access_token];
    return token;
  }

  async findTokenById(id) {
    const w = await this.client.find({ id }, true);
    if (w === null) throw new NotFoundError("findTokenById", 404, "not_found", "no such token");
    this.last = [w.id, w.access_token];
    return fromWire(w);
  }

  async saveToken(token) {
    if (!(token instanceof OAuthToken)) return;
    fill(token, await this.client.save(toWire(token)));
  }

  async deleteToken(id) { await this.client.delete(id); }

  async getTokens() { return (await this.client.getAll()).map(fromWire); }

  async deleteTokens() { await this.client.deleteAll(); }

  /**
   * Report the access token last handed to the SDK (the one its last call
   * sent) as refused by Zoho: the agent expires it for the fleet, once, and
   * the next find gets a new one. Resolves to whether there was one.
   * (Node runs one call at a time per event loop turn; with concurrent SDK
   * calls in flight, "last" is the newest one handed out.)
   */
  async reportInvalid() {
    if (!this.last || !this.last[1]) return false;
    const [id, at] = this.last;
    this.last = null;
    await this.client.reportInvalid(at, { id });
    return true;
  }

  /**
   * If response, an SDK APIResponse, is 401 INVALID_OAUTHTOKEN (an evicted
   * or revoked access token), report it and resolve to true: the call may
   * then be made again. Else false.
   *
   *   let res = await new UsersOperations().getUsers(params);
   *   if (await store.reportIfInvalid(res)) res = await new UsersOperations().getUsers(params);
   */
  async reportIfInvalid(response) {
    if (!response || response.getStatusCode() !== 401) return false;
    const obj = response.getObject();
    const code = obj && typeof obj.getCode === "function" ? obj.getCode() : null;
    const v = code && typeof code.getValue === "function" ? code.getValue() : code;
    if (v !== "INVALID_OAUTHTOKEN") return false;
    return this.reportInvalid();
  }
}
