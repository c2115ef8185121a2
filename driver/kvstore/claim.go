package kvstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// claimAll points the index entry of every key next has and old (the
// stored record's keys) lacks at next.ID, before the record is written, so
// that a record is never visible without its index. Keys come in
// driver.Keys order, user name first: a user name that belongs to
// another record fails the save before anything else is written. An insert
// keyed by a key without a lasting entry claims that key's entry too, to
// serialise such inserts. Keys the stored record holds are claimed again
// only where an earlier attempt of this call pointed them elsewhere.
func (sv *saver) claimAll(ctx context.Context, next tokenstore.Token, old []tokenstore.Key, known map[string]Entry) error {
	e := sv.e
	for _, k := range driver.Keys(next) {
		if k.Kind == tokenstore.KeyID {
			continue
		}
		name, lasting := e.b.IndexName(k)
		if slices.Contains(old, k) {
			// The stored record holds k: its entry names it, unless an
			// earlier attempt of this call pointed it at an insert that
			// never happened. Then point it back.
			if id, mine := sv.claimed[name]; !mine || id == next.ID {
				continue
			}
		}
		if !lasting && (!sv.hasKey || k != sv.key || old != nil) {
			continue
		}
		en := known[name]
		if en.Target == next.ID {
			continue
		}
		if err := sv.claim(ctx, k, name, next.ID, en.Rev); err != nil {
			return err
		}
		sv.claimed[name] = next.ID
	}
	return nil
}

// claim points the index entry name of k at id, if it is still at rev
// ("" when not read: create it). When it is not, the entry's current owner
// decides:
//
//   - the entry already names id: done (it may be this very write, resent
//     by the client after a lost answer and refused for its first copy);
//   - k is the lookup key: the entry moved since plan read it, so the
//     whole attempt starts over (and finds the new record, or completes
//     it);
//   - a live record holding k: for a user name, tokenstore.ErrDuplicate;
//     for a token, leave it (either record may answer the lookup);
//   - a record that does not exist: an insert in flight, or one that
//     stopped. Wait a few attempts, then retire that ID with a tombstone,
//     so that an insert in flight fails its create and retries into our
//     record instead of becoming a second record with the same key;
//   - otherwise (no entry, a tombstone, a stale or foreign entry): take
//     the entry over.
//
// Taking over is itself a conditional write; losing it starts the attempt
// over.
func (sv *saver) claim(ctx context.Context, k tokenstore.Key, name, id, rev string) error {
	e := sv.e
	err := e.b.PutEntry(ctx, name, id, rev)
	if !isStale(err) {
		return err
	}
	h, err := e.follow(ctx, k)
	_, lasting := e.b.IndexName(k)
	lookupKey := sv.hasKey && k == sv.key
	switch {
	case err != nil:
		return err
	case h.entry.Target == id:
		// Ours: an earlier attempt's claim, or the first copy of a write
		// the client resent after a lost answer. IDs are random per save,
		// so no other save claims for this one.
		return nil
	case lookupKey && (lasting || h.matches(k)):
		return errRetry
	case h.matches(k) && k.Kind == tokenstore.KeyUserName:
		return fmt.Errorf("%w: record %s has it", tokenstore.ErrDuplicate, h.entry.Target)
	case h.matches(k):
		return nil
	case h.valid && h.rec.State == Absent:
		// An insert keyed by k that has not written its record: wait for
		// it as plan does for a lasting entry; any other key's insert in
		// flight is retired at once and retries into our record.
		if lookupKey && !sv.stalled(h.name, h.entry.Rev) {
			return errRetry
		}
		if err := e.retire(ctx, h.entry.Target, h.rec.Rev); err != nil {
			return retryOn(err)
		}
	}
	return retryOn(e.b.PutEntry(ctx, name, id, h.entry.Rev))
}
