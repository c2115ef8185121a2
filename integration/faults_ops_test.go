package integration_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// The fault-sequence test plays, for every operation of a store, every
// fault of integration.Faults at every request N of the operation's call
// sequence: the call fails before reaching the server, is applied with its
// answer lost, or stalls past the caller's deadline. Then it checks, with a
// store whose requests pass untouched, what the contract promises after a
// crash or an uncertain outcome:
//
//   - the operation returned within its deadline plus deadlineBound;
//   - every record stored before (but the one the operation changes) is
//     still found by every key, unchanged;
//   - whatever a lookup finds holds the key it was found by, and every
//     listed record is found by each of its keys (no dangling entry, no
//     record that lists but cannot be found);
//   - no user name belongs to two records;
//   - the same operation retried converges: one record, found by all keys.

// deadlineBound is how long after its context's deadline an operation may
// return: the documented bound of every store (doc.go, "Deadlines, uncertain
// outcomes and unreadable records").
const deadlineBound = 100 * time.Millisecond

// faultDeadline is the least deadline of a faulted operation; it grows to
// four times the operation's time without faults.
const faultDeadline = time.Second

// faultBackend makes stores of one backend for the fault-sequence test.
type faultBackend struct {
	// newStore returns a store in namespace ns whose requests go through
	// rt (nil: straight to the server).
	newStore func(t *testing.T, ns string, rt http.RoundTripper) tokenstore.Store
}

// faultOp is one operation under faults: a seed of records, the operation,
// and what a successful run leaves.
type faultOp struct {
	name string
	// run performs the operation on s against the seeded records a and b.
	run func(ctx context.Context, s tokenstore.Store, a, b tokenstore.Token) error
	// want is the state of record a after a successful run; ok false means
	// the record is gone (or, for inserts, what is inserted).
	want func(a tokenstore.Token) (tokenstore.Token, bool)
	// changesA reports that the operation may change or remove record a;
	// bystanders are every seeded record it does not change.
	changesA, removesAll bool
	// read marks operations that write nothing.
	read bool
}

// faultToken is a full Zoho record: every lookup key is set.
func faultToken(tag string, i int) tokenstore.Token {
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

// faultOps are the operations of the test. The insert saves record c (a
// new user); the updates change record a.
var faultOps = []faultOp{
	{name: "Insert", run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
		c := insertedToken(a)
		return s.SaveToken(ctx, &c)
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) { return insertedToken(a), true }},
	{name: "UpdateSameKeys", changesA: true, run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
		u := tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken + "-new", Expiry: a.Expiry.Add(time.Hour)}
		return s.SaveToken(ctx, &u)
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) {
		a.AccessToken += "-new"
		a.Expiry = a.Expiry.Add(time.Hour)
		return a, true
	}},
	{name: "UpdateKeyChange", changesA: true, run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
		u := tokenstore.Token{ID: a.ID, UserName: "moved-" + a.UserName, RefreshToken: a.RefreshToken + "-new",
			AccessToken: a.AccessToken + "-new"}
		return s.SaveToken(ctx, &u)
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) {
		a.UserName = "moved-" + a.UserName
		a.RefreshToken += "-new"
		a.AccessToken += "-new"
		return a, true
	}},
	{name: "DeleteToken", changesA: true, run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
		return s.DeleteToken(ctx, a.ID)
	}, want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
	{name: "DeleteTokens", changesA: true, removesAll: true, run: func(ctx context.Context, s tokenstore.Store, _, _ tokenstore.Token) error {
		return s.DeleteTokens(ctx)
	}, want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
	{name: "FindTokenByUser", read: true, run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
		_, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
		return err
	}},
	{name: "FindTokenByAccessToken", read: true, run: func(ctx context.Context, s tokenstore.Store, _, b tokenstore.Token) error {
		_, err := s.FindToken(ctx, tokenstore.Token{AccessToken: b.AccessToken})
		return err
	}},
	{name: "GetTokens", read: true, run: func(ctx context.Context, s tokenstore.Store, _, _ tokenstore.Token) error {
		_, err := s.GetTokens(ctx)
		return err
	}},
}

// insertedToken is the record the Insert operation saves, named after
// a's ID so that every case has its own.
func insertedToken(a tokenstore.Token) tokenstore.Token { return faultToken(a.ID, 3) }

// runFaultSequences runs every operation under every fault at every call.
func runFaultSequences(t *testing.T, be faultBackend, only ...string) {
	for _, op := range faultOps {
		if len(only) > 0 && !slices.Contains(only, op.name) {
			continue
		}
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			calls, took := countCalls(t, be, op)
			if calls == 0 {
				t.Fatalf("%s made no request", op.name)
			}
			// Long enough for the calls before the fault however loaded
			// the machine is: the stalled runs each wait this long.
			deadline := max(faultDeadline, 4*took)
			t.Logf("%s: %d requests in %v without faults; deadline %v", op.name, calls, took.Round(time.Millisecond), deadline)
			// The runs are subtests started from goroutines (t.Run allows
			// it), so that faultSem, not -parallel, bounds them.
			var wg sync.WaitGroup
			for _, fault := range integration.Faults {
				if op.read && (fault == integration.ApplyThenStall) {
					continue // for a read, the same as Stall
				}
				for n := int64(1); n <= calls; n++ {
					faultSem <- struct{}{}
					wg.Add(1)
					go func() {
						defer func() { <-faultSem; wg.Done() }()
						t.Run(fmt.Sprintf("%s@%d", fault, n), func(t *testing.T) {
							runFaulted(t, be, op, fault, n, deadline)
						})
					}()
				}
			}
			wg.Wait()
		})
	}
}

