#!/usr/bin/env bash
# The README's one test command, also what CI runs (.ci/run):
#   1. scripts/testenv.sh up: installs and starts real LocalStack and Vault
#      servers and a Docker engine with a local Vault image (cached builds);
#      scripts/testenv/mariadb.sh up: a MariaDB server (tokenctl's imports);
#   2. with their endpoints in the environment and
#      TOKENSTORE_INTEGRATION=required (a missing server fails, not skips),
#      vets and race-tests every Go module of the repository;
#   3. stops the servers again, whatever happened (testenv.sh down).
# TOKENSTORE_TESTENV=off skips 1 and 3: integration tests then use whatever
# the environment provides, or skip.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null || {
  echo "test.sh: go is not installed" >&2
  exit 1
}

if [[ ${TOKENSTORE_TESTENV:-on} != off ]]; then
  trap 'scripts/testenv/mariadb.sh down || echo "test.sh: mariadb.sh down failed" >&2
        scripts/testenv.sh down || echo "test.sh: testenv.sh down failed" >&2' EXIT
  scripts/testenv.sh up
  eval "$(scripts/testenv.sh env)"
  scripts/testenv/mariadb.sh up # MariaDB for tokenctl's DBStore import tests
  eval "$(scripts/testenv/mariadb.sh env)"
  export TOKENSTORE_INTEGRATION=required
fi

mods=$(git ls-files '*go.mod' 2>/dev/null || true)
[[ -n $mods ]] || mods=$(find . -name go.mod -not -path './.testenv/*')

status=0
for mod in $mods; do
  dir=$(dirname "$mod")
  echo "== $dir"
  if [[ $(cd "$dir" && go list -e ./... 2>&1) == *"matched no packages"* ]]; then
    echo "(no packages yet)"
    continue
  fi
  (cd "$dir" && go vet ./... && go test -race -count=1 ./...) || status=1
done
if [[ $status -ne 0 ]]; then
  echo "test.sh: FAILED" >&2
fi
exit $status
