package vault

import (
	"context"
	"strconv"

	"github.com/tokenstore-go/tokenstore"
)

// graceSightings is how many attempts of one SaveToken must find the same
// unfinished state (an index entry naming a record not yet written, or a
// tombstone at the ID being saved) before the save stops waiting for the
// writer that left it and takes over. Attempts are spaced by the backoff,
// so this is some tens of milliseconds: an operation in flight finishes in
// that time, one that crashed never does. Correctness does not depend on
// it; taking over early only costs the slow writer a retry.
const graceSightings = 3

// plan is what an attempt found before writing.
type plan struct {
	found  bool             // stored is the live record matching the key
	stored tokenstore.Token // when found
	meta   tokenstore.Meta  // when found
	id     string           // the record to write
	ver    int              // cas for the record write
	known  map[string]entry // index entries read while planning, by path
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
	s := sv.s
	h, err := s.follow(ctx, sv.key)
	if err != nil {
		return plan{}, err
	}
	p := plan{id: sv.newID, known: map[string]entry{h.path: h.entry}}
	switch {
	case h.matches(sv.key):
		p.found, p.stored, p.meta, p.id, p.ver = true, h.rec.tok, h.rec.meta, h.entry.id, h.rec.ver
	case h.valid && h.rec.state == recAbsent && h.entry.id == sv.newID:
		// Our own claim, from an earlier attempt or from a write whose
		// answer was lost: the record is ours to write, not an insert by
		// someone else to wait for and retire.
		p.ver = h.rec.ver
	case h.valid && h.rec.state == recAbsent:
		// Another writer claimed the key for a record it has not written
		// yet. Wait for it; if it never comes, retire its ID so that it can
		// never be written, then take the entry over (claim, with the
		// entry's version from known).
		if !sv.stalled(h.path, h.entry.ver) {
			return plan{}, errRetry
		}
		if err := s.retire(ctx, h.entry.id, h.rec.ver); err != nil {
			return plan{}, retryOnCAS(err)
		}
	}
	// Otherwise: no entry, or one naming a tombstone or a record without
	// this key: insert at a new ID and take the entry over.
	return p, nil
}

// planByID reads the record with the given ID. A tombstone means a
// DeleteToken of that ID is under way: wait for it, and if it never
// finishes, finish it, so that the record is created anew after the old
// one's index entries are gone.
func (sv *saver) planByID(ctx context.Context, id string) (plan, error) {
	s := sv.s
	r, err := s.readRecord(ctx, id)
	if err != nil {
		return plan{}, err
	}
	if r.state == recTomb {
		if !sv.stalled(s.layout.recordPath(id), r.ver) {
			return plan{}, errRetry
		}
		if err := s.finishDelete(ctx, id, r.index); err != nil {
			return plan{}, err
		}
		return plan{}, errRetry
	}
	return plan{found: r.state == recLive, stored: r.tok, meta: r.meta, id: id, ver: r.ver}, nil
}

// stalled counts one more sighting of path at version ver and reports
// whether it has now been seen graceSightings times.
func (sv *saver) stalled(path string, ver int) bool {
	k := path + "@" + strconv.Itoa(ver)
	sv.seen[k]++
	return sv.seen[k] >= graceSightings
}

// retire writes an empty tombstone at the ID of a record that does not
// exist, with check-and-set at version ver, so that a writer still meaning
// to create it fails and starts over. The tombstone holds nothing and stays
// (a later DeleteToken of the ID or DeleteTokens removes it): removing it
// would let that writer through.
func (s *Store) retire(ctx context.Context, id string, ver int) error {
	return s.kv.write(ctx, s.layout.recordPath(id), tombstoneData(nil), ver)
}
