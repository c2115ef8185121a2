package vault

import (
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// v1Reason is why the multi-writer cases do not run on KV version 1; the
// package doc says the same (# Concurrency).
const v1Reason = "KV version 1 has no check-and-set: several writers may duplicate or lose records (package doc, # Concurrency)"

// TestConformance runs the tokenstore contract on stores made with New
// over the real Vault in VAULT_ADDR when it is set, on KV version 2 and
// version 1. Each namespace of the suite is a prefix of its own; the suite
// removes its records with DeleteTokens. Over the fake,
// TestBackendConformance runs the same suite on the engine over the
// store's Backend, with the options New gives it.
func TestConformance(t *testing.T) {
	t.Run("Vault", func(t *testing.T) {
		addr, token := os.Getenv("VAULT_ADDR"), os.Getenv("VAULT_TOKEN")
		if addr == "" {
			t.Skip(`VAULT_ADDR is not set: no real Vault (scripts/testenv.sh up; eval "$(scripts/testenv.sh env)")`)
		}
		prefix := "tokenstore-conformance/" + randomHex(4)
		t.Run("KVv2", func(t *testing.T) {
			// The dev server's KV v2 engine, as users find it.
			storetest.RunConformance(t, conformanceHarness(addr, token, Options{Mount: DefaultMount, Prefix: prefix}))
		})
		t.Run("KVv1", func(t *testing.T) {
			mount := "tsconf-v1-" + randomHex(4)
			mountKV(t, testClient(t, addr, token), mount, 1, true)
			h := conformanceHarness(addr, token, Options{Mount: mount, KVVersion: KVv1, Prefix: prefix})
			h.SkipConcurrency = v1Reason
			storetest.RunConformance(t, h)
		})
	})
}

// conformanceHarness makes stores with base's options, each below
// base.Prefix/<namespace>, each on a client of its own (the suite's peers
// stand for other processes) that counts the writes it sends. The clients
// keep the api package's defaults: two resends, a second apart.
func conformanceHarness(addr, token string, base Options) storetest.Harness {
	var mu sync.Mutex
	writes := map[tokenstore.Store]*atomic.Int64{}
	return storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			n := new(atomic.Int64)
			c := testClient(t, addr, token, func(cfg *api.Config) {
				cfg.HttpClient.Transport = writeCounter{base: cfg.HttpClient.Transport, n: n}
			})
			o := base
			o.Prefix += "/" + ns
			o.RetryDelay, o.MaxRetryDelay = time.Millisecond, 20*time.Millisecond
			s, err := New(c, &o)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			mu.Lock()
			writes[s] = n
			mu.Unlock()
			return s
		},
		Writes: func(s tokenstore.Store) int64 {
			mu.Lock()
			defer mu.Unlock()
			return writes[s].Load()
		},
	}
}

// writeCounter is a transport that counts the requests that may change
// something: every method but GET (LIST is sent as a GET).
type writeCounter struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (w writeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		w.n.Add(1)
	}
	return w.base.RoundTrip(r)
}
