package integration_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/internal/readmix"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// cachedHarness puts one cache in front of one store of h per
// namespace. The suite's peer stores must see each other's writes at once,
// which only a shared cache gives; separate caches are stale for up to
// their TTL (cache package doc), which the cache's unit tests cover.
func cachedHarness(h storetest.Harness) storetest.Harness {
	var mu sync.Mutex
	caches := make(map[string]cache.Cache)
	inner := make(map[tokenstore.Store]tokenstore.Store)
	out := h
	out.NewStore = func(t *testing.T, ns string) tokenstore.Store {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := caches[ns]; ok {
			return c
		}
		s := h.NewStore(t, ns)
		c, err := cache.New(s, nil)
		if err != nil {
			t.Fatalf("cache.New: %v", err)
		}
		caches[ns], inner[c] = c, s
		return c
	}
	if h.Writes != nil {
		out.Writes = func(s tokenstore.Store) int64 {
			mu.Lock()
			next := inner[s]
			mu.Unlock()
			return h.Writes(next)
		}
	}
	return out
}

func TestCacheConformanceAWSSM(t *testing.T) {
	storetest.RunConformance(t, cachedHarness(awssmHarness(t, "cached", awssm.Options{ForceDelete: true})))
}

func TestCacheConformanceVault(t *testing.T) {
	f := newKVFixture(t, vaultFrom(t, integration.Given), 2)
	storetest.RunConformance(t, cachedHarness(f.harness()))
}

// BenchmarkCacheReadMix95 runs the cache benchmarks' 95%-read workload
// (internal/readmix) against LocalStack and Vault, without and with the
// cache, and reports backend-finds/read.
//
//	go test -run '^$' -bench BenchmarkCacheReadMix95 -benchtime 20000x ./integration
func BenchmarkCacheReadMix95(b *testing.B) {
	wrap := func(next tokenstore.Store) tokenstore.Store {
		c, err := cache.New(next, nil)
		if err != nil {
			b.Fatalf("cache.New: %v", err)
		}
		return c
	}
	b.Run("LocalStack", func(b *testing.B) {
		calls := newSMCalls()
		s, err := awssm.New(smCountingClient(b, calls), &awssm.Options{
			Prefix: "tokenstore-it/" + smRunID + "/readmix/", Pepper: smPepper, ForceDelete: true,
		})
		if err != nil {
			b.Fatalf("awssm.New: %v", err)
		}
		b.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
		readmix.Bench(b, s, wrap, func() int64 { all, _ := calls.total(); return all })
	})
	b.Run("Vault", func(b *testing.B) {
		f := newKVFixture(b, vaultFrom(b, integration.Given), 2)
		s, c := f.store(b, f.opts("readmix"))
		b.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
		readmix.Bench(b, s, wrap, c.total)
	})
}
