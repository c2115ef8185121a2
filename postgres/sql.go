package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is the part of *pgxpool.Pool the store uses; a *pgxpool.Pool is the
// one to give it. Whatever else implements it must be safe for concurrent
// use and give each call a working connection (a pool does: a statement
// sent again after a broken connection goes out on another one), so a
// *pgx.Conn or a pgx.Tx will not do. Tests wrap a pool in their own DB to
// count statements.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// statements are the store's SQL, with its table name in place. Every
// value is a parameter: $1 is always the namespace (Options.Prefix), $2
// the row's name.
type statements struct {
	get, getMany, nonce, list       string
	insert, update, clear, drop     string
	remove, sweep, check, createSQL string
}

func newStatements(table string) statements {
	f := func(format string) string { return fmt.Sprintf(format, table) }
	return statements{
		get:     f(`SELECT value, tomb, rev FROM %s WHERE namespace = $1 AND name = $2`),
		getMany: f(`SELECT name, value, tomb, rev FROM %s WHERE namespace = $1 AND name = ANY($2)`),
		nonce:   f(`SELECT nonce FROM %s WHERE namespace = $1 AND name = $2`),
		// Records only, shells left out: names are COLLATE "C", so the
		// prefix match is a range of the primary key.
		list: f(`SELECT name FROM %s WHERE namespace = $1 AND name LIKE 'record/%%' AND (tomb OR value <> '')`),
		insert: f(`INSERT INTO %s (namespace, name, value, tomb, nonce, replaced) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (namespace, name) DO NOTHING`),
		update: f(`UPDATE %s SET value = $3, tomb = $4, nonce = $5, replaced = $6, rev = DEFAULT
WHERE namespace = $1 AND name = $2 AND rev = $7`),
		// A shell: no value, a new revision. $3 is the revision read, or
		// the one a tombstone was written over.
		clear: f(`UPDATE %s SET value = '', tomb = false, nonce = NULL, replaced = NULL, rev = DEFAULT
WHERE namespace = $1 AND name = $2 AND (rev = $3 OR replaced = $3 OR $3 IS NULL)`),
		drop:   f(`DELETE FROM %s WHERE namespace = $1 AND name = $2 AND rev = $3`),
		remove: f(`DELETE FROM %s WHERE namespace = $1 AND name = $2`),
		sweep:  f(`DELETE FROM %s WHERE namespace = $1`),
		check:  f(`SELECT namespace, name, value, tomb, nonce, replaced, rev FROM %s WHERE false`),
	}
}
