package vault

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// FindTokenByID returns the record with the given ID in one request, or
// tokenstore.ErrNotFound. A malformed ID is tokenstore.ErrInvalidToken and
// makes no request.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	const op = "find by id"
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Token{}, wrap(ctx, op, err)
	}
	if err := ctx.Err(); err != nil {
		return tokenstore.Token{}, wrap(ctx, op, err)
	}
	r, err := s.readRecord(ctx, id)
	if err != nil {
		return tokenstore.Token{}, wrap(ctx, op, err)
	}
	if r.state != recLive {
		return tokenstore.Token{}, wrap(ctx, op, tokenstore.ErrNotFound)
	}
	return r.tok, nil
}

// FindToken returns the record matching q under the lookup rules: one
// request by ID, two otherwise (the index entry, then the record it points
// to). An index entry whose record is gone or no longer matches is a miss;
// FindToken never writes, so the next SaveToken of that key repairs it.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	const op = "find"
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, wrap(ctx, op, err)
	}
	if k.Kind == tokenstore.KeyID {
		return s.FindTokenByID(ctx, k.Value)
	}
	if err := ctx.Err(); err != nil {
		return tokenstore.Token{}, wrap(ctx, op, err)
	}
	h, err := s.follow(ctx, k)
	if err != nil {
		return tokenstore.Token{}, wrap(ctx, op, err)
	}
	if !h.matches(k) {
		return tokenstore.Token{}, wrap(ctx, op, tokenstore.ErrNotFound)
	}
	return h.rec.tok, nil
}

// hit is what following one index entry found.
type hit struct {
	path  string // the entry's path
	entry entry  // the entry; id "" when there is none
	valid bool   // entry.id is a well-formed ID, so rec was read
	rec   record // the record the entry points to, when valid
}

// matches reports whether the entry leads to a live record answering to k.
func (h hit) matches(k tokenstore.Key) bool {
	return h.valid && h.rec.state == recLive && driver.Matches(k, h.rec.tok)
}

// follow reads k's index entry and, if it names a record, that record.
func (s *Store) follow(ctx context.Context, k tokenstore.Key) (hit, error) {
	path, _ := s.layout.indexPath(s.layout.indexRel(k))
	h := hit{path: path}
	var err error
	if h.entry, err = s.readEntry(ctx, path); err != nil || h.entry.id == "" {
		return h, err
	}
	if tokenstore.ValidateID(h.entry.id) != nil {
		return h, nil // not ours to follow; SaveToken replaces it
	}
	h.valid = true
	h.rec, err = s.readRecord(ctx, h.entry.id)
	return h, err
}
