package refresh

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/clock"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// Defaults for the zero fields of Options.
const (
	DefaultSkew     = time.Minute
	DefaultLeaseTTL = 30 * time.Second
	DefaultWait     = 50 * time.Millisecond
	DefaultMaxWait  = time.Second
)

// Options configures a Source. A nil *Options means every default; a zero
// field means its default; a negative duration is an error from New.
type Options struct {
	// Skew: an access token with less than this left is refreshed.
	// Default DefaultSkew.
	Skew time.Duration
	// LeaseTTL bounds how long one process may hold the refresh of a
	// record: a process that died holding it is taken over after this
	// long. It must exceed a token endpoint call. Default DefaultLeaseTTL.
	LeaseTTL time.Duration
	// Wait and MaxWait shape how often a caller looks again while another
	// process refreshes: Wait, doubling up to MaxWait. Defaults
	// DefaultWait and DefaultMaxWait.
	Wait, MaxWait time.Duration
	// HTTPClient calls the token endpoint; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Owner names this process in leases; default a random name. It is
	// stored in the record's metadata, so it must hold no secret.
	Owner string
	// OnTokenChange, if set, is called with each token this Source stored
	// after a refresh (not with tokens other processes stored).
	OnTokenChange func(tokenstore.Token)
	// RefreshAhead, if set, refreshes in the background once a token has
	// less than Skew + RefreshAhead left: Current returns the valid token
	// at once and starts one refresh (one per process at a time, under the
	// same lease as any other), so that callers rarely wait. Default 0:
	// refresh only when a caller needs it.
	RefreshAhead time.Duration
}

// Source gives a valid access token of one stored record to every caller
// of every process sharing the store, with one call of the token endpoint
// per expiry across them all. See the package documentation.
type Source struct {
	store    tokenstore.Store
	upd      tokenstore.Updater
	query    tokenstore.Token
	endpoint oauth2.Endpoint
	opts     Options
	early    atomic.Bool                      // a background refresh is running (RefreshAhead)
	last     atomic.Pointer[tokenstore.Token] // the last token returned, reused while valid
}

var _ oauth2.TokenSource = (*Source)(nil)

