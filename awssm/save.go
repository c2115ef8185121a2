package awssm

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
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
	// if the save fails before the record exists.
	listed string
	start  time.Time
}

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
	if _, err := tokenstore.EncodeRecord(probe); err != nil {
		return wrap("save", err)
	}
	// Validate has vetted the ID, so a Lookup error means only that t has
	// no lookup key: then nothing can match and t is inserted.
	k, keyErr := tokenstore.Lookup(*t)
	st := &saveState{claims: make(map[slot]indexEntry), start: s.opts.Now()}
	for attempt := 0; ; attempt++ {
		res, err := s.saveOnce(ctx, st, *t, k, keyErr == nil)
		if err == nil {
			s.dropClaims(ctx, st, res)
			*t = res
			return nil
		}
		retry, wait := retryable(err)
		if retry && attempt >= s.opts.MaxConflictRetries {
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
			return wrap("save", err)
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
			return s.update(ctx, st, r, t)
		}
	}
	return s.insert(ctx, st, t, k, hasKey)
}

// update merges t into the stored record r and writes the result with a
// compare-and-swap from the version read. Indexes of keys the record gains
// are claimed first; those of keys it loses are released after.
func (s *Store) update(ctx context.Context, st *saveState, r record, t tokenstore.Token) (tokenstore.Token, error) {
	merged := tokenstore.Merge(r.tok, t)
	body, err := tokenstore.EncodeRecord(merged)
	if err != nil {
		return tokenstore.Token{}, err
	}
	if string(body) == r.sec.value {
		return r.tok, nil
	}
	added, removed := diffKeys(s.indexedKeys(r.tok), s.indexedKeys(merged))
	for _, k := range added {
		_, owned, err := s.claim(ctx, st, k, merged.ID)
		if err != nil {
			return tokenstore.Token{}, err
		}
		if owned && k.Kind == tokenstore.KeyUserName {
			return tokenstore.Token{}, tokenstore.ErrDuplicate
		}
	}
	// Read the entries of lost keys before the write, so that their
	// release cannot undo a claim made after it.
	stale := make(map[slot]indexEntry)
	for _, k := range removed {
		sl := s.slotOf(k)
		e, ok, err := s.readSlot(ctx, sl)
		if err != nil {
			return tokenstore.Token{}, err
		}
		if ok && e.target == merged.ID {
			stale[sl] = e
		}
	}
	if _, err := s.put(ctx, r.sec, string(body)); err != nil {
		return tokenstore.Token{}, err
	}
	for sl, e := range stale {
		// Best effort: an entry left behind is a miss for readers and is
		// taken over by the next claim of its key.
		_ = s.releaseSlot(ctx, sl, e)
	}
	return tokenstore.DecodeRecord(body)
}

// dropClaims releases the index entries this save claimed that the stored
// record res does not use (all of them when the save failed). It runs even
// when ctx is done, briefly, so a cancelled save leaves no claims behind.
func (s *Store) dropClaims(ctx context.Context, st *saveState, res tokenstore.Token) {
	keep := make(map[slot]bool)
	if res.ID != "" {
		for _, k := range s.indexedKeys(res) {
			keep[s.slotOf(k)] = true
		}
	}
	drop := make(map[slot]indexEntry)
	for sl, e := range st.claims {
		if !keep[sl] || e.target != res.ID {
			drop[sl] = e
		}
	}
	if len(drop) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for sl, e := range drop {
		_ = s.releaseSlot(ctx, sl, e) // best effort, as in update
	}
}

// abandon undoes what a failed save wrote: its claims, and the catalog
// entry of an ID it generated whose record it did not create. (An ID the
// caller chose may be listed by a concurrent save of the same ID.)
func (s *Store) abandon(ctx context.Context, st *saveState) {
	s.dropClaims(ctx, st, tokenstore.Token{})
	if st.listed == "" || st.listed != st.newID {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, ok, err := s.readRecord(ctx, st.listed); err == nil && !ok {
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
