package vault

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestFaultSweep plays every write operation with every fault of the fake
// Vault (fakefaults_test.go) at every request N of the operation, through the
// exported API only, and then checks with a store whose requests pass
// untouched what the contract promises after a crash or an uncertain outcome
// (doc.go, "Concurrency" and "Deadlines, uncertain outcomes and unreadable
// records"):
//
//   - a stalled operation returns within its deadline plus faultBound,
//     with the context's error, or success when what stalled was cleanup
//     after the result was stored;
//   - an error shows no secret;
//   - the record the operation writes is in its old or its new state, the
//     other record is untouched, no user name has two records, and every
//     listed record is found by each of its keys;
//   - the operation retried converges on its result.
//
// It runs with the client's resends off, so that every fault reaches the
// store; and a lost answer also with resends on, as users run it: then
// the client's resend is refused (the first copy landed) and the operation
// must succeed as if nothing had happened, and apply only once. A 503
// reaches the store as a dropped connection does, but as an error of its
// own: TestUnavailableStaysReachable checks it once.

const (
	// faultDeadline bounds a stalled operation.
	faultDeadline = 100 * time.Millisecond
	// faultBound is how long after its deadline an operation may return.
	faultBound = 150 * time.Millisecond
)

// faultOp is one write operation of the sweep, on records a and b.
type faultOp struct {
	name string
	run  func(ctx context.Context, s *Store, a, b tokenstore.Token) error
	// want is record a after a successful run (for Insert: the inserted
	// record, ID empty); ok false when a is gone.
	want func(a tokenstore.Token) (tokenstore.Token, bool)
	// twice, if set, is record a when the operation ran twice (it is not
	// idempotent).
	twice func(a tokenstore.Token) tokenstore.Token
}

var faultOps = []faultOp{
	{name: "Insert",
		run: func(ctx context.Context, s *Store, a, _ tokenstore.Token) error {
			c := insertedToken(a)
			return s.SaveToken(ctx, &c)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) { return insertedToken(a), true }},
	{name: "NewAccessToken", // the hourly refresh: one key changes
		run: func(ctx context.Context, s *Store, a, _ tokenstore.Token) error {
			u := tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken + "-new", Expiry: a.Expiry.Add(time.Hour)}
			return s.SaveToken(ctx, &u)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) {
			a.AccessToken += "-new"
			a.Expiry = a.Expiry.Add(time.Hour)
			return a, true
		}},
	{name: "Rename", // by ID; the user name and refresh token change
		run: func(ctx context.Context, s *Store, a, _ tokenstore.Token) error {
			u := tokenstore.Token{ID: a.ID, UserName: "moved-" + a.UserName, RefreshToken: a.RefreshToken + "-new"}
			return s.SaveToken(ctx, &u)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) {
			a.UserName = "moved-" + a.UserName
			a.RefreshToken += "-new"
			return a, true
		}},
	{name: "UpdateToken", // not idempotent: it appends
		run: func(ctx context.Context, s *Store, a, _ tokenstore.Token) error {
			_, err := s.UpdateToken(ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.APIDomain += "/x"
				return r, nil
			})
			return err
		},
		want:  func(a tokenstore.Token) (tokenstore.Token, bool) { a.APIDomain += "/x"; return a, true },
		twice: func(a tokenstore.Token) tokenstore.Token { a.APIDomain += "/x/x"; return a }},
	{name: "DeleteToken",
		run:  func(ctx context.Context, s *Store, a, _ tokenstore.Token) error { return s.DeleteToken(ctx, a.ID) },
		want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
}

// fullToken has every lookup key.
func fullToken(tag string, i int) tokenstore.Token {
	return tokenstore.Token{
		UserName:     fmt.Sprintf("user-%d-%s@example.com", i, tag),
		ClientID:     "1000.client",
		ClientSecret: "secret-cs",
		RefreshToken: fmt.Sprintf("secret-rt-%d-%s", i, tag),
		AccessToken:  fmt.Sprintf("secret-at-%d-%s", i, tag),
		GrantToken:   fmt.Sprintf("secret-gt-%d-%s", i, tag),
		Expiry:       time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		APIDomain:    "https://www.zohoapis.com",
	}
}

func insertedToken(a tokenstore.Token) tokenstore.Token { return fullToken(a.ID, 3) }

