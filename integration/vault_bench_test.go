package integration_test

import (
	"context"
	"fmt"
	"github.com/tokenstore-go/tokenstore/integration"
	"sync/atomic"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// BenchmarkVault times each operation against the given Vault (VAULT_ADDR,
// VAULT_TOKEN) on KV v2 and v1, uncached, with a token holding only the
// store's policy, and reports HTTP requests per operation. The numbers and
// the command are in BENCHMARKS.md.
func BenchmarkVault(b *testing.B) {
	srv := vaultFrom(b, integration.Given)
	for _, version := range []int{2, 1} {
		b.Run(fmt.Sprintf("KVv%d", version), func(b *testing.B) {
			f := newKVFixture(b, srv, version)
			benchOps(b, f)
		})
	}
}

func benchOps(b *testing.B, f *kvFixture) {
	ctx := context.Background()
	s, c := f.store(b, f.opts("bench"))
	b.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
	base := sample("bench")
	if err := s.SaveToken(ctx, &base); err != nil {
		b.Fatal(err)
	}
	for i := range 99 {
		tok := sample(fmt.Sprintf("fill-%d", i))
		if err := s.SaveToken(ctx, &tok); err != nil {
			b.Fatal(err)
		}
	}
	var setup int64 // requests made with the timer stopped
	run := func(name string, op func(i int) error) {
		b.Run(name, func(b *testing.B) {
			setup = 0
			n0 := c.total()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := op(i); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(c.total()-n0-setup)/float64(b.N), "req/op")
		})
	}
	run("FindTokenByID", func(int) error { _, err := s.FindTokenByID(ctx, base.ID); return err })
	run("FindToken/UserName", func(int) error {
		_, err := s.FindToken(ctx, tokenstore.Token{UserName: base.UserName})
		return err
	})
	run("FindToken/RefreshToken", func(int) error {
		_, err := s.FindToken(ctx, tokenstore.Token{RefreshToken: base.RefreshToken, ClientID: base.ClientID, ClientSecret: base.ClientSecret})
		return err
	})
	run("SaveToken/SameKeys", func(i int) error {
		return s.SaveToken(ctx, &tokenstore.Token{UserName: base.UserName, AccessToken: base.AccessToken, APIDomain: fmt.Sprint("https://", i)})
	})
	run("SaveToken/NewAccessToken", func(i int) error {
		return s.SaveToken(ctx, &tokenstore.Token{UserName: base.UserName, AccessToken: fmt.Sprintf("secret-at-%d-%d", b.N, i)})
	})
	run("GetTokens/100", func(int) error {
		_, err := s.GetTokens(ctx)
		return err
	})
	// Inserts and deletes in a namespace of their own, so the one above
	// keeps its 100 records. Deletes take what the inserts left.
	ins, ic := f.store(b, f.opts("benchins"))
	b.Cleanup(func() { _ = ins.DeleteTokens(context.Background()) })
	c = ic
	var inserted []string
	run("SaveToken/Insert", func(i int) error {
		tok := sample("ins-" + randHex(8))
		err := ins.SaveToken(ctx, &tok)
		inserted = append(inserted, tok.ID)
		return err
	})
	run("DeleteToken", func(i int) error {
		if len(inserted) == 0 {
			b.StopTimer()
			n := c.total()
			tok := sample("del-" + randHex(8))
			err := ins.SaveToken(ctx, &tok)
			inserted = append(inserted, tok.ID)
			setup += c.total() - n
			b.StartTimer()
			if err != nil {
				return err
			}
		}
		id := inserted[len(inserted)-1]
		inserted = inserted[:len(inserted)-1]
		return ins.DeleteToken(ctx, id)
	})
	if f.version == 1 {
		return // several writers on one record: KV v2 only
	}
	s, c = ins, ic
	base = sample("parallel")
	if err := s.SaveToken(ctx, &base); err != nil {
		b.Fatal(err)
	}
	b.Run("SaveToken/SameUserParallel", func(b *testing.B) {
		peer, pc := f.store(b, f.opts("benchins"))
		n0, p0 := c.total(), pc.total()
		var i atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				st := s
				if i.Add(1)%2 == 0 {
					st = peer
				}
				in := tokenstore.Token{UserName: base.UserName, AccessToken: base.AccessToken, RedirectURL: fmt.Sprint("https://", i.Load())}
				if err := st.SaveToken(ctx, &in); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(c.total()-n0+pc.total()-p0)/float64(b.N), "req/op")
	})
}
