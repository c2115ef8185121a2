package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// GetTokens returns every record under the store's prefix, ordered by ID:
// one LIST of the records directory, then one read per record with at most
// Options.ReadParallelism in flight. Records deleted between the list and
// the read are left out. It makes no write.
//
// A record that does not decode does not hide the others: GetTokens
// returns every readable record, in ID order, together with an error
// wrapping tokenstore.ErrCorrupt that names each unreadable ID. Any other
// error returns no records.
func (s *Store) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	const op = "list"
	if err := ctx.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	ids, err := s.kv.list(ctx, s.layout.recordsPath())
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	ids = filter(ids, isID)
	recs := make([]record, len(ids))
	bad := make([]bool, len(ids))
	err = s.forEach(ctx, len(ids), func(ctx context.Context, i int) error {
		var err error
		recs[i], err = s.readRecord(ctx, ids[i])
		if errors.Is(err, tokenstore.ErrCorrupt) {
			bad[i], err = true, nil
		}
		return err
	})
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	out := make([]tokenstore.Token, 0, len(recs))
	var unreadable []string
	for i, r := range recs {
		switch {
		case bad[i]:
			unreadable = append(unreadable, ids[i])
		case r.state == recLive:
			out = append(out, r.tok)
		}
	}
	driver.SortByID(out)
	if len(unreadable) > 0 {
		slices.Sort(unreadable)
		return out, wrap(ctx, op, fmt.Errorf("unreadable records %s: %w",
			strings.Join(unreadable, ", "), tokenstore.ErrCorrupt))
	}
	return out, nil
}
