package memstore_test

import (
	"context"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/leaktest"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// TestNoSecretsInFormatting checks that a Shared and a Store holding a
// record show none of its secrets through fmt or slog.
func TestNoSecretsInFormatting(t *testing.T) {
	b := memstore.NewShared()
	s := memstore.New(&memstore.Options{Shared: b, Namespace: "app1"})
	tok := tokenstore.Token{UserName: "ann@example.com", ClientSecret: "SECRET-cs", AccessToken: "SECRET-at", RefreshToken: "SECRET-rt"}
	if err := s.SaveToken(context.Background(), &tok); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"SECRET-cs", "SECRET-at", "SECRET-rt"}
	leaktest.NoSecrets(t, b, secrets)
	leaktest.NoSecrets(t, s, secrets)
}
