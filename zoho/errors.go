package zoho

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Every failed answer of the token endpoint is an *Error;
// test it with errors.Is against these, and with errors.As for its Code,
// Description and throttle Until.
var (
	// ErrThrottled means Zoho refused to create a token for now: more than
	// 10 access tokens from one refresh token in 10 minutes ("Access
	// Denied", "too many requests", "Token creation throttle limit
	// reached", usually with HTTP 200), more than 10 grant codes for a
	// client in 10 minutes ("access_denied"), or HTTP 429. Error.Until says
	// when to try again; retrying earlier only keeps the block in place.
	ErrThrottled = errors.New("zoho: token creation throttled")

	// ErrRevoked means the refresh token is no longer valid ("invalid_code"
	// on a refresh): the user revoked access, changed their password, or
	// made a 21st refresh token for the client. Only a new grant helps.
	ErrRevoked = errors.New("zoho: refresh token revoked or unknown")

	// ErrInvalidClient means Zoho does not know the client ID or the secret
	// is wrong ("invalid_client", "invalid_client_secret").
	ErrInvalidClient = errors.New("zoho: invalid client credentials")

	// ErrInvalidGrant means the grant code was refused: expired, already
	// used, unknown, or made for another client ("invalid_code" on an
	// exchange, "invalid_grant"). Grant codes are single-use; get a new one.
	ErrInvalidGrant = errors.New("zoho: invalid grant")

	// ErrInvalidRedirectURI means the redirect URL of an exchange is not
	// the one registered for the client ("invalid_redirect_uri").
	ErrInvalidRedirectURI = errors.New("zoho: invalid redirect URI")

	// ErrUnsupportedGrantType means Zoho does not accept the grant type
	// ("unsupported_grant_type").
	ErrUnsupportedGrantType = errors.New("zoho: unsupported grant type")

	// ErrServer means the token endpoint failed on its side: HTTP 5xx
	// without a Zoho error code this package knows. Retrying later may help.
	ErrServer = errors.New("zoho: accounts server error")

	// ErrMalformed means the answer could not be understood: an empty body,
	// HTML or other non-JSON, a body over MaxResponseSize, a redirect (not
	// followed, since it would resend the secret), JSON with neither
	// an access token nor an error, or an expires_in that is not a
	// plausible number of seconds. The body itself is never quoted, since
	// it may hold a token.
	ErrMalformed = errors.New("zoho: malformed token response")
)

// Error is a failed answer of the token endpoint. It never holds the raw
// body, a token, the grant code or the client secret: Description is
// Zoho's error_description with any of the request's secrets cut out and
// trimmed to a line, or this package's account of what was wrong.
type Error struct {
	// Op is the grant type of the request: "refresh_token" or
	// "authorization_code".
	Op string
	// StatusCode is the HTTP status of the answer; Zoho sends 200 with most
	// errors, throttling included.
	StatusCode int
	// Code is Zoho's error code as sent ("invalid_code", "Access Denied"),
	// or empty when the body had none.
	Code string
	// Description is Zoho's error_description (cleaned as above) or, for
	// answers without one, what was wrong with the answer.
	Description string
	// Until is set for throttling: when to try again. Zoho does not say
	// when its window ends, so Until is the time the refusal was received
	// plus ThrottleWindow, unless a Retry-After header gives a time (at
	// most MaxRetryAfter ahead). A window opens before the refusal, so this
	// is never earlier than the real end; a fleet should keep the Until of
	// the first refusal it sees rather than push it on with later ones.
	Until time.Time

	kind error
}

// ThrottleWindow is the length of Zoho's token-creation window: at most 10
// access tokens per refresh token, and 10 grant codes per client, in any
// window.
const ThrottleWindow = 10 * time.Minute

// MaxRetryAfter bounds how far ahead a Retry-After header may move Until.
const MaxRetryAfter = 24 * time.Hour

// Error implements error: "zoho: <op>: <what> (HTTP <status>, <code>): <description>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("zoho: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	what := "token request failed"
	if e.kind != nil {
		what = strings.TrimPrefix(e.kind.Error(), "zoho: ")
	}
	b.WriteString(what)
	fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, ", %q", e.Code)
	}
	b.WriteByte(')')
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if !e.Until.IsZero() {
		b.WriteString("; retry after ")
		b.WriteString(e.Until.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// Unwrap returns the sentinel e matches (ErrThrottled, ErrRevoked, …), or
// nil for an error code this package does not know.
func (e *Error) Unwrap() error { return e.kind }

// RetryAfter returns how long from now to wait before trying again: zero
// when e is not a throttle or Until has passed.
func (e *Error) RetryAfter(now time.Time) time.Duration {
	if e.Until.IsZero() || !now.Before(e.Until) {
		return 0
	}
	return e.Until.Sub(now)
}
