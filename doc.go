// Package tokenstore keeps OAuth tokens for the Zoho CRM SDKs' token
// persistence model in places that suit serverless functions and containers
// without a local disk: AWS Secrets Manager (package awssm), HashiCorp Vault
// KV (package vault), and memory (package memstore), with an optional
// read-through cache (package cache) in front of any of them.
//
// This package holds what a user of a store needs: the Token, the Store
// interface with Zoho's six operations, the optional Updater with its Record
// and Meta, the sentinel errors, the lookup rules (Lookup, which names the
// rule a query falls under as a Key), and the checks a store applies before
// it writes (Validate, ValidateID, with NewID for an ID of the form a store
// would choose). Pick a store from awssm, vault or memstore, optionally put
// cache in front, and program against Store.
//
// Writing a store is another job: package driver holds what store authors
// share so that none re-implements it (the persisted record format, the
// keys a record answers to, name-safe digests of them), and package
// storetest turns the contract below into a conformance suite.
//
// # Opening a store by URL
//
// Programs that let an operator choose the store (tokenctl, an agent) open
// it by URL, as gocloud.dev's portable types do:
//
//	import (
//		"github.com/tokenstore-go/tokenstore"
//		_ "github.com/tokenstore-go/tokenstore/vault" // registers vault://
//	)
//
//	store, err := tokenstore.OpenStore(ctx, "vault://secret/apps/crm?kv=2", &tokenstore.OpenOptions{Pepper: pepper})
//
// Each store package registers its scheme with DefaultURLMux when it is
// imported: memstore "mem://", awssm "awssm://PREFIX?region=R&...", vault
// "vault://MOUNT/PREFIX?kv=1|2"; their OpenURL functions document the
// parameters. This package imports none of them, so a program links only
// the stores it names (the registry lives here rather than in a package
// that imports every store, which would link them all into every program). A URL holds no secret: credentials come from the
// environment the way each SDK reads them (which New never does) and the
// pepper from OpenOptions. Unknown, repeated, empty or ';'-joined
// parameters are errors matching ErrBadURL, never ignored.
//
// # Lookup and upsert
//
// FindToken and SaveToken select a record by the first lookup rule whose
// condition holds; see Lookup. SaveToken merges into the match (non-empty
// fields replace, empty fields keep, the ID stays: Merge) or inserts. The
// user name is unique within a store: a save that would give one record
// another record's user name fails with ErrDuplicate. Grant and refresh
// tokens are unique per client in practice (the OAuth server issues them);
// if records were made to share one, which of them the grant or refresh rule
// finds is unspecified.
//
// A SaveToken whose token has a token value but no lookup key (say a refresh
// token without client credentials) inserts a new record every time, as the
// Zoho SDKs do.
//
// # Secrets
//
// ClientSecret and the three tokens never appear in Token's String,
// GoString, Format (every verb), LogValue or MarshalJSON output, nor in any
// error this module returns; Key never shows its value. So a Token or Key
// logged through fmt or log/slog (text or JSON handler), alone or inside a
// slice, map, struct or pointer, shows no secret. So do the module's other
// types that hold secrets: every Store and memstore.Shared print as a
// fixed summary, and awssm.Options and vault.Options show their Pepper only
// as "[redacted]". Two holes are Go's, not this package's: fmt's %p applied
// to a struct value (which go vet reports), and a Token in an unexported
// field of a caller's struct, which fmt prints field by field without
// calling Token's methods.
//
// Token's JSON form is therefore for logs, not for storage: a set secret
// reads "[redacted]". UnmarshalJSON refuses that marker with ErrInvalidToken
// rather than load it as a secret, and still reads complete JSON written
// before MarshalJSON existed. To persist a Token, use a Store; a program
// that must handle records itself (an export, say) uses the versioned
// envelope of driver.EncodeRecord and driver.DecodeRecord.
//
// # Read-modify-write
//
// Beside the six operations, a store may offer Updater: read one record by
// ID, apply a function, and write the result only if the record did not
// change in between (compare-and-swap), retrying on conflict. The record's
// Meta, kept in the persisted envelope beside the token, holds store-level
// state such as a refresh lease; it never appears in a Token, SaveToken
// keeps it, and records written before it existed load with none. Every
// store in this module implements Updater (cache when its backend does);
// the storetest cases for it run on every store that does.
//
// # Concurrency
//
// Every Store in this module is safe for concurrent use, and several Store
// values sharing one backend and namespace, in one process or many, behave
// as one: concurrent saves with the same user name, grant or refresh key
// yield one record, and concurrent saves that set different fields of one
// record all survive. Each store documents how it achieves that and what
// it costs.
//
// # Deadlines, uncertain outcomes and unreadable records
//
// Every operation of every store in this module returns within 100 ms of
// its context's deadline; nothing runs detached while the caller waits
// (the cache's shared loads go on, bounded, after a caller gives up, and
// never hold it). What a failed operation could not tidy up in time is
// left for the repair path that crashes need anyway.
//
// An error from a write that may have reached the server (a timeout, a
// reset, a lost answer) means the write may have happened. Stores release
// nothing that may point at a live record on such an error, so the same
// save retried converges on one record, and they never apply one save
// twice over a later acknowledged one.
//
// Validate refuses any value the persisted form cannot round-trip, before
// the first backend call. A record that still does not decode (written by
// hand or by a later version) never makes a namespace unusable: GetTokens
// returns every readable record together with an error wrapping ErrCorrupt
// that names each unreadable ID; finds that reach it return such an error;
// DeleteToken of its ID and DeleteTokens remove it.
//
// # Errors
//
// Every store's errors read "<package>: <operation>: <cause>", with the same
// operation words everywhere: save, find, find by id, delete, delete all,
// list. Errors wrap the sentinels ErrNotFound, ErrInvalidToken, ErrTooLarge,
// ErrDuplicate, ErrConflict and ErrCorrupt; test them with errors.Is. Errors
// from a backend are wrapped, not flattened, so errors.As still reaches the
// SDK's own type (smithy.APIError, *api.ResponseError). A cancelled or
// expired context surfaces as an error wrapping ctx.Err().
package tokenstore
