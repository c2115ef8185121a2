#!/usr/bin/env bash
# Real servers for the integration tests, on loopback, on a Debian machine that
# reaches package registries but no container registry.
#
#   scripts/testenv.sh up      install, build (cached) and start what is missing
#   scripts/testenv.sh env     print export lines:  eval "$(scripts/testenv.sh env)"
#   scripts/testenv.sh status  show what runs
#   scripts/testenv.sh down    stop what up started, and only that
#
# One file per component under scripts/testenv/:
#   lib.sh         paths, logging, the state file, process control, apt
#   localstack.sh  LocalStack 4.14.0 from PyPI, run as a plain process
#   vault.sh       Vault 1.21.4 built from the Go module proxy, run in dev mode
#   docker.sh      a Docker engine (Debian's docker.io; dockerd started if none
#                  answers), so the testcontainers path of the tests runs too
#   lambda.sh      the AWS Lambda Runtime Interface Emulator (Go module proxy)
#                  and a venv with awslambdaric, for the agent's Lambda tests
#   images.sh      tokenstore/vault and tokenstore/localstack, imported without
#                  a registry (the Debian root file system comes from the
#                  mirror in this machine's apt sources, or
#                  TOKENSTORE_DEBIAN_MIRROR)
#
# Builds are cached by version under ${TOKENSTORE_CACHE:-~/.cache/tokenstore};
# pids, ports and logs of one checkout live in its .testenv/ (gitignored).
# Run as root on a fresh machine (apt-get, dockerd). Set
# TOKENSTORE_TESTENV_DOCKER=0 to skip the Docker engine and the images.
set -euo pipefail

d=$(dirname "${BASH_SOURCE[0]}")/testenv
# shellcheck source=scripts/testenv/lib.sh
. "$d/lib.sh"
# shellcheck source=scripts/testenv/localstack.sh
. "$d/localstack.sh"
# shellcheck source=scripts/testenv/vault.sh
. "$d/vault.sh"
# shellcheck source=scripts/testenv/docker.sh
. "$d/docker.sh"
# shellcheck source=scripts/testenv/images.sh
. "$d/images.sh"
# shellcheck source=scripts/testenv/lambda.sh
. "$d/lambda.sh"

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
  ensure_lambda
  if [[ ${TOKENSTORE_TESTENV_DOCKER:-1} != 0 ]]; then
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
  if [[ -n $(state_get LAMBDA_RIE) ]]; then
    printf 'export %s=%q\n' \
      TOKENSTORE_LAMBDA_RIE "$(state_get LAMBDA_RIE)" \
      TOKENSTORE_LAMBDA_PYTHON "$(state_get LAMBDA_PYTHON)"
  fi
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
  local ok=0
  status_localstack || ok=1
  status_vault || ok=1
  status_docker
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
  stop_vault
  stop_localstack
  stop_docker
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
