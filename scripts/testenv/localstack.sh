# shellcheck shell=bash
# LocalStack 4.14.0 from PyPI, run as a plain process serving Secrets
# Manager on a free loopback port. The venv is cached, keyed by the locked
# requirements. Needs lib.sh.

LOCALSTACK_VERSION=4.14.0
LS_REQ=$HERE/localstack-requirements.txt
LS_KEY=$(sha256sum "$LS_REQ" | cut -c1-12)
LS_VENV=$CACHE/localstack-$LOCALSTACK_VERSION-$LS_KEY

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
  # GATEWAY_WORKER_COUNT=1 serves one request at a time: the moto backend
  # checks a version ID and then adds it in two steps, so two concurrent
  # PutSecretValue calls with one ClientRequestToken could both succeed,
  # where Secrets Manager takes exactly one (the compare-and-swap awssm
  # rests on). One worker makes each call atomic, as on AWS.
  pid=$(start_bg localstack "$logf" env \
    GATEWAY_LISTEN="127.0.0.1:$port" SERVICES=secretsmanager GATEWAY_WORKER_COUNT=1 \
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

# status_localstack: one line; fails when it is not running.
status_localstack() {
  local pid port
  pid=$(state_get LOCALSTACK_PID)
  port=$(state_get LOCALSTACK_PORT)
  if alive "$pid" localstack.runtime.main; then
    echo "localstack: running, http://127.0.0.1:$port, pid $pid"
  else
    echo "localstack: stopped"
    return 1
  fi
}

stop_localstack() {
  stop_pid localstack "$(state_get LOCALSTACK_PID)" localstack.runtime.main
  state_del LOCALSTACK_PID
  state_del LOCALSTACK_PORT
}
