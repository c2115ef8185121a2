package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

func TestNewOptions(t *testing.T) {
	f := newFake()
	for _, c := range []struct {
		name string
		next tokenstore.Store
		opts *Options
		ok   bool
	}{
		{"nil options", f, nil, true},
		{"zero options", f, &Options{}, true},
		{"no jitter, no skew", f, &Options{Jitter: -1, ExpirySkew: -1}, true},
		{"nil next", nil, nil, false},
		{"negative TTL", f, &Options{TTL: -time.Second}, false},
		{"jitter 1", f, &Options{Jitter: 1}, false},
		{"negative MaxEntries", f, &Options{MaxEntries: -1}, false},
	} {
		_, err := New(c.next, c.opts)
		if got := err == nil; got != c.ok {
			t.Errorf("%s: got error %v; want ok=%v", c.name, err, c.ok)
		}
	}
	c, _ := New(f, nil)
	s := storeOf(c)
	if s.cfg.ttl != DefaultTTL || s.cfg.jitter != DefaultJitter || s.cfg.skew != DefaultExpirySkew ||
		s.cfg.maxEntries != DefaultMaxEntries || s.cfg.loadTimeout != DefaultLoadTimeout ||
		s.cfg.notFoundTTL != 0 || s.cfg.staleIfError != 0 {
		t.Fatalf("defaults: got %+v", s.cfg)
	}
}

func TestLoadCachesUnderEveryKey(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	for i, first := range queries(a) {
		t.Run(tokenstore.Key{Kind: tokenstore.KeyKind(i + 1)}.Kind.String(), func(t *testing.T) {
			s := newCache(t, f, c, nil)
			before := f.finds.Load()
			wantSame(t, "first find", mustFind(t, s, first), a)
			for _, q := range queries(a) {
				wantSame(t, "cached find", mustFind(t, s, q), a)
			}
			got, err := s.FindTokenByID(context.Background(), a.ID)
			if err != nil {
				t.Fatalf("FindTokenByID: %v", err)
			}
			wantSame(t, "FindTokenByID", got, a)
			wantFinds(t, f, before+1)
			if st := s.Stats(); st.Misses != 1 || st.Loads != 1 || st.Hits != 6 || st.Entries != 1 {
				t.Fatalf("Stats: got %+v; want 1 miss, 1 load, 6 hits, 1 entry", st)
			}
		})
	}
}

func TestTTL(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, func(o *Options) { o.TTL = time.Minute })
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	c.Advance(time.Minute - time.Nanosecond)
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	wantFinds(t, f, 1)
	c.Advance(time.Nanosecond)
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	wantFinds(t, f, 2)
}

func TestJitterOnlyShortens(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, func(o *Options) { o.TTL = time.Minute; o.Jitter = 0.5 })
	at := c.Now()
	a := tok(c, 0)
	a.ID = "x"
	lo, hi := time.Minute, time.Duration(0)
	for range 1000 {
		e := s.tokenEntry(a, driver.Keys(a), 1, at)
		d := time.Duration(e.fresh - s.rel(at))
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo < 30*time.Second || hi > time.Minute {
		t.Fatalf("fresh for [%v, %v] after load; want within [30s, 1m]", lo, hi)
	}
	if hi-lo < 10*time.Second {
		t.Fatalf("fresh deadlines span only %v; want them spread by jitter", hi-lo)
	}
}

func TestExpiryBound(t *testing.T) {
	c := newClock()
	for _, tc := range []struct {
		name      string
		expiresIn time.Duration // from now; 0 means no Expiry
		access    bool
		freshFor  time.Duration // 0 means never cached
	}{
		{"far expiry: TTL bound", 2 * time.Hour, true, 5 * time.Minute},
		{"near expiry: expiry minus skew", 2 * time.Minute, true, 90 * time.Second},
		{"within skew: not cached", 20 * time.Second, true, 0},
		{"expired: not cached", -time.Minute, true, 0},
		{"no expiry: TTL bound", 0, true, 5 * time.Minute},
		{"no access token: TTL bound", 20 * time.Second, false, 5 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			in := tok(c, 0)
			in.Expiry = time.Time{}
			if tc.expiresIn != 0 {
				in.Expiry = c.Now().Add(tc.expiresIn)
			}
			if !tc.access {
				in.AccessToken = ""
			}
			a := seed(t, f, in)
			s := newCache(t, f, newClockAt(c.Now()), nil)
			mustFind(t, s, tokenstore.Token{ID: a.ID})
			mustFind(t, s, tokenstore.Token{ID: a.ID})
			if tc.freshFor == 0 {
				wantFinds(t, f, 2)
				return
			}
			wantFinds(t, f, 1)
			e := s.get(&tokenstore.Key{Kind: tokenstore.KeyID, Value: a.ID})
			if got := time.Duration(e.fresh - s.rel(c.Now())); got != tc.freshFor {
				t.Fatalf("fresh for %v; want %v", got, tc.freshFor)
			}
		})
	}
}

