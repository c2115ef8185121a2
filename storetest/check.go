package storetest

import (
	"context"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// WantCoherent checks what every reader of s must see at any time, and
// after any fault: at most one record per user name, and every listed
// record found by each of its keys (driver.Keys), whole. Crash tests call
// it on a healthy store after the faulted operation. It returns the
// listed records.
func WantCoherent(t testing.TB, ctx context.Context, s tokenstore.Store) []tokenstore.Token {
	t.Helper()
	all, err := s.GetTokens(ctx)
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	users := make(map[string]string)
	for _, r := range all {
		if other, dup := users[r.UserName]; dup && r.UserName != "" {
			t.Errorf("user name held by two records: %s and %s", other, r.ID)
		}
		users[r.UserName] = r.ID
		for _, k := range driver.Keys(r) {
			got, err := s.FindToken(ctx, driver.Query(k))
			switch {
			case err != nil:
				t.Errorf("listed record %s not found by %v: %v", r.ID, k.Kind, err)
			case got.ID != r.ID:
				t.Errorf("FindToken by %v of listed record %s gave record %s", k.Kind, r.ID, got.ID)
			case !got.Equal(r):
				t.Errorf("FindToken by %v of listed record %s gave another state of it", k.Kind, r.ID)
			}
		}
	}
	return all
}

// WantFound checks that every lookup key of want finds it, whole, and
// returns what was found. A want without an ID (an insert's input) is
// compared with whatever ID the store gave it, which every key must agree
// on.
func WantFound(t testing.TB, ctx context.Context, s tokenstore.Store, want tokenstore.Token, what string) tokenstore.Token {
	t.Helper()
	var first tokenstore.Token
	for _, k := range driver.Keys(want) {
		got, err := s.FindToken(ctx, driver.Query(k))
		if err != nil {
			t.Errorf("%s: FindToken by %v: %v", what, k.Kind, err)
			continue
		}
		w := want
		if w.ID == "" {
			w.ID = got.ID
		}
		if !got.Equal(w) {
			t.Errorf("%s: FindToken by %v gave %v; want %v", what, k.Kind, got, w)
		}
		if first.ID == "" {
			first = got
		} else if got.ID != first.ID {
			t.Errorf("%s: FindToken by %v gave record %s; by another key %s", what, k.Kind, got.ID, first.ID)
		}
	}
	return first
}
