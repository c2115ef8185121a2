// Package memstore is the in-memory tokenstore.Store: the reference
// implementation of the contract and the embedded default for programs and
// tests that need no server. Records live only as long as the process.
//
// Records are kept in their persisted form (driver.EncodeRecordMeta), so
// memstore enforces the same size limit and returns the same normalised
// values (Expiry in UTC) as the stores backed by a server, and no caller
// can change a stored record through a returned value. Every lookup key is
// indexed, one map per key kind pointing at the record: a find is one
// lookup in the index, and a save moves only the index entries of the keys
// it changed, updating the record in place. At 1,000 records a find by user
// name costs 71 ns of CPU and a save of a refreshed access token and expiry
// 492 ns with 0 allocations, garbage collection included (GOGC unset);
// finding every record in turn by user name costs 5.6× a bare Go map's
// lookup at 1,000 records and 4.2× at 100,000, so finds grow with the
// number of records only as a map does. Medians of six runs of `go test
// -run '^$' -bench BenchmarkLookups -benchmem ./memstore` on a shared
// 2-core machine; BENCHMARKS.md has the whole table and how it was run.
//
// # Concurrency
//
// A Store is safe for concurrent use. Stores made on one Shared see the
// same records, as processes sharing a server do; each operation runs
// under that Shared's lock, so every contract guarantee holds trivially.
//
// # Errors
//
// Errors wrap the tokenstore sentinels (ErrNotFound, ErrInvalidToken,
// ErrTooLarge, ErrDuplicate) and the context's error.
package memstore

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tokenstore-go/tokenstore"
)

// Shared holds the records of any number of namespaces, like one server
// that several Stores (standing for several processes) share. The zero
// value is not usable; call NewShared.
type Shared struct {
	mu     sync.Mutex
	spaces map[string]*space // by namespace
}

// NewShared returns an empty Shared.
func NewShared() *Shared {
	return &Shared{spaces: make(map[string]*space)}
}

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// Namespace isolates this store's records from stores with another
	// namespace on the same Shared. Default "".
	Namespace string

	// Shared is where records live. Default: a new Shared of this Store
	// alone.
	Shared *Shared
}

// Store is an in-memory tokenstore.Store.
type Store struct {
	sh     *Shared
	ns     string
	writes atomic.Int64
}

var _ tokenstore.Store = (*Store)(nil)

// New returns a Store configured by opts (nil for the defaults: records of
// its own and the empty namespace).
func New(opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Shared == nil {
		o.Shared = NewShared()
	}
	return &Store{sh: o.Shared, ns: o.Namespace}
}

// Writes returns how many records this Store value has written or deleted,
// so tests can check that read paths never write.
func (s *Store) Writes() int64 { return s.writes.Load() }

// space returns the namespace's records, creating them when create is
// set (nil otherwise, which finds nothing). The caller holds s.sh.mu.
func (s *Store) space(create bool) *space {
	sp := s.sh.spaces[s.ns]
	if sp == nil && create {
		sp = newSpace()
		s.sh.spaces[s.ns] = sp
	}
	return sp
}

func wrap(op string, err error) error {
	return fmt.Errorf("memstore: %s: %w", op, err)
}
