package vault

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// GetTokens returns every record under the store's prefix, ordered by ID:
// one LIST of the records directory, then one read per record with at most
// Options.ReadParallelism in flight. Records deleted between the list and
// the read are left out. It makes no write.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	const op = "get tokens"
	if err := ctx.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	ids, err := s.kv.list(ctx, s.layout.recordsPath())
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	ids = filter(ids, isID)
	recs := make([]record, len(ids))
	err = s.forEach(ctx, len(ids), func(ctx context.Context, i int) error {
		var err error
		recs[i], err = s.readRecord(ctx, ids[i])
		return err
	})
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	out := make([]tokenstore.Token, 0, len(recs))
	for _, r := range recs {
		if r.state == recLive {
			out = append(out, r.tok)
		}
	}
	tokenstore.SortByID(out)
	return out, nil
}
