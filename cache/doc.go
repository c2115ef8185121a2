// Package cache is a read-through, write-through cache in front of any
// tokenstore.Store, and is one itself:
//
//	backend, err := awssm.New(client, nil)
//	...
//	store, err := cache.New(backend, nil) // a tokenstore.Store
//
// FindToken and FindTokenByID answer from memory when they can. A miss
// asks the backend once however many goroutines miss on the same key at
// the same time, and caches the record under every key it answers to
// (tokenstore.Keys), so a record loaded by user name is then a hit by ID,
// access token, grant or refresh token too. SaveToken, DeleteToken and
// DeleteTokens go to the backend first and then update the cache, so this
// process reads its own writes at once. GetTokens is passed through.
//
// Unlike aws-secretsmanager-caching-go and the AWS Parameters and Secrets
// Lambda extension, which are read-only and serve a secret for their whole
// TTL after it changed, this cache sees its own writes, invalidates on
// delete, and never serves an access token past its expiry (minus
// ExpirySkew), so a token refreshed by another instance is read from the
// backend when this instance needs it.
//
// # Freshness and staleness across instances
//
// A cached record is served as a hit until the earliest of:
//
//   - TTL after the backend call that read or wrote it began (minus up to
//     Jitter of TTL, at random, so that records loaded together are not
//     reloaded together);
//   - its Expiry minus ExpirySkew, when it has an access token and an
//     Expiry (a record already that close to expiry is not cached at all);
//   - a SaveToken, DeleteToken or DeleteTokens through this Store that
//     touches it.
//
// Writes through other Store values, in this process or others, are not
// seen until one of the first two bounds: another instance's new access
// token, user name change or deletion may be missed for up to TTL, or
// until the cached access token is ExpirySkew from expiry, whichever comes
// first. Choose TTL with that in mind; when every writer shares one
// cache.Store, nothing is ever stale. A record whose access token has
// expired is always read from the backend, which is what lets an instance
// pick up a refresh another one made.
//
// ErrNotFound is cached only with NotFoundTTL > 0, and then for that long:
// a record created meanwhile by another instance stays invisible to this
// one until it ends. With StaleIfError > 0, a find whose backend call
// fails returns the last cached value for up to StaleIfError after it
// stopped being fresh, and counts and reports it (Stats.StaleServed,
// EventStale with the backend's error).
//
// # Memory and eviction
//
// Each record is one entry however many keys it has; each cached
// ErrNotFound is one entry too. At most MaxEntries are held; beyond that
// the SIEVE algorithm picks what to drop (see the evict method): a hit sets
// one bit and takes no exclusive lock, and SIEVE evicts at least as well
// as LRU on the web cache workloads it was measured on. Expired entries
// are kept for StaleIfError and then dropped first. Secrets are held only
// in memory, in the Token values the backend returned, and in the
// in-memory keys of loads in flight; the cache never logs or prints them,
// and Stats and Event carry no token data.
//
// A hit takes no lock and writes no shared memory but one of 64 counters:
// a hash of the key's value, a probe of an open-addressing table that one
// writer at a time changes with atomic stores (see table.go), a read of the
// monotonic clock, and Key.Matches. It allocates nothing. See BENCHMARKS.md
// for the figures.
//
// # Concurrency
//
// A Store is safe for concurrent use. Concurrent misses on one key share
// one backend call (golang.org/x/sync/singleflight); each caller waits only
// as long as its own context allows, and the call itself runs detached
// from every caller's cancellation, bounded by LoadTimeout, so one caller
// giving up fails no other and the result is still cached for the next.
// A panic in the backend during a shared load is raised again in each
// waiting caller.
//
// An older value never overwrites a newer one that this Store has seen: a
// load that overlapped a write of the same record (a SaveToken or
// DeleteToken of it, or any DeleteTokens) is returned to its callers but
// not cached, and of two overlapping writes to one record neither result
// is cached. The bookkeeping is a logical clock with the tick of the last
// write of each key kept only while calls are in flight; see order.go.
// Every cached entry is checked with tokenstore.Key.Matches against the
// record it returns.
//
// # Errors
//
// Errors from the backend are returned unchanged, so errors.Is finds the
// tokenstore sentinels and errors.As the backend's own types. The cache's
// own errors are "cache: op: cause" and wrap a sentinel or the context's
// error: an invalid query or ID (tokenstore.ErrInvalidToken, no backend
// call), a context that ended before or while waiting (ctx.Err()), and a
// cached not-found answer (tokenstore.ErrNotFound). Stats.Errors and
// EventError count backend failures, not the answers the contract defines
// (ErrNotFound, ErrInvalidToken, ErrDuplicate, ErrTooLarge).
package cache
