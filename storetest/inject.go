package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Fault is what an Injector does to one call.
type Fault int

const (
	// FailBefore fails the call before it reaches the service: nothing is
	// applied, and the caller gets ErrInjected at once.
	FailBefore Fault = iota + 1
	// LoseAnswer applies the call, then drops its answer: the caller gets
	// ErrInjected, as after a connection reset.
	LoseAnswer
	// Stall holds the call, not applied, until its context ends.
	Stall
	// ApplyThenStall applies the call, then holds its answer until its
	// context ends: a lost answer that costs the caller its deadline.
	ApplyThenStall
)

// Faults lists every Fault, in the order the sweep plays them.
var Faults = []Fault{FailBefore, LoseAnswer, Stall, ApplyThenStall}

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

// applies reports whether a call hit by f reached the service.
func (f Fault) applies() bool { return f == LoseAnswer || f == ApplyThenStall }

// ErrInjected is the error of a call an Injector failed or whose answer it
// dropped. It is not a net.Error: clients that retry only timeouts see a
// connection failure. A harness whose clients tell errors apart by type
// may turn it into the error its service's client gives for a reset.
var ErrInjected = errors.New("storetest: fault injected (connection reset)")

// stallCap is how long a stalled call waits for its context to end before
// the Injector gives up on it and records that the call ran on a context
// that outlived the caller's: no correct store comes near it.
var stallCap = 10 * time.Second

// An Injector counts the calls that pass through it (Do, or a Transport)
// and plays a planned Fault at the n-th. The fault sweep gives one to each
// store it builds; the harness routes every call of the store through it,
// at whatever level it can reach: a Backend (FaultyBackend), an HTTP
// client (Transport) or a fake client (Do). It is safe for concurrent
// use; with several goroutines, which call is the n-th is decided by
// arrival order.
type Injector struct {
	mu       sync.Mutex
	total    int64 // calls since NewInjector
	seen     int64 // calls since Arm
	at       int64 // the call that gets the fault; 0: none
	fault    Fault
	sticky   bool
	fired    int64
	inFlight int

	// Set by the sweep: stalled ends the operation's context when a call
	// stalls; once ended, every call must see its context end too.
	stalled func()
	ended   bool
	endedAt time.Time
	// What the sweep checks: calls whose context outlived the caller's.
	detached []string
}

// NewInjector returns an Injector with no fault planned.
func NewInjector() *Injector { return &Injector{} }

// Arm plans fault for the n-th call from now (1-based) and, when sticky,
// for every call after it: the network gone from call n on. It replaces
// any earlier plan; n = 0 plans none.
func (in *Injector) Arm(n int64, fault Fault, sticky bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seen, in.at, in.fault, in.sticky = 0, n, fault, sticky
}

// Calls returns how many calls have passed through in.
func (in *Injector) Calls() int64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.total
}

// Fired returns how many calls got the planned fault.
func (in *Injector) Fired() int64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.fired
}

// next counts a call and returns the fault it gets, if any.
func (in *Injector) next(ctx context.Context, what string) Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.total++
	in.seen++
	in.inFlight++
	if in.ended && ctx.Err() == nil {
		in.detached = append(in.detached, fmt.Sprintf("call %d (%s) started after the operation's context ended, on a context still live", in.total, what))
	}
	if in.at == 0 || in.seen < in.at || (in.seen > in.at && !in.sticky) {
		return 0
	}
	in.fired++
	return in.fault
}

// Do runs one call under the plan: call gets the context to send it with
// and reports its own error. Do returns that error, ErrInjected (wrapped)
// for a failed call or a lost answer, or the context's error for a stall.
// what names the call in the sweep's findings.
func (in *Injector) Do(ctx context.Context, what string, call func(ctx context.Context) error) error {
	fault := in.next(ctx, what)
	defer in.done()
	switch fault {
	case FailBefore:
		return fmt.Errorf("%s: %w", what, ErrInjected)
	case Stall:
		return in.stall(ctx, what)
	case LoseAnswer, ApplyThenStall:
		// The request has left: the service applies it whatever the
		// caller's context does meanwhile.
		_ = call(context.WithoutCancel(ctx))
		if fault == LoseAnswer {
			return fmt.Errorf("%s: %w", what, ErrInjected)
		}
		return in.stall(ctx, what)
	}
	return call(ctx)
}

func (in *Injector) done() {
	in.mu.Lock()
	in.inFlight--
	in.mu.Unlock()
}

// stall holds a call until its context ends. Under the sweep it ends the
// operation's context first, as a deadline passing at that moment would,
// so that no run waits out a timer; a call context that does not end with
// it is one the store detached from the caller's, and is recorded.
func (in *Injector) stall(ctx context.Context, what string) error {
	in.mu.Lock()
	stalled := in.stalled
	in.mu.Unlock()
	if stalled != nil {
		stalled()
	}
	t := time.NewTimer(stallCap)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		in.mu.Lock()
		in.detached = append(in.detached, fmt.Sprintf("stalled %s outlived the operation's context by %v", what, stallCap))
		in.mu.Unlock()
		return fmt.Errorf("%s: stalled past %v: %w", what, stallCap, ErrInjected)
	}
}

// Transport returns an http.RoundTripper that passes each request to base
// (nil: http.DefaultTransport) through in, so that one plan serves any
// client that takes an http.Client: the AWS SDK (aws.Config.HTTPClient),
// the Vault client (api.Config.HttpClient). A client's own resends are
// requests too: a fault at request n hits the resend when the first
// attempt was request n-1.
func (in *Injector) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return transport{in: in, base: base}
}

type transport struct {
	in   *Injector
	base http.RoundTripper
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	sent := false
	err := t.in.Do(req.Context(), req.Method+" "+req.URL.Path, func(ctx context.Context) error {
		sent = true
		var err error
		resp, err = t.base.RoundTrip(req.WithContext(ctx))
		return err
	})
	if !sent && req.Body != nil {
		_ = req.Body.Close()
	}
	if err != nil && resp != nil {
		// The answer came and is dropped: read it whole, so the server has
		// finished with the request and the connection can be reused.
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		resp = nil
	}
	return resp, err
}
