#!/usr/bin/env bash
# The README's one test command, also what CI runs (.ci/run):
#   1. scripts/testenv.sh up: installs and starts real LocalStack and Vault
#      servers and a Docker engine with local images (cached builds), and
#      scripts/testenv/mariadb.sh up a MariaDB server (tokenctl's imports),
#      scripts/testenv/postgres.sh up a PostgreSQL server (the postgres store);
#   2. scripts/lint.sh: bash -n and shellcheck on every shell script;
#   3. with the servers' endpoints in the environment and
#      TOKENSTORE_INTEGRATION=required (a missing server fails, not skips),
#      vets and race-tests every Go module of the repository, then runs the
#      Zoho SDK clients' tests with the real Python and Node SDKs
#      (scripts/testenv/clients.sh: a cached venv, npm ci, pytest,
#      node --test);
#   4. stops the servers again, whatever happened (testenv.sh down);
#   5. ends with a summary (scripts/testsummary.py): counts per module, every
#      skipped test with its reason, the failures, and last the line
#      "N passed, N failed, N skipped". Under TOKENSTORE_INTEGRATION=required
#      any skip but Vault KV v1's multi-writer cases fails the run.
# TOKENSTORE_TESTENV=off skips 1 and 4: integration tests then use whatever
# the environment provides, or skip.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

command -v go >/dev/null || {
  echo "test.sh: go is not installed" >&2
  exit 1
}

tmp=$(mktemp -d)
results=$tmp/results.jsonl
servers=
stop_servers() {
  [[ -n $servers ]] || return 0
  servers=
  scripts/testenv/mariadb.sh down || echo "test.sh: mariadb.sh down failed" >&2
  scripts/testenv/postgres.sh down || echo "test.sh: postgres.sh down failed" >&2
  scripts/testenv.sh down || echo "test.sh: testenv.sh down failed" >&2
}
trap 'stop_servers; rm -rf "$tmp"' EXIT

if [[ ${TOKENSTORE_TESTENV:-on} != off ]]; then
  servers=1
  scripts/testenv.sh up
  eval "$(scripts/testenv.sh env)"
  scripts/testenv/mariadb.sh up # MariaDB for tokenctl's DBStore import tests
  eval "$(scripts/testenv/mariadb.sh env)"
  scripts/testenv/postgres.sh up # PostgreSQL for the postgres store (PG* variables)
  eval "$(scripts/testenv/postgres.sh env)"
  export TOKENSTORE_INTEGRATION=required
fi
py=${TOKENSTORE_PYTHON:-python3}
command -v "$py" >/dev/null || {
  echo "test.sh: $py is not installed (the summary needs it)" >&2
  exit 1
}
summary() { "$py" "$root/scripts/testsummary.py" "$@"; }

echo "== lint"
scripts/lint.sh || summary fail "$results" lint "scripts/lint.sh"

mods=$(git ls-files '*go.mod' 2>/dev/null || true)
[[ -n $mods ]] || mods=$(find . -name go.mod -not -path './.testenv/*')

for mod in $mods; do
  dir=$(dirname "$mod")
  echo "== $dir"
  if [[ $(cd "$dir" && go list -e ./... 2>&1) == *"matched no packages"* ]]; then
    echo "(no packages yet)"
    continue
  fi
  (cd "$dir" && go vet ./...) || summary fail "$results" "$dir" "go vet ./..."
  # Prints what plain go test prints; the results go to the summary.
  # -timeout: the integration module runs for 5 to 10 minutes on 2 cores,
  # near go test's default limit per package.
  (cd "$dir" && summary run "$results" "$dir" -- go test -race -count=1 -timeout=30m -json ./...) ||
    summary fail "$results" "$dir" "scripts/testsummary.py broke; results incomplete"
done

# The zero-allocation checks cannot run under the race detector (it
# allocates), so the race run skips them; here they run without it.
echo "== allocations (no -race)"
summary run "$results" "allocs" -- go test -count=1 -run 'AllocatesNothing$' -json ./cache ./memstore ./refresh ||
  summary fail "$results" allocs "scripts/testsummary.py broke; results incomplete"

# The Zoho SDK clients (clients/python, clients/node), counted test by test
# from their JUnit reports.
echo "== clients"
if scripts/testenv/clients.sh setup; then
  scripts/testenv/clients.sh test "$results" ||
    summary fail "$results" clients "scripts/testenv/clients.sh test broke; results incomplete"
else
  summary fail "$results" clients "scripts/testenv/clients.sh setup"
fi

stop_servers # first, so that the summary ends the output
summary report "$results"
