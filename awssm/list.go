package awssm

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// GetTokens returns every record of the namespace, ordered by ID, in at
// most 1 + ceil(N/20) calls: one BatchGetSecretValue for the catalog and
// one per 20 records. Records that do not decode do not hide the others:
// GetTokens returns every readable record together with an error that
// wraps tokenstore.ErrCorrupt and names each unreadable ID.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap("list", err)
	}
	ids, err := s.catalogIDs(ctx)
	if err != nil {
		return nil, wrap("list", err)
	}
	out := make([]tokenstore.Token, 0, len(ids))
	bad, err := s.eachRecordBatch(ctx, ids, func(batch []record) bool {
		for _, r := range batch {
			out = append(out, r.tok)
		}
		return true
	})
	if err != nil {
		return nil, wrap("list", err)
	}
	driver.SortByID(out)
	return out, wrap("list", unreadableErr(bad))
}
