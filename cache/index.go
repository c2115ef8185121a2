package cache

import (
	"sync"
	"sync/atomic"

	"github.com/tokenstore-go/tokenstore"
)

// numCounters is how many hit and miss counters a Store stripes over; see
// Store.counter.
const numCounters = 64

// entry is one cached record, or one cached ErrNotFound answer, indexed
// under each of its keys. Every field but visited and the list links is
// fixed before the entry is published, so a hit reads it with no lock.
type entry struct {
	// What a hit reads first, on the entry's first cache line with the
	// record's ID.
	kinds uint8     // bit kindBit(k.Kind) for each key k in keys
	neg   bool      // a cached ErrNotFound for keys[0]
	fresh int64     // served as a hit before this, on the clock of Store.mono
	hash  [8]uint64 // hash[k.Kind&7] is table.hash(k) for each key k in keys
	at    [8]uint8  // keys[at[k.Kind&7]] is the key of kind k.Kind in keys

	tok tokenstore.Token
	// keys are every key the entry is indexed under, at most one of each
	// kind: for a record, driver.Keys(tok), the keys it answers to.
	keys []tokenstore.Key

	keep int64  // served stale (StaleIfError) before this; >= fresh
	born uint64 // Store.clock when the value was read or written

	visited atomic.Bool // SIEVE: hit since the hand last passed

	// The SIEVE queue, guarded by Store.mu: newer points towards the head
	// (most recently inserted), older towards the tail.
	newer, older *entry
}

// counter is one of the Store's hit and miss counters. The padding keeps
// neighbours' counters off its cache line and the one the CPU prefetches
// with it.
type counter struct {
	hits, misses atomic.Uint64
	_            [112]byte
}

// counter returns the counter of the calling goroutine's P, or near
// enough: a sync.Pool hands each P its own stripe token, so on every core
// hits write a line that core already holds. (Picking a counter at random
// made both cores write every line in turn.)
func (s *Store) counter() *counter {
	t := stripes.Get().(*stripe)
	c := &s.hot[t.i%numCounters]
	stripes.Put(t)
	return c
}

// stripe is a P's counter index; see counter.
type stripe struct{ i uint32 }

var (
	nextStripe atomic.Uint32
	stripes    = sync.Pool{New: func() any { return &stripe{i: nextStripe.Add(1)} }}
)

// get returns the entry under k, fresh or not. Safe with no lock.
func (s *Store) get(k *tokenstore.Key) *entry { return s.idx.get(k.Kind, k.Value, k.ClientID) }

// lookup returns the entry under k. The caller holds s.mu.
func (s *Store) lookup(k tokenstore.Key) *entry { return s.get(&k) }

// insert publishes e under all its keys, which no entry holds, and evicts
// down to MaxEntries. It returns how many entries it evicted. The caller
// holds s.mu.
func (s *Store) insert(e *entry, now int64) (evicted int) {
	s.idx.add(e)
	e.older = s.head
	if s.head != nil {
		s.head.newer = e
	}
	s.head = e
	if s.tail == nil {
		s.tail = e
	}
	s.n++
	for s.n > s.cfg.maxEntries {
		s.evict(now)
		evicted++
	}
	return evicted
}

// remove unindexes e and takes it off the queue. The caller holds s.mu.
func (s *Store) remove(e *entry) {
	for _, k := range e.keys {
		s.idx.del(k, e)
	}
	if s.hand == e {
		s.hand = e.newer
	}
	if e.newer != nil {
		e.newer.older = e.older
	} else {
		s.head = e.older
	}
	if e.older != nil {
		e.older.newer = e.newer
	} else {
		s.tail = e.newer
	}
	e.newer, e.older = nil, nil
	s.n--
}

// evict drops one entry by SIEVE (Zhang et al., NSDI 2024): the hand walks
// from the oldest entry towards the newest, clearing the visited bit of
// entries hit since it last passed and dropping the first entry not hit.
// Hits only set a bit, so they need no write lock, and SIEVE's hit ratio is
// at least LRU's on web cache workloads. An entry past its stale window is
// dropped whether hit or not. The caller holds s.mu; the queue is not empty.
func (s *Store) evict(now int64) {
	e := s.hand
	if e == nil {
		e = s.tail
	}
	// Hits set bits while the hand clears them; after two rounds take
	// whatever is under the hand.
	for steps := 0; e.visited.Load() && now < e.keep && steps < 2*s.n; steps++ {
		e.visited.Store(false)
		if e = e.newer; e == nil {
			e = s.tail
		}
	}
	s.hand = e.newer
	s.remove(e)
	s.ctr.evictions.Add(1)
}

// clearAll drops every entry. The caller holds s.mu.
func (s *Store) clearAll() {
	s.idx.reset()
	s.head, s.tail, s.hand, s.n = nil, nil, nil, 0
}
