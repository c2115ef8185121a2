package kvstore_test

import (
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore/driver/kvstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestBackendConformance runs the store suite and the fault sweep on the
// engine over memory, configured as vault's is (every key indexed) and as
// awssm's is (access tokens found by scanning, in batches of 20, with a
// tombstone before each purge of DeleteTokens).
func TestBackendConformance(t *testing.T) {
	for _, scanned := range []bool{false, true} {
		name := map[bool]string{false: "Indexed", true: "AccessTokensScanned"}[scanned]
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			spaces := map[string]*memKV{}
			o := kvstore.Options{Name: "kvtest", MaxAttempts: 20}
			if scanned {
				o.BatchSize, o.MarkBeforePurge = 20, true
			}
			storetest.RunBackendConformance(t, storetest.BackendHarness{
				NewBackend: func(t *testing.T, ns string, faults *storetest.Injector) kvstore.Backend {
					mu.Lock()
					defer mu.Unlock()
					m := spaces[ns]
					if m == nil {
						m = newMemKV(scanned)
						spaces[ns] = m
					}
					if faults == nil {
						return m
					}
					return storetest.FaultyBackend(m, faults)
				},
				Options: o,
			})
		})
	}
}
