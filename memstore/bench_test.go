package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/cputime"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// benchToken is the i'th record of a benchmark store: a full Zoho record.
func benchToken(i int) tokenstore.Token {
	return tokenstore.Token{UserName: fmt.Sprintf("user-%d@example.com", i), ClientID: "1000.C", ClientSecret: "secret-cs",
		RefreshToken: fmt.Sprintf("secret-rt-%d", i), AccessToken: fmt.Sprintf("secret-at-%d", i),
		Expiry: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), APIDomain: "https://www.zohoapis.com"}
}

// benchStore is a store holding n records, benchToken(0) to benchToken(n-1).
func benchStore(b *testing.B, n int) *memstore.Store {
	s := memstore.New(nil)
	for i := range n {
		t := benchToken(i)
		if err := s.SaveToken(context.Background(), &t); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkLookups times, at 1,000 and 100,000 records:
//
//   - FindByUser and FindByAccessToken: one record found again and again;
//   - FindByUserAll and FindByAccessTokenAll: every record in turn, beside
//     a floor, a Go map from the same strings to the records plus copying
//     the Token out, run in the same benchmark (cpu-x-map is the find's CPU
//     time over the map's). Both grow with the number of records as the
//     data outgrows the CPU caches; the ratio says whether the find grows
//     faster than a map does;
//   - SaveByUser: the hourly refresh, a save by user name of a new access
//     token and expiry, garbage collection included (no GC tuning: run it
//     with GOGC unset, 100).
//
// Each reports cpu-ns/op, the CPU time the process spent per operation,
// which a busy neighbour inflates less than wall time.
func BenchmarkLookups(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		s := benchStore(b, n)
		ctx := context.Background()
		mid := n / 2
		b.Run(fmt.Sprintf("FindByUser/%d", n), func(b *testing.B) {
			q := tokenstore.Token{UserName: benchToken(mid).UserName}
			measureCPU(b, func() {
				for b.Loop() {
					if _, err := s.FindToken(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run(fmt.Sprintf("FindByAccessToken/%d", n), func(b *testing.B) {
			q := tokenstore.Token{AccessToken: benchToken(mid).AccessToken}
			measureCPU(b, func() {
				for b.Loop() {
					if _, err := s.FindToken(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		for _, kind := range []struct {
			name  string
			query func(t tokenstore.Token) tokenstore.Token
			value func(t tokenstore.Token) string
		}{
			{"FindByUserAll", func(t tokenstore.Token) tokenstore.Token { return tokenstore.Token{UserName: t.UserName} },
				func(t tokenstore.Token) string { return t.UserName }},
			{"FindByAccessTokenAll", func(t tokenstore.Token) tokenstore.Token { return tokenstore.Token{AccessToken: t.AccessToken} },
				func(t tokenstore.Token) string { return t.AccessToken }},
		} {
			find, floor := walkAll(b, s, kind.query, kind.value)
			b.Run(fmt.Sprintf("%s/%d", kind.name, n), func(b *testing.B) {
				againstFloor(b, find, floor)
			})
		}
		b.Run(fmt.Sprintf("SaveByUser/%d", n), func(b *testing.B) {
			// The saves of a refresh, built beforehand so that only the
			// save is measured: each stores another access token.
			saves := make([]tokenstore.Token, 1024)
			for i := range saves {
				saves[i] = tokenstore.Token{UserName: benchToken(mid).UserName, AccessToken: fmt.Sprintf("secret-at-%d-%d", mid, i),
					Expiry: time.Date(2026, 12, 1, 0, 0, i, 0, time.UTC)}
			}
			i := 0
			measureCPU(b, func() {
				for b.Loop() {
					t := saves[i%len(saves)]
					i++
					if err := s.SaveToken(ctx, &t); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// walkAll returns two loops over every record of s, in ID order:
// find(start, n) makes n finds, from the start'th record on, by the key
// query gives; floor makes the same lookups in a Go map from value to
// record.
func walkAll(b *testing.B, s *memstore.Store, query func(tokenstore.Token) tokenstore.Token, value func(tokenstore.Token) string) (find, floor func(start, n int) error) {
	ctx := context.Background()
	all, err := s.GetTokens(ctx)
	if err != nil {
		b.Fatal(err)
	}
	qs := make([]tokenstore.Token, len(all))
	vals := make([]string, len(all))
	m := make(map[string]*tokenstore.Token, len(all))
	// The map's records are allocated one by one, in another order than
	// the walk's, as a store's are: a walk over one array would have the
	// CPU prefetch them.
	for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(len(all)) {
		qs[i], vals[i] = query(all[i]), value(all[i])
		t := new(tokenstore.Token)
		*t = all[i]
		m[vals[i]] = t
	}
	runtime.GC() // the setup's garbage is not the finds' to collect
	find = func(start, n int) error {
		for i := range n {
			if _, err := s.FindToken(ctx, qs[(start+i)%len(qs)]); err != nil {
				return err
			}
		}
		return nil
	}
	floor = func(start, n int) error {
		for i := range n {
			if t := *m[vals[(start+i)%len(vals)]]; t.ID == "" {
				return errors.New("map floor: empty record")
			}
		}
		return nil
	}
	return find, floor
}

// againstFloor runs b.N calls of find and of floor, alternating in chunks
// so that a busy neighbour slows both alike, with only find timed, and
// reports the CPU time of each and their ratio.
func againstFloor(b *testing.B, find, floor func(start, n int) error) {
	const chunks = 8
	var findCPU, floorCPU time.Duration
	b.ReportAllocs()
	done := 0
	for c := range chunks {
		n := b.N / chunks
		if c < b.N%chunks {
			n++
		}
		b.StopTimer()
		floorCPU += cpuOf(b, func() error { return floor(done, n) })
		b.StartTimer()
		findCPU += cpuOf(b, func() error { return find(done, n) })
		done += n
	}
	b.StopTimer()
	if findCPU > 0 && floorCPU > 0 {
		b.ReportMetric(float64(findCPU)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(floorCPU)/float64(b.N), "map-cpu-ns/op")
		b.ReportMetric(float64(findCPU)/float64(floorCPU), "cpu-x-map")
	}
}

// cpuOf runs loop and returns the CPU time it took.
func cpuOf(b *testing.B, loop func() error) time.Duration {
	before, _ := cputime.Now()
	if err := loop(); err != nil {
		b.Fatal(err)
	}
	after, _ := cputime.Now()
	return after - before
}

// measureCPU runs loop, which makes b.N calls, and reports allocations and
// cpu-ns/op, the CPU time the process spent per call.
func measureCPU(b *testing.B, loop func()) {
	b.ReportAllocs()
	before, ok := cputime.Now()
	loop()
	after, _ := cputime.Now()
	if ok && b.N > 0 {
		b.ReportMetric(float64(after-before)/float64(b.N), "cpu-ns/op")
	}
}
