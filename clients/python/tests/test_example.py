"""examples/python-lambda: its try.sh, the handler run as three cold starts
with the real SDK through the agent, as the README tells users to run it."""

import os
import subprocess
import sys

import procs


def test_python_lambda_try(bins):
    env = dict(os.environ, CLIENTS_PYTHON=sys.executable, ZOHOTEST_BIN=bins.zohotest, TOKENSTORE_AGENT_BIN=bins.agent)
    out = subprocess.run([os.path.join(procs.REPO, "examples", "python-lambda", "try.sh")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr + out.stdout
    invokes = [line for line in out.stdout.splitlines() if line.startswith("invoke ")]
    assert len(invokes) == 3 and all('"status": 200' in line and "@zohotest.example" in line for line in invokes), out.stdout
    assert "zohotest: 1 token call(s), 0 throttled, 3 API calls" in out.stdout, out.stdout
