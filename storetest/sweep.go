package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// DeadlineBound is how soon after its context ends every operation of every
// store must return: the bound package tokenstore documents (doc.go,
// "Deadlines, uncertain outcomes and unreadable records").
// The sweep measures it from the moment it ends the context of a stalled
// operation; see RunFaultSweep for how a starved machine is told from a
// store that keeps its caller.
const DeadlineBound = 100 * time.Millisecond

// FaultHarness tells RunFaultSweep how to make stores whose backend calls
// pass through an Injector.
type FaultHarness struct {
	// NewStore returns a new store value in namespace ns, as
	// Harness.NewStore does. faults is nil for a healthy store; otherwise
	// every backend call of the store must pass through it (see
	// BackendHarness.NewBackend for where). Required.
	NewStore func(t *testing.T, ns string, faults *Injector) tokenstore.Store

	// DetachedReads, if not empty, says why the store's finds may go on
	// after their caller has returned (package cache's shared loads do):
	// the sweep then holds reads to the caller's return only.
	DetachedReads string

	// Leftover, if set, returns the names in namespace ns whose data, in
	// any version the backend still keeps readable, holds value; with
	// value "", every name the namespace still has. The sweep wants none
	// holding a deleted record's user name or tokens after a retried
	// DeleteToken, and none at all after a retried DeleteTokens.
	Leftover func(t *testing.T, ns, value string) []string

	// Only, if not empty, limits the sweep to the operations it names.
	Only []string

	// Parallel bounds the faulted runs in flight. Default twice
	// GOMAXPROCS; a store on a remote server, whose runs mostly wait on
	// the network, may take more.
	Parallel int
}

// RunFaultSweep plays every operation of a store (each write, the hourly
// refresh, a change of every key, UpdateToken on an Updater, both deletes
// and the reads) with every Fault at every call N of its sequence, each
// run in a namespace of its own holding two records, a and b. Then it
// checks what the contract promises after a crash or an uncertain
// outcome, with a healthy store:
//
//   - the operation returned within DeadlineBound of its context's end,
//     with success (only best-effort cleanup stalled) or an error wrapping
//     the context's; no call of it started on, or outlived, a context that
//     did not end with the caller's, and none was still running when it
//     returned;
//   - the error shows no secret and no user name;
//   - the record the operation does not touch is intact and found by every
//     key; the one it changes is in its old state or its new one; no user
//     name has two records, and every listed record is found by each of its
//     keys (WantCoherent);
//   - the same operation retried by the healthy store succeeds at once,
//     with no wait on any clock (repair counts attempts, never age), and
//     leaves what a run without fault leaves.
//
// A stall ends the operation's context the moment it begins, as a
// deadline passing then would, so no run waits out a timer. The deadline
// check compares the time from that moment to the return with
// DeadlineBound; because a loaded machine can hold any goroutine that
// long, a run over the bound is played again, up to twice, and fails only
// if every play is over it. A store that keeps its caller does so at every
// play; the calls that outlive the caller's context are caught without
// any clock.
func RunFaultSweep(t *testing.T, h FaultHarness) {
	t.Helper()
	if h.NewStore == nil {
		t.Fatal("storetest: FaultHarness.NewStore is nil")
	}
	stats := &lateness{}
	t.Cleanup(func() { stats.report(t) })
	sem := make(chan struct{}, h.Parallel)
	if h.Parallel <= 0 {
		sem = make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	}
	for _, op := range sweepOps {
		if len(h.Only) > 0 && !slices.Contains(h.Only, op.name) {
			continue
		}
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			calls := countCalls(t, h, op)
			t.Logf("%s: %d calls", op.name, calls)
			var wg sync.WaitGroup
			for _, fault := range Faults {
				if op.read && fault == ApplyThenStall {
					continue // for a read, the same as Stall
				}
				for n := int64(1); n <= calls; n++ {
					sem <- struct{}{}
					wg.Add(1)
					go func() {
						defer func() { <-sem; wg.Done() }()
						t.Run(fmt.Sprintf("%s@%d", fault, n), func(t *testing.T) {
							runSwept(t, h, op, fault, n, stats)
						})
					}()
				}
			}
			wg.Wait()
		})
	}
}

// sweepTimeout bounds one operation of the sweep that no fault ends, and
// the checks after it.
const sweepTimeout = time.Minute

