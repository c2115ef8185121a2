package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// staleRead is one read path that may answer from the stale window.
type staleRead struct {
	name string
	kind tokenstore.KeyKind
	find func(context.Context, *Store) (tokenstore.Token, error)
}

// staleReads returns every read path that consults the stale window for
// a: FindToken by each lookup key a has, and FindTokenByID. (GetTokens
// neither uses nor fills the cache.)
func staleReads(a tokenstore.Token) []staleRead {
	var rs []staleRead
	for _, q := range queries(a) {
		k, err := tokenstore.Lookup(q)
		if err != nil {
			continue // a has no such key
		}
		rs = append(rs, staleRead{"FindToken/" + k.Kind.String(), k.Kind,
			func(ctx context.Context, s *Store) (tokenstore.Token, error) { return s.FindToken(ctx, q) }})
	}
	return append(rs, staleRead{"FindTokenByID", tokenstore.KeyID,
		func(ctx context.Context, s *Store) (tokenstore.Token, error) { return s.FindTokenByID(ctx, a.ID) }})
}

// TestStaleNeverServesExpiredToken: with StaleIfError and a failing backend,
// no read path returns an access token that has expired or is within
// ExpirySkew of expiry; it returns the backend's error, counted as an error
// and not as a stale answer. A token still valid, or with an unknown (zero)
// Expiry, or a record with no access token, is served stale.
func TestStaleNeverServesExpiredToken(t *testing.T) {
	c := newClock()
	const (
		ttl  = time.Minute
		skew = 30 * time.Second
	)
	for _, tc := range []struct {
		name      string
		edit      func(*tokenstore.Token) // the record, from tok(c, 0)
		loadAt    time.Duration           // when the cache reads it, after c's now
		failAt    time.Duration           // when the backend has failed and it is read again
		wantStale bool
	}{
		{"valid for an hour", nil, 0, 2 * time.Minute, true},
		{"expired a minute ago", expiresIn(2 * time.Minute), 0, 3 * time.Minute, false},
		{"within the skew", expiresIn(2 * time.Minute), 0, 100 * time.Second, false},
		{"at the skew", expiresIn(2 * time.Minute), 0, 90 * time.Second, false},
		{"just before the skew", expiresIn(2 * time.Minute), 0, 90*time.Second - time.Nanosecond, true},
		{"loaded within the skew", expiresIn(2 * time.Minute), 100 * time.Second, 110 * time.Second, false},
		{"loaded after expiry", expiresIn(2 * time.Minute), 3 * time.Minute, 4 * time.Minute, false},
		{"zero expiry: unknown, not expired", func(a *tokenstore.Token) { a.Expiry = time.Time{} }, 0, 2 * time.Hour, true},
		{"no access token", func(a *tokenstore.Token) { a.AccessToken = ""; a.Expiry = c.Now() }, 0, 2 * time.Minute, true},
	} {
		in := tok(c, 0)
		in.ID = "stale-1" // set here so that every read path can name it
		if tc.edit != nil {
			tc.edit(&in)
		}
		for _, r := range staleReads(in) {
			t.Run(tc.name+"/"+r.name, func(t *testing.T) {
				f := newFake()
				a := seed(t, f, in)
				if a.ID != in.ID {
					t.Fatalf("seeded ID %q; want %q", a.ID, in.ID)
				}
				clk := newClockAt(c.Now())
				var events []Event
				s := newCache(t, f, clk, func(o *Options) {
					o.TTL = ttl
					o.ExpirySkew = skew
					o.StaleIfError = 3 * time.Hour
					o.OnEvent = func(e Event) { events = append(events, e) }
				})
				clk.Advance(tc.loadAt)
				if _, err := s.FindTokenByID(context.Background(), a.ID); err != nil {
					t.Fatalf("FindTokenByID before the failure: %v", err)
				}
				clk.Advance(tc.failAt - tc.loadAt)
				down := errors.New("backend down")
				f.setFail(down)
				events = events[:0]

				got, err := r.find(context.Background(), s)
				st := s.Stats()
				if tc.wantStale {
					if err != nil {
						t.Fatalf("got error %v; want the stale value", err)
					}
					wantSame(t, "stale", got, a)
					if st.StaleServed != 1 || st.Errors != 1 {
						t.Fatalf("Stats: got %+v; want 1 stale served, 1 error", st)
					}
					if last := events[len(events)-1]; last.Kind != EventStale || last.Key != r.kind || !errors.Is(last.Err, down) {
						t.Fatalf("last event: got %+v; want a stale event with the backend's error", last)
					}
					return
				}
				if !errors.Is(err, down) {
					t.Fatalf("got %v, error %v; want no token and the backend's error", got, err)
				}
				if got != (tokenstore.Token{}) {
					t.Fatalf("got %v with the error; want the zero Token", got)
				}
				if st.StaleServed != 0 || st.Errors != 1 {
					t.Fatalf("Stats: got %+v; want 0 stale served, 1 error", st)
				}
				var sawError bool
				for _, e := range events {
					if e.Kind == EventStale {
						t.Fatalf("event %+v; want no stale event", e)
					}
					sawError = sawError || e.Kind == EventError && e.Key == r.kind && errors.Is(e.Err, down)
				}
				if !sawError {
					t.Fatalf("events %+v; want an error event with the backend's error", events)
				}
			})
		}
	}
}

// expiresIn returns an edit that sets a record's Expiry d after the test
// clock's start.
func expiresIn(d time.Duration) func(*tokenstore.Token) {
	return func(a *tokenstore.Token) { a.Expiry = newClock().Now().Add(d) }
}
