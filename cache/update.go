package cache

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// updater is a cache in front of a tokenstore.Updater, which New returns
// for one: a *Store with UpdateToken, so that the cache offers
// read-modify-write exactly when its backend does.
type updater struct {
	*Store
	upd tokenstore.Updater // Store.next, as an Updater
}

var (
	_ Cache              = updater{}
	_ tokenstore.Updater = updater{}
)

// UpdateToken reads, changes and writes one record through the backend's
// own UpdateToken (see tokenstore.Updater), then updates the cache as a
// save does: the record's old entry is dropped under all its keys and the
// stored result cached unless another write overlapped.
func (u updater) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (rec tokenstore.Record, err error) {
	s := u.Store
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
	return u.upd.UpdateToken(ctx, id, fn)
}
