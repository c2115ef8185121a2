#!/usr/bin/env bash
# Runs the Lambda example locally, end to end: the fake OAuth server on a
# free loopback port, the function as a local command against the Secrets
# Manager at AWS_ENDPOINT_URL (LocalStack). Seeds a user's refresh token,
# invokes twice (the first refreshes the access token, the second reuses
# it), then stops the fake server.
set -euo pipefail
cd "$(dirname "$0")"

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to a LocalStack endpoint, e.g. http://127.0.0.1:4566}"
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}

bin=$(mktemp -d)
fake_pid=
cleanup() {
  if [[ -n $fake_pid ]]; then kill "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$bin"
}
trap cleanup EXIT

go build -o "$bin/lambda" . && go build -o "$bin/fakeoauth" ./cmd/fakeoauth
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/fakeoauth" -addr "127.0.0.1:$port" -client-id example-client -client-secret example-secret -rotate &
fake_pid=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break # any answer: it listens
  sleep 0.1
done

export TOKENSTORE_PREFIX=${TOKENSTORE_PREFIX:-tokenstore-example/run-$$/}
export OAUTH_CLIENT_ID=example-client OAUTH_CLIENT_SECRET=example-secret
export OAUTH_TOKEN_URL="http://127.0.0.1:$port/oauth/v2/token" API_URL="http://127.0.0.1:$port/api/me"

user=alice@example.com
echo "== seed $user"
"$bin/lambda" seed -user "$user" -refresh-token rt-from-consent
echo "== invoke (access token missing: refreshes)"
"$bin/lambda" invoke "{\"user\":\"$user\"}"
echo "== invoke again (access token fresh: reuses it)"
"$bin/lambda" invoke "{\"user\":\"$user\"}"
echo "== clear $TOKENSTORE_PREFIX"
"$bin/lambda" clear
