package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore"
)

// costOp is one operation whose statements the README and BENCHMARKS.md
// list: prepare makes the state it runs on (uncounted), run does it once.
type costOp struct {
	name          string
	reads, writes int64 // statements, as the README lists them
	prepare       func(ctx context.Context, s *Store, i int) (tokenstore.Token, error)
	run           func(ctx context.Context, s *Store, a tokenstore.Token) error
}

// stored saves record i with every key.
func stored(ctx context.Context, s *Store, i int) (tokenstore.Token, error) {
	a := fullToken(fmt.Sprint("c", i), i)
	err := s.SaveToken(ctx, &a)
	return a, err
}

var costOps = []costOp{
	{name: "FindTokenByID", reads: 1, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			_, err := s.FindTokenByID(ctx, a.ID)
			return err
		}},
	{name: "FindToken/UserName", reads: 2, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			_, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
			return err
		}},
	{name: "FindToken/AccessToken", reads: 2, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			_, err := s.FindToken(ctx, tokenstore.Token{AccessToken: a.AccessToken})
			return err
		}},
	{name: "FindToken/Miss", reads: 1,
		prepare: func(context.Context, *Store, int) (tokenstore.Token, error) { return fullToken("miss", 0), nil },
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			_, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
			if err == nil {
				return fmt.Errorf("found %s", a.UserName)
			}
			return nil
		}},
	// A new user: the user name is looked up (1 read), four entries
	// claimed and the record inserted.
	{name: "SaveToken/Insert", reads: 1, writes: 5,
		prepare: func(_ context.Context, _ *Store, i int) (tokenstore.Token, error) {
			return fullToken(fmt.Sprint("new", i), i), nil
		},
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error { return s.SaveToken(ctx, &a) }},
	// The hourly refresh: the new access token's entry is claimed, the
	// record written, the old entry read and dropped.
	{name: "SaveToken/NewAccessToken", reads: 3, writes: 3, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			u := tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken + "-new", Expiry: a.Expiry.Add(time.Hour)}
			return s.SaveToken(ctx, &u)
		}},
	{name: "SaveToken/Unchanged", reads: 2, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			a.ID = "" // found by its user name
			return s.SaveToken(ctx, &a)
		}},
	{name: "UpdateToken", reads: 1, writes: 1, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			_, err := s.UpdateToken(ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.APIDomain = "https://www.zohoapis.eu"
				return r, nil
			})
			return err
		}},
	// The tombstone, then each of the four entries read and dropped, then
	// the record's row emptied.
	{name: "DeleteToken", reads: 5, writes: 6, prepare: stored,
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error { return s.DeleteToken(ctx, a.ID) }},
}

// TestCosts counts the statements of each operation, as the README lists
// them, and the rows a record takes.
func TestCosts(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	ctx := context.Background()
	for _, op := range costOps {
		t.Run(op.name, func(t *testing.T) {
			s, db := costStore(t, pool, table)
			var a tokenstore.Token
			if op.prepare != nil {
				var err error
				if a, err = op.prepare(ctx, s, 1); err != nil {
					t.Fatalf("prepare: %v", err)
				}
			}
			r0, w0 := db.counts()
			if err := op.run(ctx, s, a); err != nil {
				t.Fatal(err)
			}
			r1, w1 := db.counts()
			if r1-r0 != op.reads || w1-w0 != op.writes {
				t.Errorf("%d reads, %d writes; want %d, %d", r1-r0, w1-w0, op.reads, op.writes)
			}
		})
	}
	t.Run("Rows", func(t *testing.T) {
		s, _ := costStore(t, pool, table)
		a, err := stored(ctx, s, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n := rows(t, pool, table, s.ns); n != 5 {
			t.Errorf("a record with four lookup keys takes %d rows; want 5", n)
		}
		if err := s.DeleteToken(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if n := rows(t, pool, table, s.ns); n != 1 {
			t.Errorf("after DeleteToken %d rows; want 1 (the record's shell)", n)
		}
		var shell bool
		err = pool.QueryRow(ctx, "SELECT value = '' AND NOT tomb FROM "+table+" WHERE namespace = $1 AND name = $2",
			s.ns, recordPrefix+a.ID).Scan(&shell)
		if err != nil || !shell {
			t.Errorf("after DeleteToken the record's row is a shell: %v, %v; want true (no value, no tombstone)", shell, err)
		}
		if err := s.DeleteTokens(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rows(t, pool, table, s.ns); n != 0 {
			t.Errorf("after DeleteTokens %d rows; want 0", n)
		}
	})
}

// costStore returns a store in a namespace of its own that counts its
// statements; the namespace is cleared when t ends.
func costStore(t testing.TB, pool *pgxpool.Pool, table string) (*Store, *countingDB) {
	t.Helper()
	db := &countingDB{DB: pool}
	s, err := New(db, &Options{Table: table, Prefix: "cost/" + randHex(4)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.DeleteTokens(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return s, db
}

func rows(t testing.TB, pool *pgxpool.Pool, table, ns string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table+" WHERE namespace = $1", ns).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
