#!/usr/bin/env python3
"""Make a copy of the github.com/hashicorp/vault module buildable on its own.

Usage: patch-vault.py DIR

The module's go.mod replaces api and sdk with ./api and ./sdk, which the
module zip does not contain. Dropping those replaces selects the published
api v1.22.0 and sdk v0.21.0 that go.mod already requires; the tree's
unpublished sdk differs from sdk v0.21.0 in three call sites, adapted here.

Every edit must match exactly as often as expected, or the script fails and
names the edit: a silent no-op would only show up as a compile error much
later, or not at all.
"""

import pathlib
import re
import sys


def fail(msg):
    sys.exit(f"patch-vault: {msg}")


def replace_once(root, rel, old, new):
    path = root / rel
    if not path.is_file():
        fail(f"{rel}: file not found")
    text = path.read_text()
    n = text.count(old)
    if n != 1:
        fail(f"{rel}: expected 1 occurrence of {old!r}, found {n}")
    path.write_text(text.replace(old, new))


def drop_replaces(root):
    path = root / "go.mod"
    if not path.is_file():
        fail("go.mod: file not found")
    pattern = re.compile(
        r"^replace github\.com/hashicorp/vault/"
        r"(api|api/auth/approle|api/auth/kubernetes|api/auth/userpass|sdk)"
        r" => \./\S+\n",
        re.M,
    )
    text, n = pattern.subn("", path.read_text())
    if n != 5:
        fail(f"go.mod: expected 5 local replace lines for api and sdk, found {n}")
    path.write_text(text)


def main():
    if len(sys.argv) != 2:
        fail("usage: patch-vault.py DIR")
    root = pathlib.Path(sys.argv[1])
    drop_replaces(root)
    # sdk v0.21.0: framework.Backend.ActivationFunc takes a third string argument.
    replace_once(
        root,
        "vault/identity_store.go",
        "ActivationFunc: iStore.activateDeduplication,",
        "ActivationFunc: func(ctx context.Context, req *logical.Request, _ string) error {\n"
        "\t\t\treturn iStore.activateDeduplication(ctx, req)\n"
        "\t\t},",
    )
    replace_once(
        root,
        "vault/logical_system_activation_flags.go",
        "b.idStoreBackend.ActivationFunc(ctx, nil)",
        'b.idStoreBackend.ActivationFunc(ctx, nil, "")',
    )
    # sdk v0.21.0: keysutil.LockManager.RestorePolicy returns only an error;
    # the restored name is only reported to observations, so use the request's.
    replace_once(
        root,
        "builtin/logical/transit/path_restore.go",
        "restoredKeyName, err := b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)",
        "restoredKeyName := keyName\n"
        "\terr := b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)",
    )


if __name__ == "__main__":
    main()
