#!/usr/bin/env bash
# Runs the handler locally as three cold starts of the function, each a new
# process with the real Zoho Python SDK, against zohotest (the fake Zoho
# accounts server and API) through one agent on mem://, seeded with a
# user's refresh token: all three get the user's e-mail, and zohotest saw
# one token call. Needs what `scripts/testenv/clients.sh setup` makes (a
# venv with the SDK, zohotest and the agent); CLIENTS_PYTHON, ZOHOTEST_BIN
# and TOKENSTORE_AGENT_BIN override them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [[ -z ${CLIENTS_PYTHON:-} || -z ${ZOHOTEST_BIN:-} || -z ${TOKENSTORE_AGENT_BIN:-} ]]; then
  eval "$("$root/scripts/testenv/clients.sh" env)"
fi
py=$CLIENTS_PYTHON
for f in "$py" "$ZOHOTEST_BIN" "$TOKENSTORE_AGENT_BIN"; do
  [[ -x $f ]] || {
    echo "try.sh: $f is missing: run scripts/testenv/clients.sh setup" >&2
    exit 1
  }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# field FILE PYTHON-EXPR: the first JSON line of FILE that has a value for
# EXPR (of d, the line), printed; waits for it up to 10 s.
field() {
  "$py" - "$1" "$2" <<'PY'
import json, sys, time
end = time.time() + 10
while time.time() < end:
    for line in open(sys.argv[1]):
        try:
            d = json.loads(line)
            v = eval(sys.argv[2], {"d": d})
        except Exception:
            continue
        if v:
            print(v)
            sys.exit(0)
    time.sleep(0.05)
sys.exit("try.sh: no " + sys.argv[2] + " in " + sys.argv[1])
PY
}

"$ZOHOTEST_BIN" -client 1000.DEMO:demo-client-secret -refresh-tokens 1 >"$tmp/zohotest.out" 2>&1 &
pids+=($!)
zoho=$(field "$tmp/zohotest.out" 'd["url"]')
control=$(field "$tmp/zohotest.out" 'd["control"]')
refresh=$(field "$tmp/zohotest.out" 'd["clients"][0]["refresh_tokens"][0]')
echo "zohotest: $zoho"

TOKENSTORE_AGENT_TOKEN=$("$py" -c 'import secrets; print(secrets.token_hex(16))')
export TOKENSTORE_AGENT_TOKEN
"$TOKENSTORE_AGENT_BIN" --store mem:// --addr 127.0.0.1:0 --metrics-addr off \
  --accounts-url "$zoho" --allow-api-domain "$zoho" >"$tmp/agent.log" 2>&1 &
pids+=($!)
TOKENSTORE_AGENT_ADDR=$(field "$tmp/agent.log" 'd.get("msg") == "ready" and d["addr"]')
export TOKENSTORE_AGENT_ADDR
echo "agent: $TOKENSTORE_AGENT_ADDR (mem://)"

# The user's record, as `tokenctl import` or an OAuth callback would save it.
PYTHONPATH=$root/clients/python/src "$py" -c '
import sys
from tokenstore_agent import AgentClient
AgentClient().save({"user_name": "demo@example.com", "client_id": "1000.DEMO",
                    "client_secret": "demo-client-secret", "refresh_token": sys.argv[1]})' "$refresh"
echo "saved the tokens of demo@example.com"

for i in 1 2 3; do
  printf 'invoke %d (a cold start): ' "$i"
  (cd "$tmp" && ZOHO_USER=demo@example.com ZOHO_API_URL=$zoho ZOHO_ACCOUNTS_URL=$zoho/oauth/v2/token \
    PYTHONPATH=$root/clients/python/src "$py" "$here/handler.py")
done
"$py" -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/stats"))
print("zohotest: %d token call(s), %d throttled, %d API calls" % (s["token_calls"], s["throttled"], s["api_calls"]))' "$control"
