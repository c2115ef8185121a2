package awssm

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

var _ tokenstore.Updater = (*Store)(nil)

// UpdateToken reads the record with the given ID, applies fn and writes the
// result with the compare-and-swap SaveToken's updates use: a
// PutSecretValue whose version ID derives from the version read, with the
// index entries of keys the record gains claimed first and those it loses
// released after. A lost race reads again and calls fn again, up to
// Options.MaxAttempts. One GetSecretValue and, when fn changed something,
// one PutSecretValue: the hourly refresh of an access token is 2 calls
// and 1 write. See tokenstore.Updater.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	if err := ctx.Err(); err != nil {
		return tokenstore.Record{}, wrap("update", err)
	}
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Record{}, wrap("update", err)
	}
	st := newSaveState(s.opts.Now())
	res, err := s.attempts(ctx, st, func() (tokenstore.Record, error) {
		r, ok, err := s.readRecord(ctx, id)
		switch {
		case err != nil:
			return tokenstore.Record{}, err
		case !ok:
			return tokenstore.Record{}, tokenstore.ErrNotFound
		}
		next, err := fn(tokenstore.Record{Token: r.tok, Meta: r.meta.Clone()})
		if err != nil {
			return tokenstore.Record{}, err
		}
		if next.Token.ID != id {
			return tokenstore.Record{}, fmt.Errorf("%w: the update changed the ID", tokenstore.ErrInvalidToken)
		}
		return s.update(ctx, st, r, next)
	})
	return res, wrap("update", err)
}
