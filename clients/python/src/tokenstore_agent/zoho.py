"""AgentTokenStore: the Zoho CRM Python SDK's TokenStore (zohocrmsdk8-0)
over a tokenstore agent.

The SDK asks its store for the token before every API call and refreshes
by itself only when the token it gets has less than 5 seconds left
(zohocrmsdk/src/com/zoho/api/authenticator/oauth_token.py, get_token). So
find_token and find_token_by_id ask the agent for a *fresh* token: the
agent makes the access token valid through its fleet refresh, one token
call per expiry across every process sharing its store, and the SDK's own
refresh path never runs while the agent is up.

The SDK gives a store no hook on a 401 INVALID_OAUTHTOKEN answer (it
returns it as an APIResponse), so the caller reports it: see
report_if_invalid.
"""

import threading

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.token_store import TokenStore
from zohocrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

from .client import AgentClient
from .errors import NotFoundError

FIELDS = ("id", "user_name", "client_id", "client_secret", "refresh_token", "access_token",
          "grant_token", "expiry_time", "redirect_url", "api_domain")


def to_wire(token):
    """The agent's form of an SDK OAuthToken: the fields it has, as
    strings."""
    sig = token.get_user_signature()
    values = {
        "id": token.get_id(),
        "user_name": sig.get_name() if sig is not None else None,
        "client_id": token.get_client_id(),
        "client_secret": token.get_client_secret(),
        "refresh_token": token.get_refresh_token(),
        "access_token": token.get_access_token(),
        "grant_token": token.get_grant_token(),
        "expiry_time": token.get_expires_in(),
        "redirect_url": token.get_redirect_url(),
        "api_domain": token.get_api_domain(),
    }
    return {k: str(v) for k, v in values.items() if v is not None and str(v) != ""}


def _value(w, k):
    v = w.get(k)
    return v if v else None


def from_wire(w):
    """A new SDK OAuthToken holding the agent's token w."""
    name = _value(w, "user_name")
    t = OAuthToken(client_id=_value(w, "client_id"), client_secret=_value(w, "client_secret"),
                   grant_token=_value(w, "grant_token"), refresh_token=_value(w, "refresh_token"),
                   redirect_url=_value(w, "redirect_url"), id=_value(w, "id"),
                   access_token=_value(w, "access_token"),
                   user_signature=UserSignature(name) if name else None,
                   api_domain=_value(w, "api_domain"))
    t.set_expires_in(_value(w, "expiry_time"))
    return t


def _fill(token, w):
    """Make the SDK's token hold the agent's record. The token state (access
    token, expiry, API domain, ID, user) is the fleet's and replaces the
    SDK's; credentials the caller gave are kept, as the SDK's FileStore
    keeps them."""
    token.set_id(_value(w, "id"))
    token.set_access_token(_value(w, "access_token"))
    token.set_expires_in(_value(w, "expiry_time"))
    token.set_api_domain(_value(w, "api_domain"))
    if _value(w, "user_name"):
        token.set_user_signature(UserSignature(w["user_name"]))
    for get, set_, k in ((token.get_client_id, token.set_client_id, "client_id"),
                         (token.get_client_secret, token.set_client_secret, "client_secret"),
                         (token.get_refresh_token, token.set_refresh_token, "refresh_token"),
                         (token.get_grant_token, token.set_grant_token, "grant_token"),
                         (token.get_redirect_url, token.set_redirect_url, "redirect_url")):
        if get() is None:
            set_(_value(w, k))


def _seedable(w):
    """Whether a query names credentials the agent can get a token with."""
    return bool((w.get("refresh_token") or w.get("grant_token")) and w.get("client_id") and w.get("client_secret"))


class AgentTokenStore(TokenStore):
    """A TokenStore of the Zoho CRM Python SDK kept by a tokenstore agent.

    ``client`` is an AgentClient (default: from the environment,
    TOKENSTORE_AGENT_ADDR and TOKENSTORE_AGENT_TOKEN). With ``seed`` (the
    default), a find that misses but carries a refresh token or grant token
    with the client ID and secret saves it to the agent and returns the
    fresh token the agent gets with it, so even the first token of a new
    fleet is made once, not once per process.

    Errors are those of tokenstore_agent.errors (the SDK wraps them in its
    SDKException, ``cause`` holding ours); none carries a secret. Safe for
    use from many threads.
    """

    def __init__(self, client=None, seed=True):
        self.client = client or AgentClient()
        self.seed = seed
        self._last = threading.local()

    def find_token(self, token):
        if not isinstance(token, OAuthToken):
            return token
        query = to_wire(token)
        w = self.client.find(query, fresh=True)
        if w is None and self.seed and _seedable(query):
            # The credentials only: an access token of unknown age must not
            # overwrite one another process may have stored meanwhile.
            stored = self.client.save({k: v for k, v in query.items() if k not in ("access_token", "expiry_time")})
            w = self.client.find({"id": stored["id"]}, fresh=True)
        if w is None:
            return None
        _fill(token, w)
        self._remember(w)
        return token

    def find_token_by_id(self, id):
        w = self.client.find({"id": id}, fresh=True)
        if w is None:
            raise NotFoundError("find_token_by_id", 404, "not_found", "no such token")
        self._remember(w)
        return from_wire(w)

    def save_token(self, token):
        if not isinstance(token, OAuthToken):
            return
        _fill(token, self.client.save(to_wire(token)))

    def delete_token(self, id):
        self.client.delete(id)

    def get_tokens(self):
        return [from_wire(w) for w in self.client.get_all()]

    def delete_tokens(self):
        self.client.delete_all()

    # ---- 401 INVALID_OAUTHTOKEN -------------------------------------------

    def _remember(self, w):
        self._last.token = (w.get("id"), w.get("access_token"))

    def report_invalid(self):
        """Report the access token this thread was last handed (the one its
        last SDK call sent) as refused by Zoho: the agent expires it for the
        fleet, once, and the next find gets a new one. Returns whether there
        was one to report."""
        id, at = getattr(self._last, "token", (None, None))
        if not at:
            return False
        self.client.report_invalid(at, id=id)
        self._last.token = (None, None)
        return True

    def report_if_invalid(self, response):
        """If response, an SDK APIResponse, is 401 INVALID_OAUTHTOKEN (an
        evicted or revoked access token), report it (report_invalid) and
        return True: the call may then be made again. Else False.

            response = UsersOperations().get_users(params)
            if store.report_if_invalid(response):
                response = UsersOperations().get_users(params)
        """
        if response is None or response.get_status_code() != 401:
            return False
        code = getattr(response.get_object(), "get_code", lambda: None)()
        if getattr(code, "get_value", lambda: code)() != "INVALID_OAUTHTOKEN":
            return False
        return self.report_invalid()
