"""The fleet: N processes of the real SDK (forked by fleet_worker.py),
and the figures."""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(jobs, workdir):
    """One process per job; wait until all initialized, let them call for
    their seconds. Returns (inits, results, seconds from go to the end)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(HERE, "..", "src"), HERE]))
    with open(os.path.join(workdir, "fleet.err"), "w") as err:
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "fleet_worker.py")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=workdir)
        try:
            p.stdin.write(json.dumps(jobs) + "\n")
            p.stdin.flush()
            inits = _line(p, err)["ready"]
            t = time.monotonic()
            p.stdin.write("go\n")
            p.stdin.flush()
            results = _line(p, err)["results"]
            took = time.monotonic() - t
            p.wait(30)
            return inits, results, took
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


def _line(p, err):
    line = p.stdout.readline()
    if not line:
        p.wait()
        with open(err.name) as f:
            raise RuntimeError(f"fleet_worker exited with {p.returncode}:\n{f.read()[-3000:]}")
    return json.loads(line)


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def report(name, fig):
    """Print the figures; append them to $TOKENSTORE_FLEET_REPORT if set."""
    line = json.dumps({"fleet": name, **fig})
    print(line)
    path = os.environ.get("TOKENSTORE_FLEET_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
