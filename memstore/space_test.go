package memstore

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// TestSpaceModel checks the index against a scan of every record through
// random puts and removes over a few IDs and fewer key values, so that
// records share access, grant and refresh tokens, under one client or
// two: after each step, every key finds what a scan finds (the record with
// the smallest ID among those matching it), and the index holds no value
// that no record has.
func TestSpaceModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	sp := newSpace()
	model := map[string]tokenstore.Token{}
	var keys []tokenstore.Key // every key tokenstore.Lookup can give, and more values
	for _, v := range []string{"u1", "u2", "u3", "a1", "a2", "g1", "g2", "r1", "r2"} {
		for kind := tokenstore.KeyUserName; kind <= maxKind; kind++ {
			clients := []string{""}
			if kind == tokenstore.KeyGrantToken || kind == tokenstore.KeyRefreshToken {
				clients = []string{"c1", "c2", "c3"}
			}
			for _, c := range clients {
				keys = append(keys, tokenstore.Key{Kind: kind, Value: v, ClientID: c})
			}
		}
	}
	for step := range 20000 {
		id := fmt.Sprintf("id-%d", rng.IntN(8))
		if rng.IntN(4) == 0 {
			if got, want := sp.remove(id), model[id].ID != ""; got != want {
				t.Fatalf("step %d: remove(%s) = %v; want %v", step, id, got, want)
			}
			delete(model, id)
		} else {
			tok := tokenstore.Token{ID: id, UserName: pick("", "u1", "u2", "u3"), AccessToken: pick("", "a1", "a2"),
				GrantToken: pick("", "g1", "g2"), RefreshToken: pick("", "r1", "r2"), ClientID: pick("", "c1", "c2")}
			sp.put(record{tok: tok})
			model[id] = tok
		}
		for _, k := range keys {
			var want tokenstore.Token
			for _, tok := range model {
				if driver.Matches(k, tok) && (want.ID == "" || tok.ID < want.ID) {
					want = tok
				}
			}
			got := sp.lookup(k)
			if (got == nil) != (want.ID == "") || got != nil && got.tok != want {
				t.Fatalf("step %d: lookup(%v %s %s) = %v; a scan finds %q", step, k.Kind, k.Value, k.ClientID, got, want.ID)
			}
		}
		values := 0
		for kind := tokenstore.KeyUserName; kind <= maxKind; kind++ {
			values += len(sp.index[kind])
		}
		distinct := map[tokenstore.Key]bool{}
		for _, tok := range model {
			for _, k := range driver.Keys(tok) {
				if k.Kind != tokenstore.KeyID {
					distinct[tokenstore.Key{Kind: k.Kind, Value: k.Value}] = true
				}
			}
		}
		if values != len(distinct) || len(sp.recs) != len(model) {
			t.Fatalf("step %d: index holds %d values and %d records; the records have %d and are %d", step, values, len(sp.recs), len(distinct), len(model))
		}
	}
}

// TestSaveAllocatesNothing: saving a refreshed access token and expiry
// into an existing record allocates nothing (the index moves one entry,
// and the record is updated in place).
func TestSaveAllocatesNothing(t *testing.T) {
	ctx := t.Context()
	s := New(nil)
	tok := tokenstore.Token{UserName: "alice@example.com", ClientID: "1000.C", ClientSecret: "cs", RefreshToken: "rt", AccessToken: "at-0"}
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	saves := make([]tokenstore.Token, 2)
	for i := range saves {
		saves[i] = tokenstore.Token{UserName: tok.UserName, AccessToken: fmt.Sprintf("at-%d", i+1), Expiry: tok.Expiry.AddDate(2026, 0, i)}
	}
	i := 0
	if n := testing.AllocsPerRun(100, func() {
		t := saves[i%2]
		i++
		if err := s.SaveToken(ctx, &t); err != nil {
			panic(err)
		}
	}); n != 0 {
		t.Errorf("SaveToken of a refreshed token: %v allocations; want 0", n)
	}
}
