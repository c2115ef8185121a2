package kvstore

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// record is one read of a record name, decoded.
type record struct {
	Rec
	tok  tokenstore.Token // when Live
	meta tokenstore.Meta  // when Live
}

// decode turns what the backend read at id into a record. A body that
// does not decode, or names another ID, makes it Corrupt.
func decode(id string, r Rec) record {
	if r.State != Live {
		if r.State == Corrupt && r.Err == nil {
			r.Err = fmt.Errorf("%w: record %s", tokenstore.ErrCorrupt, id)
		}
		return record{Rec: r}
	}
	tok, meta, err := driver.DecodeRecordMeta(r.Body)
	switch {
	case err != nil:
		r.State, r.Err = Corrupt, fmt.Errorf("record %s: %w", id, err)
	case tok.ID != id:
		r.State, r.Err = Corrupt, fmt.Errorf("%w: record %s holds another ID", tokenstore.ErrCorrupt, id)
	}
	return record{Rec: r, tok: tok, meta: meta}
}

// readRecord reads record id. A record that does not decode is an error
// wrapping tokenstore.ErrCorrupt that names the ID, returned with the
// record (its revision), so that the caller can still delete it.
func (e *Engine) readRecord(ctx context.Context, id string) (record, error) {
	r, err := e.b.GetRecord(ctx, id)
	if err != nil {
		return record{}, err
	}
	rec := decode(id, r)
	if rec.State == Corrupt {
		return rec, rec.Err
	}
	return rec, nil
}

// live reports whether r is a record holding k.
func (r record) holds(k tokenstore.Key) bool { return r.State == Live && driver.Matches(k, r.tok) }
