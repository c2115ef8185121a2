package awssm

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// GetTokens returns every record of the namespace, ordered by ID, in at
// most 1 + ceil(N/20) calls: one BatchGetSecretValue for the catalog and
// one per 20 records.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap("list", err)
	}
	ids, err := s.catalogIDs(ctx)
	if err != nil {
		return nil, wrap("list", err)
	}
	out := make([]tokenstore.Token, 0, len(ids))
	err = s.eachRecordBatch(ctx, ids, func(batch []record) bool {
		for _, r := range batch {
			out = append(out, r.tok)
		}
		return true
	})
	if err != nil {
		return nil, wrap("list", err)
	}
	tokenstore.SortByID(out)
	return out, nil
}
