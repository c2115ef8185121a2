package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// corruptRows are record rows that do not decode, as an older or newer
// version, a person with psql or damage may leave them.
var corruptRows = []struct {
	name  string
	value func(id, entryOfA string) []byte
	tomb  bool
}{
	{name: "not JSON", value: func(string, string) []byte { return []byte("{not json") }},
	{name: "unknown envelope version", value: func(id, _ string) []byte {
		return []byte(`{"v":99,"token":{"id":"` + id + `","access_token":"secret-at-x"}}`)
	}},
	{name: "ID differs from the row's", value: func(string, string) []byte {
		b, _ := driver.EncodeRecord(tokenstore.Token{ID: tokenstore.NewID(), AccessToken: "secret-at-x"})
		return b
	}},
	// A tombstone naming rows this package never writes, and record a's
	// user-name entry: the delete it stands for finishes, and drops none
	// of them.
	{name: "tombstone naming strangers", tomb: true, value: func(_, entryOfA string) []byte {
		return []byte("../../x user_name/zz index/user_name/" + strings.Repeat("0", 64) + " " + entryOfA)
	}},
}

// One unreadable row never makes the namespace unusable (SPEC: deadlines
// and uncertain outcomes): lists return the rest with an error naming it,
// lookups of other records work, and it can be deleted.
func TestCorruptRecord(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	ctx := context.Background()
	for _, c := range corruptRows {
		t.Run(c.name, func(t *testing.T) {
			s, _ := costStore(t, pool, table)
			a, b := fullToken("a", 1), fullToken("b", 2)
			for _, tok := range []*tokenstore.Token{&a, &b} {
				if err := s.SaveToken(ctx, tok); err != nil {
					t.Fatal(err)
				}
			}
			bad := tokenstore.NewID()
			entryOfA, _ := backend{s}.IndexName(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: a.UserName})
			put := func() {
				t.Helper()
				_, err := pool.Exec(ctx, "INSERT INTO "+table+" (namespace, name, value, tomb) VALUES ($1, $2, $3, $4)",
					s.ns, recordPrefix+bad, c.value(bad, entryOfA), c.tomb)
				if err != nil {
					t.Fatal(err)
				}
			}
			put()

			all, err := s.GetTokens(ctx)
			switch {
			case c.tomb && err != nil:
				t.Errorf("GetTokens: %v; want the 2 records (a tombstone reads as not found)", err)
			case !c.tomb && (!errors.Is(err, tokenstore.ErrCorrupt) || !strings.Contains(err.Error(), bad)):
				t.Errorf("GetTokens: error %v; want ErrCorrupt naming %s", err, bad)
			}
			if len(all) != 2 || all[0].ID > all[1].ID {
				t.Errorf("GetTokens: %d records; want the 2 readable ones, in ID order", len(all))
			}
			for _, q := range []tokenstore.Token{{ID: a.ID}, {UserName: b.UserName}, {AccessToken: a.AccessToken}} {
				if _, err := s.FindToken(ctx, q); err != nil {
					t.Errorf("FindToken of a readable record: %v", err)
				}
			}
			_, err = s.FindTokenByID(ctx, bad)
			if c.tomb && !errors.Is(err, tokenstore.ErrNotFound) ||
				!c.tomb && (!errors.Is(err, tokenstore.ErrCorrupt) || !strings.Contains(err.Error(), bad)) {
				t.Errorf("FindTokenByID(bad): %v; want ErrCorrupt naming the ID (ErrNotFound for a tombstone)", err)
			}
			if !c.tomb {
				in := tokenstore.Token{ID: bad, AccessToken: "secret-at-new"}
				if err := s.SaveToken(ctx, &in); !errors.Is(err, tokenstore.ErrCorrupt) {
					t.Errorf("SaveToken(bad ID): %v; want ErrCorrupt (nothing overwritten unseen)", err)
				}
			}
			if err := s.DeleteToken(ctx, bad); err != nil && !(c.tomb && errors.Is(err, tokenstore.ErrNotFound)) {
				t.Errorf("DeleteToken(bad): %v", err)
			}
			if all, err := s.GetTokens(ctx); err != nil || len(all) != 2 {
				t.Errorf("GetTokens after deleting it: %d records, %v; want 2, nil", len(all), err)
			}
			storetest.WantFound(t, ctx, s, a, "record a")
			storetest.WantFound(t, ctx, s, b, "record b")
			if _, err := pool.Exec(ctx, "DELETE FROM "+table+" WHERE namespace = $1 AND name = $2", s.ns, recordPrefix+bad); err != nil {
				t.Fatal(err)
			}
			put()
			if err := s.DeleteTokens(ctx); err != nil {
				t.Errorf("DeleteTokens: %v", err)
			}
			if n := rows(t, pool, table, s.ns); n != 0 {
				t.Errorf("after DeleteTokens %d rows; want 0", n)
			}
		})
	}
}
