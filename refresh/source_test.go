package refresh_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

const (
	clientID     = "1000.CLIENT"
	clientSecret = "secret-client-secret"
)

// fleet is a fake accounts server, a shared memory backend holding one
// record, and a clock both follow.
type fleet struct {
	clock   *zohotest.Clock
	srv     *zohotest.Server
	backend *memstore.Shared
	rec     tokenstore.Token
}

func newFleet(t testing.TB, opts *zohotest.Options) *fleet {
	t.Helper()
	f := &fleet{clock: zohotest.NewClock(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)), backend: memstore.NewShared()}
	if opts == nil {
		opts = &zohotest.Options{}
	}
	opts.Now = f.clock.Now
	f.srv = zohotest.NewServer(opts)
	t.Cleanup(f.srv.Close)
	f.srv.Client(clientID, clientSecret)
	f.rec = tokenstore.Token{
		UserName: "alice@example.com", ClientID: clientID, ClientSecret: clientSecret,
		RefreshToken: f.srv.NewRefreshToken(clientID), AccessToken: "secret-at-expired",
		Expiry: f.clock.Now().Add(-time.Minute),
	}
	if err := f.store().SaveToken(context.Background(), &f.rec); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	return f
}

// store is one instance's store: a Store value of its own over the shared
// backend, as a process has.
func (f *fleet) store() tokenstore.Store { return memstore.New(&memstore.Options{Shared: f.backend}) }

// source is one instance's token source.
func (f *fleet) source(t *testing.T, o refresh.Options) *refresh.Source {
	t.Helper()
	o.Wait = time.Millisecond
	return f.sourceFor(t, f.store(), f.rec.UserName, o)
}

// sourceFor is the token source of user's record over s, on the fleet's
// clock and accounts server, with o's other settings.
func (f *fleet) sourceFor(tb testing.TB, s tokenstore.Store, user string, o refresh.Options) *refresh.Source {
	tb.Helper()
	o.Now, o.HTTPClient, o.AllowAPIDomains = f.clock.Now, f.srv.HTTPClient(), []string{f.srv.URL()}
	src, err := refresh.New(s, tokenstore.Token{UserName: user}, f.srv.Endpoint(), &o)
	if err != nil {
		tb.Fatalf("refresh.New: %v", err)
	}
	return src
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestOneRefreshPerExpiry: 8 instances × 8 goroutines find the token
// expired at once; exactly one token endpoint call is made and everyone
// gets the same new access token, which the store holds.
func TestOneRefreshPerExpiry(t *testing.T) {
	f := newFleet(t, nil)
	tokens := make(chan string, 64)
	var wg sync.WaitGroup
	for range 8 {
		src := f.source(t, refresh.Options{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := src.Current(ctxT(t))
				if err != nil {
					t.Errorf("Current: %v", err)
					return
				}
				tokens <- tok.AccessToken
			}()
		}
	}
	wg.Wait()
	close(tokens)
	var first string
	for at := range tokens {
		if first == "" {
			first = at
		}
		if at != first || at == f.rec.AccessToken {
			t.Fatalf("callers got different or expired access tokens")
		}
	}
	if st := f.srv.Stats(); st.TokenCalls != 1 || st.Refreshes != 1 {
		t.Fatalf("token endpoint: %d calls, %d refreshes; want exactly 1", st.TokenCalls, st.Refreshes)
	}
	stored, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
	if stored.AccessToken != first || stored.RefreshToken != f.rec.RefreshToken || stored.UserName != f.rec.UserName {
		t.Fatalf("stored record after the refresh: %v; want the new access token and every other field kept", stored)
	}
}

// TestValidTokenNoCall: a valid token costs no endpoint call.
func TestValidTokenNoCall(t *testing.T) {
	f := newFleet(t, nil)
	src := f.source(t, refresh.Options{})
	a, err := src.Current(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		b, err := src.Current(ctxT(t))
		if err != nil || b.AccessToken != a.AccessToken {
			t.Fatalf("Current: %v, %v; want the same token", b, err)
		}
	}
	if n := f.srv.Stats().TokenCalls; n != 1 {
		t.Fatalf("%d token endpoint calls; want 1", n)
	}
}

// TestFleetManyExpiries: 50 instances through 100 expiries of tokens of
// the shortest lifetime accepted (zoho.MinExpiresIn), each calling the API
// with the token it got: 100 refreshes, none throttled, no token refused
// by the API, no caller past its deadline.
func TestFleetManyExpiries(t *testing.T) {
	f := newFleet(t, &zohotest.Options{TokenLifetime: zoho.MinExpiresIn})
	srcs := make([]*refresh.Source, 50)
	clients := make([]*http.Client, 50)
	for i := range srcs {
		srcs[i] = f.source(t, refresh.Options{Skew: time.Second})
		clients[i] = srcs[i].Client(f.srv.HTTPClient().Transport)
	}
	for round := range 100 {
		var wg sync.WaitGroup
		for i := range srcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/crm/v8/users?type=CurrentUser", nil)
				resp, err := clients[i].Do(req)
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("round %d: API answered %d", round, resp.StatusCode)
				}
			}()
		}
		wg.Wait()
		f.clock.Advance(zoho.MinExpiresIn)
	}
	st := f.srv.Stats()
	t.Logf("50 instances, 100 expiries: %d refreshes, %d throttled, %d evictions, %d API calls, %d refused", st.Refreshes, st.Throttled, st.Evictions, st.APICalls, st.APIUnauthorized)
	if st.Refreshes != 100 || st.Throttled != 0 || st.Evictions != 0 || st.APIUnauthorized != 0 || st.APICalls != 5000 {
		t.Fatalf("%d refreshes, %d throttled, %d evictions, %d of %d API calls refused; want 100, 0, 0, 0 of 5000",
			st.Refreshes, st.Throttled, st.Evictions, st.APIUnauthorized, st.APICalls)
	}
}

