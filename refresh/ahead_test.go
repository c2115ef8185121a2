package refresh_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/refresh"
)

// TestRefreshAhead: within RefreshAhead of the skew, Current returns the
// still-valid token at once and one background refresh replaces it.
func TestRefreshAhead(t *testing.T) {
	f := newFleet(t, nil)
	src := f.source(t, refresh.Options{Skew: time.Minute, RefreshAhead: 10 * time.Minute})
	first, err := src.Current(ctxT(t)) // the stored token has expired: refresh now
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(55 * time.Minute) // 5 minutes left: inside the ahead window
	got, err := src.Current(ctxT(t))
	if err != nil || got.AccessToken != first.AccessToken {
		t.Fatalf("Current in the ahead window: %v; want the current token at once", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		stored, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
		if stored.AccessToken != first.AccessToken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no background refresh replaced the token")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := f.srv.Stats().Refreshes; n != 2 {
		t.Fatalf("%d refreshes; want 2 (the first, and one ahead)", n)
	}
}

// countingStore counts the finds that reach the backend.
type countingStore struct {
	*memstore.Store
	finds atomic.Int64
}

func (c *countingStore) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	c.finds.Add(1)
	return c.Store.FindToken(ctx, q)
}

func (c *countingStore) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	c.finds.Add(1)
	return c.Store.FindTokenByID(ctx, id)
}

// cachedSource is a Source over a cache in front of a counting backend
// holding a refreshed record.
func cachedSource(tb testing.TB, f *fleet) (*refresh.Source, *countingStore) {
	backend := &countingStore{Store: f.store().(*memstore.Store)}
	c, err := cache.New(backend, &cache.Options{Now: f.clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	src := f.sourceFor(tb, c, f.rec.UserName, refresh.Options{})
	if _, err := src.Current(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return src, backend
}

// TestCachedValidTokenNoBackendCall: with a cache in front of the store,
// a valid token costs no backend call.
func TestCachedValidTokenNoBackendCall(t *testing.T) {
	f := newFleet(t, nil)
	src, backend := cachedSource(t, f)
	_, _ = src.Current(ctxT(t)) // fills the cache
	before := backend.finds.Load()
	for range 100 {
		if _, err := src.Current(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n := backend.finds.Load() - before; n != 0 {
		t.Fatalf("100 Current calls with a valid cached token made %d backend finds; want 0", n)
	}
}

// BenchmarkCurrentCached: the cost of a valid token through the cache.
func BenchmarkCurrentCached(b *testing.B) {
	f := newFleet(b, nil)
	src, _ := cachedSource(b, f)
	ctx := context.Background()
	_, _ = src.Current(ctx)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Current(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReusesLastToken: a Source hands out the token it last returned
// while it is valid, with no store call, as oauth2.ReuseTokenSource does.
func TestReusesLastToken(t *testing.T) {
	f := newFleet(t, nil)
	backend := &countingStore{Store: f.store().(*memstore.Store)}
	src := f.sourceFor(t, backend, f.rec.UserName, refresh.Options{})
	first, err := src.Current(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	before := backend.finds.Load()
	for range 100 {
		if got, err := src.Current(ctxT(t)); err != nil || got.AccessToken != first.AccessToken {
			t.Fatalf("Current: %v; want the same token", err)
		}
	}
	if n := backend.finds.Load() - before; n != 0 {
		t.Fatalf("100 calls made %d store finds; want 0", n)
	}
	f.clock.Advance(time.Hour) // expired: the store is asked again
	if _, err := src.Current(ctxT(t)); err != nil || backend.finds.Load() == before {
		t.Fatalf("after expiry: %v, finds %d; want a store read and a refresh", err, backend.finds.Load()-before)
	}
}
