"""Processes the client tests run: zohotest (the fake Zoho) and the agent.

Binaries come from ZOHOTEST_BIN and TOKENSTORE_AGENT_BIN (what
scripts/testenv/clients.sh builds), else they are built here with go into
a temporary directory from this repository's cmd/zohotest and
cmd/tokenstore-agent. Every process is ours: stopped by its pid.
"""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HEADER_TOKEN = "clients-test-" + secrets.token_hex(16)
# A fixed pepper: every agent of a test shares it, as a fleet's agents must.
PEPPER = "7f" * 32


class Unavailable(Exception):
    """Something a test needs cannot run here (the reason says what)."""


def _build(name, pkgdir, env_var, outdir):
    given = os.environ.get(env_var)
    if given:
        return given
    src = os.path.join(REPO, pkgdir)
    if not os.path.isdir(src):
        raise Unavailable(f"{pkgdir} is not in this checkout and {env_var} is not set")
    if not shutil.which("go"):
        raise Unavailable(f"go is not installed and {env_var} is not set")
    out = os.path.join(outdir, name)
    subprocess.run(["go", "build", "-o", out, "."], cwd=src, check=True)
    return out


class Binaries:
    def __init__(self):
        self._dir = tempfile.mkdtemp(prefix="tokenstore-clients-")
        self.zohotest = _build("zohotest", "cmd/zohotest", "ZOHOTEST_BIN", self._dir)
        self.agent = _build("tokenstore-agent", "cmd/tokenstore-agent", "TOKENSTORE_AGENT_BIN", self._dir)

    def cleanup(self):
        shutil.rmtree(self._dir, ignore_errors=True)


def _wait_line(path, proc, pred, what, timeout):
    """The first JSON line of file path for which pred holds, waiting while
    proc runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path) as f:
            for line in f:
                try:
                    doc = json.loads(line)
                except ValueError:
                    continue
                if pred(doc):
                    return doc
        if proc.poll() is not None:
            with open(path) as f:
                tail = f.read()[-2000:]
            raise RuntimeError(f"{what} exited with {proc.returncode} before it was ready:\n{tail}")
        time.sleep(0.02)
    raise RuntimeError(f"{what} not ready in {timeout} s")


def _stop(proc, timeout=10):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Zohotest:
    """A running zohotest: url (accounts server and API), control API."""

    def __init__(self, bin, workdir, *args):
        self.log = os.path.join(workdir, f"zohotest-{secrets.token_hex(4)}.out")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([bin, *args], stdout=out, stderr=subprocess.STDOUT)
        ready = _wait_line(self.log, self.proc, lambda d: "url" in d, "zohotest", 10)
        self.url, self.control = ready["url"], ready["control"]
        self.token_url = self.url + "/oauth/v2/token"

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.control + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
        return json.loads(raw) if raw else None

    def client(self, client_id, secret):
        self.call("POST", "/clients", {"client_id": client_id, "client_secret": secret})

    def refresh_token(self, client_id):
        return self.call("POST", "/refresh-tokens", {"client_id": client_id})["refresh_token"]

    def grant_code(self, client_id):
        return self.call("POST", "/grant-codes", {"client_id": client_id})["code"]

    def revoke(self, refresh_token):
        self.call("POST", "/revoke", {"refresh_token": refresh_token})

    def advance(self, duration):
        self.call("POST", "/clock", {"advance": duration})

    def stats(self):
        return self.call("GET", "/stats")

    def refresh(self, client_id, secret, refresh_token):
        """One refresh at the token endpoint, as another client would."""
        data = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": client_id,
                                       "client_secret": secret, "refresh_token": refresh_token}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.token_url, data=data), timeout=10) as res:
            return json.loads(res.read())

    def stop(self):
        _stop(self.proc)


class Agent:
    """A running tokenstore agent: addr, log (its stderr)."""

    def __init__(self, bin, workdir, store, zohotest, *extra, token=HEADER_TOKEN, ready_timeout=30):
        self.log = os.path.join(workdir, f"agent-{secrets.token_hex(4)}.log")
        env = dict(os.environ, TOKENSTORE_AGENT_TOKEN=token, TOKENSTORE_PEPPER=PEPPER)
        args = [bin, "--store", store, "--addr", "127.0.0.1:0", "--metrics-addr", "off",
                "--accounts-url", zohotest.url, "--allow-api-domain", zohotest.url, *extra]
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        ready = _wait_line(self.log, self.proc, lambda d: d.get("msg") == "ready", "tokenstore-agent", ready_timeout)
        self.addr = ready["addr"]
        self.token = token

    def stop(self):
        _stop(self.proc)

    def output(self):
        with open(self.log) as f:
            return f.read()
