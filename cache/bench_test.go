package cache_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/internal/cputime"
	"github.com/tokenstore-go/tokenstore/internal/readmix"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// The benchmarks behind BENCHMARKS.md; the command that produced its
// figures is written there.

// benchTokens saves n records in s and returns them as stored.
func benchTokens(b *testing.B, s tokenstore.Store, n int) []tokenstore.Token {
	b.Helper()
	toks, err := readmix.Seed(context.Background(), s, n)
	if err != nil {
		b.Fatalf("SaveToken: %v", err)
	}
	return toks
}

func newBenchCache(b *testing.B, next tokenstore.Store) cache.Cache {
	b.Helper()
	c, err := cache.New(next, nil)
	if err != nil {
		b.Fatalf("cache.New: %v", err)
	}
	return c
}

// BenchmarkHit measures a find answered from memory, per lookup rule. It
// reports cpu-ns/op too: on a shared machine wall time includes the time
// the benchmark was not running at all.
func BenchmarkHit(b *testing.B) {
	ctx := context.Background()
	c := newBenchCache(b, memstore.New(nil))
	t := benchTokens(b, c, 1)[0]
	b.Run("FindTokenByID", func(b *testing.B) {
		measureCPU(b, func() {
			for range b.N {
				if _, err := c.FindTokenByID(ctx, t.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	for _, q := range []struct {
		name string
		q    tokenstore.Token
	}{
		{"FindToken/id", tokenstore.Token{ID: t.ID}},
		{"FindToken/user_name", tokenstore.Token{UserName: t.UserName}},
		{"FindToken/access_token", tokenstore.Token{AccessToken: t.AccessToken}},
		{"FindToken/refresh_token", tokenstore.Token{RefreshToken: t.RefreshToken, ClientID: t.ClientID, ClientSecret: t.ClientSecret}},
	} {
		b.Run(q.name, func(b *testing.B) {
			measureCPU(b, func() {
				for range b.N {
					if _, err := c.FindToken(ctx, q.q); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkHitParallel measures hits from every core at once: spread over
// 256 records (the usual case) and all on one record (the worst). Run with
// -cpu 1,2,... to see the scaling. Besides wall time per hit it reports
// cpu-ns/op, the CPU time the process spent per hit: if hits contended,
// it would grow with the cores.
func BenchmarkHitParallel(b *testing.B) {
	ctx := context.Background()
	c := newBenchCache(b, memstore.New(nil))
	toks := benchTokens(b, c, 256)
	b.Run("256records", func(b *testing.B) {
		parallel(b, func(worker, n int) {
			i := worker * 7919
			for range n {
				i++
				if _, err := c.FindTokenByID(ctx, toks[i&255].ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("1record", func(b *testing.B) {
		id := toks[0].ID
		parallel(b, func(_, n int) {
			for range n {
				if _, err := c.FindTokenByID(ctx, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// parallel runs b.N calls split over GOMAXPROCS goroutines: worker w makes
// n of them in loop(w, n). It is b.RunParallel without testing.PB, whose
// per-goroutine counters are small heap objects that share a cache line
// and so, written on every iteration, would measure their own contention.
func parallel(b *testing.B, loop func(worker, n int)) {
	procs := runtime.GOMAXPROCS(0)
	measureCPU(b, func() {
		var wg sync.WaitGroup
		for w := range procs {
			n := b.N / procs
			if w < b.N%procs {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				loop(w, n)
			}()
		}
		wg.Wait()
	})
}

// measureCPU runs loop, which makes b.N calls, and reports allocations and
// cpu-ns/op, the CPU time the process spent per call.
func measureCPU(b *testing.B, loop func()) {
	b.ReportAllocs()
	before, ok := cputime.Now()
	loop()
	after, _ := cputime.Now()
	if ok {
		b.ReportMetric(float64(after-before)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkBackendOnly is the baseline: the same find on memstore itself.
func BenchmarkBackendOnly(b *testing.B) {
	ctx := context.Background()
	m := memstore.New(nil)
	t := benchTokens(b, m, 1)[0]
	measureCPU(b, func() {
		for range b.N {
			if _, err := m.FindTokenByID(ctx, t.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReadMix95 runs the 95%-read workload of package readmix over
// memstore, without and with the cache, and reports how many finds reached
// the backend. The integration module runs the same over LocalStack and
// Vault.
func BenchmarkReadMix95(b *testing.B) {
	readmix.Bench(b, memstore.New(nil), func(next tokenstore.Store) tokenstore.Store {
		return newBenchCache(b, next)
	}, nil)
}
