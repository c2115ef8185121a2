package integration_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// testCallBudget counts the HTTP requests of each operation, uncached,
// with access tokens found by scanning (the default) and indexed
// (Options.IndexAccessTokens).
func testCallBudget(t *testing.T, f *kvFixture) {
	t.Run("Scanned", func(t *testing.T) { callBudget(t, f, false) })
	t.Run("IndexAccessTokens", func(t *testing.T) { callBudget(t, f, true) })
}

func callBudget(t *testing.T, f *kvFixture, byAccess bool) {
	ns := "t" + randHex(4)
	o := f.opts(ns)
	o.IndexAccessTokens = byAccess
	s, c := f.store(t, o)
	t.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
	ctx := ctxT(t)
	a := mustSave(t, s, sample("a"))
	// on picks a budget by the way access tokens are found.
	on := func(scanned, indexed int64) int64 {
		if byAccess {
			return indexed
		}
		return scanned
	}
	measure := func(name string, max, maxWrites int64, op func() error) {
		t.Helper()
		r0, w0 := c.reads.Load(), c.writes.Load()
		if err := op(); err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
			t.Fatalf("%s: %v", name, err)
		}
		reads, writes := c.reads.Load()-r0, c.writes.Load()-w0
		t.Logf("%-45s %d requests (%d reads, %d writes)", name, reads+writes, reads, writes)
		if reads+writes > max || writes > maxWrites {
			t.Errorf("%s: %d requests, %d writes; want at most %d and %d", name, reads+writes, writes, max, maxWrites)
		}
	}
	find := func(q tokenstore.Token) func() error {
		return func() error { _, err := s.FindToken(ctx, q); return err }
	}
	const any = 99 // not budgeted by the contract; logged for the package doc
	measure("FindTokenByID", 1, 0, func() error { _, err := s.FindTokenByID(ctx, a.ID); return err })
	measure("FindToken by ID", 1, 0, find(tokenstore.Token{ID: a.ID}))
	measure("FindToken by user name", 2, 0, find(tokenstore.Token{UserName: a.UserName}))
	// Scanned: one LIST, then the records one by one (here the only one).
	measure("FindToken by access token", 2, 0, find(tokenstore.Token{AccessToken: a.AccessToken}))
	measure("FindToken by grant token", 2, 0, find(tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret}))
	measure("FindToken by refresh token", 2, 0, find(tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret}))
	measure("FindToken miss", 1, 0, find(tokenstore.Token{UserName: "nobody"}))
	measure("SaveToken by user name, same keys", 3, 1, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken, APIDomain: "https://x"})
	})
	measure("SaveToken by refresh token, same keys", 3, 1, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURL: "https://cb"})
	})
	measure("SaveToken by ID, same keys", 2, 1, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{ID: a.ID, AccessToken: a.AccessToken, Expiry: time.Now()})
	})
	// The hourly refresh: with an access-token index, the new entry is
	// claimed (on KV v1, after a read: create-only is emulated) and the old
	// one read and deleted.
	refresh := on(3, 6)
	if byAccess && f.version == 1 {
		refresh++
	}
	measure("SaveToken new access token (hourly refresh)", refresh, on(1, 3), func() error {
		return s.SaveToken(ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-next"})
	})
	measure("SaveToken insert, 4 keys", any, any, func() error {
		tok := sample("b")
		return s.SaveToken(ctx, &tok)
	})
	measure("GetTokens, 2 records", 3, 0, func() error { _, err := s.GetTokens(ctx); return err })
	measure("DeleteToken, 4 keys", any, any, func() error { return s.DeleteToken(ctx, a.ID) })
	measure("DeleteTokens, 1 record", any, any, func() error { return s.DeleteTokens(ctx) })
}

func testGetTokensParallelism(t *testing.T, f *kvFixture) {
	ns := "t" + randHex(4)
	o := f.opts(ns)
	o.ReadParallelism = 3
	s, c := f.store(t, o)
	t.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
	for i := range 12 {
		mustSave(t, s, sample(ns+"-"+string(rune('a'+i))))
	}
	r0, w0 := c.reads.Load(), c.writes.Load()
	c.peak.Store(0)
	got, err := s.GetTokens(ctxT(t))
	if err != nil || len(got) != 12 {
		t.Fatalf("GetTokens: %d records, %v; want 12", len(got), err)
	}
	if reads, writes := c.reads.Load()-r0, c.writes.Load()-w0; reads != 13 || writes != 0 {
		t.Errorf("GetTokens of 12 records: %d reads, %d writes; want 13 (one LIST, 12 GETs) and 0", reads, writes)
	}
	if p := c.peak.Load(); p > 3 {
		t.Errorf("GetTokens had %d requests in flight; want at most ReadParallelism 3", p)
	}
}
