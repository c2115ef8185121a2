"""AgentClient: the agent's HTTP API (/v1) over a kept-alive loopback
connection per thread, with the standard library only."""

import http.client
import ipaddress
import json
import os
import socket
import threading
import urllib.parse

from . import errors

DEFAULT_ADDR = "127.0.0.1:2774"
# The agent works on a request for at most 30 s (a token call, or waiting
# for another agent's refresh); the client waits a little longer.
DEFAULT_TIMEOUT = 35.0

_BY_CODE = {
    "unauthorized": errors.UnauthorizedError,
    "bad_request": errors.BadRequestError,
    "invalid_token": errors.BadRequestError,
    "too_large": errors.BadRequestError,
    "not_found": errors.NotFoundError,
    "duplicate": errors.ConflictError,
    "conflict": errors.ConflictError,
    "revoked": errors.RevokedError,
    "no_refresh_token": errors.RevokedError,
    "throttled": errors.ThrottledError,
    "token_endpoint": errors.TokenEndpointError,
    "unavailable": errors.UnavailableError,
    "refresh_failed": errors.RefreshFailedError,
    # Neither passes with time: a record the store cannot read, a record
    # whose data centre is unknown. Plain AgentError, not Unavailable.
    "internal": errors.AgentError,
    "no_data_centre": errors.AgentError,
}

# Failures of a kept-alive connection the agent closed while it was idle:
# the request never reached it, so it is sent once more on a new one.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def header_token_from_env(environ=None):
    """The header token as the agent reads it: TOKENSTORE_AGENT_TOKEN, else
    the file named by TOKENSTORE_AGENT_TOKEN_FILE, else, in AWS Lambda,
    AWS_SESSION_TOKEN (which the function and its extensions share)."""
    env = os.environ if environ is None else environ
    if env.get("TOKENSTORE_AGENT_TOKEN"):
        return env["TOKENSTORE_AGENT_TOKEN"]
    if env.get("TOKENSTORE_AGENT_TOKEN_FILE"):
        with open(env["TOKENSTORE_AGENT_TOKEN_FILE"]) as f:
            return f.read().strip()
    if env.get("AWS_LAMBDA_FUNCTION_NAME") and env.get("AWS_SESSION_TOKEN"):
        return env["AWS_SESSION_TOKEN"]
    return None


def _loopback(addr):
    """Split host:port and refuse anything but a loopback IP: requests carry
    the header token and answers carry OAuth tokens over plain HTTP."""
    host, sep, port = addr.rpartition(":")
    host = host.strip("[]")
    try:
        ok = sep and ipaddress.ip_address(host).is_loopback and 0 < int(port) < 65536
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"tokenstore_agent: address {addr!r}: want a loopback IP and port such as {DEFAULT_ADDR}")
    return host, int(port)


class AgentClient:
    """The agent's API. ``addr`` defaults to TOKENSTORE_AGENT_ADDR or
    127.0.0.1:2774, ``token`` to header_token_from_env(). Safe for use from
    many threads (one connection each). Methods return the agent's JSON
    (tokens as dicts with the Zoho SDKs' field names, all strings) and raise
    the errors of tokenstore_agent.errors."""

    def __init__(self, addr=None, token=None, timeout=DEFAULT_TIMEOUT):
        self.addr = addr or os.environ.get("TOKENSTORE_AGENT_ADDR") or DEFAULT_ADDR
        self._host, self._port = _loopback(self.addr)
        self._token = token if token is not None else header_token_from_env()
        if not self._token:
            raise ValueError("tokenstore_agent: no header token: set TOKENSTORE_AGENT_TOKEN or TOKENSTORE_AGENT_TOKEN_FILE")
        self._timeout = timeout
        self._local = threading.local()

    def __repr__(self):
        return f"AgentClient(addr={self.addr!r})"

    # ---- the six operations -------------------------------------------

    def find(self, query, fresh=False):
        """FindToken with the lookup rules; fresh: with an access token made
        valid by the fleet refresh. None when there is no such token."""
        try:
            return self._call("find", "POST", "/v1/tokens/find" + ("?fresh=1" if fresh else ""), query)
        except errors.NotFoundError:
            return None

    def save(self, token):
        """SaveToken (upsert); returns the token as stored, ID included."""
        return self._call("save", "PUT", "/v1/tokens", token)

    def get_all(self):
        """GetTokens: every token, ordered by ID."""
        return self._call("get_all", "GET", "/v1/tokens")["tokens"]

    def get_by_id(self, id):
        """FindTokenByID; None when there is no such token."""
        try:
            return self._call("get_by_id", "GET", "/v1/tokens/" + urllib.parse.quote(id, safe=""))
        except errors.NotFoundError:
            return None

    def delete(self, id):
        """DeleteToken; NotFoundError when there is no such token."""
        self._call("delete", "DELETE", "/v1/tokens/" + urllib.parse.quote(id, safe=""))

    def delete_all(self):
        """DeleteTokens: every token of the agent's store."""
        self._call("delete_all", "DELETE", "/v1/tokens?confirm=all")

    # ---- tokens for callers without a Zoho SDK --------------------------

    def access_token(self, user_name=None, id=None):
        """A valid access token: {access_token, expiry_time, api_domain,
        token_type, id, user_name}."""
        q = {"id": id} if id else {"user": user_name}
        return self._call("access_token", "GET", "/v1/token?" + urllib.parse.urlencode(q))

    def report_invalid(self, access_token, id=None, user_name=None):
        """Tell the agent that the API refused access_token (401
        INVALID_OAUTHTOKEN): it expires that token for the fleet, once."""
        body = {"access_token": access_token}
        if id:
            body["id"] = id
        elif user_name:
            body["user_name"] = user_name
        self._call("report_invalid", "POST", "/v1/token/invalid", body)

    # ---- transport -------------------------------------------------------

    def _conn(self, new=False):
        c = getattr(self._local, "conn", None)
        if c is None or new:
            if c is not None:
                c.close()
            c = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            self._local.conn, self._local.used = c, False
        return c

    def _call(self, op, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"X-Tokenstore-Token": self._token, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            conn = self._conn(new=attempt > 0)
            reused = self._local.used
            try:
                conn.request(method, path, body=data, headers=headers)
                res = conn.getresponse()
                raw = res.read()
                self._local.used = True
                break
            except _STALE as e:
                conn.close()
                self._local.conn = None
                if reused and attempt == 0:
                    continue
                raise errors.UnavailableError(op, 0, "unreachable", f"agent at {self.addr}: {type(e).__name__}") from None
            except (socket.timeout, TimeoutError):
                conn.close()
                self._local.conn = None
                raise errors.UnavailableError(op, 0, "timeout", f"agent at {self.addr} did not answer in {self._timeout:g} s") from None
            except OSError as e:
                conn.close()
                self._local.conn = None
                raise errors.UnavailableError(op, 0, "unreachable", f"agent at {self.addr}: {e.strerror or type(e).__name__}") from None
        if res.status == 204:
            return None
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        if 200 <= res.status < 300 and doc is not None:
            return doc
        raise _error(op, res, doc)


def _error(op, res, doc):
    err = (doc or {}).get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict):
        err = {}
    code = err.get("code") or ("unavailable" if res.status >= 500 else f"http_{res.status}")
    message = str(err.get("message") or res.reason or "no message")
    cls = _BY_CODE.get(code) or (errors.UnavailableError if res.status >= 500 else errors.AgentError)
    return cls(op, res.status, code, message, retry_after=_number(res.getheader("Retry-After")),
               until=_number(err.get("retry_after")))


def _number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None
