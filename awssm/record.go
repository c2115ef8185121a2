package awssm

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// deletedRecord is the value a record secret gets before it is scheduled
// for deletion, so that restoring the secret (by this package, to reuse its
// name, or by hand) never brings back a deleted record unnoticed. The
// deleted record stays in the AWSPREVIOUS version for manual recovery.
const deletedRecord = `{"tokenstore":"deleted"}`

// record is a decoded record and the secret version it came from.
type record struct {
	sec secret
	tok tokenstore.Token
}

// decodeRecord turns the value of record secret id into a record; ok is
// false for a deletion marker.
func decodeRecord(sec secret, id string) (record, bool, error) {
	if sec.value == deletedRecord {
		return record{}, false, nil
	}
	tok, err := tokenstore.DecodeRecord([]byte(sec.value))
	if err != nil {
		return record{}, false, err
	}
	if tok.ID != id {
		return record{}, false, fmt.Errorf("%w: record under ID %q holds ID %q", tokenstore.ErrCorrupt, id, tok.ID)
	}
	return record{sec: sec, tok: tok}, true, nil
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
// name is held by a deleted record (a deletion marker, or a secret
// scheduled for deletion, which it restores first) it writes over that;
// when it is held by a live record it returns errExists.
func (s *Store) createRecord(ctx context.Context, id, body string) error {
	name := s.names.record(id)
	_, err := s.create(ctx, name, body, kindRecord)
	if !errors.Is(err, errExists) {
		return err
	}
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
			continue
		}
		if sec.value != deletedRecord {
			if _, _, err := decodeRecord(sec, id); err != nil {
				return err
			}
			return errExists
		}
		_, err = s.put(ctx, sec, body)
		return err
	}
	return errBusy
}
