package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// Store keeps tokens in a PostgreSQL table. Create it with New, FromEnv or
// OpenURL. It is safe for concurrent use.
//
// The write protocol (index entries claimed before the record, a
// conditional write at every step, tombstones, repair of what a stopped
// writer left) is the one every store of this module shares; Store adapts
// it to rows of one table.
type Store struct {
	e      *kvstore.Engine
	db     DB
	sql    statements
	ns     string // Options.Prefix: the namespace column of every row
	pepper []byte
	pool   *pgxpool.Pool // the pool FromEnv or OpenURL made, which Close closes
}

var (
	_ tokenstore.Store   = (*Store)(nil)
	_ tokenstore.Updater = (*Store)(nil)
)

// New returns a Store that keeps tokens in the table opts names, through
// db: a *pgxpool.Pool (see DB). The table must exist (CreateTable). New
// makes no statement: a missing table or permission shows on the first
// operation.
func New(db DB, opts *Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("postgres: new: nil db")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o, table, err := o.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("postgres: new: %w", err)
	}
	pepper, err := driver.ClonePepper(o.Pepper)
	if err != nil {
		return nil, fmt.Errorf("postgres: new: %w", err)
	}
	s := &Store{db: db, sql: newStatements(table), ns: o.Prefix, pepper: pepper}
	if s.e, err = kvstore.New(backend{s}, engineOptions(o)); err != nil {
		return nil, fmt.Errorf("postgres: new: %w", err)
	}
	return s, nil
}

// engineOptions are the engine's options for a Store with options o (its
// defaults set).
func engineOptions(o Options) kvstore.Options {
	return kvstore.Options{
		Name:          "postgres",
		MaxAttempts:   o.MaxAttempts,
		RetryDelay:    o.RetryDelay,
		MaxRetryDelay: o.MaxRetryDelay,
		Parallelism:   o.ReadParallelism,
		BatchSize:     batchSize,
	}
}

// FromEnv returns a Store on a new pool configured the way psql and libpq
// are: PGHOST, PGPORT, PGUSER, PGPASSWORD (or PGPASSFILE), PGDATABASE,
// PGSSLMODE, PGSERVICE and the other variables pgxpool.ParseConfig reads
// from an empty connection string. Like New, it makes no statement; the
// pool connects on first use. Close the Store to close the pool.
func FromEnv(ctx context.Context, opts *Options) (*Store, error) {
	pool, err := newPool(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: from env: %w", err)
	}
	s, err := New(pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.pool = pool
	return s, nil
}

func newPool(ctx context.Context) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// Close closes the pool FromEnv or OpenURL made for the Store, waiting for
// its connections to be returned. For a Store made with New it does
// nothing: the caller owns its pool.
func (s *Store) Close() error {
	if s.pool != nil {
		s.pool.Close()
	}
	return nil
}
