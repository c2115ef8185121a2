package integration_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// BenchmarkAWSSM measures each operation against the endpoint, with the
// Secrets Manager calls and writes it makes per operation as extra metrics.
// The namespace holds benchN records.
//
//	go test -run '^$' -bench BenchmarkAWSSM -benchtime 200x ./integration
func BenchmarkAWSSM(b *testing.B) {
	const benchN = 100
	c := newSMCalls()
	s, err := awssm.New(smCountingClient(b, c), &awssm.Options{
		Prefix: "tokenstore-it/" + smRunID + "/bench/", Pepper: smPepper, ForceDelete: true,
	})
	if err != nil {
		b.Fatalf("awssm.New: %v", err)
	}
	ctx := context.Background()
	b.Cleanup(func() {
		if err := s.DeleteTokens(ctx); err != nil {
			b.Errorf("cleanup: DeleteTokens: %v", err)
		}
	})
	var recs []tokenstore.Token
	for i := range benchN {
		tok := smToken(i)
		if err := s.SaveToken(ctx, &tok); err != nil {
			b.Fatalf("SaveToken: %v", err)
		}
		recs = append(recs, tok)
	}
	all, err := s.GetTokens(ctx)
	if err != nil {
		b.Fatalf("GetTokens: %v", err)
	}
	last := all[len(all)-1] // highest ID: the access-token scan reads every batch
	a := recs[0]
	n := 0

	run := func(name string, op func() error) {
		b.Run(name, func(b *testing.B) {
			callsBefore, writesBefore := c.total()
			b.ResetTimer()
			for range b.N {
				if err := op(); err != nil {
					b.Fatalf("%s: %v", name, err)
				}
			}
			b.StopTimer()
			callsAfter, writesAfter := c.total()
			b.ReportMetric(float64(callsAfter-callsBefore)/float64(b.N), "calls/op")
			b.ReportMetric(float64(writesAfter-writesBefore)/float64(b.N), "writes/op")
		})
	}
	run("FindTokenByID", func() error { _, err := s.FindTokenByID(ctx, a.ID); return err })
	run("FindToken/UserName", func() error { _, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); return err })
	run("FindToken/RefreshToken", func() error {
		_, err := s.FindToken(ctx, tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: "x"})
		return err
	})
	run("FindToken/GrantToken", func() error {
		_, err := s.FindToken(ctx, tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: "x"})
		return err
	})
	run(fmt.Sprintf("FindToken/AccessToken/N=%d", benchN), func() error {
		_, err := s.FindToken(ctx, tokenstore.Token{AccessToken: last.AccessToken})
		return err
	})
	run(fmt.Sprintf("GetTokens/N=%d", benchN), func() error { _, err := s.GetTokens(ctx); return err })
	run("SaveToken/RefreshByUserName", func() error {
		n++
		return s.SaveToken(ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: fmt.Sprintf("secret-at-b%d", n)})
	})
	run("SaveToken/RefreshByID", func() error {
		n++
		return s.SaveToken(ctx, &tokenstore.Token{ID: a.ID, AccessToken: fmt.Sprintf("secret-at-b%d", n)})
	})
	run("SaveToken/Unchanged", func() error {
		return s.SaveToken(ctx, &tokenstore.Token{ID: a.ID, APIDomain: a.APIDomain, AccessToken: fmt.Sprintf("secret-at-b%d", n)})
	})
	var inserted []string
	run("SaveToken/Insert", func() error {
		n++
		tok := smToken(100000 + n)
		err := s.SaveToken(ctx, &tok)
		inserted = append(inserted, tok.ID)
		return err
	})
	run("DeleteToken", func() error {
		if len(inserted) == 0 {
			n++
			tok := smToken(200000 + n)
			b.StopTimer()
			if err := s.SaveToken(ctx, &tok); err != nil {
				return err
			}
			b.StartTimer()
			inserted = append(inserted, tok.ID)
		}
		id := inserted[len(inserted)-1]
		inserted = inserted[:len(inserted)-1]
		return s.DeleteToken(ctx, id)
	})
}
