package integration

import (
	"errors"
	"io"
	"net/http"
	"sync"
)

// Fault is what a FaultTransport does to one request.
type Fault int

const (
	// FailBefore drops the request before it leaves: the server never sees
	// it, and the call gets ErrFaultInjected at once.
	FailBefore Fault = iota + 1
	// LoseAnswer sends the request and reads the whole answer, so the server
	// has applied it, then drops the answer: the call gets ErrFaultInjected,
	// as after a connection reset.
	LoseAnswer
	// Stall holds the request without sending it until its context ends.
	Stall
	// ApplyThenStall sends the request and reads the answer, so the server
	// has applied it, then holds the call until its context ends: a lost
	// answer that costs the caller its whole deadline.
	ApplyThenStall
)

// String returns the fault's name.
func (f Fault) String() string {
	switch f {
	case FailBefore:
		return "fail-before"
	case LoseAnswer:
		return "lose-answer"
	case Stall:
		return "stall"
	case ApplyThenStall:
		return "apply-then-stall"
	}
	return "none"
}

// Faults lists every Fault, for tests that try each in turn.
var Faults = []Fault{FailBefore, LoseAnswer, Stall, ApplyThenStall}

// ErrFaultInjected is the error a FaultTransport gives a request it fails.
// It is not a net.Error: clients that retry only timeouts see it as a
// connection failure.
var ErrFaultInjected = errors.New("integration: fault injected (connection reset)")

// FaultTransport is an http.RoundTripper that passes requests to Base and
// injects one Fault at the n-th request from a given point, and optionally
// at every request after it (the network going silent). Both the AWS SDK
// (aws.Config.HTTPClient) and the Vault client (api.Config.HttpClient) take
// it, so one fault plan serves every backend. Client-level retries are
// requests too: a fault at request n hits the retry if the first attempt
// was request n-1.
//
// It is safe for concurrent use; with several goroutines, which request is
// the n-th is decided by arrival order.
type FaultTransport struct {
	// Base carries the requests that get no fault. Nil means
	// http.DefaultTransport.
	Base http.RoundTripper

	mu      sync.Mutex
	seen    int64 // requests since the last Inject or Clear
	total   int64
	faulted int64
	at      int64 // 0: no fault planned
	fault   Fault
	sticky  bool
}

// NewFaultTransport returns a FaultTransport over base with no fault
// planned.
func NewFaultTransport(base http.RoundTripper) *FaultTransport {
	return &FaultTransport{Base: base}
}

// Inject plans fault for the n-th request from now (1-based) and, when
// sticky, for every request after it. It replaces any earlier plan.
func (f *FaultTransport) Inject(n int64, fault Fault, sticky bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen, f.at, f.fault, f.sticky = 0, n, fault, sticky
}

// Clear removes the planned fault; later requests pass untouched.
func (f *FaultTransport) Clear() { f.Inject(0, 0, false) }

// Requests returns how many requests the transport has seen in all.
func (f *FaultTransport) Requests() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// Faulted returns how many requests got a fault.
func (f *FaultTransport) Faulted() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faulted
}

// next counts a request and returns the fault it gets, if any.
func (f *FaultTransport) next() Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total++
	f.seen++
	if f.at == 0 || f.seen < f.at || (f.seen > f.at && !f.sticky) {
		return 0
	}
	f.faulted++
	return f.fault
}

// RoundTrip implements http.RoundTripper.
func (f *FaultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := f.Base
	if base == nil {
		base = http.DefaultTransport
	}
	fault := f.next()
	switch fault {
	case FailBefore:
		closeBody(req)
		return nil, ErrFaultInjected
	case Stall:
		closeBody(req)
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	resp, err := base.RoundTrip(req)
	if fault == 0 || err != nil {
		return resp, err
	}
	// The server has the request; read its answer fully so it is applied
	// and the connection stays reusable, then drop it.
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if fault == ApplyThenStall {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return nil, ErrFaultInjected
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
