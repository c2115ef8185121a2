package vault

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestBackendConformance runs storetest.RunBackendConformance on the fake
// Vault: the contract over the engine on the store's Backend, and the fault
// sweep with each fault at every HTTP request, so that faults land between
// the requests of one Backend method too (a refused check-and-set and the
// read of the version it names, say). On KV version 2 (with cas_required)
// it runs with the client's resends off, so that every fault reaches the
// store, and on, as users run it (a lost answer's resend is then refused
// and must be recognised as the store's own write), the latter with
// Options.IndexAccessTokens. KV version 1 runs the suite without its
// multi-writer cases (see v1Reason).
func TestBackendConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the fault sweep plays a few hundred faulted runs")
	}
	f := newFakeVault(t)
	f.mount("kv2", 2).casRequired = true
	f.mount("kv1", 1)
	for _, c := range []struct {
		name, mount string
		kv, resends int
		byAccess    bool
		skip        string
	}{
		{"KVv2", "kv2", KVv2, 0, false, ""},
		{"KVv2IndexedResend", "kv2", KVv2, 2, true, ""},
		{"KVv1", "kv1", KVv1, 0, false, v1Reason},
	} {
		t.Run(c.name, func(t *testing.T) {
			prefix := "backend-" + strings.ToLower(c.name)
			opts := func(ns string) Options {
				return Options{Mount: c.mount, KVVersion: c.kv, Prefix: prefix + "/" + ns, IndexAccessTokens: c.byAccess,
					RetryDelay: time.Millisecond, MaxRetryDelay: 20 * time.Millisecond}
			}
			newStore := func(t *testing.T, ns string, faults *storetest.Injector) *Store {
				// A healthy store keeps the client's defaults, as users run
				// it; a faulty one resends (or not) a millisecond apart.
				cl := f.client(t, func(cfg *api.Config) {
					if faults != nil {
						cfg.MaxRetries = c.resends
						cfg.MinRetryWait, cfg.MaxRetryWait = time.Millisecond, time.Millisecond
						cfg.HttpClient.Transport = faults.Transport(cfg.HttpClient.Transport)
					}
				})
				o := opts(ns)
				s, err := New(cl, &o)
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return s
			}
			storetest.RunBackendConformance(t, storetest.BackendHarness{
				NewBackend: func(t *testing.T, ns string, faults *storetest.Injector) kvstore.Backend {
					return backend{newStore(t, ns, faults)}
				},
				Options: newStore(t, "options", nil).engineOptions(opts("options")),
				Leftover: func(t *testing.T, ns, value string) []string {
					var left []string
					for _, p := range f.pathsHolding(c.mount, value) {
						if strings.HasPrefix(p, prefix+"/"+ns+"/") {
							left = append(left, p)
						}
					}
					return left
				},
				SkipConcurrency: c.skip,
			})
		})
	}
}

// A 503 is Vault's answer, wrapped, not flattened.
func TestUnavailableStaysReachable(t *testing.T) {
	f := newFakeVault(t)
	s, err := New(f.client(t, func(cfg *api.Config) { cfg.MaxRetries = 0 }), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at"}
	if err := s.SaveToken(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	f.inject(faultUnavailable, 1, isWrite, true)
	u := tokenstore.Token{ID: a.ID, AccessToken: a.AccessToken, APIDomain: "https://elsewhere"}
	err = s.SaveToken(context.Background(), &u)
	var re *api.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got %v; want a reachable *api.ResponseError with status 503", err)
	}
}