// seedSweep stores records a and b in a fresh namespace through a healthy
// store, which it returns, and deletes the namespace when the test ends.
func seedSweep(t *testing.T, h FaultHarness) (ns string, clean tokenstore.Store, a, b tokenstore.Token) {
	t.Helper()
	ns = "sw" + randHex(5)
	clean = h.NewStore(t, ns, nil)
	a, b = sweepToken(ns, 1), sweepToken(ns, 2)
	ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
	defer cancel()
	for _, p := range []*tokenstore.Token{&a, &b} {
		if err := clean.SaveToken(ctx, p); err != nil {
			t.Fatalf("seed: SaveToken: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
		defer cancel()
		if err := clean.DeleteTokens(ctx); err != nil {
			t.Errorf("cleanup: DeleteTokens: %v", err)
		}
	})
	return ns, clean, a, b
}

// countCalls runs op once without faults and returns how many calls it
// made.
func countCalls(t *testing.T, h FaultHarness, op sweepOp) int64 {
	t.Helper()
	ns, clean, a, b := seedSweep(t, h)
	if _, ok := clean.(tokenstore.Updater); op.updater && !ok {
		t.Skip("the store is not a tokenstore.Updater")
	}
	in := NewInjector()
	s := h.NewStore(t, ns, in)
	ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
	defer cancel()
	if err := op.run(ctx, s, a, b); err != nil {
		t.Fatalf("%s without faults: %v", op.name, err)
	}
	if in.Calls() == 0 {
		t.Fatalf("%s made no call through the Injector: the harness does not route the store's calls through it", op.name)
	}
	return in.Calls()
}

// runSwept plays op with fault at call n and checks the outcome; while
// the only finding is a late return, it plays again.
func runSwept(t *testing.T, h FaultHarness, op sweepOp, fault Fault, n int64, stats *lateness) {
	const plays = 3
	var late []time.Duration
	for range plays {
		p := playFaulted(t, h, op, fault, n)
		checkAfter(t, h, p, op, fault)
		if t.Failed() || !p.ended {
			return
		}
		stats.add(p.late)
		late = append(late, p.late.Round(time.Millisecond))
		if p.late <= DeadlineBound {
			return
		}
	}
	t.Errorf("%s returned %v after its context ended, in %d plays; want within %v", op.name, late, plays, DeadlineBound)
}

// play is one faulted run of an operation.
type play struct {
	ns    string
	clean tokenstore.Store
	a, b  tokenstore.Token
	err   error
	fired bool
	ended bool          // a stall ended the operation's context
	late  time.Duration // from then to the operation's return
}

func playFaulted(t *testing.T, h FaultHarness, op sweepOp, fault Fault, n int64) play {
	ns, clean, a, b := seedSweep(t, h)
	in := NewInjector()
	s := h.NewStore(t, ns, in)
	ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
	defer cancel()
	var once sync.Once
	in.stalled = func() {
		once.Do(func() {
			at := time.Now()
			cancel()
			in.mu.Lock()
			in.ended, in.endedAt = true, at
			in.mu.Unlock()
		})
	}
	// A lost answer strikes once, or nothing would ever be applied; any
	// other fault stays, as when the network is gone from call n on.
	in.Arm(n, fault, fault != LoseAnswer)
	err := op.run(ctx, s, a, b)
	returned := time.Now()
	in.Arm(0, 0, false)

	p := play{ns: ns, clean: clean, a: a, b: b, err: err, fired: in.Fired() > 0}
	in.mu.Lock()
	p.ended = in.ended
	if p.ended {
		p.late = returned.Sub(in.endedAt)
	}
	detached, inFlight := in.detached, in.inFlight
	in.mu.Unlock()
	if !op.read || h.DetachedReads == "" {
		for _, d := range detached {
			t.Errorf("%s: %s", op.name, d)
		}
		if inFlight > 0 {
			t.Errorf("%s returned with %d of its calls still running", op.name, inFlight)
		}
	}
	if err != nil {
		noLeak(t, op.name, err, a, b, inserted(a), insertedByAccessToken(a))
	}
	switch {
	case !p.fired && err != nil:
		t.Errorf("%s failed with no fault injected (it took a path with fewer calls): %v", op.name, err)
	case p.ended && err != nil && !errors.Is(err, context.Canceled):
		t.Errorf("%s stalled: got %v; want success or an error wrapping the context's", op.name, err)
	}
	return p
}
