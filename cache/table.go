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
// immutable *slot. The table is rebuilt when used slots pass three
// quarters, so every search meets a nil slot. Readers that loaded the old
// array finish on it; the writer never touches an array it replaced.
type table struct {
	seed maphash.Seed
	arr  atomic.Pointer[slots]
	used int // non-nil slots of arr: live and tombstones
	live int
}

type slots struct {
	s    []atomic.Pointer[slot]
	mask uint64
}

type slot struct {
	key tokenstore.Key
	e   *entry
}

// tomb marks a deleted slot.
var tomb = new(slot)

const minTableSize = 64

func newTable() *table {
	t := &table{seed: maphash.MakeSeed()}
	t.arr.Store(newSlots(minTableSize))
	return t
}

func newSlots(n int) *slots {
	return &slots{s: make([]atomic.Pointer[slot], n), mask: uint64(n - 1)}
}

// hash mixes the kind into a hash of the value. The client ID is left out:
// it is shared by most keys that have one, and equality checks it anyway.
func (t *table) hash(k tokenstore.Key) uint64 {
	return maphash.String(t.seed, k.Value) ^ uint64(k.Kind)*0x9e3779b97f4a7c15
}

// get returns the entry under k, given h = t.hash(k), or nil. Safe
// concurrently with one writer.
func (t *table) get(k tokenstore.Key, h uint64) *entry {
	a := t.arr.Load()
	for i := h & a.mask; ; i = (i + 1) & a.mask {
		sl := a.s[i].Load()
		if sl == nil {
			return nil
		}
		if sl != tomb && sl.key == k {
			return sl.e
		}
	}
}

// put sets the entry under k. The caller holds Store.mu.
func (t *table) put(k tokenstore.Key, e *entry) {
	a := t.arr.Load()
	free := -1
	i := t.hash(k) & a.mask
	for ; ; i = (i + 1) & a.mask {
		sl := a.s[i].Load()
		if sl == nil {
			break
		}
		if sl == tomb {
			if free < 0 {
				free = int(i)
			}
			continue
		}
		if sl.key == k {
			a.s[i].Store(&slot{key: k, e: e})
			return
		}
	}
	if free < 0 {
		free = int(i)
		t.used++
	}
	a.s[free].Store(&slot{key: k, e: e})
	t.live++
	if t.used*4 > len(a.s)*3 {
		t.rebuild()
	}
}

// del removes k if it maps to e. The caller holds Store.mu.
func (t *table) del(k tokenstore.Key, e *entry) {
	a := t.arr.Load()
	for i := t.hash(k) & a.mask; ; i = (i + 1) & a.mask {
		sl := a.s[i].Load()
		if sl == nil {
			return
		}
		if sl != tomb && sl.key == k {
			if sl.e == e {
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
	for i := range old.s {
		sl := old.s[i].Load()
		if sl == nil || sl == tomb {
			continue
		}
		j := t.hash(sl.key) & a.mask
		for a.s[j].Load() != nil {
			j = (j + 1) & a.mask
		}
		a.s[j].Store(sl)
	}
	t.used = t.live
	t.arr.Store(a)
}

// reset empties the table. The caller holds Store.mu.
func (t *table) reset() {
	t.arr.Store(newSlots(minTableSize))
	t.used, t.live = 0, 0
}
