// Package awssm is a tokenstore.Store on AWS Secrets Manager, through
// aws-sdk-go-v2, for Lambda functions and containers with no local disk.
// Any number of Store values and processes sharing a prefix behave as one
// store, with every guarantee of the tokenstore contract.
//
//	store, err := awssm.New(secretsmanager.NewFromConfig(cfg), &awssm.Options{
//		Prefix: "myapp/prod/",
//		Pepper: pepper, // 32 random bytes kept outside Secrets Manager
//	})
//
// New makes no network call, which keeps Lambda cold starts cheap; FromEnv
// builds the client from the environment (AWS_ENDPOINT_URL reaches
// LocalStack). Both take the client's retryer for throttling and transient
// errors, or Options.Retryer.
//
// # Layout
//
// Under the prefix P, a namespace holds four kinds of secret:
//
//	P token/<ID>/record   the record, as driver.EncodeRecordMeta writes it, and a write nonce
//	P index/<digest>      a user name or refresh token: {"id":"<ID>"}
//	P grants/00 … /19     grant tokens → IDs, sharded by digest
//	P catalog/00 … /19    the IDs of the records, sharded by a hash of the ID
//
// The nonce makes every write's value unique, which the compare-and-swap
// needs (see Concurrency), and costs none of the record's budget: a record
// the codec accepts, up to driver.MaxRecordSize (64 KiB, the most a secret
// value holds) with its metadata, is stored whole. Records up to 33 bytes
// below the limit are the JSON envelope with an "awssm_nonce" member added;
// the few longer ones are framed compactly as "ts1:<nonce>:" followed by
// the envelope without its fixed first 22 bytes, a value that versions of
// this package from before that frame read as corrupt.
//
// The record is named by its ID: FindTokenByID is one GetSecretValue. User
// names and refresh tokens each get an index secret named by the key's
// digest (driver.Digest with Options.Pepper); a grant token gets an
// entry, keyed by its digest, in the grants shard its digest selects. So
// FindToken by any of the three is two GetSecretValue calls: the index
// secret or the shard, then the record. The store then checks that the
// record still holds the key (driver.Matches), so a stale entry is
// a miss and never the wrong record.
//
// Grant tokens share shards because they are written once, when a user
// authorises the app, and never change: their entries add no write load
// after that, and sharing them saves a secret per record. User names and
// refresh tokens keep secrets of their own: they are the keys of every
// request, and a refresh token may rotate as often as the access token,
// which would put more writes on a shared shard than Secrets Manager takes
// (see Writes). The price is in bytes: a lookup by grant token reads its
// whole shard, up to 64 KiB in a full namespace. A grants shard holds
// about 650 entries, so a namespace
// holds about 13,000 records with grant tokens; a full shard refuses saves
// that add a grant token with tokenstore.ErrTooLarge.
//
// Access tokens change every hour. An index per access token would create
// and delete a secret at every refresh (billed, rate-limited, and leaving
// names pending deletion), so they get none: FindToken by access token
// scans the namespace, reading the catalog in one BatchGetSecretValue and
// then the records 20 per call in ID order, stopping at the first batch
// holding a match. That is at most 1 + ceil(N/20) calls for N records (51
// for 1,000), and it is how the Zoho SDKs' access-token rule is served.
// GetTokens is the same read of everything: 1 + ceil(N/20) calls.
//
// The catalog exists so that GetTokens, DeleteTokens and that scan never
// depend on ListSecrets, which can lag minutes behind writes. Its 20 shards
// spread the writes of inserts and deletes and are read in one call. Each
// shard holds up to about 1,800 IDs, so a namespace holds up to about
// 36,000 records; a full shard refuses inserts with tokenstore.ErrTooLarge.
//
// Names are built from the prefix, IDs (tokenstore.ValidateID admits
// [A-Za-z0-9_-] only) and hexadecimal digests, so no input can add a path
// segment or leave the prefix. Every name ends in a fixed part of at least
// seven characters whose first is not '-', so none ends in '-' and six
// characters, which Secrets Manager would take for the random suffix of an
// ARN. The longest name, with the longest prefix Options accepts and a
// 64-character ID, is 512 characters, the limit. Descriptions are fixed
// text and the only tags are Options.Tags.
//
// IDs appear in names: let the store generate them (tokenstore.NewID), or
// never derive them from user names or tokens.
//
// # Secrets per record, and cost
//
// A record takes one secret, plus one for its user name and one for its
// refresh token when it has them (a refresh token counts only with a client
// ID, as in driver.Keys):
//
//	user name + refresh token (+ grant token)   3
//	refresh token only (+ grant token)          2
//
// A namespace adds up to 40 shared secrets: 20 catalog and 20 grants
// shards, created as records need them. At list price ($0.40 per secret a
// month, $0.05 per 10,000 calls) 1,000 users cost $1,216 a month in
// secrets; the README has the table.
//
// # Writes
//
// Refreshing an access token is one PutSecretValue on the record, which
// makes one version: 24 a day for hourly tokens. Secrets Manager keeps
// every version younger than a day and asks for no more than one write
// every 10 minutes per secret on average (about 100 versions a day). A
// refresh creates and deletes no secret, and a save that changes nothing
// writes nothing. Saving a record whose lookup keys do not change takes 2
// calls by ID and 3 by user name, grant or refresh token, one of them a
// write; BENCHMARKS.md has the measured counts. A refresh token that
// rotates moves its index entry: one secret created and one deleted per
// rotation.
//
// Inserts and deletes also write a catalog shard, and saves that add or
// drop a grant token a grants shard: spread over 20 shards each, a
// namespace takes about 2,000 of each a day within that version rate. Load
// more users than that in a day through several prefixes.
//
// # Threat model of the digests
//
// Index names are HMAC-SHA256, keyed by Options.Pepper, of the key's kind,
// client ID and value. Access, refresh and grant tokens are long random
// strings: their digests reveal nothing, pepper or not. User names are
// usually e-mail addresses, which can be guessed: without a pepper, anyone
// allowed to list secret names (secretsmanager:ListSecrets cannot be
// limited to a prefix) can hash a candidate address and see whether that
// user has a record. With a pepper that lives outside Secrets Manager (an
// encrypted Lambda environment variable, an SSM parameter) the test needs
// the pepper. The digest hides names only: whoever may read the secrets
// reads the records, which hold the user name. Changing the pepper orphans
// every index entry; move to a new prefix instead and save the records
// there.
//
// # Concurrency
//
// The guarantees rest on three atomic operations of Secrets Manager, never
// on a read followed by a write:
//
//   - CreateSecret refuses an existing name. Claiming the index entry of a
//     key creates it, so of concurrent inserts with the same user name or
//     refresh token exactly one claims it; the others find the winner's
//     record and merge into it (or fail with tokenstore.ErrDuplicate when
//     a save would give one record another's user name). Inserts keyed by
//     an access token, which has no lasting index, hold a claim on one just
//     until their record exists.
//   - PutSecretValue refuses a ClientRequestToken already used for another
//     value. Every update derives the new version's ID from the version it
//     read, so of all writers that read a version only the first can
//     replace it: a compare-and-swap in one write. A loser rereads, merges
//     again and retries, so concurrent saves that set different fields of a
//     record all survive; losing makes no version. Shards change the same
//     way, so of concurrent inserts with the same grant token exactly one
//     adds its entry; each entry carries a nonce that stands for its
//     version, so a claim or release of one entry decides as it would on a
//     secret of its own.
//   - A secret's ARN changes when its name is deleted and created again.
//     Writes that depend on a read address the secret by the ARN read, so
//     they cannot land on a newer secret of the same name.
//
// Over these runs the write protocol of package
// [github.com/tokenstore-go/tokenstore/driver/kvstore], whose
// documentation is the one description of it: index entries claimed before
// the record, compare-and-swap on every write, tombstones, repair of what
// a stopped writer left without any clock, retries ending in
// tokenstore.ErrConflict. Here a claim creates an index secret or adds a
// grants entry; dropping an entry writes a tombstone over the index secret
// by compare-and-swap and then deletes it by ARN, so a claim made meanwhile
// is left alone; an insert lists its ID in the catalog before it creates
// the record, and a delete removes the catalog entry after the record.
// Retiring an ID creates a tombstone secret under it.
//
// UpdateToken (tokenstore.Updater) is the same update step with the
// caller's function in place of the merge: one GetSecretValue and one
// PutSecretValue when the keys stay the same, nothing written when the
// function changes nothing, and the record's Meta kept by SaveToken.
//
// Reads never write: FindToken, FindTokenByID and GetTokens only call
// GetSecretValue and BatchGetSecretValue.
//
// # Deadlines and uncertain outcomes
//
// Every operation makes its calls under the caller's context and returns
// within the bound the kvstore documentation states (the SDK's own retries
// stop at the deadline too); nothing runs detached.
//
// A call that failed may still have been applied; the kvstore
// documentation says what the protocol does about it. The SDK resends a
// request after a transport error with the same ClientRequestToken, which
// Secrets Manager treats as the same write, so a resent write is never
// refused as a lost race.
//
// # Unreadable records
//
// A record secret whose value does not decode (written by hand, or by a
// later version of this package) is an error wrapping
// tokenstore.ErrCorrupt that names its ID, for finds that reach it.
// It never makes the namespace unusable: GetTokens returns every readable
// record together with such an error naming each unreadable ID; a scan by
// access token passes over it; DeleteToken of its ID and DeleteTokens
// delete it. Its index entries are then dangling entries.
//
// DeleteTokens is for clearing a namespace, not for running alongside
// saves into it: it deletes index entries without compare-and-swap. It
// also lists the prefix (ListSecrets, possibly lagging) to remove what
// crashes left outside the catalog.
//
// # Deletion
//
// DeleteToken deletes the record secret at once with Options.ForceDelete,
// and otherwise schedules its deletion after Options.RecoveryWindowDays
// (default 7). A secret pending deletion reads as not found, and saving a
// record with its ID restores the secret and writes the new record over it.
// To recover a deleted record by hand, restore the secret and read its
// AWSPREVIOUS version (AWSCURRENT is the tombstone), then save that
// record. Index secrets and shards are always deleted at once.
//
// # Errors
//
// Errors read "awssm: <operation>: <cause>" and never contain a token or a
// user name. They wrap the tokenstore sentinels: ErrNotFound (also for a
// record pending deletion), ErrInvalidToken and ErrTooLarge (both before
// any write; the limit is the codec's, driver.MaxRecordSize, 64 KiB with
// metadata, which a secret value holds with its nonce),
// ErrDuplicate, ErrConflict (after Options.MaxAttempts) and
// ErrCorrupt. Errors from Secrets Manager stay reachable with errors.As,
// as smithy.APIError or the types in service/secretsmanager/types, also
// when wrapped in ErrConflict; a cancelled or expired context surfaces as
// an error wrapping ctx.Err().
package awssm
