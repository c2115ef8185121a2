#!/usr/bin/env bash
# A real PostgreSQL server on loopback for the postgres store's tests, from
# Debian's packages, run as a plain process (no service manager).
#
#   scripts/testenv/postgres.sh up      install (if missing) and start it
#   scripts/testenv/postgres.sh env     print export lines: PGHOST, PGPORT,
#                                       PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE
#   scripts/testenv/postgres.sh status  say whether it runs
#   scripts/testenv/postgres.sh down    stop what up started, and only that
#
# State (cluster, socket, port, password, log) lives in the checkout's
# .testenv/postgres/ (gitignored); the cluster is kept between runs. The
# server refuses to run as root, so under root it runs as the "postgres" user
# the Debian package creates. The superuser is reached over the Unix socket
# only (trust); the test user "tokenstore" logs in over TCP on 127.0.0.1
# with a password (scram-sha-256), owns database "tokenstore" and may create
# roles (the tests check the permissions the README lists with a role of
# their own). TOKENSTORE_POSTGRES_PORT picks the port (default: a free one).
# Installing needs root (apt-get).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
D=$ROOT/.testenv/postgres
USER_NAME=tokenstore
DB_NAME=tokenstore

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  printf 'postgres.sh: error: %s\n' "$1" >&2
  if [[ -n ${2:-} && -f $2 ]]; then tail -n 30 "$2" | sed 's/^/  | /' >&2; fi
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bindir prints the directory of the newest installed server's binaries.
bindir() {
  local d
  d=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d ]] && dirname "$d"
}

install() {
  bindir >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "the postgresql server is not installed and installing needs root"
  log "installing postgresql from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >"$D/apt.log" 2>&1 || die "apt-get update failed" "$D/apt.log"
  # Debian's postgresql-common creates a cluster and starts it as a service
  # where a service manager runs; this script uses its own cluster instead.
  apt-get install -y --no-install-recommends postgresql >>"$D/apt.log" 2>&1 ||
    die "apt-get install postgresql failed" "$D/apt.log"
  bindir >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/postgres"
}

# as_owner CMD...: run CMD as the cluster's owner: the "postgres" user under
# root (the server refuses root), else the caller.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pgctl() { as_owner "$(bindir)/pg_ctl" -D "$D/data" "$@"; }

running() { [[ -f $D/data/postmaster.pid ]] && pgctl status >/dev/null 2>&1; }

# sql ARGS...: psql as the superuser over the socket.
sql() {
  as_owner "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$D" -p "$(cat "$D/port")" -U postgres -d postgres "$@"
}

up() {
  mkdir -p "$D"
  if running; then
    log "already running (port $(cat "$D/port"))"
    return 0
  fi
  install
  local bin
  bin=$(bindir)
  if [[ $(id -u) -eq 0 ]]; then
    getent passwd postgres >/dev/null || die "no user 'postgres' to run the server as (the Debian package creates it)"
    chown postgres: "$D"
  fi
  if [[ ! -f $D/data/PG_VERSION ]]; then
    rm -rf "$D/data"
    as_owner "$bin/initdb" -D "$D/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$D/initdb.log" 2>&1 || die "initdb failed" "$D/initdb.log"
  fi
  local port=${TOKENSTORE_POSTGRES_PORT:-$(free_port)}
  echo "$port" >"$D/port"
  # -k: the socket in the state directory (Debian's default directory is
  # owned by its service); listen on loopback only; fsync off: test data.
  pgctl start -w -t 60 -l "$D/postgres.log" \
    -o "-p $port -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    >/dev/null 2>&1 || die "the server did not start within 60 s" "$D/postgres.log"
  if [[ ! -f $D/password ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '+/=' >"$D/password")
  fi
  local pw
  pw=$(cat "$D/password")
  sql -v pw="$pw" <<SQL || die "creating the test user and database failed" "$D/postgres.log"
SELECT format('CREATE ROLE %I LOGIN', '$USER_NAME')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$USER_NAME') \gexec
ALTER ROLE $USER_NAME LOGIN CREATEROLE PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$USER_NAME')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
  log "$(sql -tA -c 'SHOW server_version' | sed 's/^/PostgreSQL /') on 127.0.0.1:$port"
}

down() {
  if ! running; then
    log "not running"
    return 0
  fi
  pgctl stop -w -t 60 -m fast >/dev/null || die "the server did not stop within 60 s" "$D/postgres.log"
  log "stopped"
}

env_lines() {
  running || die "not running: run '$0 up' first"
  printf 'export %s=%q\n' \
    PGHOST 127.0.0.1 \
    PGPORT "$(cat "$D/port")" \
    PGUSER "$USER_NAME" \
    PGPASSWORD "$(cat "$D/password")" \
    PGDATABASE "$DB_NAME" \
    PGSSLMODE disable
}

case ${1:-} in
up) up ;;
down) down ;;
env) env_lines ;;
status) if running; then echo "running: port $(cat "$D/port")"; else echo "not running"; fi ;;
*)
  echo "usage: $0 up|down|env|status" >&2
  exit 2
  ;;
esac
