package memstore

import (
	"context"
	"fmt"

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
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	r := s.space(false).lookup(k)
	if r == nil {
		return tokenstore.Token{}, wrap(op, tokenstore.ErrNotFound)
	}
	return r.tok, nil
}

// SaveToken upserts t; see tokenstore.Store.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	if err := ctx.Err(); err != nil {
		return wrap("save", err)
	}
	if t == nil {
		return wrap("save", fmt.Errorf("%w: nil token", tokenstore.ErrInvalidToken))
	}
	if err := tokenstore.Validate(*t); err != nil {
		return wrap("save", err)
	}
	// Validate has vetted the ID, so a Lookup error only means that t has
	// no lookup key: then there is nothing to match and t is inserted.
	k, keyErr := tokenstore.Lookup(*t)

	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	sp := s.space(true)
	rec, found := *t, false
	var meta tokenstore.Meta // a save keeps the record's metadata (tokenstore.Meta)
	if keyErr == nil {
		if r := sp.lookup(k); r != nil {
			rec, meta, found = tokenstore.Merge(r.tok, *t), r.meta, true
		}
	}
	if !found && rec.ID == "" {
		rec.ID = tokenstore.NewID()
	}
	if err := s.checkUserName(sp, rec); err != nil {
		return wrap("save", err)
	}
	r, err := encode(rec, meta)
	if err != nil {
		return wrap("save", err)
	}
	sp.put(r)
	s.writes.Add(1)
	*t = r.tok
	return nil
}

// checkUserName refuses rec when another record already has its user name.
// The caller holds s.sh.mu.
func (s *Store) checkUserName(sp *space, rec tokenstore.Token) error {
	if rec.UserName == "" {
		return nil
	}
	other := sp.lookup(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: rec.UserName})
	if other != nil && other.tok.ID != rec.ID {
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
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	if sp := s.space(false); sp == nil || !sp.remove(id) {
		return wrap("delete", tokenstore.ErrNotFound)
	}
	s.writes.Add(1)
	return nil
}

// GetTokens returns every record of the namespace, ordered by ID.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap("list", err)
	}
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	recs := s.space(false).sorted()
	out := make([]tokenstore.Token, len(recs))
	for i, r := range recs {
		out[i] = r.tok
	}
	return out, nil
}

// DeleteTokens removes every record of the namespace.
func (s *Store) DeleteTokens(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return wrap("delete all", err)
	}
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	if sp := s.space(false); sp != nil && len(sp.recs) > 0 {
		delete(s.sh.spaces, s.ns)
		s.writes.Add(1)
	}
	return nil
}
