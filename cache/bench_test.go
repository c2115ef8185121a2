package cache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// The benchmarks behind BENCHMARKS.md; the command that produced its
// figures is written there.

// benchTokens saves n records in s and returns them as stored.
func benchTokens(b *testing.B, s tokenstore.Store, n int) []tokenstore.Token {
	b.Helper()
	out := make([]tokenstore.Token, n)
	for i := range out {
		t := tokenstore.Token{
			UserName:     fmt.Sprintf("user-%04d@example.com", i),
			ClientID:     "1000.BENCHCLIENTID0000000000000000",
			ClientSecret: "0123456789abcdef0123456789abcdef0123456789",
			RefreshToken: fmt.Sprintf("1000.%032x.%032x", i, i*7),
			AccessToken:  fmt.Sprintf("1000.%032x.%032x", i*3, i*11),
			Expiry:       time.Now().Add(time.Hour),
			APIDomain:    "https://www.zohoapis.com",
		}
		if err := s.SaveToken(context.Background(), &t); err != nil {
			b.Fatalf("SaveToken: %v", err)
		}
		out[i] = t
	}
	return out
}

func newBenchCache(b *testing.B, next tokenstore.Store) *cache.Store {
	b.Helper()
	c, err := cache.New(next, nil)
	if err != nil {
		b.Fatalf("cache.New: %v", err)
	}
	return c
}

// BenchmarkHit measures a find answered from memory, per lookup rule.
func BenchmarkHit(b *testing.B) {
	ctx := context.Background()
	c := newBenchCache(b, memstore.New(nil))
	t := benchTokens(b, c, 1)[0]
	b.Run("FindTokenByID", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := c.FindTokenByID(ctx, t.ID); err != nil {
				b.Fatal(err)
			}
		}
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
			b.ReportAllocs()
			for range b.N {
				if _, err := c.FindToken(ctx, q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHitParallel measures hits from every core at once: spread over
// 256 records (the usual case) and all on one record (the worst).
// Run with -cpu 1,2,... to see the scaling.
func BenchmarkHitParallel(b *testing.B) {
	ctx := context.Background()
	c := newBenchCache(b, memstore.New(nil))
	toks := benchTokens(b, c, 256)
	b.Run("256records", func(b *testing.B) {
		b.ReportAllocs()
		var seed atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			i := int(seed.Add(7919))
			for pb.Next() {
				i++
				if _, err := c.FindTokenByID(ctx, toks[i&255].ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("1record", func(b *testing.B) {
		b.ReportAllocs()
		id := toks[0].ID
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.FindTokenByID(ctx, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkBackendOnly is the baseline: the same find on memstore itself.
func BenchmarkBackendOnly(b *testing.B) {
	ctx := context.Background()
	m := memstore.New(nil)
	t := benchTokens(b, m, 1)[0]
	b.ReportAllocs()
	for range b.N {
		if _, err := m.FindTokenByID(ctx, t.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// counted counts the finds that reach a store.
type counted struct {
	tokenstore.Store
	finds atomic.Int64
}

func (c *counted) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	c.finds.Add(1)
	return c.Store.FindToken(ctx, q)
}

func (c *counted) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	c.finds.Add(1)
	return c.Store.FindTokenByID(ctx, id)
}

// BenchmarkReadMix95 runs 95% finds (by user name, ID or refresh token of
// one of 100 users) and 5% saves of a refreshed access token, the Zoho
// SDKs' pattern, and reports how many finds reached the backend.
func BenchmarkReadMix95(b *testing.B) {
	ReadMix95(b, memstore.New(nil))
}

// ReadMix95 is BenchmarkReadMix95 over any backend; the integration
// benchmarks run it against LocalStack and Vault.
func ReadMix95(b *testing.B, backend tokenstore.Store) {
	ctx := context.Background()
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			if err := backend.DeleteTokens(ctx); err != nil {
				b.Fatal(err)
			}
			cnt := &counted{Store: backend}
			var s tokenstore.Store = cnt
			if cached {
				s = newBenchCache(b, cnt)
			}
			users := benchTokens(b, backend, 100)
			rng := rand.New(rand.NewPCG(1, 2))
			reads := 0
			b.ResetTimer()
			for i := range b.N {
				u := &users[rng.IntN(len(users))]
				if rng.IntN(100) < 5 {
					upd := tokenstore.Token{UserName: u.UserName,
						AccessToken: fmt.Sprintf("1000.%d.refreshed", i), Expiry: time.Now().Add(time.Hour)}
					if err := s.SaveToken(ctx, &upd); err != nil {
						b.Fatal(err)
					}
					*u = upd
					continue
				}
				reads++
				q := [...]tokenstore.Token{
					{UserName: u.UserName},
					{ID: u.ID},
					{RefreshToken: u.RefreshToken, ClientID: u.ClientID, ClientSecret: u.ClientSecret},
				}[rng.IntN(3)]
				if _, err := s.FindToken(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if reads > 0 {
				b.ReportMetric(float64(cnt.finds.Load())/float64(reads), "backend-finds/read")
			}
		})
	}
}
