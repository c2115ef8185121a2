package refresh

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// Errors of a Source. They wrap the zoho package's sentinels, so
// errors.Is(err, zoho.ErrRevoked) and errors.Is(err, zoho.ErrThrottled)
// hold too.
var (
	// ErrRevoked: the token endpoint answered that the record's refresh
	// token is revoked or deleted (or that its grant code, when it had no
	// refresh token yet, is spent or expired). Every process sharing the
	// store gets it without calling the endpoint again, until a new refresh
	// token or grant code is saved for the record.
	ErrRevoked = fmt.Errorf("refresh: the refresh token is revoked; a new grant is needed: %w", zoho.ErrRevoked)

	// ErrNoRefreshToken: the access token has expired and the record has
	// neither a refresh token nor a grant code to get another with.
	ErrNoRefreshToken = errors.New("refresh: the access token has expired and the record has no refresh token or grant code")
)

// ThrottledError says the token endpoint refuses new access tokens for the
// record's refresh token until Until. Every process sharing the store
// waits for Until without calling the endpoint.
type ThrottledError struct {
	Until time.Time
}

func (e *ThrottledError) Error() string {
	return "refresh: the token endpoint throttles this refresh token until " + e.Until.UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, zoho.ErrThrottled) hold.
func (e *ThrottledError) Is(target error) bool { return target == zoho.ErrThrottled }

// refresh calls the token endpoint for rec, whose lease this process has
// just taken, and stores the answer while releasing the lease. A throttle
// or revocation is recorded instead, for every process to see.
func (c *caller) refresh(ctx context.Context, rec tokenstore.Record) (tokenstore.Token, error) {
	s := c.Source
	t := rec.Token
	var (
		resp *zoho.Response
		err  error
		rt   = rtDigest(t.RefreshToken)
	)
	if t.RefreshToken != "" {
		resp, err = zoho.Refresh(ctx, s.opts.HTTPClient, s.endpoint, t.ClientID, t.ClientSecret, t.RefreshToken)
	} else {
		// Grant codes are single-use: of every process given this one,
		// only the lease holder exchanges it; the others adopt the tokens
		// it stores.
		resp, err = zoho.ExchangeGrant(ctx, s.opts.HTTPClient, s.endpoint, t.ClientID, t.ClientSecret, t.GrantToken, t.RedirectURL)
		rt = rtDigest("grant\x00" + t.GrantToken)
	}
	var zerr *zoho.Error
	switch {
	case err == nil:
		return c.save(ctx, t.ID, resp.Token(s.opts.Now()))
	case errors.Is(err, zoho.ErrThrottled) && errors.As(err, &zerr):
		c.release(ctx, t.ID, metaThrottle, mark{RT: rt, Until: zerr.Until})
		if !t.Expired(s.opts.Now(), 0) {
			return t, nil
		}
		return tokenstore.Token{}, &ThrottledError{Until: zerr.Until}
	case errors.Is(err, zoho.ErrRevoked), errors.Is(err, zoho.ErrInvalidGrant):
		c.release(ctx, t.ID, metaRevoked, mark{RT: rt})
		return tokenstore.Token{}, ErrRevoked
	}
	// Anything else (a network error, a deadline, a bad answer) records
	// nothing: the lease is released for the next caller to try, or, if
	// ctx has ended, expires by itself.
	c.release(ctx, t.ID, "", nil)
	return tokenstore.Token{}, fmt.Errorf("refresh: %w", err)
}

// save merges the endpoint's answer into the record and drops the lease
// and any throttle mark. If another process stored a valid token in the
// meantime (this one was slower than LeaseTTL), that token stays.
func (c *caller) save(ctx context.Context, id string, got tokenstore.Token) (tokenstore.Token, error) {
	s := c.Source
	var kept bool
	rec, err := s.upd.UpdateToken(ctx, id, func(r tokenstore.Record) (tokenstore.Record, error) {
		kept = !r.Token.Expired(s.opts.Now(), s.opts.Skew)
		if !kept {
			r.Token = driver.Merge(r.Token, got)
		}
		if l := readState(r.Meta).lease; l != nil && l.Owner == c.owner {
			r.Meta = with(r.Meta, metaLease, nil)
		}
		r.Meta = with(r.Meta, metaThrottle, nil)
		return r, nil
	})
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("refresh: storing the new access token: %w", err)
	}
	if !kept && s.opts.OnTokenChange != nil {
		s.opts.OnTokenChange(rec.Token)
	}
	return rec.Token, nil
}

// release drops this process's lease and sets the metadata entry name to
// v (none when name is empty), best effort: a lease left behind expires.
func (c *caller) release(ctx context.Context, id, name string, v any) {
	s := c.Source
	if ctx.Err() != nil {
		return
	}
	_, _ = s.upd.UpdateToken(ctx, id, func(r tokenstore.Record) (tokenstore.Record, error) {
		if l := readState(r.Meta).lease; l != nil && l.Owner == c.owner {
			r.Meta = with(r.Meta, metaLease, nil)
		}
		if name != "" {
			r.Meta = with(r.Meta, name, v)
		}
		return r, nil
	})
}
