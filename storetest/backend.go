package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// BackendHarness tells RunBackendConformance how to make Backends of the
// implementation under test (see package driver/kvstore).
type BackendHarness struct {
	// NewBackend returns a new Backend value working in namespace ns, which
	// matches [a-z0-9]{1,24}: two calls with the same ns share records, as
	// two processes would; different ns are isolated. Required.
	//
	// faults is nil for a healthy Backend. Otherwise every call the Backend
	// makes must pass through it: return FaultyBackend(b, faults) to put
	// the faults between the engine and b, or, better where one Backend
	// method makes several requests, route the service client's requests
	// through faults (faults.Transport for an http.Client, faults.Do around
	// each call of a fake client), so that a fault can also land between
	// the requests of one method.
	NewBackend func(t *testing.T, ns string, faults *Injector) kvstore.Backend

	// Options configures the Engine the suite builds over each Backend: the
	// options the store itself gives kvstore.New. For the fault sweep the
	// suite replaces Sleep with one that never waits, so that a retry after
	// a fault can only succeed without waiting on a clock.
	Options kvstore.Options

	// Leftover, if set, is as in FaultHarness.
	Leftover func(t *testing.T, ns, value string) []string

	// SkipConcurrency and Timeout are as in Harness.
	SkipConcurrency string
	Timeout         time.Duration
}

// RunBackendConformance runs the store conformance suite (RunConformance)
// over Engines on the Backends h makes, counting the Backend's writes so
// that reads are seen to make none, then the fault sweep (RunFaultSweep)
// over the same. A Backend that passes is a store with every guarantee of
// the tokenstore contract.
func RunBackendConformance(t *testing.T, h BackendHarness) {
	t.Helper()
	if h.NewBackend == nil {
		t.Fatal("storetest: BackendHarness.NewBackend is nil")
	}
	t.Run("Conformance", func(t *testing.T) {
		var mu sync.Mutex
		writes := map[tokenstore.Store]*atomic.Int64{}
		RunConformance(t, Harness{
			NewStore: func(t *testing.T, ns string) tokenstore.Store {
				fb := &faultyBackend{b: h.NewBackend(t, ns, nil)}
				e := newEngine(t, fb, h.Options)
				mu.Lock()
				writes[e] = &fb.writes
				mu.Unlock()
				return e
			},
			Writes: func(s tokenstore.Store) int64 {
				mu.Lock()
				defer mu.Unlock()
				return writes[s].Load()
			},
			SkipConcurrency: h.SkipConcurrency,
			Timeout:         h.Timeout,
		})
	})
	t.Run("Faults", func(t *testing.T) {
		o := h.Options
		o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
		RunFaultSweep(t, FaultHarness{NewStore: func(t *testing.T, ns string, faults *Injector) tokenstore.Store {
			return newEngine(t, h.NewBackend(t, ns, faults), o)
		}, Leftover: h.Leftover})
	})
}

func newEngine(t *testing.T, b kvstore.Backend, o kvstore.Options) *kvstore.Engine {
	t.Helper()
	if b == nil {
		t.Fatal("storetest: BackendHarness.NewBackend returned nil")
	}
	e, err := kvstore.New(b, o)
	if err != nil {
		t.Fatalf("storetest: kvstore.New: %v", err)
	}
	return e
}

// FaultyBackend returns b with every call passed through faults.
func FaultyBackend(b kvstore.Backend, faults *Injector) kvstore.Backend {
	return &faultyBackend{b: b, in: faults}
}

// faultyBackend passes each call of b through in (when set) and counts the
// writes.
type faultyBackend struct {
	b      kvstore.Backend
	in     *Injector
	writes atomic.Int64
}

var _ kvstore.Backend = (*faultyBackend)(nil)

func (f *faultyBackend) do(ctx context.Context, what string, write bool, call func(ctx context.Context) error) error {
	if write {
		f.writes.Add(1)
	}
	if f.in == nil {
		return call(ctx)
	}
	return f.in.Do(ctx, what, call)
}

func (f *faultyBackend) GetRecord(ctx context.Context, id string) (r kvstore.Rec, err error) {
	err = f.do(ctx, "GetRecord", false, func(ctx context.Context) error { r, err = f.b.GetRecord(ctx, id); return err })
	return r, err
}

func (f *faultyBackend) GetRecords(ctx context.Context, ids []string) (rs []kvstore.Rec, err error) {
	err = f.do(ctx, "GetRecords", false, func(ctx context.Context) error { rs, err = f.b.GetRecords(ctx, ids); return err })
	return rs, err
}

func (f *faultyBackend) PutRecord(ctx context.Context, id string, r kvstore.Rec, rev string) error {
	return f.do(ctx, "PutRecord", true, func(ctx context.Context) error { return f.b.PutRecord(ctx, id, r, rev) })
}

func (f *faultyBackend) PurgeRecord(ctx context.Context, id, rev string, all bool) error {
	return f.do(ctx, "PurgeRecord", true, func(ctx context.Context) error { return f.b.PurgeRecord(ctx, id, rev, all) })
}

func (f *faultyBackend) ListRecords(ctx context.Context) (ids []string, err error) {
	err = f.do(ctx, "ListRecords", false, func(ctx context.Context) error { ids, err = f.b.ListRecords(ctx); return err })
	return ids, err
}

func (f *faultyBackend) IndexName(k tokenstore.Key) (string, bool) { return f.b.IndexName(k) }

func (f *faultyBackend) GetEntry(ctx context.Context, name string) (e kvstore.Entry, err error) {
	err = f.do(ctx, "GetEntry", false, func(ctx context.Context) error { e, err = f.b.GetEntry(ctx, name); return err })
	return e, err
}

func (f *faultyBackend) PutEntry(ctx context.Context, name, target, rev string) error {
	return f.do(ctx, "PutEntry", true, func(ctx context.Context) error { return f.b.PutEntry(ctx, name, target, rev) })
}

func (f *faultyBackend) DropEntry(ctx context.Context, name, rev string) error {
	return f.do(ctx, "DropEntry", true, func(ctx context.Context) error { return f.b.DropEntry(ctx, name, rev) })
}

// Sweep is one call for the plan; the purges it makes are calls of their
// own.
func (f *faultyBackend) Sweep(ctx context.Context, purge func(ctx context.Context, id string) error) error {
	return f.do(ctx, "Sweep", true, func(ctx context.Context) error { return f.b.Sweep(ctx, purge) })
}
