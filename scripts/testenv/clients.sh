#!/usr/bin/env bash
# The Zoho SDK clients' tests (clients/python, clients/node): their
# environment, and running them into scripts/test.sh's summary.
#
#   scripts/testenv/clients.sh setup          make what the tests need (cached)
#   scripts/testenv/clients.sh env            print the exports the tests read
#   scripts/testenv/clients.sh test RESULTS   run pytest and node --test, recording
#                                             their results in RESULTS (testsummary.py)
#
# setup makes a venv with the real Zoho Python SDK and pytest from the locked
# clients/python/requirements-test.txt (cached under
# $TOKENSTORE_CACHE/clients-py-<hash of the lock and the Python>/), runs
# `npm ci` in clients/node (the real Node SDK, from its package-lock.json),
# and builds the two programs the tests run, zohotest (cmd/zohotest) and the
# agent (cmd/tokenstore-agent), into the checkout's .testenv/clients/bin/
# (TOKENSTORE_AGENT_BIN, if set, names an agent built elsewhere). Needs
# Python >= 3.9 and Node >= 20.
#
# The tests use the servers in the environment (VAULT_ADDR, AWS_ENDPOINT_URL:
# `scripts/testenv.sh env`); under TOKENSTORE_INTEGRATION=required a missing
# one fails instead of skipping.
set -euo pipefail
# shellcheck source=scripts/testenv/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY_REQ=$ROOT/clients/python/requirements-test.txt
BIN=$STATE/clients/bin

py_venv() {
  local key
  key=$({ cat "$PY_REQ"; "$PY" -VV; } | sha256sum | cut -c1-12)
  printf '%s/clients-py-%s\n' "$CACHE" "$key"
}

setup_python() {
  ensure_python
  local venv logf=$STATE/clients-venv.log t=$SECONDS
  venv=$(py_venv)
  if [[ -f $venv/.complete ]] && "$venv/bin/python" -c 'import zohocrmsdk, pytest' 2>/dev/null; then
    return 0
  fi
  mkdir -p "$CACHE" "$STATE"
  : >"$logf"
  log "clients: creating venv $venv (zohocrmsdk8-0, pytest)"
  rm -rf "$venv"
  if ! "$PY" -m venv "$venv" >>"$logf" 2>&1; then
    rm -rf "$venv"
    apt_install python3-venv # Debian ships venv and ensurepip separately
    "$PY" -m venv "$venv" >>"$logf" 2>&1 || die_log "python3 -m venv failed" "$logf"
  fi
  run_logged "pip install (clients)" "$logf" \
    "$venv/bin/python" -m pip install --disable-pip-version-check --require-hashes -r "$PY_REQ"
  touch "$venv/.complete"
  log "clients: venv ready in $((SECONDS - t))s"
}

setup_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "node and npm are not installed (the Node client's tests need Node >= 20)"
  fi
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    die "node is $(node --version); the Node client's tests need Node >= 20 (node --test's junit reporter)"
  local logf=$STATE/clients-npm.log t=$SECONDS
  mkdir -p "$STATE"
  : >"$logf"
  # npm ci reinstalls every time; skip it while the lock is what node_modules holds.
  if cmp -s "$ROOT/clients/node/package-lock.json" "$ROOT/clients/node/node_modules/.package-lock.json.ci" 2>/dev/null; then
    return 0
  fi
  run_logged "npm ci (clients/node)" "$logf" npm ci --prefix "$ROOT/clients/node" --no-audit --no-fund
  cp "$ROOT/clients/node/package-lock.json" "$ROOT/clients/node/node_modules/.package-lock.json.ci"
  log "clients: npm ci done in $((SECONDS - t))s"
}

setup_bins() {
  mkdir -p "$BIN"
  local logf=$STATE/clients-build.log
  : >"$logf"
  run_logged "go build zohotest" "$logf" bash -c "cd '$ROOT' && go build -o '$BIN/zohotest' ./cmd/zohotest"
  if [[ -n ${TOKENSTORE_AGENT_BIN:-} ]]; then
    return 0
  fi
  [[ -d $ROOT/cmd/tokenstore-agent ]] || die "cmd/tokenstore-agent is not in this checkout; set TOKENSTORE_AGENT_BIN"
  run_logged "go build tokenstore-agent" "$logf" bash -c "cd '$ROOT/cmd/tokenstore-agent' && go build -o '$BIN/tokenstore-agent' ."
}

print_env() {
  printf 'export CLIENTS_PYTHON=%q\n' "$(py_venv)/bin/python"
  printf 'export ZOHOTEST_BIN=%q\n' "$BIN/zohotest"
  printf 'export TOKENSTORE_AGENT_BIN=%q\n' "${TOKENSTORE_AGENT_BIN:-$BIN/tokenstore-agent}"
}

# run_tests RESULTS: each suite prints what it prints; its JUnit report goes
# to the summary, counted test by test.
run_tests() {
  local results=$1 tmp rc
  tmp=$(mktemp -d)
  eval "$(print_env)"
  export CLIENTS_PYTHON ZOHOTEST_BIN TOKENSTORE_AGENT_BIN
  echo "== clients/python"
  rc=0
  (cd "$ROOT/clients/python" && "$CLIENTS_PYTHON" -m pytest -p no:cacheprovider -q -rs --junitxml="$tmp/python.xml") || rc=$?
  "$PY" "$ROOT/scripts/testsummary.py" junit "$results" clients/python "$tmp/python.xml" "$rc"
  echo "== clients/node"
  rc=0
  (cd "$ROOT/clients/node" && node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=junit --test-reporter-destination="$tmp/node.xml" test/*.test.js) || rc=$?
  "$PY" "$ROOT/scripts/testsummary.py" junit "$results" clients/node "$tmp/node.xml" "$rc"
  rm -rf "$tmp"
}

case ${1:-} in
setup)
  setup_python
  setup_node
  setup_bins
  ;;
env) print_env ;;
test)
  [[ -n ${2:-} ]] || die "usage: clients.sh test RESULTS"
  run_tests "$2"
  ;;
*)
  sed -n '2,/^set -e/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
