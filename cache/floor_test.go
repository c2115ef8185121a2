package cache_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// floorRecords is how many records BenchmarkFloor caches (issue 14).
const floorRecords = 1000

// floorPath is one hit path of BenchmarkFloor. hit(start, n) makes n finds
// of consecutive records from the start'th on (wrapping), and floor the
// same n lookups the cheapest way any Go cache can: a sync.Map load by the
// same string plus copying the Token out. The loops are written out in
// each so that no call through a func value is measured.
type floorPath struct {
	name  string
	hit   func(start, n int) error
	floor func(start, n int) error
	one   func(i int) (hit, floor tokenstore.Token, err error)
}

// floorPaths caches floorRecords records, each with every key kind, and
// returns the hit paths over them.
func floorPaths(b *testing.B, opts *cache.Options) []floorPath {
	b.Helper()
	ctx := context.Background()
	c, err := cache.New(savesOnly{memstore.New(nil)}, opts)
	if err != nil {
		b.Fatalf("cache.New: %v", err)
	}
	toks := make([]tokenstore.Token, floorRecords)
	for i := range toks {
		toks[i] = tokenstore.Token{
			UserName:     fmt.Sprintf("user-%04d@example.com", i),
			ClientID:     "1000.BENCHCLIENTID0000000000000000",
			ClientSecret: "0123456789abcdef0123456789abcdef0123456789",
			RefreshToken: fmt.Sprintf("1000.%032x.%032x", i, i*7),
			AccessToken:  fmt.Sprintf("1000.%032x.%032x", i*3, i*11),
			GrantToken:   fmt.Sprintf("1000.%032x.%032x", i*5, i*13),
			Expiry:       time.Now().Add(time.Hour),
			APIDomain:    "https://www.zohoapis.com",
		}
		if err := c.SaveToken(ctx, &toks[i]); err != nil {
			b.Fatalf("SaveToken: %v", err)
		}
	}
	if st := c.Stats(); st.Entries != floorRecords {
		b.Fatalf("cached %d records; want %d", st.Entries, floorRecords)
	}
	kinds := []struct {
		name  string
		query func(t tokenstore.Token) tokenstore.Token
		value func(t tokenstore.Token) string
	}{
		{"id", func(t tokenstore.Token) tokenstore.Token { return tokenstore.Token{ID: t.ID} },
			func(t tokenstore.Token) string { return t.ID }},
		{"user_name", func(t tokenstore.Token) tokenstore.Token { return tokenstore.Token{UserName: t.UserName} },
			func(t tokenstore.Token) string { return t.UserName }},
		{"access_token", func(t tokenstore.Token) tokenstore.Token { return tokenstore.Token{AccessToken: t.AccessToken} },
			func(t tokenstore.Token) string { return t.AccessToken }},
		{"refresh_token", func(t tokenstore.Token) tokenstore.Token {
			return tokenstore.Token{RefreshToken: t.RefreshToken, ClientID: t.ClientID, ClientSecret: t.ClientSecret}
		}, func(t tokenstore.Token) string { return t.RefreshToken }},
		{"grant_token", func(t tokenstore.Token) tokenstore.Token {
			return tokenstore.Token{GrantToken: t.GrantToken, ClientID: t.ClientID, ClientSecret: t.ClientSecret}
		}, func(t tokenstore.Token) string { return t.GrantToken }},
	}
	var paths []floorPath
	for _, k := range kinds {
		qs := make([]tokenstore.Token, len(toks))
		vals := make([]string, len(toks))
		var m sync.Map
		for i, t := range toks {
			qs[i], vals[i] = k.query(t), k.value(t)
			// Copies of the strings, as a caller's query would hold.
			vals[i] = string([]byte(vals[i]))
			m.Store(k.value(t), &toks[i])
		}
		floor := func(start, n int) error {
			for i := range n {
				v, _ := m.Load(vals[(start+i)%floorRecords])
				if t := *v.(*tokenstore.Token); t.ID == "" {
					return errors.New("floor: empty record")
				}
			}
			return nil
		}
		floorOne := func(i int) tokenstore.Token {
			v, _ := m.Load(vals[i])
			return *v.(*tokenstore.Token)
		}
		if k.name == "id" {
			ids := vals
			paths = append(paths, floorPath{"FindTokenByID",
				func(start, n int) error {
					for i := range n {
						if _, err := c.FindTokenByID(ctx, ids[(start+i)%floorRecords]); err != nil {
							return err
						}
					}
					return nil
				}, floor,
				func(i int) (tokenstore.Token, tokenstore.Token, error) {
					t, err := c.FindTokenByID(ctx, ids[i])
					return t, floorOne(i), err
				}})
		}
		paths = append(paths, floorPath{"FindToken/" + k.name,
			func(start, n int) error {
				for i := range n {
					if _, err := c.FindToken(ctx, qs[(start+i)%floorRecords]); err != nil {
						return err
					}
				}
				return nil
			}, floor,
			func(i int) (tokenstore.Token, tokenstore.Token, error) {
				t, err := c.FindToken(ctx, qs[i])
				return t, floorOne(i), err
			}})
	}
	for _, p := range paths { // every path is a hit on the right record
		for i := range toks {
			hit, floor, err := p.one(i)
			if err != nil || hit != toks[i] || floor != toks[i] {
				b.Fatalf("%s: record %d: got %v, %v; want %v", p.name, i, hit, err, toks[i])
			}
		}
	}
	if st := c.Stats(); st.Misses != 0 {
		b.Fatalf("%d misses; want every find a hit", st.Misses)
	}
	return paths
}

