"""The six TokenStore operations of AgentTokenStore, and AgentClient's
own calls, against the agent on each backend."""

import os
import time

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

from tokenstore_agent import AgentClient, BadRequestError, NotFoundError, header_token_from_env
from tokenstore_agent.zoho import AgentTokenStore


@pytest.fixture
def store(agent):
    return AgentTokenStore(AgentClient(agent.addr, agent.token))


def test_six_operations(store, client_creds):
    cid, secret, rt = client_creds
    t = OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt, user_signature=UserSignature("ann@example.com"))
    store.save_token(t)
    assert t.get_id(), "save_token sets the ID it stored under"
    other = OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt + ".other", user_signature=UserSignature("bob@example.com"))
    store.save_token(other)

    # find_token by user name (rule 1) fills the SDK's token with the record,
    # its access token made valid.
    q = OAuthToken(user_signature=UserSignature("ann@example.com"))
    assert store.find_token(q) is q
    assert q.get_id() == t.get_id() and q.get_refresh_token() == rt and q.get_access_token()
    assert int(q.get_expires_in()) > time.time() * 1000 + 5000, "more than the SDK's 5 s margin left"
    # by access token alone (rule 2) and by refresh token and client (rule 3)
    by_at = store.find_token(OAuthToken(access_token=q.get_access_token()))
    assert by_at.get_id() == t.get_id()
    by_rt = store.find_token(OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt))
    assert by_rt.get_id() == t.get_id()
    assert store.find_token_by_id(t.get_id()).get_user_signature().get_name() == "ann@example.com"

    ids = [x.get_id() for x in store.get_tokens()]
    assert ids == sorted([t.get_id(), other.get_id()])
    store.delete_token(other.get_id())
    assert [x.get_id() for x in store.get_tokens()] == [t.get_id()]
    store.delete_tokens()
    assert store.get_tokens() == []


def test_misses(store):
    # A miss without credentials to seed with: None, as the SDK's stores.
    assert store.find_token(OAuthToken(user_signature=UserSignature("nobody@example.com"))) is None
    with pytest.raises(NotFoundError):
        store.find_token_by_id("0123456789abcdef0123456789abcdef")
    with pytest.raises(NotFoundError):
        store.delete_token("0123456789abcdef0123456789abcdef")
    with pytest.raises(BadRequestError) as e:
        store.save_token(OAuthToken(user_signature=UserSignature("x@example.com")))
    assert e.value.code == "invalid_token" and e.value.status == 400


def test_save_merges(store, client_creds):
    """save_token upserts: a second save of the same user changes only the
    fields it carries."""
    cid, secret, rt = client_creds
    store.save_token(OAuthToken(client_id=cid, client_secret=secret, refresh_token=rt, user_signature=UserSignature("m@example.com")))
    store.save_token(OAuthToken(access_token="1000.handmade", user_signature=UserSignature("m@example.com")))
    [t] = store.get_tokens()
    assert (t.get_refresh_token(), t.get_access_token(), t.get_client_secret()) == (rt, "1000.handmade", secret)


def test_access_token_for_plain_callers(agent, zohotest, client_creds):
    """GET /v1/token: what a program without the SDK needs, no more."""
    cid, secret, rt = client_creds
    c = AgentClient(agent.addr, agent.token)
    saved = c.save({"client_id": cid, "client_secret": secret, "refresh_token": rt, "user_name": "p@example.com"})
    got = c.access_token(user_name="p@example.com")
    assert got["token_type"] == "Zoho-oauthtoken" and got["access_token"] and got["id"] == saved["id"]
    assert "refresh_token" not in got and "client_secret" not in got
    assert c.access_token(id=saved["id"])["access_token"] == got["access_token"]
    assert zohotest.stats()["refreshes"] == 1


@pytest.mark.parametrize("addr", ["10.0.0.1:2774", "localhost:2774", "0.0.0.0:2774", "127.0.0.1", "127.0.0.1:0", "[::1]:x"])
def test_client_refuses_non_loopback(addr):
    with pytest.raises(ValueError, match="loopback"):
        AgentClient(addr, "a-header-token-of-16+")


def test_client_accepts_loopback():
    assert AgentClient("[::1]:2774", "t" * 16).addr == "[::1]:2774"
    assert AgentClient("127.0.0.2:2774", "t" * 16).addr == "127.0.0.2:2774"


def test_header_token_from_env(tmp_path):
    f = tmp_path / "token"
    f.write_text("from-file-0123456789\n")
    assert header_token_from_env({"TOKENSTORE_AGENT_TOKEN": "a", "TOKENSTORE_AGENT_TOKEN_FILE": str(f)}) == "a"
    assert header_token_from_env({"TOKENSTORE_AGENT_TOKEN_FILE": str(f)}) == "from-file-0123456789"
    # AWS_SESSION_TOKEN only inside Lambda, where the extension uses it too.
    assert header_token_from_env({"AWS_SESSION_TOKEN": "s"}) is None
    assert header_token_from_env({"AWS_SESSION_TOKEN": "s", "AWS_LAMBDA_FUNCTION_NAME": "f"}) == "s"
    with pytest.raises(ValueError, match="no header token"):
        AgentClient("127.0.0.1:2774", "")


def test_package_builds(tmp_path):
    """pip can build and install the package (no dependencies)."""
    import subprocess
    import sys
    import zipfile
    import shutil
    root = os.path.join(os.path.dirname(__file__), "..")
    src = tmp_path / "pkg"  # a copy: building leaves build/ and egg-info behind
    shutil.copytree(root, src, ignore=shutil.ignore_patterns("tests", ".pytest_cache", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(tmp_path), str(src)], check=True)
    [wheel] = tmp_path.glob("tokenstore_agent-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("__init__", "client", "errors", "zoho"):
        assert f"tokenstore_agent/{module}.py" in names
