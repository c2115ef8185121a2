package integration_test

import (
	"testing"

	"github.com/tokenstore-go/tokenstore/integration"
)

// vaultServer is where a Vault listens and a token allowed everything (the
// tests mount engines and write policies).
type vaultServer struct {
	addr, rootToken string
}

// vaultFrom returns a server from src through the shared helpers: a given
// VAULT_ADDR, or a container; a missing server skips, or fails when
// TOKENSTORE_INTEGRATION=required.
func vaultFrom(t testing.TB, src integration.Source) vaultServer {
	t.Helper()
	c, srv := integration.VaultFrom(t, src)
	return vaultServer{addr: srv.URL, rootToken: c.Token()}
}
