# shellcheck shell=bash
# A Docker engine for the testcontainers path of the tests: whatever engine
# answers, else Debian's docker.io with a dockerd started (and later stopped)
# by this checkout, without bridge or iptables rules. Needs lib.sh.

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

# image_env IMAGE NAME: the value of NAME in the image's environment, if any.
image_env() {
  docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1" 2>/dev/null |
    sed -n "s/^$2=//p" || true
}

status_docker() {
  local pid dh
  pid=$(state_get DOCKERD_PID)
  dh=$(state_get DOCKER_HOST)
  if alive "$pid" dockerd; then
    echo "dockerd: running (started by testenv), pid $pid"
  elif [[ -n $dh ]] && DOCKER_HOST=$dh docker_answers; then
    echo "dockerd: not ours, an engine answers at $dh"
  else
    echo "dockerd: not started by testenv"
  fi
}

# stop_docker stops dockerd only if this checkout's up started it: an engine
# that already answered is recorded as DOCKER_HOST without a DOCKERD_PID.
stop_docker() {
  local pid
  pid=$(state_get DOCKERD_PID)
  if [[ -n $pid ]]; then
    stop_pid dockerd "$pid" dockerd
  fi
  state_del DOCKERD_PID
  state_del DOCKER_HOST
}
