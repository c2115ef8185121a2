package memstore

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// FindToken returns the record matching q under tokenstore.Lookup's rules.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, wrap("find", err)
	}
	return s.findKey(ctx, "find", k)
}

// FindTokenByID returns the record with the given ID.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Token{}, wrap("find by id", err)
	}
	return s.findKey(ctx, "find by id", tokenstore.Key{Kind: tokenstore.KeyID, Value: id})
}

func (s *Store) findKey(ctx context.Context, op string, k tokenstore.Key) (tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return tokenstore.Token{}, wrap(op, err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	t, ok, err := s.find(k)
	switch {
	case err != nil:
		return tokenstore.Token{}, wrap(op, err)
	case !ok:
		return tokenstore.Token{}, wrap(op, tokenstore.ErrNotFound)
	}
	return t, nil
}

// SaveToken upserts t; see tokenstore.Store.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	if err := ctx.Err(); err != nil {
		return wrap("save", err)
	}
	if err := tokenstore.Validate(*t); err != nil {
		return wrap("save", err)
	}
	// Validate has vetted the ID, so a Lookup error only means that t has
	// no lookup key: then there is nothing to match and t is inserted.
	k, keyErr := tokenstore.Lookup(*t)

	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	rec, found := *t, false
	if keyErr == nil {
		stored, ok, err := s.find(k)
		if err != nil {
			return wrap("save", err)
		}
		if ok {
			rec, found = tokenstore.Merge(stored, *t), true
		}
	}
	if !found && rec.ID == "" {
		rec.ID = tokenstore.NewID()
	}
	if err := s.checkUserName(rec); err != nil {
		return wrap("save", err)
	}
	// A save keeps the record's metadata (see tokenstore.Meta).
	var meta tokenstore.Meta
	if found {
		_, m, err := tokenstore.DecodeRecordMeta(s.records(false)[rec.ID])
		if err != nil {
			return wrap("save", err)
		}
		meta = m
	}
	b, err := tokenstore.EncodeRecordMeta(rec, meta)
	if err != nil {
		return wrap("save", err)
	}
	stored, err := tokenstore.DecodeRecord(b)
	if err != nil {
		return wrap("save", err)
	}
	s.records(true)[rec.ID] = b
	s.writes.Add(1)
	*t = stored
	return nil
}

// checkUserName refuses rec when another record already has its user name.
// The caller holds s.b.mu.
func (s *Store) checkUserName(rec tokenstore.Token) error {
	if rec.UserName == "" {
		return nil
	}
	other, ok, err := s.find(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: rec.UserName})
	if err != nil {
		return err
	}
	if ok && other.ID != rec.ID {
		return tokenstore.ErrDuplicate
	}
	return nil
}

// DeleteToken removes the record with the given ID.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return wrap("delete", err)
	}
	if err := tokenstore.ValidateID(id); err != nil {
		return wrap("delete", err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	recs := s.records(false)
	if _, ok := recs[id]; !ok {
		return wrap("delete", tokenstore.ErrNotFound)
	}
	delete(recs, id)
	s.writes.Add(1)
	return nil
}

// GetTokens returns every record of the namespace, ordered by ID.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap("list", err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	recs := s.records(false)
	out := make([]tokenstore.Token, 0, len(recs))
	for _, id := range sortedIDs(recs) {
		t, err := tokenstore.DecodeRecord(recs[id])
		if err != nil {
			return nil, wrap("list", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// DeleteTokens removes every record of the namespace.
func (s *Store) DeleteTokens(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return wrap("delete all", err)
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if len(s.records(false)) > 0 {
		delete(s.b.spaces, s.ns)
		s.writes.Add(1)
	}
	return nil
}
