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

// SaveToken upserts *t (see tokenstore.Store). Updating a record found by
// user name, access, grant or refresh token whose lookup keys stay the same
// takes three requests (index entry, record, check-and-set write), two when
// found by ID; new or changed keys add index writes. On KV v2 every write is
// a check-and-set, so concurrent writers in any number of processes neither
// duplicate nor lose records; a lost race starts the attempt over after a
// jittered backoff, and after Options.MaxAttempts the error wraps
// tokenstore.ErrConflict.
func (s *Store) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	const op = "save"
	if t == nil {
		return wrap(ctx, op, fmt.Errorf("%w: nil token", tokenstore.ErrInvalidToken))
	}
	if err := tokenstore.Validate(*t); err != nil {
		return wrap(ctx, op, err)
	}
	key, lerr := tokenstore.Lookup(*t)
	sv := &saver{s: s, in: *t, key: key, hasKey: lerr == nil, claimed: map[string]string{}, seen: map[string]int{}}
	if err := sizeCheck(*t); err != nil {
		return wrap(ctx, op, err)
	}
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	unlock, err := s.writeLock(ctx, sv.lockName())
	if err != nil {
		return wrap(ctx, op, err)
	}
	defer unlock()

	err = s.withRetry(ctx, func() error {
		stored, err := sv.attempt(ctx)
		if err == nil {
			*t = stored.Token
		}
		return err
	})
	return wrap(ctx, op, err)
}

// sizeCheck refuses, before any request, a token too large to store even
// before it is merged with what is stored.
func sizeCheck(t tokenstore.Token) error {
	if t.ID == "" {
		t.ID = strings.Repeat("0", 32) // as long as a NewID
	}
	_, err := driver.EncodeRecord(t)
	return err
}

// saver is one SaveToken call, across its attempts.
type saver struct {
	s       *Store
	in      tokenstore.Token
	key     tokenstore.Key // the lookup key, when hasKey
	hasKey  bool
	newID   string            // the ID an insert uses, kept across attempts
	claimed map[string]string // index names this call pointed at a record ID
	seen    map[string]int    // unfinished states seen, by path and version
	// change, for UpdateToken, makes the record to write from the stored
	// one; SaveToken (nil) merges in and inserts when nothing matches.
	change func(tokenstore.Record) (tokenstore.Record, error)
}

func (sv *saver) lockName() string {
	switch {
	case !sv.hasKey:
		return ""
	case sv.key.Kind == tokenstore.KeyID:
		return "id/" + sv.key.Value
	}
	return sv.s.layout.indexRel(sv.key)
}

// attempt makes one pass: find the record, merge, claim index entries for
// keys the record gains, write the record with check-and-set, and remove
// index entries for keys it lost. It returns what was stored, or errRetry
// when a concurrent writer changed something it relied on.
func (sv *saver) attempt(ctx context.Context) (tokenstore.Record, error) {
	s := sv.s
	p, err := sv.plan(ctx)
	if err != nil {
		return tokenstore.Record{}, err
	}
	next, meta, err := sv.next(p)
	if err != nil {
		return tokenstore.Record{}, err
	}
	var old []tokenstore.Key
	if p.found {
		old = driver.Keys(p.stored)
	}
	b, err := driver.EncodeRecordMeta(next, meta)
	if err != nil {
		return tokenstore.Record{}, err
	}
	if sv.change != nil {
		// An update that changes nothing writes nothing.
		if cur, err := driver.EncodeRecordMeta(p.stored, p.meta); err == nil && string(cur) == string(b) {
			return tokenstore.Record{Token: p.stored, Meta: p.meta}, nil
		}
	}
	if err := sv.claimAll(ctx, next, old, p.known); err != nil {
		return tokenstore.Record{}, err
	}
	// put, not write: a refusal may be the client's resend of this very
	// write, whose first copy landed; merging again would apply it twice.
	if err := s.put(ctx, s.layout.recordPath(next.ID), recordData(b), p.ver); err != nil {
		if errors.Is(err, errCAS) && !p.found && next.ID == sv.newID {
			// Another save retired the ID this one meant to insert at
			// (see retire): insert at a fresh one if it still must.
			sv.newID = ""
		}
		return tokenstore.Record{}, retryOnCAS(err)
	}
	sv.cleanup(ctx, next, old)
	tok, m, err := driver.DecodeRecordMeta(b)
	return tokenstore.Record{Token: tok, Meta: m}, err
}

// next is the record an attempt writes given its plan: SaveToken's input
// merged into the stored record (which keeps its metadata) or inserted at
// the planned ID, or UpdateToken's change of the stored record.
func (sv *saver) next(p plan) (tokenstore.Token, tokenstore.Meta, error) {
	switch {
	case sv.change == nil && p.found:
		return driver.Merge(p.stored, sv.in), p.meta, nil
	case sv.change == nil:
		t := sv.in
		t.ID = p.id
		return t, nil, nil
	case !p.found:
		return tokenstore.Token{}, nil, tokenstore.ErrNotFound
	}
	r, err := sv.change(tokenstore.Record{Token: p.stored, Meta: p.meta.Clone()})
	if err != nil {
		return tokenstore.Token{}, nil, err
	}
	if r.Token.ID != p.stored.ID {
		return tokenstore.Token{}, nil, fmt.Errorf("%w: the update changed the ID", tokenstore.ErrInvalidToken)
	}
	return r.Token, r.Meta, nil
}

// cleanup drops the index entries of keys the record no longer has, and
// those an earlier attempt of this call claimed for an ID it then gave up,
// if they still name that ID. A user name's entry is destroyed, not
// removed, because another record may claim that name at any moment (see
// dropEntry); token values do not come back, so their entries go entirely.
// Cleanup is best effort: the record is already stored, and an entry left
// behind only costs a miss until a write replaces it.
func (sv *saver) cleanup(ctx context.Context, next tokenstore.Token, old []tokenstore.Key) {
	s := sv.s
	keep := map[string]bool{}
	for _, k := range driver.Keys(next) {
		if k.Kind != tokenstore.KeyID {
			keep[s.layout.indexRel(k)] = true
		}
	}
	stale := map[string]string{}
	for rel, id := range sv.claimed {
		if !keep[rel] {
			stale[rel] = id
		}
	}
	for _, k := range old {
		if rel := s.layout.indexRel(k); k.Kind != tokenstore.KeyID && !keep[rel] {
			stale[rel] = next.ID
		}
	}
	rels := make([]string, 0, len(stale))
	for rel := range stale {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	userDir := tokenstore.KeyUserName.String() + "/"
	for _, rel := range rels {
		if s.dropEntry(ctx, rel, stale[rel], strings.HasPrefix(rel, userDir)) != nil {
			return
		}
	}
}

// dropEntry drops the index entry named rel if it names id. With shell, it
// destroys the version it read, a conditional delete: if another writer
// has pointed the entry elsewhere since, its version survives. The path
// stays as an empty shell (metadata and destroyed versions, no data), which
// reads as absent and which the next claim of the key reuses. Without
// shell it removes the path's metadata, which is unconditional.
func (s *Store) dropEntry(ctx context.Context, rel, id string, shell bool) error {
	path, ok := s.layout.indexPath(rel)
	if !ok {
		return nil
	}
	e, err := s.readEntry(ctx, path)
	if err != nil || e.id != id {
		return err
	}
	if shell {
		return s.kv.destroy(ctx, path, e.ver)
	}
	return s.kv.remove(ctx, path)
}
