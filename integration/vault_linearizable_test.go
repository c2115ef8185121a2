package integration_test

import (
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/integration"
)

// testLinearizable checks that concurrent saves by ID and reads of two
// records stay linearizable while answers are lost after Vault applied the
// request. On KV v2 each worker is a store of its own, as separate processes
// are; KV v1 is checked with the one store it supports (see the vault package
// doc), so that it is no worse.
func testLinearizable(t *testing.T, f *kvFixture) {
	ns := "t" + randHex(4)
	ft := integration.NewFaultTransport(nil)
	var shared tokenstore.Store
	newStore := func(t *testing.T) tokenstore.Store {
		if f.version == 1 && shared != nil {
			return shared
		}
		s := f.storeOver(t, f.opts(ns), ft, quickResend)
		shared = s
		return s
	}
	t.Cleanup(func() { ft.Clear(); _ = shared.DeleteTokens(ctxT(t)) })
	checkLinearizable(t, newStore, ft)
}

// quickResend shortens the client's wait before it resends a request
// (1 to 1.5 s by default) so that a run fits many lost answers; the
// others still do many operations while a resend waits.
func quickResend(c *api.Config) {
	c.MinRetryWait, c.MaxRetryWait = 50*time.Millisecond, 100*time.Millisecond
}
