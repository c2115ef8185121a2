"""Fixtures: zohotest and agent processes, the backends the agent runs on,
and a Zoho SDK initialized against them.

Backends: mem (always), vault (VAULT_ADDR, VAULT_TOKEN), awssm
(AWS_ENDPOINT_URL, LocalStack), as `scripts/testenv.sh env` exports them.
A missing one skips with the reason, or fails the test when
TOKENSTORE_INTEGRATION=required (scripts/test.sh sets it).
"""

import os
import secrets

import pytest

import procs

REQUIRED = os.environ.get("TOKENSTORE_INTEGRATION") == "required"
BACKENDS = ["mem", "vault", "awssm"]


def unavailable(reason):
    if REQUIRED:
        pytest.fail(f"{reason} (TOKENSTORE_INTEGRATION=required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def bins():
    try:
        b = procs.Binaries()
    except procs.Unavailable as e:
        unavailable(str(e))
    yield b
    b.cleanup()


def store_url(backend):
    """A store URL with a namespace of its own for backend, or skip/fail."""
    ns = "clients-py/" + secrets.token_hex(6)
    if backend == "mem":
        return "mem://"
    if backend == "vault":
        if not (os.environ.get("VAULT_ADDR") and os.environ.get("VAULT_TOKEN")):
            unavailable("vault: VAULT_ADDR and VAULT_TOKEN are not set")
        return f"vault://secret/{ns}"
    if backend == "awssm":
        if not os.environ.get("AWS_ENDPOINT_URL"):
            unavailable("awssm: AWS_ENDPOINT_URL (LocalStack) is not set")
        return f"awssm://{ns}/"
    raise ValueError(backend)


@pytest.fixture
def workdir(tmp_path):
    return str(tmp_path)


@pytest.fixture
def zohotest(bins, workdir):
    z = procs.Zohotest(bins.zohotest, workdir)
    yield z
    z.stop()


@pytest.fixture
def start_agent(bins, workdir):
    """start_agent(store_url, zohotest, *flags) -> a running Agent."""
    started = []

    def start(url, zt, *extra, **kw):
        a = procs.Agent(bins.agent, workdir, url, zt, *extra, **kw)
        started.append(a)
        return a

    yield start
    for a in started:
        a.stop()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def agent(backend, zohotest, start_agent):
    return start_agent(store_url(backend), zohotest)


@pytest.fixture
def client_creds(zohotest):
    """A registered client with a new refresh token: (id, secret, refresh)."""
    cid, secret = "1000." + secrets.token_hex(8).upper(), "secret-" + secrets.token_hex(12)
    zohotest.client(cid, secret)
    return cid, secret, zohotest.refresh_token(cid)
