package vault

import (
	"context"
	"errors"
	"fmt"
	"reflect"
)

// put is kv.write for a write whose earlier copy may already be stored.
//
// A refused check-and-set is not always a lost race. When the answer to a
// write is lost (a connection reset after Vault applied it), the Vault
// client sends the same request again, and Vault refuses the copy because
// the first one moved the version on. The store cannot see that resend,
// so it treats every refusal as possibly its own: a write with cas c that
// landed is version c+1, and put reads that version back. If it holds
// exactly data, the write is stored and put reports success; merging again
// on top of what others wrote since would apply this write twice, after a
// later write that was already acknowledged (issue 13).
//
// Data that equals data byte for byte may also come from another writer.
// For a record that is harmless: the store only writes a record as
// tokenstore.Merge(stored, input), and merging the same input into that
// result changes nothing, so the save is done either way. Tombstones carry
// a nonce so that two deletes are told apart.
func (s *Store) put(ctx context.Context, p string, data map[string]any, cas int) error {
	err := s.kv.write(ctx, p, data, cas)
	if !errors.Is(err, errCAS) {
		return err
	}
	got, rerr := s.kv.readVersion(ctx, p, cas+1)
	if rerr != nil {
		return fmt.Errorf("check-and-set refused; checking whether an earlier copy landed: %w", rerr)
	}
	if got != nil && reflect.DeepEqual(got, data) {
		return nil
	}
	return err
}
