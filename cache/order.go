package cache

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// How the cache keeps an older value from overwriting a newer one.
//
// Store.clock ticks when a backend call begins and when a write ends. A
// load remembers the tick it began at (its start). A write, once the backend
// has answered, ticks the clock and records that tick in touched for every
// key it may have changed: the keys of the token it was given, of the
// record it stored, and of every entry it drops. A load's result is cached
// only if no key of that result was touched after the load began, no entry
// under those keys is younger than the load (born later), and no
// DeleteTokens (floor) came in between. Every record's keys include its ID
// and every write to a record touches that ID, so a load that overlapped a
// write of the same record is never cached. A write's result is cached
// under the same rule, so of two overlapping writes to one record neither
// is trusted and the next find reads the backend.
//
// touched matters only while some operation that began before the touch is
// in flight, so it is emptied whenever none is (active == 0), and replaced
// by a raised floor if it grows past maxTouched.
//
// The keys a write will touch are known only once it ends, and a write
// reaches the backend before it ends. So, besides touched, the Store
// counts the writes in flight (writing) and the tick of the last write
// begun or ended (lastWrite): a call that any other write overlapped is
// overtaken and caches nothing; a load that ends while a write is in
// flight may have read that write's value, which its callers now see, so
// it also drops what is cached under its keys. And a find joins a shared
// load only if that load began after the last backend call ended (gen):
// otherwise the load may have read a value older than one a caller has
// already been given. The linearizability check in the integration module
// (cache_linearizable_test.go) is the test of all this.

const maxTouched = 1 << 14

// call is a backend call in flight: its start tick, and whether a write
// was in flight when it began.
type call struct {
	start uint64
	busy  bool
}

// begin registers a backend call; write marks a save or delete.
func (s *Store) begin(write bool) call {
	s.mu.Lock()
	s.clock++
	c := call{start: s.clock, busy: s.writing > 0}
	s.active++
	if write {
		s.writing++
		s.lastWrite = s.clock
	}
	s.mu.Unlock()
	return c
}

// overtaken reports whether a write other than c itself was in flight at
// any time during c: then what c read or wrote may not be the latest state
// once c ends. The caller holds s.mu.
func (s *Store) overtaken(c call) bool { return c.busy || s.lastWrite > c.start }

// endWrite unregisters a write at the current tick and tells every caller
// from now on to start a load of its own (see load). The caller holds s.mu
// and has ticked the clock.
func (s *Store) endWrite() {
	s.writing--
	s.lastWrite = s.clock
}

// end unregisters a backend call. The caller holds s.mu.
func (s *Store) end() {
	s.active--
	if s.active == 0 && len(s.touched) > 0 {
		if len(s.touched) > 256 {
			s.touched = nil // let a map grown by a burst go
		} else {
			clear(s.touched)
		}
	}
}

// touch records that k changed at the current tick. The caller holds s.mu.
func (s *Store) touch(k tokenstore.Key) {
	if s.active <= 1 {
		return // only the caller is in flight: no one to warn
	}
	switch {
	case s.touched == nil:
		s.touched = make(map[tokenstore.Key]uint64)
	case len(s.touched) >= maxTouched:
		s.floor = s.clock // every call in flight began before: distrust all
		s.touched = make(map[tokenstore.Key]uint64)
	}
	s.touched[k] = s.clock
}

// conflict reports whether a value read by a call begun at start may be
// older than what the cache has seen of keys. The caller holds s.mu.
func (s *Store) conflict(start uint64, keys []tokenstore.Key) bool {
	if start < s.floor {
		return true
	}
	for _, k := range keys {
		if s.touched[k] > start {
			return true
		}
		if e := s.lookup(k); e != nil && e.born > start {
			return true
		}
	}
	return false
}

// invalidate drops every entry under keys and touches keys and the keys of
// the dropped entries. The caller holds s.mu and has ticked the clock.
func (s *Store) invalidate(keys []tokenstore.Key) {
	for _, k := range keys {
		if e := s.lookup(k); e != nil {
			for _, ek := range e.keys {
				s.touch(ek)
			}
			s.remove(e)
		}
		s.touch(k)
	}
}

