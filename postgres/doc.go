// Package postgres keeps Zoho OAuth tokens in a PostgreSQL table, through
// github.com/jackc/pgx/v5. It is a module of its own, so that programs
// using the other stores never download pgx.
//
//	pool, err := pgxpool.New(ctx, "") // PGHOST, PGUSER, ... as psql reads them
//	...
//	s, err := postgres.New(pool, &postgres.Options{Table: "tokenstore", Prefix: "crm/prod"})
//
// The package name is the database's; a program that also imports a
// package named postgres renames one of them in its import.
//
// # The table
//
// One table holds every store, each under its Options.Prefix (the
// namespace column): a row per record (named record/<ID>, holding the
// versioned JSON envelope every store of this module writes) and a row per
// lookup key the record holds (named index/<kind>/<digest>, holding the
// record's ID). Digests are HMAC-SHA256 of the key with Options.Pepper
// (driver.Digest): no row name holds a token or a user name. New does not
// create the table: CreateTable does, or the SQL in the README, run by a
// user allowed to create tables. The application's user then needs only
//
//	GRANT SELECT, INSERT, UPDATE, DELETE ON tokenstore TO app;
//
// (the identity column's sequence needs no grant of its own).
//
// A record takes one row, plus one per lookup key it holds: 5 for a token
// with a user name, an access, a refresh and a grant token. Deleting a record leaves
// its row as a shell of a few dozen bytes, with no value, so that the
// ID's revisions go on (see below); DeleteTokens removes the namespace's
// rows, shells included. The README lists the statements each operation
// makes, measured.
//
// # Concurrency
//
// A Store is safe for concurrent use, and any number of Stores in any
// number of processes may share a table and a prefix: every write is one
// autocommitted statement conditional on what was read, an INSERT ... ON
// CONFLICT DO NOTHING for a row that did not exist, or an UPDATE ... WHERE
// rev = $n. Revisions are the values of the rev column, an identity
// column: every write of every row takes the next value of one sequence,
// so no revision comes back, even for a row deleted and made again, and a
// writer that read a row can never land a write over a later state of it.
// On this, the write protocol of package
// [github.com/tokenstore-go/tokenstore/driver/kvstore], which every store
// of this module shares and whose documentation describes it, gives its
// guarantees: one record per user name under concurrent saves from many
// processes, index entries claimed before the record is written, repair of
// what a writer that stopped half-way left behind, no lost record. The
// store is that package's Backend over one table; it takes no lock, opens no transaction and holds no connection
// between statements. It runs at any isolation level: at repeatable read
// and serializable, a write that meets a concurrent one fails with a
// serialization error instead of finding no row; the store takes that as
// a lost race and tries again, and sends a read, a drop or a purge again
// after a short random wait, up to 8 times.
//
// A statement whose connection broke on the way (a reset, an end of
// stream: not the server's error, not the context's end) is sent once
// more, on another connection of the pool, as the HTTP clients of the
// other stores resend a request. For a write whose first copy landed, the
// copy is refused; the store then reads the row back and recognises its
// own write by a nonce, random per write, and reports success, so an
// UpdateToken is never applied twice. When another write has replaced it
// since, the outcome is unknown and the operation fails with an error
// saying so (and may have happened, as any error after a statement was
// sent).
//
// DeleteTokens is meant for clearing a namespace, not to run alongside
// saves into it. Dropping and re-creating the table restarts its
// revisions: do it only with no Store running on it.
//
// # Errors
//
// Messages read "postgres: <operation>: <cause>" and never hold a token,
// a client secret or a user name. Validation errors wrap the sentinels of
// package tokenstore (ErrNotFound, ErrInvalidToken, ErrDuplicate,
// ErrTooLarge, ErrConflict after Options.MaxAttempts lost races,
// ErrCorrupt for a record that does not decode). The server's errors stay
// reachable with errors.As as *pgconn.PgError (its Code is the SQLSTATE:
// 42P01 for a missing table, 42501 for a missing grant), and a context's
// end with errors.Is(err, context.DeadlineExceeded) or context.Canceled.
package postgres
