package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// serverConfig returns the pool configuration of the real server the PG*
// variables name (scripts/testenv/postgres.sh env prints them). Without
// PGHOST the test skips, or fails under TOKENSTORE_INTEGRATION=required:
// these tests exist to run against a real server.
func serverConfig(t testing.TB) *pgxpool.Config {
	t.Helper()
	if os.Getenv("PGHOST") == "" {
		const why = `PGHOST is not set: no PostgreSQL server (scripts/testenv/postgres.sh up; eval "$(scripts/testenv/postgres.sh env)")`
		if os.Getenv("TOKENSTORE_INTEGRATION") == "required" {
			t.Fatal("TOKENSTORE_INTEGRATION=required but " + why)
		}
		t.Skip(why)
	}
	cfg, err := pgxpool.ParseConfig("")
	if err != nil {
		t.Fatalf("pool configuration from PG* variables: %v", err)
	}
	cfg.MaxConns = 16
	return cfg
}

// testPool connects to the real server; the pool closes when t ends.
func testPool(t testing.TB, edit ...func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg := serverConfig(t)
	for _, f := range edit {
		f(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		t.Fatalf("ping %s:%d: %v", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// testTable creates a table of its own for t with CreateTable, and drops
// it when t ends.
func testTable(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	name := "ts_" + randHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := CreateTable(ctx, pool, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP TABLE "+name); err != nil {
			t.Errorf("cleanup: drop table %s: %v", name, err)
		}
	})
	return name
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// countingDB is a DB that counts the statements it passes on: writes
// (Exec) and reads (Query, QueryRow).
type countingDB struct {
	DB
	reads, writes atomic.Int64
}

func (c *countingDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c.writes.Add(1)
	return c.DB.Exec(ctx, sql, args...)
}

func (c *countingDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c.reads.Add(1)
	return c.DB.Query(ctx, sql, args...)
}

func (c *countingDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	c.reads.Add(1)
	return c.DB.QueryRow(ctx, sql, args...)
}

func (c *countingDB) counts() (reads, writes int64) { return c.reads.Load(), c.writes.Load() }