// faultSem bounds the faulted runs in flight: each holds a deadline open.
var faultSem = make(chan struct{}, 8)

// seed stores records a and b in a fresh namespace with a clean store.
func seed(t *testing.T, be faultBackend, ns string) (clean tokenstore.Store, a, b tokenstore.Token) {
	t.Helper()
	ctx := context.Background()
	clean = be.newStore(t, ns, nil)
	a, b = faultToken(ns, 1), faultToken(ns, 2)
	for _, p := range []*tokenstore.Token{&a, &b} {
		if err := clean.SaveToken(ctx, p); err != nil {
			t.Fatalf("seed SaveToken: %v", err)
		}
	}
	t.Cleanup(func() {
		if err := clean.DeleteTokens(context.Background()); err != nil {
			t.Errorf("cleanup DeleteTokens: %v", err)
		}
	})
	return clean, a, b
}

// countCalls runs op once without faults and returns its request count
// and how long it took.
func countCalls(t *testing.T, be faultBackend, op faultOp) (int64, time.Duration) {
	t.Helper()
	ns := "fc" + randHex(5)
	_, a, b := seed(t, be, ns)
	ft := integration.NewFaultTransport(http.DefaultTransport)
	s := be.newStore(t, ns, ft)
	start := time.Now()
	if err := op.run(context.Background(), s, a, b); err != nil {
		t.Fatalf("%s without faults: %v", op.name, err)
	}
	return ft.Requests(), time.Since(start)
}

func runFaulted(t *testing.T, be faultBackend, op faultOp, fault integration.Fault, n int64, deadline time.Duration) {
	ns := "ft" + randHex(5)
	clean, a, b := seed(t, be, ns)
	ft := integration.NewFaultTransport(http.DefaultTransport)
	s := be.newStore(t, ns, ft)
	sticky := fault != integration.LoseAnswer
	ft.Inject(n, fault, sticky)

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	start := time.Now()
	err := op.run(ctx, s, a, b)
	elapsed := time.Since(start)
	cancel()
	if limit := deadline + deadlineBound; elapsed > limit {
		t.Errorf("%s returned after %v (err %v); want within %v", op.name, elapsed.Round(time.Millisecond), err, limit)
	}
	switch {
	case err == nil || ft.Faulted() > 0:
	case errors.Is(err, context.DeadlineExceeded):
		// The machine was too slow to reach the fault: nothing to check.
		t.Logf("%s ran out of its %v before request %d", op.name, deadline, n)
	default:
		t.Errorf("%s failed with no fault injected: %v", op.name, err)
	}
	if secretIn(err, a, b) {
		t.Errorf("%s: error shows a secret: %v", op.name, err)
	}
	if op.read {
		return
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Bystanders: every seeded record the operation does not touch.
	bystanders := []tokenstore.Token{b}
	if !op.changesA {
		bystanders = append(bystanders, a)
	}
	if !op.removesAll {
		for _, r := range bystanders {
			storetest.WantFound(t, ctx, clean, r, "bystander after "+fault.String())
		}
	}
	storetest.WantCoherent(t, ctx, clean)

	// The record the operation writes is in its old or its new state.
	if op.changesA && !op.removesAll {
		got, err := clean.FindTokenByID(ctx, a.ID)
		want, wantOK := op.want(a)
		switch {
		case errors.Is(err, tokenstore.ErrNotFound):
			if wantOK {
				t.Errorf("record %s lost after %s@%d", a.ID, fault, n)
			}
		case err != nil:
			t.Errorf("FindTokenByID(%s): %v", a.ID, err)
		case !got.Equal(a) && !(wantOK && got.Equal(want)):
			t.Errorf("record after %s@%d is %v; want %v or %v", fault, n, got, a, want)
		}
	}

	// The same operation retried by a healthy process converges at once:
	// no store repairs by age.
	retry := func(s tokenstore.Store) error {
		err := op.run(ctx, s, a, b)
		if op.name == "DeleteToken" && errors.Is(err, tokenstore.ErrNotFound) {
			return nil
		}
		return err
	}
	if err := retry(clean); err != nil {
		t.Fatalf("retry of %s: %v; want success, with no wait on any clock", op.name, err)
	}
	storetest.WantCoherent(t, ctx, clean)
	want, wantOK := op.want(a)
	switch {
	case op.name == "Insert":
		storetest.WantFound(t, ctx, clean, want, "inserted record after retry")
		if all := list(t, ctx, clean); len(all) != 3 {
			t.Errorf("after the retried insert GetTokens has %d records; want 3 (%v)", len(all), all)
		}
	case wantOK:
		want.ID = a.ID
		storetest.WantFound(t, ctx, clean, want, "updated record after retry")
	case op.removesAll:
		if all := list(t, ctx, clean); len(all) != 0 {
			t.Errorf("after the retried DeleteTokens GetTokens has %d records; want 0", len(all))
		}
	default:
		for _, k := range driver.Keys(a) {
			if got, err := clean.FindToken(ctx, driver.Query(k)); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("FindToken(%v) after the retried delete: %v, %v; want ErrNotFound", k.Kind, got.ID, err)
			}
		}
	}
}

func list(t *testing.T, ctx context.Context, s tokenstore.Store) []tokenstore.Token {
	t.Helper()
	all, err := s.GetTokens(ctx)
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	return all
}

// secretIn reports whether err's message shows a secret of any token.
func secretIn(err error, toks ...tokenstore.Token) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, tok := range toks {
		for _, s := range []string{tok.ClientSecret, tok.RefreshToken, tok.AccessToken, tok.GrantToken, tok.UserName} {
			if s != "" && strings.Contains(msg, s) {
				return true
			}
		}
	}
	return false
}
