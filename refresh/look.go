package refresh

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// outcome is what one look at the record decides.
type outcome int

const (
	fresh     outcome = iota // valid beyond the margin: use it
	heldBack                 // within the margin, but refreshed less than MinInterval ago: use it
	usable                   // due, but another process refreshes (or the endpoint throttles) and it is still valid: use it
	takeLease                // due and free: take the lease and refresh
	waitLease                // another process holds a live lease and no valid token is left: wait
	throttled                // the endpoint throttled this refresh token, and the token has expired
	failing                  // the last refresh failed, the fleet waits before the next, and the token has expired
	revoked                  // the endpoint revoked this refresh token (or spent this grant code)
	noRefresh                // expired, with no refresh token or grant code to refresh with
)

func (o outcome) String() string {
	names := [...]string{"fresh", "held back", "usable", "take lease", "wait for lease", "throttled", "failing", "revoked", "no refresh token"}
	if int(o) < len(names) {
		return names[o]
	}
	return "unknown"
}

// decide reads r at now for a caller that wants a token valid for margin
// more. It is a pure function of its arguments.
func (s *Source) decide(r tokenstore.Record, now time.Time, margin time.Duration) outcome {
	t := r.Token
	if !t.Expired(now, margin) {
		return fresh
	}
	valid := !t.Expired(now, 0)
	if t.RefreshToken == "" && t.GrantToken == "" {
		if valid {
			return usable
		}
		return noRefresh
	}
	st, rt := readState(r.Meta), sourceDigest(t)
	switch {
	case st.revoked != nil && st.revoked.RT == rt:
		return revoked
	case st.throttle != nil && st.throttle.RT == rt && now.Before(st.throttle.Until):
		if valid {
			return usable
		}
		return throttled
	case st.failed != nil && st.failed.RT == rt && now.Before(st.failed.Until) && st.failed.Until.Sub(now) <= s.maxBackoff():
		if valid {
			return usable
		}
		return failing
	case valid && s.recent(st.last, rt, now):
		return heldBack
	case st.lease.live(now, s.opts.LeaseTTL):
		if valid {
			return usable
		}
		return waitLease
	}
	return takeLease
}

// recent reports whether the fleet refreshed rt less than MinInterval
// before now. A time further ahead than MinInterval (a fast clock) does
// not count.
func (s *Source) recent(l *last, rt string, now time.Time) bool {
	if l == nil || l.RT != rt {
		return false
	}
	d := now.Sub(l.At)
	return d < s.opts.MinInterval && d > -s.opts.MinInterval
}

// lookResult is a look's answer: a token to hand out, an error, or (both
// nil) "another process is refreshing: look again after a wait".
type lookResult struct {
	cur *current
	err error
}

// look reads the record and acts on what decide says, for a caller that
// wants a token valid for margin more. It runs detached from any caller,
// bounded by LeaseTTL; a refresh it starts has a bound of its own.
func (s *Source) look(margin time.Duration) lookResult {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.LeaseTTL)
	defer cancel()
	// The plain find costs no write, and nothing with a cache in front:
	// most looks end here.
	t, err := s.store.FindToken(ctx, s.query)
	if err != nil {
		return lookResult{err: fmt.Errorf("refresh: %w", err)}
	}
	now := s.opts.Now()
	if !t.Expired(now, margin) {
		return lookResult{cur: s.hold(t, s.dueFor(t, now))}
	}
	var (
		out outcome
		l   lease
	)
	rec, err := s.upd.UpdateToken(ctx, t.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
		now = s.opts.Now()
		out = s.decide(r, now, margin)
		if out == takeLease {
			l = lease{Owner: s.opts.Owner, ID: randomName(), RT: sourceDigest(r.Token), Until: now.Add(s.opts.LeaseTTL)}
			r.Meta = with(r.Meta, metaLease, l)
		}
		return r, nil
	})
	if err != nil {
		return lookResult{err: fmt.Errorf("refresh: %w", err)}
	}
	s.opts.Logger.Debug("refresh: look", "record", rec.Token.ID, "outcome", out.String())
	switch out {
	case fresh:
		return lookResult{cur: s.hold(rec.Token, s.dueFor(rec.Token, now))}
	case heldBack:
		st := readState(rec.Meta)
		return lookResult{cur: s.hold(rec.Token, st.last.At.Add(s.opts.MinInterval))}
	case usable:
		// Hand the valid token out for a short while, then look again.
		return lookResult{cur: s.hold(rec.Token, now.Add(s.opts.MaxWait))}
	case waitLease:
		return lookResult{}
	case takeLease:
		return s.refreshHeld(rec, l, now)
	}
	return lookResult{err: s.refused(rec, out)}
}

// refreshHeld refreshes under the lease l just taken. With a token still
// valid, callers get it at once and the refresh runs in the background;
// otherwise they wait for it (each as long as its own context allows).
// Either way the refresh runs to its end on its own bound.
func (s *Source) refreshHeld(rec tokenstore.Record, l lease, now time.Time) lookResult {
	if rec.Token.Expired(now, 0) {
		return s.refresh(rec, l)
	}
	// The lease makes this the only refresh of the record in the fleet.
	go func() {
		if res := s.refresh(rec, l); res.err != nil {
			s.opts.Logger.Warn("refresh: background refresh failed", "record", rec.Token.ID, "err", res.err)
		}
	}()
	return lookResult{cur: s.hold(rec.Token, now.Add(s.opts.MaxWait))}
}

// refused answers a caller when the record says no refresh may be made.
func (s *Source) refused(rec tokenstore.Record, out outcome) error {
	switch out {
	case throttled:
		return &ThrottledError{Until: readState(rec.Meta).throttle.Until}
	case revoked:
		return ErrRevoked
	case failing:
		f := readState(rec.Meta).failed
		return &RetryError{Until: f.Until, Reason: f.Reason, kind: f.Kind}
	}
	return ErrNoRefreshToken
}
