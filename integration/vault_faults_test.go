package integration_test

import (
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/storetest"
	"github.com/tokenstore-go/tokenstore/vault"
)

// TestVaultFaultSequences runs the fault sweep (storetest.RunFaultSweep)
// against Vault KV v2, with each fault at every HTTP request and the
// client's own resends on, as users run it.
func TestVaultFaultSequences(t *testing.T) {
	storetest.RunFaultSweep(t, vaultFaultHarness(t, false))
}

// TestCacheFaultSequences runs the same with a cache in front of each
// store: its writes go through, and its finds wait on their own deadline
// while the shared load goes on, bounded, as package cache documents.
func TestCacheFaultSequences(t *testing.T) {
	h := vaultFaultHarness(t, true)
	h.DetachedReads = "package cache's shared loads go on, bounded by LoadTimeout, after a caller gives up"
	storetest.RunFaultSweep(t, h)
}

func vaultFaultHarness(t *testing.T, cached bool) storetest.FaultHarness {
	f := newKVFixture(t, vaultFrom(t, integration.Any), 2)
	return storetest.FaultHarness{NewStore: func(t *testing.T, ns string, faults *storetest.Injector) tokenstore.Store {
		cfg := api.DefaultConfig()
		cfg.Address = f.srv.addr
		if faults != nil {
			cfg.HttpClient.Transport = faults.Transport(cfg.HttpClient.Transport)
		}
		client, err := api.NewClient(cfg)
		if err != nil {
			t.Fatalf("vault client: %v", err)
		}
		client.SetToken(f.token)
		client.ClearNamespace()
		s, err := vault.New(client, f.opts(ns))
		if err != nil {
			t.Fatalf("vault.New: %v", err)
		}
		if !cached {
			return s
		}
		c, err := cache.New(s, &cache.Options{LoadTimeout: 2 * time.Second})
		if err != nil {
			t.Fatalf("cache.New: %v", err)
		}
		return c
	}, Parallel: 8}
}
