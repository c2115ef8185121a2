package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// checkAfter checks the namespace after a faulted run, retries the
// operation with the healthy store and checks again.
func checkAfter(t *testing.T, h FaultHarness, p play, op sweepOp, fault Fault) {
	if op.read {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
	defer cancel()
	s, a, b := p.clean, p.a, p.b
	if !op.removesAll {
		WantFound(t, ctx, s, b, "the other record")
		if op.insert {
			WantFound(t, ctx, s, a, "a record stored before")
		}
	}
	WantCoherent(t, ctx, s)
	if !op.insert && !op.removesAll {
		wantState(t, ctx, s, op, a, p.err == nil, false)
	}

	err := op.run(ctx, s, a, b)
	if op.name == "DeleteToken" && errors.Is(err, tokenstore.ErrNotFound) {
		err = nil
	}
	if err != nil {
		t.Fatalf("retry of %s by a healthy store: %v; want success, with no wait on any clock", op.name, err)
	}
	all := WantCoherent(t, ctx, s)
	want, exists := op.want(a)
	switch {
	case op.insert:
		WantFound(t, ctx, s, want, "the inserted record after the retry")
		if len(all) != 3 {
			t.Errorf("after the retried insert there are %d records; want 3", len(all))
		}
	case op.removesAll:
		if len(all) != 0 {
			t.Errorf("after the retried DeleteTokens there are %d records; want none", len(all))
		}
		if h.Leftover != nil {
			if left := h.Leftover(t, p.ns, ""); len(left) > 0 {
				t.Errorf("after the retried DeleteTokens the namespace still has %v", left)
			}
		}
	case exists:
		wantState(t, ctx, s, op, a, true, op.twice != nil && (p.err == nil || fault.applies()))
	default:
		if len(all) != 1 {
			t.Errorf("after the retried delete there are %d records; want 1", len(all))
		}
		for _, k := range driver.Keys(a) {
			if got, err := s.FindToken(ctx, driver.Query(k)); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("FindToken by %v after the retried delete: record %q, %v; want ErrNotFound", k.Kind, got.ID, err)
			}
		}
		for _, v := range []string{a.UserName, a.AccessToken, a.RefreshToken, a.GrantToken} {
			if h.Leftover == nil {
				break
			}
			if left := h.Leftover(t, p.ns, v); len(left) > 0 {
				t.Errorf("after the retried delete %v still hold a value of the record", left)
			}
		}
	}
}

// wantState checks record a: when done, in op's result (or, with
// maybeTwice, op's result twice); otherwise in its old state or the
// result. A state it holds is whole under every key.
func wantState(t *testing.T, ctx context.Context, s tokenstore.Store, op sweepOp, a tokenstore.Token, done, maybeTwice bool) {
	t.Helper()
	want, exists := op.want(a)
	want.ID = a.ID
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
	got, err := s.FindTokenByID(ctx, a.ID)
	switch {
	case errors.Is(err, tokenstore.ErrNotFound):
		if exists {
			t.Errorf("record a is gone; want it in one of %d states", len(states))
		}
		return
	case err != nil:
		t.Fatalf("FindTokenByID(a): %v", err)
	}
	for _, st := range states {
		if got.Equal(st) {
			WantFound(t, ctx, s, got, "record a")
			return
		}
	}
	if len(states) == 0 {
		t.Errorf("record a is still there; want it gone")
		return
	}
	t.Errorf("record a differs from each of its %d possible states (first: in %s)", len(states), diff(got, states[0]))
}

// lateness collects how late the stalled operations of a sweep returned.
type lateness struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lateness) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// report logs the distribution, for the figures in the documentation.
func (l *lateness) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	q := func(p float64) time.Duration { return l.d[int(p*float64(len(l.d)-1))].Round(10 * time.Microsecond) }
	within, _ := slices.BinarySearch(l.d, DeadlineBound+1)
	over := len(l.d) - within
	t.Logf("return after the context ended, %d stalled plays: p50 %v, p90 %v, p99 %v, max %v; %d over %v",
		len(l.d), q(0.5), q(0.9), q(0.99), l.d[len(l.d)-1].Round(10*time.Microsecond), over, DeadlineBound)
}
