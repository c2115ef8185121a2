package refresh

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// RetryError says the last refresh of the record's token failed (a network
// error, a server error, an answer refused as malformed) and that no
// process of the fleet tries again before Until: a backoff recorded in the
// record, doubling from FirstBackoff up to MinInterval, so that a failing
// endpoint is not called by every caller of every process. Reason is the
// failure's text; it holds no secret.
type RetryError struct {
	Until  time.Time
	Reason string
	kind   string
	cause  error // the failure itself, for the process that met it
}

func (e *RetryError) Error() string {
	return "refresh: the last refresh failed (" + e.Reason + "); the fleet retries after " + e.Until.UTC().Format(time.RFC3339)
}

// Unwrap returns the failure itself in the process that met it (nil in
// the others, which know only its class and text).
func (e *RetryError) Unwrap() error { return e.cause }

// Is makes errors.Is(err, X) hold for the class of the failure recorded,
// whichever process met it: zoho.ErrMalformed, zoho.ErrServer,
// zoho.ErrInvalidClient, zoho.ErrAPIDomain, context.DeadlineExceeded, ….
func (e *RetryError) Is(target error) bool {
	for _, k := range kinds {
		if k.name == e.kind && k.err == target {
			return true
		}
	}
	return false
}

// kinds are the classes of failure a RetryError can name, by the name
// kept in the record.
var kinds = []struct {
	name string
	err  error
}{
	{"malformed", zoho.ErrMalformed},
	{"server", zoho.ErrServer},
	{"invalid_client", zoho.ErrInvalidClient},
	{"api_domain", zoho.ErrAPIDomain},
	{"redirect_uri", zoho.ErrInvalidRedirectURI},
	{"grant_type", zoho.ErrUnsupportedGrantType},
	{"deadline", context.DeadlineExceeded},
}

// kindOf names err's class for the record ("" for none of kinds).
func kindOf(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return ""
}
