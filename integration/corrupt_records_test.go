package integration_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// corruptBackend makes stores of one backend and damages their records by
// hand, as an older version, an operator or a broken disk would.
type corruptBackend struct {
	// newStore returns a store in namespace ns; with later set, one that
	// takes every claim left behind as abandoned, where the backend repairs
	// by age.
	newStore func(t *testing.T, ns string) tokenstore.Store
	// overwrite replaces the stored record id of store s with raw bytes.
	overwrite func(t *testing.T, s tokenstore.Store, id, raw string)
}

// corruptValues are records no version of the codec reads.
var corruptValues = map[string]string{
	"garbage":        "not json at all",
	"future version": `{"v":99,"token":{"id":"x"}}`,
	"bad expiry":     `{"v":1,"token":{"id":"%ID%","access_token":"secret-x","expiry":"10000-01-01T00:00:00Z"}}`,
}

// runCorruptRecords checks that one unreadable record never makes a namespace
// unusable (doc.go, "Deadlines, uncertain outcomes and unreadable records"):
// lists and scans return the rest with an error naming the ID, finds of other
// records work, and DeleteToken and DeleteTokens always work.
func runCorruptRecords(t *testing.T, be corruptBackend) {
	for what, raw := range corruptValues {
		t.Run(strings.ReplaceAll(what, " ", "_"), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			ns := "cr" + randHex(5)
			s := be.newStore(t, ns)
			t.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
			recs := make([]tokenstore.Token, 3)
			for i := range recs {
				recs[i] = faultToken(ns, i+1)
				if err := s.SaveToken(ctx, &recs[i]); err != nil {
					t.Fatalf("SaveToken: %v", err)
				}
			}
			driver.SortByID(recs)
			// Damage the record in the middle of the ID order, so scans meet
			// it before the last one.
			bad, good := recs[1], []tokenstore.Token{recs[0], recs[2]}
			be.overwrite(t, s, bad.ID, strings.ReplaceAll(raw, "%ID%", bad.ID))

			wantCorrupt := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, tokenstore.ErrCorrupt) || !strings.Contains(err.Error(), bad.ID) {
					t.Errorf("%s: got %v; want ErrCorrupt naming %s", op, err, bad.ID)
				}
				if secretIn(err, recs...) {
					t.Errorf("%s: error shows a secret: %v", op, err)
				}
			}
			all, err := s.GetTokens(ctx)
			wantCorrupt("GetTokens", err)
			if len(all) != 2 || all[0].ID != good[0].ID || all[1].ID != good[1].ID {
				t.Errorf("GetTokens gave %d records %v; want the 2 readable ones in ID order", len(all), all)
			}
			for _, g := range good {
				storetest.WantFound(t, ctx, s, g, "readable record beside a corrupt one")
			}
			_, err = s.FindTokenByID(ctx, bad.ID)
			wantCorrupt("FindTokenByID(corrupt)", err)
			if _, err := s.FindToken(ctx, tokenstore.Token{AccessToken: "secret-at-nobody"}); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("FindToken(unknown access token): got %v; want ErrNotFound", err)
			}

			if err := s.DeleteToken(ctx, bad.ID); err != nil {
				t.Fatalf("DeleteToken(corrupt): %v", err)
			}
			if _, err := s.FindTokenByID(ctx, bad.ID); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("FindTokenByID after DeleteToken: got %v; want ErrNotFound", err)
			}
			if all, err := s.GetTokens(ctx); err != nil || len(all) != 2 {
				t.Errorf("GetTokens after DeleteToken: %d records, %v; want 2, no error", len(all), err)
			}
			// A new record for the deleted user can be saved and found, at
			// once: no wait on any clock.
			again := faultToken(ns, 2)
			if err := s.SaveToken(ctx, &again); err != nil {
				t.Fatalf("SaveToken after deleting the corrupt record: %v", err)
			}
			storetest.WantFound(t, ctx, s, again, "record saved after the corrupt one was deleted")

			be.overwrite(t, s, good[0].ID, strings.ReplaceAll(raw, "%ID%", good[0].ID))
			if err := s.DeleteTokens(ctx); err != nil {
				t.Fatalf("DeleteTokens with a corrupt record: %v", err)
			}
			if all, err := s.GetTokens(ctx); err != nil || len(all) != 0 {
				t.Errorf("GetTokens after DeleteTokens: %d records, %v; want none", len(all), err)
			}
		})
	}
}

// faultToken is a full Zoho record: every lookup key is set.
func faultToken(tag string, i int) tokenstore.Token {
	return tokenstore.Token{
		UserName:     fmt.Sprintf("user-%d-%s@example.com", i, tag),
		ClientID:     "1000.client",
		ClientSecret: "secret-cs",
		RefreshToken: fmt.Sprintf("secret-rt-%d-%s", i, tag),
		AccessToken:  fmt.Sprintf("secret-at-%d-%s", i, tag),
		GrantToken:   fmt.Sprintf("secret-gt-%d-%s", i, tag),
		Expiry:       time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		APIDomain:    "https://www.zohoapis.com",
	}
}

// secretIn reports whether err's message shows a secret of any token.
func secretIn(err error, toks ...tokenstore.Token) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, tok := range toks {
		for _, s := range []string{tok.ClientSecret, tok.RefreshToken, tok.AccessToken, tok.GrantToken, tok.UserName} {
			if s != "" && strings.Contains(msg, s) {
				return true
			}
		}
	}
	return false
}
