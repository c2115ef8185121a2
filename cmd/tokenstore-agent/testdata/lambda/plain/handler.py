"""A Lambda handler that gets a valid Zoho access token from the
tokenstore-agent extension over plain HTTP (urllib only), then calls the
Zoho API with it.

The agent listens on TOKENSTORE_AGENT_ADDR (default 127.0.0.1:2774) and
takes the function's AWS_SESSION_TOKEN as its header token, as AWS's
Parameters and Secrets extension does.

Event: {"user": "<user_name>", "save": {<token fields>}?}. The answer holds
statuses and a digest of the access token, never the token.
"""
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request

AGENT = "http://" + os.environ.get("TOKENSTORE_AGENT_ADDR", "127.0.0.1:2774")


def _header_token():
    return os.environ.get("TOKENSTORE_AGENT_TOKEN") or os.environ["AWS_SESSION_TOKEN"]


def _call(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw) if raw else None
        except ValueError:
            return err.code, None


def _agent(method, path, body=None):
    return _call(method, AGENT + path, body, {"X-Tokenstore-Token": _header_token()})


def handler(event, context):
    out = {}
    if "save" in event:
        out["save_status"], _ = _agent("PUT", "/v1/tokens", event["save"])
    status, tok = _agent("GET", "/v1/token?user=" + urllib.parse.quote(event["user"]))
    out["token_status"] = status
    if status != 200:
        out["error"] = (tok or {}).get("error")
        return out
    out["token_sha256"] = hashlib.sha256(tok["access_token"].encode()).hexdigest()
    out["api_status"], _ = _call(
        "GET",
        tok["api_domain"] + "/crm/v8/users?type=CurrentUser",
        headers={"Authorization": "Zoho-oauthtoken " + tok["access_token"]},
    )
    return out
