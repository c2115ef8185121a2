package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// write makes one conditional write of row name: an insert that does
// nothing when the row exists (old nil), or an update of the row at
// revision *old. Either takes the next revision. It returns the rows
// changed, 0 when the condition did not hold or the server refused the
// statement for a concurrent one (a serialization failure: not applied),
// and whether the statement was sent twice (see send).
func (s *Store) write(ctx context.Context, name string, old *int64, value []byte, tomb bool, nonce *string, over *int64) (int64, bool, error) {
	q, args := s.sql.insert, []any{s.ns, name, value, tomb, nonce, over}
	if old != nil {
		q, args = s.sql.update, append(args, *old)
	}
	n, again, err := s.execOnce(ctx, false, q, args...)
	if notApplied(err) {
		return 0, again, nil
	}
	return n, again, err
}

// put is write for a record or tombstone, which carries a nonce, random
// per call.
//
// A refused write is not always a lost race. When a connection breaks
// after the server applied the write, send runs it again, and the copy is
// refused because the first one moved the revision on. So when a write
// sent twice is refused, put reads the row's nonce: if it is this write's,
// the write is stored and put reports success; reporting a lost race would
// make the engine merge again on top, applying an UpdateToken twice. If
// another write has replaced it since, whether this one landed first is
// unknown, and put says so with an error that is not a lost race.
func (s *Store) put(ctx context.Context, name string, old *int64, value []byte, tomb bool, nonce string, over *int64) error {
	n, again, err := s.write(ctx, name, old, value, tomb, &nonce, over)
	switch {
	case err != nil:
		return err
	case n > 0:
		return nil
	case !again:
		return kvstore.ErrStale
	}
	var got *string
	err = s.queryRow(ctx, s.sql.nonce, []any{s.ns, name}, &got)
	switch {
	case err == nil && got != nil && *got == nonce:
		return nil
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("write sent again after a broken connection was refused; reading whether its first copy landed: %w", err)
	}
	return errors.New("write sent again after a broken connection was refused, and the row holds another write: whether this one landed is unknown")
}
