#!/usr/bin/env bash
# Checks every script CI runs: bash -n and shellcheck on the shell scripts
# (shellcheck is installed from the machine's Debian packages when missing,
# which needs root), and a syntax check of the Python helpers.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/testenv/lib.sh
. scripts/testenv/lib.sh

mapfile -t sh < <(git ls-files '*.sh' .ci/run 2>/dev/null || true)
[[ ${#sh[@]} -gt 0 ]] || sh=(.ci/run scripts/*.sh scripts/testenv/*.sh)
mapfile -t py < <(git ls-files 'scripts/*.py' 2>/dev/null || true)
[[ ${#py[@]} -gt 0 ]] || py=(scripts/*.py scripts/testenv/*.py)

for f in "${sh[@]}"; do bash -n "$f"; done
command -v shellcheck >/dev/null || apt_install shellcheck
# -x follows the files the scripts source.
shellcheck -x "${sh[@]}"
"$PY" -c 'import sys
for f in sys.argv[1:]:
    with open(f) as src:
        compile(src.read(), f, "exec")' "${py[@]}"
echo "lint: ${#sh[@]} shell scripts (bash -n, shellcheck $(shellcheck --version | sed -n 's/^version: //p')), ${#py[@]} Python scripts: clean"
