// Package driver is for people who write a store: an implementation of
// tokenstore.Store for a new backend, or a decorator around one such as
// package cache. A program that only keeps and finds tokens needs package
// tokenstore and a store, not this package. The split follows gocloud.dev's
// secrets and secrets/driver: the portable package shows the contract, this
// one holds the shared pieces behind it.
//
// # What a store must guarantee
//
// The contract is written down once, in package tokenstore: the Store
// interface's documentation (the six operations, lookup and upsert, one
// record per user name), the package documentation (concurrency across
// processes, deadlines, uncertain outcomes, unreadable records, secrets and
// error wording), and Updater's for read-modify-write. Package storetest
// checks all of it: a store's tests call storetest.RunConformance with a
// harness that makes a fresh store per namespace, and a store is done when
// that suite passes on its honest fakes and on a real server.
//
// # What is here
//
// Every helper below is what the stores of this module use, so that a rule
// is written once and two stores cannot drift apart on it:
//
//   - The persisted record: EncodeRecord and DecodeRecord, and
//     EncodeRecordMeta and DecodeRecordMeta with the record's
//     tokenstore.Meta, write and read the versioned JSON envelope
//     {"v":RecordVersion,"token":{...},"meta":{...}} that every store keeps,
//     refusing what tokenstore.Validate refuses and anything over
//     MaxRecordSize, the one size limit of every store. Decoding errors wrap
//     tokenstore.ErrCorrupt and never quote the input.
//   - The lookup rules from the record's side: Keys lists every key a stored
//     record answers to (for indexes and caches), and Matches says whether a
//     record answers to the key tokenstore.Lookup gave for a query.
//   - The upsert rule itself is tokenstore.Merge, beside the contract;
//     Merge here is its deprecated alias.
//   - Listing: SortByID puts tokens in the order GetTokens returns.
//   - Names: Digest turns a key into a stable, name-safe HMAC digest that
//     shows no token and no user name, for secret names, paths and tags;
//     ClonePepper is the copy of its key a store keeps, refusing one
//     shorter than MinPepperLen.
//   - The write protocol over a key-value service with conditional writes:
//     package driver/kvstore (experimental), whose Engine is a whole store
//     once a service is adapted to its Backend, as awssm and vault are.
//
// # Concurrency
//
// Every function here is safe for concurrent use: none keeps state between
// calls.
//
// # Errors
//
// Errors from these helpers wrap the sentinels of package tokenstore
// (ErrInvalidToken, ErrTooLarge, ErrCorrupt) and name a field, never its
// value, so a store returns them as they are or wrapped in its own
// "<package>: <operation>: " prefix, and callers still test them with
// errors.Is.
package driver
