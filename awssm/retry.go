package awssm

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/tokenstore-go/tokenstore/internal/clock"
)

// Outcomes that make a save start over from its lookup.
var (
	// errBusy: another writer is between the calls of its operation.
	errBusy = errors.New("another writer is between its calls")
	// errRetryNow: what was looked up changed; look again at once.
	errRetryNow = errors.New("lookup result changed")
)

// retryable reports whether a save attempt that failed with err may start
// over, and whether it should pause first.
func retryable(err error) (retry, pause bool) {
	switch {
	case errors.Is(err, errRetryNow), errors.Is(err, errExists):
		return true, false
	case errors.Is(err, errBusy), errors.Is(err, errStale), errors.Is(err, errGone):
		return true, true
	}
	return false, false
}

// pause waits after failed attempt attempt (0-based): RetryDelay doubled
// per attempt, capped at MaxRetryDelay, with jitter so that writers that
// collided spread out. It returns early with ctx's error.
func (s *Store) pause(ctx context.Context, attempt int) error {
	d := min(s.opts.RetryDelay<<min(attempt, 30), s.opts.MaxRetryDelay)
	if d <= 0 {
		return ctx.Err()
	}
	return clock.Sleep(ctx, d/2+rand.N(d/2+1))
}
