package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
	"github.com/tokenstore-go/tokenstore/internal/clock"
)

// KV engine versions for Options.KVVersion.
const (
	KVv1 = 1
	KVv2 = 2
)

// Defaults for the zero fields of Options.
const (
	DefaultMount           = "secret"
	DefaultPrefix          = "tokenstore"
	DefaultMaxAttempts     = 10
	DefaultRetryDelay      = 10 * time.Millisecond
	DefaultMaxRetryDelay   = time.Second
	DefaultReadParallelism = 8
)

// Options configures a Store. A nil *Options, and every zero field, means
// the default; a negative number or duration is an error from New.
type Options struct {
	// Mount is the path the KV secrets engine is mounted at. Default
	// DefaultMount ("secret", where a dev server mounts KV version 2).
	Mount string

	// KVVersion is the mount's KV version, KVv2 (the default) or KVv1. Only
	// KV version 2 gives the multi-writer guarantees; see the package doc.
	KVVersion int

	// Prefix is the path below the mount that holds this store: its
	// namespace. Stores with different prefixes never see or delete each
	// other's records, even when one prefix lies below the other. Segments
	// are ASCII letters, digits, '-', '_' and '.'. Default DefaultPrefix.
	Prefix string

	// Pepper is a secret key for the HMAC that names index entries (see
	// driver.Digest). Without one, whoever can list the index can
	// confirm a guessed user name. Every Store sharing a prefix must use the
	// same pepper; changing it orphans the index, so records must then be
	// re-saved. At least driver.MinPepperLen (16) bytes; 32 random bytes
	// is the advice. Default none (empty). New keeps a copy, so the caller
	// may wipe its buffer afterwards.
	Pepper []byte

	// MaxAttempts bounds how many times SaveToken and DeleteToken try when
	// a concurrent writer wins a check-and-set race, before they give up
	// with tokenstore.ErrConflict. Default DefaultMaxAttempts.
	MaxAttempts int

	// RetryDelay and MaxRetryDelay shape the backoff between attempts: a
	// random wait up to RetryDelay, doubling per attempt, capped at
	// MaxRetryDelay. Defaults DefaultRetryDelay and DefaultMaxRetryDelay.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration

	// ReadParallelism bounds the requests GetTokens and DeleteTokens have in
	// flight at once. Default DefaultReadParallelism.
	ReadParallelism int

	// IndexAccessTokens keeps an index entry per access token, so that
	// FindToken by access token is two reads. The hourly refresh then
	// writes twice more: it claims the new token's entry and deletes the
	// old one's (8 requests and 4 writes through refresh.Source instead of
	// 5 and 2). Without it (the default, as in package awssm), a lookup by
	// access token lists the records and reads them one at a time up to
	// the match, 1 + up to N requests for N records; use it when finds by
	// access token are frequent and the namespace holds more than a few
	// records. Every Store sharing a prefix must use the same setting: one
	// that indexes does not see records another has refreshed since. Turned
	// off on a prefix written with it (versions of this package before it
	// existed indexed every access token), the entries left are misses that
	// hold only an ID; DeleteTokens removes them.
	IndexAccessTokens bool
}

// Store keeps tokens in a Vault KV secrets engine. Create it with New or
// FromEnv. It is safe for concurrent use.
//
// Store runs the write protocol of package driver/kvstore (index entries
// claimed before the record, check-and-set on every write, tombstones,
// repair of what a stopped writer left) over a KV mount; its methods say
// what each costs here.
type Store struct {
	engine   *kvstore.Engine
	client   *api.Client // to know how it resends (see put)
	kv       kv
	layout   layout
	v1       bool
	byAccess bool // Options.IndexAccessTokens
	parallel int
	sleep    func(context.Context, time.Duration) error // replaced in tests
}

var (
	_ tokenstore.Store   = (*Store)(nil)
	_ tokenstore.Updater = (*Store)(nil)
)

// New returns a Store that keeps tokens through client, which must be
// authenticated with a token allowed the paths shown in the package doc.
// Requests go to the client's address with the client's Vault Enterprise
// namespace, if any (see api.Client.WithNamespace). New makes no request:
// a wrong policy shows on the first operation, and a missing mount or a KV
// v2 mount used as version 1 reads as an empty store; CheckMount tells.
//
// The client's token may change later (client.SetToken), for example when
// an auth method renews or replaces it; the Store always uses the current
// one.
func New(client *api.Client, opts *Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("vault: new: nil client")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxAttempts < 0 || o.RetryDelay < 0 || o.MaxRetryDelay < 0 || o.ReadParallelism < 0 {
		return nil, errors.New("vault: new: negative MaxAttempts, RetryDelay, MaxRetryDelay or ReadParallelism")
	}
	mount, err := cleanPath("mount", orDefault(o.Mount, DefaultMount))
	if err != nil {
		return nil, err
	}
	prefix, err := cleanPath("prefix", orDefault(o.Prefix, DefaultPrefix))
	if err != nil {
		return nil, err
	}
	pepper, err := driver.ClonePepper(o.Pepper)
	if err != nil {
		return nil, fmt.Errorf("vault: new: %w", err)
	}
	s := &Store{
		client:   client,
		layout:   layout{prefix: prefix, pepper: pepper},
		parallel: positive(o.ReadParallelism, DefaultReadParallelism),
		byAccess: o.IndexAccessTokens,
		sleep:    clock.Sleep,
	}
	switch o.KVVersion {
	case 0, KVv2:
		s.kv = kvV2{logical: client.Logical(), mount: mount}
	case KVv1:
		s.kv = kvV1{logical: client.Logical(), mount: mount}
		s.v1 = true
	default:
		return nil, fmt.Errorf("vault: new: KV version %d, want %d or %d", o.KVVersion, KVv1, KVv2)
	}
	s.engine, err = kvstore.New(backend{s}, s.engineOptions(o))
	if err != nil {
		return nil, fmt.Errorf("vault: new: %w", err)
	}
	return s, nil
}

// engineOptions configures the engine for a KV mount: one record per read
// (KV has no batch read), ReadParallelism requests in flight, and on KV
// version 1, which has no check-and-set, one writer at a time.
func (s *Store) engineOptions(o Options) kvstore.Options {
	return kvstore.Options{
		Name:          "vault",
		MaxAttempts:   positive(o.MaxAttempts, DefaultMaxAttempts),
		RetryDelay:    positive(o.RetryDelay, DefaultRetryDelay),
		MaxRetryDelay: positive(o.MaxRetryDelay, DefaultMaxRetryDelay),
		Parallelism:   s.parallel,
		BatchSize:     1,
		SingleWriter:  s.v1,
		Sleep:         func(ctx context.Context, d time.Duration) error { return s.sleep(ctx, d) },
	}
}

// FromEnv returns a Store with a client configured the way the vault CLI
// is: VAULT_ADDR (default https://127.0.0.1:8200), VAULT_TOKEN,
// VAULT_NAMESPACE and the other variables api.DefaultConfig and
// api.NewClient read. Like New, it makes no request, so ctx goes unused:
// it is there so that every store's FromEnv has one shape (awssm.FromEnv
// needs it to load its configuration).
func FromEnv(ctx context.Context, opts *Options) (*Store, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("vault: from env: %w", cfg.Error)
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault: from env: %w", err)
	}
	return New(client, opts)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// positive returns v, or def when v is zero (New has refused negatives).
func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
