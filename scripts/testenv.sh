#!/usr/bin/env bash
# Real servers for the integration tests, on loopback, on a Debian machine that
# reaches package registries but no container registry.
#
#   scripts/testenv.sh up      install, build (cached) and start what is missing
#   scripts/testenv.sh env     print export lines:  eval "$(scripts/testenv.sh env)"
#   scripts/testenv.sh status  show what runs
#   scripts/testenv.sh down    stop what up started, and only that
#
# What up provides:
#   - LocalStack 4.14.0 from PyPI, run as a plain process (Secrets Manager).
#   - Vault 1.21.4 built from the Go module proxy, run as a dev-mode process.
#   - A Docker engine (Debian's docker.io; dockerd is started if none answers)
#     and two images made without any registry, so the testcontainers path of
#     the tests runs too: tokenstore/vault:1.21.4 imported from the same Vault
#     binary, and tokenstore/localstack:4.14.0, a debootstrapped Debian root
#     file system with the same LocalStack venv.
#
# Builds are cached by version under ${TOKENSTORE_CACHE:-~/.cache/tokenstore};
# pids, ports and logs of one checkout live in its .testenv/ (gitignored).
# Run as root on a fresh machine (apt-get, dockerd). Set
# TOKENSTORE_TESTENV_DOCKER=0 to skip the Docker engine and the images.
set -euo pipefail

