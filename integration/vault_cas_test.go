package integration_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// recordWrite reports whether r writes the record path of the store with
// the given prefix.
func recordWrite(r *http.Request, prefix string) bool {
	return r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/data/"+prefix+"/records/")
}

// testCASConflictRetried makes another process update the record between a
// save's read and its write: the write is refused, the save starts over,
// and both updates survive.
func testCASConflictRetried(t *testing.T, f *kvFixture) {
	a, ca, prefix := fresh(t, f)
	b, _ := f.store(t, f.opts(strings.TrimPrefix(prefix, f.base+"/")))
	base := mustSave(t, a, sample("cas"))
	var once sync.Once
	ca.setBefore(func(r *http.Request) {
		if recordWrite(r, prefix) {
			once.Do(func() {
				mustSave(t, b, tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, RedirectURL: "https://from-b"})
			})
		}
	})
	refused := ca.casRefused.Load()
	in := tokenstore.Token{UserName: base.UserName, AccessToken: base.AccessToken, APIDomain: "https://from-a"}
	if err := a.SaveToken(ctxT(t), &in); err != nil {
		t.Fatalf("SaveToken through a conflict: %v", err)
	}
	if got := ca.casRefused.Load() - refused; got != 1 {
		t.Errorf("Vault refused %d check-and-set writes; want 1", got)
	}
	got, err := a.FindTokenByID(ctxT(t), base.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RedirectURL != "https://from-b" || got.APIDomain != "https://from-a" {
		t.Errorf("after the conflict: RedirectURL %q, APIDomain %q; want both updates", got.RedirectURL, got.APIDomain)
	}
}

// testCASConflictGivesUp: with one attempt allowed, a lost race is
// ErrConflict and the loser wrote no record.
func testCASConflictGivesUp(t *testing.T, f *kvFixture) {
	ns := "t" + randHex(4)
	o := f.opts(ns)
	o.MaxAttempts = 1
	a, ca := f.store(t, o)
	b, _ := f.store(t, f.opts(ns))
	t.Cleanup(func() { _ = b.DeleteTokens(context.Background()) })
	base := mustSave(t, b, sample("giveup"))
	ca.setBefore(func(r *http.Request) {
		if recordWrite(r, o.Prefix) {
			ca.setBefore(nil)
			mustSave(t, b, tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, RedirectURL: "https://from-b"})
		}
	})
	in := tokenstore.Token{UserName: base.UserName, AccessToken: base.AccessToken, APIDomain: "https://from-a"}
	err := a.SaveToken(ctxT(t), &in)
	if !errors.Is(err, tokenstore.ErrConflict) {
		t.Fatalf("SaveToken: got %v; want ErrConflict", err)
	}
	got, _ := b.FindTokenByID(ctxT(t), base.ID)
	if got.APIDomain == "https://from-a" || got.RedirectURL != "https://from-b" {
		t.Errorf("record after a lost race: APIDomain %q, RedirectURL %q; want only b's update", got.APIDomain, got.RedirectURL)
	}
}

// testConcurrentInsertMeets: another process inserts the same user between
// this save's miss and its index claim; the save joins that record.
func testConcurrentInsertMeets(t *testing.T, f *kvFixture) {
	a, ca, prefix := fresh(t, f)
	b, _ := f.store(t, f.opts(strings.TrimPrefix(prefix, f.base+"/")))
	tok := sample("meet")
	var once sync.Once
	ca.setBefore(func(r *http.Request) {
		if r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/index/user_name/") {
			once.Do(func() {
				mustSave(t, b, tokenstore.Token{UserName: tok.UserName, AccessToken: "secret-at-b", RedirectURL: "https://from-b"})
			})
		}
	})
	in := tok
	if err := a.SaveToken(ctxT(t), &in); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	all, err := a.GetTokens(ctxT(t))
	if err != nil || len(all) != 1 {
		t.Fatalf("GetTokens: %d records, %v; want 1", len(all), err)
	}
	if all[0].ID != in.ID || all[0].RedirectURL != "https://from-b" || all[0].AccessToken != tok.AccessToken {
		t.Errorf("record %v; want b's insert merged with a's save", all[0])
	}
}
