package cache_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestConformance runs the contract over a cache in front of memstore.
//
// The suite's "peer" store values stand for other processes sharing the
// backend, and it expects each to see the others' writes at once. Separate
// caches cannot promise that (that staleness is bounded by TTL and the
// access token's expiry, as the package doc says and the unit tests
// check), so every store value of one namespace is the same cache: many
// goroutines of one process. The backend writes of the suite's
// concurrency cases still race through the cache from 64 goroutines.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *cache.Options
	}{
		{"Defaults", nil},
		// Everything on, and so small that the cache evicts on almost
		// every load.
		{"Tight", &cache.Options{MaxEntries: 2, NotFoundTTL: time.Minute, StaleIfError: time.Minute, TTL: time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.RunConformance(t, harness(tc.opts))
		})
	}
}

func harness(opts *cache.Options) storetest.Harness {
	b := memstore.NewShared()
	var mu sync.Mutex
	caches := make(map[string]cache.Cache)
	backends := make(map[tokenstore.Store]*memstore.Store)
	return storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			mu.Lock()
			defer mu.Unlock()
			if c, ok := caches[ns]; ok {
				return c
			}
			m := memstore.New(&memstore.Options{Shared: b, Namespace: ns})
			c, err := cache.New(m, opts)
			if err != nil {
				t.Fatalf("cache.New: %v", err)
			}
			caches[ns], backends[c] = c, m
			return c
		},
		Writes: func(s tokenstore.Store) int64 {
			mu.Lock()
			defer mu.Unlock()
			return backends[s].Writes()
		},
	}
}

// plainStore is a store without UpdateToken.
type plainStore struct{ tokenstore.Store }

// TestUpdaterOnlyWhenNextIs: the cache offers read-modify-write exactly
// when the store behind it does, so a caller that needs it (refresh.New)
// finds out when it is given the cache, not at the first update.
func TestUpdaterOnlyWhenNextIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		next tokenstore.Store
		want bool
	}{
		{"memstore", memstore.New(nil), true},
		{"plain", plainStore{memstore.New(nil)}, false},
	} {
		c, err := cache.New(tc.next, nil)
		if err != nil {
			t.Fatalf("%s: cache.New: %v", tc.name, err)
		}
		if _, ok := c.(tokenstore.Updater); ok != tc.want {
			t.Errorf("%s: cache is a tokenstore.Updater: %v; want %v", tc.name, ok, tc.want)
		}
	}
}
