package cache

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// The tests here make races deterministic: a gate stops the first backend
// call of the given operations after it has read or written the records and
// before it returns, the test runs the competing operation to completion,
// then opens the gate.

type gate struct {
	reached chan struct{} // closed when the call is held
	release chan struct{} // close to let it return
}

func hold(f *fake, ops ...string) *gate {
	g := &gate{reached: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	f.setAfter(func(op string) {
		if !slices.Contains(ops, op) {
			return
		}
		first := false
		once.Do(func() { first = true })
		if first {
			close(g.reached)
			<-g.release
		}
	})
	return g
}

// async runs fn in a goroutine and returns a channel closed when it ends.
func async(fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	return done
}

var findOps = []string{opFind, opFindByID}

// TestSlowLoadThenSave: a load reads the old record, a save through the
// cache replaces it, then the load returns. The old record must not be
// cached under any key, whichever key the load was for, and whether or not
// the saved record is cacheable itself (an access token about to expire is
// not: then no newer entry stands in the old one's way).
func TestSlowLoadThenSave(t *testing.T) {
	c := newClock()
	for _, expiresIn := range []time.Duration{time.Hour, time.Second} {
		for i, name := range []string{"id", "user_name", "access_token", "grant_token", "refresh_token"} {
			t.Run(name+"/expires in "+expiresIn.String(), func(t *testing.T) {
				slowLoadThenSave(t, c, i, expiresIn)
			})
		}
	}
}

func slowLoadThenSave(t *testing.T, c *clock, i int, expiresIn time.Duration) {
	f := newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, func(o *Options) { o.NotFoundTTL = time.Minute })
	g := hold(f, findOps...)
	var loaded tokenstore.Token
	done := async(func() { loaded, _ = s.FindToken(context.Background(), queries(a)[i]) })
	<-g.reached

	n := tok(c, 1)
	upd := tokenstore.Token{ID: a.ID, AccessToken: n.AccessToken, RefreshToken: n.RefreshToken,
		GrantToken: n.GrantToken, Expiry: c.Now().Add(expiresIn)}
	if err := s.SaveToken(context.Background(), &upd); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	close(g.release)
	<-done
	wantSame(t, "the slow load's own answer", loaded, a)

	finds := f.finds.Load()
	for _, q := range queries(upd) {
		wantSame(t, "after the race", mustFind(t, s, q), upd)
	}
	if expiresIn > s.cfg.skew {
		wantFinds(t, f, finds) // all hits, on the saved record
	}
	for _, q := range queries(a)[2:] {
		wantNotFound(t, s, q) // the old keys are gone
	}
}