// savesOnly is the backend of BenchmarkFloor: a SaveToken only gives the
// record an ID, so that caching 1,000 records takes no time (memstore
// scans its records on every save). Every find of the benchmark is a hit.
type savesOnly struct{ *memstore.Store }

func (savesOnly) SaveToken(_ context.Context, t *tokenstore.Token) error {
	if t.ID == "" {
		t.ID = tokenstore.NewID()
	}
	return nil
}

// BenchmarkFloor measures each hit path of the cache against the floor of
// issue 14, a sync.Map lookup plus copying the Token out, on the same 1,000
// records in the same run, and reports the ratio: x-floor (wall time) and
// cpu-x-floor (CPU time), which mean the same on any machine. ns/op,
// cpu-ns/op and allocs/op are the hit path's; floor-ns/op is the floor's.
// The calls of the two loops alternate in chunks so that a busy neighbour
// slows both alike. "serial" is one goroutine; "parallel" is GOMAXPROCS
// goroutines (run with -cpu 2 for the two).
//
// The "coarse-clock" runs are the cost-free variant of the expiry checks:
// the same cache with Options.Now reading a time that a goroutine
// refreshes every millisecond, instead of the monotonic clock. They show
// what the clock read costs; the cache does not do this itself, because
// such a clock can lag by any amount (a starved process, or a Lambda
// environment frozen between invocations, thaws with its clock behind) and
// a hit would then serve a token past its TTL or within ExpirySkew of its
// expiry.
func BenchmarkFloor(b *testing.B) {
	coarse := newCoarseClock()
	defer coarse.stop()
	for _, v := range []struct {
		name string
		opts *cache.Options
	}{
		{"", nil},
		{"coarse-clock/", &cache.Options{Now: coarse.now}},
	} {
		paths := floorPaths(b, v.opts)
		for _, mode := range []string{"serial", "parallel"} {
			for _, p := range paths {
				b.Run(v.name+mode+"/"+p.name, func(b *testing.B) {
					procs := 1
					if mode == "parallel" {
						procs = runtime.GOMAXPROCS(0)
					}
					measureFloor(b, procs, p)
				})
			}
		}
	}
}

// coarseClock is a clock read from memory and advanced by a goroutine
// every millisecond.
type coarseClock struct {
	t    atomic.Pointer[time.Time]
	done chan struct{}
}

func newCoarseClock() *coarseClock {
	c := &coarseClock{done: make(chan struct{})}
	now := time.Now()
	c.t.Store(&now)
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-tick.C:
				now := time.Now()
				c.t.Store(&now)
			}
		}
	}()
	return c
}

func (c *coarseClock) now() time.Time { return *c.t.Load() }
func (c *coarseClock) stop()          { close(c.done) }

// floorChunks is how many times measureFloor alternates between the loops.
const floorChunks = 8

// measureFloor runs b.N hits and b.N floor lookups over procs goroutines,
// alternating in chunks, with the benchmark timer running only for the
// hits, and reports both and their ratios.
func measureFloor(b *testing.B, procs int, p floorPath) {
	var hitWall, floorWall, hitCPU, floorCPU time.Duration
	b.ReportAllocs()
	for chunk := range floorChunks {
		n := b.N / floorChunks
		if chunk < b.N%floorChunks {
			n++
		}
		b.StopTimer()
		w, c := timeLoops(b, procs, n, p.floor)
		floorWall, floorCPU = floorWall+w, floorCPU+c
		b.StartTimer()
		w, c = timeLoops(b, procs, n, p.hit)
		hitWall, hitCPU = hitWall+w, hitCPU+c
	}
	b.StopTimer()
	perOp := func(d time.Duration) float64 { return float64(d) / float64(b.N) }
	b.ReportMetric(perOp(floorWall), "floor-ns/op")
	if floorWall > 0 {
		b.ReportMetric(float64(hitWall)/float64(floorWall), "x-floor")
	}
	if hitCPU > 0 && floorCPU > 0 {
		b.ReportMetric(perOp(hitCPU), "cpu-ns/op")
		b.ReportMetric(float64(hitCPU)/float64(floorCPU), "cpu-x-floor")
	}
}

// timeLoops makes n calls split over procs goroutines, each walking the
// records from its own place with loop, and returns the wall and CPU time
// taken.
func timeLoops(b *testing.B, procs, n int, loop func(start, n int) error) (wall, cpu time.Duration) {
	cpu0, _ := cpuTime()
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := range procs {
		m := n / procs
		if w < n%procs {
			m++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop(w*7919%floorRecords, m); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	wall = time.Since(t0)
	cpu1, _ := cpuTime()
	return wall, cpu1 - cpu0
}
