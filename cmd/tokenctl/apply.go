package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/zoho"
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

// applyOptions say how rows are applied.
type applyOptions struct {
	keepIDs     bool // the rows' IDs are tokenstore IDs (an export, a copy), kept
	dryRun      bool // plan against a copy of the store in memory; write nothing
	checkDomain bool // an import: api_domain must be an origin of Zoho's API
	force       bool // write although the store's records do not answer to this pepper
}

// applier upserts rows into a store the way SaveToken would, but writes
// only when the merged result differs from what is stored, so that running
// the same import again makes no write.
//
// It reads the whole store once (GetTokens) and indexes it by every lookup
// key; each row is matched there by the lookup rules, merged and compared.
// A row that changes something is saved with SaveToken as read from the
// source, so the store merges it into the current record atomically and a
// concurrent change to a field the row leaves empty is not overwritten with
// what this process read earlier. The report says what the save did, which
// is what the index predicted unless the store found otherwise.
//
// A dry run does all of this against a memory store holding the target's
// records (see newApplier): it plans against the store plus the rows
// before each one, by the same code, so its report is the real run's.
type applier struct {
	store tokenstore.Store // the target, or its copy in a dry run
	opts  applyOptions
	byKey map[tokenstore.Key]string // lookup key → ID
	byID  map[string]tokenstore.Token
	// held: the IDs the target held before the run. newIDs: in a dry run,
	// the label shown for each ID the copy made up ("(new 1)", ...), as
	// the real store will choose another.
	held   map[string]bool
	newIDs map[string]string
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
// not about the row (store failure, interrupt) and ends the run.
func (ap *applier) apply(ctx context.Context, r row) (result, error) {
	res := result{Row: r.n, User: r.tok.UserName, Action: actSkip}
	t := r.tok
	if !ap.opts.keepIDs {
		// A Zoho id is not a tokenstore ID; the report maps one to the other.
		t.ID, res.SourceID = "", r.srcID
	}
	if r.err != nil {
		res.Reason = r.err.Error()
		return res, nil
	}
	if ap.opts.checkDomain && t.APIDomain != "" {
		origin, err := zoho.CheckAPIDomain(t.APIDomain)
		if err != nil {
			res.Reason = "api_domain: " + err.Error()
			return res, nil
		}
		t.APIDomain = origin
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
		want = tokenstore.Merge(stored, t)
		res.ID, res.Action = ap.label(id), actMerge
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
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// The save in hand is finished even after an interrupt (bounded), so
	// Ctrl-C never leaves this row's outcome unknown.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	expected := ap.byKey[k] // "" for an insert
	if err := ap.store.SaveToken(sctx, &t); err != nil {
		if rowError(err) {
			res.Action, res.ID, res.Reason = actSkip, "", err.Error()
			return res, nil
		}
		return res, fmt.Errorf("row %d: %w", r.n, err)
	}
	switch _, known := ap.byID[t.ID]; {
	case expected != "" && t.ID != expected:
		// The index found the record, the store did not: its lookup
		// missed (another pepper, a damaged index entry).
		res.Action = actInsert
		res.Reason = fmt.Sprintf("the store found no record by this row's %s, although %s has it: inserted beside it (another pepper?)", k.Kind, ap.label(expected))
	case expected == "" && known:
		res.Action = actMerge // the store found a record the index did not
	}
	if ap.opts.dryRun && !ap.held[t.ID] && (!ap.opts.keepIDs || t.ID != r.tok.ID) && ap.newIDs[t.ID] == "" {
		ap.newIDs[t.ID] = fmt.Sprintf("(new %d)", len(ap.newIDs)+1)
	}
	ap.put(t)
	res.ID, res.User = ap.label(t.ID), t.UserName
	return res, nil
}

// label is how the report shows id: as it is, or in a dry run the label of
// an ID the plan made up.
func (ap *applier) label(id string) string {
	if l := ap.newIDs[id]; l != "" {
		return l
	}
	return id
}

// rowError reports whether a SaveToken error is about the row, not the
// store: the run skips the row and goes on.
func rowError(err error) bool {
	return errors.Is(err, tokenstore.ErrInvalidToken) || errors.Is(err, tokenstore.ErrTooLarge) ||
		errors.Is(err, tokenstore.ErrDuplicate) || errors.Is(err, tokenstore.ErrConflict)
}
