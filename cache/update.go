package cache

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

var _ tokenstore.Updater = (*Store)(nil)

// UpdateToken reads, changes and writes one record through the backend's
// own UpdateToken (see tokenstore.Updater), then updates the cache as a
// save does: the record's old entry is dropped under all its keys and the
// stored result cached unless another write overlapped. A backend that is
// not a tokenstore.Updater gives an error wrapping errors.ErrUnsupported.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (rec tokenstore.Record, err error) {
	u, ok := s.next.(tokenstore.Updater)
	if !ok {
		return tokenstore.Record{}, fmt.Errorf("cache: update: the backend cannot read-modify-write: %w", errors.ErrUnsupported)
	}
	if err := ctx.Err(); err != nil {
		return tokenstore.Record{}, fmt.Errorf("cache: update: %w", err)
	}
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Record{}, fmt.Errorf("cache: update: %w", err)
	}
	in, at := tokenstore.Token{ID: id}, s.now()
	c := s.begin(true)
	defer func() {
		s.emitEvictions(s.finishSave(c, at, in, rec.Token, err))
		s.report(opUpdate, 0, err)
	}()
	return u.UpdateToken(ctx, id, fn)
}
