package cache

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// numShards splits the key index so that parallel hits on different keys
// take different read locks. A power of two.
const numShards = 64

// entry is one cached record, or one cached ErrNotFound answer, indexed
// under each of its keys. Every field but visited and the list links is
// fixed before the entry is published, so a hit reads it with no lock.
type entry struct {
	tok  tokenstore.Token
	neg  bool             // a cached ErrNotFound for keys[0]
	keys []tokenstore.Key // every key the entry is indexed under

	fresh time.Time // served as a hit before this
	keep  time.Time // served stale (StaleIfError) before this; >= fresh
	born  uint64    // Store.clock when the value was read or written

	visited atomic.Bool // SIEVE: hit since the hand last passed

	// The SIEVE queue, guarded by Store.mu: newer points towards the head
	// (most recently inserted), older towards the tail.
	newer, older *entry
}

// answers reports whether e may answer a find for k at now.
func (e *entry) answers(k tokenstore.Key, now time.Time) bool {
	return now.Before(e.fresh) && (e.neg || k.Matches(e.tok))
}

// shard is one part of the key index. Only holders of Store.mu write to m,
// so they may read it without mu.
type shard struct {
	mu           sync.RWMutex
	m            map[tokenstore.Key]*entry
	hits, misses atomic.Uint64
	_            [64]byte // keep the hot fields of neighbours apart
}

func (s *Store) shard(k tokenstore.Key) *shard {
	return &s.shards[maphash.String(s.seed, k.Value)&(numShards-1)]
}

// get returns the entry indexed under k, fresh or not.
func (sh *shard) get(k tokenstore.Key) *entry {
	sh.mu.RLock()
	e := sh.m[k]
	sh.mu.RUnlock()
	return e
}

// lookup returns the entry under k. The caller holds s.mu.
func (s *Store) lookup(k tokenstore.Key) *entry {
	return s.shard(k).m[k]
}

// insert publishes e under all its keys, which no entry holds, and evicts
// down to MaxEntries. It returns how many entries it evicted. The caller
// holds s.mu.
func (s *Store) insert(e *entry, now time.Time) (evicted int) {
	for _, k := range e.keys {
		sh := s.shard(k)
		sh.mu.Lock()
		sh.m[k] = e
		sh.mu.Unlock()
	}
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
		sh := s.shard(k)
		sh.mu.Lock()
		if sh.m[k] == e {
			delete(sh.m, k)
		}
		sh.mu.Unlock()
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
func (s *Store) evict(now time.Time) {
	e := s.hand
	if e == nil {
		e = s.tail
	}
	for e.visited.Load() && now.Before(e.keep) {
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
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.m = make(map[tokenstore.Key]*entry)
		sh.mu.Unlock()
	}
	s.head, s.tail, s.hand, s.n = nil, nil, nil, 0
}
