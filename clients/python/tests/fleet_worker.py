"""The processes of the fleet test: the real Zoho Python SDK making API calls.

This program imports the SDK once and forks one process per job (as
gunicorn --preload does), so fifty imports of the SDK (about a second of
CPU each) do not eat the test machine's cores; each forked process
initializes its own SDK, store and connections after the fork.

It reads the jobs as one JSON line on stdin (not argv, which other users
of the machine can read): a list of {"zohotest": url, "client_id",
"client_secret", "refresh_token", "dir", "seconds", "interval", and either
"agent": {"addr", "token"} (AgentTokenStore) or "filestore": path (the
SDK's own FileStore, the baseline)}. Once every process has initialized
its SDK it prints {"ready": [{"init_error": text or null}, …]}, waits for
a line on stdin, lets every process call GET users every interval for the
given seconds, and prints {"results": [{"ok", "failed", "unauthorized",
"errors": {text: n}, "tokens": {sha256 prefix: first seen, Unix s},
"find_ms": [latencies of the store's finds]}, …]}. No token is printed.
"""

import hashlib
import json
import multiprocessing
import sys
import time

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore

import zohosdk
from tokenstore_agent import AgentClient
from tokenstore_agent.zoho import AgentTokenStore


class TimedStore(AgentTokenStore):
    """AgentTokenStore recording how long each find takes."""

    def __init__(self, client):
        super().__init__(client)
        self.find_ms = []

    def find_token(self, token):
        t = time.perf_counter()
        try:
            return super().find_token(token)
        finally:
            self.find_ms.append((time.perf_counter() - t) * 1000)

    def find_token_by_id(self, id):
        t = time.perf_counter()
        try:
            return super().find_token_by_id(id)
        finally:
            self.find_ms.append((time.perf_counter() - t) * 1000)


def short(e):
    return f"{type(getattr(e, 'cause', None) or e).__name__}: {str(getattr(e, 'cause', None) or e)[:120]}"


def worker(job, out, go):
    """One process: initialize, report, wait for go, call, report."""
    if "agent" in job:
        store = TimedStore(AgentClient(job["agent"]["addr"], job["agent"]["token"]))
    else:
        store = FileStore(job["filestore"])
    token = OAuthToken(client_id=job["client_id"], client_secret=job["client_secret"], refresh_token=job["refresh_token"])
    init_error = None
    try:
        zohosdk.initialize(job["zohotest"], token, store, job["dir"])
    except Exception as e:  # noqa: BLE001 - reported to the parent
        init_error = short(e)
    out.send({"init_error": init_error})
    go.wait()
    res = {"ok": 0, "failed": 0, "unauthorized": 0, "errors": {}, "tokens": {}, "find_ms": []}
    end = time.monotonic() + job["seconds"]
    while time.monotonic() < end:
        t = time.monotonic()
        try:
            r = zohosdk.current_user()
            if r.get_status_code() == 200:
                res["ok"] += 1
            else:
                res["failed"] += 1
                res["unauthorized"] += r.get_status_code() == 401
            at = store._last.token[1] if "agent" in job else token.get_access_token()
            if at:
                res["tokens"].setdefault(hashlib.sha256(at.encode()).hexdigest()[:12], time.time())
        except Exception as e:  # noqa: BLE001 - counted, and the process goes on like an app
            res["failed"] += 1
            k = short(e)
            res["errors"][k] = res["errors"].get(k, 0) + 1
        time.sleep(max(0.0, job["interval"] - (time.monotonic() - t)))
    res["find_ms"] = getattr(store, "find_ms", [])
    out.send(res)


def main():
    jobs = json.loads(sys.stdin.readline())
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    procs, conns = [], []
    for job in jobs:
        r, w = ctx.Pipe(duplex=False)
        p = ctx.Process(target=worker, args=(job, w, go), daemon=True)
        p.start()
        w.close()
        procs.append(p)
        conns.append(r)
    print(json.dumps({"ready": [c.recv() for c in conns]}), flush=True)
    sys.stdin.readline()
    go.set()
    print(json.dumps({"results": [c.recv() for c in conns]}), flush=True)
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
