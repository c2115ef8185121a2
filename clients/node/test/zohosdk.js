// The real Zoho CRM Node SDK (@zohocrm/nodejs-sdk-8.0) pointed at zohotest.

import path from "node:path";
import * as Z from "@zohocrm/nodejs-sdk-8.0";

/**
 * A data centre whose accounts server and API are zohotest, made the way
 * the SDK's own (USDataCenter.PRODUCTION()) are: an Environment with the
 * API URL, the token URL and the file upload URL.
 */
export class ZohotestDataCenter extends Z.DataCenter {
  constructor(url) {
    super();
    this.url = url;
  }
  getIAMUrl() { return this.url + "/oauth/v2/token"; }
  getFileUploadUrl() { return this.url; }
  environment() { return Z.DataCenter.setEnvironment(this.url, this.getIAMUrl(), this.getFileUploadUrl()); }
}

/**
 * InitializeBuilder as an application uses it; the SDK logs to dir/sdk.log
 * at INFO. The SDK's process-wide state is cleared first, so each test
 * starts as a new process would: with an earlier initializer present, the
 * SDK cannot initialize a token that has only an ID (Initializer.
 * getEncodedKey reads the new token's user, refresh or access token before
 * the first find and throws a TypeError on none).
 */
export async function initialize(url, token, store, dir) {
  Z.Initializer.LOCAL.clear();
  Z.Initializer.initializer = null;
  const logger = new Z.LogBuilder().level(Z.Levels.INFO).filePath(path.join(dir, "sdk.log")).build();
  await (await new Z.InitializeBuilder())
    .environment(new ZohotestDataCenter(url).environment())
    .token(token).store(store).logger(logger).resourcePath(dir).initialize();
}

export function oauth({ clientId, secret, refreshToken, grantToken, id, user, accessToken } = {}) {
  const b = new Z.OAuthBuilder();
  if (clientId) b.clientId(clientId);
  if (secret) b.clientSecret(secret);
  if (refreshToken) b.refreshToken(refreshToken);
  if (grantToken) b.grantToken(grantToken);
  if (id) b.id(id);
  if (accessToken) b.accessToken(accessToken);
  if (user) b.userSignature(new Z.UserSignature(user));
  return b.build();
}

/** GET /crm/v8/users?type=CurrentUser through the SDK: its APIResponse. */
export async function currentUser() {
  const p = new Z.ParameterMap();
  await p.add(Z.Users.GetUsersParam.TYPE, "CurrentUser");
  return new Z.Users.UsersOperations().getUsers(p);
}

export function emailOf(res) {
  const o = res.getObject();
  if (res.getStatusCode() !== 200 || !(o instanceof Z.Users.ResponseWrapper)) {
    const code = o && o.getCode ? o.getCode().getValue() : null;
    throw new Error(`users call: HTTP ${res.getStatusCode()} ${o && o.constructor.name} ${code}`);
  }
  return o.getUsers()[0].getEmail();
}

/**
 * Counts the SDK's own token calls (OAuthToken's refreshAccessToken and
 * generateAccessToken), which must not run while the agent serves.
 */
export function selfRefreshSpy(t) {
  const spy = { calls: 0 };
  for (const name of ["refreshAccessToken", "generateAccessToken"]) {
    const orig = Z.OAuthToken.prototype[name];
    Z.OAuthToken.prototype[name] = async function (...args) {
      spy.calls++;
      return orig.apply(this, args);
    };
    t.after(() => { Z.OAuthToken.prototype[name] = orig; });
  }
  return spy;
}
