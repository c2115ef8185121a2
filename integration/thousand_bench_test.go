package integration_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// thousand is how many records BenchmarkThousand's namespaces hold.
const thousand = 1000

// BenchmarkThousand measures GetTokens and DeleteTokens on a namespace of
// 1,000 records, each with a user name and all three token kinds, on
// memstore, on Secrets Manager (awssm) and on Vault KV v2, reporting the
// backend calls per operation (and the writes among them on awssm). Each
// DeleteTokens starts from a full namespace, refilled with the timer
// stopped. Seeding 1,000 records takes a while on each server, so run it
// with a small fixed count:
//
//	go test -run '^$' -bench BenchmarkThousand -benchtime 3x ./integration
func BenchmarkThousand(b *testing.B) {
	b.Run("memstore", func(b *testing.B) {
		benchThousand(b, memstore.New(nil), nil)
	})
	b.Run("awssm", func(b *testing.B) {
		c := newSMCalls()
		s, err := awssm.New(smCountingClient(b, c), &awssm.Options{
			Prefix: "tokenstore-it/" + smRunID + "/thousand/", Pepper: smPepper, ForceDelete: true,
		})
		if err != nil {
			b.Fatalf("awssm.New: %v", err)
		}
		benchThousand(b, s, func() (int64, int64) { return c.total() })
	})
	b.Run("vault/KVv2", func(b *testing.B) {
		f := newKVFixture(b, vaultFrom(b, integration.Given), 2)
		s, c := f.store(b, f.opts("thousand"))
		benchThousand(b, s, func() (int64, int64) { return c.total(), c.writes.Load() })
	})
}

// benchThousand fills s with thousand records and measures GetTokens and
// DeleteTokens on it. calls, if not nil, returns the backend calls made so
// far and the writes among them.
func benchThousand(b *testing.B, s tokenstore.Store, calls func() (all, writes int64)) {
	ctx := context.Background()
	b.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
	if err := s.DeleteTokens(ctx); err != nil {
		b.Fatalf("DeleteTokens: %v", err)
	}
	full := false
	fill := func(b *testing.B) {
		if !full {
			seedThousand(b, s)
			full = true
		}
	}
	// measure runs op b.N times from a full namespace and reports the
	// calls it made.
	measure := func(b *testing.B, op func() error) {
		var all, writes int64
		b.StopTimer()
		for range b.N {
			fill(b)
			var a0, w0 int64
			if calls != nil {
				a0, w0 = calls()
			}
			b.StartTimer()
			err := op()
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if calls != nil {
				a1, w1 := calls()
				all, writes = all+a1-a0, writes+w1-w0
			}
		}
		if calls != nil {
			b.ReportMetric(float64(all)/float64(b.N), "calls/op")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
		}
	}
	b.Run("GetTokens", func(b *testing.B) {
		measure(b, func() error {
			list, err := s.GetTokens(ctx)
			if err == nil && len(list) != thousand {
				b.Fatalf("GetTokens returned %d records; want %d", len(list), thousand)
			}
			return err
		})
	})
	b.Run("DeleteTokens", func(b *testing.B) {
		measure(b, func() error {
			full = false
			return s.DeleteTokens(ctx)
		})
		if list, err := s.GetTokens(ctx); err != nil || len(list) != 0 {
			b.Fatalf("after DeleteTokens: %d records, %v; want none", len(list), err)
		}
	})
}

// seedThousand saves thousand records through s, eight at a time.
func seedThousand(b *testing.B, s tokenstore.Store) {
	b.Helper()
	ctx := context.Background()
	next := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				tok := smToken(i)
				if err := s.SaveToken(ctx, &tok); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range thousand {
		select {
		case next <- i:
		case err := <-errs:
			close(next)
			wg.Wait()
			b.Fatalf("seeding: SaveToken: %v", err)
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatalf("seeding: SaveToken: %v", err)
	default:
	}
}
