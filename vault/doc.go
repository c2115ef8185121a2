// Package vault keeps OAuth tokens in a HashiCorp Vault KV secrets engine,
// version 2 (the default) or version 1, through
// github.com/hashicorp/vault/api. Store implements tokenstore.Store and
// passes the tokenstore conformance suite against a real Vault, on both KV
// versions, with a token that holds only the policy Policy returns.
//
//	client, err := api.NewClient(api.DefaultConfig()) // VAULT_ADDR, VAULT_TOKEN, ...
//	store, err := vault.New(client, &vault.Options{Mount: "secret", Prefix: "apps/crm"})
//
// The package name is the same as that of HashiCorp's newer client,
// github.com/hashicorp/vault-client-go. A file that imports both names one
// of them:
//
//	import (
//		vaultclient "github.com/hashicorp/vault-client-go"
//		tsvault "github.com/tokenstore-go/tokenstore/vault"
//	)
//
// New takes the *api.Client you built and makes no request; FromEnv builds
// one from VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE and the other variables
// of the vault CLI. OpenURL (and tokenstore.OpenStore, once this package is
// imported) opens "vault://MOUNT/PREFIX?kv=2" the same way and also checks
// the mount with the server (CheckMount), so that a mount that does not
// exist or has another KV version fails there instead of reading as an
// empty store. A Vault Enterprise namespace set on the client
// (VAULT_NAMESPACE, api.Client.SetNamespace or WithNamespace) applies to
// every request.
//
// # Layout
//
// Everything lives below Options.Prefix on the mount (paths as the KV API
// names them, without data/ or metadata/):
//
//	<prefix>/records/<id>                        the record: {"record": "<versioned JSON envelope>"}
//	<prefix>/index/user_name/<digest>            {"id": "<id>"}
//	<prefix>/index/grant_token/<digest>          {"id": "<id>"}  (grant token + client ID)
//	<prefix>/index/refresh_token/<digest>        {"id": "<id>"}  (refresh token + client ID)
//	<prefix>/index/access_token/<digest>         {"id": "<id>"}  (see below)
//
// A record with every key set is four paths. Access tokens change at every
// refresh, so by default they have no lasting entry: an access_token entry
// exists only while an insert keyed by an access token runs (it keeps two
// such inserts from making two records), and FindToken by access token
// scans the records, as package awssm does. With Options.IndexAccessTokens
// every access token keeps its entry, and a record is five paths. IDs pass
// tokenstore.ValidateID; digests are driver.Digest with
// Options.Pepper, 64 hex characters. So no path holds a token value or a
// user name, and no input (slashes, dot segments, percent-encoding,
// unicode, megabytes) can leave the prefix. Records are encoded with
// driver.EncodeRecord, whose 64 KiB limit is checked before any request.
// Index entries hold only an ID.
//
// # Cost
//
// Requests per operation, each one HTTP round trip, none of them cached
// (measured against Vault 1.21 by the integration tests; put package cache
// in front to save reads):
//
//	FindTokenByID, FindToken by ID          1 read
//	FindToken by user, grant, refresh token 2 reads (index entry, record); a miss is 1
//	FindToken by access token               1 LIST + 1 read per record, one at a time, up to
//	                                          the match: 1 + up to N for N records
//	                                          (2 reads with Options.IndexAccessTokens)
//	SaveToken, existing record, same keys   3: 2 reads and 1 check-and-set write (2 by ID)
//	SaveToken, new access token (refresh)   3: the same (6 with IndexAccessTokens: 2 reads,
//	                                          2 writes, then 1 read and 1 delete for the old entry)
//	SaveToken, insert with 4 keys           5: 1 read, 3 entry writes, 1 record write
//	GetTokens                               1 LIST + 1 read per record, Options.ReadParallelism at once
//	DeleteToken, 4 keys                     9: read, tombstone, 3 × (read, destroy), remove
//	DeleteTokens                            5 LISTs + 1 delete per path
//
// An hourly refresh through refresh.Source is therefore 5 requests and 2
// writes (the lease, then the token with the lease released), as on
// Secrets Manager; with IndexAccessTokens 8 and 4. Finds and GetTokens
// never write. On KV version 1, a write that must not overwrite (a new
// index entry, a new record) reads first, adding one read: an insert with
// 4 keys is 9 requests there.
//
// # Read-modify-write
//
// UpdateToken (tokenstore.Updater) is SaveToken's update with the caller's
// function in place of the merge: the read, then one check-and-set write
// when the keys stay the same; nothing is written when the function changes
// nothing, and SaveToken keeps the record's Meta. Every record write
// carries a random nonce, so that two writers making the same change from
// one version are never both taken as applied (see Lost answers).
//
// # Concurrency
//
// A Store is safe for concurrent use. Inside one Store, saves of the same
// lookup key take turns, which only saves round trips.
//
// On KV version 2, any number of Store values in any number of processes
// may share a prefix. They run the write protocol of package
// [github.com/tokenstore-go/tokenstore/driver/kvstore], whose
// documentation is the one description of it: index entries claimed before
// the record, compare-and-swap on every write, tombstones, repair of what a
// stopped writer left without any clock, retries (Options.MaxAttempts,
// Options.RetryDelay up to Options.MaxRetryDelay) ending in
// tokenstore.ErrConflict. Here every write is a check-and-set, so the store
// works on mounts with cas_required: index entries and records are created
// with cas=0 and updated with the version read, which is the revision.
// Retiring an ID writes a tombstone there with cas=0.
//
// Dropping the entry of a key a record lost destroys the version read, the
// one conditional delete KV v2 has: an entry another writer has claimed
// since keeps its version. The path stays as an empty shell that the next
// claim of the key reuses. Access-token entries are deleted outright
// instead, so that neither the inserts keyed by one nor, with
// Options.IndexAccessTokens, the hourly refresh leave a shell behind; KV
// v2 has no conditional delete of a path, so a writer that saved that very
// access token again at the same moment could lose its entry (the record
// stays readable by ID and its other keys). Access tokens are random and
// never come back.
//
// On KV version 1 there is no check-and-set. Within one Store value all
// writes are serialized, so one process with one Store has every guarantee
// above. Across processes (or Store values) sharing a prefix, v1 guarantees
// only what a single writer sees: concurrent saves of one new user may
// create two records, concurrent updates of one record may lose one of
// them, and a create-only write is emulated by a read before the write.
// The conformance suite's single-writer cases pass on v1; its multi-writer
// cases are skipped there for this reason. Use KV version 2 when several
// processes write.
//
// # Lost answers
//
// A write whose answer is lost (a timeout or connection reset after Vault
// applied it) may have happened. The Vault client sends such a request
// again by itself (api.Config.MaxRetries, 2 by default), and Vault refuses
// the copy, since the first one already moved the version on. So the store
// takes no refused check-and-set for a lost race until it has checked
// that the write is not its own: a write with cas=c that landed is version
// c+1, and the store reads that version (?version=c+1) and compares it
// with what it wrote. If it is the same, the save is done, and it is not
// merged again on top of what other writers stored since — which would
// undo their acknowledged saves. This costs one read per refused record
// write and nothing otherwise. Index entries need no such read: an entry
// that names the ID this save writes is this save's own. A DeleteToken's
// tombstone carries a random nonce for the same check, so a delete whose
// tombstone landed reports success, not tokenstore.ErrNotFound.
//
// An error that leaves the outcome open (the client's resends failed too,
// or the context ended) is returned as it is: the save or delete may or
// may not have happened, and saving again converges on one record. So is
// a refusal whose version c+1 is gone by the time the store looks —
// deleted with its record, or pruned by the mount's max_versions after a
// burst of later writes — when the client may have resent the write (it
// allows resends and the call took at least the client's MinRetryWait,
// which its backoff waits before any resend): the store then cannot tell
// whether the first copy landed, reports an error saying so, and does not
// merge again. A quicker refusal was sent once and is a lost race.
//
// # Deletion
//
// DeleteToken first replaces the record with a tombstone (a check-and-set
// write, so it cannot overwrite an update it did not see), which makes the
// record read as not found at once. It then destroys the current version of
// each index entry that still names the record, and every version of the
// record, so no token material remains in Vault's version history. The
// record's path keeps its metadata, as an empty shell: deleting the
// metadata would restart its version numbers at 1, and a writer that read
// the record before the delete (holding, say, version 1) could then land
// its check-and-set on whatever is written there next. The destroyed index
// entries and record paths stay as empty paths holding no data; the next
// save of that key reuses an entry, GetTokens reads a record shell as
// absent (one read each), and DeleteTokens removes them all. If DeleteToken stops half-way, the tombstone
// lists what is left to do: the next DeleteToken of the ID finishes it,
// and so does a SaveToken by that ID once it has waited a few backoff
// rounds for the delete to finish on its own.
//
// A latest version deleted or destroyed by someone else (vault kv delete,
// or a mount's delete_version_after) reads as not found, and saving the
// user again writes over it. Do not set delete_version_after on the
// store's paths: it would silently drop records and index entries.
//
// DeleteTokens lists the records and the four index directories and removes
// each path with all its versions, Options.ReadParallelism at a time. It
// removes only names this package writes, so a store whose prefix lies
// below this one's survives.
//
// # Least privilege
//
// Policy returns the ACL policy a Store needs. For the default options:
//
//	path "secret/data/tokenstore/*" {
//	  capabilities = ["create", "read", "update"]
//	}
//	path "secret/metadata/tokenstore/*" {
//	  capabilities = ["list", "delete"]
//	}
//	path "secret/destroy/tokenstore/*" {
//	  capabilities = ["update"]
//	}
//
// On KV version 1: create, read, update, delete and list on
// "<mount>/<prefix>/*". The token needs no other policy, not even default.
//
// # Authentication
//
// A Store uses whatever token its client holds at the time of each request,
// so keeping a long-lived service authenticated is the client's business:
// log in with an auth method, start an api.LifetimeWatcher on the login
// secret to renew the token, and log in again when the watcher reports that
// the token can no longer be renewed. The AppRole, Kubernetes and AWS IAM
// helpers (github.com/hashicorp/vault/api/auth/approle, .../kubernetes,
// .../aws) all return the login secret the watcher takes:
//
//	for {
//		secret, err := client.Auth().Login(ctx, appRoleAuth) // or kubernetes.NewKubernetesAuth, aws.NewAWSAuth
//		if err != nil { ... }
//		w, err := client.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: secret})
//		if err != nil { ... }
//		go w.Start()
//		<-w.DoneCh() // the token reached its max TTL or renewal failed: log in again
//		w.Stop()
//	}
//
// The watcher renews through auth/token/renew-self, which the default
// policy grants; a role whose tokens have no default policy needs
//
//	path "auth/token/renew-self" {
//	  capabilities = ["update"]
//	}
//
// besides Policy, or the watcher cannot renew and the service must log in
// again at every TTL. examples/container in this repository does all this
// with AppRole (without the extra module, through the login endpoint), and
// a test runs it against a real server with tokens living seconds. Vault Agent with auto-auth is the other good choice: point
// VAULT_ADDR at the agent and let it hold the token.
//
// # Errors
//
// Errors read "vault: <operation>: <cause>" and wrap the tokenstore
// sentinels (ErrNotFound, ErrInvalidToken, ErrTooLarge, ErrDuplicate,
// ErrConflict, ErrCorrupt) and Vault's own *api.ResponseError, so
// errors.Is and errors.As both work; a 403 is Vault's permission error, not
// a miss. A cancelled or expired context is reachable with errors.Is. Error
// messages may show paths (prefix, record IDs, digests), never a token
// value, secret or user name.
//
// A record that does not decode (damaged, written by hand, or an envelope
// version this package does not know) never makes the namespace unusable.
// GetTokens returns every readable record, in ID order, together with an
// error wrapping ErrCorrupt that names each unreadable ID. FindTokenByID
// of that ID, and a FindToken or SaveToken whose lookup reaches it, fail
// with an error wrapping ErrCorrupt that names the ID; SaveToken does not
// write over a record it cannot read, since that would lose its fields
// unseen. Other records are unaffected. DeleteToken of the ID removes it
// (its index entries then dangle and are repaired like any other), and
// DeleteTokens removes it with the rest.
package vault
