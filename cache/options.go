package cache

import (
	"errors"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultTTL         = 5 * time.Minute
	DefaultJitter      = 0.1
	DefaultExpirySkew  = 30 * time.Second
	DefaultMaxEntries  = 10000
	DefaultLoadTimeout = 30 * time.Second
)

// Options configures a Store. A nil *Options means the defaults; so does the
// zero value of each field.
type Options struct {
	// TTL is the longest time an entry is served after the backend call
	// that produced it began. Default DefaultTTL. Negative is an error.
	TTL time.Duration

	// Jitter is the largest fraction of TTL taken off each entry's lifetime
	// at random, so that entries loaded together are not reloaded together.
	// Jitter only shortens: TTL stays an upper bound. Default
	// DefaultJitter; negative means none; 1 or more is an error.
	Jitter float64

	// ExpirySkew ends an entry's freshness this long before its access
	// token expires, so that a token about to expire is read from the
	// backend, where another instance may have stored a refreshed one.
	// Keep it at least as long as the margin your OAuth client refreshes
	// ahead of expiry (the Zoho SDKs use 5 seconds, golang.org/x/oauth2 10).
	// Default DefaultExpirySkew; negative means none.
	ExpirySkew time.Duration

	// MaxEntries bounds how many records (and, with NotFoundTTL, not-found
	// answers) the cache holds. Default DefaultMaxEntries; negative is an
	// error.
	MaxEntries int

	// NotFoundTTL, if positive, caches ErrNotFound answers for this long.
	// Default 0: every miss for an absent record asks the backend.
	NotFoundTTL time.Duration

	// StaleIfError, if positive, lets a find whose backend call fails
	// return the last value cached for its key, for up to this long after
	// that value stopped being fresh, instead of the error. Each such
	// answer is counted in Stats.StaleServed and reported to OnEvent with
	// the backend's error.
	//
	// A stale answer is never a record whose access token has expired or
	// is within ExpirySkew of its Expiry: from then on the find returns
	// the backend's error, counted in Stats.Errors and not as stale. A
	// record with a zero Expiry (unknown, not expired, as
	// tokenstore.Token.Expired reads it) or with no access token may be
	// served for the whole window. ErrNotFound answers are never served
	// stale, and a write or delete through this Store drops the value for
	// good.
	// Default 0: off.
	StaleIfError time.Duration

	// LoadTimeout bounds one backend find. A load serves every caller
	// waiting for the same key, so it runs detached from any one caller's
	// cancellation (keeping its context values); each caller still stops
	// waiting when its own context ends. Default DefaultLoadTimeout;
	// negative means no bound beyond the backend's own.
	LoadTimeout time.Duration

	// OnEvent, if set, is called for each cache event; see Event. It runs
	// synchronously (on every hit too) on the goroutine doing the work,
	// with no lock held, and must be fast and safe for concurrent use.
	OnEvent func(Event)

	// Now returns the current time. Default time.Now. Tests inject a clock.
	Now func() time.Time
}

// config is Options resolved to the values in force.
type config struct {
	ttl, skew, notFoundTTL, staleIfError, loadTimeout time.Duration
	jitter                                            float64
	maxEntries                                        int
	onEvent                                           func(Event)
	now                                               func() time.Time // nil: time.Now
}

func resolve(opts *Options) (config, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.TTL < 0:
		return config{}, errors.New("cache: new: negative TTL")
	case o.Jitter >= 1:
		return config{}, errors.New("cache: new: Jitter must be below 1")
	case o.MaxEntries < 0:
		return config{}, errors.New("cache: new: negative MaxEntries")
	}
	c := config{
		ttl:          or(o.TTL, DefaultTTL),
		skew:         max(or(o.ExpirySkew, DefaultExpirySkew), 0),
		notFoundTTL:  max(o.NotFoundTTL, 0),
		staleIfError: max(o.StaleIfError, 0),
		loadTimeout:  or(o.LoadTimeout, DefaultLoadTimeout),
		jitter:       max(or(o.Jitter, DefaultJitter), 0),
		maxEntries:   or(o.MaxEntries, DefaultMaxEntries),
		onEvent:      o.OnEvent,
		now:          o.Now,
	}
	return c, nil
}

// or returns v, or def when v is the zero value.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
