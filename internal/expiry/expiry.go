// Package expiry is the persisted form of a token's Expiry: RFC 3339 in
// UTC with nanoseconds. It is its own package so that the record codec
// (package driver) and tokenstore.Validate, which must refuse exactly what
// the codec cannot round-trip, share one definition without the root
// package importing driver.
package expiry

import "time"

// Format returns e as a record keeps it.
func Format(e time.Time) string { return e.UTC().Format(time.RFC3339Nano) }

// Parse reads what Format wrote, in UTC.
func Parse(s string) (time.Time, error) {
	e, err := time.Parse(time.RFC3339Nano, s)
	return e.UTC(), err
}

// Kept reports whether a record holds e exactly: Format's output parses
// back to the same instant. Location and monotonic reading are dropped by
// design; a zero e means unknown, is not encoded, and counts as kept.
//
// RFC 3339 keeps every nanosecond, and its four-digit year is the only
// limit: Parse refuses what Format writes for a UTC year below 0 or above
// 9999, and gives back every other instant. So Kept checks the year, which
// costs every save nothing, rather than formatting and parsing e
// (TestKeptIsRoundTrip holds the two to each other).
func Kept(e time.Time) bool {
	if e.IsZero() {
		return true
	}
	y := e.UTC().Year()
	return 0 <= y && y <= 9999
}
