package integration

import (
	"net/http"

	"github.com/tokenstore-go/tokenstore/storetest"
)

// Fault is what a FaultTransport does to one request: storetest's faults,
// which the fault sweep (storetest.RunFaultSweep) plays at every request.
type Fault = storetest.Fault

// The faults, as storetest defines them.
const (
	FailBefore     = storetest.FailBefore
	LoseAnswer     = storetest.LoseAnswer
	Stall          = storetest.Stall
	ApplyThenStall = storetest.ApplyThenStall
)

// Faults lists every Fault, for tests that try each in turn.
var Faults = storetest.Faults

// ErrFaultInjected is the error a FaultTransport gives a request it fails
// or whose answer it drops (storetest.ErrInjected). It is not a net.Error:
// clients that retry only timeouts see it as a connection failure.
var ErrFaultInjected = storetest.ErrInjected

// FaultTransport is an http.RoundTripper that passes requests to Base
// through a storetest.Injector, which injects one Fault at the n-th request
// from a given point, and optionally at every request after it (the
// network going silent). Both the AWS SDK (aws.Config.HTTPClient) and the
// Vault client (api.Config.HttpClient) take it, so one fault plan serves
// every backend. Client-level retries are requests too: a fault at request
// n hits the retry if the first attempt was request n-1. It is safe for
// concurrent use; with several goroutines, which request is the n-th is
// decided by arrival order.
type FaultTransport struct {
	in *storetest.Injector
	rt http.RoundTripper
}

// NewFaultTransport returns a FaultTransport over base (nil:
// http.DefaultTransport) with no fault planned.
func NewFaultTransport(base http.RoundTripper) *FaultTransport {
	in := storetest.NewInjector()
	return &FaultTransport{in: in, rt: in.Transport(base)}
}

// Inject plans fault for the n-th request from now (1-based) and, when
// sticky, for every request after it. It replaces any earlier plan.
func (f *FaultTransport) Inject(n int64, fault Fault, sticky bool) { f.in.Arm(n, fault, sticky) }

// Clear removes the planned fault; later requests pass untouched.
func (f *FaultTransport) Clear() { f.in.Arm(0, 0, false) }

// Requests returns how many requests the transport has seen in all.
func (f *FaultTransport) Requests() int64 { return f.in.Calls() }

// Faulted returns how many requests got a fault.
func (f *FaultTransport) Faulted() int64 { return f.in.Fired() }

// RoundTrip implements http.RoundTripper.
func (f *FaultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return f.rt.RoundTrip(req)
}
