package refresh

import "sync/atomic"

// Stats counts what one Source has done since it was made: for metrics.
// Counters only grow.
type Stats struct {
	// TokenCalls is how many times it called the token endpoint.
	TokenCalls int64
	// Refreshes is how many new access tokens (or exchanged grants) it
	// stored.
	Refreshes int64
	// Throttled and Revoked count the endpoint's refusals it recorded for
	// the fleet.
	Throttled, Revoked int64
	// LeaseWaits counts the waits of a caller with no valid token while
	// another process held the lease.
	LeaseWaits int64
	// Dropped counts answers and marks not stored because the lease had
	// been taken over or the refresh token had changed (the fence).
	Dropped int64
	// Failed counts refreshes that failed for another reason than a
	// throttle or a revocation; each records a backoff for the fleet.
	Failed int64
	// Expired counts access tokens it expired for the fleet after an API
	// refused them (Expire).
	Expired int64
}

type stats struct {
	tokenCalls, refreshes, throttled, revoked, leaseWaits, dropped, expired, failed atomic.Int64
}

// Stats returns a snapshot of the counters.
func (s *Source) Stats() Stats {
	c := &s.stats
	return Stats{TokenCalls: c.tokenCalls.Load(), Refreshes: c.refreshes.Load(), Throttled: c.throttled.Load(),
		Revoked: c.revoked.Load(), LeaseWaits: c.leaseWaits.Load(), Dropped: c.dropped.Load(), Expired: c.expired.Load(), Failed: c.failed.Load()}
}
