package expiry

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// roundTrips is what Kept promises, said the long way: Format's output
// parses back to the same instant.
func roundTrips(e time.Time) bool {
	got, err := Parse(Format(e))
	return err == nil && got.Equal(e)
}

// TestKeptIsRoundTrip holds Kept to the round trip at the edges of the
// years RFC 3339 can write, in zones that move the UTC year across them,
// with and without nanoseconds and a monotonic reading, and at random
// instants over the whole range of time.Time.
func TestKeptIsRoundTrip(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -12*3600-1800)}
	var times []time.Time
	for _, y := range []int{-10000, -1, 0, 1, 1969, 1970, 2026, 9999, 10000, 12345} {
		for _, loc := range zones {
			for _, at := range []struct{ month, day, hour, nsec int }{{1, 1, 0, 0}, {1, 1, 5, 1}, {12, 31, 23, 999999999}, {6, 15, 12, 500}} {
				times = append(times, time.Date(y, time.Month(at.month), at.day, at.hour, 59, 59, at.nsec, loc))
			}
		}
	}
	times = append(times, time.Now(), time.Now().Add(time.Hour), time.Unix(0, 0), time.Unix(math.MaxInt64/4, 0),
		time.Unix(-62135596800-1, 0), time.Unix(-62167219200, 0), time.Unix(-62167219200-1, 0), time.Unix(253402300799, 999999999), time.Unix(253402300800, 0))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		// Seconds across years -100,000 to 100,000, and nanoseconds.
		sec := rng.Int64N(2*3_155_760_000_000) - 3_155_760_000_000 - 62135596800
		times = append(times, time.Unix(sec, rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))]))
	}
	for _, e := range times {
		if got, want := Kept(e), roundTrips(e); got != want {
			t.Errorf("Kept(%s) = %v; the round trip says %v", e.Format(time.RFC3339Nano), got, want)
		}
	}
	if !Kept(time.Time{}) {
		t.Errorf("Kept(zero) = false; want true (unknown is not encoded)")
	}
}

// FuzzKept: Kept agrees with the round trip on any instant.
func FuzzKept(f *testing.F) {
	f.Add(int64(0), int64(0), 0)
	f.Add(int64(253402300800), int64(0), 0)
	f.Add(int64(-62167219201), int64(999999999), 50400)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		e := time.Unix(sec, nsec).In(time.FixedZone("z", offset%(18*3600)))
		if e.IsZero() {
			return
		}
		if got, want := Kept(e), roundTrips(e); got != want {
			t.Errorf("Kept(%s) = %v; the round trip says %v", e.Format(time.RFC3339Nano), got, want)
		}
	})
}
