package kvstore

import (
	"context"
	"slices"

	"github.com/tokenstore-go/tokenstore"
)

// FindTokenByID returns the record with the given ID: one read.
func (e *Engine) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	const op = "find by id"
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Token{}, e.wrap(ctx, op, err)
	}
	return e.find(ctx, op, tokenstore.Key{Kind: tokenstore.KeyID, Value: id})
}

// FindToken returns the record q selects under tokenstore.Lookup's rules:
// one read by ID; two through a lasting index entry (the entry, then the
// record, which must still hold the key); otherwise a scan.
func (e *Engine) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	const op = "find"
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, e.wrap(ctx, op, err)
	}
	return e.find(ctx, op, k)
}

func (e *Engine) find(ctx context.Context, op string, k tokenstore.Key) (tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return tokenstore.Token{}, e.wrap(ctx, op, err)
	}
	r, err := e.lookup(ctx, k)
	switch {
	case err != nil:
		return tokenstore.Token{}, e.wrap(ctx, op, err)
	case !r.holds(k):
		return tokenstore.Token{}, e.wrap(ctx, op, tokenstore.ErrNotFound)
	}
	return r.tok, nil
}

// lookup returns the record k selects, which holds k when it is Live. It
// only reads.
func (e *Engine) lookup(ctx context.Context, k tokenstore.Key) (record, error) {
	if k.Kind == tokenstore.KeyID {
		return e.readRecord(ctx, k.Value)
	}
	if _, lasting := e.b.IndexName(k); !lasting {
		return e.scan(ctx, k)
	}
	h, err := e.follow(ctx, k)
	return h.rec, err
}

// hit is what following one index entry found.
type hit struct {
	name  string // the entry's name
	entry Entry
	valid bool   // entry.Target is a well-formed ID, so rec was read
	rec   record // the record the entry points at, when valid
}

// matches reports whether the entry leads to a live record holding k.
func (h hit) matches(k tokenstore.Key) bool { return h.valid && h.rec.holds(k) }

// follow reads k's index entry and, if it names a record, that record.
func (e *Engine) follow(ctx context.Context, k tokenstore.Key) (hit, error) {
	name, _ := e.b.IndexName(k)
	h := hit{name: name}
	var err error
	if h.entry, err = e.b.GetEntry(ctx, name); err != nil || h.entry.Target == "" {
		return h, err
	}
	if tokenstore.ValidateID(h.entry.Target) != nil {
		return h, nil // not ours to follow; a save takes it over
	}
	h.valid = true
	h.rec, err = e.readRecord(ctx, h.entry.Target)
	return h, err
}

// scan returns the live record with the smallest ID that holds k, reading
// the listed records BatchSize at a time and stopping at the first batch
// with a match. Records that do not decode hold no key anyone can match,
// so scan passes over them; GetTokens reports them.
func (e *Engine) scan(ctx context.Context, k tokenstore.Key) (record, error) {
	ids, err := e.b.ListRecords(ctx)
	if err != nil {
		return record{}, err
	}
	ids = validIDs(ids)
	for start := 0; start < len(ids); start += e.o.BatchSize {
		chunk := ids[start:min(start+e.o.BatchSize, len(ids))]
		recs, err := e.b.GetRecords(ctx, chunk)
		if err != nil {
			return record{}, err
		}
		for i, r := range recs {
			if rec := decode(chunk[i], r); rec.holds(k) {
				return rec, nil
			}
		}
	}
	return record{}, nil
}

// validIDs returns the well-formed IDs of ids, sorted, without repeats.
func validIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if tokenstore.ValidateID(id) == nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
