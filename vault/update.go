package vault

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

var _ tokenstore.Updater = (*Store)(nil)

// UpdateToken reads the record with the given ID, applies fn and writes the
// result as SaveToken writes an update: index entries of keys the record
// gains claimed first, the record written with check-and-set on the
// version read, entries of keys it lost dropped after. A lost race reads
// again and calls fn again, up to Options.MaxAttempts. Two requests when
// the keys stay the same (the read and the write); none written when fn
// changes nothing. On KV version 1 there is no check-and-set: UpdateToken
// is safe only within one process (see the package doc). See
// tokenstore.Updater.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	const op = "update"
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Record{}, wrap(ctx, op, err)
	}
	if err := ctx.Err(); err != nil {
		return tokenstore.Record{}, wrap(ctx, op, err)
	}
	sv := &saver{s: s, in: tokenstore.Token{ID: id}, key: tokenstore.Key{Kind: tokenstore.KeyID, Value: id},
		hasKey: true, claimed: map[string]string{}, seen: map[string]int{}, change: fn}
	unlock, err := s.writeLock(ctx, sv.lockName())
	if err != nil {
		return tokenstore.Record{}, wrap(ctx, op, err)
	}
	defer unlock()
	var out tokenstore.Record
	err = s.withRetry(ctx, func() error {
		r, err := sv.attempt(ctx)
		if err == nil {
			out = r
		}
		return err
	})
	return out, wrap(ctx, op, err)
}
