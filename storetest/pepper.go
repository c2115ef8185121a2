package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// PepperFunc makes a store with the given pepper (its Options.Pepper), or
// returns New's error. Every store it makes for one RunPepper call works
// in the same namespace, which only that call uses.
type PepperFunc func(t *testing.T, pepper []byte) (tokenstore.Store, error)

// RunPepper checks how a store that names its index entries with a pepper
// (driver.Digest) takes it from its New: a pepper shorter than
// driver.MinPepperLen is an error, an empty one means none, and the store
// keeps a copy, so that a caller that wipes or reuses its buffer after New
// changes no name: lookups still find the record and saves still merge
// into it instead of inserting a second one.
func RunPepper(t *testing.T, newStore PepperFunc) {
	t.Helper()
	t.Run("Length", func(t *testing.T) {
		for _, n := range []int{1, driver.MinPepperLen - 1} {
			p := []byte(strings.Repeat("Q", n))
			if _, err := newStore(t, p); err == nil {
				t.Fatalf("New with a pepper of %d bytes: no error; want one", n)
			} else if strings.Contains(err.Error(), string(p)) {
				t.Fatalf("New's error %q shows the pepper", err)
			}
		}
		for _, p := range [][]byte{nil, {}, []byte(strings.Repeat("Q", driver.MinPepperLen))} {
			if _, err := newStore(t, p); err != nil {
				t.Fatalf("New with a pepper of %d bytes: %v; want success", len(p), err)
			}
		}
	})
	t.Run("CallerBufferChanged", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pepper := []byte("storetest pepper, 32 bytes long.")
		s, err := newStore(t, pepper)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		t.Cleanup(func() {
			if err := s.DeleteTokens(context.Background()); err != nil {
				t.Errorf("cleanup: DeleteTokens: %v", err)
			}
		})
		tag := randHex(4)
		a := tokenstore.Token{UserName: "pepper-" + tag + "@example.com", ClientID: "1000.client-" + tag,
			ClientSecret: "secret-cs-" + tag, RefreshToken: "secret-rt-" + tag,
			AccessToken: "secret-at-" + tag, GrantToken: "secret-gt-" + tag}
		if err := s.SaveToken(ctx, &a); err != nil {
			t.Fatalf("SaveToken: %v", err)
		}
		copy(pepper, "another pepper in a reused buf.") // the caller reuses its buffer
		for _, q := range queries(a) {
			got, err := s.FindToken(ctx, q)
			if err != nil || got.ID != a.ID {
				t.Fatalf("FindToken(%v) after the caller changed its pepper buffer: %v, %v; want record %s", q, got, err, a.ID)
			}
		}
		upd := tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-new-" + tag}
		if err := s.SaveToken(ctx, &upd); err != nil || upd.ID != a.ID {
			t.Fatalf("SaveToken by user name after the caller changed its pepper buffer: ID %s, %v; want a merge into %s", upd.ID, err, a.ID)
		}
		all, err := s.GetTokens(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("GetTokens: %d records, %v; want 1", len(all), err)
		}
		// A store given the pepper as it was at New finds the record too:
		// the names did not move.
		same, err := newStore(t, []byte("storetest pepper, 32 bytes long."))
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if got, err := same.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); err != nil || got.ID != a.ID {
			t.Fatalf("FindToken by user name in a store with the original pepper: %v, %v; want record %s", got, err, a.ID)
		}
	})
}
