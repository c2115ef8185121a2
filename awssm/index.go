package awssm

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// An index secret maps one lookup key to a record ID: {"id":"<ID>"}. The
// empty ID is a tombstone, written just before the secret is deleted. The
// nonce N makes every write unique (see put).
type indexValue struct {
	ID string `json:"id"`
	N  string `json:"n,omitempty"`
}

func encodeIndex(id string) string {
	b, _ := json.Marshal(indexValue{ID: id, N: nonce()}) // cannot fail: strings only
	return string(b)
}

// decodeIndex returns the record ID an index value points at, or "" for a
// tombstone or a value this package did not write.
func decodeIndex(v string) string {
	var iv indexValue
	if json.Unmarshal([]byte(v), &iv) != nil || tokenstore.ValidateID(iv.ID) != nil {
		return ""
	}
	return iv.ID
}

// A slot is where the index entry of one key lives: a secret of its own
// (user names, refresh tokens, and access tokens while an insert keyed by
// one is under way), or an entry of a grants shard (grant tokens, see
// grants.go). The claim protocol below works on both alike through
// readSlot, createSlot, putSlot and releaseSlot.
type slot struct {
	name string // the index secret, or the grants shard
	key  string // the entry in the shard; "" for an index secret
}

func (s *Store) slotOf(k tokenstore.Key) slot {
	if k.Kind == tokenstore.KeyGrantToken {
		d := driver.Digest(k, s.opts.Pepper)
		return slot{name: s.names.grants(shard(d, grantShards)), key: d[:grantKeyLen]}
	}
	return slot{name: s.names.index(k)}
}

func (sl slot) shared() bool { return sl.key != "" }

// indexEntry is an index entry as read or written: its version (for a
// grants entry, a secret value holding the entry's nonce as version and
// its write time as created) and target ID ("" for a tombstone).
type indexEntry struct {
	sec    secret
	target string
}

// readSlot reads the index entry of sl; ok is false when there is none.
func (s *Store) readSlot(ctx context.Context, sl slot) (indexEntry, bool, error) {
	if sl.shared() {
		return s.readGrant(ctx, sl)
	}
	sec, ok, err := s.get(ctx, sl.name)
	if err != nil || !ok {
		return indexEntry{}, false, err
	}
	return indexEntry{sec: sec, target: decodeIndex(sec.value)}, true, nil
}

// createSlot makes an entry at sl pointing at id, and returns errExists if
// there is one. CreateSecret refuses an existing name, and a shard changes
// only by compare-and-swap, so of concurrent creators exactly one wins.
func (s *Store) createSlot(ctx context.Context, sl slot, id string) (indexEntry, error) {
	if sl.shared() {
		return s.editGrant(ctx, sl, func(_ grantEntry, ok bool) (grantEntry, bool, error) {
			if ok {
				return grantEntry{}, false, errExists
			}
			return s.newGrantEntry(id), true, nil
		})
	}
	sec, err := s.create(ctx, sl.name, encodeIndex(id), kindIndex)
	return indexEntry{sec: sec, target: id}, err
}

// putSlot points the entry at sl, last read as base, at id (a tombstone
// for ""), if it has not changed since: errStale if it has, errGone if it
// was deleted.
func (s *Store) putSlot(ctx context.Context, sl slot, base indexEntry, id string) (indexEntry, error) {
	if sl.shared() {
		return s.editGrant(ctx, sl, func(cur grantEntry, ok bool) (grantEntry, bool, error) {
			switch {
			case !ok:
				return grantEntry{}, false, errGone
			case cur.N != base.sec.version:
				return grantEntry{}, false, errStale
			}
			return s.newGrantEntry(id), true, nil
		})
	}
	sec, err := s.put(ctx, base.sec, encodeIndex(id))
	return indexEntry{sec: sec, target: id}, err
}

// releaseSlot removes the entry at sl, read as e, unless another writer
// has changed it since, in which case it is theirs and is left alone. An
// index secret gets a tombstone by compare-and-swap first and is deleted
// after; claimers wait while the tombstone is fresh. A grants entry is
// removed from its shard in one compare-and-swap.
func (s *Store) releaseSlot(ctx context.Context, sl slot, e indexEntry) error {
	if sl.shared() {
		_, err := s.editGrant(ctx, sl, func(cur grantEntry, ok bool) (grantEntry, bool, error) {
			return cur, ok && cur.N != e.sec.version, nil
		})
		return err
	}
	_, err := s.put(ctx, e.sec, encodeIndex(""))
	if errors.Is(err, errStale) || errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.remove(ctx, e.sec.id(), true)
}

