package cache_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/internal/cputime"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// floorRecords is how many records BenchmarkFloor caches.
const floorRecords = 1000

// floorPath is one hit path of BenchmarkFloor. hit(start, n) makes n finds
// of consecutive records from the start'th on (wrapping), and floor the
// same n lookups the cheapest way any Go cache can: a sync.Map load by the
// same string plus copying the Token out. clockFloor is floor plus the one
// thing a hit must add to it to keep the cache's freshness guarantee: one
// read of the clock, compared with the time the record stays fresh until.
// The loops are written out in each so that no call through a func value
// is measured.
type floorPath struct {
	name       string
	hit        func(start, n int) error
	floor      func(start, n int) error
	clockFloor func(start, n int) error
	one        func(i int) (hit, floor, clockFloor tokenstore.Token, err error)
}

// clocked is a value of the clock floor's map: a record and the time it
// stays fresh until, on the clock of time.Since(epoch).
type clocked struct {
	fresh time.Duration
	tok   tokenstore.Token
}

// floorPaths caches floorRecords records, each with every key kind, and
// returns the hit paths over them.
func floorPaths(b *testing.B) []floorPath {
	b.Helper()
	ctx := context.Background()
	c, err := cache.New(savesOnly{memstore.New(nil)}, nil)
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
	// The clock floor reads the clock as the cache does, the cheapest way
	// Go offers: time.Since of a time with a monotonic reading.
	epoch := time.Now()
	var paths []floorPath
	for _, k := range kinds {
		qs := make([]tokenstore.Token, len(toks))
		vals := make([]string, len(toks))
		var m, cm sync.Map
		for i, t := range toks {
			qs[i], vals[i] = k.query(t), k.value(t)
			// Copies of the strings, as a caller's query would hold.
			vals[i] = string([]byte(vals[i]))
			m.Store(k.value(t), &toks[i])
			cm.Store(k.value(t), &clocked{fresh: time.Since(epoch) + time.Hour, tok: toks[i]})
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
		clockFloor := func(start, n int) error {
			for i := range n {
				v, _ := cm.Load(vals[(start+i)%floorRecords])
				c := v.(*clocked)
				if time.Since(epoch) >= c.fresh {
					return errors.New("clock floor: record past its time")
				}
				if t := c.tok; t.ID == "" {
					return errors.New("clock floor: empty record")
				}
			}
			return nil
		}
		floorOne := func(i int) (floor, clockFloor tokenstore.Token) {
			v, _ := m.Load(vals[i])
			c, _ := cm.Load(vals[i])
			return *v.(*tokenstore.Token), c.(*clocked).tok
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
				}, floor, clockFloor,
				func(i int) (tokenstore.Token, tokenstore.Token, tokenstore.Token, error) {
					t, err := c.FindTokenByID(ctx, ids[i])
					f, cf := floorOne(i)
					return t, f, cf, err
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
			}, floor, clockFloor,
			func(i int) (tokenstore.Token, tokenstore.Token, tokenstore.Token, error) {
				t, err := c.FindToken(ctx, qs[i])
				f, cf := floorOne(i)
				return t, f, cf, err
			}})
	}
	for _, p := range paths { // every path is a hit on the right record
		for i := range toks {
			hit, floor, clockFloor, err := p.one(i)
			if err != nil || hit != toks[i] || floor != toks[i] || clockFloor != toks[i] {
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
// record an ID, which is all the cache needs to hold it. Every find of the
// benchmark is a hit.
type savesOnly struct{ *memstore.Store }

func (savesOnly) SaveToken(_ context.Context, t *tokenstore.Token) error {
	if t.ID == "" {
		t.ID = tokenstore.NewID()
	}
	return nil
}

// BenchmarkFloor measures each hit path of the cache against two floors on
// the same 1,000 records in the same run, and reports the ratios, which mean
// the same on any machine: the floor, a sync.Map lookup plus copying the
// Token out (x-floor, wall time; cpu-x-floor, CPU time), and the clock floor,
// the same plus the one clock read that the freshness guarantee needs
// (x-clock-floor, cpu-x-clock-floor). ns/op, cpu-ns/op and allocs/op are the
// hit path's; floor-ns/op and clock-floor-ns/op the floors'. The calls of the
// three loops alternate in chunks so that a busy neighbour slows them alike.
// "serial" is one goroutine; "parallel" is GOMAXPROCS goroutines (run with
// -cpu 2 for the two).
func BenchmarkFloor(b *testing.B) {
	paths := floorPaths(b)
	for _, mode := range []string{"serial", "parallel"} {
		for _, p := range paths {
			b.Run(mode+"/"+p.name, func(b *testing.B) {
				procs := 1
				if mode == "parallel" {
					procs = runtime.GOMAXPROCS(0)
				}
				measureFloor(b, procs, p)
			})
		}
	}
}

// floorChunks is how many times measureFloor alternates between the loops.
const floorChunks = 8

// measureFloor runs b.N hits and b.N lookups of each floor over procs
// goroutines, alternating in chunks, with the benchmark timer running only
// for the hits, and reports all three and the hits' ratios to the floors.
func measureFloor(b *testing.B, procs int, p floorPath) {
	var hit, floor, clockFloor loopTime
	b.ReportAllocs()
	for chunk := range floorChunks {
		n := b.N / floorChunks
		if chunk < b.N%floorChunks {
			n++
		}
		b.StopTimer()
		floor.add(timeLoops(b, procs, n, p.floor))
		clockFloor.add(timeLoops(b, procs, n, p.clockFloor))
		b.StartTimer()
		hit.add(timeLoops(b, procs, n, p.hit))
	}
	b.StopTimer()
	perOp := func(d time.Duration) float64 { return float64(d) / float64(b.N) }
	b.ReportMetric(perOp(floor.wall), "floor-ns/op")
	b.ReportMetric(perOp(clockFloor.wall), "clock-floor-ns/op")
	if floor.wall > 0 && clockFloor.wall > 0 {
		b.ReportMetric(float64(hit.wall)/float64(floor.wall), "x-floor")
		b.ReportMetric(float64(hit.wall)/float64(clockFloor.wall), "x-clock-floor")
	}
	if hit.cpu > 0 && floor.cpu > 0 && clockFloor.cpu > 0 {
		b.ReportMetric(perOp(hit.cpu), "cpu-ns/op")
		b.ReportMetric(float64(hit.cpu)/float64(floor.cpu), "cpu-x-floor")
		b.ReportMetric(float64(hit.cpu)/float64(clockFloor.cpu), "cpu-x-clock-floor")
	}
}

// loopTime sums the wall and CPU time of a loop's chunks.
type loopTime struct{ wall, cpu time.Duration }

func (l *loopTime) add(wall, cpu time.Duration) { l.wall, l.cpu = l.wall+wall, l.cpu+cpu }

// timeLoops makes n calls split over procs goroutines, each walking the
// records from its own place with loop, and returns the wall and CPU time
// taken.
func timeLoops(b *testing.B, procs, n int, loop func(start, n int) error) (wall, cpu time.Duration) {
	cpu0, _ := cputime.Now()
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
	cpu1, _ := cputime.Now()
	return wall, cpu1 - cpu0
}
