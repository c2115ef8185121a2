package memstore

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

var _ tokenstore.Updater = (*Store)(nil)

// maxUpdateAttempts bounds how often UpdateToken calls fn again because
// another writer changed the record in between.
const maxUpdateAttempts = 100

// UpdateToken reads the record with the given ID, calls fn without holding
// any lock (fn may use the store), and writes fn's result if the record is
// still the one it read; see tokenstore.Updater.
func (s *Store) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Record{}, wrap("update", err)
	}
	for range maxUpdateAttempts {
		if err := ctx.Err(); err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		s.sh.mu.Lock()
		cur, ok := s.space(false).find(tokenstore.Key{Kind: tokenstore.KeyID, Value: id})
		s.sh.mu.Unlock()
		if !ok {
			return tokenstore.Record{}, wrap("update", tokenstore.ErrNotFound)
		}
		next, err := fn(tokenstore.Record{Token: cur.tok, Meta: cur.meta.Clone()})
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		if next.Token.ID != id {
			return tokenstore.Record{}, wrap("update", fmt.Errorf("%w: the update changed the ID", tokenstore.ErrInvalidToken))
		}
		if err := tokenstore.Validate(next.Token); err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		r, err := encode(next.Token, next.Meta)
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		if r.tok.Equal(cur.tok) && r.meta.Equal(cur.meta) {
			return tokenstore.Record{Token: cur.tok, Meta: cur.meta}, nil
		}
		done, err := s.swap(cur.ver, r)
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		if done {
			return tokenstore.Record{Token: r.tok, Meta: r.meta}, nil
		}
	}
	return tokenstore.Record{}, wrap("update", fmt.Errorf("%w after %d attempts", tokenstore.ErrConflict, maxUpdateAttempts))
}

// swap stores r if its record is still at version read, reporting whether
// it did; r's user name must belong to no other record.
func (s *Store) swap(read uint64, r record) (bool, error) {
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	sp := s.space(false)
	if now, ok := sp.find(tokenstore.Key{Kind: tokenstore.KeyID, Value: r.tok.ID}); !ok || now.ver != read {
		return false, nil
	}
	if err := s.checkUserName(sp, r.tok); err != nil {
		return false, err
	}
	sp.put(r)
	s.writes.Add(1)
	return true, nil
}
