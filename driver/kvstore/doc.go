// Package kvstore implements the tokenstore contract once, over any
// key-value service with conditional writes. Its Engine is a
// tokenstore.Store and tokenstore.Updater; a store for a service is a
// Backend (ten methods: read, compare-and-swap write and drop of records
// and index entries, a listing, a sweep) plus its naming, limits, costs and
// error mapping. Packages awssm and vault are such adapters, and a store
// outside this module can be one too:
//
//	e, err := kvstore.New(myBackend{...}, kvstore.Options{Name: "mystore"})
//
// and its tests call storetest.RunBackendConformance with the same Backend,
// as this package's own tests do over a Backend in memory: the store
// contract over the Engine, then every fault of the protocol (fail before,
// apply then lose the answer, stall, apply then stall) at every call of
// every operation.
//
// This text is the one description of the write protocol; the adapters'
// documentation links here and says only how their service provides each
// step.
//
// # Experimental
//
// The API of this package may change in any minor release: Backend may
// gain methods as a third service shows what the first two did not. Pin
// the module version when you implement it. Users of awssm and vault never
// see it: their Store types forward the tokenstore methods and show nothing
// of the engine.
//
// # Records and index entries
//
// A record lives under its ID. Each lookup key it holds (driver.Keys: the
// user name, the refresh and the grant token with their client ID, the
// access token) has an index entry naming the record's ID, except keys of
// a kind the Backend does not keep lasting entries for (IndexName returns
// lasting false): those are found by scanning the listed records. Readers
// follow an entry to its record and check that the record still holds the
// key (driver.Matches); anything else (no entry, an entry naming a missing
// or different record, a tombstone) is a miss, never the wrong record.
// Readers never write.
//
// # Claims, then the record, then the release
//
// A save looks its key up, then
//
//  1. claims the index entries of keys the record gains, each with a
//     conditional write: create-only, or over the revision it read. Keys
//     come user name first, so a user name held by another record fails the
//     save with tokenstore.ErrDuplicate before anything is written;
//  2. writes the record, conditionally on the revision it read
//     (create-only for an insert);
//  3. drops the entries of keys the record lost, and those an earlier
//     attempt of the same call claimed in vain, each only if it is still at
//     the revision read. This step is best effort, under the caller's
//     context: an entry left behind is a miss until a claim takes it over.
//
// So a record is never visible without its index. An insert keyed by a key
// without a lasting entry still claims that key's entry while it runs, to
// serialise such inserts, and drops it after.
//
// # Compare-and-swap
//
// Every write names the revision it replaces ("" for nothing there), and
// the Backend refuses it with ErrStale when the name has moved on. Of two
// writers racing for an entry or a record exactly one wins; the other reads
// again, merges again (SaveToken) or calls the update function again
// (UpdateToken), and starts the attempt over. Concurrent saves that set
// different fields of a record therefore all survive, and concurrent
// inserts of one key make one record. A write that changes nothing writes
// nothing.
//
// ErrStale means "certainly not written". A write whose answer was lost may
// be sent again by the service's client and refused for its own first
// copy: the Backend must recognise its own write (records carry a nonce for
// that) and report success, or report an error other than ErrStale when it
// cannot tell. Otherwise a save would merge again on top of what others
// stored since and apply itself twice.
//
// # Tombstones
//
// DeleteToken writes a tombstone over the record, conditionally, so a
// concurrent update either lands first or starts over. The tombstone lists
// the record's index entries; the delete then drops those that still name
// the ID, each conditionally (a save of the same user may already have
// pointed one at a new record), and purges the record. From the tombstone
// on the record reads as not found, and a save of its keys makes a new
// record. A tombstone is also how an ID is retired (below): an empty one,
// which stays until a DeleteToken of the ID or DeleteTokens removes it.
//
// # Repair without clocks
//
// A writer may stop anywhere: a crash, a lost answer, a deadline. What it
// leaves is an entry naming a record that does not exist, an entry naming a
// record that no longer holds the key, or a tombstone. Readers treat each
// as a miss and repair nothing. A save that meets one waits for it to
// change over a few of its own attempts, then repairs it: it retires the
// missing record's ID by writing an empty tombstone there, create-only, so
// that a writer still meaning to create that record fails and starts over
// into the live one, then takes the entry over by compare-and-swap; or it
// finishes the stopped delete. The conditional writes decide every race;
// the wait only spares a live writer a retry, counts attempts and not time,
// and no guarantee (no duplicate user name, no lost record, no wrong token)
// depends on timing or on clocks agreeing. The same operation retried after
// a failure converges at once.
//
// # Retry
//
// An attempt that loses a race starts over after a jittered backoff: a
// random wait up to Options.RetryDelay doubled per attempt, capped at
// Options.MaxRetryDelay, through Options.Sleep, which ends with the
// caller's context. After Options.MaxAttempts the operation fails with an
// error wrapping tokenstore.ErrConflict (and the last refusal, so the
// service's error stays reachable with errors.As), having written no
// record. Engine.Retry gives a Backend the same loop for its own
// bookkeeping writes (awssm's shared shards); ForEach bounds the calls a
// Backend runs in parallel.
//
// # Revisions never come back
//
// Once a name has moved past a revision (a write, a drop, a purge), no
// later state of that name may have it again, or a writer that read the old
// state could land a conditional write on a new one. A purge therefore
// must not reset a name's revisions: Vault keeps a purged path's metadata
// so that its version numbers go on; Secrets Manager writes address the ARN
// read, which a secret created again under the same name never has.
//
// # Deadlines and uncertain outcomes
//
// Every Backend call runs under the caller's context, and nothing runs
// detached: an operation returns within its context's deadline plus the
// bound package tokenstore documents (100 ms, storetest.DeadlineBound),
// and what it could not tidy up in time is left for the repair above. A
// failed write may have been applied, so a failed save releases nothing it
// claimed: a record that exists is always found by its keys, and the same
// save retried finds it and merges into it.
//
// # Costs
//
// In Backend calls: FindTokenByID is one read; FindToken through a lasting
// entry two (the entry, the record), by a scanned key one listing plus one
// GetRecords per Options.BatchSize records up to the first match. Updating
// a record whose keys stay the same is three calls (the entry, the record,
// the write), two by ID, and UpdateToken two; each key gained or lost adds
// a claim or a read and a drop. DeleteToken is a read, the tombstone, a
// read and a drop per entry, and the purge.
//
// # Concurrency
//
// An Engine is safe for concurrent use. Inside one Engine, writers of the
// same lookup key take turns, which only saves round trips; across
// engines and processes the compare-and-swap decides. With
// Options.SingleWriter (a service without conditional writes, such as
// Vault KV version 1) every write takes one in-process lock, and only one
// process may write.
//
// # Errors
//
// Errors read "<Options.Name>: <operation>: <cause>" with the operation
// words of package tokenstore, wrap its sentinels and the Backend's errors
// unflattened, and wrap ctx.Err() when the context ended, whatever shape
// the transport gave the failure. A Backend must never put a token value or
// a user name in an error.
package kvstore
