package cache

import (
	"context"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// TestFindAfterSaveJoinsNoOlderLoad: a load is in flight with the old
// record, a save through the cache completes, then a find for the same
// key starts. That find began after the save returned, so it must see the
// saved record: it may not join the load that read before the save
// (found by the linearizability check in the integration module).
func TestFindAfterSaveJoinsNoOlderLoad(t *testing.T) {
	c := newClock()
	for i, name := range []string{"id", "user_name", "access_token", "grant_token", "refresh_token"} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			a := seed(t, f, tok(c, 0))
			s := newCache(t, f, c, nil)
			g := hold(f, findOps...)
			q := queries(a)[i]
			first := async(func() { _, _ = s.FindToken(context.Background(), q) })
			<-g.reached

			// Same keys, a new API domain, and an access token too close
			// to expiry to cache: the next find must go to the backend.
			upd := tokenstore.Token{ID: a.ID, AccessToken: a.AccessToken, APIDomain: "https://saved.example",
				Expiry: c.Now().Add(time.Second)}
			if err := s.SaveToken(context.Background(), &upd); err != nil {
				t.Fatalf("SaveToken: %v", err)
			}
			var got tokenstore.Token
			var err error
			second := async(func() { got, err = s.FindToken(context.Background(), q) })
			select {
			case <-second:
			case <-time.After(2 * time.Second):
				close(g.release)
				<-second
				t.Fatalf("a find that started after the save waited for the load that started before it")
			}
			close(g.release)
			<-first
			if err != nil || got.APIDomain != upd.APIDomain {
				t.Fatalf("find after the save: got %v, %v; want the saved record (APIDomain %q)", got, err, upd.APIDomain)
			}
		})
	}
}

// TestLoadOfPendingWriteDropsOlderEntry: a save is in flight and has
// reached the backend; a find by the new access token loads its record
// and shows the new value. A find by ID must not then answer with the
// entry cached before the save began: a caller would see the new value
// and then the old one (found by the linearizability check).
func TestLoadOfPendingWriteDropsOlderEntry(t *testing.T) {
	c := newClock()
	f := newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	old := tokenstore.Token{ID: a.ID, AccessToken: "secret-at-old", Expiry: c.Now().Add(time.Hour)}
	if err := s.SaveToken(context.Background(), &old); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	mustFind(t, s, tokenstore.Token{ID: a.ID}) // cached

	g := hold(f, opSave)
	upd := tokenstore.Token{ID: a.ID, AccessToken: "secret-at-new", Expiry: c.Now().Add(time.Hour)}
	done := async(func() { _ = s.SaveToken(context.Background(), &upd) })
	<-g.reached
	defer func() { close(g.release); <-done }()

	if got := mustFind(t, s, tokenstore.Token{AccessToken: upd.AccessToken}); got.AccessToken != upd.AccessToken {
		t.Fatalf("find by the new access token: got %v; want the saved record", got)
	}
	if got := mustFind(t, s, tokenstore.Token{ID: a.ID}); got.AccessToken != upd.AccessToken {
		t.Fatalf("find by ID after the new value was seen: got the old access token; want the new one")
	}
}