// faultWorld is a fake Vault holding records a and b, and a store on it
// whose client sends each request once.
type faultWorld struct {
	f     *fakeVault
	clean *Store
	a, b  tokenstore.Token
}

func newFaultWorld(t *testing.T) *faultWorld {
	t.Helper()
	f := newFakeVault(t)
	f.mount("kv2", 2).casRequired = true
	w := &faultWorld{f: f, clean: faultStore(t, f, false)}
	w.a, w.b = fullToken("s", 1), fullToken("s", 2)
	for _, p := range []*tokenstore.Token{&w.a, &w.b} {
		if err := w.clean.SaveToken(context.Background(), p); err != nil {
			t.Fatalf("seed: SaveToken: %v", err)
		}
	}
	return w
}

// copy returns a world on a server of its own in the same state as w.
func (w *faultWorld) copy(t *testing.T) *faultWorld {
	t.Helper()
	f := newFakeVault(t)
	f.copyFrom(w.f)
	return &faultWorld{f: f, clean: faultStore(t, f, false), a: w.a, b: w.b}
}

// faultStore returns a store on f's kv2 mount. With resend, its client resends
// a failed request twice, a millisecond apart; otherwise never.
func faultStore(t *testing.T, f *fakeVault, resend bool) *Store {
	t.Helper()
	c := f.client(t, func(cfg *api.Config) {
		cfg.MaxRetries = 0
		if resend {
			cfg.MaxRetries = 2
		}
		cfg.MinRetryWait, cfg.MaxRetryWait = time.Millisecond, time.Millisecond
	})
	s, err := New(c, &Options{Mount: "kv2", Prefix: "faults", RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// faultSem bounds the faulted runs in flight.
var faultSem = make(chan struct{}, 8)

func TestFaultSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the fault sweep plays a few hundred faulted runs")
	}
	for _, op := range faultOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			w := newFaultWorld(t)
			count := w.copy(t)
			count.f.inject(faultUnavailable, math.MaxInt, nil, false) // counts, never fires
			if err := op.run(context.Background(), count.clean, w.a, w.b); err != nil {
				t.Fatalf("%s without faults: %v", op.name, err)
			}
			calls := count.f.seen()
			t.Logf("%s: %d requests", op.name, calls)
			var wg sync.WaitGroup
			for _, resend := range []bool{false, true} {
				for _, kind := range faultKinds {
					if kind == faultUnavailable || resend && kind != faultLoseAnswer {
						continue // see the comment at the top of the file
					}
					for n := 1; n <= calls; n++ {
						name := fmt.Sprintf("%s@%d", kind, n)
						if resend {
							name = "Resend/" + name
						}
						faultSem <- struct{}{}
						wg.Add(1)
						go func() {
							defer func() { <-faultSem; wg.Done() }()
							t.Run(name, func(t *testing.T) { runFaulted(t, w.copy(t), op, kind, n, resend) })
						}()
					}
				}
			}
			wg.Wait()
		})
	}
}

