package kvstore

import (
	"context"

	"github.com/tokenstore-go/tokenstore"
)

// plan is what an attempt found before writing.
type plan struct {
	found  bool             // stored is the live record the key selects
	stored tokenstore.Token // when found
	meta   tokenstore.Meta  // when found
	id     string           // the record to write
	rev    string           // the record's revision, for its conditional write
	known  map[string]Entry // index entries read while planning, by name
}

// plan finds the record the lookup key selects, or picks the ID to insert
// at: the key's own ID, or a new one. It returns errRetry while another
// writer's insert or delete is under way.
func (sv *saver) plan(ctx context.Context) (plan, error) {
	if sv.newID == "" {
		sv.newID = tokenstore.NewID()
	}
	switch {
	case !sv.hasKey:
		return plan{id: sv.newID}, nil
	case sv.key.Kind == tokenstore.KeyID:
		return sv.planByID(ctx, sv.key.Value)
	}
	e := sv.e
	if _, lasting := e.b.IndexName(sv.key); !lasting {
		r, err := e.scan(ctx, sv.key)
		if err != nil || r.State != Live {
			return plan{id: sv.newID}, err
		}
		return plan{found: true, stored: r.tok, meta: r.meta, id: r.tok.ID, rev: r.Rev}, nil
	}
	h, err := e.follow(ctx, sv.key)
	if err != nil {
		return plan{}, err
	}
	p := plan{id: sv.newID, known: map[string]Entry{h.name: h.entry}}
	switch {
	case h.matches(sv.key):
		p.found, p.stored, p.meta, p.id, p.rev = true, h.rec.tok, h.rec.meta, h.entry.Target, h.rec.Rev
	case h.valid && h.rec.State == Absent && h.entry.Target == sv.newID:
		// Our own claim, from an earlier attempt or from a write whose
		// answer was lost: the record is ours to write, not an insert by
		// someone else to wait for and retire.
		p.rev = h.rec.Rev
	case h.valid && h.rec.State == Absent:
		// Another writer claimed the key for a record it has not written
		// yet. Wait for it; if it never comes, retire its ID so that it
		// can never be written, then take the entry over (claim, with the
		// entry's revision from known).
		if !sv.stalled(h.name, h.entry.Rev) {
			return plan{}, errRetry
		}
		if err := e.retire(ctx, h.entry.Target, h.rec.Rev); err != nil {
			return plan{}, retryOn(err)
		}
	}
	// Otherwise: no entry, or one naming a tombstone or a record without
	// this key: insert at a new ID and take the entry over.
	return p, nil
}

// planByID reads the record with the given ID. A tombstone means a delete
// of that ID is under way: wait for it, and if it never finishes, finish
// it, so that the record is created anew after the old one's index
// entries are gone.
func (sv *saver) planByID(ctx context.Context, id string) (plan, error) {
	e := sv.e
	r, err := e.readRecord(ctx, id)
	if err != nil {
		return plan{}, err
	}
	if r.State == Tomb {
		if !sv.stalled("record/"+id, r.Rev) {
			return plan{}, errRetry
		}
		if err := e.finishDelete(ctx, id, r.Index, r.Rev); err != nil {
			return plan{}, err
		}
		return plan{}, errRetry
	}
	return plan{found: r.State == Live, stored: r.tok, meta: r.meta, id: id, rev: r.Rev}, nil
}

// stalled counts one more sighting of name at revision rev and reports
// whether it has now been seen graceSightings times.
func (sv *saver) stalled(name, rev string) bool {
	k := name + "@" + rev
	sv.seen[k]++
	return sv.seen[k] >= graceSightings
}

// retire writes an empty tombstone at the ID of a record that does not
// exist, over revision rev, so that a writer still meaning to create it
// fails and starts over. The tombstone holds nothing and stays (a later
// DeleteToken of the ID, or DeleteTokens, removes it): removing it would
// let that writer through.
func (e *Engine) retire(ctx context.Context, id, rev string) error {
	return e.b.PutRecord(ctx, id, Rec{State: Tomb}, rev)
}
