package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// Actions reported per row.
const (
	actInsert    = "insert"
	actMerge     = "merge"
	actUnchanged = "unchanged"
	actSkip      = "skip"
)

// result is the report line of one row. Reason never holds a secret.
type result struct {
	Row      int    `json:"row"`
	SourceID string `json:"source_id,omitempty"`
	ID       string `json:"id,omitempty"`
	Action   string `json:"action"`
	User     string `json:"user_name,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// summary counts what an import or copy did.
type summary struct {
	Read        int  `json:"read"`
	Inserted    int  `json:"inserted"`
	Merged      int  `json:"merged"`
	Unchanged   int  `json:"unchanged"`
	Skipped     int  `json:"skipped"`
	DryRun      bool `json:"dry_run,omitempty"`
	Interrupted bool `json:"interrupted,omitempty"`
}

// saveTimeout bounds the save of the record in hand after an interrupt.
const saveTimeout = 30 * time.Second

// applier upserts rows into a store the way SaveToken would, but writes
// only when the merged result differs from what is stored, so that running
// the same import again makes no write.
//
// It reads the whole store once (GetTokens) and indexes it by every lookup
// key; each row is matched there by the lookup rules, merged and compared.
// A row that changes something is saved with SaveToken as read from the
// source, so the store merges it into the current record atomically and a
// concurrent change to a field the row leaves empty is not overwritten with
// what this process read earlier.
type applier struct {
	store  tokenstore.Store
	byKey  map[tokenstore.Key]string // lookup key → ID
	byID   map[string]tokenstore.Token
	dryRun bool
}

// newApplier loads and indexes store. An unreadable record (ErrCorrupt)
// is reported through warn and otherwise ignored: SaveToken still checks
// for it, so no duplicate can come of it.
func newApplier(ctx context.Context, store tokenstore.Store, dryRun bool, warn func(string, ...any)) (*applier, error) {
	ts, err := store.GetTokens(ctx)
	if err != nil {
		if !errors.Is(err, tokenstore.ErrCorrupt) {
			return nil, err
		}
		warn("%v", err)
	}
	ap := &applier{store: store, byKey: make(map[tokenstore.Key]string), byID: make(map[string]tokenstore.Token), dryRun: dryRun}
	for _, t := range ts {
		ap.put(t)
	}
	return ap, nil
}

// put indexes t, replacing the previous version of the same ID.
func (ap *applier) put(t tokenstore.Token) {
	if old, ok := ap.byID[t.ID]; ok {
		for _, k := range driver.Keys(old) {
			if ap.byKey[k] == old.ID {
				delete(ap.byKey, k)
			}
		}
	}
	ap.byID[t.ID] = t
	for _, k := range driver.Keys(t) {
		ap.byKey[k] = t.ID
	}
}

// errNoKey explains why a row without a lookup key is skipped.
var errNoKey = errors.New("no lookup key (needs a user name, an access token without client credentials, or a grant or refresh token with client ID and secret): importing it again would add a duplicate")

// apply handles one row and returns its report line. A non-nil error is
// not about the row (backend failure, interrupt) and ends the run.
func (ap *applier) apply(ctx context.Context, r row, keepID bool) (result, error) {
	res := result{Row: r.n, User: r.tok.UserName, Action: actSkip}
	t := r.tok
	if !keepID {
		// A Zoho id is not a tokenstore ID; the report maps one to the other.
		t.ID, res.SourceID = "", r.srcID
	}
	if r.err != nil {
		res.Reason = r.err.Error()
		return res, nil
	}
	if err := tokenstore.Validate(t); err != nil {
		res.Reason = err.Error()
		return res, nil
	}
	k, err := tokenstore.Lookup(t)
	if err != nil {
		res.Reason = errNoKey.Error()
		return res, nil
	}
	want := t
	res.Action = actInsert
	if id, ok := ap.byKey[k]; ok {
		stored := ap.byID[id]
		want = driver.Merge(stored, t)
		res.ID, res.Action = id, actMerge
		if want.Equal(stored) {
			res.Action = actUnchanged
			return res, nil
		}
	}
	if want.ID == "" {
		want.ID = tokenstore.NewID() // only to check the encoded size below
	}
	if _, err := driver.EncodeRecord(want); err != nil {
		res.Action, res.Reason = actSkip, err.Error()
		return res, nil
	}
	if ap.dryRun {
		if res.Action == actInsert {
			want.ID = "(new)" + want.ID // stays out of the way of real IDs
		}
		ap.put(want)
		if res.Action == actInsert {
			res.ID = "(new)"
		}
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// The save in hand is finished even after an interrupt (bounded), so
	// Ctrl-C never leaves this row's outcome unknown.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := ap.store.SaveToken(sctx, &t); err != nil {
		if rowError(err) {
			res.Action, res.ID, res.Reason = actSkip, "", err.Error()
			return res, nil
		}
		return res, fmt.Errorf("row %d: %w", r.n, err)
	}
	ap.put(t)
	res.ID, res.User = t.ID, t.UserName
	return res, nil
}

// rowError reports whether a SaveToken error is about the row, not the
// backend: the run skips the row and goes on.
func rowError(err error) bool {
	return errors.Is(err, tokenstore.ErrInvalidToken) || errors.Is(err, tokenstore.ErrTooLarge) ||
		errors.Is(err, tokenstore.ErrDuplicate) || errors.Is(err, tokenstore.ErrConflict)
}
