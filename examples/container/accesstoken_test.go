package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// TestAccessTokenEndpoint: three replicas asked at once for an expired
// user's access token make one token endpoint call and answer the same
// token; a revoked refresh token is 409.
func TestAccessTokenEndpoint(t *testing.T) {
	zs := zohotest.NewServer(nil)
	defer zs.Close()
	zs.Client("1000.X", "secret-cs")
	backend := memstore.NewShared()
	rec := tokenstore.Token{UserName: "alice@example.com", ClientID: "1000.X", ClientSecret: "secret-cs",
		RefreshToken: zs.NewRefreshToken("1000.X"), AccessToken: "secret-at-old", Expiry: time.Now().Add(-time.Minute)}
	if err := memstore.New(&memstore.Options{Shared: backend}).SaveToken(context.Background(), &rec); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var replicas []*httptest.Server
	for range 3 {
		srv := httptest.NewServer(newHandler(memstore.New(&memstore.Options{Shared: backend}), log, zs.Endpoint(), zs.URL()))
		defer srv.Close()
		replicas = append(replicas, srv)
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[string]int{}
	)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(replicas[i%3].URL + "/users/alice@example.com/access-token")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var out struct {
				AccessToken string `json:"access_token"`
			}
			if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
				t.Errorf("status %d", resp.StatusCode)
				return
			}
			mu.Lock()
			got[out.AccessToken]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if st := zs.Stats(); st.TokenCalls != 1 || len(got) != 1 {
		t.Fatalf("%d token endpoint calls, %d distinct tokens; want 1 and 1", st.TokenCalls, len(got))
	}
	zs.Revoke(rec.RefreshToken)
	upd := tokenstore.Token{UserName: rec.UserName, AccessToken: "secret-at-x", Expiry: time.Now().Add(-time.Minute)}
	if err := memstore.New(&memstore.Options{Shared: backend}).SaveToken(context.Background(), &upd); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(replicas[0].URL + "/users/alice@example.com/access-token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("revoked refresh token: status %d; want 409", resp.StatusCode)
	}
}
