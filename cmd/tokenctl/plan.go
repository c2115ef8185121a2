package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// pepperProbes is how many records newApplier looks up by their keys to
// tell whether the store's index answers to this pepper.
const pepperProbes = 3

// errPepper means the target holds records but none of those probed is
// found by its keys: the index was written with another pepper.
var errPepper = errors.New("records exist but none answers to this pepper")

// newApplier loads and indexes the target. An unreadable record
// (ErrCorrupt) is reported through warn and otherwise ignored: SaveToken
// still checks for it, so no duplicate can come of it.
//
// Unless opts.force, it refuses (errPepper) a target whose records do not
// answer to this pepper: every row would insert a second record beside its
// user's. In a dry run, the rows go to a memory store holding the target's
// records, so that each row is planned against the store plus the rows
// before it by the very code of the real run. With force over such a
// target the copy starts empty, as the real store finds the records by ID
// only.
func newApplier(ctx context.Context, store tokenstore.Store, opts applyOptions, warn func(string, ...any)) (*applier, error) {
	ts, err := store.GetTokens(ctx)
	if err != nil {
		if !errors.Is(err, tokenstore.ErrCorrupt) {
			return nil, err
		}
		warn("%v", err)
	}
	ap := &applier{store: store, opts: opts, byKey: make(map[tokenstore.Key]string),
		byID: make(map[string]tokenstore.Token), held: make(map[string]bool), newIDs: make(map[string]string)}
	for _, t := range ts {
		ap.put(t)
		ap.held[t.ID] = true
	}
	answers, err := answersToPepper(ctx, store, ts)
	if err != nil {
		return nil, err
	}
	if !answers && !opts.force {
		return nil, fmt.Errorf("%w: %d records, and none of the first %d is found by its user name or token", errPepper, len(ts), min(len(ts), pepperProbes))
	}
	if !answers {
		warn("%d records do not answer to this pepper (--force): rows for their users insert new records beside them", len(ts))
	}
	if !opts.dryRun {
		return ap, nil
	}
	sim := memstore.New(nil)
	if answers {
		for _, t := range ts {
			c := t
			if err := sim.SaveToken(ctx, &c); err != nil {
				warn("dry run: record %s left out of the plan: %v", t.ID, err)
			}
		}
	}
	ap.store = sim
	return ap, nil
}

// answersToPepper reports whether the store finds its own records by their
// keys: true when one of the first pepperProbes records with a key other
// than its ID is found by that key, or when no record has one.
func answersToPepper(ctx context.Context, store tokenstore.Store, ts []tokenstore.Token) (bool, error) {
	probed := 0
	for _, t := range ts {
		keys := driver.Keys(t)
		if len(keys) < 2 || keys[0].Kind != tokenstore.KeyID {
			continue
		}
		got, err := store.FindToken(ctx, driver.Query(keys[1]))
		switch {
		case err == nil && got.ID == t.ID:
			return true, nil
		case err != nil && !errors.Is(err, tokenstore.ErrNotFound):
			return false, err
		}
		if probed++; probed == pepperProbes {
			break
		}
	}
	return probed == 0, nil
}
