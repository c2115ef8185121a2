package vault

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
)

// TestRefreshWrites counts what the hourly refresh (a save by user name
// with a new access token) sends: by default one write, as on Secrets
// Manager, and the record is still found by its access token (by
// scanning); with IndexAccessTokens, the new entry and the old one's
// removal besides (issue 22, item 3).
func TestRefreshWrites(t *testing.T) {
	for _, tt := range []struct {
		byAccess                bool
		wantRequests, wantWrite int64
	}{{false, 3, 1}, {true, 6, 3}} {
		f := newFakeVault(t)
		var all, writes atomic.Int64
		c := f.client(t, func(cfg *api.Config) {
			cfg.HttpClient.Transport = writeCounter{base: allCounter{base: cfg.HttpClient.Transport, n: &all}, n: &writes}
		})
		s, err := New(c, &Options{IndexAccessTokens: tt.byAccess})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		a := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-1", RefreshToken: "secret-rt", ClientID: "1000.c", ClientSecret: "secret-cs"}
		if err := s.SaveToken(ctx, &a); err != nil {
			t.Fatal(err)
		}
		a0, w0 := all.Load(), writes.Load()
		if err := s.SaveToken(ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-2"}); err != nil {
			t.Fatal(err)
		}
		if n, w := all.Load()-a0, writes.Load()-w0; n != tt.wantRequests || w != tt.wantWrite {
			t.Errorf("IndexAccessTokens %v: the refresh sent %d requests, %d writes; want %d and %d", tt.byAccess, n, w, tt.wantRequests, tt.wantWrite)
		}
		got, err := s.FindToken(ctx, tokenstore.Token{AccessToken: "secret-at-2"})
		if err != nil || got.ID != a.ID {
			t.Errorf("IndexAccessTokens %v: FindToken by the new access token: %q, %v; want %s", tt.byAccess, got.ID, err, a.ID)
		}
	}
}

// allCounter counts every request.
type allCounter struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c allCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}