LOCALSTACK_VERSION=4.14.0
VAULT_VERSION=1.21.4
VAULT_IMAGE=tokenstore/vault:$VAULT_VERSION
LOCALSTACK_IMAGE=tokenstore/localstack:$LOCALSTACK_VERSION
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${TOKENSTORE_DEBIAN_MIRROR:-http://deb.debian.org/debian}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/scripts/testenv
CACHE=${TOKENSTORE_CACHE:-${HOME:-/root}/.cache/tokenstore}
STATE=$ROOT/.testenv
PY=${TOKENSTORE_PYTHON:-python3}
WANT_DOCKER=${TOKENSTORE_TESTENV_DOCKER:-1}

LS_REQ=$HERE/localstack-requirements.txt
LS_KEY=$(sha256sum "$LS_REQ" | cut -c1-12)
LS_VENV=$CACHE/localstack-$LOCALSTACK_VERSION-$LS_KEY
LS_IMAGE_TAR=$CACHE/localstack-image-$LOCALSTACK_VERSION-$LS_KEY-$DEBIAN_SUITE.tar
VAULT_DIR=$CACHE/vault-$VAULT_VERSION
VAULT_BIN=$VAULT_DIR/vault

log() { printf 'testenv: %s\n' "$*" >&2; }
die() {
  printf 'testenv: error: %s\n' "$*" >&2
  exit 1
}
# die_log MSG LOGFILE: fail, showing the end of the log that explains why.
die_log() {
  printf 'testenv: error: %s (full log: %s)\n' "$1" "$2" >&2
  if [[ -f $2 ]]; then tail -n 40 "$2" | sed 's/^/  | /' >&2; fi
  exit 1
}

# ---- state: KEY=value lines in $STATE/state --------------------------------

state_get() {
  [[ -f $STATE/state ]] || return 0
  sed -n "s/^$1=//p" "$STATE/state" | tail -n 1
}
state_set() {
  mkdir -p "$STATE"
  { grep -v "^$1=" "$STATE/state" 2>/dev/null || true; } >"$STATE/state.tmp"
  [[ $# -lt 2 ]] || printf '%s=%s\n' "$1" "$2" >>"$STATE/state.tmp"
  mv "$STATE/state.tmp" "$STATE/state"
}
state_del() { state_set "$1"; }

# ---- processes --------------------------------------------------------------

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# alive PID WORD: PID runs and its command line contains WORD (guards against
# a recycled pid: we only ever signal processes we recognise as ours).
alive() {
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# start_bg NAME LOG CMD...: run CMD detached in a session of its own (so a
# Ctrl-C in the caller's terminal does not reach it); print its pid.
start_bg() {
  local pidf=$STATE/$1.pid logf=$2
  shift 2
  rm -f "$pidf"
  # 8>&-: the server must not inherit (and so hold) the cache lock.
  # shellcheck disable=SC2016 # $$ and $@ are the inner shell's
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" >"$logf" 2>&1 </dev/null 8>&- &
  local i
  for i in $(seq 100); do
    [[ -s $pidf ]] && break
    sleep 0.05
  done
  [[ -s $pidf ]] || die_log "$1 did not start" "$logf"
  cat "$pidf"
}

# stop_pid NAME PID WORD: TERM the process, wait, then KILL its session.
stop_pid() {
  local name=$1 pid=$2 word=$3 i
  if ! alive "$pid" "$word"; then
    log "$name: not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 150); do
    alive "$pid" "$word" || break
    sleep 0.2
  done
  if alive "$pid" "$word"; then
    log "$name: still running after 30s, killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Children left in the session we created for it (none expected).
  kill -TERM -- "-$pid" 2>/dev/null || true
  log "$name: stopped (pid $pid)"
}

# wait_ready NAME PID WORD LOG SECONDS CHECK...: poll CHECK until it succeeds;
# fail early with the log if the process died.
wait_ready() {
  local name=$1 pid=$2 word=$3 logf=$4 secs=$5 i
  shift 5
  for ((i = 0; i < secs * 2; i++)); do
    "$@" 2>/dev/null && return 0
    alive "$pid" "$word" || die_log "$name exited during startup" "$logf"
    sleep 0.5
  done
  "$@" 2>>"$logf" || die_log "$name not ready after ${secs}s" "$logf"
}

# run_logged LABEL LOG CMD...: run a long step into LOG with a heartbeat on
# stderr, so CI shows progress; on failure show the log's tail.
run_logged() {
  local label=$1 logf=$2 start=$SECONDS pid rc
  shift 2
  "$@" >>"$logf" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$pid" 2>/dev/null && log "$label: still working ($((SECONDS - start))s)"
  done
  rc=0
  wait "$pid" || rc=$?
  [[ $rc -eq 0 ]] || die_log "$label failed (exit $rc)" "$logf"
}

need_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (apt-get, dockerd); run as root, or provide the servers yourself (see integration/README.md)"
}

# ---- packages ----------------------------------------------------------------

APT_UPDATED=
apt_install() {
  need_root "installing $*"
  local logf=$STATE/apt.log
  if [[ -z $APT_UPDATED ]]; then
    log "apt-get update"
    run_logged "apt-get update" "$logf" apt-get update
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  run_logged "apt-get install $*" "$logf" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

ensure_python() {
  command -v "$PY" >/dev/null || apt_install python3 python3-venv
  "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    die "$PY is $("$PY" -V 2>&1); LocalStack $LOCALSTACK_VERSION needs Python >= 3.10 (set TOKENSTORE_PYTHON)"
}

# ---- LocalStack -------------------------------------------------------------

ensure_localstack_venv() {
  if [[ -f $LS_VENV/.complete ]] && "$LS_VENV/bin/python" -c 'import localstack, moto' 2>/dev/null; then
    return
  fi
  local t=$SECONDS logf=$STATE/build-localstack.log
  log "localstack $LOCALSTACK_VERSION: creating venv $LS_VENV"
  rm -rf "$LS_VENV"
  mkdir -p "$CACHE"
  if ! "$PY" -m venv "$LS_VENV" >>"$logf" 2>&1; then
    # Debian's python3 ships venv/ensurepip separately.
    rm -rf "$LS_VENV"
    apt_install python3-venv
    "$PY" -m venv "$LS_VENV" >>"$logf" 2>&1 || die_log "python3 -m venv failed" "$logf"
  fi
  run_logged "pip install localstack" "$logf" \
    "$LS_VENV/bin/python" -m pip install --disable-pip-version-check --require-hashes -r "$LS_REQ"
  touch "$LS_VENV/.complete"
  log "localstack $LOCALSTACK_VERSION: venv ready in $((SECONDS - t))s"
}

start_localstack() {
  local pid port url logf=$STATE/localstack.log
  pid=$(state_get LOCALSTACK_PID)
  port=$(state_get LOCALSTACK_PORT)
  if alive "$pid" localstack.runtime.main; then
    if "$LS_VENV/bin/python" "$HERE/probe.py" localstack-ready "http://127.0.0.1:$port" 2>/dev/null; then
      log "localstack: already running on 127.0.0.1:$port (pid $pid)"
      return
    fi
    stop_pid localstack "$pid" localstack.runtime.main
  fi
  port=$(free_port)
  url=http://127.0.0.1:$port
  mkdir -p "$STATE/localstack"
  # OVERRIDE_IN_DOCKER=0 + FILESYSTEM_ROOT keep its files in .testenv even on
  # a machine that looks like a container; the other switches stop it from
  # reaching out (DNS server, certificate download, analytics).
  pid=$(start_bg localstack "$logf" env \
    GATEWAY_LISTEN="127.0.0.1:$port" SERVICES=secretsmanager \
    OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$STATE/localstack" \
    DNS_ADDRESS=0 SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 \
    "$LS_VENV/bin/python" -m localstack.runtime.main)
  state_set LOCALSTACK_PID "$pid"
  state_set LOCALSTACK_PORT "$port"
  wait_ready localstack "$pid" localstack.runtime.main "$logf" 120 \
    "$LS_VENV/bin/python" "$HERE/probe.py" localstack-ready "$url"
  "$LS_VENV/bin/python" "$HERE/probe.py" localstack-check "$url" 2>>"$logf" ||
    die_log "localstack does not serve Secrets Manager (create/get/delete failed)" "$logf"
  log "localstack $LOCALSTACK_VERSION: serving Secrets Manager on $url (pid $pid)"
}

# ---- Vault --------------------------------------------------------------------

build_vault() {
  if [[ -x $VAULT_BIN && -s $VAULT_DIR/vault.sha256 ]]; then return; fi
  command -v go >/dev/null || die "go is required to build vault $VAULT_VERSION"
  local t=$SECONDS logf=$STATE/build-vault.log src=$VAULT_DIR/src dir
  log "vault $VAULT_VERSION: building from the Go module proxy (cold: ~15 min, ~4 GB of modules)"
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

# ---- Docker engine and image -----------------------------------------------

docker_answers() { timeout 15 docker info >/dev/null 2>&1; }

ensure_docker() {
  local pid logf=$STATE/dockerd.log
  export DOCKER_HOST=${DOCKER_HOST:-$(state_get DOCKER_HOST)}
  [[ -n $DOCKER_HOST ]] || export DOCKER_HOST=unix:///var/run/docker.sock
  if docker_answers; then
    pid=$(state_get DOCKERD_PID)
    if alive "$pid" dockerd; then
      log "docker: engine started by us is running (pid $pid)"
    else
      log "docker: using the engine answering at $DOCKER_HOST"
    fi
    state_set DOCKER_HOST "$DOCKER_HOST"
    return
  fi
  [[ $DOCKER_HOST == unix:///var/run/docker.sock ]] ||
    die "no Docker engine answers at DOCKER_HOST=$DOCKER_HOST; unset it to let testenv.sh start one"
  need_root "starting dockerd"
  if ! command -v dockerd >/dev/null; then
    install_docker
  fi
  command -v docker >/dev/null || die "no docker CLI after installing docker.io"
  # No bridge and no iptables rules: containers run with host networking and
  # listen on loopback; nothing is routed off this machine.
  pid=$(start_bg dockerd "$logf" dockerd --host="$DOCKER_HOST" --bridge=none --iptables=false)
  state_set DOCKERD_PID "$pid"
  state_set DOCKER_HOST "$DOCKER_HOST"
  wait_ready dockerd "$pid" dockerd "$logf" 60 docker_answers
  log "docker: started dockerd (pid $pid) at $DOCKER_HOST"
}

install_docker() {
  local prc=/usr/sbin/policy-rc.d made=
  # Keep the package's init script from starting a daemon of its own: this
  # script starts dockerd itself, so that down stops exactly what up started.
  if [[ ! -e $prc ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$prc"
    chmod +x "$prc"
    made=1
  fi
  local t=$SECONDS rc=0
  (apt_install docker.io) || rc=$?
  [[ -z $made ]] || rm -f "$prc"
  [[ $rc -eq 0 ]] || exit "$rc"
  log "docker: installed docker.io in $((SECONDS - t))s"
}

# The image holds only /bin/vault and a world-writable /tmp. Its environment
# records the binary's checksum, so a rebuilt binary is imported again.
ensure_vault_image() {
  local sum stage have logf=$STATE/docker-import.log t=$SECONDS
  sum=$(cat "$VAULT_DIR/vault.sha256")
  have=$(image_env "$VAULT_IMAGE" TOKENSTORE_VAULT_SHA256)
  if [[ $have == "$sum" ]]; then
    log "docker: image $VAULT_IMAGE present"
    return
  fi
  stage=$VAULT_DIR/image
  rm -rf "$stage"
  mkdir -p "$stage/bin" "$stage/tmp"
  chmod 1777 "$stage/tmp"
  ln "$VAULT_BIN" "$stage/bin/vault" 2>/dev/null || cp "$VAULT_BIN" "$stage/bin/vault"
  log "docker: importing $VAULT_IMAGE"
  tar -C "$stage" --owner=0 --group=0 --numeric-owner -cf - bin tmp |
    docker import \
      --change 'ENTRYPOINT ["/bin/vault"]' \
      --change 'ENV HOME=/tmp' \
      --change "ENV TOKENSTORE_VAULT_SHA256=$sum" \
      - "$VAULT_IMAGE" >>"$logf" 2>&1 || die_log "docker import of $VAULT_IMAGE failed" "$logf"
  rm -rf "$stage"
  log "docker: imported $VAULT_IMAGE in $((SECONDS - t))s"
}

# image_env IMAGE NAME: the value of NAME in the image's environment, if any.
image_env() {
  docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1" 2>/dev/null |
    sed -n "s/^$2=//p" || true
}

# The LocalStack image: a minimal Debian root file system with python3 and a
# venv installed from the same locked requirements as the process, imported
# like the Vault image (docker build would need a base image from a registry).
ensure_localstack_image() {
  local key=$LS_KEY-$DEBIAN_SUITE logf=$STATE/docker-import.log t=$SECONDS
  if [[ $(image_env "$LOCALSTACK_IMAGE" TOKENSTORE_LOCALSTACK_KEY) == "$key" ]]; then
    log "docker: image $LOCALSTACK_IMAGE present"
    return
  fi
  [[ -s $LS_IMAGE_TAR ]] || build_localstack_rootfs
  log "docker: importing $LOCALSTACK_IMAGE"
  docker import \
    --change 'ENTRYPOINT ["/opt/localstack/bin/python", "-m", "localstack.runtime.main"]' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SERVICES=secretsmanager' \
    --change 'ENV DNS_ADDRESS=0' \
    --change 'ENV SKIP_SSL_CERT_DOWNLOAD=1' \
    --change 'ENV DISABLE_EVENTS=1' \
    --change "ENV TOKENSTORE_LOCALSTACK_KEY=$key" \
    "$LS_IMAGE_TAR" "$LOCALSTACK_IMAGE" >>"$logf" 2>&1 ||
    die_log "docker import of $LOCALSTACK_IMAGE failed" "$logf"
  log "docker: imported $LOCALSTACK_IMAGE in $((SECONDS - t))s"
}

build_localstack_rootfs() {
  local t=$SECONDS logf=$STATE/build-localstack-image.log work=$CACHE/localstack-image.build
  local rootfs=$CACHE/localstack-image.build/rootfs ca=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
  need_root "building the LocalStack image (debootstrap, chroot)"
  command -v debootstrap >/dev/null || apt_install debootstrap
  log "localstack image: debootstrap $DEBIAN_SUITE from $DEBIAN_MIRROR"
  rm -rf "$work"
  mkdir -p "$work"
  run_logged "debootstrap" "$logf" debootstrap --variant=minbase --include=python3,python3-venv \
    "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR"
  # pip in the chroot trusts what the host trusts (there may be a TLS proxy
  # whose CA only the host's bundle holds) and resolves names like the host.
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  cp "$ca" "$rootfs/etc/ssl/testenv-host-ca.crt"
  cp "$LS_REQ" "$rootfs/tmp/requirements.txt"
  log "localstack image: pip install into /opt/localstack"
  run_logged "pip install (image)" "$logf" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 PIP_CERT=/etc/ssl/testenv-host-ca.crt chroot "$rootfs" sh -c \
    'python3 -m venv /opt/localstack && /opt/localstack/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes -r /tmp/requirements.txt'
  rm -rf "$rootfs/etc/ssl/testenv-host-ca.crt" "$rootfs/tmp/requirements.txt" \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs/usr/share/doc" "$rootfs/usr/share/man"
  : >"$rootfs/etc/resolv.conf"
  tar -C "$rootfs" --numeric-owner -cf "$LS_IMAGE_TAR.tmp" . || die "tar of the LocalStack root file system failed"
  mv "$LS_IMAGE_TAR.tmp" "$LS_IMAGE_TAR"
  rm -rf "$work"
  log "localstack image: root file system built in $((SECONDS - t))s"
}

# ---- commands ---------------------------------------------------------------

cmd_up() {
  local t=$SECONDS
  mkdir -p "$STATE" "$CACHE"
  exec 8>"$CACHE/.lock"
  # One up at a time per cache, across checkouts.
  flock -w 3600 8 || die "another testenv.sh up has held $CACHE/.lock for an hour"
  ensure_python
  ensure_localstack_venv
  start_localstack
  build_vault
  start_vault
  if [[ $WANT_DOCKER != 0 ]]; then
    ensure_docker
    ensure_vault_image
    state_set VAULT_IMAGE "$VAULT_IMAGE"
    ensure_localstack_image
    state_set LOCALSTACK_IMAGE "$LOCALSTACK_IMAGE"
  else
    log "docker: skipped (TOKENSTORE_TESTENV_DOCKER=0)"
  fi
  log "up in $((SECONDS - t))s; use: eval \"\$(scripts/testenv.sh env)\""
}

cmd_env() {
  local lsport vport dh
  lsport=$(state_get LOCALSTACK_PORT)
  vport=$(state_get VAULT_PORT)
  [[ -n $lsport && -n $vport ]] || die "nothing is up; run: scripts/testenv.sh up"
  printf 'export %s=%q\n' \
    AWS_ENDPOINT_URL "http://127.0.0.1:$lsport" \
    AWS_REGION us-east-1 \
    AWS_ACCESS_KEY_ID test \
    AWS_SECRET_ACCESS_KEY test \
    VAULT_ADDR "http://127.0.0.1:$vport" \
    VAULT_TOKEN root
  dh=$(state_get DOCKER_HOST)
  if [[ -n $dh && -n $(state_get VAULT_IMAGE) && -n $(state_get LOCALSTACK_IMAGE) ]]; then
    # Locally imported images; host networking, so containers listen on
    # loopback (and testcontainers must not take a gateway address for the
    # daemon's host when the tests run inside a container); no reaper, as
    # its image cannot be pulled here: the tests terminate their containers.
    printf 'export %s=%q\n' \
      DOCKER_HOST "$dh" \
      TOKENSTORE_VAULT_IMAGE "$(state_get VAULT_IMAGE)" \
      TOKENSTORE_LOCALSTACK_IMAGE "$(state_get LOCALSTACK_IMAGE)" \
      TOKENSTORE_CONTAINER_NETWORK host \
      TESTCONTAINERS_HOST_OVERRIDE 127.0.0.1 \
      TESTCONTAINERS_RYUK_DISABLED true
  fi
}

cmd_status() {
  local pid port ok=0
  pid=$(state_get LOCALSTACK_PID)
  port=$(state_get LOCALSTACK_PORT)
  if alive "$pid" localstack.runtime.main; then
    echo "localstack: running, http://127.0.0.1:$port, pid $pid"
  else
    echo "localstack: stopped"
    ok=1
  fi
  pid=$(state_get VAULT_PID)
  port=$(state_get VAULT_PORT)
  if alive "$pid" "$VAULT_BIN"; then
    echo "vault: running, http://127.0.0.1:$port, pid $pid"
  else
    echo "vault: stopped"
    ok=1
  fi
  pid=$(state_get DOCKERD_PID)
  if alive "$pid" dockerd; then
    echo "dockerd: running (started by testenv), pid $pid"
  elif [[ -n $(state_get DOCKER_HOST) ]] && DOCKER_HOST=$(state_get DOCKER_HOST) docker_answers; then
    echo "dockerd: not ours, an engine answers at $(state_get DOCKER_HOST)"
  else
    echo "dockerd: not started by testenv"
  fi
  echo "cache: $CACHE"
  [[ -x $VAULT_BIN ]] && echo "  vault binary: $VAULT_BIN" || echo "  vault binary: not built"
  [[ -f $LS_VENV/.complete ]] && echo "  localstack venv: $LS_VENV" || echo "  localstack venv: not built"
  [[ -s $LS_IMAGE_TAR ]] && echo "  localstack root fs: $LS_IMAGE_TAR" || echo "  localstack root fs: not built"
  return $ok
}

cmd_down() {
  [[ -f $STATE/state ]] || {
    log "nothing to stop"
    return 0
  }
  stop_pid vault "$(state_get VAULT_PID)" "$VAULT_BIN"
  state_del VAULT_PID
  state_del VAULT_PORT
  stop_pid localstack "$(state_get LOCALSTACK_PID)" localstack.runtime.main
  state_del LOCALSTACK_PID
  state_del LOCALSTACK_PORT
  local pid
  pid=$(state_get DOCKERD_PID)
  if [[ -n $pid ]]; then
    stop_pid dockerd "$pid" dockerd
  fi
  state_del DOCKERD_PID
  state_del DOCKER_HOST
  state_del VAULT_IMAGE
  state_del LOCALSTACK_IMAGE
}

case ${1:-} in
up) cmd_up ;;
env) cmd_env ;;
status) cmd_status ;;
down) cmd_down ;;
*)
  echo "usage: $0 up|down|env|status" >&2
  exit 2
  ;;
esac
