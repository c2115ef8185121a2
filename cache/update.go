package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tokenstore-go/tokenstore"
)

var _ tokenstore.Updater = (*Store)(nil)

// UpdateToken reads, changes and writes one record through the backend's
// own UpdateToken (see tokenstore.Updater), then updates the cache as a
// save does: the record's old entry is dropped under all its keys and the
// stored result cached unless another write overlapped.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (rec tokenstore.Record, err error) {
	if s.upd == nil { // New gives a *Store only over an Updater; see plain
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
	return s.upd.UpdateToken(ctx, id, fn)
}

// plain is the cache New returns over a store that is not a
// tokenstore.Updater: a *Store without UpdateToken, so that the cache
// offers read-modify-write exactly when its backend does. It forwards each
// method, since embedding the *Store would bring UpdateToken along. Over
// an Updater, New returns the *Store itself, so the usual path pays no
// forwarding call.
type plain struct{ s *Store }

var _ Cache = plain{}

func (p plain) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	return p.s.FindToken(ctx, q)
}

func (p plain) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	return p.s.FindTokenByID(ctx, id)
}

func (p plain) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	return p.s.SaveToken(ctx, t)
}

func (p plain) DeleteToken(ctx context.Context, id string) error { return p.s.DeleteToken(ctx, id) }

func (p plain) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	return p.s.GetTokens(ctx)
}

func (p plain) DeleteTokens(ctx context.Context) error { return p.s.DeleteTokens(ctx) }

func (p plain) Stats() Stats { return p.s.Stats() }

func (p plain) Format(f fmt.State, verb rune) { p.s.Format(f, verb) }

func (p plain) LogValue() slog.Value { return p.s.LogValue() }
