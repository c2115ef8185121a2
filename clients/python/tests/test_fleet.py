"""The fleet test: N processes of the real Zoho Python SDK against
zohotest's real limits (10 tokens per refresh token per 10 minutes, 15
active), half of them sharing an agent per group of 5, half with an agent
each, every agent over one store (Vault, else LocalStack): exactly one
token call per expiry, 0 throttled. Beside it the baseline: the same SDK
with its own FileStore per process.

zohotest's tokens live 2 minutes, the least package zoho accepts
(zoho.MinExpiresIn); the agents refresh them 110 s before they expire, so
a token serves 10 s: an "expiry" below is a token reaching the agents'
skew, every 10 s (--refresh-min-interval 5s lets a refresh that early
happen; the 2-minute default would hold it back). Every process calls the
API every 2 s (five times per expiry: what matters is that each needs a
token in each). TOKENSTORE_FLEET_N sets N (default 50).
"""

import datetime
import os
import secrets

import pytest

import fleet
import procs
from conftest import store_url, unavailable

N = int(os.environ.get("TOKENSTORE_FLEET_N", "50"))
GROUP = 5
LIFETIME, SKEW, MIN_INTERVAL = 120, 110, 5
BASELINE_SECONDS = 20
SECONDS, INTERVAL = 30, 2.0

pytestmark = pytest.mark.fleet


def shared_store():
    """The store every agent of the fleet shares: TOKENSTORE_FLEET_STORE
    (mem:// runs the whole fleet on one agent, for a quick look), else
    Vault, else LocalStack."""
    if os.environ.get("TOKENSTORE_FLEET_STORE"):
        return os.environ["TOKENSTORE_FLEET_STORE"]
    if os.environ.get("VAULT_ADDR"):
        return store_url("vault")
    if os.environ.get("AWS_ENDPOINT_URL"):
        return store_url("awssm")
    unavailable("fleet: neither VAULT_ADDR nor AWS_ENDPOINT_URL is set (one store shared by every agent)")


def times(zt, rt):
    return [datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
            for t in zt.call("GET", "/issued?refresh_token=" + rt)["issued"]]


def new_fleet_zohotest(bins, workdir):
    zt = procs.Zohotest(bins.zohotest, workdir, "-token-lifetime", f"{LIFETIME}s")
    cid, secret = "1000.FLEET" + secrets.token_hex(4).upper(), "fleet-secret-" + secrets.token_hex(8)
    zt.client(cid, secret)
    return zt, cid, secret, zt.refresh_token(cid)


def test_fleet_one_token_call_per_expiry(bins, workdir, start_agent):
    url = shared_store()
    zt, cid, secret, rt = new_fleet_zohotest(bins, workdir)
    try:
        skew = ["--refresh-skew", f"{SKEW}s", "--refresh-min-interval", f"{MIN_INTERVAL}s"]
        if url == "mem://":
            agents = [start_agent(url, zt, *skew)] * N
        else:
            half = N // 2
            grouped = [start_agent(url, zt, *skew) for _ in range(0, half, GROUP)]
            agents = [grouped[i // GROUP] for i in range(half)] + [start_agent(url, zt, *skew) for _ in range(N - half)]
        jobs = [{"zohotest": zt.url, "client_id": cid, "client_secret": secret, "refresh_token": rt, "dir": workdir,
                 "seconds": SECONDS, "interval": INTERVAL, "agent": {"addr": a.addr, "token": a.token}} for a in agents]
        inits, results, took = fleet.run(jobs, workdir)
        st, issued = zt.stats(), times(zt, rt)
    finally:
        zt.stop()
    finds = [ms for r in results for ms in r["find_ms"]]
    fig = {"sdk": "python", "store": url.split("://")[0], "processes": N, "agents": len({a.addr for a in agents}),
           "seconds": round(took, 1), "expiries": len(issued), "token_calls": st["token_calls"],
           "throttled": st["throttled"], "api_ok": sum(r["ok"] for r in results),
           "api_failed": sum(r["failed"] for r in results),
           "find_p50_ms": round(fleet.percentile(finds, 50), 2), "find_p99_ms": round(fleet.percentile(finds, 99), 2)}
    fleet.report("agent", fig)
    assert [i["init_error"] for i in inits] == [None] * N
    assert {k: v for r in results for k, v in r["errors"].items()} == {}
    assert fig["api_failed"] == 0 and st["api_unauthorized"] == 0
    assert st["throttled"] == 0 and st["rejected"] == 0
    assert st["token_calls"] == st["refreshes"] == len(issued)
    # One token per expiry: each was made only once the one before had
    # less than the skew left (a second token for one expiry would come
    # within milliseconds of the first).
    gaps = [b - a for a, b in zip(issued, issued[1:])]
    assert all(g >= LIFETIME - SKEW - 0.5 for g in gaps), gaps
    assert len(issued) >= SECONDS // (LIFETIME - SKEW), "the run spanned several expiries"


def test_fleet_baseline_filestore(bins, workdir):
    """The same SDK with a FileStore per process (what a container or
    Lambda fleet has today): every process makes its own token. 20 s are
    enough: the fleet's first token is where the limit bites."""
    zt, cid, secret, rt = new_fleet_zohotest(bins, workdir)
    try:
        jobs = [{"zohotest": zt.url, "client_id": cid, "client_secret": secret, "refresh_token": rt, "dir": workdir,
                 "seconds": BASELINE_SECONDS, "interval": INTERVAL, "filestore": os.path.join(workdir, f"tokens-{i}.csv")}
                for i in range(N)]
        inits, results, took = fleet.run(jobs, workdir)
        st, issued = zt.stats(), times(zt, rt)
    finally:
        zt.stop()
    fig = {"sdk": "python", "store": "FileStore per process", "processes": N, "seconds": round(took, 1),
           "token_calls": st["token_calls"], "tokens_made": len(issued), "throttled": st["throttled"],
           "evicted": st["evictions"], "no_token_at_start": sum(1 for i in inits if i["init_error"]),
           "api_ok": sum(r["ok"] for r in results), "api_failed": sum(r["failed"] for r in results)}
    fleet.report("baseline", fig)
    # Zoho's limit, enforced by zohotest: 10 tokens per window, the rest refused.
    assert len(issued) == min(N, 10)
    assert st["throttled"] >= N - 10
