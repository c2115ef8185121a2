// Package storetest is the tokenstore contract as a conformance suite. Every
// store in this module runs it, and a third-party store can too: give
// RunConformance a Harness that makes stores, and it checks the lookup
// rules, the upsert merge, deletion, listing, namespaces, hostile input,
// the size limit (every record the codec accepts, none larger, refused
// before any write), context handling, redaction of errors and the
// concurrency guarantees.
//
// A store that names its index entries with a pepper (driver.Digest) also
// runs RunPepper.
//
// A store built on package driver/kvstore runs RunBackendConformance
// instead of RunConformance: the same suite over the engine on its
// Backend, then the fault sweep (RunFaultSweep), which plays every Fault
// at every call of every operation through an Injector and checks that
// nothing is lost, doubled or dangling, that the operation returned
// within DeadlineBound of its context's end, and that a retry succeeds
// with no wait on a clock. Any store can run the sweep alone, with its
// calls routed through the Injector where it can reach them (a Backend,
// an HTTP transport, a fake client).
//
// Each case runs as a parallel subtest in a namespace of its own and deletes
// its records when it ends, so the suite can run against a shared server.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// Harness tells the suite how to make stores of the implementation under
// test.
type Harness struct {
	// NewStore returns a new Store value working in namespace ns, which
	// matches [a-z0-9]{1,24}. Two calls with the same ns must return
	// independent values over the same records, as two processes sharing a
	// backend would be; stores with different ns must be isolated. Required.
	NewStore func(t *testing.T, ns string) tokenstore.Store

	// Writes, if set, returns how many backend writes s has made so far;
	// the suite then checks that reads make none.
	Writes func(s tokenstore.Store) int64

	// SkipConcurrency, if not empty, skips the cases with several concurrent
	// writers and gives this as the reason. Only for backends that cannot
	// offer an atomic primitive (such as Vault KV version 1) and say so.
	SkipConcurrency string

	// Timeout bounds each case. Default one minute.
	Timeout time.Duration
}

// testCase is one conformance case.
type testCase struct {
	name string
	run  func(t *testing.T, e *env)
	// concurrent marks cases skipped by Harness.SkipConcurrency.
	concurrent bool
}

// RunConformance runs every conformance case against the stores h makes.
func RunConformance(t *testing.T, h Harness) {
	t.Helper()
	if h.NewStore == nil {
		t.Fatal("storetest: Harness.NewStore is nil")
	}
	groups := [][]testCase{
		findCases, saveCases, expiryCases, deleteCases, listCases, namespaceCases,
		hostileCases, contextCases, readCases, concurrencyCases, limitCases,
	}
	if supportsUpdate(t, h) {
		groups = append(groups, updateCases, limitUpdateCases)
	}
	for _, group := range groups {
		for _, c := range group {
			t.Run(c.name, func(t *testing.T) {
				if c.concurrent && h.SkipConcurrency != "" {
					t.Skip(h.SkipConcurrency)
				}
				t.Parallel()
				c.run(t, newEnv(t, h))
			})
		}
	}
}

// env is what a case works with: a store in a fresh namespace, a context
// bounded by the harness timeout, and a run-unique suffix for test values.
type env struct {
	h   Harness
	ns  string
	s   tokenstore.Store
	ctx context.Context
	tag string
}

func newEnv(t *testing.T, h Harness) *env {
	t.Helper()
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	e := &env{h: h, ns: "st" + randHex(5), ctx: ctx, tag: randHex(4)}
	e.s = e.store(t, e.ns)
	return e
}

// store makes a store in ns and deletes its records when the case ends.
func (e *env) store(t *testing.T, ns string) tokenstore.Store {
	t.Helper()
	s := e.h.NewStore(t, ns)
	if s == nil {
		t.Fatal("storetest: Harness.NewStore returned nil")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DeleteTokens(ctx); err != nil {
			t.Errorf("cleanup: DeleteTokens: %v", err)
		}
	})
	return s
}

// peer returns a second, independent store value in the case's namespace.
func (e *env) peer(t *testing.T) tokenstore.Store {
	t.Helper()
	s := e.h.NewStore(t, e.ns)
	if s == nil {
		t.Fatal("storetest: Harness.NewStore returned nil")
	}
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
