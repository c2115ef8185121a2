package awssm

import (
	"context"
	"errors"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// FindToken returns the record q selects under tokenstore.Lookup's rules:
// one call by ID, two by user name, grant or refresh token, and a scan of
// the namespace by access token (see the package documentation).
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, wrap("find", err)
	}
	return s.findKey(ctx, "find", k)
}

// FindTokenByID returns the record with the given ID in one call.
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
	r, ok, err := s.lookup(ctx, k)
	switch {
	case err != nil:
		return tokenstore.Token{}, wrap(op, err)
	case !ok:
		return tokenstore.Token{}, wrap(op, tokenstore.ErrNotFound)
	}
	return r.tok, nil
}

// lookup returns the record k selects. It only reads.
func (s *Store) lookup(ctx context.Context, k tokenstore.Key) (record, bool, error) {
	switch {
	case k.Kind == tokenstore.KeyID:
		return s.readRecord(ctx, k.Value)
	case !s.indexed(k.Kind):
		return s.scan(ctx, k)
	}
	return s.findIndexed(ctx, k)
}

// scan returns the record with the smallest ID that holds k, reading the
// catalog and then the records in batches in ID order, and stopping at the
// first batch with a match: at most 1 + ceil(N/20) calls for N records.
// Records that do not decode hold no key anyone can match, so scan passes
// over them; GetTokens reports them.
func (s *Store) scan(ctx context.Context, k tokenstore.Key) (record, bool, error) {
	ids, err := s.catalogIDs(ctx)
	if err != nil {
		return record{}, false, err
	}
	var found record
	ok := false
	_, err = s.eachRecordBatch(ctx, ids, func(batch []record) bool {
		for _, r := range batch {
			if driver.Matches(k, r.tok) {
				found, ok = r, true
				return false
			}
		}
		return true
	})
	return found, ok, err
}

// eachRecordBatch reads the records of ids (sorted) maxBatch at a time and
// passes each batch, in ID order and without missing, deleted or
// unreadable records, to f until f returns false. It returns the records
// that did not decode, each with its error, and the first error of a call.
func (s *Store) eachRecordBatch(ctx context.Context, ids []string, f func([]record) bool) ([]unreadable, error) {
	var bad []unreadable
	for start := 0; start < len(ids); start += maxBatch {
		chunk := ids[start:min(start+maxBatch, len(ids))]
		names := make([]string, len(chunk))
		for i, id := range chunk {
			names[i] = s.names.record(id)
		}
		got, err := s.batchGet(ctx, names)
		if err != nil {
			return bad, err
		}
		batch := make([]record, 0, len(chunk))
		for i, id := range chunk {
			sec, ok := got[names[i]]
			if !ok {
				continue
			}
			r, live, err := decodeRecord(sec, id)
			switch {
			case err != nil:
				bad = append(bad, unreadable{sec: sec, err: err})
			case live:
				batch = append(batch, r)
			}
		}
		if !f(batch) {
			return bad, nil
		}
	}
	return bad, nil
}

// unreadable is a record secret whose value does not decode.
type unreadable struct {
	sec secret
	err error // wraps tokenstore.ErrCorrupt and names the ID
}

// unreadableErr joins the errors of bad records, or is nil.
func unreadableErr(bad []unreadable) error {
	errs := make([]error, len(bad))
	for i, u := range bad {
		errs[i] = u.err
	}
	return errors.Join(errs...)
}