// TestThrottleRecordedForFleet: the endpoint throttles; the answer is
// recorded, so the next instance calls nothing until the window ends and
// gets a typed error with that time.
func TestThrottleRecordedForFleet(t *testing.T) {
	f := newFleet(t, &zohotest.Options{TokensPerWindow: 1, TokenLifetime: zoho.MinExpiresIn})
	a := f.source(t, refresh.Options{Skew: time.Second})
	if _, err := a.Current(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(zoho.MinExpiresIn + time.Minute) // expired, still in the window
	_, err := a.Current(ctxT(t))
	var te *refresh.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, zoho.ErrThrottled) || !te.Until.After(f.clock.Now()) {
		t.Fatalf("Current when throttled: %v; want a ThrottledError with a future Until", err)
	}
	calls := f.srv.Stats().TokenCalls
	b := f.source(t, refresh.Options{Skew: time.Second})
	if _, err := b.Current(ctxT(t)); !errors.As(err, &te) {
		t.Fatalf("another instance: %v; want the recorded ThrottledError", err)
	}
	if n := f.srv.Stats().TokenCalls; n != calls {
		t.Fatalf("another instance called the endpoint %d times during the window; want 0", n-calls)
	}
	f.clock.Set(te.Until.Add(time.Second))
	if _, err := b.Current(ctxT(t)); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// TestRevokedRecordedUntilNewGrant: a revoked refresh token stops the
// fleet; saving a new refresh token starts it again.
func TestRevokedRecordedUntilNewGrant(t *testing.T) {
	f := newFleet(t, nil)
	f.srv.Revoke(f.rec.RefreshToken)
	a := f.source(t, refresh.Options{})
	if _, err := a.Current(ctxT(t)); !errors.Is(err, refresh.ErrRevoked) || !errors.Is(err, zoho.ErrRevoked) {
		t.Fatalf("Current with a revoked refresh token: %v; want ErrRevoked", err)
	}
	calls := f.srv.Stats().TokenCalls
	if _, err := f.source(t, refresh.Options{}).Current(ctxT(t)); !errors.Is(err, refresh.ErrRevoked) {
		t.Fatalf("another instance: %v; want ErrRevoked", err)
	}
	if n := f.srv.Stats().TokenCalls; n != calls {
		t.Fatalf("the endpoint was called %d more times after the revocation; want 0", n-calls)
	}
	upd := tokenstore.Token{UserName: f.rec.UserName, RefreshToken: f.srv.NewRefreshToken(clientID)}
	if err := f.store().SaveToken(ctxT(t), &upd); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Current(ctxT(t)); err != nil {
		t.Fatalf("after a new grant: %v", err)
	}
}

// TestDeadLeaseTakenOver: a holder that died keeps others waiting only
// until its lease expires; a waiter gives up at its own deadline.
func TestDeadLeaseTakenOver(t *testing.T) {
	f := newFleet(t, nil)
	dead := f.source(t, refresh.Options{Owner: "dead", LeaseTTL: time.Minute})
	f.srv.SetHang(true) // the holder's call never returns
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_, err := dead.Current(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung endpoint: %v; want the caller's deadline", err)
	}
	f.srv.SetHang(false)
	other := f.source(t, refresh.Options{LeaseTTL: time.Minute})
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	start := time.Now()
	_, err = other.Current(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 150*time.Millisecond {
		t.Fatalf("while the dead lease is live: %v after %v; want the caller's deadline", err, time.Since(start))
	}
	f.clock.Advance(time.Minute + time.Second)
	if _, err := other.Current(ctxT(t)); err != nil {
		t.Fatalf("after the dead lease expired: %v", err)
	}
	if n := f.srv.Stats().Refreshes; n != 1 {
		t.Fatalf("%d refreshes; want 1", n)
	}
}

// TestNoSecretInErrors: what the errors say never holds a token or the
// client secret.
func TestNoSecretInErrors(t *testing.T) {
	f := newFleet(t, nil)
	f.srv.Client(clientID, "another-secret") // the stored secret is now wrong
	_, err := f.source(t, refresh.Options{}).Current(ctxT(t))
	if !errors.Is(err, zoho.ErrInvalidClient) {
		t.Fatalf("wrong client secret: %v; want ErrInvalidClient", err)
	}
	for _, secret := range []string{clientSecret, f.rec.RefreshToken, f.rec.AccessToken} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error shows a secret: %v", err)
		}
	}
	// The failure is recorded: the fleet waits FirstBackoff, then tries again.
	_, err = f.source(t, refresh.Options{}).Current(ctxT(t))
	var re *refresh.RetryError
	if !errors.As(err, &re) || !errors.Is(err, zoho.ErrInvalidClient) || strings.Contains(err.Error(), clientSecret) {
		t.Fatalf("another process within the backoff: %v; want the recorded RetryError, as ErrInvalidClient", err)
	}
	f.srv.Client(clientID, clientSecret)
	f.clock.Advance(refresh.FirstBackoff)
	if _, err := f.source(t, refresh.Options{}).Current(ctxT(t)); err != nil {
		t.Fatalf("after the backoff, the lease is free: %v", err)
	}
}