func runFaulted(t *testing.T, w *faultWorld, op faultOp, kind faultKind, n int, resend bool) {
	s := faultStore(t, w.f, resend)
	stall := kind == faultStall || kind == faultApplyStall
	// Without resends a fault stays: the network is gone from request n
	// on. A lost answer is one-off, else nothing would ever be applied.
	w.f.inject(kind, n, nil, !resend && kind != faultLoseAnswer)
	deadline := 10 * time.Second
	if stall {
		deadline = faultDeadline
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	start := time.Now()
	err := op.run(ctx, s, w.a, w.b)
	took := time.Since(start)
	cancel()
	fired := w.f.faulted() > 0
	w.f.inject(faultNone, 0, nil, false)

	if took > deadline+faultBound {
		t.Errorf("returned after %v; want within %v", took.Round(time.Millisecond), deadline+faultBound)
	}
	if err != nil && secretShown(err, w.a, w.b, insertedToken(w.a)) {
		t.Errorf("error shows a secret: %v", err)
	}
	switch {
	case !fired && err != nil && errors.Is(err, context.DeadlineExceeded):
		t.Logf("ran out of its %v before request %d: nothing to check", deadline, n)
	case !fired && err != nil:
		t.Errorf("failed with no fault injected: %v", err)
	case fired && stall && err != nil && !errors.Is(err, context.DeadlineExceeded):
		// Success is right when only best-effort cleanup stalled, after
		// the record was stored (package doc: entries of keys a record
		// loses are deleted after the record is written).
		t.Errorf("stalled: got %v; want success or an error wrapping context.DeadlineExceeded", err)
	case fired && resend && err != nil:
		t.Errorf("one %s healed by the client's resend: got %v; want success", kind, err)
	}

	// storetest.WantCoherent finds every listed record by each of its keys, so the
	// records need only be compared by ID.
	bg := context.Background()
	storetest.WantCoherent(t, bg, w.clean)
	if got, err := w.clean.FindTokenByID(bg, w.b.ID); err != nil || !got.Equal(w.b) {
		t.Errorf("the other record: %v, %v; want it unchanged", got, err)
	}
	if op.name == "Insert" {
		if got, err := w.clean.FindTokenByID(bg, w.a.ID); err != nil || !got.Equal(w.a) {
			t.Errorf("a record stored before: %v, %v; want it unchanged", got, err)
		}
	} else {
		checkState(t, bg, w.clean, op, w.a, err == nil, false)
	}
	if err == nil && op.twice != nil {
		return // done once; running it again would change it again
	}

	// The same operation retried by a healthy process converges.
	rerr := op.run(bg, w.clean, w.a, w.b)
	if op.name == "DeleteToken" && errors.Is(rerr, tokenstore.ErrNotFound) {
		rerr = nil
	}
	if rerr != nil {
		t.Fatalf("retry: %v", rerr)
	}
	all := storetest.WantCoherent(t, bg, w.clean)
	switch op.name {
	case "Insert":
		storetest.WantFound(t, bg, w.clean, insertedToken(w.a), "the inserted record after the retry")
		if len(all) != 3 {
			t.Errorf("after the retried insert there are %d records; want 3", len(all))
		}
	default:
		checkState(t, bg, w.clean, op, w.a, true, op.twice != nil && kind.applies())
	}
	if _, ok := op.want(w.a); !ok {
		// No version history keeps the deleted record's material.
		for _, v := range []string{w.a.ID, w.a.AccessToken, w.a.RefreshToken, w.a.GrantToken} {
			if ps := w.f.pathsHolding("kv2", v); len(ps) > 0 {
				t.Errorf("after the retried delete %v still hold a value of the record", ps)
			}
		}
	}
}

// A 503 is Vault's answer, wrapped, not flattened.
func TestUnavailableStaysReachable(t *testing.T) {
	w := newFaultWorld(t)
	s := faultStore(t, w.f, false)
	w.f.inject(faultUnavailable, 1, isWrite, true)
	u := tokenstore.Token{ID: w.a.ID, AccessToken: w.a.AccessToken, APIDomain: "https://elsewhere"}
	err := s.SaveToken(context.Background(), &u)
	var re *api.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got %v; want a reachable *api.ResponseError with status 503", err)
	}
}

// checkState checks record a: when done, it is in op's result (or, with
// maybeTwice, op's result twice); otherwise in its old state or the
// result.
func checkState(t *testing.T, ctx context.Context, s *Store, op faultOp, a tokenstore.Token, done, maybeTwice bool) {
	t.Helper()
	want, exists := op.want(a)
	want.ID = a.ID
	got, err := s.FindTokenByID(ctx, a.ID)
	var states []tokenstore.Token
	if !done {
		states = append(states, a)
	}
	if exists {
		states = append(states, want)
	}
	if maybeTwice {
		states = append(states, op.twice(a))
	}
	switch {
	case errors.Is(err, tokenstore.ErrNotFound):
		if exists {
			t.Errorf("record a is gone; want one of %v", states)
		}
		return
	case err != nil:
		t.Fatalf("FindTokenByID(a): %v", err)
	case len(states) == 0:
		t.Errorf("record a is %v; want it gone", got)
		return
	}
	for _, st := range states {
		if got.Equal(st) {
			return
		}
	}
	t.Errorf("record a is %v; want one of %v", got, states)
}

// secretShown reports whether err's message shows a secret or user name of
// any of toks.
func secretShown(err error, toks ...tokenstore.Token) bool {
	msg := err.Error()
	for _, tok := range toks {
		for _, v := range []string{tok.UserName, tok.ClientSecret, tok.RefreshToken, tok.AccessToken, tok.GrantToken} {
			if v != "" && strings.Contains(msg, v) {
				return true
			}
		}
	}
	return false
}
