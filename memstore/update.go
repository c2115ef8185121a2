package memstore

import (
	"bytes"
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
		s.b.mu.Lock()
		read, ok := s.records(false)[id]
		s.b.mu.Unlock()
		if !ok {
			return tokenstore.Record{}, wrap("update", tokenstore.ErrNotFound)
		}
		cur, err := decode(read)
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		next, err := fn(tokenstore.Record{Token: cur.Token, Meta: cur.Meta.Clone()})
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		if next.Token.ID != id {
			return tokenstore.Record{}, wrap("update", fmt.Errorf("%w: the update changed the ID", tokenstore.ErrInvalidToken))
		}
		b, err := tokenstore.EncodeRecordMeta(next.Token, next.Meta)
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		if bytes.Equal(b, read) {
			return cur, nil
		}
		done, err := s.swap(id, read, b, next.Token)
		if err != nil {
			return tokenstore.Record{}, wrap("update", err)
		}
		if done {
			stored, err := decode(b)
			return stored, wrapIf("update", err)
		}
	}
	return tokenstore.Record{}, wrap("update", fmt.Errorf("%w after %d attempts", tokenstore.ErrConflict, maxUpdateAttempts))
}

// swap writes b as record id if the record still holds read, reporting
// whether it did. tok is b's token, checked for a user name another record
// has.
func (s *Store) swap(id string, read, b []byte, tok tokenstore.Token) (bool, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	recs := s.records(false)
	if now, ok := recs[id]; !ok || !bytes.Equal(now, read) {
		return false, nil
	}
	if err := s.checkUserName(tok); err != nil {
		return false, err
	}
	recs[id] = b
	s.writes.Add(1)
	return true, nil
}

func decode(b []byte) (tokenstore.Record, error) {
	t, m, err := tokenstore.DecodeRecordMeta(b)
	return tokenstore.Record{Token: t, Meta: m}, err
}

func wrapIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return wrap(op, err)
}