// New returns a Source for the record that query selects (by ID or user
// name, see tokenstore.Lookup) in store, refreshed at endpoint (see
// zoho.DC.Endpoint). The store must implement tokenstore.Updater. New
// makes no call.
func New(store tokenstore.Store, query tokenstore.Token, endpoint oauth2.Endpoint, opts *Options) (*Source, error) {
	upd, ok := store.(tokenstore.Updater)
	if !ok {
		return nil, fmt.Errorf("refresh: new: the store cannot read-modify-write (tokenstore.Updater): %w", errors.ErrUnsupported)
	}
	if _, err := tokenstore.Lookup(query); err != nil {
		return nil, fmt.Errorf("refresh: new: %w", err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Skew < 0 || o.LeaseTTL < 0 || o.Wait < 0 || o.MaxWait < 0 || o.RefreshAhead < 0 {
		return nil, errors.New("refresh: new: negative Skew, LeaseTTL, Wait, MaxWait or RefreshAhead")
	}
	o.Skew = orDefault(o.Skew, DefaultSkew)
	o.LeaseTTL = orDefault(o.LeaseTTL, DefaultLeaseTTL)
	o.Wait = orDefault(o.Wait, DefaultWait)
	o.MaxWait = max(orDefault(o.MaxWait, DefaultMaxWait), o.Wait)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owner == "" {
		o.Owner = randomName()
	}
	return &Source{store: store, upd: upd, query: query, endpoint: endpoint, opts: o}, nil
}

func randomName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Token implements oauth2.TokenSource, without a deadline: prefer
// TokenContext.
func (s *Source) Token() (*oauth2.Token, error) { return s.TokenContext(context.Background()) }

// TokenContext returns a valid access token as an oauth2.Token whose type
// is Zoho's scheme (see zoho.OAuth2Token).
func (s *Source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	t, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	return zoho.OAuth2Token(t), nil
}

// Current returns the stored record with a valid access token: at once
// while the stored one has more than Skew left; otherwise after this
// process, or another one, has refreshed it. It waits for another
// process's refresh as long as ctx allows. A refresh token the endpoint
// throttled gives the old token while it is still valid, then a
// *ThrottledError; a revoked one gives ErrRevoked until a new refresh
// token is saved.
func (s *Source) Current(ctx context.Context) (tokenstore.Token, error) {
	wait := s.opts.Wait
	// Each call holds a lease of its own, so that concurrent calls of one
	// process take turns like those of different processes.
	c := &caller{Source: s, owner: s.opts.Owner + "/" + randomName()}
	for {
		if err := ctx.Err(); err != nil {
			return tokenstore.Token{}, fmt.Errorf("refresh: %w", err)
		}
		// The fast paths: the token this Source last returned while it
		// is valid (as oauth2.ReuseTokenSource does), then a plain find
		// (with a cache in front of the store, no backend call either).
		if t := s.last.Load(); t != nil && !t.Expired(s.opts.Now(), s.opts.Skew) {
			s.ahead(*t)
			return *t, nil
		}
		t, err := s.find(ctx)
		if err != nil {
			return tokenstore.Token{}, err
		}
		if !t.Expired(s.opts.Now(), s.opts.Skew) {
			s.last.Store(&t)
			s.ahead(t)
			return t, nil
		}
		id := t.ID
		var out outcome
		rec, err := s.upd.UpdateToken(ctx, id, func(r tokenstore.Record) (tokenstore.Record, error) {
			out = c.decide(r)
			if out == takeLease {
				r.Meta = with(r.Meta, metaLease, lease{Owner: c.owner, Until: s.opts.Now().Add(s.opts.LeaseTTL)})
			}
			return r, nil
		})
		if err != nil {
			return tokenstore.Token{}, fmt.Errorf("refresh: %w", err)
		}
		switch out {
		case fresh:
			s.last.Store(&rec.Token)
			return rec.Token, nil
		case takeLease:
			t, err := c.refresh(ctx, rec)
			if err == nil && !t.Expired(s.opts.Now(), s.opts.Skew) {
				s.last.Store(&t)
			}
			return t, err
		case waitLease:
			if err := clock.Sleep(ctx, wait); err != nil {
				return tokenstore.Token{}, fmt.Errorf("refresh: waiting for another process's refresh: %w", err)
			}
			wait = min(2*wait, s.opts.MaxWait)
		default:
			return s.refused(rec, out)
		}
	}
}

// ahead starts a background refresh when t is within RefreshAhead of the
// skew and none is running. Its Current call sees the token as due, under
// a Skew widened by RefreshAhead, and takes the lease like any caller.
func (s *Source) ahead(t tokenstore.Token) {
	if s.opts.RefreshAhead <= 0 || !t.Expired(s.opts.Now(), s.opts.Skew+s.opts.RefreshAhead) || !s.early.CompareAndSwap(false, true) {
		return
	}
	o := s.opts
	o.Skew, o.RefreshAhead = o.Skew+o.RefreshAhead, 0
	bg := &Source{store: s.store, upd: s.upd, query: s.query, endpoint: s.endpoint, opts: o}
	go func() {
		defer s.early.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.LeaseTTL)
		defer cancel()
		// Its errors reach the next caller that needs a token; its token
		// replaces the one this Source hands out.
		if t, err := bg.Current(ctx); err == nil {
			s.last.Store(&t)
		}
	}()
}

// outcome is what one look at the record decides.
type outcome int

const (
	fresh     outcome = iota // the access token is valid: use it
	takeLease                // expired and free: take the lease and refresh
	waitLease                // another process holds a live lease: wait
	throttled                // the endpoint throttled this refresh token
	revoked                  // the endpoint revoked this refresh token
	noRefresh                // there is no refresh token to refresh with
)

// caller is one call of Current: its Source, and the owner its lease
// carries.
type caller struct {
	*Source
	owner string
}

func (c *caller) decide(r tokenstore.Record) outcome {
	s := c.Source
	now, t := s.opts.Now(), r.Token
	if !t.Expired(now, s.opts.Skew) {
		return fresh
	}
	st, rt := readState(r.Meta), rtDigest(t.RefreshToken)
	if t.RefreshToken == "" {
		// A grant code not yet exchanged is exchanged once, under the
		// same lease as a refresh; a spent one is marked revoked.
		rt = rtDigest("grant\x00" + t.GrantToken)
	}
	switch {
	case t.RefreshToken == "" && t.GrantToken == "":
		return noRefresh
	case st.revoked != nil && st.revoked.RT == rt:
		return revoked
	case st.throttle != nil && st.throttle.RT == rt && now.Before(st.throttle.Until):
		return throttled
	case st.lease != nil && st.lease.Owner != c.owner && now.Before(st.lease.Until):
		return waitLease
	}
	return takeLease
}

// refused answers a caller when the record says no refresh may be made.
func (s *Source) refused(rec tokenstore.Record, out outcome) (tokenstore.Token, error) {
	switch out {
	case throttled:
		if !rec.Token.Expired(s.opts.Now(), 0) {
			return rec.Token, nil // still valid, if within the skew
		}
		return tokenstore.Token{}, &ThrottledError{Until: readState(rec.Meta).throttle.Until}
	case revoked:
		return tokenstore.Token{}, ErrRevoked
	}
	return tokenstore.Token{}, ErrNoRefreshToken
}

// find reads the record the query selects.
func (s *Source) find(ctx context.Context) (tokenstore.Token, error) {
	t, err := s.store.FindToken(ctx, s.query)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("refresh: %w", err)
	}
	return t, nil
}
