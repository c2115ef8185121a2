"""Clients of the tokenstore agent, the localhost token broker that keeps
Zoho OAuth tokens in AWS Secrets Manager or Vault and refreshes them once
per expiry for a whole fleet.

- AgentClient: the agent's HTTP API (standard library only).
- AgentTokenStore (tokenstore_agent.zoho): the Zoho CRM Python SDK's
  TokenStore over the agent; needs zohocrmsdk8-0.
- the errors of tokenstore_agent.errors.
"""

from .client import DEFAULT_ADDR, AgentClient, header_token_from_env
from .errors import (AgentError, BadRequestError, ConflictError, NotFoundError, RefreshFailedError, RevokedError,
                     ThrottledError, TokenEndpointError, UnauthorizedError, UnavailableError)

__all__ = ["DEFAULT_ADDR", "AgentClient", "AgentTokenStore", "header_token_from_env", "AgentError",
           "BadRequestError", "ConflictError", "NotFoundError", "RefreshFailedError", "RevokedError", "ThrottledError",
           "TokenEndpointError", "UnauthorizedError", "UnavailableError"]


def __getattr__(name):
    # AgentTokenStore imports the Zoho SDK: only when asked for.
    if name == "AgentTokenStore":
        from .zoho import AgentTokenStore
        return AgentTokenStore
    raise AttributeError(name)
