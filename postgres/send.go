package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// send runs f, one statement, until it has an answer worth giving:
//
//   - When the connection broke on the way (a reset, a lost answer:
//     anything but the server's own error or the context's end), it runs
//     f once more, as the HTTP clients of Vault and AWS resend a request;
//     a pool gives the second run another connection. It then reports
//     again: a write may have landed on its first run, and its second run
//     is refused for it (see Store.put).
//   - When the server refused the statement as a serialization failure or
//     a deadlock (at the repeatable read and serializable isolation
//     levels, a statement that meets a concurrent one), nothing was
//     applied. With serial set it runs f again after a short random wait,
//     up to maxSerialRetries times, and the statement then sees what the
//     other one committed, as it would at read committed. Without, it
//     returns the error: a conditional write reports it as a lost race,
//     which the engine answers with a fresh read and its own backoff.
//
// Running again is safe for every statement the store makes: reads are
// idempotent, and writes are conditional on the revision read, so at most
// one copy can land.
func send(ctx context.Context, serial bool, f func() error) (again bool, err error) {
	var lost error // the first run's error, when f ran again after it
	for tries := 0; ; {
		err = f()
		switch {
		case err == nil:
			return lost != nil, nil
		case ctx.Err() != nil:
		case serial && notApplied(err) && tries < maxSerialRetries:
			tries++
			if werr := wait(ctx, rand.N(time.Millisecond<<tries)); werr != nil {
				err = fmt.Errorf("%w; waiting to send it again: %w", err, werr)
				break
			}
			continue
		case lost == nil && lostOnTheWay(ctx, err):
			lost = err
			continue
		}
		if lost != nil {
			return true, fmt.Errorf("%w; sent again: %w", lost, err)
		}
		return false, err
	}
}

// maxSerialRetries bounds the runs of one statement that the server
// refuses for a concurrent one (see send): the waits add up to 0.5 s at
// most.
const maxSerialRetries = 8

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notApplied reports whether the server refused a statement as a
// serialization failure (SQLSTATE 40001) or a deadlock (40P01): its
// transaction, the statement alone, rolled back.
func notApplied(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// lostOnTheWay reports whether err is a failure of the connection rather
// than an answer (the network's error, an end of stream, a closed
// connection, or an error pgx says came before anything was sent), with
// the context still running.
func lostOnTheWay(ctx context.Context, err error) bool {
	var ne net.Error
	switch {
	case ctx.Err() != nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return pgconn.SafeToRetry(err) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed)
}

// exec runs a write that may be run again on a serialization failure
// (a drop, a purge: see send) and returns the rows it changed.
func (s *Store) exec(ctx context.Context, sql string, args ...any) (n int64, again bool, err error) {
	return s.execOnce(ctx, true, sql, args...)
}

func (s *Store) execOnce(ctx context.Context, serial bool, sql string, args ...any) (n int64, again bool, err error) {
	again, err = send(ctx, serial, func() error {
		tag, err := s.db.Exec(ctx, sql, args...)
		n = tag.RowsAffected()
		return err
	})
	return n, again, err
}

// queryRow runs a read of one row into dest; no row is pgx.ErrNoRows.
func (s *Store) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	_, err := send(ctx, true, func() error { return s.db.QueryRow(ctx, sql, args...).Scan(dest...) })
	return err
}

// query runs a read of many rows, calling row for each after it scanned
// into dest; a run sent again starts over with reset.
func (s *Store) query(ctx context.Context, sql string, args []any, reset func(), row func() error, dest ...any) error {
	_, err := send(ctx, true, func() error {
		reset()
		rows, err := s.db.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if err := row(); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return err
}
