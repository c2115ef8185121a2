# shellcheck shell=bash
# Shared by scripts/testenv.sh, its components and scripts/lint.sh: where
# things live, logging, the state file, process control and apt.
#
# Builds are cached by version under ${TOKENSTORE_CACHE:-~/.cache/tokenstore};
# pids, ports and logs of one checkout live in its .testenv/ (gitignored).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck disable=SC2034 # used by the files that source this one
CACHE=${TOKENSTORE_CACHE:-${HOME:-/root}/.cache/tokenstore}
STATE=$ROOT/.testenv
PY=${TOKENSTORE_PYTHON:-python3}

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

# ---- packages ----------------------------------------------------------------

need_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (apt-get, dockerd); run as root, or provide the servers yourself (see integration/README.md)"
}

# apt_install PKG...: install from the machine's own apt sources, updating
# the package lists once per run first.
APT_UPDATED=
apt_install() {
  need_root "installing $*"
  mkdir -p "$STATE"
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
    die "$PY is $("$PY" -V 2>&1); LocalStack needs Python >= 3.10 (set TOKENSTORE_PYTHON)"
}
