# shellcheck shell=bash
# The AWS Lambda Runtime Interface Emulator built from the Go module proxy
# (cached by version), and the Lambda function's Python: a venv with the
# runtime interface client (awslambdaric) and the real Zoho Python SDK, both
# from their locked requirements (lambda-requirements.txt and the clients'
# clients/python/requirements-test.txt; cached by their hash and the
# Python's version). The agent's Lambda tests run it as an extension under
# the emulator, beside examples/python-lambda's handler. Needs lib.sh.
#
# The emulator's module has no replace directive and builds with
# `go install` as published (checked for this pseudo-version: the project
# tags no releases on the proxy). It runs the extensions it finds in
# /opt/extensions (internal/lambda/rapid/handlers.go, doRuntimeDomainInit;
# rie.Run sets SetExtensionsFlag(true)), so the tests start it in a mount
# namespace of their own with a temporary /opt.

RIE_MODULE=github.com/aws/aws-lambda-runtime-interface-emulator
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
RIE_DIR=$CACHE/lambda-rie-$RIE_VERSION
RIE_BIN=$RIE_DIR/aws-lambda-rie
RIC_REQ=$HERE/lambda-requirements.txt
SDK_REQ=$ROOT/clients/python/requirements-test.txt

build_lambda_rie() {
  if [[ -x $RIE_BIN ]]; then return; fi
  command -v go >/dev/null || die "go is required to build the Lambda runtime interface emulator"
  local t=$SECONDS logf=$STATE/build-lambda-rie.log
  log "lambda rie $RIE_VERSION: building from the Go module proxy"
  mkdir -p "$RIE_DIR"
  run_logged "go install aws-lambda-rie" "$logf" \
    env GOBIN="$RIE_DIR/.tmp" GOFLAGS='' CGO_ENABLED=0 go install "$RIE_MODULE/cmd/aws-lambda-rie@$RIE_VERSION"
  mv "$RIE_DIR/.tmp/aws-lambda-rie" "$RIE_BIN"
  rmdir "$RIE_DIR/.tmp"
  log "lambda rie: built in $((SECONDS - t))s"
}

# lambda_venv: where the venv for the current locks and Python lives.
lambda_venv() {
  local key
  key=$({ cat "$RIC_REQ" "$SDK_REQ"; "$PY" -VV; } | sha256sum | cut -c1-12)
  printf '%s/lambda-python-%s\n' "$CACHE" "$key"
}

ensure_lambda_python() {
  RIC_VENV=$(lambda_venv)
  if [[ -f $RIC_VENV/.complete ]] && "$RIC_VENV/bin/python" -c 'import awslambdaric, zohocrmsdk' 2>/dev/null; then
    return
  fi
  local t=$SECONDS logf=$STATE/build-lambda-python.log
  log "lambda python: creating venv $RIC_VENV"
  rm -rf "$RIC_VENV"
  mkdir -p "$CACHE"
  if ! "$PY" -m venv "$RIC_VENV" >>"$logf" 2>&1; then
    rm -rf "$RIC_VENV"
    apt_install python3-venv
    "$PY" -m venv "$RIC_VENV" >>"$logf" 2>&1 || die_log "python3 -m venv failed" "$logf"
  fi
  run_logged "pip install awslambdaric zohocrmsdk8-0" "$logf" \
    "$RIC_VENV/bin/python" -m pip install --disable-pip-version-check --require-hashes -r "$RIC_REQ" -r "$SDK_REQ"
  touch "$RIC_VENV/.complete"
  log "lambda python: venv ready in $((SECONDS - t))s"
}

ensure_lambda() {
  build_lambda_rie
  ensure_lambda_python
  state_set LAMBDA_RIE "$RIE_BIN"
  state_set LAMBDA_PYTHON "$RIC_VENV/bin/python"
}
