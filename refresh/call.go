package refresh

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// errFenced ends an update whose lease was lost or whose refresh token
// changed since the lease was taken: the answer is dropped.
var errFenced = errors.New("refresh: the lease was lost or the refresh token changed; the answer is dropped")

// refresh calls the token endpoint for rec under the lease l this Source
// has just taken, and stores the answer while releasing the lease, or
// records a throttle or revocation for the fleet instead.
//
// It runs on a bound of its own, LeaseTTL from now, not on any caller's
// context: a caller that gives up must not leave the lease held and the
// issued token unstored (the fleet would wait out the lease and then pay
// for a second token). Two thirds of the bound go to the call, the rest
// is kept for the write.
func (s *Source) refresh(rec tokenstore.Record, l lease) lookResult {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.LeaseTTL)
	defer cancel()
	callCtx, cancelCall := context.WithTimeout(ctx, s.opts.LeaseTTL*2/3)
	t := rec.Token
	var (
		resp *zoho.Response
		err  error
	)
	s.stats.tokenCalls.Add(1)
	if t.RefreshToken != "" {
		resp, err = s.accounts.Refresh(callCtx, t.ClientID, t.ClientSecret, t.RefreshToken)
	} else {
		// Grant codes are single-use: of every process given this one,
		// only the lease holder exchanges it; the others adopt the tokens
		// it stores.
		resp, err = s.accounts.ExchangeGrant(callCtx, t.ClientID, t.ClientSecret, t.GrantToken, t.RedirectURL)
	}
	cancelCall()
	var zerr *zoho.Error
	switch {
	case err == nil:
		return s.land(ctx, rec, l, resp.Token(s.opts.Now()))
	case errors.Is(err, zoho.ErrThrottled) && errors.As(err, &zerr):
		s.stats.throttled.Add(1)
		if s.release(ctx, t.ID, l, metaThrottle, mark{RT: l.RT, Until: zerr.Until}) {
			return lookResult{} // taken over meanwhile: the record, not this answer, decides
		}
		if !t.Expired(s.opts.Now(), 0) {
			return lookResult{cur: s.hold(t, s.opts.Now().Add(s.opts.MaxWait))}
		}
		return lookResult{err: &ThrottledError{Until: zerr.Until}}
	case errors.Is(err, zoho.ErrRevoked), errors.Is(err, zoho.ErrInvalidGrant):
		s.stats.revoked.Add(1)
		if s.release(ctx, t.ID, l, metaRevoked, mark{RT: l.RT}) {
			// A stalled exchanger whose code a rival has spent since, or a
			// holder whose refresh token was replaced: not the fleet's answer.
			return lookResult{}
		}
		return lookResult{err: ErrRevoked}
	}
	// Anything else (a network error, a deadline, a 5xx, an answer refused
	// as malformed, which Zoho may have counted as a token) is recorded
	// with a backoff, so that the fleet does not call again at once.
	n := 0
	if f := readState(rec.Meta).failed; f != nil && f.RT == l.RT {
		n = f.N
	}
	f := failure{RT: l.RT, Until: s.opts.Now().Add(s.backoff(n)), N: n + 1, Kind: kindOf(err), Reason: reason(err)}
	s.stats.failed.Add(1)
	s.release(ctx, t.ID, l, metaFailed, f)
	// The caller that made the call gets what the others will: the
	// backoff, with the cause itself reachable through errors.As and Is.
	return lookResult{err: &RetryError{Until: f.Until, Reason: f.Reason, kind: f.Kind, cause: err}}
}

// Backoff after failed refreshes: FirstBackoff, doubling, at most
// MinInterval (or FirstBackoff if that is longer).
const FirstBackoff = 10 * time.Second

func (s *Source) backoff(n int) time.Duration {
	d := FirstBackoff
	for range min(n, 16) {
		d *= 2
	}
	return min(d, s.maxBackoff())
}

func (s *Source) maxBackoff() time.Duration { return max(s.opts.MinInterval, FirstBackoff) }

// reason is err's text for the record's metadata: no secret (errors of
// this module never hold one), at most 200 bytes.
func reason(err error) string {
	r := err.Error()
	if len(r) > 200 {
		r = r[:200]
	}
	return strings.ToValidUTF8(r, "")
}