// finishLoad caches the result of a backend find for k begun as c at at
// (time), unless a newer value may exist, and unregisters the call. It
// returns how many entries it evicted.
//
// A load that a write of this Store overtook is not cached: it may have
// read before or after that write reached the backend. If such a write is
// still in flight, what the cache holds under the load's keys is dropped
// too: the load may have read the write's value, which its callers now
// see, and an entry left from before would show them an older one after.
func (s *Store) finishLoad(k tokenstore.Key, c call, at time.Time, tok tokenstore.Token, err error) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.end()
	defer s.gen.Add(1)
	keys := []tokenstore.Key{k}
	if err == nil && cacheable(tok) {
		keys = append(driver.Keys(tok), k)
	}
	if s.overtaken(c) {
		if s.writing > 0 {
			s.clock++
			s.invalidate(keys)
		}
		return 0
	}
	switch {
	case err == nil && cacheable(tok):
		keys = keys[:len(keys)-1]
		if !s.conflict(c.start, keys) {
			return s.replace(keys, s.tokenEntry(tok, keys, c.start, at))
		}
	case errors.Is(err, tokenstore.ErrNotFound) && s.cfg.notFoundTTL > 0:
		if !s.conflict(c.start, keys) {
			fresh := satAdd(s.rel(at), int64(s.cfg.notFoundTTL))
			e := &entry{neg: true, keys: keys, fresh: fresh, keep: fresh, born: c.start}
			return s.replace(keys, e)
		}
	}
	return 0
}

// cacheable reports whether a record from the backend may be cached: it
// must have a valid ID, so that FindTokenByID can skip validating the ID
// of a hit.
func cacheable(tok tokenstore.Token) bool {
	return tokenstore.ValidateID(tok.ID) == nil
}

// finishSave invalidates what a SaveToken of in may have changed and, if
// it stored stored and nothing newer may exist, caches stored. It
// unregisters the call and returns how many entries it evicted.
func (s *Store) finishSave(c call, at time.Time, in, stored tokenstore.Token, err error) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.end()
	defer s.gen.Add(1)
	keys := driver.Keys(in)
	var newKeys []tokenstore.Key
	ok := err == nil && cacheable(stored)
	if ok {
		newKeys = driver.Keys(stored)
		ok = !s.overtaken(c) && !s.conflict(c.start, newKeys)
		keys = append(keys, newKeys...)
	}
	s.clock++
	s.endWrite()
	s.invalidate(keys)
	if !ok {
		return 0
	}
	return s.replace(newKeys, s.tokenEntry(stored, newKeys, s.clock, at))
}

// finishDelete invalidates the record with the given ID and unregisters
// the call.
func (s *Store) finishDelete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.end()
	defer s.gen.Add(1)
	s.clock++
	s.endWrite()
	s.invalidate([]tokenstore.Key{{Kind: tokenstore.KeyID, Value: id}})
}

// finishDeleteAll drops every entry, distrusts every call in flight and
// unregisters the call.
func (s *Store) finishDeleteAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.end()
	defer s.gen.Add(1)
	s.clock++
	s.endWrite()
	s.floor = s.clock
	s.touched = nil
	s.clearAll()
}

// replace drops the entries under keys and publishes e (if not nil) in
// their place. The caller holds s.mu.
func (s *Store) replace(keys []tokenstore.Key, e *entry) int {
	for _, k := range keys {
		if old := s.lookup(k); old != nil {
			s.remove(old)
		}
	}
	if e == nil {
		return 0
	}
	return s.insert(e, s.mono())
}

// tokenEntry returns the entry for tok read or written at at, or nil when
// it would never be served: fresh for the jittered TTL, then kept for
// StaleIfError, and neither past the access token's expiry minus the skew,
// so that a stale answer is never a token a hit would refuse.
func (s *Store) tokenEntry(tok tokenstore.Token, keys []tokenstore.Key, born uint64, at time.Time) *entry {
	ttl := s.cfg.ttl
	if s.cfg.jitter > 0 {
		ttl -= time.Duration(rand.Float64() * s.cfg.jitter * float64(ttl))
	}
	start := s.rel(at)
	until := int64(math.MaxInt64) // the access token's expiry minus the skew
	if tok.AccessToken != "" && !tok.Expiry.IsZero() {
		// Sub saturates, and left > skew >= 0 below, so nothing overflows.
		left := tok.Expiry.Sub(at)
		if left <= s.cfg.skew {
			return nil
		}
		ttl = min(ttl, left-s.cfg.skew)
		until = satAdd(start, int64(left-s.cfg.skew))
	}
	fresh := satAdd(start, int64(ttl))
	keep := min(satAdd(fresh, int64(s.cfg.staleIfError)), until)
	if keep <= start {
		return nil
	}
	return &entry{tok: tok, keys: keys, fresh: fresh, keep: keep, born: born}
}

// satAdd returns a+b for b >= 0, saturating at the largest int64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
