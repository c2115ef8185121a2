// Package readmix is the 95%-read workload of the cache benchmarks
// (BENCHMARKS.md): finds by user name, ID or refresh token of one of 100
// users, and one save in twenty storing a refreshed access token, the Zoho
// SDKs' pattern. The cache package runs it over memstore and the
// integration module over LocalStack and Vault, so every figure comes from
// the same code.
package readmix

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// Users is how many records the workload spreads over.
const Users = 100

// Counted counts the finds that reach a Store.
type Counted struct {
	tokenstore.Store
	finds atomic.Int64
}

// Finds returns how many finds reached the Store.
func (c *Counted) Finds() int64 { return c.finds.Load() }

// FindToken counts and passes the call on.
func (c *Counted) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	c.finds.Add(1)
	return c.Store.FindToken(ctx, q)
}

// FindTokenByID counts and passes the call on.
func (c *Counted) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	c.finds.Add(1)
	return c.Store.FindTokenByID(ctx, id)
}

// Seed saves n records of realistic sizes through s and returns them as
// stored.
func Seed(ctx context.Context, s tokenstore.Store, n int) ([]tokenstore.Token, error) {
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
		if err := s.SaveToken(ctx, &t); err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// Bench runs the workload as two sub-benchmarks: "uncached", straight on
// backend, and "cached", through wrap(backend), which should return a
// cache in front of its argument. Each starts from an empty backend (it
// calls DeleteTokens) and reports backend-finds/read, the finds that
// reached the backend per find made. If requests is not nil, it returns
// how many requests the backend has sent to its server so far, and Bench
// also reports backend-requests/op, reads and writes together.
func Bench(b *testing.B, backend tokenstore.Store, wrap func(tokenstore.Store) tokenstore.Store, requests func() int64) {
	for _, cached := range []bool{false, true} {
		b.Run(map[bool]string{false: "uncached", true: "cached"}[cached], func(b *testing.B) {
			ctx := context.Background()
			if err := backend.DeleteTokens(ctx); err != nil {
				b.Fatal(err)
			}
			users, err := Seed(ctx, backend, Users)
			if err != nil {
				b.Fatal(err)
			}
			cnt := &Counted{Store: backend}
			var s tokenstore.Store = cnt
			if cached {
				s = wrap(cnt)
			}
			var req0 int64
			if requests != nil {
				req0 = requests()
			}
			b.ResetTimer()
			reads, err := run(ctx, s, users, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if reads > 0 {
				b.ReportMetric(float64(cnt.Finds())/float64(reads), "backend-finds/read")
			}
			if requests != nil {
				b.ReportMetric(float64(requests()-req0)/float64(b.N), "backend-requests/op")
			}
		})
	}
}

// run makes n operations through s, the same sequence every time, and
// returns how many were finds.
func run(ctx context.Context, s tokenstore.Store, users []tokenstore.Token, n int) (reads int, err error) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		u := &users[rng.IntN(len(users))]
		if rng.IntN(100) < 5 {
			upd := tokenstore.Token{UserName: u.UserName,
				AccessToken: fmt.Sprintf("1000.%d.refreshed", i), Expiry: time.Now().Add(time.Hour)}
			if err := s.SaveToken(ctx, &upd); err != nil {
				return reads, err
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
			return reads, err
		}
	}
	return reads, nil
}
