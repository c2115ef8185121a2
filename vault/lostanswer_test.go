package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// loseAnswer is a transport that, once armed, takes the next request that
// matches, lets the server apply it, runs then (another writer acting
// meanwhile) and returns a connection reset instead of the answer. The
// Vault client then resends the request, as it does after any connection
// error.
type loseAnswer struct {
	base  http.RoundTripper
	match func(*http.Request) bool
	then  func()
	armed atomic.Bool
}

func (l *loseAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	hit := l.match(r) && l.armed.CompareAndSwap(true, false)
	resp, err := l.base.RoundTrip(r)
	if !hit || err != nil {
		return resp, err
	}
	resp.Body.Close()
	if l.then != nil {
		l.then()
	}
	return nil, syscall.ECONNRESET
}

// lossyStore returns a fake KV, a store whose client resends after a
// connection error (twice, as the Vault client does by default) through
// lose, and a peer store of the same prefix on a client without faults.
func lossyStore(t *testing.T, lose *loseAnswer) (f *fakeKV, s, peer *Store) {
	t.Helper()
	f = newFakeKV(t)
	s = f.store(t, f.client(t, 2, func(rt http.RoundTripper) http.RoundTripper { lose.base = rt; return lose }))
	peer = f.store(t, f.client(t, 0, nil))
	return f, s, peer
}

func writesTo(part string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, part)
	}
}

// A save whose record write landed but whose answer was lost, and which a
// later save overwrote before the client resent it, must not put its value
// back: the resend is refused by check-and-set, and that is the save's own
// write, not a lost race. Before the fix the store re-read the record and
// merged its update again on top of the later one.
func TestLostAnswerIsNotALostRace(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		save func(base tokenstore.Token) tokenstore.Token // S's input
	}{
		{"update by ID", func(b tokenstore.Token) tokenstore.Token {
			return tokenstore.Token{ID: b.ID, AccessToken: b.AccessToken, APIDomain: "https://A"}
		}},
		{"update by user name", func(b tokenstore.Token) tokenstore.Token {
			return tokenstore.Token{UserName: b.UserName, AccessToken: b.AccessToken, APIDomain: "https://A"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base tokenstore.Token
			var peer *Store
			lose := &loseAnswer{match: writesTo("/records/")}
			lose.then = func() {
				// T: another process saves B after S's write landed, and
				// is acknowledged.
				tok := tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, APIDomain: "https://B"}
				if err := peer.SaveToken(ctx, &tok); err != nil {
					t.Errorf("T: SaveToken: %v", err)
				}
			}
			f, s, p := lossyStore(t, lose)
			peer = p
			base = tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-0"}
			if err := peer.SaveToken(ctx, &base); err != nil {
				t.Fatal(err)
			}
			lose.armed.Store(true)
			in := tt.save(base)
			if err := s.SaveToken(ctx, &in); err != nil {
				t.Fatalf("S: SaveToken: %v", err)
			}
			got, err := peer.FindTokenByID(ctx, base.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.APIDomain != "https://B" {
				t.Errorf("S landed, T wrote B, S's resend was refused: record has APIDomain %q; want %q (T's acknowledged write)",
					got.APIDomain, "https://B")
			}
			if n := f.versions(DefaultPrefix + "/records/" + base.ID); n != 3 {
				t.Errorf("record has %d versions; want 3 (insert, S, T)", n)
			}
		})
	}
}

// An index claim whose answer was lost is the saver's own: the resend's
// refused create-only write must not make the save give up on its key or
// retire its own new record.
func TestLostClaimAnswerIsOwnClaim(t *testing.T) {
	ctx := context.Background()
	lose := &loseAnswer{match: writesTo("/index/user_name/")}
	lose.armed.Store(true)
	_, s, _ := lossyStore(t, lose)
	tok := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-0"}
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	all, err := s.GetTokens(ctx)
	if err != nil || len(all) != 1 || all[0].ID != tok.ID {
		t.Fatalf("GetTokens = %d records, %v; want the one saved", len(all), err)
	}
	if got, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); err != nil || got.ID != tok.ID {
		t.Errorf("FindToken by user name: %v; want the saved record", err)
	}
}

// A tombstone write whose answer was lost is the delete's own: DeleteToken
// finishes and reports success, not ErrNotFound.
func TestLostTombstoneAnswerDeletes(t *testing.T) {
	ctx := context.Background()
	lose := &loseAnswer{match: writesTo("/records/")}
	_, s, _ := lossyStore(t, lose)
	tok := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-0"}
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	lose.armed.Store(true)
	if err := s.DeleteToken(ctx, tok.ID); err != nil {
		t.Fatalf("DeleteToken: %v; want success", err)
	}
	if _, err := s.FindTokenByID(ctx, tok.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID after delete: %v; want ErrNotFound", err)
	}
}

// When the version a lost write would have become is gone by the time the
// resend is refused (here pruned by max_versions after three later saves),
// the store cannot tell whether that write landed: it reports an error and
// does not merge again over the later saves.
func TestLostAnswerVersionGone(t *testing.T) {
	ctx := context.Background()
	var base tokenstore.Token
	var peer *Store
	lose := &loseAnswer{match: writesTo("/records/")}
	lose.then = func() {
		for i := range 3 {
			tok := tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, APIDomain: fmt.Sprintf("https://B%d", i)}
			if err := peer.SaveToken(ctx, &tok); err != nil {
				t.Errorf("T: SaveToken: %v", err)
			}
		}
	}
	f, s, p := lossyStore(t, lose)
	f.maxVersions = 2
	peer = p
	base = tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-0"}
	if err := peer.SaveToken(ctx, &base); err != nil {
		t.Fatal(err)
	}
	lose.armed.Store(true)
	in := tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, APIDomain: "https://A"}
	if err := s.SaveToken(ctx, &in); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("S: SaveToken: %v; want an error saying the outcome is unknown", err)
	}
	if got, _ := peer.FindTokenByID(ctx, base.ID); got.APIDomain != "https://B2" {
		t.Errorf("record has APIDomain %q; want %q, the last acknowledged save", got.APIDomain, "https://B2")
	}
}
