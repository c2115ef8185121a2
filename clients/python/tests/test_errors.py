"""Typed errors through the real SDK: throttled, revoked, agent down,
wrong header token; and no secret in any error or log."""

import time

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.crm.api.exception import SDKException

import zohosdk
from tokenstore_agent import (AgentClient, RefreshFailedError, RevokedError, ThrottledError, UnauthorizedError,
                              UnavailableError)
from tokenstore_agent.zoho import AgentTokenStore


def sdk_token(creds):
    cid, secret, rt = creds
    return OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt)


def cause(e):
    """Ours, as raised or inside the SDK's SDKException."""
    return e.cause if isinstance(e, SDKException) else e


def test_throttled(agent, zohotest, client_creds, workdir, monkeypatch):
    cid, secret, rt = client_creds
    for _ in range(10):  # another client spends the refresh token's window
        assert "access_token" in zohotest.refresh(cid, secret, rt)
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    store = AgentTokenStore(AgentClient(agent.addr, agent.token))
    for _ in range(2):
        with pytest.raises((ThrottledError, SDKException)) as e:
            zohosdk.initialize(zohotest.url, sdk_token(client_creds), store, workdir)
        err = cause(e.value)
        assert isinstance(err, ThrottledError), repr(e.value)
        assert err.status == 429 and err.retry_after > 0 and err.until > time.time()
    st = zohotest.stats()
    assert st["throttled"] == 1, "the agent recorded the throttle: the second find made no token call"
    assert spy.calls == 0


def test_revoked(agent, zohotest, client_creds, workdir):
    zohotest.revoke(client_creds[2])
    with pytest.raises((RevokedError, SDKException)) as e:
        zohosdk.initialize(zohotest.url, sdk_token(client_creds), AgentTokenStore(AgentClient(agent.addr, agent.token)), workdir)
    err = cause(e.value)
    assert isinstance(err, RevokedError) and err.code == "revoked", repr(e.value)


def test_token_endpoint_down(agent, zohotest, client_creds, workdir, monkeypatch):
    """Zoho's accounts server does not answer when the fleet needs a token:
    the caller whose token call failed gets RefreshFailedError (503
    refresh_failed, the fleet's backoff), not "the store failed"; the fleet
    records the failure and backs off, so the next find calls nobody and
    gets the same error with the wait."""
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    store = AgentTokenStore(AgentClient(agent.addr, agent.token))
    zohotest.stop()
    for i in range(2):
        with pytest.raises((UnavailableError, SDKException)) as e:
            zohosdk.initialize(zohotest.url, sdk_token(client_creds), store, workdir)
        err = cause(e.value)
        assert isinstance(err, RefreshFailedError), f"find {i + 1}: {err!r}"
        assert err.status == 503 and err.code == "refresh_failed", f"find {i + 1}: {err!r}"
        assert err.retry_after > 0 and err.until > time.time(), f"find {i + 1}: {err!r}"
    assert spy.calls == 0


def test_agent_down(agent, zohotest, client_creds, workdir):
    zohosdk.initialize(zohotest.url, sdk_token(client_creds), AgentTokenStore(AgentClient(agent.addr, agent.token, timeout=5)), workdir)
    zohosdk.email_of(zohosdk.current_user())
    agent.stop()
    with pytest.raises(SDKException) as e:
        zohosdk.current_user()
    assert isinstance(e.value.cause, UnavailableError) and e.value.cause.code == "unreachable"


def test_wrong_header_token(agent, client_creds):
    c = AgentClient(agent.addr, "not-the-agent-token-0123")
    with pytest.raises(UnauthorizedError) as e:
        c.find({"user_name": "x@example.com"})
    assert e.value.status == 401


def test_no_secret_in_errors_or_logs(backend, zohotest, start_agent, workdir):
    """Every error path above on one agent, then every error text, the SDK's
    log and the agent's log are searched for each secret."""
    from conftest import store_url
    agent = start_agent(store_url(backend), zohotest)
    client = AgentClient(agent.addr, agent.token)
    secrets_seen, texts = [], []

    def creds():
        cid, secret = "1000.NOSECRET", "very-secret-client-secret"
        zohotest.client(cid, secret)
        rt = zohotest.refresh_token(cid)
        secrets_seen.extend([secret, rt])
        return cid, secret, rt

    def attempt(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every error's text is checked
            texts.extend([str(e), repr(e), str(cause(e))])

    good = creds()
    zohosdk.initialize(zohotest.url, sdk_token(good), AgentTokenStore(client), workdir)
    zohosdk.email_of(zohosdk.current_user())
    revoked = creds()
    zohotest.revoke(revoked[2])
    attempt(lambda: zohosdk.initialize(zohotest.url, sdk_token(revoked), AgentTokenStore(client), workdir))
    throttled = creds()
    for _ in range(10):
        zohotest.refresh(*throttled)
    attempt(lambda: zohosdk.initialize(zohotest.url, sdk_token(throttled), AgentTokenStore(client), workdir))
    attempt(lambda: AgentClient(agent.addr, "wrong-header-token-0123").find({"refresh_token": good[2], "client_id": good[0], "client_secret": good[1]}))
    secrets_seen.extend(t.get_access_token() for t in AgentTokenStore(client).get_tokens() if t.get_access_token())
    agent.stop()
    attempt(lambda: zohosdk.current_user())
    assert len(texts) >= 9, texts
    with open(f"{workdir}/sdk.log") as f:
        logs = [f.read(), agent.output()]
    assert "Exception" in logs[0], "the SDK logged the failures"
    for s in secrets_seen:
        for text in texts + logs:
            assert s not in text


def test_throttled_while_valid(bins, workdir, start_agent, monkeypatch):
    """The fleet's refresh is throttled while the stored token still has
    some of its life left: the SDK keeps working on it until it expires
    (2-minute tokens, refreshed 110 s before expiry)."""
    import procs
    from conftest import store_url
    zt = procs.Zohotest(bins.zohotest, workdir, "-token-lifetime", "2m")
    try:
        agent = start_agent(store_url("mem"), zt, "--refresh-skew", "110s", "--refresh-min-interval", "5s")
        zt.client("1000.TV", "tv-secret-0123456")
        rt = zt.refresh_token("1000.TV")
        spy = zohosdk.SelfRefreshSpy(monkeypatch)
        zohosdk.initialize(zt.url, OAuthToken(client_id="1000.TV", client_secret="tv-secret-0123456", refresh_token=rt),
                           AgentTokenStore(AgentClient(agent.addr, agent.token)), workdir)
        for _ in range(9):  # the rest of the window, spent elsewhere
            zt.refresh("1000.TV", "tv-secret-0123456", rt)
        time.sleep(11)  # the token now has less than the skew left
        zohosdk.email_of(zohosdk.current_user())
        st = zt.stats()
        assert st["throttled"] == 1, "the agent tried to refresh, and was throttled"
        assert spy.calls == 0
    finally:
        zt.stop()
