package vault

import (
	"context"
	"errors"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// DeleteToken removes the record with the given ID and everything that
// points to it. The record goes with all its versions and metadata, so no
// token material stays in Vault's version history and the ID is free again.
//
// It first replaces the record with a tombstone naming its index entries
// (a check-and-set write: a concurrent update makes it start over), then
// destroys the entries that still name the ID, then removes the record's
// metadata. From the tombstone on, the record reads as not found and a
// SaveToken of any of its keys makes a new record. If DeleteToken stops
// half-way, the next DeleteToken of the ID finishes the job and returns
// tokenstore.ErrNotFound, as it does for an ID that is not there at all.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	const op = "delete"
	if err := tokenstore.ValidateID(id); err != nil {
		return wrap(ctx, op, err)
	}
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	unlock, err := s.writeLock(ctx, "id/"+id)
	if err != nil {
		return wrap(ctx, op, err)
	}
	defer unlock()
	return wrap(ctx, op, s.withRetry(ctx, func() error { return s.tryDelete(ctx, id) }))
}

func (s *Store) tryDelete(ctx context.Context, id string) error {
	r, err := s.readRecord(ctx, id)
	switch {
	case errors.Is(err, tokenstore.ErrCorrupt):
		// Nothing to learn from it; its index entries dangle, which reads
		// as a miss.
		return s.kv.remove(ctx, s.layout.recordPath(id))
	case err != nil:
		return err
	case r.state == recAbsent:
		return tokenstore.ErrNotFound
	case r.state == recTomb:
		if err := s.finishDelete(ctx, id, r.index); err != nil {
			return err
		}
		return tokenstore.ErrNotFound
	}
	var index []string
	for _, k := range driver.Keys(r.tok) {
		if k.Kind != tokenstore.KeyID {
			index = append(index, s.layout.indexRel(k))
		}
	}
	// put: a refused tombstone may be our own, resent after a lost answer;
	// then the delete goes on rather than reporting ErrNotFound.
	if err := s.put(ctx, s.layout.recordPath(id), tombstoneData(index), r.ver); err != nil {
		return retryOnCAS(err)
	}
	return s.finishDelete(ctx, id, index)
}

// finishDelete drops the index entries that still name id, then removes
// the record with all its versions. The entries are destroyed, not
// removed: a SaveToken of the same user may already have pointed one at a
// new record, and only destroying the version read is safe against that.
func (s *Store) finishDelete(ctx context.Context, id string, index []string) error {
	for _, rel := range index {
		if err := s.dropEntry(ctx, rel, id, true); err != nil {
			return err
		}
	}
	return s.kv.remove(ctx, s.layout.recordPath(id))
}

// DeleteTokens removes every record under the store's prefix, then every
// index entry, each with all its versions. It lists with LIST on the KV
// metadata and deletes with bounded parallelism (Options.ReadParallelism);
// names that this package could not have written are left alone, so a
// store whose prefix lies below this one's is not touched. Records saved
// while it runs may survive it.
func (s *Store) DeleteTokens(ctx context.Context) error {
	const op = "delete all"
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	unlock, err := s.writeLock(ctx, "")
	if err != nil {
		return wrap(ctx, op, err)
	}
	defer unlock()
	if err := s.removeListed(ctx, s.layout.recordsPath(), isID); err != nil {
		return wrap(ctx, op, err)
	}
	for _, k := range indexKinds {
		if err := s.removeListed(ctx, s.layout.indexKindPath(k.String()), isDigest); err != nil {
			return wrap(ctx, op, err)
		}
	}
	return nil
}

// removeListed removes each name in dir that ours accepts.
func (s *Store) removeListed(ctx context.Context, dir string, ours func(string) bool) error {
	names, err := s.kv.list(ctx, dir)
	if err != nil {
		return err
	}
	names = filter(names, ours)
	return s.forEach(ctx, len(names), func(ctx context.Context, i int) error {
		return s.kv.remove(ctx, dir+"/"+names[i])
	})
}

func isID(name string) bool { return tokenstore.ValidateID(name) == nil }

func filter(names []string, keep func(string) bool) []string {
	out := names[:0]
	for _, n := range names {
		if keep(n) {
			out = append(out, n)
		}
	}
	return out
}
