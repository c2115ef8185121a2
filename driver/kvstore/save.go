package kvstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// SaveToken upserts *t (see tokenstore.Store). Updating a record found
// through an index entry, with the same lookup keys, is three calls (the
// entry, the record, the conditional write); two when found by ID. New or
// changed keys add a write per index entry. A lost race starts the attempt
// over after a jittered backoff; after MaxAttempts the error wraps
// tokenstore.ErrConflict.
func (e *Engine) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	const op = "save"
	if t == nil {
		return e.wrap(ctx, op, fmt.Errorf("%w: nil token", tokenstore.ErrInvalidToken))
	}
	if err := tokenstore.Validate(*t); err != nil {
		return e.wrap(ctx, op, err)
	}
	if err := sizeCheck(*t); err != nil {
		return e.wrap(ctx, op, err)
	}
	// Validate has vetted the ID, so a Lookup error means only that t has
	// no lookup key: then nothing can match and t is inserted.
	key, lerr := tokenstore.Lookup(*t)
	sv := e.newSaver(*t, key, lerr == nil, nil)
	out, err := sv.run(ctx)
	if err == nil {
		*t = out.Token
	}
	return e.wrap(ctx, op, err)
}

// UpdateToken reads the record with the given ID, applies fn and writes
// the result as SaveToken writes an update: entries of keys the record
// gains claimed first, the record written conditionally on the revision
// read, entries of keys it lost dropped after. A lost race reads again and
// calls fn again, up to MaxAttempts. Two calls when the keys stay the same
// (the read and the write); no write when fn changes nothing. See
// tokenstore.Updater.
func (e *Engine) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	const op = "update"
	if err := tokenstore.ValidateID(id); err != nil {
		return tokenstore.Record{}, e.wrap(ctx, op, err)
	}
	if fn == nil {
		return tokenstore.Record{}, e.wrap(ctx, op, fmt.Errorf("%w: nil update function", tokenstore.ErrInvalidToken))
	}
	sv := e.newSaver(tokenstore.Token{ID: id}, tokenstore.Key{Kind: tokenstore.KeyID, Value: id}, true, fn)
	out, err := sv.run(ctx)
	return out, e.wrap(ctx, op, err)
}

// sizeCheck refuses, before any call, a token too large to store even
// before it is merged with what is stored. It encodes the token only when
// driver.SizeBound cannot rule the limit out; a save encodes its record
// again anyway once merged.
func sizeCheck(t tokenstore.Token) error {
	if t.ID == "" {
		t.ID = strings.Repeat("0", 32) // as long as a NewID
	}
	if driver.SizeBound(t, nil) <= driver.MaxRecordSize {
		return nil
	}
	_, err := driver.EncodeRecord(t)
	return err
}

// saver is one SaveToken or UpdateToken call, across its attempts.
type saver struct {
	e       *Engine
	in      tokenstore.Token
	key     tokenstore.Key // the lookup key, when hasKey
	hasKey  bool
	newID   string            // the ID an insert uses, kept across attempts
	claimed map[string]string // index entries this call pointed at a record ID
	seen    map[string]int    // unfinished states seen, by name and revision
	// change, for UpdateToken, makes the record to write from the stored
	// one; SaveToken (nil) merges in and inserts when nothing matches.
	change func(tokenstore.Record) (tokenstore.Record, error)
}

func (e *Engine) newSaver(in tokenstore.Token, key tokenstore.Key, hasKey bool, change func(tokenstore.Record) (tokenstore.Record, error)) *saver {
	return &saver{e: e, in: in, key: key, hasKey: hasKey, change: change,
		claimed: map[string]string{}, seen: map[string]int{}}
}

func (sv *saver) run(ctx context.Context) (tokenstore.Record, error) {
	if err := ctx.Err(); err != nil {
		return tokenstore.Record{}, err
	}
	unlock, err := sv.e.writeLock(ctx, sv.lockName())
	if err != nil {
		return tokenstore.Record{}, err
	}
	defer unlock()
	var out tokenstore.Record
	err = sv.e.withRetry(ctx, func() error {
		r, err := sv.attempt(ctx)
		if err == nil {
			out = r
		}
		return err
	})
	return out, err
}

