package awssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// A deletion marker is the value a record secret gets, by compare-and-swap,
// before the secret is deleted: {"tokenstore":"deleted","n":"<nonce>"}. The
// swap decides between a delete and concurrent updates (whichever comes
// second fails and retries), and restoring the secret (by this package, to
// reuse its name, or by hand) never brings back a deleted record unnoticed.
// The deleted record stays in the AWSPREVIOUS version for manual recovery.
type marker struct {
	Tokenstore string `json:"tokenstore"`
	N          string `json:"n"`
}

func deletionMarker() string {
	b, _ := json.Marshal(marker{Tokenstore: "deleted", N: nonce()}) // cannot fail: strings only
	return string(b)
}

func isDeletionMarker(v string) bool {
	var m marker
	return strings.HasPrefix(v, `{"tokenstore":`) && json.Unmarshal([]byte(v), &m) == nil && m.Tokenstore == "deleted"
}

// record is a decoded record and the secret version it came from.
type record struct {
	sec  secret
	tok  tokenstore.Token
	meta tokenstore.Meta // see tokenstore.Meta
}

// decodeRecord turns the value of record secret id into a record; ok is
// false for a deletion marker. A value that does not decode is an error
// wrapping tokenstore.ErrCorrupt that names id; the record returned with
// it holds the secret version read, so the record can still be deleted.
func decodeRecord(sec secret, id string) (record, bool, error) {
	if isDeletionMarker(sec.value) {
		return record{}, false, nil
	}
	tok, meta, err := driver.DecodeRecordMeta([]byte(sec.value))
	if err != nil {
		return record{sec: sec}, false, fmt.Errorf("record %s: %w", id, err)
	}
	if tok.ID != id {
		return record{sec: sec}, false, fmt.Errorf("%w: record under ID %q holds ID %q", tokenstore.ErrCorrupt, id, tok.ID)
	}
	return record{sec: sec, tok: tok, meta: meta}, true, nil
}

// readRecord reads record id; ok is false when there is none.
func (s *Store) readRecord(ctx context.Context, id string) (record, bool, error) {
	sec, ok, err := s.get(ctx, s.names.record(id))
	if err != nil || !ok {
		return record{}, false, err
	}
	return decodeRecord(sec, id)
}

// createRecord writes a new record secret for id holding body. When the
// name is held by a deleted record it writes over that: over a secret
// scheduled for deletion once it has restored it, and over a deletion
// marker older than the claim timeout (a delete that stopped before
// deleting); a fresh marker is a delete in progress (errBusy). A live
// record gives errExists.
func (s *Store) createRecord(ctx context.Context, id, body string) error {
	name := s.names.record(id)
	_, err := s.create(ctx, name, body, kindRecord)
	if !errors.Is(err, errExists) {
		return err
	}
	restored := false
	for range 3 {
		sec, ok, err := s.get(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			// Scheduled for deletion: restore it, then write over it.
			if err := s.restore(ctx, name); err != nil && !isGone(err) {
				return err
			}
			restored = true
			continue
		}
		if !isDeletionMarker(sec.value) {
			if _, _, err := decodeRecord(sec, id); err != nil {
				return err
			}
			return errExists
		}
		if !restored && s.opts.Now().Sub(sec.created) < s.opts.ClaimTimeout {
			return errBusy
		}
		_, err = s.put(ctx, sec, body)
		return err
	}
	return errBusy
}

// stamped returns the value that writes the record encoded as body over an
// existing version: body with a random nonce added to its envelope (a
// field driver.DecodeRecord ignores). Writers that read the same
// version ask for the same next version ID (see put), and Secrets Manager
// takes two such requests with the same value as one; with the nonce no
// two values are the same, so exactly one writer wins and the other reads
// again. Without it, two UpdateToken calls making the same change would
// both report success for one write.
func stamped(body []byte) (string, error) {
	v := string(body[:len(body)-1]) + `,"awssm_nonce":"` + nonce() + `"}`
	if len(v) > driver.MaxRecordSize {
		return "", fmt.Errorf("%w: encoded record is %d bytes, limit %d", tokenstore.ErrTooLarge, len(v), driver.MaxRecordSize)
	}
	return v, nil
}
