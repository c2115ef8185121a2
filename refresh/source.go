package refresh

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/clock"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// Source gives a valid access token of one stored record to every caller
// of every process sharing the store, with one call of the token endpoint
// per expiry across them all. See the package documentation.
type Source struct {
	store    tokenstore.Store
	upd      tokenstore.Updater
	query    tokenstore.Token
	accounts zoho.Accounts
	opts     Options

	cur   atomic.Pointer[current] // what Current hands out, and until when
	looks singleflight.Group      // one look at the store at a time per Source
	bg    atomic.Bool             // a RefreshAhead look runs
	stats stats
}

// current is a token this Source hands out without looking at the store,
// with what is derived from it once: the oauth2 form and the times.
type current struct {
	tok   tokenstore.Token
	oauth *oauth2.Token // shared by every caller: see TokenContext
	due   time.Time     // look at the store again from here on
	ahead time.Time     // start a background refresh from here on (RefreshAhead)
}

var (
	_ oauth2.TokenSource      = (*Source)(nil)
	_ zoho.TokenSourceContext = (*Source)(nil)
)

// New returns a Source for the record that query selects (by ID or user
// name, see tokenstore.Lookup) in store, refreshed at endpoint (see
// zoho.DC.Endpoint). The store must implement tokenstore.Updater, and
// store a record's Meta (every store of this module does, and a cache
// does when the store behind it does). New makes no call.
func New(store tokenstore.Store, query tokenstore.Token, endpoint oauth2.Endpoint, opts *Options) (*Source, error) {
	upd, ok := store.(tokenstore.Updater)
	if !ok {
		return nil, fmt.Errorf("refresh: new: the store cannot read-modify-write (tokenstore.Updater): %w", errors.ErrUnsupported)
	}
	if _, err := tokenstore.Lookup(query); err != nil {
		return nil, fmt.Errorf("refresh: new: %w", err)
	}
	if endpoint.TokenURL == "" {
		return nil, errors.New("refresh: new: the endpoint has no TokenURL")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if o.Owner == "" {
		o.Owner = randomName()
	}
	return &Source{store: store, upd: upd, query: query, opts: o,
		accounts: zoho.Accounts{Endpoint: endpoint, HTTPClient: o.HTTPClient, AllowAPIDomains: o.AllowAPIDomains}}, nil
}

func randomName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Token implements oauth2.TokenSource. It takes no context
// (golang.org/x/oauth2's design), so it waits at most twice LeaseTTL;
// prefer TokenContext.
func (s *Source) Token() (*oauth2.Token, error) {
	if c := s.valid(); c != nil {
		return c.oauth, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.opts.LeaseTTL)
	defer cancel()
	return s.TokenContext(ctx)
}

// TokenContext returns a valid access token as an oauth2.Token whose type
// is Zoho's scheme and whose Extra("api_domain") is the record's API
// domain; it carries no refresh token. The same *oauth2.Token is returned
// to every caller while it is valid, as oauth2.ReuseTokenSource does: do
// not change it. It is golang.org/x/oauth2's plain struct, so %v and
// json.Marshal print the access token: log zoho.RedactToken(tok) instead.
func (s *Source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if c := s.valid(); c != nil {
		return c.oauth, nil
	}
	c, err := s.slow(ctx)
	if err != nil {
		return nil, err
	}
	return c.oauth, nil
}

// Current returns the stored record with a valid access token: at once
// while the stored one has more than Skew left; otherwise after this
// process, or another one, has refreshed it. While another process
// refreshes and the stored token is still valid (within Skew), it returns
// that token at once; with no valid token left it waits, as long as ctx
// allows. A refresh token the endpoint throttled gives the old token while
// it is still valid, then a *ThrottledError; a revoked one gives
// ErrRevoked until a new refresh token is saved.
func (s *Source) Current(ctx context.Context) (tokenstore.Token, error) {
	if c := s.valid(); c != nil {
		return c.tok, nil
	}
	c, err := s.slow(ctx)
	if err != nil {
		return tokenstore.Token{}, err
	}
	return c.tok, nil
}

// valid is the fast path: the token this Source handed out last, while it
// needs no look at the store. It allocates nothing.
func (s *Source) valid() *current {
	c := s.cur.Load()
	if c == nil {
		return nil
	}
	now := s.opts.Now()
	if !now.Before(c.due) {
		return nil
	}
	if !now.Before(c.ahead) {
		s.startAhead()
	}
	return c
}

// hold makes t what the fast path hands out until due (never past its
// expiry), starting a background refresh RefreshAhead before the skew.
func (s *Source) hold(t tokenstore.Token, due time.Time) *current {
	if !t.Expiry.IsZero() && t.Expiry.Before(due) {
		due = t.Expiry
	}
	c := &current{tok: t, due: due, ahead: due}
	if s.opts.RefreshAhead > 0 && !t.Expiry.IsZero() {
		if a := t.Expiry.Add(-s.opts.Skew - s.opts.RefreshAhead); a.Before(due) {
			c.ahead = a
		}
	}
	o := &oauth2.Token{AccessToken: t.AccessToken, TokenType: zoho.AuthScheme, Expiry: t.Expiry}
	c.oauth = o.WithExtra(map[string]any{"api_domain": t.APIDomain})
	s.cur.Store(c)
	return c
}

// dueFor is when a valid token t needs its next look: Skew before its
// expiry, or, for a token of unknown expiry, after MinInterval.
func (s *Source) dueFor(t tokenstore.Token, now time.Time) time.Time {
	if t.Expiry.IsZero() {
		return now.Add(s.opts.MinInterval)
	}
	return t.Expiry.Add(-s.opts.Skew)
}

// slow looks at the store until it yields a token or an error, waiting
// between looks while another process refreshes, as long as ctx allows.
// Looks are shared by the callers of this Source and run on their own
// bound (LeaseTTL), so a caller that gives up stops nobody else.
func (s *Source) slow(ctx context.Context) (*current, error) {
	wait := s.opts.Wait
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("refresh: %w", err)
		}
		ch := s.looks.DoChan("", func() (any, error) { return s.look(s.opts.Skew), nil })
		var res lookResult
		select {
		case r := <-ch:
			res = r.Val.(lookResult)
		case <-ctx.Done():
			return nil, fmt.Errorf("refresh: %w", ctx.Err())
		}
		switch {
		case res.cur != nil:
			return res.cur, nil
		case res.err != nil:
			return s.fallback(res.err)
		}
		s.stats.leaseWaits.Add(1)
		if err := clock.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("refresh: waiting for another process's refresh: %w", err)
		}
		wait = min(2*wait, s.opts.MaxWait)
	}
}

// fallback answers a look that failed: a token this Source holds that is
// still valid (within Skew) beats an error while the store is down; it is
// handed out until MaxWait from now, then the store is tried again.
func (s *Source) fallback(err error) (*current, error) {
	var te *ThrottledError
	if errors.Is(err, ErrRevoked) || errors.Is(err, ErrNoRefreshToken) || errors.As(err, &te) {
		return nil, err // the record says so: no older token helps
	}
	if c := s.cur.Load(); c != nil {
		now := s.opts.Now()
		if !c.tok.Expired(now, 0) {
			return s.hold(c.tok, now.Add(s.opts.MaxWait)), nil
		}
	}
	return nil, err
}

// startAhead starts one background look with the margin widened by
// RefreshAhead, unless one runs.
func (s *Source) startAhead() {
	if !s.bg.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.bg.Store(false)
		s.look(s.opts.Skew + s.opts.RefreshAhead)
	}()
}