func TestSlowLoadThenDelete(t *testing.T) {
	c := newClock()
	for _, tc := range []struct {
		name string
		del  func(s *Store, a tokenstore.Token) error
	}{
		{"DeleteToken", func(s *Store, a tokenstore.Token) error { return s.DeleteToken(context.Background(), a.ID) }},
		{"DeleteTokens", func(s *Store, a tokenstore.Token) error { return s.DeleteTokens(context.Background()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			a := seed(t, f, tok(c, 0))
			s := newCache(t, f, c, nil)
			g := hold(f, findOps...)
			done := async(func() { _, _ = s.FindToken(context.Background(), tokenstore.Token{UserName: a.UserName}) })
			<-g.reached
			if err := tc.del(s, a); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			close(g.release)
			<-done
			for _, q := range queries(a) {
				wantNotFound(t, s, q)
			}
		})
	}
}

// TestSlowNotFoundThenSave: a load answers "not found", a save creates the
// record, then the load returns: the cached answer must not hide the record.
func TestSlowNotFoundThenSave(t *testing.T) {
	c, f := newClock(), newFake()
	s := newCache(t, f, c, func(o *Options) { o.NotFoundTTL = time.Hour })
	a := tok(c, 0)
	g := hold(f, findOps...)
	done := async(func() { _, _ = s.FindToken(context.Background(), tokenstore.Token{UserName: a.UserName}) })
	<-g.reached
	if err := s.SaveToken(context.Background(), &a); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	close(g.release)
	<-done
	wantSame(t, "after the race", mustFind(t, s, tokenstore.Token{UserName: a.UserName}), a)
}

// TestSlowSaveThenSave: the first save reaches the backend first but its
// answer comes back last. Its older record must not end up cached.
func TestSlowSaveThenSave(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	g := hold(f, opSave)
	first := tokenstore.Token{ID: a.ID, AccessToken: "secret-at-first"}
	done := async(func() {
		if err := s.SaveToken(context.Background(), &first); err != nil {
			t.Errorf("first SaveToken: %v", err)
		}
	})
	<-g.reached
	second := tokenstore.Token{ID: a.ID, AccessToken: "secret-at-second"}
	if err := s.SaveToken(context.Background(), &second); err != nil {
		t.Fatalf("second SaveToken: %v", err)
	}
	close(g.release)
	<-done
	got := mustFind(t, s, tokenstore.Token{ID: a.ID})
	if got.AccessToken != second.AccessToken {
		t.Fatal("after two overlapping saves the cache serves the first one's record; want the second's")
	}
	wantNotFound(t, s, tokenstore.Token{AccessToken: first.AccessToken})
}

// TestSlowLoadThenNewerLoad: another instance changes the record between
// two loads of it here; the older load returns last and must not replace
// the newer one's entry.
func TestSlowLoadThenNewerLoad(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	g := hold(f, findOps...)
	done := async(func() { _, _ = s.FindTokenByID(context.Background(), a.ID) })
	<-g.reached
	upd := seed(t, f, tokenstore.Token{ID: a.ID, AccessToken: "secret-at-elsewhere"})
	wantSame(t, "newer load", mustFind(t, s, tokenstore.Token{UserName: a.UserName}), upd)
	close(g.release)
	<-done
	finds := f.finds.Load()
	wantSame(t, "after the race", mustFind(t, s, tokenstore.Token{ID: a.ID}), upd)
	wantFinds(t, f, finds)
}

// TestThousandMissesOneCall: 1,000 callers missing on one key at once make
// exactly one backend call, and all get its answer.
func TestThousandMissesOneCall(t *testing.T) {
	const callers = 1000
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	g := hold(f, findOps...)
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.FindToken(context.Background(), tokenstore.Token{UserName: a.UserName})
			if err == nil && got.ID != a.ID {
				err = errors.New("wrong record")
			}
			errs <- err
		}()
	}
	<-g.reached
	waitFor(t, func() bool { return s.waiting.Load() == callers })
	close(g.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("FindToken: %v", err)
		}
	}
	wantFinds(t, f, 1)
	if st := s.Stats(); st.Misses != callers || st.Loads != 1 || st.Coalesced != callers-1 {
		t.Fatalf("Stats: got %+v; want %d misses, 1 load, %d coalesced", st, callers, callers-1)
	}
}

// TestCancelledCallerFailsNoOther: of two callers waiting for one load, the
// one whose context ends gets its context's error at once; the load goes
// on for the other and is cached.
func TestCancelledCallerFailsNoOther(t *testing.T) {
	c, f := newClock(), newFake()
	a := seed(t, f, tok(c, 0))
	s := newCache(t, f, c, nil)
	g := hold(f, findOps...)
	ctx, cancel := context.WithCancel(context.Background())
	var firstErr, secondErr error
	var second tokenstore.Token
	first := async(func() { _, firstErr = s.FindTokenByID(ctx, a.ID) })
	<-g.reached // the first caller's load is in flight
	other := async(func() { second, secondErr = s.FindTokenByID(context.Background(), a.ID) })
	waitFor(t, func() bool { return s.waiting.Load() == 2 })
	cancel()
	<-first
	if !errors.Is(firstErr, context.Canceled) {
		t.Fatalf("cancelled caller: got error %v; want context.Canceled", firstErr)
	}
	close(g.release)
	<-other
	if secondErr != nil {
		t.Fatalf("other caller: got error %v; want the record", secondErr)
	}
	wantSame(t, "other caller", second, a)
	mustFind(t, s, tokenstore.Token{ID: a.ID})
	wantFinds(t, f, 1)
}

// waitFor yields until cond holds; it fails the test after ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		runtime.Gosched()
	}
}
