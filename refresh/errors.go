package refresh

import (
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
