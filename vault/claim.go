package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// claimAll points the index entry of every key next has and old (the
// stored record's keys) lacks at next.ID, before the record is written, so
// that a record is never visible without its index. Keys come in
// driver.Keys order, user name first: a user name that belongs to
// another record fails the save before anything is written.
func (sv *saver) claimAll(ctx context.Context, next tokenstore.Token, old []tokenstore.Key, known map[string]entry) error {
	for _, k := range driver.Keys(next) {
		if k.Kind == tokenstore.KeyID || slices.Contains(old, k) {
			continue
		}
		rel := sv.s.layout.indexRel(k)
		path, _ := sv.s.layout.indexPath(rel)
		e := known[path]
		if e.id == next.ID {
			continue
		}
		if err := sv.claim(ctx, k, path, next.ID, e.ver); err != nil {
			return err
		}
		sv.claimed[rel] = next.ID
	}
	return nil
}

// claim writes the index entry for k at path to name id, if the entry is
// still at version cas (0: absent). When it is not, the entry's current
// owner decides:
//
//   - the entry already names id: done (it may be this very write, resent
//     by the client after a lost answer and refused for its first copy);
//   - k is the lookup key: the entry moved since plan read it, so the whole
//     attempt starts over (and finds the new record, or completes it);
//   - a live record answering to k: for a user name, tokenstore.ErrDuplicate;
//     for a token, leave it (either record may answer the lookup);
//   - a record that does not exist: an insert in flight, or one that
//     crashed. Retire that ID with a tombstone first, so that an insert in
//     flight fails its create and retries into our record instead of
//     becoming a second record with the same user name;
//   - otherwise (stale, tombstone, malformed): take the entry over.
//
// Taking over is itself a check-and-set; losing it starts the attempt over.
func (sv *saver) claim(ctx context.Context, k tokenstore.Key, path, id string, cas int) error {
	s := sv.s
	err := s.kv.write(ctx, path, entryData(id), cas)
	if !errors.Is(err, errCAS) {
		return err
	}
	h, err := s.follow(ctx, k)
	switch {
	case err != nil:
		return err
	case h.entry.id == id:
		// Ours: an earlier attempt's claim, or the first copy of a write
		// the client resent after a lost answer. IDs are random per save,
		// so no other save claims for this one.
		return nil
	case sv.hasKey && k == sv.key:
		return errRetry
	case h.matches(k) && k.Kind == tokenstore.KeyUserName:
		return fmt.Errorf("%w: record %s has it", tokenstore.ErrDuplicate, h.entry.id)
	case h.matches(k):
		return nil
	case h.valid && h.rec.state == recAbsent:
		if err := s.retire(ctx, h.entry.id, h.rec.ver); err != nil {
			return retryOnCAS(err)
		}
	}
	return retryOnCAS(s.kv.write(ctx, path, entryData(id), h.entry.ver))
}

func retryOnCAS(err error) error {
	if errors.Is(err, errCAS) {
		return errRetry
	}
	return err
}
