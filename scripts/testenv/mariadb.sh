#!/usr/bin/env bash
# A real MariaDB server on loopback for tokenctl's DBStore import tests, from
# Debian's packages, run as a plain process.
#
#   scripts/testenv/mariadb.sh up      install (if missing) and start it
#   scripts/testenv/mariadb.sh env     print: export TOKENSTORE_MYSQL_DSN=mysql://...
#   scripts/testenv/mariadb.sh status  say whether it runs
#   scripts/testenv/mariadb.sh down    stop what up started, and only that
#
# State (data, socket, pid, port, password, log) lives in the checkout's
# .testenv/mariadb/ (gitignored). The test user may create databases; each
# test makes its own. TOKENSTORE_MARIADB_PORT picks the port (default: a free
# one). Installing needs root (apt-get).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
D=$ROOT/.testenv/mariadb
USER_NAME=tokenstore

log() { printf 'mariadb.sh: %s\n' "$*" >&2; }
die() {
  printf 'mariadb.sh: error: %s\n' "$*" >&2
  if [[ -n ${2:-} && -f $2 ]]; then tail -n 30 "$2" | sed 's/^/  | /' >&2; fi
  exit 1
}

running() {
  [[ -f $D/pid ]] && kill -0 "$(cat "$D/pid")" 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

install() {
  command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "mariadb-server is not installed and installing needs root"
  log "installing mariadb-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >"$D/apt.log" 2>&1 || die "apt-get update failed" "$D/apt.log"
  apt-get install -y --no-install-recommends mariadb-server >>"$D/apt.log" 2>&1 ||
    die "apt-get install mariadb-server failed" "$D/apt.log"
}

sql() {
  mariadb --protocol=socket --socket="$D/sock" -uroot "$@"
}

up() {
  mkdir -p "$D"
  if running; then
    log "already running (pid $(cat "$D/pid"), port $(cat "$D/port"))"
    return 0
  fi
  install
  local mariadbd=/usr/sbin/mariadbd
  command -v mariadbd >/dev/null && mariadbd=$(command -v mariadbd)
  if [[ ! -d $D/data/mysql ]]; then
    rm -rf "$D/data"
    mariadb-install-db --user=root --datadir="$D/data" --auth-root-authentication-method=normal \
      >"$D/install.log" 2>&1 || die "mariadb-install-db failed" "$D/install.log"
  fi
  local port=${TOKENSTORE_MARIADB_PORT:-$(free_port)}
  echo "$port" >"$D/port"
  rm -f "$D/sock"
  "$mariadbd" --no-defaults --user=root --datadir="$D/data" --socket="$D/sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$D/pid" \
    --log-error="$D/mariadbd.log" >>"$D/mariadbd.log" 2>&1 &
  local i
  for i in $(seq 1 60); do
    if [[ -S $D/sock ]] && sql -e 'SELECT 1' >/dev/null 2>&1; then
      break
    fi
    [[ $i -eq 60 ]] && die "mariadbd did not answer within 30 s" "$D/mariadbd.log"
    sleep 0.5
  done
  if [[ ! -f $D/password ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '+/=' >"$D/password")
  fi
  local pw
  pw=$(cat "$D/password")
  sql <<SQL || die "creating the test user failed" "$D/mariadbd.log"
CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  log "MariaDB $(sql -N -e 'SELECT VERSION()') on 127.0.0.1:$port (pid $(cat "$D/pid"))"
}

down() {
  if ! running; then
    log "not running"
    rm -f "$D/pid"
    return 0
  fi
  local pid i
  pid=$(cat "$D/pid")
  kill "$pid"
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    [[ $i -eq 60 ]] && die "mariadbd (pid $pid) did not stop within 30 s"
    sleep 0.5
  done
  rm -f "$D/pid"
  log "stopped"
}

env_lines() {
  running || die "not running: run '$0 up' first"
  printf "export TOKENSTORE_MYSQL_DSN='mysql://%s:%s@127.0.0.1:%s/'\n" \
    "$USER_NAME" "$(cat "$D/password")" "$(cat "$D/port")"
}

case ${1:-} in
up) up ;;
down) down ;;
env) env_lines ;;
status) if running; then echo "running: pid $(cat "$D/pid"), port $(cat "$D/port")"; else echo "not running"; fi ;;
*)
  echo "usage: $0 up|down|env|status" >&2
  exit 2
  ;;
esac
