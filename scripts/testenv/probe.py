#!/usr/bin/env python3
"""Readiness and self-checks for scripts/testenv.sh.

  probe.py localstack-ready URL   exit 0 when LocalStack reports secretsmanager up
  probe.py localstack-check URL   create, read and delete a secret (needs boto3)
  probe.py vault-ready URL TOKEN  exit 0 when Vault is unsealed and secret/ is KV v2

Exit status 1 means "not (yet)", with the reason on stderr; never prints tokens.
"""

import json
import sys
import urllib.error
import urllib.request
import uuid


def get_json(url, token=None):
    req = urllib.request.Request(url)
    if token:
        req.add_header("X-Vault-Token", token)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def localstack_ready(url):
    health = get_json(url + "/_localstack/health")
    state = health.get("services", {}).get("secretsmanager")
    if state not in ("available", "running"):
        raise RuntimeError(f"secretsmanager is {state!r}")


def localstack_check(url):
    import boto3  # only in the LocalStack venv

    client = boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    name = f"tokenstore-testenv-check-{uuid.uuid4().hex[:12]}"
    value = uuid.uuid4().hex
    client.create_secret(Name=name, SecretString=value)
    try:
        got = client.get_secret_value(SecretId=name)["SecretString"]
        if got != value:
            raise RuntimeError("GetSecretValue returned a different value")
    finally:
        client.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def vault_ready(url, token):
    health = get_json(url + "/v1/sys/health")
    if health.get("sealed") or not health.get("initialized"):
        raise RuntimeError("vault is sealed or not initialized")
    mount = get_json(url + "/v1/sys/mounts/secret", token)
    version = (mount.get("options") or {}).get("version")
    if mount.get("type") != "kv" or version != "2":
        raise RuntimeError(f"secret/ is {mount.get('type')} version {version}")


def main():
    cmds = {
        "localstack-ready": localstack_ready,
        "localstack-check": localstack_check,
        "vault-ready": vault_ready,
    }
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit("usage: probe.py localstack-ready|localstack-check|vault-ready URL [TOKEN]")
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except (OSError, ValueError, RuntimeError, urllib.error.URLError) as e:
        print(f"probe {sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # botocore errors and the like
        print(f"probe {sys.argv[1]}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