func newClockAt(t time.Time) *clock { return &clock{now: t} }

// TestRefreshByOtherInstanceSeen is the point of the expiry bound: one
// instance refreshes the access token; the other serves its cached token
// until that token is within the skew of expiry and then reads the new one.
func TestRefreshByOtherInstanceSeen(t *testing.T) {
	c, f := newClock(), newFake()
	in := tok(c, 0)
	in.Expiry = c.Now().Add(3 * time.Minute)
	a := seed(t, f, in)
	mine := newCache(t, f, c, func(o *Options) { o.TTL = time.Hour })
	other := newCache(t, f, c, nil)
	mustFind(t, mine, tokenstore.Token{UserName: a.UserName})

	c.Advance(2 * time.Minute)
	refreshed := tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-new", Expiry: c.Now().Add(time.Hour)}
	if err := other.SaveToken(context.Background(), &refreshed); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	wantSame(t, "before the skew", mustFind(t, mine, tokenstore.Token{UserName: a.UserName}), a)
	c.Advance(30 * time.Second) // now 30s before the old expiry: the skew
	wantSame(t, "within the skew", mustFind(t, mine, tokenstore.Token{UserName: a.UserName}), refreshed)
}

func TestWriteThrough(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, nil)
	a := tok(c, 0)
	if err := s.SaveToken(context.Background(), &a); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	for _, q := range queries(a) {
		wantSame(t, "after save", mustFind(t, s, q), a)
	}
	wantFinds(t, f, 0)

	// Rotate every key but the ID: the old keys must go, the new ones hit.
	n := tok(c, 1)
	upd := tokenstore.Token{ID: a.ID, UserName: n.UserName, AccessToken: n.AccessToken,
		RefreshToken: n.RefreshToken, GrantToken: n.GrantToken}
	if err := s.SaveToken(context.Background(), &upd); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	for _, q := range queries(upd) {
		wantSame(t, "new key", mustFind(t, s, q), upd)
	}
	wantFinds(t, f, 0)
	for _, q := range queries(a)[1:] {
		wantNotFound(t, s, q)
	}
	wantFinds(t, f, 4)
}

func TestSaveFailureInvalidates(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, nil)
	a := seed(t, f, tok(c, 0))
	b := seed(t, f, tok(c, 1))
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	mustFind(t, s, tokenstore.Token{ID: b.ID})
	upd := tokenstore.Token{ID: b.ID, UserName: a.UserName, AccessToken: "secret-at-x"}
	if err := s.SaveToken(context.Background(), &upd); !errors.Is(err, tokenstore.ErrDuplicate) {
		t.Fatalf("SaveToken: got error %v; want ErrDuplicate", err)
	}
	// Both records the failed save named are dropped and read again.
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	mustFind(t, s, tokenstore.Token{ID: b.ID})
	wantFinds(t, f, 4)
}

func TestDeleteInvalidates(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, nil)
	a := seed(t, f, tok(c, 0))
	b := seed(t, f, tok(c, 1))
	mustFind(t, s, tokenstore.Token{UserName: a.UserName})
	mustFind(t, s, tokenstore.Token{UserName: b.UserName})
	if err := s.DeleteToken(context.Background(), a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	for _, q := range queries(a) {
		wantNotFound(t, s, q)
	}
	for _, q := range queries(b) {
		mustFind(t, s, q)
	}
	wantFinds(t, f, 2+5)

	if err := s.DeleteTokens(context.Background()); err != nil {
		t.Fatalf("DeleteTokens: %v", err)
	}
	if st := s.Stats(); st.Entries != 0 {
		t.Fatalf("entries after DeleteTokens: got %d; want 0", st.Entries)
	}
	wantNotFound(t, s, tokenstore.Token{ID: b.ID})
}

// TestDeleteByOtherInstance: a record deleted elsewhere is served until
// its TTL, the documented bound; a delete here of an ID that the backend
// no longer has still drops it.
func TestDeleteByOtherInstance(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, nil)
	a := seed(t, f, tok(c, 0))
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	if err := f.DeleteToken(context.Background(), a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	if err := s.DeleteToken(context.Background(), a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("DeleteToken: got error %v; want ErrNotFound", err)
	}
	wantNotFound(t, s, tokenstore.Token{ID: a.ID})
}

