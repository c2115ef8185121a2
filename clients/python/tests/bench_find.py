"""Latency of a token through the agent, as the Zoho Python SDK asks for it
before every API call: AgentTokenStore.find_token_by_id (a fresh find over
a kept-alive loopback connection) and AgentClient.access_token (GET
/v1/token), against the SDK's own FileStore.find_token_by_id (a CSV file
read in-process), on each backend that is configured.

    python tests/bench_find.py [N]     (default N=2000 per figure)

Needs what conftest.py needs (ZOHOTEST_BIN, TOKENSTORE_AGENT_BIN or go;
VAULT_ADDR, AWS_ENDPOINT_URL for those backends). Prints p50 and p99 in
microseconds. Not a test: pytest does not collect it.
"""

import os
import shutil
import sys
import tempfile
import time

sys.path[:0] = [os.path.join(os.path.dirname(__file__), "..", "src"), os.path.dirname(__file__)]

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken  # noqa: E402
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore  # noqa: E402

import procs  # noqa: E402
from tokenstore_agent import AgentClient  # noqa: E402
from tokenstore_agent.zoho import AgentTokenStore  # noqa: E402


def measure(fn, n):
    for _ in range(50):
        fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        ts.append((time.perf_counter_ns() - t) / 1000)
    ts.sort()
    return ts[len(ts) // 2], ts[int(len(ts) * 0.99)]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    backends = ["mem"] + (["vault"] if os.environ.get("VAULT_ADDR") else []) + (["awssm"] if os.environ.get("AWS_ENDPOINT_URL") else [])
    bins = procs.Binaries()
    wd = tempfile.mkdtemp(prefix="bench-find-")
    zt = procs.Zohotest(bins.zohotest, wd)
    zt.client("1000.BENCH", "bench-secret-0123456")
    try:
        for backend in backends:
            ns = "clients-bench/" + os.urandom(4).hex()
            url = {"mem": "mem://", "vault": f"vault://secret/{ns}", "awssm": f"awssm://{ns}/"}[backend]
            agent = procs.Agent(bins.agent, wd, url, zt)
            client = AgentClient(agent.addr, agent.token)
            rec = client.save({"client_id": "1000.BENCH", "client_secret": "bench-secret-0123456",
                               "refresh_token": zt.refresh_token("1000.BENCH"), "user_name": f"bench-{backend}@example.com"})
            store = AgentTokenStore(client)
            for name, fn in [("AgentTokenStore.find_token_by_id (fresh)", lambda: store.find_token_by_id(rec["id"])),
                             ("AgentClient.access_token (GET /v1/token)", lambda: client.access_token(id=rec["id"]))]:
                p50, p99 = measure(fn, n)
                print(f"{backend:5}  {name:42}  p50 {p50:7.0f} µs  p99 {p99:7.0f} µs")
            agent.stop()
        csv = os.path.join(wd, "tokens.csv")
        fs = FileStore(csv)
        t = OAuthToken(client_id="1000.BENCH", client_secret="bench-secret-0123456", refresh_token="1000.x.y",
                       access_token="1000.a.b")
        t.set_expires_in(str(int(time.time() * 1000) + 3600_000))
        fs.save_token(t)
        p50, p99 = measure(lambda: fs.find_token_by_id(t.get_id()), n)
        print(f"{'file':5}  {'FileStore.find_token_by_id (the SDK own)':42}  p50 {p50:7.0f} µs  p99 {p99:7.0f} µs")
    finally:
        zt.stop()
        bins.cleanup()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
