// Package cache is a read-through, write-through cache in front of any
// tokenstore.Store, and is one itself:
//
//	backend, err := vault.New(client, nil) // or awssm, memstore, your own
//	...
//	store, err := cache.New(backend, nil) // a tokenstore.Store
//
// FindToken and FindTokenByID answer from memory when they can. A miss
// asks the backend once however many goroutines miss on the same key at
// the same time, and caches the record under every key it answers to
// (driver.Keys), so a record loaded by user name is then a hit by ID,
// access token, grant or refresh token too. SaveToken, DeleteToken and
// DeleteTokens go to the backend first and then update the cache, so this
// process reads its own writes at once. GetTokens is passed through and
// neither uses nor fills the cache. The cache is a tokenstore.Updater
// exactly when the store behind it is one: its UpdateToken goes through
// that store's and then updates the cache as a save does.
//
// aws-secretsmanager-caching-go and the AWS Parameters and Secrets Lambda
// extension are read-only, offer no invalidation, and keep serving a
// secret for up to their TTL after it changes. This cache writes through,
// so this process never reads an older value than it wrote, drops what a
// delete removed, and never serves an access token within ExpirySkew of
// its expiry, so a token that another instance refreshed is read from the
// backend as soon as this instance's copy is due for a refresh.
//
// # Freshness and staleness across instances
//
// A cached record is served as a hit until the earliest of:
//
//   - TTL after the backend call that read or wrote it began, less up to
//     Jitter of TTL at random, so that records loaded together are not
//     reloaded together (Jitter only shortens: TTL is the bound);
//   - its Expiry minus ExpirySkew, when it has an access token and an
//     Expiry (a record already that close to expiry is not cached);
//   - a SaveToken, DeleteToken or DeleteTokens through this Store that
//     may have changed it.
//
// Writes made through other Store values, in this process or another, are
// seen once one of the first two bounds passes: another instance's new
// access token, changed field or deletion may go unseen for up to TTL, and
// never past the cached access token's Expiry minus ExpirySkew. Choose TTL
// with that in mind; when every writer goes through one cache,
// nothing is ever stale. A record whose access token has expired, or is
// within ExpirySkew of it, is always read from the backend.
//
// ErrNotFound is cached only with NotFoundTTL > 0, and then for that long:
// a record created meanwhile by another instance stays invisible to this
// one until it ends. With StaleIfError > 0, a find whose backend call
// fails returns the last cached value for up to StaleIfError after it
// stopped being fresh, and counts and reports it (Stats.StaleServed,
// EventStale with the backend's error); the caller sees no error. The
// expiry bound holds for these answers too: once the cached access token
// is within ExpirySkew of its Expiry, the find returns the backend's error
// (Stats.Errors, EventError) rather than the token. A record whose Expiry
// is zero, which tokenstore.Token.Expired reads as unknown and not
// expired, or which has no access token, is served stale for the whole
// window. A cached ErrNotFound, and a value a write through this Store
// dropped, are never served stale.
//
// # Memory and eviction
//
// Each record is one entry however many keys it has; each cached
// ErrNotFound is one entry too. At most MaxEntries are held; beyond that
// the SIEVE algorithm (Zhang et al., NSDI 2024) picks what to drop: a hit
// only sets a bit, and in its authors' measurements on web cache traces
// SIEVE misses less often than LRU. Entries past their stale window go
// first. Secrets are held only in memory: the Token values the backend
// returned, and the keys of loads in flight. The cache never logs or
// prints them, and Stats and Event carry no token data.
//
// A hit takes no lock and writes no memory another core is reading: it
// hashes the key's value, probes an open-addressing table whose slots point
// straight at entries and which writers change with atomic stores, skips
// entries by the hash each keeps of its keys, compares the key once with
// the entry's own key of that kind (one of driver.Keys of its record, so
// the comparison is driver.Matches) where the hash matched, reads the
// monotonic clock and adds one to a hit counter striped by P (through a
// sync.Pool). It allocates nothing, and parallel hits scale with the
// cores, on one key as on many. The clock read is most of what a hit
// costs beyond the cheapest possible lookup, and it stays: it is what
// keeps a hit from serving a token past its TTL or within ExpirySkew of
// its expiry, even in a process that was frozen (as Lambda freezes its
// environments between invocations) or starved, where a clock kept by a
// goroutine would lag. BENCHMARKS.md has the figures, against that lookup
// with and without the clock read.
//
// # Concurrency
//
// A Store is safe for concurrent use. Concurrent misses on one key share
// one backend call (golang.org/x/sync/singleflight); each caller waits only
// as long as its own context allows, while the call runs detached from
// every caller's cancellation (keeping the first caller's context values),
// bounded by LoadTimeout. So one caller giving up fails no other, and the
// result is still cached for the next. A panic in the backend during a
// shared load is raised again in each waiting caller.
//
// Through one Store, reads and writes are linearizable as the backend's
// are: once any caller has been given a value, no later find returns an
// older one. A load that any write through this Store overlapped is
// returned to its callers but not cached, and if a write is still in
// flight when it ends, the entries under its keys are dropped (the load
// may have read that write's value); a load that began before another
// load of the same record never replaces that one's entry; a write's
// result is cached only if no other write overlapped it; and a find
// joins a shared load only if that load began after the last backend call
// ended. So races cost backend calls, never a step back in time. Every
// hit is checked against the keys of the record it returns (driver.Keys,
// which answer exactly as driver.Matches). Another process's writes may go
// unseen for up to TTL.
//
// # Errors
//
// Errors from the backend are returned unchanged, so errors.Is finds the
// tokenstore sentinels and errors.As the backend's own types. The cache's
// own errors read "cache: op: cause" and wrap a sentinel or the context's
// error: an invalid query or ID (tokenstore.ErrInvalidToken, no backend
// call), a context that ended before or while waiting (ctx.Err()), and a
// cached not-found answer (tokenstore.ErrNotFound). A load that outlives
// LoadTimeout fails with the backend's error for context.DeadlineExceeded.
// Stats.Errors and EventError count backend failures, not the answers the
// contract defines (ErrNotFound, ErrInvalidToken, ErrDuplicate,
// ErrTooLarge).
package cache
