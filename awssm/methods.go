package awssm

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// Each method below is the engine's (package driver/kvstore) with what it
// costs on Secrets Manager; the tokenstore documentation has the contract.

// FindToken returns the record q selects under tokenstore.Lookup's rules.
// By ID it is one GetSecretValue; by user name, refresh token or grant
// token two (the index secret or grants shard, then the record, which must
// still hold the key); a miss there is one. By access token it scans: one
// BatchGetSecretValue of the catalog, then one per 20 records in ID order
// up to the first batch holding a match (at most 1 + ceil(N/20) for N
// records). It never writes.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	return s.engine.FindToken(ctx, q)
}

// FindTokenByID returns the record with the given ID: one GetSecretValue.
// A record pending deletion is tokenstore.ErrNotFound.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	return s.engine.FindTokenByID(ctx, id)
}

// SaveToken upserts *t (see tokenstore.Store). Updating a record whose
// lookup keys stay the same is three calls by user name, grant or refresh
// token and two by ID, one of them a PutSecretValue; a save that changes
// nothing writes nothing. An insert with every key is eight calls, five of
// them writes (the catalog shard, the record, two index secrets and a
// grants shard); a rotated refresh token creates one index secret and
// deletes one. A lost race retries (Options.MaxAttempts) and then fails
// with tokenstore.ErrConflict, having written no record.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	return s.engine.SaveToken(ctx, t)
}

// UpdateToken reads the record with the given ID, applies fn and writes the
// result by compare-and-swap (see tokenstore.Updater): one GetSecretValue
// and one PutSecretValue when the keys stay the same, no write when fn
// changes nothing.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	return s.engine.UpdateToken(ctx, id, fn)
}

// DeleteToken removes the record with the given ID and its index entries:
// a tombstone over the record, the entries dropped, then the record secret
// deleted, at once with Options.ForceDelete or after
// Options.RecoveryWindowDays, and its catalog entry removed. A record with
// every key takes about 14 calls, 8 of them writes.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.engine.DeleteToken(ctx, id)
}

// GetTokens returns every record of the namespace in ID order: the catalog
// in one BatchGetSecretValue, then the records 20 per call (1 + ceil(N/20)
// calls). It never writes. An unreadable record is reported with an error
// wrapping tokenstore.ErrCorrupt beside the readable ones.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	return s.engine.GetTokens(ctx)
}

// DeleteTokens deletes every secret of the namespace: the records the
// catalog lists (each marked with a tombstone first unless
// Options.ForceDelete), what a listing of the prefix finds besides, then
// the shards. It is for clearing a namespace, not for running alongside
// saves into it.
func (s *Store) DeleteTokens(ctx context.Context) error {
	return s.engine.DeleteTokens(ctx)
}
