package storetest

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestInjectorFaults checks what each fault does to the second of three
// calls: whether the call was applied, what the caller got, and that a
// plan that is not sticky leaves the third call alone.
func TestInjectorFaults(t *testing.T) {
	for _, tt := range []struct {
		fault   Fault
		applied bool
		want    error
	}{
		{FailBefore, false, ErrInjected},
		{LoseAnswer, true, ErrInjected},
		{Stall, false, context.DeadlineExceeded},
		{ApplyThenStall, true, context.DeadlineExceeded},
	} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			in := NewInjector()
			in.Arm(2, tt.fault, false)
			applied := 0
			call := func(ctx context.Context) error {
				ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				defer cancel()
				return in.Do(ctx, "op", func(context.Context) error { applied++; return nil })
			}
			if err := call(context.Background()); err != nil || applied != 1 {
				t.Fatalf("call 1: %v, %d applied; want no fault", err, applied)
			}
			if err := call(context.Background()); !errors.Is(err, tt.want) {
				t.Fatalf("call 2: got %v; want %v", err, tt.want)
			}
			if got := applied == 2; got != tt.applied {
				t.Fatalf("call 2 applied: %v; want %v", got, tt.applied)
			}
			if err := call(context.Background()); err != nil {
				t.Fatalf("call 3: %v; want no fault (not sticky)", err)
			}
			if in.Calls() != 3 || in.Fired() != 1 {
				t.Fatalf("Calls %d, Fired %d; want 3 and 1", in.Calls(), in.Fired())
			}
		})
	}
}

// TestInjectorSeesDetachedCalls checks the findings that need no clock: a
// call started after the sweep ended the operation's context, on a context
// that did not end with it, is recorded, and so is a stalled call whose
// context outlives the caller's (here: one that never ends).
func TestInjectorSeesDetachedCalls(t *testing.T) {
	defer func(d time.Duration) { stallCap = d }(stallCap)
	stallCap = 50 * time.Millisecond
	in := NewInjector()
	ctx, cancel := context.WithCancel(context.Background())
	in.stalled = func() {
		cancel()
		in.mu.Lock()
		in.ended = true
		in.mu.Unlock()
	}
	in.Arm(1, Stall, false)
	if err := in.Do(ctx, "first", func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("stalled call: got %v; want context.Canceled", err)
	}
	_ = in.Do(context.WithoutCancel(ctx), "detached", func(context.Context) error { return nil })
	in.Arm(1, Stall, false)
	_ = in.Do(context.WithoutCancel(ctx), "stalled detached", func(context.Context) error { return nil })
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.detached) != 3 || in.inFlight != 0 {
		t.Fatalf("findings %q, %d in flight; want 3 (the call after the end, and the stalled one, twice) and 0", in.detached, in.inFlight)
	}
}
