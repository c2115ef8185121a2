"""The real Zoho CRM Python SDK through the agent, on each backend: its
API calls work, the token is made once by the agent, and the SDK's own
token calls never run."""

import time

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

import zohosdk
from tokenstore_agent import AgentClient
from tokenstore_agent.zoho import AgentTokenStore


def store_of(agent):
    return AgentTokenStore(AgentClient(agent.addr, agent.token))


def test_sdk_calls_through_agent(agent, zohotest, client_creds, workdir, monkeypatch):
    cid, secret, rt = client_creds
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    store = store_of(agent)
    before = zohotest.stats()
    zohosdk.initialize(zohotest.url, OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt), store, workdir)
    emails = {zohosdk.email_of(zohosdk.current_user()) for _ in range(5)}
    after = zohotest.stats()
    assert len(emails) == 1 and next(iter(emails)).endswith("@zohotest.example")
    assert after["token_calls"] - before["token_calls"] == 1, "one token call, made by the agent"
    assert spy.calls == 0, "the SDK refreshed by itself"
    [stored] = store.get_tokens()
    assert stored.get_refresh_token() == rt and stored.get_access_token()


def test_sdk_user_signature(agent, zohotest, client_creds, workdir, monkeypatch):
    """An OAuthToken naming its user: the record is found and seeded by user
    name; a second initialize (another process, say) finds it."""
    cid, secret, rt = client_creds
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    store = store_of(agent)
    for _ in range(2):
        token = OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt,
                           user_signature=UserSignature("ann@example.com"))
        zohosdk.initialize(zohotest.url, token, store, workdir)
        zohosdk.email_of(zohosdk.current_user())
    assert zohotest.stats()["token_calls"] == 1
    assert spy.calls == 0
    [stored] = store.get_tokens()
    assert stored.get_user_signature().get_name() == "ann@example.com"


def test_sdk_by_id(agent, zohotest, client_creds, workdir, monkeypatch):
    """OAuthToken(id=…): the SDK asks find_token_by_id before each call."""
    cid, secret, rt = client_creds
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    client = AgentClient(agent.addr, agent.token)
    saved = client.save({"client_id": cid, "client_secret": secret, "refresh_token": rt})
    zohosdk.initialize(zohotest.url, OAuthToken(id=saved["id"]), AgentTokenStore(client), workdir)
    for _ in range(3):
        zohosdk.email_of(zohosdk.current_user())
    assert zohotest.stats()["token_calls"] == 1
    assert spy.calls == 0


def test_sdk_grant_token(agent, zohotest, workdir, monkeypatch):
    """A grant code given to the SDK is exchanged once, by the agent."""
    cid, secret = "1000.GRANT", "grant-secret-0123"
    zohotest.client(cid, secret)
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    store = store_of(agent)
    zohosdk.initialize(zohotest.url, OAuthToken(client_id=cid, client_secret=secret, grant_token=zohotest.grant_code(cid)),
                       store, workdir)
    zohosdk.email_of(zohosdk.current_user())
    st = zohotest.stats()
    assert (st["exchanges"], st["token_calls"]) == (1, 1)
    assert spy.calls == 0
    [stored] = store.get_tokens()
    assert stored.get_refresh_token(), "the exchange's refresh token is stored"


def test_sdk_token_expires(bins, workdir, start_agent, monkeypatch):
    """Calls over 13 s, the agent refreshing 2-minute tokens (the least
    package zoho accepts) once they have less than 116 s left, i.e. every
    4 s: one token call per such expiry (at 0, 4, 8, 12 s), never the
    SDK's."""
    import time
    import procs
    from conftest import store_url
    zt = procs.Zohotest(bins.zohotest, workdir, "-token-lifetime", "2m")
    try:
        agent = start_agent(store_url("mem"), zt, "--refresh-skew", "116s", "--refresh-min-interval", "2s")
        zt.client("1000.SHORT", "short-secret-0123")
        rt = zt.refresh_token("1000.SHORT")
        spy = zohosdk.SelfRefreshSpy(monkeypatch)
        zohosdk.initialize(zt.url, OAuthToken(client_id="1000.SHORT", client_secret="short-secret-0123", refresh_token=rt),
                           store_of(agent), workdir)
        start = time.monotonic()
        while time.monotonic() - start < 13:
            zohosdk.email_of(zohosdk.current_user())
            time.sleep(0.25)
        st = zt.stats()
        assert 4 <= st["refreshes"] <= 5 and st["token_calls"] == st["refreshes"]
        assert st["api_unauthorized"] == 0 and spy.calls == 0
    finally:
        zt.stop()


def test_sdk_invalid_token_reported(agent, zohotest, client_creds, workdir):
    """Zoho refuses a token the agent still thinks valid (here: zohotest's
    clock moved past its hour): the SDK returns 401 INVALID_OAUTHTOKEN, the
    caller reports it, and the next call gets a new token."""
    cid, secret, rt = client_creds
    store = store_of(agent)
    # The token as an import brings it (tokenctl, an OAuth callback), not
    # refreshed by the fleet: the agents refresh a refused token at once
    # unless the fleet itself refreshed it less than --refresh-min-interval
    # (2 min) ago (refresh.Options.MinInterval bounds refreshes).
    made = zohotest.refresh(cid, secret, rt)
    store.client.save({"client_id": cid, "client_secret": secret, "refresh_token": rt, "access_token": made["access_token"],
                       "expiry_time": str(int((time.time() + made["expires_in"]) * 1000)), "api_domain": zohotest.url})
    zohosdk.initialize(zohotest.url, OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt), store, workdir)
    zohosdk.email_of(zohosdk.current_user())
    zohotest.advance("61m")
    response = zohosdk.current_user()
    assert response.get_status_code() == 401
    assert store.report_if_invalid(response) is True
    assert not store.report_if_invalid(response), "reported once: nothing left to report"
    zohosdk.email_of(zohosdk.current_user())
    assert zohotest.stats()["refreshes"] == 2, "the import's token and the agent's after the report"


def test_sdk_seed_drops_the_callers_access_token(agent, zohotest, client_creds, workdir, monkeypatch):
    """An OAuthToken carrying an old access token beside its refresh token:
    the seed saves the credentials only, so the fleet's record never takes
    a token of unknown age (another process may have stored a fresh one)."""
    cid, secret, rt = client_creds
    spy = zohosdk.SelfRefreshSpy(monkeypatch)
    token = OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt, access_token="1000.old.token")
    zohosdk.initialize(zohotest.url, token, store_of(agent), workdir)
    zohosdk.email_of(zohosdk.current_user())
    assert spy.calls == 0 and zohotest.stats()["api_unauthorized"] == 0
