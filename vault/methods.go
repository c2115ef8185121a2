package vault

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// Each method below is the engine's (package driver/kvstore) with what it
// costs in Vault requests; the tokenstore documentation has the contract,
// and the package documentation's # Cost table the figures measured.

// FindToken returns the record q selects under tokenstore.Lookup's rules:
// one read by ID, two by any other key (the index entry, then the record,
// which must still hold the key); a miss is one. It never writes.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	return s.engine.FindToken(ctx, q)
}

// FindTokenByID returns the record with the given ID: one read.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	return s.engine.FindTokenByID(ctx, id)
}

// SaveToken upserts *t (see tokenstore.Store). Updating a record whose
// lookup keys stay the same is three requests (two reads and one
// check-and-set write), two by ID; a save that changes nothing writes
// nothing. Each key the record gains adds a write and each it loses a read
// and a delete. On KV version 1 a create-only write reads first. A lost
// race retries (Options.MaxAttempts) and then fails with
// tokenstore.ErrConflict, having written no record.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	return s.engine.SaveToken(ctx, t)
}

// UpdateToken reads the record with the given ID, applies fn and writes the
// result with check-and-set (see tokenstore.Updater): one read and one
// write when the keys stay the same, no write when fn changes nothing.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	return s.engine.UpdateToken(ctx, id, fn)
}

// DeleteToken removes the record with the given ID, its index entries and
// every version of its data: a tombstone over the record, then a read and
// a destroy per index entry, then the record's versions destroyed.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.engine.DeleteToken(ctx, id)
}

// GetTokens returns every record of the prefix in ID order: one LIST, then
// one read per record, Options.ReadParallelism at a time. It never writes.
// An unreadable record is reported with an error wrapping
// tokenstore.ErrCorrupt beside the readable ones.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	return s.engine.GetTokens(ctx)
}

// DeleteTokens removes every record and index path of the prefix, each
// with all its versions: LISTs of the records and index directories, then
// one delete per path, Options.ReadParallelism at a time. It is for
// clearing a namespace, not for running alongside saves into it.
func (s *Store) DeleteTokens(ctx context.Context) error {
	return s.engine.DeleteTokens(ctx)
}