// TestNewRefuses: a store without read-modify-write and bad options.
func TestNewRefuses(t *testing.T) {
	ep := zoho.US.Endpoint()
	if _, err := refresh.New(noUpdater{memstore.New(nil)}, tokenstore.Token{ID: "x"}, ep, nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("store without Updater: %v; want ErrUnsupported", err)
	}
	// A cache is an Updater exactly when the store behind it is one, so
	// New refuses a cache over a plain store at once, not at the first
	// refresh, and takes one over a store with UpdateToken.
	plain, err := cache.New(noUpdater{memstore.New(nil)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refresh.New(plain, tokenstore.Token{ID: "x"}, ep, nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("cache over a store without Updater: %v; want ErrUnsupported", err)
	}
	updating, err := cache.New(memstore.New(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refresh.New(updating, tokenstore.Token{ID: "x"}, ep, nil); err != nil {
		t.Errorf("cache over memstore: %v; want a Source", err)
	}
	if _, err := refresh.New(memstore.New(nil), tokenstore.Token{}, ep, nil); !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Errorf("query without a key: %v; want ErrInvalidToken", err)
	}
	if _, err := refresh.New(memstore.New(nil), tokenstore.Token{ID: "x"}, ep, &refresh.Options{LeaseTTL: -1}); err == nil {
		t.Error("negative LeaseTTL: no error")
	}
}

type noUpdater struct{ tokenstore.Store }

// TestGrantExchangedOnce: 8 instances are each given the same grant code
// and save it for the user; one exchange is made, and every instance ends
// with the same stored refresh and access tokens.
func TestGrantExchangedOnce(t *testing.T) {
	f := newFleet(t, nil)
	code := f.srv.NewGrantCode(clientID)
	user := "bob@example.com"
	var wg sync.WaitGroup
	got := make(chan tokenstore.Token, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := f.store()
			in := tokenstore.Token{UserName: user, ClientID: clientID, ClientSecret: clientSecret, GrantToken: code}
			if err := s.SaveToken(ctxT(t), &in); err != nil {
				t.Errorf("SaveToken: %v", err)
				return
			}
			src, err := refresh.New(s, tokenstore.Token{UserName: user}, f.srv.Endpoint(),
				&refresh.Options{Now: f.clock.Now, HTTPClient: f.srv.HTTPClient(), AllowAPIDomains: []string{f.srv.URL()}, Wait: time.Millisecond})
			if err != nil {
				t.Errorf("refresh.New: %v", err)
				return
			}
			tok, err := src.Current(ctxT(t))
			if err != nil {
				t.Errorf("Current: %v", err)
				return
			}
			got <- tok
		}()
	}
	wg.Wait()
	close(got)
	var first tokenstore.Token
	for tok := range got {
		if first.ID == "" {
			first = tok
		}
		if tok.RefreshToken == "" || tok.RefreshToken != first.RefreshToken || tok.AccessToken != first.AccessToken {
			t.Fatal("instances ended with different or missing tokens")
		}
	}
	if st := f.srv.Stats(); st.Exchanges != 1 || st.TokenCalls != 1 {
		t.Fatalf("%d exchanges in %d token endpoint calls; want 1", st.Exchanges, st.TokenCalls)
	}
	// A spent code stops the fleet for that record, as a revoked token.
	spent := tokenstore.Token{UserName: "carol@example.com", ClientID: clientID, ClientSecret: clientSecret, GrantToken: code}
	if err := f.store().SaveToken(ctxT(t), &spent); err != nil {
		t.Fatal(err)
	}
	src := f.sourceFor(t, f.store(), spent.UserName, refresh.Options{})
	if _, err := src.Current(ctxT(t)); !errors.Is(err, refresh.ErrRevoked) {
		t.Fatalf("a spent grant code: %v; want ErrRevoked", err)
	}
}

// TestClientRetriesEvictedToken: the stored access token is evicted by a
// newer one (Zoho's active-token limit); the client's next API call gets
// 401 INVALID_OAUTHTOKEN, marks the token expired, refreshes once and
// retries; relative URLs go to the record's api_domain.
func TestClientRetriesEvictedToken(t *testing.T) {
	f := newFleet(t, &zohotest.Options{MaxActiveTokens: 1})
	src := f.source(t, refresh.Options{})
	client := src.Client(f.srv.HTTPClient().Transport)
	get := func() int {
		req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, "/crm/v8/users?type=CurrentUser", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("first call: %d; want 200", code)
	}
	// Later, another client of the same refresh token evicts the stored token.
	f.clock.Advance(refresh.DefaultMinInterval)
	if _, err := f.srv.Accounts().Refresh(ctxT(t), clientID, clientSecret, f.rec.RefreshToken); err != nil {
		t.Fatal(err)
	}
	before := f.srv.Stats()
	if code := get(); code != http.StatusOK {
		t.Fatalf("call after the eviction: %d; want 200 after one refresh and a retry", code)
	}
	st := f.srv.Stats()
	if st.APIUnauthorized-before.APIUnauthorized != 1 || st.Refreshes-before.Refreshes != 1 {
		t.Fatalf("%d 401s, %d refreshes after the eviction; want 1 and 1", st.APIUnauthorized-before.APIUnauthorized, st.Refreshes-before.Refreshes)
	}
	// A POST is not resent: the 401 reaches the caller. But the refused token
	// is expired for the whole fleet all the same.
	f.clock.Advance(refresh.DefaultMinInterval)
	if _, err := f.srv.Accounts().Refresh(ctxT(t), clientID, clientSecret, f.rec.RefreshToken); err != nil {
		t.Fatal(err)
	}
	refused, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, "/crm/v8/Leads", strings.NewReader("{}"))
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST with an evicted token: %v, %v; want the 401, not a resend", resp, err)
	}
	resp.Body.Close()
	stored, _ := f.store().FindTokenByID(ctxT(t), f.rec.ID)
	if stored.AccessToken != refused.AccessToken || !stored.Expired(f.clock.Now(), 0) {
		t.Fatalf("after a POST refused with INVALID_OAUTHTOKEN the stored token is not expired for the fleet")
	}
	before = f.srv.Stats()
	other := f.source(t, refresh.Options{})
	if tok, err := other.Current(ctxT(t)); err != nil || tok.AccessToken == refused.AccessToken {
		t.Fatalf("another process after the refusal: %v; want a new token", err)
	}
	if n := f.srv.Stats().Refreshes - before.Refreshes; n != 1 {
		t.Fatalf("%d refreshes after the refusal; want 1", n)
	}
}