func (sv *saver) lockName() string {
	switch {
	case !sv.hasKey:
		return ""
	case sv.key.Kind == tokenstore.KeyID:
		return "id/" + sv.key.Value
	}
	name, _ := sv.e.b.IndexName(sv.key)
	return "index/" + name
}

// attempt makes one pass: find the record, merge, claim index entries for
// keys the record gains, write the record conditionally, and drop index
// entries for keys it lost. It returns what was stored, or errRetry when a
// concurrent writer changed something it relied on.
func (sv *saver) attempt(ctx context.Context) (tokenstore.Record, error) {
	e := sv.e
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
	if err := sv.claimAll(ctx, next, old, p.known); err != nil {
		return tokenstore.Record{}, err
	}
	if p.found {
		// A write that changes nothing writes nothing.
		if cur, err := driver.EncodeRecordMeta(p.stored, p.meta); err == nil && string(cur) == string(b) {
			sv.cleanup(ctx, next, old)
			return tokenstore.Record{Token: p.stored, Meta: p.meta}, nil
		}
	}
	if !p.found && sv.hasKey && sv.key.Kind != tokenstore.KeyID {
		if _, lasting := e.b.IndexName(sv.key); !lasting {
			// Holding the key's entry serialises inserts keyed by it; one
			// that finished before the claim is found by scanning again.
			if r, err := e.scan(ctx, sv.key); err != nil || r.State == Live {
				return tokenstore.Record{}, orRetry(err)
			}
		}
	}
	if err := e.b.PutRecord(ctx, next.ID, Rec{State: Live, Body: b}, p.rev); err != nil {
		if !p.found && next.ID == sv.newID {
			// Another save may have retired the ID this one meant to
			// insert at (see retire): insert at a fresh one if it must.
			sv.newID = ""
		}
		return tokenstore.Record{}, retryOn(err)
	}
	sv.cleanup(ctx, next, old)
	tok, m, err := driver.DecodeRecordMeta(b)
	return tokenstore.Record{Token: tok, Meta: m}, err
}

func orRetry(err error) error {
	if err == nil {
		return errRetry
	}
	return err
}

// next is the record an attempt writes given its plan: SaveToken's input
// merged into the stored record (which keeps its metadata) or inserted at
// the planned ID, or UpdateToken's change of the stored record.
func (sv *saver) next(p plan) (tokenstore.Token, tokenstore.Meta, error) {
	switch {
	case sv.change == nil && p.found:
		return tokenstore.Merge(p.stored, sv.in), p.meta, nil
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
	if err := tokenstore.Validate(r.Token); err != nil {
		return tokenstore.Token{}, nil, err
	}
	return r.Token, r.Meta, nil
}

// cleanup drops the index entries of keys the record no longer has (or
// that its backend keeps only during inserts), and those an earlier
// attempt of this call claimed for an ID it then gave up, if they still
// name that ID. It is best effort, under the caller's context: the record
// is stored, and an entry left behind only costs a miss until a write
// takes it over.
func (sv *saver) cleanup(ctx context.Context, next tokenstore.Token, old []tokenstore.Key) {
	e := sv.e
	keep := map[string]bool{}
	for _, k := range driver.Keys(next) {
		if name, lasting := e.b.IndexName(k); k.Kind != tokenstore.KeyID && lasting {
			keep[name] = true
		}
	}
	stale := map[string]string{}
	for name, id := range sv.claimed {
		if !keep[name] {
			stale[name] = id
		}
	}
	for _, k := range old {
		if name, lasting := e.b.IndexName(k); k.Kind != tokenstore.KeyID && lasting && !keep[name] {
			stale[name] = next.ID
		}
	}
	names := make([]string, 0, len(stale))
	for name := range stale {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if ctx.Err() != nil || e.dropEntry(ctx, name, stale[name]) != nil {
			return
		}
	}
}

// dropEntry drops the index entry name if it still names id.
func (e *Engine) dropEntry(ctx context.Context, name, id string) error {
	en, err := e.b.GetEntry(ctx, name)
	if err != nil || en.Target != id {
		return err
	}
	return retryOn(e.b.DropEntry(ctx, name, en.Rev))
}
