package main

import (
	"context"
	"errors"
	"os"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/vault"
)

// The vault store: VAULT_ADDR and VAULT_TOKEN as for the vault CLI, KV v2 at
// TOKENSTORE_VAULT_MOUNT (default secret/), records below the prefix
// quickstart/, removed again when the walk-through ends.
func init() {
	stores["vault"] = func(ctx context.Context) (tokenstore.Store, func(), error) {
		if os.Getenv("VAULT_ADDR") == "" {
			return nil, nil, errors.New("store vault is not configured: set VAULT_ADDR and VAULT_TOKEN; see scripts/testenv.sh env")
		}
		s, err := vault.FromEnv(ctx, &vault.Options{Mount: os.Getenv("TOKENSTORE_VAULT_MOUNT"), Prefix: "quickstart"})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { _ = s.DeleteTokens(context.Background()) }, nil
	}
}
