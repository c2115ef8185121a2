package vault_test

import (
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore/internal/leaktest"
	"github.com/tokenstore-go/tokenstore/vault"
)

// TestNoSecretsInFormatting checks that the pepper shows through neither
// Options nor Store under fmt or slog.
func TestNoSecretsInFormatting(t *testing.T) {
	const pepper = "PEPPER-0123456789abcdef-0123456"
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	opts := vault.Options{Prefix: "app", Pepper: []byte(pepper)}
	s, err := vault.New(client, &opts)
	if err != nil {
		t.Fatal(err)
	}
	leaktest.NoSecrets(t, opts, []string{pepper})
	leaktest.NoSecrets(t, s, []string{pepper})
}
