package vault

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// put is kv.write for a write whose earlier copy may already be stored.
//
// A refused check-and-set is not always a lost race. When the answer to a
// write is lost (a connection reset after Vault applied it), the Vault client
// sends the same request again, and Vault refuses the copy because the first
// one moved the version on. The store cannot see that resend, so it treats
// every refusal as possibly its own: a write with cas c that landed is
// version c+1, and put reads that version back. If it holds exactly data, the
// write is stored and put reports success; merging again on top of what
// others wrote since would apply this write twice, after a later write that
// was already acknowledged.
//
// Records and tombstones carry a random nonce, so data equal to data is
// this very write and never another writer's with the same content: two
// UpdateToken calls that make the same change from the same version (an
// increment, say) must not both count as applied. When version c+1 is gone
// and the write may have been resent, the outcome is unknown and put
// says so with an error.
func (s *Store) put(ctx context.Context, p string, data map[string]any, cas int) error {
	began := time.Now()
	err := s.kv.write(ctx, p, data, cas)
	if !errors.Is(err, errCAS) {
		return err
	}
	got, rerr := s.kv.readVersion(ctx, p, cas+1)
	switch {
	case rerr != nil:
		return fmt.Errorf("check-and-set refused; reading version %d to see whether an earlier copy landed: %w", cas+1, rerr)
	case got != nil && reflect.DeepEqual(got, data):
		return nil
	case got == nil && !s.v1 && s.mayHaveResent(time.Since(began)):
		// Version cas+1 was written (the refusal says so) and is gone:
		// deleted with its path, or pruned by the mount's max_versions.
		// It may have been this write's first copy, so neither success
		// nor a lost race can be reported, and merging again could apply
		// the write twice.
		return fmt.Errorf("check-and-set refused and version %d is gone (deleted, or beyond max_versions): whether this write landed is unknown", cas+1)
	}
	return err
}

// mayHaveResent reports whether the client may have sent a write more than
// once in a call that took elapsed: it resends only after a connection
// error or a 5xx, and waits at least MinRetryWait first (the api client's
// backoff, unless replaced with api.Client.SetBackoff). So a call quicker
// than that was sent once, and its refusal is a lost race.
func (s *Store) mayHaveResent(elapsed time.Duration) bool {
	return s.client == nil || (s.client.MaxRetries() > 0 && elapsed >= s.client.MinRetryWait())
}
