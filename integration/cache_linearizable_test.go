package integration_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// TestCacheLinearizable is the same check with a cache in front of each
// worker's store. Caches of different processes may each serve their
// last value for up to TTL, so each worker here shares one cache: one
// process with many goroutines, which must behave as one register.
func TestCacheLinearizable(t *testing.T) {
	ft := integration.NewFaultTransport(http.DefaultTransport)
	c, err := cache.New(lzAWSSMStore(t, "lzc"+randHex(5), ft), nil)
	if err != nil {
		t.Fatalf("cache.New: %v", err)
	}
	checkLinearizable(t, func(*testing.T) tokenstore.Store { return c }, ft)
}

// TestCacheSlowBackendLinearizable is the same check on memory, with each
// backend call slowed by a random pause before and after it and answers
// lost after the call was applied: the interleavings of a slow network
// without one. It found two defects in the cache (a find joining a load
// that began before a value it should see, and an entry kept beside a
// newer answer of a load that overtook a write).
func TestCacheSlowBackendLinearizable(t *testing.T) {
	l := &lossyStore{Store: slowStore{memstore.New(nil)}}
	c, err := cache.New(l, nil)
	if err != nil {
		t.Fatalf("cache.New: %v", err)
	}
	checkLinearizable(t, func(*testing.T) tokenstore.Store { return c }, l)
}

// slowStore pauses up to 3 ms before and after each save and find by ID.
type slowStore struct{ tokenstore.Store }

func pause() { time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) }

func (s slowStore) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	pause()
	defer pause()
	return s.Store.SaveToken(ctx, t)
}

func (s slowStore) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	pause()
	defer pause()
	return s.Store.FindTokenByID(ctx, id)
}
