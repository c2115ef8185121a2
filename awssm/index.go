package awssm

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/tokenstore-go/tokenstore"
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

// indexEntry is an index secret as read: its version and target ID.
type indexEntry struct {
	sec    secret
	target string
}

// readIndex reads the index secret of k; ok is false when there is none.
func (s *Store) readIndex(ctx context.Context, k tokenstore.Key) (indexEntry, bool, error) {
	sec, ok, err := s.get(ctx, s.names.index(k))
	if err != nil || !ok {
		return indexEntry{}, false, err
	}
	return indexEntry{sec: sec, target: decodeIndex(sec.value)}, true, nil
}

// findIndexed returns the record the index of k points at, if that record
// exists and still holds k. Anything else (no index, a tombstone, a
// dangling or stale entry) is a miss: reads never repair.
func (s *Store) findIndexed(ctx context.Context, k tokenstore.Key) (record, bool, error) {
	e, ok, err := s.readIndex(ctx, k)
	if err != nil || !ok || e.target == "" {
		return record{}, false, err
	}
	r, ok, err := s.readRecord(ctx, e.target)
	if err != nil || !ok || !k.Matches(r.tok) {
		return record{}, false, err
	}
	return r, true, nil
}

// claim makes the index of k point at record id, for a save that is about
// to write a record holding k. The index secret is created when missing
// (CreateSecret refuses an existing name, so of concurrent claimers exactly
// one wins). An existing entry is
//
//   - owned by another record when that record exists and holds k: claim
//     returns it with owned set and changes nothing;
//   - in progress when it points elsewhere, or is a tombstone, and its
//     version is younger than Options.ClaimTimeout: another writer is
//     between its calls, so claim returns errBusy and the save retries;
//   - abandoned when it is older: claim takes it over with a
//     compare-and-swap, which only one writer can win;
//   - already ours (left by an earlier state of this record): claim writes
//     it again, so that a release of the old state cannot delete it.
//
// Every version claim writes is remembered in st, to be released if the
// save does not end up using it.
func (s *Store) claim(ctx context.Context, st *saveState, k tokenstore.Key, id string) (owner record, owned bool, err error) {
	name := s.names.index(k)
	if sec, ok := st.claims[name]; ok {
		// Claimed by an earlier attempt of this save, perhaps for the
		// record it meant to insert before it found one to update.
		if decodeIndex(sec.value) == id {
			return record{}, false, nil
		}
		sec, err := s.put(ctx, sec, encodeIndex(id))
		if err == nil {
			st.claims[name] = sec
			return record{}, false, nil
		}
		if !errors.Is(err, errStale) && !errors.Is(err, errGone) {
			return record{}, false, err
		}
		delete(st.claims, name) // taken over since: claim it afresh
	}
	sec, err := s.create(ctx, name, encodeIndex(id), kindIndex)
	if err == nil {
		st.claims[name] = sec
		return record{}, false, nil
	}
	if !errors.Is(err, errExists) {
		return record{}, false, err
	}
	e, ok, err := s.readIndex(ctx, k)
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
		if live && k.Matches(r.tok) {
			return r, true, nil
		}
	}
	if e.target != id && s.opts.Now().Sub(e.sec.created) < s.opts.ClaimTimeout {
		return record{}, false, errBusy
	}
	sec, err = s.put(ctx, e.sec, encodeIndex(id))
	if errors.Is(err, errStale) || errors.Is(err, errGone) {
		return record{}, false, errBusy
	}
	if err != nil {
		return record{}, false, err
	}
	st.claims[name] = sec
	return record{}, false, nil
}

// release removes an index entry that pointed at a record which no longer
// holds its key. sec is the version read before the record changed: the
// tombstone is written with a compare-and-swap from it, so an entry that
// another writer has claimed since is left alone. Only then is the secret
// deleted; claimers wait while the tombstone is fresh.
func (s *Store) release(ctx context.Context, sec secret) error {
	_, err := s.put(ctx, sec, encodeIndex(""))
	if errors.Is(err, errStale) || errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.remove(ctx, sec.id(), true)
}

// indexed reports whether keys of kind get an index secret: user names,
// refresh tokens and (unless Options.ScanGrantTokens) grant tokens. Access
// tokens change every hour, so they get none and are found by scanning (see
// the package documentation); the ID names the record itself.
func (s *Store) indexed(kind tokenstore.KeyKind) bool {
	switch kind {
	case tokenstore.KeyUserName, tokenstore.KeyRefreshToken:
		return true
	case tokenstore.KeyGrantToken:
		return !s.opts.ScanGrantTokens
	}
	return false
}

// indexedKeys returns the keys of t that get an index secret.
func (s *Store) indexedKeys(t tokenstore.Token) []tokenstore.Key {
	var out []tokenstore.Key
	for _, k := range tokenstore.Keys(t) {
		if s.indexed(k.Kind) {
			out = append(out, k)
		}
	}
	return out
}
