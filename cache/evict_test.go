package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

func TestEvictionBound(t *testing.T) {
	c, f := newClock(), newFake()
	var mu sync.Mutex
	evicts := 0
	s := newCache(t, f, c, func(o *Options) {
		o.MaxEntries = 3
		o.NotFoundTTL = time.Minute
		o.OnEvent = func(e Event) {
			if e.Kind == EventEvict {
				mu.Lock()
				evicts++
				mu.Unlock()
			}
		}
	})
	for i := range 4 {
		mustFind(t, s, tokenstore.Token{UserName: seed(t, f, tok(c, i)).UserName})
	}
	wantNotFound(t, s, tokenstore.Token{ID: "absent"}) // a cached not-found is an entry too
	st := s.Stats()
	if st.Entries != 3 || st.Evictions != 2 || evicts != 2 {
		t.Fatalf("Stats: got %+v and %d evict events; want 3 entries, 2 evictions", st, evicts)
	}
	if got := s.len(); got != 3 {
		t.Fatalf("queue holds %d entries; want 3", got)
	}
}

// TestSieveKeepsHitEntries: the entry not hit since it was loaded goes
// first, however recently it was loaded.
func TestSieveKeepsHitEntries(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, func(o *Options) { o.MaxEntries = 3 })
	var recs []tokenstore.Token
	for i := range 4 {
		recs = append(recs, seed(t, f, tok(c, i)))
	}
	for _, r := range recs[:3] {
		mustFind(t, s, tokenstore.Token{ID: r.ID})
	}
	mustFind(t, s, tokenstore.Token{UserName: recs[0].UserName}) // hit
	mustFind(t, s, tokenstore.Token{UserName: recs[1].UserName}) // hit
	mustFind(t, s, tokenstore.Token{ID: recs[3].ID})             // evicts recs[2]
	finds := f.finds.Load()
	for _, r := range []tokenstore.Token{recs[0], recs[1], recs[3]} {
		mustFind(t, s, tokenstore.Token{AccessToken: r.AccessToken})
	}
	wantFinds(t, f, finds)
	mustFind(t, s, tokenstore.Token{ID: recs[2].ID})
	wantFinds(t, f, finds+1)
}

// TestEvictExpiredFirst: an entry past its lifetime goes before live ones,
// even if it was hit.
func TestEvictExpiredFirst(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, func(o *Options) { o.MaxEntries = 2; o.ExpirySkew = -1 })
	short := tok(c, 0)
	short.Expiry = c.Now().Add(time.Minute)
	a := seed(t, f, short)
	b := seed(t, f, tok(c, 1))
	d := seed(t, f, tok(c, 2))
	mustFind(t, s, tokenstore.Token{ID: b.ID})
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	mustFind(t, s, tokenstore.Token{ID: a.ID}) // hit: both are visited
	mustFind(t, s, tokenstore.Token{ID: b.ID})
	c.Advance(time.Minute)
	mustFind(t, s, tokenstore.Token{ID: d.ID}) // evicts a, not b
	finds := f.finds.Load()
	mustFind(t, s, tokenstore.Token{ID: b.ID})
	wantFinds(t, f, finds)
}

// len walks the queue both ways and checks the links agree.
func (s *Store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	var prev *entry
	for e := s.head; e != nil; e = e.older {
		if e.newer != prev {
			panic("cache: queue links disagree")
		}
		prev, n = e, n+1
	}
	if prev != s.tail || n != s.n {
		panic("cache: queue tail or count wrong")
	}
	return n
}

func TestStatsAndEvents(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	var mu sync.Mutex
	var kinds []string
	var all []Event
	s := newCache(t, f, c, func(o *Options) {
		o.OnEvent = func(e Event) {
			mu.Lock()
			kinds = append(kinds, e.Kind.String()+":"+e.Op+":"+e.Key.String())
			all = append(all, e)
			mu.Unlock()
		}
	})
	mustFind(t, s, tokenstore.Token{UserName: a.UserName})
	if _, err := s.FindTokenByID(context.Background(), a.ID); err != nil {
		t.Fatalf("FindTokenByID: %v", err)
	}
	wantNotFound(t, s, tokenstore.Token{AccessToken: "secret-at-unknown"})
	dup := tokenstore.Token{UserName: a.UserName, ID: "other", AccessToken: "secret-at-dup"}
	if err := s.SaveToken(context.Background(), &dup); !errors.Is(err, tokenstore.ErrDuplicate) {
		t.Fatalf("SaveToken: got error %v; want ErrDuplicate", err)
	}
	f.setFail(errors.New("backend down"))
	if _, err := s.FindTokenByID(context.Background(), "gone"); err == nil {
		t.Fatal("FindTokenByID with a failing backend: got no error")
	}

	want := []string{
		"miss:FindToken:user_name", "load:FindToken:user_name",
		"hit:FindTokenByID:id",
		"miss:FindToken:access_token", "load:FindToken:access_token",
		"miss:FindTokenByID:id", "load:FindTokenByID:id", "error:FindTokenByID:id",
	}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("events:\n got %v\nwant %v", kinds, want)
	}
	// The failed save dropped the record it named; nothing else was cached.
	wantStats := Stats{Hits: 1, Misses: 3, Loads: 3, Errors: 1, Entries: 0}
	if st := s.Stats(); st != wantStats {
		t.Fatalf("Stats: got %+v; want %+v", st, wantStats)
	}
	// Events and Stats carry no token data.
	shown := fmt.Sprintf("%+v %#v %+v", all, all, s.Stats())
	for _, v := range []string{a.UserName, a.AccessToken, a.RefreshToken, a.GrantToken, a.ClientSecret, "secret-at"} {
		if strings.Contains(shown, v) {
			t.Fatalf("events or stats show token data: %s", shown)
		}
	}
}

func TestHitAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	for _, tc := range []struct {
		name string
		opts func(*Options)
	}{
		{"defaults", nil},
		{"with hook", func(o *Options) { o.OnEvent = func(Event) {} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newCache(t, f, c, tc.opts)
			ctx := context.Background()
			mustFind(t, s, tokenstore.Token{ID: a.ID})
			if n := testing.AllocsPerRun(100, func() { _, _ = s.FindTokenByID(ctx, a.ID) }); n != 0 {
				t.Errorf("FindTokenByID hit: %v allocs; want 0", n)
			}
			for _, q := range queries(a) {
				if n := testing.AllocsPerRun(100, func() { _, _ = s.FindToken(ctx, q) }); n != 0 {
					t.Errorf("FindToken hit: %v allocs; want 0", n)
				}
			}
		})
	}
}

func TestTouchedOverflowDistrustsAll(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, nil)
	early := s.begin(false)
	s.begin(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock++
	for i := range maxTouched + 1 {
		s.touch(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: fmt.Sprint(i)})
	}
	if len(s.touched) > maxTouched {
		t.Fatalf("touched holds %d keys; want at most %d", len(s.touched), maxTouched)
	}
	if !s.conflict(early.start, []tokenstore.Key{{Kind: tokenstore.KeyID, Value: "untouched"}}) {
		t.Fatal("a call begun before the overflow may still cache; want it distrusted")
	}
	s.end()
	s.end()
	if len(s.touched) != 0 {
		t.Fatalf("touched holds %d keys with nothing in flight; want 0", len(s.touched))
	}
}