func TestNotFound(t *testing.T) {
	c, f := newClock(), newFake()
	q := tokenstore.Token{UserName: "nobody@example.com"}

	off := newCache(t, f, c, nil)
	wantNotFound(t, off, q)
	wantNotFound(t, off, q)
	wantFinds(t, f, 2)

	on := newCache(t, f, c, func(o *Options) { o.NotFoundTTL = 10 * time.Second })
	wantNotFound(t, on, q)
	wantNotFound(t, on, q)
	_, err := on.FindTokenByID(context.Background(), "nope")
	if !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID: got error %v; want ErrNotFound", err)
	}
	_, err = on.FindTokenByID(context.Background(), "nope")
	if !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID: got error %v; want ErrNotFound", err)
	}
	wantFinds(t, f, 4)
	c.Advance(10 * time.Second)
	wantNotFound(t, on, q)
	wantFinds(t, f, 5)

	// A save of the user replaces the cached answer.
	a := tokenstore.Token{UserName: q.UserName, AccessToken: "secret-at-x"}
	if err := on.SaveToken(context.Background(), &a); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	wantSame(t, "after save", mustFind(t, on, q), a)
	wantFinds(t, f, 5)
}

func TestStaleIfError(t *testing.T) {
	c := newClock()
	down := errors.New("backend down")
	for _, tc := range []struct {
		name      string
		stale     time.Duration
		after     time.Duration // since the entry stopped being fresh
		wantStale bool
	}{
		{"off", 0, 0, false},
		{"within the window", time.Minute, 59 * time.Second, true},
		{"past the window", time.Minute, time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			a := seed(t, f, tok(c, 0))
			clk := newClockAt(c.Now())
			var events []Event
			s := newCache(t, f, clk, func(o *Options) {
				o.TTL = time.Minute
				o.StaleIfError = tc.stale
				o.OnEvent = func(e Event) { events = append(events, e) }
			})
			mustFind(t, s, tokenstore.Token{ID: a.ID})
			clk.Advance(time.Minute + tc.after)
			f.setFail(down)
			got, err := s.FindToken(context.Background(), tokenstore.Token{UserName: a.UserName})
			if !tc.wantStale {
				if !errors.Is(err, down) {
					t.Fatalf("FindToken: got error %v; want the backend's", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FindToken: got error %v; want a stale value", err)
			}
			wantSame(t, "stale", got, a)
			if st := s.Stats(); st.StaleServed != 1 || st.Errors != 1 {
				t.Fatalf("Stats: got %+v; want 1 stale served, 1 error", st)
			}
			last := events[len(events)-1]
			if last.Kind != EventStale || !errors.Is(last.Err, down) || last.Key != tokenstore.KeyUserName {
				t.Fatalf("last event: got %+v; want a stale event with the backend error", last)
			}
		})
	}
}

// TestStaleNeverAfterWrite: a value dropped by a write is not served stale.
func TestStaleNeverAfterWrite(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, func(o *Options) { o.StaleIfError = time.Hour })
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	if err := s.DeleteToken(context.Background(), a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	f.setFail(errors.New("backend down"))
	if _, err := s.FindTokenByID(context.Background(), a.ID); err == nil {
		t.Fatal("FindTokenByID after delete and backend failure: got a value; want the error")
	}
}

func TestContextEndedBeforeHit(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.FindTokenByID(ctx, a.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("FindTokenByID: got error %v; want context.Canceled", err)
	}
	if _, err := s.FindToken(ctx, tokenstore.Token{ID: a.ID}); !errors.Is(err, context.Canceled) {
		t.Fatalf("FindToken: got error %v; want context.Canceled", err)
	}
}

func TestInvalidQueries(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, nil)
	if _, err := s.FindToken(context.Background(), tokenstore.Token{}); !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Fatalf("FindToken(no key): got error %v; want ErrInvalidToken", err)
	}
	if _, err := s.FindTokenByID(context.Background(), "../x"); !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Fatalf("FindTokenByID(bad ID): got error %v; want ErrInvalidToken", err)
	}
	if err := s.SaveToken(context.Background(), nil); !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Fatalf("SaveToken(nil): got error %v; want ErrInvalidToken", err)
	}
	wantFinds(t, f, 0)
}

func TestBackendPanicReachesCaller(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	f.setAfter(func(string) { panic("boom") })
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v; want the backend's panic", r)
			}
		}()
		_, _ = s.FindTokenByID(context.Background(), a.ID)
	}()
	f.setAfter(nil)
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	if s.active != 0 {
		t.Fatalf("calls in flight after a panic: got %d; want 0", s.active)
	}
}
