package cache

import (
	"sync/atomic"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// Stats are the cache's counters since New, ready to export to a metrics
// system. They carry no token data.
type Stats struct {
	Hits        uint64 // finds answered from memory, a cached ErrNotFound included
	Misses      uint64 // finds that were not, and waited for a load
	Loads       uint64 // backend finds the cache made
	Coalesced   uint64 // misses answered without a backend find of their own
	Evictions   uint64 // entries dropped to stay within MaxEntries
	StaleServed uint64 // finds answered with a stale value after a backend failure
	Entries     int    // records and not-found answers held now

	// Errors counts backend calls (finds, writes, lists) that failed. The
	// answers the contract defines, ErrNotFound, ErrInvalidToken,
	// ErrDuplicate and ErrTooLarge, are not failures.
	Errors uint64
}

// EventKind says what an Event reports.
type EventKind uint8

// The event kinds.
const (
	EventHit       EventKind = iota + 1 // a find was answered from memory
	EventMiss                           // a find was not, and waits for a load
	EventLoad                           // a backend find ended; Duration and Err are set
	EventCoalesced                      // a miss was answered without its own backend find
	EventEvict                          // an entry was dropped to stay within MaxEntries
	EventStale                          // a stale value was served; Err is the backend's error
	EventError                          // a backend call failed; Err is its error
)

var eventNames = [...]string{
	EventHit:       "hit",
	EventMiss:      "miss",
	EventLoad:      "load",
	EventCoalesced: "coalesced",
	EventEvict:     "evict",
	EventStale:     "stale",
	EventError:     "error",
}

// String returns the kind's name, such as "hit", fit for a metric label.
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "invalid"
}

// Event is what Options.OnEvent receives. It names the operation and the
// lookup rule, never a key's value or any token data.
type Event struct {
	Kind EventKind

	// Op is the Store method, such as "FindToken"; empty for EventEvict.
	Op string

	// Key is the lookup rule of a find (tokenstore.KeyID for
	// FindTokenByID); zero for other operations.
	Key tokenstore.KeyKind

	// Duration is how long the backend call took (EventLoad).
	Duration time.Duration

	// Err is the backend's error (EventLoad when it failed, EventStale,
	// EventError). Backends keep secrets out of their errors; so does this
	// package.
	Err error
}

// Operation names used in Event.Op.
const (
	opFind      = "FindToken"
	opFindByID  = "FindTokenByID"
	opSave      = "SaveToken"
	opUpdate    = "UpdateToken"
	opDelete    = "DeleteToken"
	opList      = "GetTokens"
	opDeleteAll = "DeleteTokens"
)

// counters are the Stats counters of the slow paths; hits and misses are
// in Store.hot.
type counters struct {
	loads, coalesced, evictions, stale, errors atomic.Uint64
}

// Stats returns the current counters.
func (s *Store) Stats() Stats {
	st := Stats{
		Loads:       s.ctr.loads.Load(),
		Coalesced:   s.ctr.coalesced.Load(),
		Evictions:   s.ctr.evictions.Load(),
		StaleServed: s.ctr.stale.Load(),
		Errors:      s.ctr.errors.Load(),
	}
	for i := range s.hot {
		st.Hits += s.hot[i].hits.Load()
		st.Misses += s.hot[i].misses.Load()
	}
	s.mu.Lock()
	st.Entries = s.n
	s.mu.Unlock()
	return st
}

// emit calls the hook, if any.
func (s *Store) emit(e Event) {
	if s.cfg.onEvent != nil {
		s.cfg.onEvent(e)
	}
}

// emitEvictions reports n evictions.
func (s *Store) emitEvictions(n int) {
	for range n {
		s.emit(Event{Kind: EventEvict})
	}
}
