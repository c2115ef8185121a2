package integration_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/integration"
)

// onRequest is a transport that calls do once, before passing on the
// first request that matches: the fault plan is armed for exactly the
// request the test means, however many requests come before it.
type onRequest struct {
	base  http.RoundTripper
	match func(*http.Request) bool
	do    func()
	once  sync.Once
}

func (o *onRequest) RoundTrip(r *http.Request) (*http.Response, error) {
	if o.match(r) {
		o.once.Do(o.do)
	}
	return o.base.RoundTrip(r)
}

// afterApplied is a transport that runs then once, after the first request
// that matches has been answered by the server, before passing the answer
// on.
type afterApplied struct {
	base  http.RoundTripper
	match func(*http.Request) bool
	then  func()
	once  sync.Once
}

func (a *afterApplied) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.base.RoundTrip(r)
	if err == nil && a.match(r) {
		a.once.Do(a.then)
	}
	return resp, err
}

// testLostAnswerNotReapplied plays a lost answer (as vault/lostanswer_test.go
// does on the fake) against a real Vault: save S sets A and its record write
// lands, but the answer is lost; a read sees A; save T sets B and is
// acknowledged; then the Vault client resends S's write, which check-and-set
// refuses. S must find its own write and stop: a read after T sees B, never A
// again.
func testLostAnswerNotReapplied(t *testing.T, f *kvFixture) {
	ns := "t" + randHex(4)
	ctx := ctxT(t)
	peer, _ := f.store(t, f.opts(ns))
	t.Cleanup(func() { _ = peer.DeleteTokens(ctxT(t)) })
	base := mustSave(t, peer, tokenstore.Token{UserName: "witness@example.com", AccessToken: "secret-at-0"})

	recordWrite := func(r *http.Request) bool {
		return r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/records/"+base.ID)
	}
	var sawA string
	// client → arm the fault at S's record write → FaultTransport → run T
	// once Vault has applied S's write → Vault.
	hook := &afterApplied{
		base:  http.DefaultTransport,
		match: recordWrite,
		then: func() {
			got, err := peer.FindTokenByID(ctx, base.ID)
			if err != nil {
				t.Errorf("read after S landed: %v", err)
			}
			sawA = got.AccessToken
			mustSave(t, peer, tokenstore.Token{ID: base.ID, AccessToken: "secret-at-B"}) // T
		},
	}
	ft := integration.NewFaultTransport(hook)
	arm := &onRequest{base: ft, match: recordWrite, do: func() { ft.Inject(1, integration.LoseAnswer, false) }}
	s := f.storeOver(t, f.opts(ns), arm)
	in := tokenstore.Token{ID: base.ID, AccessToken: "secret-at-A"}
	err := s.SaveToken(ctx, &in)
	if ft.Faulted() != 1 {
		t.Fatalf("%d answers lost; want 1 (S's record write)", ft.Faulted())
	}
	if err != nil {
		t.Logf("S: %v (outcome unknown: allowed)", err)
	}
	if sawA != "secret-at-A" {
		t.Errorf("read between S's landed write and T: got another value; want S's")
	}
	got, err := peer.FindTokenByID(ctx, base.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != "secret-at-B" {
		t.Errorf("after T was acknowledged, the record holds S's value again: S's write was applied twice")
	}
}
