#!/usr/bin/env bash
# The full test command of the README: vet and race-test every module of the
# repository. Later stages add provisioning of real servers here.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for mod in $(git ls-files '*go.mod' 2>/dev/null || find . -name go.mod); do
  dir=$(dirname "$mod")
  echo "== $dir"
  (cd "$dir" && go vet ./... && go test -race -count=1 ./...) || status=1
done
exit $status
