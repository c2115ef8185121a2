package postgres

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// Each method below is the engine's (package driver/kvstore) with what it
// costs in statements; the tokenstore documentation has the contract, and
// the README the figures measured.

// FindToken returns the record q selects under tokenstore.Lookup's rules:
// one statement by ID, two through an index entry (the entry, then the
// record, which must still hold the key). It writes nothing.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	return s.e.FindToken(ctx, q)
}

// FindTokenByID returns the record with the given ID: one statement.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	return s.e.FindTokenByID(ctx, id)
}

// SaveToken upserts *t (see tokenstore.Store): it claims the index entries
// of keys the record gains, writes the record conditionally on the
// revision read, and then drops the entries of keys it lost. A lost race
// starts over after a jittered backoff; after Options.MaxAttempts the
// error wraps tokenstore.ErrConflict.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	return s.e.SaveToken(ctx, t)
}

// UpdateToken reads the record with the given ID, applies fn and writes
// the result conditionally on the revision read, calling fn again after a
// lost race. See tokenstore.Updater.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	return s.e.UpdateToken(ctx, id, fn)
}

// DeleteToken removes the record with the given ID and the index entries
// naming it: a tombstone over the record, the entries dropped, then the
// record's row emptied. tokenstore.ErrNotFound if there is none.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.e.DeleteToken(ctx, id)
}

// GetTokens returns every record of the namespace, ordered by ID: one
// statement for the names, then one per 100 records. An unreadable record
// does not hide the others: they come back with an error wrapping
// tokenstore.ErrCorrupt that names its ID.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	return s.e.GetTokens(ctx)
}

// DeleteTokens removes every row of the namespace, and no other row. It is
// meant for clearing a namespace, not to run alongside saves into it.
func (s *Store) DeleteTokens(ctx context.Context) error {
	return s.e.DeleteTokens(ctx)
}
