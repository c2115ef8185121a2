package awssm

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// shardRetries bounds the compare-and-swap attempts of one shard edit. A
// shard takes 1/20 of a namespace's inserts and deletes, so contention on
// it is rare outside bulk loads.
const shardRetries = 50

// shardWhat names the kinds of shard in errors.
var shardWhat = map[secretKind]string{kindCatalog: "catalog shard", kindGrants: "grant index shard"}

// editShard changes the shared secret name (a catalog or grants shard)
// with a compare-and-swap, retrying while other writers change it. edit
// gets the current value (exists false when there is no shard yet) and
// returns the new value and whether it differs; an error from edit ends
// the edit and is returned as is.
func (s *Store) editShard(ctx context.Context, name string, kind secretKind, edit func(cur string, exists bool) (string, bool, error)) error {
	attempt := 0
	err := s.engine.Retry(ctx, shardRetries, func() error {
		attempt++
		sec, ok, err := s.get(ctx, name)
		if err != nil {
			return err
		}
		if !ok && attempt > 3 {
			// Still refused after retries: the shard is scheduled for
			// deletion rather than on its way out (shards are deleted at
			// once, so only a hand-made deletion leaves one pending).
			// Restoring it is safe: catalog IDs without records and grant
			// entries without records are misses for readers.
			_ = s.restore(ctx, name)
		}
		v, changed, err := edit(sec.value, ok)
		if err != nil {
			return editError{err}
		}
		if !changed {
			return nil
		}
		if len(v) > maxValue {
			return editError{fmt.Errorf("%w: %s %s full; use another prefix", tokenstore.ErrTooLarge, shardWhat[kind], name[len(s.opts.Prefix):])}
		}
		if ok {
			_, err = s.put(ctx, sec, v)
		} else {
			_, err = s.create(ctx, name, v, kind)
		}
		return stale(err)
	})
	var ee editError
	if errors.As(err, &ee) {
		return ee.err
	}
	return err
}

// editError carries an error of an edit function through the retries
// unchanged; it does not unwrap, so that an edit's own ErrStale ends the
// edit instead of retrying it.
type editError struct{ err error }

func (e editError) Error() string { return e.err.Error() }
