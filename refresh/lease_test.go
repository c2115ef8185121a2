package refresh_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// waitCalls waits until the accounts server has seen n token requests.
func (f *fleet) waitCalls(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.srv.Stats().TokenCalls < n {
		if time.Now().After(deadline) {
			t.Fatalf("the accounts server saw %d token requests; want %d", f.srv.Stats().TokenCalls, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// setExpiry stores the record with its access token expiring at e.
func (f *fleet) setExpiry(t *testing.T, e time.Time) {
	t.Helper()
	upd := tokenstore.Token{ID: f.rec.ID, AccessToken: "secret-at-current", Expiry: e}
	if err := f.store().SaveToken(ctxT(t), &upd); err != nil {
		t.Fatal(err)
	}
}

// TestDeadHolderValidToken: while the holder of the lease is stuck (dead or
// slow) and the stored token is still valid (within Skew), every other caller
// gets that token at once.
func TestDeadHolderValidToken(t *testing.T) {
	f := newFleet(t, nil)
	f.setExpiry(t, f.clock.Now().Add(40*time.Second)) // within the default Skew of a minute
	release := f.srv.HoldNext()
	defer release()
	holder := f.source(t, refresh.Options{})
	got, err := holder.Current(ctxT(t)) // takes the lease; the refresh hangs in the background
	if err != nil || got.AccessToken != "secret-at-current" {
		t.Fatalf("the holder: %v; want the still-valid token at once", err)
	}
	f.waitCalls(t, 1)
	for i := range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		got, err := f.source(t, refresh.Options{}).Current(ctx)
		cancel()
		if err != nil || got.AccessToken != "secret-at-current" || time.Since(start) > 90*time.Millisecond {
			t.Fatalf("caller %d while the holder is stuck: %v after %v; want the valid token at once", i, err, time.Since(start))
		}
	}
	if n := f.srv.Stats().TokenCalls; n != 1 {
		t.Fatalf("%d token calls; want only the holder's", n)
	}
}

// TestCancelledHolderStores: the caller that took the lease gives up during
// the endpoint call; the answer is still stored and the lease released, so
// the fleet gets that token without waiting out the lease and without a
// second call.
func TestCancelledHolderStores(t *testing.T) {
	f := newFleet(t, nil)
	release := f.srv.HoldNext()
	holder := f.source(t, refresh.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	start := time.Now()
	_, err := holder.Current(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 200*time.Millisecond {
		t.Fatalf("the holder's caller: %v after %v; want its own deadline", err, time.Since(start))
	}
	release() // the endpoint answers after the caller has gone
	other := f.source(t, refresh.Options{})
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := other.Current(ctx)
	if err != nil || got.Expired(f.clock.Now(), time.Minute) {
		t.Fatalf("another process: %v; want the token the holder stored", err)
	}
	if st := f.srv.Stats(); st.TokenCalls != 1 || st.Refreshes != 1 {
		t.Fatalf("%d token calls, %d refreshes; want 1 and 1", st.TokenCalls, st.Refreshes)
	}
	stored, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
	if stored.AccessToken != got.AccessToken {
		t.Fatal("the stored token is not the one the holder got")
	}
	if s := holder.Stats(); s.TokenCalls != 1 || s.Refreshes != 1 {
		t.Fatalf("holder stats %+v; want 1 call and 1 refresh stored", s)
	}
}

// TestStalledHolderFenced: a holder stalls past its lease; meanwhile the user
// saves a new refresh token. The stalled answer, made from the old refresh
// token, is dropped rather than paired with the new one, and counted.
func TestStalledHolderFenced(t *testing.T) {
	f := newFleet(t, nil)
	release := f.srv.HoldNext()
	stalled := f.source(t, refresh.Options{LeaseTTL: 2 * time.Second})
	done := make(chan error, 1)
	go func() { _, err := stalled.Current(ctxT(t)); done <- err }()
	f.waitCalls(t, 1)
	f.clock.Advance(time.Minute) // the stalled holder's lease has expired
	rt2 := f.srv.NewRefreshToken(clientID)
	upd := tokenstore.Token{UserName: f.rec.UserName, RefreshToken: rt2}
	if err := f.store().SaveToken(ctxT(t), &upd); err != nil {
		t.Fatal(err)
	}
	// Hold the caller's next token call (from the new refresh token) until
	// the record has been checked, so that it cannot land in between.
	releaseNext := f.srv.HoldNext()
	defer releaseNext()
	release()
	deadline := time.Now().Add(5 * time.Second)
	for stalled.Stats().Dropped == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stalled answer was not dropped")
		}
		time.Sleep(time.Millisecond)
	}
	stored, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
	if stored.RefreshToken != rt2 || stored.AccessToken != f.rec.AccessToken {
		t.Fatalf("after the stalled answer: refresh token kept %v, access token unchanged %v; want both",
			stored.RefreshToken == rt2, stored.AccessToken == f.rec.AccessToken)
	}
	// The caller still gets a token: one refreshed from the new refresh token.
	releaseNext()
	if err := <-done; err != nil {
		t.Fatalf("the stalled holder's caller: %v", err)
	}
	stored, _ = f.store().FindTokenByID(ctxT(t), f.rec.ID)
	if stored.RefreshToken != rt2 || stored.Expired(f.clock.Now(), time.Minute) || f.srv.RefreshTokenOf(stored.AccessToken) != rt2 {
		t.Fatal("no valid token from the new refresh token")
	}
}

// TestStalledExchangerNotRevoked: a holder stalls exchanging a grant code; a
// second process takes over and exchanges it. The stalled one's
// "invalid_code" (the code is spent now) must not reach the record or its
// callers as ErrRevoked.
func TestStalledExchangerNotRevoked(t *testing.T) {
	f := newFleet(t, nil)
	code := f.srv.NewGrantCode(clientID)
	in := tokenstore.Token{UserName: "grant@example.com", ClientID: clientID, ClientSecret: clientSecret, GrantToken: code}
	if err := f.store().SaveToken(ctxT(t), &in); err != nil {
		t.Fatal(err)
	}
	source := func() *refresh.Source {
		return f.sourceFor(t, f.store(), in.UserName, refresh.Options{LeaseTTL: 2 * time.Second, Wait: time.Millisecond})
	}
	release := f.srv.HoldNext()
	stalled := source()
	done := make(chan error, 1)
	go func() { _, err := stalled.Current(ctxT(t)); done <- err }()
	f.waitCalls(t, 1)
	f.clock.Advance(time.Minute)
	if _, err := source().Current(ctxT(t)); err != nil {
		t.Fatalf("the process that took over: %v", err)
	}
	release() // the stalled exchange now meets a spent code
	if err := <-done; err != nil {
		t.Fatalf("the stalled exchanger's caller: %v; want the tokens the other stored", err)
	}
	if _, err := source().Current(ctxT(t)); err != nil {
		t.Fatalf("the fleet after the stalled answer: %v; want the stored token", err)
	}
	if st := f.srv.Stats(); st.Exchanges != 1 {
		t.Fatalf("%d exchanges; want 1", st.Exchanges)
	}
}

// TestFastClockLease: a lease whose until lies further ahead than LeaseTTL
// was written by a clock running fast; it does not stall the fleet.
func TestFastClockLease(t *testing.T) {
	f := newFleet(t, nil)
	upd := f.store().(tokenstore.Updater)
	_, err := upd.UpdateToken(ctxT(t), f.rec.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
		b, _ := json.Marshal(map[string]any{"owner": "fast", "id": "x", "until": f.clock.Now().Add(time.Hour)})
		r.Meta = tokenstore.Meta{"refresh.lease": b}
		return r, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := f.source(t, refresh.Options{}).Current(ctx); err != nil {
		t.Fatalf("with a lease an hour ahead (LeaseTTL 30 s): %v; want it taken over", err)
	}
}

// flakyStore fails every call while down is set.
type flakyStore struct {
	tokenstore.Store
	down atomic.Bool
}

var errDown = errors.New("store down")

func (s *flakyStore) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	if s.down.Load() {
		return tokenstore.Token{}, errDown
	}
	return s.Store.FindToken(ctx, q)
}

func (s *flakyStore) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	if s.down.Load() {
		return tokenstore.Record{}, errDown
	}
	return s.Store.(tokenstore.Updater).UpdateToken(ctx, id, fn)
}

// TestStoreDownValidToken: with the store down, a token held in memory that
// is still valid, though within Skew, is returned rather than an error; an
// expired one is an error naming the cause.
func TestStoreDownValidToken(t *testing.T) {
	f := newFleet(t, nil)
	fs := &flakyStore{Store: f.store()}
	src := f.sourceFor(t, fs, f.rec.UserName, refresh.Options{})
	first, err := src.Current(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	fs.down.Store(true)
	f.clock.Set(first.Expiry.Add(-30 * time.Second)) // within Skew, still valid
	got, err := src.Current(ctxT(t))
	if err != nil || got.AccessToken != first.AccessToken {
		t.Fatalf("store down, token valid for 30 s: %v; want the token", err)
	}
	f.clock.Set(first.Expiry.Add(time.Second))
	if _, err := src.Current(ctxT(t)); !errors.Is(err, errDown) {
		t.Fatalf("store down, token expired: %v; want the store's error", err)
	}
}

// TestTokenBounded: Token, which takes no context, returns within twice
// LeaseTTL on a hung accounts server, even with http.DefaultClient.
func TestTokenBounded(t *testing.T) {
	f := newFleet(t, nil)
	f.srv.SetHang(true)
	defer f.srv.SetHang(false)
	src, err := refresh.New(f.store(), tokenstore.Token{UserName: f.rec.UserName}, f.srv.Endpoint(),
		&refresh.Options{Now: f.clock.Now, LeaseTTL: time.Second, AllowAPIDomains: []string{f.srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { _, err := src.Token(); done <- err }()
	select {
	case err := <-done:
		if err == nil || time.Since(start) > 2500*time.Millisecond {
			t.Fatalf("Token on a hung server: %v after %v; want an error within 2 s", err, time.Since(start))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Token on a hung server did not return in 10 s")
	}
}

// TestOnTokenChangePanics: a panicking OnTokenChange in a background refresh
// does not crash the process, and the token is stored.
func TestOnTokenChangePanics(t *testing.T) {
	f := newFleet(t, nil)
	src := f.source(t, refresh.Options{RefreshAhead: 10 * time.Minute, OnTokenChange: func(tokenstore.Token) { panic("user code") }})
	first, err := src.Current(ctxT(t)) // refreshes in the foreground: its panic is recovered too
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(55 * time.Minute) // within RefreshAhead: a background refresh
	if _, err := src.Current(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		stored, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
		if stored.AccessToken != first.AccessToken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh stored nothing")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRefusedTokensBounded: an API that refuses every token with 401
// INVALID_OAUTHTOKEN makes the fleet expire and refresh at most once per
// MinInterval, not once per request; each token is expired once.
func TestRefusedTokensBounded(t *testing.T) {
	f := newFleet(t, nil)
	src := f.source(t, refresh.Options{})
	if _, err := src.Current(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	const requests, step = 120, 10 * time.Second // 20 minutes of requests
	for range requests {
		tok, err := src.Current(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Expire(ctxT(t), tok.AccessToken); err != nil { // what the API's refusal leads to
			t.Fatal(err)
		}
		if err := src.Expire(ctxT(t), tok.AccessToken); err != nil { // the same refusal, twice
			t.Fatal(err)
		}
		f.clock.Advance(step)
	}
	st := f.srv.Stats()
	limit := int(time.Duration(requests)*step/refresh.DefaultMinInterval) + 2
	t.Logf("%d requests refused over %v: %d refreshes, %d throttled", requests, time.Duration(requests)*step, st.Refreshes, st.Throttled)
	if st.Refreshes > limit || st.Throttled != 0 || int(src.Stats().Expired) > limit {
		t.Fatalf("%d refreshes, %d throttled, %d expired; want at most %d and 0 throttled", st.Refreshes, st.Throttled, src.Stats().Expired, limit)
	}
}

// TestShortLifetimeBounded: tokens that live less than Skew are refreshed at
// most once per MinInterval, not on every call.
func TestShortLifetimeBounded(t *testing.T) {
	f := newFleet(t, &zohotest.Options{TokenLifetime: zoho.MinExpiresIn})
	src := f.source(t, refresh.Options{Skew: 10 * time.Minute})
	const calls, step = 120, 10 * time.Second
	for range calls {
		if _, err := src.Current(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(step)
	}
	st := f.srv.Stats()
	limit := int(time.Duration(calls)*step/refresh.DefaultMinInterval) + 1
	t.Logf("2-minute tokens, Skew 10 min, a call every %v for %v: %d refreshes, %d throttled", step, time.Duration(calls)*step, st.Refreshes, st.Throttled)
	if st.Refreshes > limit || st.Throttled != 0 {
		t.Fatalf("%d refreshes, %d throttled; want at most %d and none throttled", st.Refreshes, st.Throttled, limit)
	}
}

// TestNewBounds: settings that would refresh again and again are refused.
func TestNewBounds(t *testing.T) {
	ep := zoho.US.Endpoint()
	f := newFleet(t, nil)
	for name, o := range map[string]refresh.Options{
		"RefreshAhead unbounded": {RefreshAhead: 24 * time.Hour},
		"Skew over MaxMargin":    {Skew: time.Hour},
		"LeaseTTL too long":      {LeaseTTL: time.Hour},
		"LeaseTTL too short":     {LeaseTTL: time.Millisecond},
		"negative MinInterval":   {MinInterval: -time.Second},
	} {
		if _, err := refresh.New(f.store(), tokenstore.Token{ID: f.rec.ID}, ep, &o); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

// TestFailureBackoff: an endpoint whose answers are refused (here an
// expires_in of 0: Zoho may have counted each as a token) is not called by
// every caller of every process: the failure is recorded with a backoff
// that doubles, so over ten minutes of callers every second the fleet
// calls it 8 times, under Zoho's 10 per window; callers get a RetryError
// of the recorded class.
func TestFailureBackoff(t *testing.T) {
	f := newFleet(t, nil)
	for range 100 {
		f.srv.Inject(200, `{"access_token":"1000.aa.bb","expires_in":0}`)
	}
	srcs := make([]*refresh.Source, 5)
	for i := range srcs {
		srcs[i] = f.source(t, refresh.Options{})
	}
	for second := range 600 {
		var wg sync.WaitGroup
		for _, src := range srcs {
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					defer cancel()
					_, err := src.Current(ctx)
					var re *refresh.RetryError
					if !errors.Is(err, zoho.ErrMalformed) || !errors.As(err, &re) || !re.Until.After(f.clock.Now()) {
						t.Errorf("second %d: %v; want a RetryError of the malformed class, the one who called included", second, err)
					}
				}()
			}
		}
		wg.Wait()
		f.clock.Advance(time.Second)
	}
	calls := f.srv.Stats().TokenCalls
	t.Logf("20 callers a second for 10 minutes against refused answers: %d token calls", calls)
	if calls > 8 {
		t.Fatalf("%d token calls in 10 minutes; want at most 8 (10 s doubling to 2 min)", calls)
	}
}
