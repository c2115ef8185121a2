// Typed errors of the agent client. Every message is built from the agent's
// error code and message (which the agent keeps free of secrets) and the
// operation's name; none carries a token, a client secret or a request body.
// The Zoho SDK wraps what a TokenStore throws into its SDKException
// (`cause` holds ours, and its message is appended to the SDK's), so that
// stays secret-free too.

/** An answer of the agent other than success, or no answer at all. */
export class AgentError extends Error {
  /**
   * @param {string} op the client operation
   * @param {number} status HTTP status, 0 when the agent did not answer
   * @param {string} code the agent's error code ("not_found", …) or "unreachable"/"timeout"
   * @param {string} message
   * @param {number|null} retryAfter the wait in seconds (Retry-After), when the agent gives one
   * @param {number|null} until the end of the wait in Unix seconds, when the agent gives it
   */
  constructor(op, status, code, message, retryAfter = null, until = null) {
    super(`tokenstore-agent: ${op}: ${code}: ${message}`);
    this.name = new.target.name;
    this.op = op;
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.until = until;
  }
}

/** 401: the header token (TOKENSTORE_AGENT_TOKEN) is missing or wrong. */
export class UnauthorizedError extends AgentError {}
/** 400 or 413: the request or the token was refused; nothing changed. */
export class BadRequestError extends AgentError {}
/** 404: no such token. */
export class NotFoundError extends AgentError {}
/** 409 duplicate or conflict: the store refused the write. */
export class ConflictError extends AgentError {}
/** 409 revoked (Zoho refused the refresh token) or no_refresh_token. */
export class RevokedError extends AgentError {}
/** 502: Zoho's token endpoint refused for another reason or answered garbage. */
export class TokenEndpointError extends AgentError {}
/** 503, a timeout or no connection: the agent or its store did not answer. */
export class UnavailableError extends AgentError {}

/**
 * 429: Zoho throttled the refresh token and no valid access token is left.
 * `retryAfter`: the wait in seconds (Retry-After); `until`: the end of
 * Zoho's window in Unix seconds.
 */
export class ThrottledError extends AgentError {}
/**
 * 503 refresh_failed: the fleet's last token call failed (network, a 5xx,
 * an answer refused) and no process calls again before the recorded
 * backoff ends (`retryAfter` seconds, `until` in Unix seconds).
 */
export class RefreshFailedError extends UnavailableError {}

export const byCode = {
  unauthorized: UnauthorizedError,
  bad_request: BadRequestError,
  invalid_token: BadRequestError,
  too_large: BadRequestError,
  not_found: NotFoundError,
  duplicate: ConflictError,
  conflict: ConflictError,
  revoked: RevokedError,
  no_refresh_token: RevokedError,
  throttled: ThrottledError,
  token_endpoint: TokenEndpointError,
  unavailable: UnavailableError,
  refresh_failed: RefreshFailedError,
  // Neither passes with time: a record the store cannot read, a record
  // whose data centre is unknown. Plain AgentError, not Unavailable.
  internal: AgentError,
  no_data_centre: AgentError,
};
