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
	if kind, value, clientID := ruleKey(&q); kind != 0 {
		e, err := s.hit(ctx, opFind, kind, value, clientID)
		switch {
		case e != nil && !e.neg:
			// Written out, not through a helper returning the answer:
			// the record is then copied straight into the result, not
			// into a zeroed temporary first.
			return e.tok, nil
		case e != nil:
			return tokenstore.Token{}, cachedNotFound(opFind)
		case err != nil:
			return tokenstore.Token{}, err
		}
	}
	// A miss, or no key: tokenstore.Lookup has the last word.
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("cache: find: %w", err)
	}
	return s.miss(ctx, opFind, k, q)
}

// ruleKey is the key tokenstore.Lookup picks for q, field by field, or
// kind 0 where Lookup fails; unlike Lookup it leaves the ID unchecked (no
// entry is ever cached under an invalid ID, see cacheable, and a miss
// calls Lookup). It exists for speed: calling Lookup, which takes the
// whole Token by value, cost a hit a third of its time. TestRuleKey holds
// it to Lookup.
func ruleKey(q *tokenstore.Token) (kind tokenstore.KeyKind, value, clientID string) {
	switch {
	case q.ID != "":
		return tokenstore.KeyID, q.ID, ""
	case q.UserName != "":
		return tokenstore.KeyUserName, q.UserName, ""
	case q.AccessToken != "" && q.ClientID == "" && q.ClientSecret == "":
		return tokenstore.KeyAccessToken, q.AccessToken, ""
	case q.ClientID == "" || q.ClientSecret == "":
		return 0, "", ""
	case q.GrantToken != "":
		return tokenstore.KeyGrantToken, q.GrantToken, q.ClientID
	case q.RefreshToken != "":
		return tokenstore.KeyRefreshToken, q.RefreshToken, q.ClientID
	}
	return 0, "", ""
}

// FindTokenByID returns the record with the given ID, as FindToken does.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	// No entry is ever cached under an invalid ID (see cacheable), so the
	// ID is checked only on a miss.
	e, err := s.hit(ctx, opFindByID, tokenstore.KeyID, id, "")
	switch {
	case e != nil && !e.neg:
		return e.tok, nil
	case e != nil:
		return tokenstore.Token{}, cachedNotFound(opFindByID)
	case err != nil:
		return tokenstore.Token{}, err
	}
	k := tokenstore.Key{Kind: tokenstore.KeyID, Value: id}
	return s.miss(ctx, opFindByID, k, tokenstore.Token{ID: id})
}

// hit is the hot path, which must not allocate: it returns the entry that
// answers the key (kind, value, clientID) now, counted and reported, or
// nil for a miss, or the context's error. The key goes field by field, in
// registers: copied as a struct from frame to frame it cost more than the
// rest of the lookup. The query and the record are not passed through it,
// to spare copying them.
func (s *Store) hit(ctx context.Context, op string, kind tokenstore.KeyKind, value, clientID string) (*entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cache: %s: %w", errOp(op), err)
	}
	e := s.idx.get(kind, value, clientID)
	if e == nil || s.mono() >= e.fresh {
		return nil, nil
	}
	if !e.visited.Load() {
		e.visited.Store(true)
	}
	s.counter().hits.Add(1)
	s.emit(Event{Kind: EventHit, Op: op, Key: kind})
	return e, nil
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
