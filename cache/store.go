package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tokenstore-go/tokenstore"
)

// Cache is what New returns: a cache in front of another tokenstore.Store
// that is a tokenstore.Store itself, and a tokenstore.Updater exactly when
// the store behind it is one. Test for that with a type assertion, as for
// any store; refresh.New does, so it refuses a cache over a store without
// UpdateToken at once rather than at the first refresh.
type Cache interface {
	tokenstore.Store
	// Stats returns the cache's counters; see Store.Stats.
	Stats() Stats
}

// Store is a read-through, write-through cache in front of another
// tokenstore.Store: what New returns when that store is a
// tokenstore.Updater, as every store of this module is. Over another
// store, New returns a Cache that forwards to a *Store but has no
// UpdateToken; hold either as a Cache.
type Store struct {
	next  tokenstore.Store
	upd   tokenstore.Updater // next, when it is one
	cfg   config
	idx   table
	epoch time.Time // zero of the monotonic clock; see mono
	group singleflight.Group
	ctr   counters
	hot   [numCounters]counter

	// waiting counts callers waiting for a load, so tests can tell when
	// every caller has joined one.
	waiting atomic.Int64

	// gen counts the backend calls that have ended. A find joins only a
	// load begun since the last call ended before the find began: an older
	// load may have read a value older than one some caller has seen since.
	gen atomic.Uint64

	// mu serialises changes to the index, the queue and the ordering
	// state. A hit never takes it.
	mu        sync.Mutex
	clock     uint64                    // ticks at each backend call begun and write ended
	writing   int                       // saves and deletes in flight
	lastWrite uint64                    // tick of the last save or delete begun or ended
	floor     uint64                    // calls begun before this tick cache nothing
	active    int                       // backend calls in flight
	touched   map[tokenstore.Key]uint64 // key → tick of the last write that may have changed it
	head      *entry                    // newest entry in the SIEVE queue
	tail      *entry                    // oldest
	hand      *entry                    // where the next eviction looks first
	n         int                       // entries in the queue
}

var _ Cache = (*Store)(nil)

// New returns a cache in front of next, configured by opts (nil for the
// defaults): a *Store when next is a tokenstore.Updater, and otherwise a
// Cache without UpdateToken. It fails only on a nil next or invalid
// options.
func New(next tokenstore.Store, opts *Options) (Cache, error) {
	if next == nil {
		return nil, errors.New("cache: new: nil next store")
	}
	cfg, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	s := &Store{next: next, cfg: cfg}
	s.idx.init()
	s.epoch = s.now()
	if u, ok := next.(tokenstore.Updater); ok {
		s.upd = u
		return s, nil
	}
	return plain{s}, nil
}

// now returns the current time from Options.Now or time.Now.
func (s *Store) now() time.Time {
	if s.cfg.now == nil {
		return time.Now()
	}
	return s.cfg.now()
}

// mono returns the current time as nanoseconds since New, the clock of
// entry deadlines. With time.Now it reads only the monotonic clock, which
// costs half as much as time.Now and ignores wall clock steps.
func (s *Store) mono() int64 {
	if s.cfg.now == nil {
		return int64(time.Since(s.epoch))
	}
	return s.rel(s.cfg.now())
}

// rel converts t to the clock of mono.
func (s *Store) rel(t time.Time) int64 { return int64(t.Sub(s.epoch)) }

// SaveToken saves t through the backend, then caches the stored record
// under all its keys and drops whatever the cache held under the keys the
// record had before. If another write or a load of the same record
// overlapped this one, nothing is cached and the next find reads the
// backend. On failure the cache drops every entry the save might have
// changed.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: save: %w", err)
	}
	if t == nil {
		return fmt.Errorf("cache: save: nil token: %w", tokenstore.ErrInvalidToken)
	}
	in, at := *t, s.now()
	c := s.begin(true)
	var stored tokenstore.Token
	// Deferred so that a panicking backend still leaves the cache
	// consistent: stored is then empty and nothing is cached.
	defer func() {
		s.emitEvictions(s.finishSave(c, at, in, stored, err))
		s.report(opSave, 0, err)
	}()
	err = s.next.SaveToken(ctx, t)
	stored = *t
	return err
}

// DeleteToken deletes the record through the backend and drops it, under
// all its keys, from the cache, whatever the backend answered.
func (s *Store) DeleteToken(ctx context.Context, id string) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: delete: %w", err)
	}
	s.begin(true)
	defer func() {
		s.finishDelete(id)
		s.report(opDelete, 0, err)
	}()
	return s.next.DeleteToken(ctx, id)
}

// DeleteTokens deletes every record of the backend's namespace and empties
// the cache, whatever the backend answered.
func (s *Store) DeleteTokens(ctx context.Context) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: delete all: %w", err)
	}
	s.begin(true)
	defer func() {
		s.finishDeleteAll()
		s.report(opDeleteAll, 0, err)
	}()
	return s.next.DeleteTokens(ctx)
}

// GetTokens lists the backend's records. Lists are not cached and do not
// fill the cache.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cache: list: %w", err)
	}
	list, err := s.next.GetTokens(ctx)
	s.report(opList, 0, err)
	return list, err
}
