package integration_test

import (
	"net/http"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/vault"
)

// TestVaultFaultSequences runs every operation under every fault at every
// request against Vault KV v2 (see faults_ops_test.go), with the client's
// own retries on, as users run it.
func TestVaultFaultSequences(t *testing.T) {
	runFaultSequences(t, vaultFaultBackend(t, false))
}

// TestCacheFaultSequences runs the same with a cache in front of each
// store: its finds wait on their own deadline and its writes go through.
func TestCacheFaultSequences(t *testing.T) {
	runFaultSequences(t, vaultFaultBackend(t, true))
}

func vaultFaultBackend(t *testing.T, cached bool) faultBackend {
	f := newKVFixture(t, vaultFrom(t, integration.Any), 2)
	return faultBackend{newStore: func(t *testing.T, ns string, rt http.RoundTripper) tokenstore.Store {
		cfg := api.DefaultConfig()
		cfg.Address = f.srv.addr
		if rt != nil {
			cfg.HttpClient.Transport = rt
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
		c, err := cache.New(s, nil)
		if err != nil {
			t.Fatalf("cache.New: %v", err)
		}
		return c
	}}
}
