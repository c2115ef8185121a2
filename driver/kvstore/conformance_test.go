package kvstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

func newEngine(t testing.TB, b kvstore.Backend) *kvstore.Engine {
	t.Helper()
	e, err := newEngineErr(b)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// newEngineErr returns an engine that retries at once: its waits return
// without sleeping, so no test waits on a wall clock. Over a memKV that
// scans access tokens it is configured as awssm's is (batches of 20, a
// tombstone before each purge of DeleteTokens); otherwise as vault's.
func newEngineErr(b kvstore.Backend) (*kvstore.Engine, error) {
	o := kvstore.Options{Name: "kvtest", MaxAttempts: 20,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	if m, ok := b.(*memKV); ok && m.scanned[tokenstore.KeyAccessToken] {
		o.BatchSize, o.MarkBeforePurge = 20, true
	}
	return kvstore.New(b, o)
}

// TestConformance runs the store suite on the engine over memory, with
// every key indexed and with access tokens found by scanning.
func TestConformance(t *testing.T) {
	for _, scanned := range []bool{false, true} {
		name := map[bool]string{false: "Indexed", true: "AccessTokensScanned"}[scanned]
		jitter := true
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			spaces := map[string]*memKV{}
			backends := map[tokenstore.Store]*memKV{}
			storetest.RunConformance(t, storetest.Harness{
				NewStore: func(t *testing.T, ns string) tokenstore.Store {
					mu.Lock()
					defer mu.Unlock()
					m := spaces[ns]
					if m == nil {
						m = newMemKV()
						m.scanned[tokenstore.KeyAccessToken] = scanned
						m.jitter = jitter
						spaces[ns] = m
					}
					e := newEngine(t, m)
					backends[e] = m
					return e
				},
				Writes: func(s tokenstore.Store) int64 {
					mu.Lock()
					m := backends[s]
					mu.Unlock()
					_, w := m.count()
					return int64(w)
				},
			})
		})
	}
}
