package kvstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/clock"
)

// Defaults for the zero fields of Options.
const (
	DefaultMaxAttempts   = 10
	DefaultRetryDelay    = 10 * time.Millisecond
	DefaultMaxRetryDelay = time.Second
	DefaultParallelism   = 8
	DefaultBatchSize     = 1
)

// graceSightings is how many attempts of one save must find the same
// unfinished state (an entry naming a record not written yet, a tombstone
// at the ID being saved) before it repairs it. Attempts are spaced by the
// backoff, so this is some tens of milliseconds: a writer in flight
// finishes in that time, one that stopped never does. Correctness does
// not depend on it; repairing early only costs the slow writer a retry.
const graceSightings = 3

// Options configures an Engine. Zero fields mean the defaults.
type Options struct {
	// Name prefixes every error: "<Name>: <operation>: ...".
	Name string
	// MaxAttempts bounds the attempts of a write that keeps losing races;
	// then it fails with tokenstore.ErrConflict.
	MaxAttempts int
	// RetryDelay and MaxRetryDelay shape the backoff between attempts: a
	// random wait up to RetryDelay doubled per attempt, capped at
	// MaxRetryDelay.
	RetryDelay, MaxRetryDelay time.Duration
	// Parallelism bounds the backend calls GetTokens and DeleteTokens have
	// in flight.
	Parallelism int
	// BatchSize is how many records one GetRecords call takes.
	BatchSize int
	// SingleWriter serialises every write in the process, for a backend
	// without conditional writes (Vault KV version 1): then the in-process
	// lock is the only protection there is.
	SingleWriter bool
	// MarkBeforePurge makes DeleteTokens write a tombstone over each
	// record before purging it, for a backend whose purge keeps the value
	// around (a secret scheduled for deletion) where it could be restored.
	MarkBeforePurge bool
	// Sleep waits between attempts; tests replace it. Default clock.Sleep.
	Sleep func(context.Context, time.Duration) error
}

// Engine is a tokenstore.Store and tokenstore.Updater over a Backend.
type Engine struct {
	b     Backend
	o     Options
	locks locks
}

var (
	_ tokenstore.Store   = (*Engine)(nil)
	_ tokenstore.Updater = (*Engine)(nil)
)

// New returns an Engine over b. Negative options are an error.
func New(b Backend, o Options) (*Engine, error) {
	if o.MaxAttempts < 0 || o.RetryDelay < 0 || o.MaxRetryDelay < 0 || o.Parallelism < 0 || o.BatchSize < 0 {
		return nil, errors.New("negative MaxAttempts, RetryDelay, MaxRetryDelay, Parallelism or BatchSize")
	}
	o.MaxAttempts = positive(o.MaxAttempts, DefaultMaxAttempts)
	o.RetryDelay = positive(o.RetryDelay, DefaultRetryDelay)
	o.MaxRetryDelay = positive(o.MaxRetryDelay, DefaultMaxRetryDelay)
	o.Parallelism = positive(o.Parallelism, DefaultParallelism)
	o.BatchSize = positive(o.BatchSize, DefaultBatchSize)
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
	return &Engine{b: b, o: o}, nil
}

func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// errRetry makes a write start over: a concurrent writer changed what the
// attempt was based on. After MaxAttempts it becomes ErrConflict.
var errRetry = errors.New("concurrent change")

// retryOn turns a lost race into errRetry.
func retryOn(err error) error {
	if errors.Is(err, ErrStale) {
		return fmt.Errorf("%w: %w", errRetry, err)
	}
	return err
}

// wrap prefixes err with "<name>: op: ", keeping it reachable with
// errors.Is and errors.As. When ctx is done its error is wrapped too,
// whatever shape the transport gave the failure.
func (e *Engine) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %s: %w: %w", e.o.Name, op, cerr, err)
	}
	return fmt.Errorf("%s: %s: %w", e.o.Name, op, err)
}

// withRetry runs f until it returns something other than errRetry, backing
// off between attempts; after MaxAttempts it reports ErrConflict.
func (e *Engine) withRetry(ctx context.Context, f func() error) error {
	return e.loop(ctx, e.o.MaxAttempts, func(err error) bool { return errors.Is(err, errRetry) }, f)
}

// loop runs f until retry(its error) is false, backing off between
// attempts; after attempts tries it reports ErrConflict, keeping the last
// lost race's cause (an API error) reachable.
func (e *Engine) loop(ctx context.Context, attempts int, retry func(error) bool, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		switch {
		case !retry(err):
			return err
		case attempt >= attempts && err == errRetry:
			return fmt.Errorf("%w: gave up after %d attempts", tokenstore.ErrConflict, attempt)
		case attempt >= attempts:
			return fmt.Errorf("%w: gave up after %d attempts: %w", tokenstore.ErrConflict, attempt, err)
		}
		if err := e.backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// backoff waits before attempt+1: a uniformly random time up to
// RetryDelay·2^(attempt-1), capped at MaxRetryDelay ("full jitter"), so
// writers that collided spread out instead of colliding again.
func (e *Engine) backoff(ctx context.Context, attempt int) error {
	d := e.o.RetryDelay
	for i := 1; i < attempt && d < e.o.MaxRetryDelay; i++ {
		d *= 2
	}
	d = min(d, e.o.MaxRetryDelay)
	return e.o.Sleep(ctx, rand.N(d)+1)
}

// forEach is ForEach with Options.Parallelism.
func (e *Engine) forEach(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	return ForEach(ctx, n, e.o.Parallelism, f)
}

// ForEach calls f for 0..n-1 with at most parallel calls running at once.
// It stops starting calls after the first error, which it returns; the
// context f gets is cancelled then too.
func ForEach(ctx context.Context, n, parallel int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(ctx, i); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

// Retry runs f until it returns anything but an error wrapping ErrStale,
// backing off between attempts as writes do; after attempts tries it
// returns an error wrapping tokenstore.ErrConflict and the last ErrStale.
// Backends use it for their own bookkeeping writes (shared shards).
func (e *Engine) Retry(ctx context.Context, attempts int, f func() error) error {
	return e.loop(ctx, attempts, isStale, f)
}
