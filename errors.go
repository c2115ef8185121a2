package tokenstore

import "errors"

// Sentinel errors. Stores wrap them, so test with errors.Is; the backend's own
// error stays reachable with errors.As.
var (
	// ErrNotFound means no record matches the query or ID.
	ErrNotFound = errors.New("tokenstore: token not found")

	// ErrInvalidToken means the input was refused before any backend call: a
	// query with no lookup key, a token with no access, refresh or grant
	// token, a malformed ID, a field that is not valid UTF-8, or an Expiry
	// outside what a record keeps (years 0 to 9999 in UTC).
	ErrInvalidToken = errors.New("tokenstore: invalid token")

	// ErrTooLarge means the token's persisted record, with its metadata,
	// would exceed the 64 KiB every store accepts (driver.MaxRecordSize).
	// Nothing was written.
	ErrTooLarge = errors.New("tokenstore: token too large")

	// ErrDuplicate means the save would give a user name that belongs to
	// another record to this one. Nothing was written.
	ErrDuplicate = errors.New("tokenstore: user name belongs to another token")

	// ErrConflict means concurrent writers kept changing the record through
	// every retry. Nothing was written by this call; it is safe to retry.
	ErrConflict = errors.New("tokenstore: concurrent update conflict")

	// ErrCorrupt means a stored record could not be decoded: damaged data or
	// an envelope version this package does not know.
	ErrCorrupt = errors.New("tokenstore: corrupt record")
)
