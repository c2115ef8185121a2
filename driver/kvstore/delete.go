package kvstore

import (
	"context"
	"errors"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// DeleteToken removes the record with the given ID and the index entries
// naming it. It writes a tombstone over the record, naming its index
// entries (conditionally: a concurrent update makes it start over), drops
// the entries that still name the ID, then purges the record. From the
// tombstone on, the record reads as not found and a save of any of its keys
// makes a new record. If DeleteToken stops half-way, the next DeleteToken
// of the ID, or a save of that ID, finishes the job; DeleteToken then
// returns tokenstore.ErrNotFound, as for an ID that is not there at all.
func (e *Engine) DeleteToken(ctx context.Context, id string) error {
	const op = "delete"
	if err := tokenstore.ValidateID(id); err != nil {
		return e.wrap(ctx, op, err)
	}
	if err := ctx.Err(); err != nil {
		return e.wrap(ctx, op, err)
	}
	unlock, err := e.writeLock(ctx, "id/"+id)
	if err != nil {
		return e.wrap(ctx, op, err)
	}
	defer unlock()
	return e.wrap(ctx, op, e.withRetry(ctx, func() error { return e.tryDelete(ctx, id) }))
}

func (e *Engine) tryDelete(ctx context.Context, id string) error {
	r, err := e.readRecord(ctx, id)
	switch {
	case errors.Is(err, tokenstore.ErrCorrupt) && r.State == Corrupt:
		// Nothing to learn from it; its index entries dangle, which reads
		// as a miss, and the next claim of their keys takes them over.
		return e.b.PurgeRecord(ctx, id, r.Rev, false)
	case err != nil:
		return err
	case r.State == Absent:
		return tokenstore.ErrNotFound
	case r.State == Tomb:
		if err := e.finishDelete(ctx, id, r.Index, r.Rev); err != nil {
			return err
		}
		return tokenstore.ErrNotFound
	}
	index := e.indexOf(r.tok)
	if err := e.b.PutRecord(ctx, id, Rec{State: Tomb, Index: index}, r.Rev); err != nil {
		return retryOn(err)
	}
	return e.finishDelete(ctx, id, index, r.Rev)
}

// indexOf returns the names of the lasting index entries of t's keys.
func (e *Engine) indexOf(t tokenstore.Token) []string {
	var index []string
	for _, k := range driver.Keys(t) {
		if name, lasting := e.b.IndexName(k); k.Kind != tokenstore.KeyID && lasting {
			index = append(index, name)
		}
	}
	return index
}

// finishDelete drops the index entries that still name id, each only if
// unchanged since read (a save of the same user may already have pointed
// one at a new record), then purges the record, last read at rev.
func (e *Engine) finishDelete(ctx context.Context, id string, index []string, rev string) error {
	for _, name := range index {
		if err := e.dropEntry(ctx, name, id); err != nil && !errors.Is(err, errRetry) {
			return err
		}
	}
	return e.b.PurgeRecord(ctx, id, rev, false)
}

// DeleteTokens removes every record of the namespace, then whatever else
// the backend keeps for it (Backend.Sweep), with at most Parallelism calls
// in flight. It is meant for clearing a namespace, not to run alongside
// saves into it: records saved while it runs may survive it.
func (e *Engine) DeleteTokens(ctx context.Context) error {
	const op = "delete all"
	if err := ctx.Err(); err != nil {
		return e.wrap(ctx, op, err)
	}
	unlock, err := e.writeLock(ctx, "")
	if err != nil {
		return e.wrap(ctx, op, err)
	}
	defer unlock()
	ids, err := e.b.ListRecords(ctx)
	if err != nil {
		return e.wrap(ctx, op, err)
	}
	ids = validIDs(ids)
	if err := e.purgeAll(ctx, ids); err != nil {
		return e.wrap(ctx, op, err)
	}
	return e.wrap(ctx, op, e.b.Sweep(ctx, e.purge))
}

// purgeAll purges the records of ids with at most Parallelism calls in
// flight. With Options.MarkBeforePurge it reads them BatchSize at a time
// first, so that each costs its tombstone write and its purge only.
func (e *Engine) purgeAll(ctx context.Context, ids []string) error {
	if !e.o.MarkBeforePurge {
		return e.forEach(ctx, len(ids), func(ctx context.Context, i int) error { return e.purge(ctx, ids[i]) })
	}
	n := (len(ids) + e.o.BatchSize - 1) / e.o.BatchSize
	return e.forEach(ctx, n, func(ctx context.Context, b int) error {
		chunk := ids[b*e.o.BatchSize : min((b+1)*e.o.BatchSize, len(ids))]
		recs, err := e.b.GetRecords(ctx, chunk)
		if err != nil {
			return err
		}
		for i, r := range recs {
			if err := e.markAndPurge(ctx, chunk[i], r); err != nil {
				return err
			}
		}
		return nil
	})
}

// purge removes record id for DeleteTokens: with a tombstone first when
// Options.MarkBeforePurge says so, so that a purged record cannot come
// back if the backend's purge keeps it restorable.
func (e *Engine) purge(ctx context.Context, id string) error {
	if !e.o.MarkBeforePurge {
		return e.b.PurgeRecord(ctx, id, "", true)
	}
	r, err := e.b.GetRecord(ctx, id)
	if err != nil {
		return err
	}
	return e.markAndPurge(ctx, id, r)
}

// markAndPurge writes a tombstone over record id, read as r, and purges
// it, reading it again while concurrent writes move it on.
func (e *Engine) markAndPurge(ctx context.Context, id string, r Rec) error {
	first := true
	return e.Retry(ctx, e.o.MaxAttempts, func() error {
		if !first {
			var err error
			if r, err = e.b.GetRecord(ctx, id); err != nil {
				return err
			}
		}
		first = false
		switch r.State {
		case Absent:
			return nil
		case Live, Corrupt:
			if err := e.b.PutRecord(ctx, id, Rec{State: Tomb}, r.Rev); err != nil {
				return err
			}
		}
		return e.b.PurgeRecord(ctx, id, r.Rev, true)
	})
}
