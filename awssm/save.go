package awssm

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// saveState is what one SaveToken carries across its attempts.
type saveState struct {
	// claims holds the index entries this save wrote, each pointing at the
	// record it saves. Those the stored record does not need are released
	// when the save ends.
	claims map[slot]indexEntry
	// newID is the ID an insert uses, kept across attempts so that claims
	// made by an earlier attempt still point at the record.
	newID string
	// listed is the ID this save added to the catalog, to take out again
	// if the save fails before it ever tried to create the record.
	listed string
	// sent holds the IDs of records this save has sent a write for. Such
	// a write may have landed even when its call failed (a lost answer, a
	// deadline), so a failed save never releases a claim pointing at one
	// of them: the claim may be all that finds a live record.
	sent  map[string]bool
	start time.Time
}

// send records that a write of record id is about to leave.
func (st *saveState) send(id string) { st.sent[id] = true }

// SaveToken upserts t (see tokenstore.Store). Saving a record whose lookup
// keys do not change takes at most 4 calls, of which 1 is a write: the
// lookup (1 or 2 reads) and a compare-and-swap of the record (a read on
// retry, and a PutSecretValue). Saving a record unchanged writes nothing.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	if err := ctx.Err(); err != nil {
		return wrap("save", err)
	}
	if err := tokenstore.Validate(*t); err != nil {
		return wrap("save", err)
	}
	// Refuse an oversized record before any call. A merge can only make it
	// larger, and the merged record is checked again before it is written.
	probe := *t
	if probe.ID == "" {
		probe.ID = "0"
	}
	if _, err := driver.EncodeRecord(probe); err != nil {
		return wrap("save", err)
	}
	// Validate has vetted the ID, so a Lookup error means only that t has
	// no lookup key: then nothing can match and t is inserted.
	k, keyErr := tokenstore.Lookup(*t)
	st := newSaveState(s.opts.Now())
	res, err := s.attempts(ctx, st, func() (tokenstore.Record, error) {
		tok, err := s.saveOnce(ctx, st, *t, k, keyErr == nil)
		return tokenstore.Record{Token: tok}, err
	})
	if err != nil {
		return wrap("save", err)
	}
	*t = res.Token
	return nil
}

func newSaveState(now time.Time) *saveState {
	return &saveState{claims: make(map[slot]indexEntry), sent: make(map[string]bool), start: now}
}

// attempts runs once until it succeeds, fails for good, or has failed
// Options.MaxAttempts times, pausing between attempts as retryable says.
// On success it releases the claims the stored record does not use; on
// failure it abandons what the attempts wrote (see abandon).
func (s *Store) attempts(ctx context.Context, st *saveState, once func() (tokenstore.Record, error)) (tokenstore.Record, error) {
	for attempt := 0; ; attempt++ {
		res, err := once()
		if err == nil {
			s.dropClaims(ctx, st, res.Token)
			return res, nil
		}
		retry, wait := retryable(err)
		if retry && attempt+1 >= s.opts.MaxAttempts {
			err = fmt.Errorf("%w after %d attempts: %w", tokenstore.ErrConflict, attempt+1, err)
			retry = false
		}
		if retry && wait {
			if perr := s.pause(ctx, attempt); perr != nil {
				err, retry = perr, false
			}
		}
		if !retry {
			s.abandon(ctx, st)
			return tokenstore.Record{}, err
		}
	}
}

// saveOnce makes one attempt: look up, then update the match or insert.
func (s *Store) saveOnce(ctx context.Context, st *saveState, t tokenstore.Token, k tokenstore.Key, hasKey bool) (tokenstore.Token, error) {
	if hasKey {
		r, ok, err := s.lookup(ctx, k)
		if err != nil {
			return tokenstore.Token{}, err
		}
		if ok {
			res, err := s.update(ctx, st, r, tokenstore.Record{Token: driver.Merge(r.tok, t), Meta: r.meta})
			return res.Token, err
		}
	}
	return s.insert(ctx, st, t, k, hasKey)
}

