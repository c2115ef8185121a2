package cache

import (
	"hash/maphash"
	"sync/atomic"

	"github.com/tokenstore-go/tokenstore"
)

// table maps tokenstore.Key to *entry. Readers search it with no lock and
// no write to shared memory; writers (one at a time: they hold Store.mu)
// change it with atomic stores. A reader overlapping a write sees the
// table before or after each slot's change, so it may miss a key being
// moved (a miss only costs a load) but never returns an entry that was not
// under its key at some instant of the search.
//
// It is open addressing with linear probing. A slot holds nil (never
// used: a search stops there), tomb (deleted: a search goes on), or an
// entry, once for each of its keys. The entry carries the hash of each of
// its keys (see prepare), so a search compares hashes without following
// any pointer but the slot's, and compares strings only once, where the
// hash matched: against the entry's own key of that kind, which for a
// record is driver.Keys of the record it returns, so the key matches
// exactly when driver.Matches(key, record) holds (TestEntryHasMatches).
// Comparing in place spares the hit a copy of the record, which calling
// driver.Matches made. The table is rebuilt when used slots pass three
// quarters, so every search meets a nil slot. Readers that loaded the old
// array finish on it; the writer never touches an array it replaced.
type table struct {
	seed maphash.Seed
	arr  atomic.Pointer[slots]
	used int // non-nil slots of arr: live and tombstones
	live int
}

type slots struct {
	s    []atomic.Pointer[entry]
	mask uint64
}

// tomb marks a deleted slot. It is indexed under no kind, so no search
// matches it.
var tomb = new(entry)

const minTableSize = 64

// init makes t an empty table.
func (t *table) init() {
	t.seed = maphash.MakeSeed()
	t.reset()
}

func newSlots(n int) *slots {
	return &slots{s: make([]atomic.Pointer[entry], n), mask: uint64(n - 1)}
}

// hash mixes the kind into a hash of the value. The client ID is left out:
// it is shared by most keys that have one, and the match checks it anyway.
func (t *table) hash(k *tokenstore.Key) uint64 { return t.hashOf(k.Kind, k.Value) }

func (t *table) hashOf(kind tokenstore.KeyKind, value string) uint64 {
	return maphash.String(t.seed, value) ^ uint64(kind)*0x9e3779b97f4a7c15
}

// kindBit is the bit of kind k in entry.kinds; k&7 is its index in
// entry.hash.
func kindBit(k tokenstore.KeyKind) uint8 { return 1 << (k & 7) }

// prepare records the kind, hash and place of each of e's keys in e. It
// must run before e is first published: readers read these fields with no
// lock.
func (t *table) prepare(e *entry) {
	for i, k := range e.keys {
		e.kinds |= kindBit(k.Kind)
		e.hash[k.Kind&7] = t.hash(&k)
		e.at[k.Kind&7] = uint8(i)
	}
}

// has reports whether e is indexed under the key (kind, value, clientID):
// the key of a cached not-found answer, or a key its record answers to.
// Keys holds at most one key of each kind, all from tokenstore.Lookup or
// driver.Keys, which leave ClientID empty where the kind has none, so
// comparing the one of this kind is driver.Matches for a record.
func (e *entry) has(kind tokenstore.KeyKind, value, clientID string) bool {
	if e.kinds&kindBit(kind) == 0 {
		return false
	}
	k := &e.keys[e.at[kind&7]]
	return k.Value == value && k.ClientID == clientID
}

// get returns the entry under the key (kind, value, clientID), or nil.
// Safe concurrently with one writer. It is the hit path, so the key comes
// field by field, in registers, and is compared where it lies.
func (t *table) get(kind tokenstore.KeyKind, value, clientID string) *entry {
	h := t.hashOf(kind, value)
	a := t.arr.Load()
	for i := h & a.mask; ; i = (i + 1) & a.mask {
		e := a.s[i].Load()
		if e == nil {
			return nil
		}
		if e.hash[kind&7] == h && e.has(kind, value, clientID) {
			return e
		}
	}
}

// holds reports whether slot value x is e's slot for k, for writers.
func holds(x *entry, k tokenstore.Key) bool { return x.has(k.Kind, k.Value, k.ClientID) }

// add publishes e under each of its keys. The caller holds Store.mu.
func (t *table) add(e *entry) {
	t.prepare(e)
	for _, k := range e.keys {
		t.put(k, e)
	}
}

// put sets the entry under k, one of e's prepared keys. The caller holds
// Store.mu.
func (t *table) put(k tokenstore.Key, e *entry) {
	a := t.arr.Load()
	free := -1
	i := e.hash[k.Kind&7] & a.mask
	for ; ; i = (i + 1) & a.mask {
		x := a.s[i].Load()
		if x == nil {
			break
		}
		if x == tomb {
			if free < 0 {
				free = int(i)
			}
			continue
		}
		if holds(x, k) {
			a.s[i].Store(e)
			return
		}
	}
	if free < 0 {
		free = int(i)
		t.used++
	}
	a.s[free].Store(e)
	t.live++
	if t.used*4 > len(a.s)*3 {
		t.rebuild()
	}
}

// del removes k if it maps to e. The caller holds Store.mu.
func (t *table) del(k tokenstore.Key, e *entry) {
	a := t.arr.Load()
	for i := t.hash(&k) & a.mask; ; i = (i + 1) & a.mask {
		x := a.s[i].Load()
		if x == nil {
			return
		}
		if x != tomb && holds(x, k) {
			if x == e {
				a.s[i].Store(tomb)
				t.live--
			}
			return
		}
	}
}

// rebuild copies the live slots into a new array with room to spare and
// publishes it. The caller holds Store.mu.
func (t *table) rebuild() {
	old := t.arr.Load()
	n := minTableSize
	for n < 4*t.live {
		n *= 2
	}
	a := newSlots(n)
	// A slot does not say which of its entry's keys it is for, so each
	// entry is placed under every key it is still indexed under, once.
	seen := make(map[*entry]bool, t.live)
	for i := range old.s {
		e := old.s[i].Load()
		if e == nil || e == tomb || seen[e] {
			continue
		}
		seen[e] = true
		for _, k := range e.keys {
			if !t.under(old, k, e) {
				continue
			}
			j := e.hash[k.Kind&7] & a.mask
			for a.s[j].Load() != nil {
				j = (j + 1) & a.mask
			}
			a.s[j].Store(e)
		}
	}
	t.used = t.live
	t.arr.Store(a)
}

// under reports whether a maps k to e.
func (t *table) under(a *slots, k tokenstore.Key, e *entry) bool {
	for i := e.hash[k.Kind&7] & a.mask; ; i = (i + 1) & a.mask {
		x := a.s[i].Load()
		if x == nil {
			return false
		}
		if x != tomb && holds(x, k) {
			return x == e
		}
	}
}

// reset empties the table. The caller holds Store.mu.
func (t *table) reset() {
	t.arr.Store(newSlots(minTableSize))
	t.used, t.live = 0, 0
}
