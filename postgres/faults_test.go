package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore/driver/kvstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestBackend runs storetest.RunBackendConformance on the backend over the
// real server, at read committed as a pool connects by default: the store
// suite over the engine, then the fault sweep, which
// plays every operation with every fault (fail before, lose the answer,
// stall, apply then stall) at every statement N of its sequence and checks
// that nothing is lost, doubled or dangling and that a retry converges.
// Faults strike each statement (faultDB), not each Backend call, so they
// also land between the statements of one call: between a write and its
// resend, between a refused resend and the read of its nonce.
func TestBackend(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	o, _, err := Options{Table: table}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	prefix := func(ns string) string { return "backend/" + ns }
	storetest.RunBackendConformance(t, storetest.BackendHarness{
		NewBackend: func(t *testing.T, ns string, faults *storetest.Injector) kvstore.Backend {
			var db DB = pool
			if faults != nil {
				db = faultDB{db: pool, in: faults}
			}
			s, err := New(db, &Options{Table: table, Prefix: prefix(ns)})
			if err != nil {
				t.Fatal(err)
			}
			return backend{s}
		},
		Options: engineOptions(o),
		Leftover: func(t *testing.T, ns, value string) []string {
			return leftover(t, pool, table, prefix(ns), value)
		},
	})
}

// leftover returns the names of the rows of namespace ns whose value holds
// value, or all of them for "".
func leftover(t *testing.T, pool *pgxpool.Pool, table, ns, value string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		"SELECT name FROM "+table+" WHERE namespace = $1 AND ($2 = '' OR position(convert_to($2, 'UTF8') IN value) > 0)", ns, value)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// faultDB passes every statement through an Injector. A fault's error
// reads as pgx reports a connection reset (io.ErrUnexpectedEOF), so that
// the store treats it as it would a broken connection.
//
// A write that passes runs to its end on the server even when the
// operation's context ends meanwhile, and only then reports the context's
// error. PostgreSQL runs an autocommitted statement to its end after its
// client gave up on it, so without this wait the sweep's checks, which
// start the moment the operation returns, could see a purge of the
// operation land half-way through them: a real schedule, but one that
// says nothing about the store (its writes are conditional, and a late
// one is a concurrent writer like any other). Statements here take well
// under a millisecond, which the deadline check then includes. A read
// that finishes late changes nothing, so reads are cancelled as usual.
type faultDB struct {
	db DB
	in *storetest.Injector
}

func reset(err error) error {
	if errors.Is(err, storetest.ErrInjected) {
		return fmt.Errorf("%w: %w", err, io.ErrUnexpectedEOF)
	}
	return err
}

func (f faultDB) Exec(ctx context.Context, sql string, args ...any) (tag pgconn.CommandTag, err error) {
	err = f.in.Do(ctx, "Exec", func(ctx context.Context) error {
		tag, err = f.db.Exec(context.WithoutCancel(ctx), sql, args...)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return err
	})
	return tag, reset(err)
}

func (f faultDB) Query(ctx context.Context, sql string, args ...any) (rows pgx.Rows, err error) {
	err = f.in.Do(ctx, "Query", func(ctx context.Context) error {
		rows, err = f.db.Query(ctx, sql, args...)
		return err
	})
	if err != nil && rows != nil {
		rows.Close()
	}
	return rows, reset(err)
}

// QueryRow sends the statement when its row is scanned.
func (f faultDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return faultRow{f: f, ctx: ctx, sql: sql, args: args}
}

type faultRow struct {
	f    faultDB
	ctx  context.Context
	sql  string
	args []any
}

func (r faultRow) Scan(dest ...any) error {
	return reset(r.f.in.Do(r.ctx, "QueryRow", func(ctx context.Context) error {
		return r.f.db.QueryRow(ctx, r.sql, r.args...).Scan(dest...)
	}))
}
