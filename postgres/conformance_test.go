package postgres

import (
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestConformance runs the tokenstore contract on stores made with New
// over the real server, in a table of the test's own, each namespace of
// the suite a prefix, in the two settings the backend suite (TestBackend,
// at read committed) does not cover: every statement at the serializable
// isolation level, where a write that meets a concurrent one fails with a
// serialization error instead of finding no row, and the simple query
// protocol (no prepared statements), as a pool behind PgBouncer in
// transaction mode is often configured. Each store counts its statements
// (the suite checks that reads write nothing); the stores of one
// namespace, standing for several processes, share the pool and nothing
// else.
func TestConformance(t *testing.T) {
	t.Run("Serializable", func(t *testing.T) {
		pool := testPool(t, func(c *pgxpool.Config) {
			c.ConnConfig.RuntimeParams["default_transaction_isolation"] = "serializable"
		})
		storetest.RunConformance(t, harness(t, pool, testTable(t, pool)))
	})
	t.Run("SimpleProtocol", func(t *testing.T) {
		pool := testPool(t, func(c *pgxpool.Config) {
			c.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		})
		storetest.RunConformance(t, harness(t, pool, testTable(t, pool)))
	})
}

func harness(t *testing.T, pool *pgxpool.Pool, table string) storetest.Harness {
	var mu sync.Mutex
	dbs := map[tokenstore.Store]*countingDB{}
	return storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			db := &countingDB{DB: pool}
			s, err := New(db, &Options{Table: table, Prefix: "conformance/" + ns,
				RetryDelay: time.Millisecond, MaxRetryDelay: 20 * time.Millisecond})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			mu.Lock()
			dbs[s] = db
			mu.Unlock()
			return s
		},
		Writes: func(s tokenstore.Store) int64 {
			mu.Lock()
			defer mu.Unlock()
			_, w := dbs[s].counts()
			return w
		},
	}
}

// TestPepper checks that New refuses a short pepper and keeps a copy of
// the caller's (storetest.RunPepper).
func TestPepper(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	prefix := "pepper/" + randHex(4)
	storetest.RunPepper(t, func(t *testing.T, pepper []byte) (tokenstore.Store, error) {
		s, err := New(pool, &Options{Table: table, Prefix: prefix, Pepper: pepper})
		if err != nil {
			return nil, err
		}
		return s, nil
	})
}