// update replaces the stored record r with next (SaveToken's merge, or
// UpdateToken's function of r) by a compare-and-swap from the version read.
// Indexes of keys the record gains are claimed first; those of keys it
// loses are released after. A next that encodes as r does writes nothing.
func (s *Store) update(ctx context.Context, st *saveState, r record, next tokenstore.Record) (tokenstore.Record, error) {
	merged := next.Token
	body, err := driver.EncodeRecordMeta(merged, next.Meta)
	if err != nil {
		return tokenstore.Record{}, err
	}
	if cur, err := driver.EncodeRecordMeta(r.tok, r.meta); err == nil && string(cur) == string(body) {
		return tokenstore.Record{Token: r.tok, Meta: r.meta}, nil
	}
	value, err := stamped(body)
	if err != nil {
		return tokenstore.Record{}, err
	}
	added, removed := diffKeys(s.indexedKeys(r.tok), s.indexedKeys(merged))
	for _, k := range added {
		_, owned, err := s.claim(ctx, st, k, merged.ID)
		if err != nil {
			return tokenstore.Record{}, err
		}
		if owned && k.Kind == tokenstore.KeyUserName {
			return tokenstore.Record{}, tokenstore.ErrDuplicate
		}
	}
	// Read the entries of lost keys before the write, so that their
	// release cannot undo a claim made after it.
	stale := make(map[slot]indexEntry)
	for _, k := range removed {
		sl := s.slotOf(k)
		e, ok, err := s.readSlot(ctx, sl)
		if err != nil {
			return tokenstore.Record{}, err
		}
		if ok && e.target == merged.ID {
			stale[sl] = e
		}
	}
	st.send(merged.ID)
	if _, err := s.put(ctx, r.sec, value); err != nil {
		return tokenstore.Record{}, err
	}
	for sl, e := range stale {
		// Best effort: an entry left behind is a miss for readers and is
		// taken over by the next claim of its key.
		_ = s.releaseSlot(ctx, sl, e)
	}
	tok, meta, err := driver.DecodeRecordMeta(body)
	return tokenstore.Record{Token: tok, Meta: meta}, err
}

// dropClaims releases the index entries this save claimed that the stored
// record res does not use. It runs under the caller's context and makes
// no call once that is done: what it cannot release is left for the next
// claim of the key to take over, as after a crash.
func (s *Store) dropClaims(ctx context.Context, st *saveState, res tokenstore.Token) {
	keep := make(map[slot]bool)
	for _, k := range s.indexedKeys(res) {
		keep[s.slotOf(k)] = true
	}
	for sl, e := range st.claims {
		if ctx.Err() != nil {
			return
		}
		if !keep[sl] || e.target != res.ID {
			_ = s.releaseSlot(ctx, sl, e) // best effort, as in update
		}
	}
}

// abandon undoes what a failed save wrote, as far as that is certain to be
// safe and the caller's context allows: the claims pointing at records it
// never sent a write for, and the catalog entry of an ID it generated but
// never tried to create. A claim pointing at a record whose write may have
// landed stays, so that a retry of the save finds that record instead of
// inserting a second one; if the record does not exist, the claim is a
// dangling entry, which readers skip and the next claim takes over.
func (s *Store) abandon(ctx context.Context, st *saveState) {
	for sl, e := range st.claims {
		if ctx.Err() != nil {
			return
		}
		if !st.sent[e.target] {
			_ = s.releaseSlot(ctx, sl, e) // best effort: readers skip it anyway
		}
	}
	if st.listed != "" && st.listed == st.newID && !st.sent[st.listed] && ctx.Err() == nil {
		_ = s.catalogRemove(ctx, st.listed) // best effort: readers skip it anyway
	}
}

// claimOrder puts the lookup key first, then the user name (whose claim
// can refuse the save with ErrDuplicate before anything else is written),
// then the rest.
func claimOrder(keys []tokenstore.Key, k tokenstore.Key, hasKey bool) []tokenstore.Key {
	out := make([]tokenstore.Key, 0, len(keys))
	rank := func(key tokenstore.Key) int {
		switch {
		case hasKey && key == k:
			return 0
		case key.Kind == tokenstore.KeyUserName:
			return 1
		}
		return 2
	}
	for r := range 3 {
		for _, key := range keys {
			if rank(key) == r {
				out = append(out, key)
			}
		}
	}
	return out
}

// diffKeys returns the keys in b but not a, and those in a but not b.
func diffKeys(a, b []tokenstore.Key) (added, removed []tokenstore.Key) {
	in := func(k tokenstore.Key, set []tokenstore.Key) bool {
		for _, x := range set {
			if x == k {
				return true
			}
		}
		return false
	}
	for _, k := range b {
		if !in(k, a) {
			added = append(added, k)
		}
	}
	for _, k := range a {
		if !in(k, b) {
			removed = append(removed, k)
		}
	}
	return added, removed
}
