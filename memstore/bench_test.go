package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// benchStore is a store holding n full Zoho records.
func benchStore(b *testing.B, n int) *memstore.Store {
	s := memstore.New(nil)
	for i := range n {
		t := tokenstore.Token{UserName: fmt.Sprintf("user-%d@example.com", i), ClientID: "1000.C", ClientSecret: "secret-cs",
			RefreshToken: fmt.Sprintf("secret-rt-%d", i), AccessToken: fmt.Sprintf("secret-at-%d", i),
			Expiry: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), APIDomain: "https://www.zohoapis.com"}
		if err := s.SaveToken(context.Background(), &t); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkLookups times a find by user name, by access token and a save
// that changes the access token, at 1,000 and 100,000 records: each must
// not grow with the number of records.
func BenchmarkLookups(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		s := benchStore(b, n)
		ctx := context.Background()
		mid := n / 2
		b.Run(fmt.Sprintf("FindByUser/%d", n), func(b *testing.B) {
			q := tokenstore.Token{UserName: fmt.Sprintf("user-%d@example.com", mid)}
			for b.Loop() {
				if _, err := s.FindToken(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("FindByAccessToken/%d", n), func(b *testing.B) {
			q := tokenstore.Token{AccessToken: fmt.Sprintf("secret-at-%d", mid)}
			for b.Loop() {
				if _, err := s.FindToken(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("SaveByUser/%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				t := tokenstore.Token{UserName: fmt.Sprintf("user-%d@example.com", mid), AccessToken: fmt.Sprintf("secret-at-%d-%d", mid, i)}
				if err := s.SaveToken(ctx, &t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
