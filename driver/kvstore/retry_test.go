package kvstore

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// retryStore returns an Engine with no backend whose sleeps are recorded, not
// slept.
func retryStore(attempts int, slept *[]time.Duration) *Engine {
	return &Engine{o: Options{
		MaxAttempts:   attempts,
		RetryDelay:    10 * time.Millisecond,
		MaxRetryDelay: 50 * time.Millisecond,
		Parallelism:   2,
		Sleep: func(ctx context.Context, d time.Duration) error {
			*slept = append(*slept, d)
			return ctx.Err()
		},
	}}
}

func TestWithRetryGivesUpWithConflict(t *testing.T) {
	var slept []time.Duration
	s := retryStore(5, &slept)
	calls := 0
	err := s.withRetry(context.Background(), func() error { calls++; return errRetry })
	if !errors.Is(err, tokenstore.ErrConflict) {
		t.Fatalf("got %v; want ErrConflict", err)
	}
	if calls != 5 || len(slept) != 4 {
		t.Fatalf("got %d calls and %d sleeps; want 5 and 4", calls, len(slept))
	}
	limits := []time.Duration{10, 20, 40, 50}
	for i, d := range slept {
		if d <= 0 || d > limits[i]*time.Millisecond {
			t.Errorf("sleep %d: got %v; want in (0, %v]", i, d, limits[i]*time.Millisecond)
		}
	}
}

func TestWithRetryPassesOtherResults(t *testing.T) {
	var slept []time.Duration
	s := retryStore(5, &slept)
	boom := errors.New("boom")
	for _, want := range []error{nil, boom} {
		calls := 0
		got := s.withRetry(context.Background(), func() error {
			calls++
			if calls < 3 {
				return errRetry
			}
			return want
		})
		if got != want || calls != 3 {
			t.Errorf("got %v after %d calls; want %v after 3", got, calls, want)
		}
	}
}

func TestWithRetryStopsOnContext(t *testing.T) {
	var slept []time.Duration
	s := retryStore(5, &slept)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.withRetry(ctx, func() error { return errRetry })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
}

func TestLocksWaitForContext(t *testing.T) {
	var l locks
	unlock, err := l.lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.lock(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("second lock: got %v; want context.Canceled", err)
	}
	other, err := l.lock(ctx, "other")
	if err == nil {
		other()
	}
	unlock()
	unlock2, err := l.lock(context.Background(), "k")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
	if len(l.m) != 0 {
		t.Errorf("%d lock entries left; want 0", len(l.m))
	}
}

func TestForEachBoundsAndStops(t *testing.T) {
	var slept []time.Duration
	s := retryStore(1, &slept)
	var running, peak int32
	mu := make(chan struct{}, 1)
	err := s.forEach(context.Background(), 20, func(ctx context.Context, i int) error {
		mu <- struct{}{}
		running++
		peak = max(peak, running)
		<-mu
		runtime.Gosched()
		mu <- struct{}{}
		running--
		<-mu
		return nil
	})
	if err != nil || peak > 2 {
		t.Errorf("forEach: err %v, peak %d in flight; want nil, at most 2", err, peak)
	}
	boom := errors.New("boom")
	err = s.forEach(context.Background(), 20, func(ctx context.Context, i int) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("forEach: got %v; want boom", err)
	}
}
