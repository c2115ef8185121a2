package refresh

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// Defaults for the zero fields of Options.
const (
	DefaultSkew        = time.Minute
	DefaultLeaseTTL    = 30 * time.Second
	DefaultWait        = 50 * time.Millisecond
	DefaultMaxWait     = time.Second
	DefaultMinInterval = 2 * time.Minute
)

// Bounds on Options, so that no setting makes a fleet call the token
// endpoint again and again (Zoho throttles a refresh token after 10 access
// tokens in 10 minutes). New refuses values beyond them.
const (
	// MaxMargin bounds Skew + RefreshAhead: half of a Zoho access token's
	// hour. A wider margin would refresh each token soon after it was made.
	MaxMargin = 30 * time.Minute
	// MaxLeaseTTL bounds LeaseTTL: a dead holder keeps the fleet waiting
	// (when no valid token is left) at most this long.
	MaxLeaseTTL = 5 * time.Minute
	// MinLeaseTTL is the shortest LeaseTTL: a token endpoint call and a
	// store write must fit in it.
	MinLeaseTTL = time.Second
)

// Options configures a Source. A nil *Options means every default; a zero
// field means its default; a negative duration, or one beyond the bounds
// above, is an error from New.
type Options struct {
	// Skew: an access token with less than this left is refreshed.
	// Default DefaultSkew.
	Skew time.Duration
	// LeaseTTL bounds how long one process may hold the refresh of a
	// record: a process that died holding it is taken over after this
	// long, and a holder finishes its call and its write within it, even
	// when the caller that started them has gone. It must exceed a token
	// endpoint call plus a store write. Default DefaultLeaseTTL, at least
	// MinLeaseTTL, at most MaxLeaseTTL.
	LeaseTTL time.Duration
	// Wait and MaxWait shape how often a caller with no valid token looks
	// again while another process refreshes: Wait, doubling up to MaxWait.
	// Defaults DefaultWait and DefaultMaxWait.
	Wait, MaxWait time.Duration
	// MinInterval is the shortest time between two refreshes of one
	// refresh token while its access token is still valid (refresh-ahead,
	// a token within Skew, a refused token): at most one refresh per
	// MinInterval, whatever the token lifetime, Skew or API answers. A
	// token that has expired is always refreshed. Default
	// DefaultMinInterval (5 of Zoho's 10 tokens per 10 minutes at worst).
	MinInterval time.Duration
	// HTTPClient calls the token endpoint; nil means http.DefaultClient.
	// Calls are bounded by LeaseTTL whatever its Timeout.
	HTTPClient *http.Client
	// AllowAPIDomains lists origins besides Zoho's API hosts that a token
	// response's api_domain may name and Client may send tokens to: a local
	// fake such as zohotest in tests (see zoho.CheckAPIDomain). Production
	// code leaves it empty.
	AllowAPIDomains []string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Owner names this process in leases; default a random name. It is
	// stored in the record's metadata, so it must hold no secret.
	Owner string
	// OnTokenChange, if set, is called with each token this Source stored
	// after a refresh (not with tokens other processes stored). A panic in
	// it is recovered and logged.
	OnTokenChange func(tokenstore.Token)
	// RefreshAhead, if set, refreshes in the background once a token has
	// less than Skew + RefreshAhead left: Current returns the valid token
	// at once and starts one refresh (one per Source at a time, under the
	// same lease as any other), so that callers rarely wait. Default 0:
	// refresh only when a caller needs it. Skew + RefreshAhead is at most
	// MaxMargin.
	RefreshAhead time.Duration
	// Logger receives what a caller does not see: answers dropped because
	// the lease was lost, failed background refreshes, a panicking
	// OnTokenChange. Never a token or a secret. Nil means no logging.
	Logger *slog.Logger
}

// withDefaults checks o and fills its zero fields.
func (o Options) withDefaults() (Options, error) {
	if o.Skew < 0 || o.LeaseTTL < 0 || o.Wait < 0 || o.MaxWait < 0 || o.RefreshAhead < 0 || o.MinInterval < 0 {
		return o, errors.New("refresh: new: negative Skew, LeaseTTL, Wait, MaxWait, MinInterval or RefreshAhead")
	}
	o.Skew = orDefault(o.Skew, DefaultSkew)
	o.LeaseTTL = orDefault(o.LeaseTTL, DefaultLeaseTTL)
	o.Wait = orDefault(o.Wait, DefaultWait)
	o.MaxWait = max(orDefault(o.MaxWait, DefaultMaxWait), o.Wait)
	o.MinInterval = orDefault(o.MinInterval, DefaultMinInterval)
	switch {
	case o.Skew+o.RefreshAhead > MaxMargin:
		return o, errors.New("refresh: new: Skew + RefreshAhead exceeds MaxMargin (30 minutes): every token would be refreshed soon after it was made")
	case o.LeaseTTL < MinLeaseTTL || o.LeaseTTL > MaxLeaseTTL:
		return o, errors.New("refresh: new: LeaseTTL must be between MinLeaseTTL (1 s) and MaxLeaseTTL (5 min)")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.AllowAPIDomains = append([]string(nil), o.AllowAPIDomains...)
	return o, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