// TestBadInput: each bad case is a clear typed error within the caller's
// deadline, leaves the stored record as it was (the lease released), and
// shows no secret.
func TestBadInput(t *testing.T) {
	f := newFleet(t, nil)
	noRT := tokenstore.Token{UserName: "nort@example.com", ClientID: clientID, ClientSecret: clientSecret,
		AccessToken: "secret-at-nort", Expiry: f.clock.Now().Add(-time.Minute)}
	if err := f.store().SaveToken(ctxT(t), &noRT); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		user  string
		setup func()
		want  error
	}{
		{"unknown user", "nobody@example.com", func() {}, tokenstore.ErrNotFound},
		{"no refresh token", noRT.UserName, func() {}, refresh.ErrNoRefreshToken},
		{"garbage answer", f.rec.UserName, func() { f.srv.Inject(http.StatusOK, "<html>not json</html>") }, zoho.ErrMalformed},
		{"server error", f.rec.UserName, func() { f.srv.Inject(http.StatusBadGateway, "bad gateway") }, zoho.ErrServer},
		{"hanging endpoint", f.rec.UserName, func() { f.srv.SetHang(true) }, context.DeadlineExceeded},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			f.clock.Advance(refresh.DefaultMinInterval) // past the backoff the case before recorded
			before, _ := f.store().FindToken(ctxT(t), tokenstore.Token{UserName: c.user})
			c.setup()
			defer f.srv.SetHang(false)
			src := f.sourceFor(t, f.store(), c.user, refresh.Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := src.Current(ctx)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v; want %v", err, c.want)
			}
			if took := time.Since(start); took > 300*time.Millisecond {
				t.Fatalf("returned after %v; want within the 200 ms deadline + 100 ms", took)
			}
			for _, secret := range []string{clientSecret, f.rec.RefreshToken, f.rec.AccessToken, noRT.AccessToken} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows a secret: %v", err)
				}
			}
			after, _ := f.store().FindToken(ctxT(t), tokenstore.Token{UserName: c.user})
			if after != before {
				t.Fatalf("the record changed: %v; want %v", after, before)
			}
		})
	}
	// The answered failures released their lease; the hang's caller gave
	// up at its deadline, before it could, so its lease expires by itself
	// (liveness by LeaseTTL, as after a crash). Then the next caller
	// refreshes.
	f.clock.Advance(refresh.DefaultLeaseTTL + refresh.DefaultMinInterval)
	if _, err := f.source(t, refresh.Options{}).Current(ctxT(t)); err != nil {
		t.Fatalf("after the failures: %v", err)
	}
}

// query selects the fleet's record by user name.
func (f *fleet) query() tokenstore.Token { return tokenstore.Token{UserName: f.rec.UserName} }
