package cache_test

import (
	"context"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/internal/leaktest"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// TestNoSecretsInFormatting checks that a cache holding records and
// recently written keys shows none of their secrets through fmt or slog,
// over a store with UpdateToken (New returns a *Store) and over one
// without (New returns a Cache that forwards to one).
func TestNoSecretsInFormatting(t *testing.T) {
	ctx := context.Background()
	for name, next := range map[string]tokenstore.Store{"updater": memstore.New(nil), "plain": plainStore{memstore.New(nil)}} {
		t.Run(name, func(t *testing.T) {
			s, err := cache.New(next, nil)
			if err != nil {
				t.Fatal(err)
			}
			tok := tokenstore.Token{UserName: "ann@example.com", ClientID: "c", ClientSecret: "SECRET-cs", AccessToken: "SECRET-at", RefreshToken: "SECRET-rt"}
			if err := s.SaveToken(ctx, &tok); err != nil {
				t.Fatal(err)
			}
			if _, err := s.FindToken(ctx, tokenstore.Token{AccessToken: "SECRET-at"}); err != nil {
				t.Fatal(err)
			}
			leaktest.NoSecrets(t, s, []string{"SECRET-cs", "SECRET-at", "SECRET-rt"})
		})
	}
}
