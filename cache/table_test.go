package cache

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

func tkey(i int) tokenstore.Key {
	return tokenstore.Key{Kind: tokenstore.KeyKind(1 + i%5), Value: fmt.Sprint("v", i/5), ClientID: "c"}
}

// newKeyEntry returns an entry under k alone.
func newKeyEntry(k tokenstore.Key) *entry {
	return &entry{neg: true, keys: []tokenstore.Key{k}}
}

// TestTableModel checks the table against a Go map through random puts and
// deletes, enough to grow, fill with tombstones and rebuild many times.
func TestTableModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tb table
	tb.init()
	model := make(map[tokenstore.Key]*entry)
	for step := range 200000 {
		k := tkey(rng.IntN(3000))
		switch e := model[k]; {
		case rng.IntN(3) == 0 && e != nil:
			tb.del(k, newKeyEntry(k)) // another entry's delete leaves k alone
			tb.del(k, e)
			delete(model, k)
		default:
			e = newKeyEntry(k)
			tb.add(e)
			model[k] = e
		}
		if tb.live != len(model) {
			t.Fatalf("step %d: live %d; want %d", step, tb.live, len(model))
		}
		if step%997 == 0 {
			for i := range 3000 {
				k := tkey(i)
				if got := tb.get(k.Kind, k.Value, k.ClientID); got != model[k] {
					t.Fatalf("step %d: get(%d) = %p; want %p", step, i, got, model[k])
				}
			}
		}
	}
	if n := len(tb.arr.Load().s); n > 4*minTableSize && n > 8*len(model) {
		t.Fatalf("table of %d slots for %d keys; want it rebuilt smaller", n, len(model))
	}
}

// TestTableConcurrentReaders: while one writer moves keys between entries,
// a reader gets either nothing or an entry that holds the key, never
// another key's entry.
func TestTableConcurrentReaders(t *testing.T) {
	var tb table
	tb.init()
	const keys = 500
	var stop atomic.Bool
	var wg sync.WaitGroup
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 9))
			for !stop.Load() {
				k := tkey(rng.IntN(keys))
				if e := tb.get(k.Kind, k.Value, k.ClientID); e != nil && e.keys[0] != k {
					t.Errorf("get returned the entry of another key")
					return
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		k := tkey(rng.IntN(keys))
		if rng.IntN(2) == 0 {
			tb.add(newKeyEntry(k))
		} else if e := tb.get(k.Kind, k.Value, k.ClientID); e != nil {
			tb.del(k, e)
		}
	}
	stop.Store(true)
	wg.Wait()
}

// TestEntryHasMatches holds the hit's key check to driver.Matches: for
// records with every combination of fields, and keys of every kind as
// tokenstore.Lookup makes them (a client ID only for grant and refresh
// tokens), an entry of the record is indexed under a key exactly when the
// record answers to it.
func TestEntryHasMatches(t *testing.T) {
	vals := []string{"", "id-1", "alice@example.com", "at-1", "gt-1", "rt-1", "client-1"}
	var tb table
	tb.init()
	for mask := range 1 << 6 {
		var tok tokenstore.Token
		for i, f := range []*string{&tok.ID, &tok.UserName, &tok.AccessToken, &tok.GrantToken, &tok.RefreshToken, &tok.ClientID} {
			if mask&(1<<i) != 0 {
				*f = vals[i+1]
			}
		}
		e := &entry{tok: tok, keys: driver.Keys(tok)}
		tb.prepare(e)
		for kind := tokenstore.KeyID; kind <= tokenstore.KeyRefreshToken; kind++ {
			clients := []string{""}
			if kind == tokenstore.KeyGrantToken || kind == tokenstore.KeyRefreshToken {
				clients = []string{"client-1", "client-2"}
			}
			for _, v := range vals[1:] {
				for _, c := range clients {
					k := tokenstore.Key{Kind: kind, Value: v, ClientID: c}
					if got, want := e.has(k.Kind, k.Value, k.ClientID), driver.Matches(k, tok); got != want {
						t.Errorf("fields %06b, key %v value %q client %q: has %v; want %v", mask, kind, v, c, got, want)
					}
				}
			}
		}
	}
}
