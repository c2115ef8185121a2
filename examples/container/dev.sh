#!/usr/bin/env bash
# Runs the container example against a Vault dev server, as README.md shows:
# policy, AppRole, the service (go run), and a few requests.
#
#   VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=root examples/container/dev.sh
#
# Needs the vault CLI and curl. Uses KV v2 at secret/, prefix tokenstore-dev,
# and the service on LISTEN_ADDR (default 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${VAULT_ADDR:?set VAULT_ADDR to the dev server}" "${VAULT_TOKEN:?set VAULT_TOKEN to its root token}"
LISTEN_ADDR=${LISTEN_ADDR:-127.0.0.1:8080}
export TOKENSTORE_PREFIX=tokenstore-dev

# 1. The policy: the store's prefix (vault.Policy returns it), and renewing its own token.
vault policy write tokenstore-container - <<'HCL'
path "secret/data/tokenstore-dev/*" {
  capabilities = ["create", "read", "update"]
}
path "secret/metadata/tokenstore-dev/*" {
  capabilities = ["list", "delete"]
}
path "secret/destroy/tokenstore-dev/*" {
  capabilities = ["update"]
}
# For api.LifetimeWatcher: the token renews itself (the default policy,
# which this role's tokens do not get, would grant this).
path "auth/token/renew-self" {
  capabilities = ["update"]
}
HCL

# 2. An AppRole whose tokens hold only that policy.
vault read sys/auth/approle >/dev/null 2>&1 || vault auth enable approle
vault write auth/approle/role/tokenstore-container \
  token_policies=tokenstore-container token_no_default_policy=true \
  token_ttl=1h token_max_ttl=4h secret_id_ttl=24h
VAULT_ROLE_ID=$(vault read -field=role_id auth/approle/role/tokenstore-container/role-id)
VAULT_SECRET_ID=$(vault write -f -field=secret_id auth/approle/role/tokenstore-container/secret-id)
export VAULT_ROLE_ID VAULT_SECRET_ID

# 3. The service, logged in with AppRole only.
go build -o /tmp/tokenstore-container ./examples/container
env -u VAULT_TOKEN LISTEN_ADDR="$LISTEN_ADDR" /tmp/tokenstore-container &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs "http://$LISTEN_ADDR/readyz" && break
  sleep 0.2
done

# 4. Use it.
base=http://$LISTEN_ADDR/users/ann%40example.com/token
set -x
curl -fsS -X PUT "$base" -d '{"client_id":"1000.DEV","client_secret":"cs","refresh_token":"rt-1","access_token":"at-1","expiry":"2030-01-01T00:00:00Z"}'
curl -fsS -X PUT "$base" -d '{"access_token":"at-2"}'
curl -fsS "$base"
curl -fsS "http://$LISTEN_ADDR/users"
curl -fsS -X DELETE "$base" -o /dev/null -w '%{http_code}\n'