// findIndexed returns the record the index of k points at, if that record
// exists and still holds k. Anything else (no entry, a tombstone, a
// dangling or stale entry) is a miss: reads never repair.
func (s *Store) findIndexed(ctx context.Context, k tokenstore.Key) (record, bool, error) {
	e, ok, err := s.readSlot(ctx, s.slotOf(k))
	if err != nil || !ok || e.target == "" {
		return record{}, false, err
	}
	r, ok, err := s.readRecord(ctx, e.target)
	if err != nil || !ok || !driver.Matches(k, r.tok) {
		return record{}, false, err
	}
	return r, true, nil
}

// claim makes the index entry of k point at record id, for a save that is
// about to write a record holding k. The entry is created when missing (of
// concurrent claimers exactly one creates it). An existing entry is
//
//   - owned by another record when that record exists and holds k: claim
//     returns it with owned set and changes nothing;
//   - in progress when it points elsewhere, or is a tombstone, and it is
//     younger than Options.ClaimTimeout: another writer is between its
//     calls, so claim returns errBusy and the save retries;
//   - abandoned when it is older: claim takes it over with a
//     compare-and-swap, which only one writer can win;
//   - already ours (left by an earlier state of this record): claim writes
//     it again, so that a release of the old state cannot delete it.
//
// Every entry claim writes is remembered in st, to be released if the save
// does not end up using it.
func (s *Store) claim(ctx context.Context, st *saveState, k tokenstore.Key, id string) (owner record, owned bool, err error) {
	sl := s.slotOf(k)
	if e, ok := st.claims[sl]; ok {
		// Claimed by an earlier attempt of this save, perhaps for the
		// record it meant to insert before it found one to update.
		if e.target == id {
			return record{}, false, nil
		}
		e, err := s.putSlot(ctx, sl, e, id)
		if err == nil {
			st.claims[sl] = e
			return record{}, false, nil
		}
		if !errors.Is(err, errStale) && !errors.Is(err, errGone) {
			return record{}, false, err
		}
		delete(st.claims, sl) // taken over since: claim it afresh
	}
	e, err := s.createSlot(ctx, sl, id)
	if err == nil {
		st.claims[sl] = e
		return record{}, false, nil
	}
	if !errors.Is(err, errExists) {
		return record{}, false, err
	}
	e, ok, err := s.readSlot(ctx, sl)
	if err != nil {
		return record{}, false, err
	}
	if !ok {
		// Deleted, or its deletion is still under way: try again later.
		return record{}, false, errBusy
	}
	if e.target != "" && e.target != id {
		r, live, err := s.readRecord(ctx, e.target)
		if err != nil {
			return record{}, false, err
		}
		if live && driver.Matches(k, r.tok) {
			return r, true, nil
		}
	}
	if e.target != id && s.opts.Now().Sub(e.sec.created) < s.opts.ClaimTimeout {
		return record{}, false, errBusy
	}
	e, err = s.putSlot(ctx, sl, e, id)
	if errors.Is(err, errStale) || errors.Is(err, errGone) {
		return record{}, false, errBusy
	}
	if err != nil {
		return record{}, false, err
	}
	st.claims[sl] = e
	return record{}, false, nil
}

// indexed reports whether keys of kind get an index entry: user names,
// refresh tokens and grant tokens. Access tokens change every hour, so they
// get none and are found by scanning (see the package documentation); the
// ID names the record itself.
func (s *Store) indexed(kind tokenstore.KeyKind) bool {
	switch kind {
	case tokenstore.KeyUserName, tokenstore.KeyRefreshToken, tokenstore.KeyGrantToken:
		return true
	}
	return false
}

// indexedKeys returns the keys of t that get an index entry.
func (s *Store) indexedKeys(t tokenstore.Token) []tokenstore.Key {
	var out []tokenstore.Key
	for _, k := range driver.Keys(t) {
		if s.indexed(k.Kind) {
			out = append(out, k)
		}
	}
	return out
}