// land stores the endpoint's answer got, merged into the record, drops the
// lease and any throttle mark, and notes the refresh's time, in one write,
// fenced: only if the record still carries the lease l and the refresh
// token (or grant code) it refreshed. A grant exchange lands without its
// lease while the record still waits for that code's tokens: nobody else
// can get them, the code being single-use.
func (s *Source) land(ctx context.Context, read tokenstore.Record, l lease, got tokenstore.Token) lookResult {
	now := s.opts.Now()
	grant := read.Token.RefreshToken == ""
	var dropped bool
	rec, err := s.upd.UpdateToken(ctx, read.Token.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
		st := readState(r.Meta)
		own := st.lease != nil && st.lease.ID == l.ID
		dropped = sourceDigest(r.Token) != l.RT || (!own && !grant)
		if dropped && own {
			// The refresh token changed under a lease still held: drop
			// the answer, and the lease with it, for the next caller.
			r.Meta = with(r.Meta, metaLease, nil)
			return r, nil
		}
		if dropped {
			return r, errFenced
		}
		merged := tokenstore.Merge(r.Token, got)
		if r.Token.AccessToken != read.Token.AccessToken && !r.Token.Expiry.Before(merged.Expiry) {
			// Someone saved a token that outlives ours: it stays.
			merged.AccessToken, merged.Expiry, merged.APIDomain = r.Token.AccessToken, r.Token.Expiry, r.Token.APIDomain
		}
		r.Token = merged
		if own {
			r.Meta = with(r.Meta, metaLease, nil)
		}
		r.Meta = with(with(r.Meta, metaThrottle, nil), metaFailed, nil)
		if st.revoked != nil && st.revoked.RT == l.RT {
			r.Meta = with(r.Meta, metaRevoked, nil) // a rival's "spent" for this very code
		}
		r.Meta = with(r.Meta, metaLast, last{RT: sourceDigest(r.Token), At: now})
		return r, nil
	})
	switch {
	case dropped && (err == nil || errors.Is(err, errFenced)):
		s.stats.dropped.Add(1)
		s.opts.Logger.Warn("refresh: answer dropped: the lease was taken over or the refresh token changed", "record", read.Token.ID)
		return lookResult{} // look again: whoever took over has stored, or will
	case err != nil:
		return lookResult{err: fmt.Errorf("refresh: storing the new access token: %w", err)}
	}
	s.stats.refreshes.Add(1)
	s.notify(rec.Token)
	return lookResult{cur: s.hold(rec.Token, s.dueFor(rec.Token, now))}
}

// notify calls OnTokenChange, which must not take the process down from
// a background refresh.
func (s *Source) notify(t tokenstore.Token) {
	if s.opts.OnTokenChange == nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			s.opts.Logger.Error("refresh: OnTokenChange panicked", "record", t.ID, "panic", fmt.Sprintf("%T", p))
		}
	}()
	s.opts.OnTokenChange(t)
}

// release drops the lease l and sets the metadata entry name to v (none
// when name is empty), fenced like land: a holder that lost its lease
// changes nothing, so a stalled holder's "throttled" or "revoked" never
// reaches a record that someone else has refreshed since. Best effort: a
// lease left behind expires. It reports whether the fence stopped it: the
// lease was lost, or the record now holds another refresh token.
func (s *Source) release(ctx context.Context, id string, l lease, name string, v any) (fenced bool) {
	_, err := s.upd.UpdateToken(ctx, id, func(r tokenstore.Record) (tokenstore.Record, error) {
		fenced = false
		if st := readState(r.Meta); st.lease == nil || st.lease.ID != l.ID {
			return r, errFenced
		}
		r.Meta = with(r.Meta, metaLease, nil)
		if sourceDigest(r.Token) != l.RT {
			fenced = true
		} else if name != "" {
			r.Meta = with(r.Meta, name, v)
		}
		return r, nil
	})
	if errors.Is(err, errFenced) {
		fenced = true
	} else if err != nil {
		s.opts.Logger.Warn("refresh: releasing the lease", "record", id, "err", err)
	}
	if fenced && name != "" {
		s.stats.dropped.Add(1)
	}
	return fenced
}

// Expire marks the stored access token accessToken expired for every
// process sharing the store, so that the next caller that needs a token
// refreshes it: call it when the API refused the token with 401
// INVALID_OAUTHTOKEN (Client does). A token is expired once: when the
// record holds another token, or this one has already expired, nothing is
// written. A token the fleet got less than MinInterval ago stays (an API
// that refuses every token must not make the fleet call the endpoint per
// request); Expire then returns nil and the next caller gets the same
// token.
func (s *Source) Expire(ctx context.Context, accessToken string) error {
	if accessToken == "" {
		return nil
	}
	if c := s.cur.Load(); c != nil && c.tok.AccessToken == accessToken {
		s.cur.CompareAndSwap(c, nil)
	}
	t, err := s.store.FindToken(ctx, s.query)
	if err != nil {
		return fmt.Errorf("refresh: expire: %w", err)
	}
	if t.AccessToken != accessToken {
		return nil
	}
	var expired bool
	_, err = s.upd.UpdateToken(ctx, t.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
		now := s.opts.Now()
		expired = false
		if r.Token.AccessToken != accessToken || r.Token.Expired(now, 0) {
			return r, nil
		}
		if s.recent(readState(r.Meta).last, sourceDigest(r.Token), now) {
			return r, nil
		}
		r.Token.Expiry, expired = now.Add(-time.Second), true
		return r, nil
	})
	if err != nil {
		return fmt.Errorf("refresh: expire: %w", err)
	}
	if expired {
		s.stats.expired.Add(1)
	}
	return nil
}
