package cache

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// FindToken returns the record matching q under the lookup rules: from
// memory when it holds a fresh one, else from the backend, in one backend
// call however many callers miss on the same key at once.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	var k tokenstore.Key
	if q.ID != "" {
		// Rule 0, whose ID, as in FindTokenByID, is checked only on a miss.
		k = tokenstore.Key{Kind: tokenstore.KeyID, Value: q.ID}
	} else {
		var err error
		if k, err = tokenstore.Lookup(q); err != nil {
			return tokenstore.Token{}, fmt.Errorf("cache: find: %w", err)
		}
	}
	e, err := s.hit(ctx, opFind, &k)
	switch {
	case e != nil:
		return e.answer(opFind)
	case err != nil:
		return tokenstore.Token{}, err
	}
	return s.miss(ctx, opFind, k, q)
}

// FindTokenByID returns the record with the given ID, as FindToken does.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	// No entry is ever cached under an invalid ID (see cacheable), so the
	// ID is checked only on a miss.
	k := tokenstore.Key{Kind: tokenstore.KeyID, Value: id}
	e, err := s.hit(ctx, opFindByID, &k)
	switch {
	case e != nil:
		return e.answer(opFindByID)
	case err != nil:
		return tokenstore.Token{}, err
	}
	return s.miss(ctx, opFindByID, k, tokenstore.Token{ID: id})
}

// hit is the hot path, which must not allocate: it returns the entry that
// answers k now, counted and reported, or nil for a miss, or
// the context's error. The query and the record are not passed through it,
// to spare copying them.
func (s *Store) hit(ctx context.Context, op string, k *tokenstore.Key) (*entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cache: %s: %w", errOp(op), err)
	}
	e := s.get(k)
	if e == nil || s.mono() >= e.fresh {
		return nil, nil
	}
	if !e.visited.Load() {
		e.visited.Store(true)
	}
	s.counter().hits.Add(1)
	s.emit(Event{Kind: EventHit, Op: op, Key: k.Kind})
	return e, nil
}

// answer returns what e says to a find.
func (e *entry) answer(op string) (tokenstore.Token, error) {
	if e.neg {
		return tokenstore.Token{}, cachedNotFound(op)
	}
	return e.tok, nil
}

// miss counts and reports a miss and loads k.
func (s *Store) miss(ctx context.Context, op string, k tokenstore.Key, q tokenstore.Token) (tokenstore.Token, error) {
	if k.Kind == tokenstore.KeyID {
		if err := tokenstore.ValidateID(k.Value); err != nil {
			return tokenstore.Token{}, fmt.Errorf("cache: %s: %w", errOp(op), err)
		}
	}
	s.counter().misses.Add(1)
	s.emit(Event{Kind: EventMiss, Op: op, Key: k.Kind})
	return s.load(ctx, op, k, q)
}
