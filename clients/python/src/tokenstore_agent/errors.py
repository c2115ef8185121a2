"""Typed errors of the agent client.

Every message is built from the agent's error code and message (which the
agent keeps free of secrets) and the operation's name; none carries a token,
a client secret or a request body. The Zoho SDK wraps what a TokenStore
raises into its SDKException (``cause`` holds ours, and ``str(cause)`` is
appended to the SDK's message), so that stays secret-free too.
"""


class AgentError(Exception):
    """An answer of the agent other than success, or no answer at all.

    Attributes: ``op`` (the client operation), ``status`` (HTTP status, 0
    when the agent did not answer), ``code`` (the agent's error code such
    as "not_found", or "unreachable"), ``message``; ``retry_after`` (the
    wait in seconds, from Retry-After) and ``until`` (the end of the wait in
    Unix seconds) when the agent gives them (throttled, refresh_failed),
    else None.
    """

    def __init__(self, op, status, code, message, retry_after=None, until=None):
        self.op, self.status, self.code, self.message = op, status, code, message
        self.retry_after, self.until = retry_after, until
        super().__init__(f"tokenstore_agent: {op}: {code}: {message}")


class UnauthorizedError(AgentError):
    """401: the header token (TOKENSTORE_AGENT_TOKEN) is missing or wrong."""


class BadRequestError(AgentError):
    """400 or 413: the request or the token was refused (bad_request,
    invalid_token, too_large); nothing was changed."""


class NotFoundError(AgentError):
    """404: no such token."""


class ConflictError(AgentError):
    """409 duplicate or conflict: the store refused the write."""


class RevokedError(AgentError):
    """409 revoked: Zoho refused the refresh token (invalid_code); the fleet
    stops refreshing it until a new grant or refresh token is saved. Also
    409 no_refresh_token: the record has nothing to get a token with."""


class ThrottledError(AgentError):
    """429: Zoho throttled the refresh token and no valid access token is
    left. ``retry_after`` is the wait in seconds (from Retry-After),
    ``until`` the end of Zoho's window in Unix seconds."""


class TokenEndpointError(AgentError):
    """502: Zoho's token endpoint refused for another reason (for example
    invalid_client) or answered garbage."""


class UnavailableError(AgentError):
    """503, a timeout or no connection: the agent or its store did not
    answer. Safe to retry later."""


class RefreshFailedError(UnavailableError):
    """503 refresh_failed: the fleet's last token call failed (network, a
    5xx, an answer refused) and no process calls again before the recorded
    backoff ends: ``retry_after`` seconds, ``until`` in Unix seconds."""
