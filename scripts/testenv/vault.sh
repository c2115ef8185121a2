# shellcheck shell=bash
# Vault 1.21.4 built from the Go module proxy (cached by version), run as a
# dev-mode server on a free loopback port with root token "root". Needs lib.sh.

VAULT_VERSION=1.21.4
VAULT_DIR=$CACHE/vault-$VAULT_VERSION
VAULT_BIN=$VAULT_DIR/vault

build_vault() {
  if [[ -x $VAULT_BIN && -s $VAULT_DIR/vault.sha256 ]]; then return; fi
  command -v go >/dev/null || die "go is required to build vault $VAULT_VERSION"
  local t=$SECONDS logf=$STATE/build-vault.log src=$VAULT_DIR/src dir
  log "vault $VAULT_VERSION: building from the Go module proxy (cold: ~11 min on 2 cores, ~4 GB of modules)"
  mkdir -p "$VAULT_DIR"
  rm -rf "$src" "$VAULT_BIN.tmp"
  # `go install` cannot build it: its go.mod replaces api and sdk with
  # directories the module zip lacks. See patch-vault.py.
  dir=$(cd "$VAULT_DIR" && GOFLAGS='' go mod download -json "github.com/hashicorp/vault@v$VAULT_VERSION" 2>>"$logf" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n $dir && -f $dir/go.mod ]] || die_log "go mod download github.com/hashicorp/vault@v$VAULT_VERSION failed" "$logf"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  "$PY" "$HERE/patch-vault.py" "$src" >>"$logf" 2>&1 || die_log "patching vault's source failed" "$logf"
  run_logged "go build vault" "$logf" \
    env -C "$src" GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go build -o "$VAULT_BIN.tmp" .
  "$VAULT_BIN.tmp" version | grep -qF "v$VAULT_VERSION" || die "built vault does not report v$VAULT_VERSION"
  sha256sum "$VAULT_BIN.tmp" | cut -c1-64 >"$VAULT_DIR/vault.sha256"
  mv "$VAULT_BIN.tmp" "$VAULT_BIN"
  rm -rf "$src"
  log "vault $VAULT_VERSION: built in $((SECONDS - t))s"
}

start_vault() {
  local pid port url logf=$STATE/vault.log
  pid=$(state_get VAULT_PID)
  port=$(state_get VAULT_PORT)
  if alive "$pid" "$VAULT_BIN"; then
    if "$PY" "$HERE/probe.py" vault-ready "http://127.0.0.1:$port" root 2>/dev/null; then
      log "vault: already running on 127.0.0.1:$port (pid $pid)"
      return
    fi
    stop_pid vault "$pid" "$VAULT_BIN"
  fi
  port=$(free_port)
  url=http://127.0.0.1:$port
  pid=$(start_bg vault "$logf" env -u VAULT_ADDR -u VAULT_TOKEN HOME="$STATE" \
    "$VAULT_BIN" server -dev -dev-root-token-id=root \
    -dev-listen-address="127.0.0.1:$port" -dev-no-store-token)
  state_set VAULT_PID "$pid"
  state_set VAULT_PORT "$port"
  wait_ready vault "$pid" "$VAULT_BIN" "$logf" 60 "$PY" "$HERE/probe.py" vault-ready "$url" root
  log "vault $VAULT_VERSION: dev server on $url (pid $pid)"
}

# status_vault: one line; fails when it is not running.
status_vault() {
  local pid port
  pid=$(state_get VAULT_PID)
  port=$(state_get VAULT_PORT)
  if alive "$pid" "$VAULT_BIN"; then
    echo "vault: running, http://127.0.0.1:$port, pid $pid"
  else
    echo "vault: stopped"
    return 1
  fi
}

stop_vault() {
  stop_pid vault "$(state_get VAULT_PID)" "$VAULT_BIN"
  state_del VAULT_PID
  state_del VAULT_PORT
}
