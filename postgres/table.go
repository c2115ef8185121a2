package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// tableSQL is the table every Store keeps its rows in; %s is the table's
// quoted name. The README shows it for the default name, and a test keeps
// the two the same.
//
// Names and namespaces compare byte by byte (COLLATE "C") whatever the
// database's collation, so that ListRecords' prefix match is a range of
// the primary key. The identity column numbers every write of every row
// from one sequence.
const tableSQL = `CREATE TABLE IF NOT EXISTS %s (
    namespace text    COLLATE "C" NOT NULL, -- Options.Prefix
    name      text    COLLATE "C" NOT NULL, -- record/<ID> or index/<kind>/<HMAC digest>
    value     bytea   NOT NULL,             -- record: the JSON envelope; entry: a record ID;
                                            -- tombstone: its index names; shell: empty
    tomb      boolean NOT NULL DEFAULT false,
    nonce     text,                         -- record or tombstone: random per write
    replaced  bigint,                       -- tombstone: the revision it was written over
    rev       bigint  GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (namespace, name)
)`

// CreateTable creates the table a Store keeps its rows in, named as
// Options.Table ("" for DefaultTable), unless a table of that name exists:
// one statement, CREATE TABLE IF NOT EXISTS, run as a user allowed to
// create tables in the schema. New never creates it, so that the
// application's own user needs only the rights the package doc lists.
func CreateTable(ctx context.Context, db DB, table string) error {
	if db == nil {
		return errors.New("postgres: create table: nil db")
	}
	q, err := quoteTable(orDefault(table, DefaultTable))
	if err != nil {
		return fmt.Errorf("postgres: create table: %w", err)
	}
	if _, err := db.Exec(ctx, fmt.Sprintf(tableSQL, q)); err != nil {
		return fmt.Errorf("postgres: create table: %w", err)
	}
	return nil
}

// check asks the server whether the table exists with the columns the
// store uses and may be read by the connection's user: one statement that
// reads no row. A missing table or column matches tokenstore.ErrBadURL.
func (s *Store) check(ctx context.Context) error {
	err := s.queryRow(ctx, s.sql.check, nil)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "42703") { // undefined_table, undefined_column
		return badURLf("missing, or without the store's columns (create it with postgres.CreateTable or the SQL in the README): %w", err)
	}
	return err
}
