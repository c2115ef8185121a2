package kvstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
)

// GetTokens returns every record of the namespace, ordered by ID: the list
// of IDs, then the records BatchSize at a time with at most Parallelism
// calls in flight. Records deleted between the list and the read are left
// out. It makes no write.
//
// A record that does not decode does not hide the others: GetTokens
// returns every readable record, in ID order, together with an error
// wrapping tokenstore.ErrCorrupt that names each unreadable ID. Any other
// error returns no records.
func (e *Engine) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	const op = "list"
	if err := ctx.Err(); err != nil {
		return nil, e.wrap(ctx, op, err)
	}
	ids, err := e.b.ListRecords(ctx)
	if err != nil {
		return nil, e.wrap(ctx, op, err)
	}
	ids = validIDs(ids)
	n := (len(ids) + e.o.BatchSize - 1) / e.o.BatchSize
	recs := make([]record, len(ids))
	err = e.forEach(ctx, n, func(ctx context.Context, b int) error {
		lo, hi := b*e.o.BatchSize, min((b+1)*e.o.BatchSize, len(ids))
		got, err := e.b.GetRecords(ctx, ids[lo:hi])
		for i, r := range got {
			recs[lo+i] = decode(ids[lo+i], r)
		}
		return err
	})
	if err != nil {
		return nil, e.wrap(ctx, op, err)
	}
	out := make([]tokenstore.Token, 0, len(recs))
	var bad []string
	for i, r := range recs {
		switch r.State {
		case Corrupt:
			bad = append(bad, ids[i])
		case Live:
			out = append(out, r.tok)
		}
	}
	if len(bad) > 0 {
		return out, e.wrap(ctx, op, fmt.Errorf("unreadable records %s: %w",
			strings.Join(bad, ", "), tokenstore.ErrCorrupt))
	}
	return out, nil
}
