// Package memstore is the in-memory tokenstore.Store: the reference
// implementation of the contract and the embedded default for programs and
// tests that need no server. Records live only as long as the process.
//
// Records are kept in their persisted form (tokenstore.EncodeRecord), so
// memstore enforces the same size limit and returns the same normalised
// values (Expiry in UTC) as the stores backed by a server, and no caller can
// change a stored record through a returned value.
//
// # Concurrency
//
// A Store is safe for concurrent use. Stores made with the same Backend
// share its records, as processes sharing a server do; each operation runs
// under the Backend's lock, so every contract guarantee holds trivially.
// Lookups other than by ID scan the namespace: memstore is for tests and
// small programs, not for millions of records.
//
// # Errors
//
// Errors wrap the tokenstore sentinels (ErrNotFound, ErrInvalidToken,
// ErrTooLarge, ErrDuplicate) and the context's error.
package memstore

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/tokenstore-go/tokenstore"
)

// Backend holds the records of any number of namespaces, like one server.
// The zero value is not usable; call NewBackend.
type Backend struct {
	mu     sync.Mutex
	spaces map[string]map[string][]byte // namespace → ID → encoded record
}

// NewBackend returns an empty Backend.
func NewBackend() *Backend {
	return &Backend{spaces: make(map[string]map[string][]byte)}
}

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// Namespace isolates this store's records from stores with another
	// namespace on the same Backend. Default "".
	Namespace string

	// Backend is where records live. Default: a new private Backend.
	Backend *Backend
}

// Store is an in-memory tokenstore.Store.
type Store struct {
	b      *Backend
	ns     string
	writes atomic.Int64
}

var _ tokenstore.Store = (*Store)(nil)

// New returns a Store configured by opts (nil for the defaults: a private
// backend and the empty namespace).
func New(opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Backend == nil {
		o.Backend = NewBackend()
	}
	return &Store{b: o.Backend, ns: o.Namespace}
}

// Writes returns how many records this Store value has written or deleted,
// so tests can check that read paths never write.
func (s *Store) Writes() int64 { return s.writes.Load() }

// records returns the namespace's map, creating it when create is set. The
// caller holds s.b.mu.
func (s *Store) records(create bool) map[string][]byte {
	recs := s.b.spaces[s.ns]
	if recs == nil && create {
		recs = make(map[string][]byte)
		s.b.spaces[s.ns] = recs
	}
	return recs
}

// find returns the record k selects, scanning in ID order so that a key
// shared by several records (only possible for access tokens) always picks
// the same one. The caller holds s.b.mu.
func (s *Store) find(k tokenstore.Key) (tokenstore.Token, bool, error) {
	recs := s.records(false)
	if k.Kind == tokenstore.KeyID {
		b, ok := recs[k.Value]
		if !ok {
			return tokenstore.Token{}, false, nil
		}
		t, err := tokenstore.DecodeRecord(b)
		return t, err == nil, err
	}
	for _, id := range sortedIDs(recs) {
		t, err := tokenstore.DecodeRecord(recs[id])
		if err != nil {
			return tokenstore.Token{}, false, err
		}
		if k.Matches(t) {
			return t, true, nil
		}
	}
	return tokenstore.Token{}, false, nil
}

func sortedIDs(recs map[string][]byte) []string {
	ids := make([]string, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func wrap(op string, err error) error {
	return fmt.Errorf("memstore: %s: %w", op, err)
}
