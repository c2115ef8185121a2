package zohotest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

const (
	clientID = "1000.CLIENT"
	secret   = "client-secret"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newServer(t *testing.T, opts *zohotest.Options) (*zohotest.Server, *zohotest.Clock) {
	t.Helper()
	clock := zohotest.NewClock(t0)
	if opts == nil {
		opts = &zohotest.Options{}
	}
	opts.Now = clock.Now
	s := zohotest.NewServer(opts)
	t.Cleanup(s.Close)
	s.Client(clientID, secret)
	return s, clock
}

// post sends a form to the token endpoint and returns the status, the raw
// body and the decoded body.
func post(t *testing.T, s *zohotest.Server, form url.Values) (int, string, map[string]any) {
	t.Helper()
	res, err := http.PostForm(s.Endpoint().TokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("token endpoint body %q: %v", b, err)
	}
	return res.StatusCode, string(b), m
}

func refresh(t *testing.T, s *zohotest.Server, rt string) (string, map[string]any) {
	t.Helper()
	status, body, m := post(t, s, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret}, "refresh_token": {rt}})
	if status != http.StatusOK {
		t.Fatalf("refresh: got HTTP %d; want 200 (Zoho answers errors with 200)", status)
	}
	return body, m
}

func exchange(t *testing.T, s *zohotest.Server, id, code, redirect string) map[string]any {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {id}, "client_secret": {secret}, "code": {code}}
	if redirect != "" {
		form.Set("redirect_uri", redirect)
	}
	_, _, m := post(t, s, form)
	return m
}

// mustToken returns the access token of a successful answer.
func mustToken(t *testing.T, m map[string]any) string {
	t.Helper()
	at, _ := m["access_token"].(string)
	if at == "" {
		t.Fatalf("got %v; want an access token", m)
	}
	return at
}

func wantError(t *testing.T, m map[string]any, code string) {
	t.Helper()
	if m["error"] != code || m["access_token"] != nil {
		t.Fatalf("got %v; want error %q and no token", m, code)
	}
}

// api calls the API with an access token and returns the status and code.
func api(t *testing.T, s *zohotest.Server, scheme, at string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.APIURL(), nil)
	req.Header.Set("Authorization", scheme+" "+at)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	code, _ := m["code"].(string)
	return res.StatusCode, code
}

func TestRefreshThrottleWindow(t *testing.T) {
	s, clock := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	for i := 1; i <= 10; i++ {
		_, m := refresh(t, s, rt)
		mustToken(t, m)
		if m["expires_in"] != 3600.0 || m["api_domain"] != s.URL() || m["token_type"] != "Bearer" || m["refresh_token"] != nil {
			t.Fatalf("refresh %d: got %v; want expires_in 3600, api_domain, Bearer, no refresh token", i, m)
		}
		clock.Advance(30 * time.Second)
	}
	const want = `{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}`
	body, _ := refresh(t, s, rt)
	if body != want {
		t.Fatalf("11th refresh: got %s; want %s", body, want)
	}
	clock.Set(t0.Add(10*time.Minute - time.Nanosecond))
	if body, _ := refresh(t, s, rt); body != want {
		t.Fatalf("last instant of the window: got %s; want still throttled", body)
	}
	clock.Set(t0.Add(10 * time.Minute))
	_, m := refresh(t, s, rt)
	mustToken(t, m)
	if got := s.Stats(); got.Refreshes != 11 || got.Throttled != 2 || got.TokenCalls != 13 {
		t.Errorf("got %+v; want 11 refreshes, 2 throttled, 13 calls", got)
	}
	// Another refresh token has its own window.
	_, m = refresh(t, s, s.NewRefreshToken(clientID))
	mustToken(t, m)
}

func TestActiveTokenLimit(t *testing.T) {
	s, clock := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	var tokens []string
	for i := 0; i < 15; i++ {
		if i == 10 {
			clock.Advance(10 * time.Minute) // past the rate window
		}
		_, m := refresh(t, s, rt)
		tokens = append(tokens, mustToken(t, m))
	}
	for i, at := range tokens {
		if status, _ := api(t, s, "Zoho-oauthtoken", at); status != http.StatusOK {
			t.Fatalf("token %d of 15: got HTTP %d; want 200", i+1, status)
		}
	}
	if n := s.ActiveTokens(rt); n != 15 {
		t.Fatalf("got %d active; want 15", n)
	}
	_, m := refresh(t, s, rt)
	sixteenth := mustToken(t, m)
	if status, code := api(t, s, "Zoho-oauthtoken", tokens[0]); status != http.StatusUnauthorized || code != "INVALID_OAUTHTOKEN" {
		t.Errorf("oldest after the 16th: got %d %s; want 401 INVALID_OAUTHTOKEN", status, code)
	}
	for _, at := range append(tokens[1:], sixteenth) {
		if status, _ := api(t, s, "Zoho-oauthtoken", at); status != http.StatusOK {
			t.Fatalf("a newer token: got HTTP %d; want 200", status)
		}
	}
	if got := s.Stats(); got.Evictions != 1 || got.APIUnauthorized != 1 || got.APICalls != 31 || s.ActiveTokens(rt) != 15 {
		t.Errorf("got %+v, %d active; want 1 eviction, 1 unauthorized, 31 API calls, 15 active", got, s.ActiveTokens(rt))
	}
}

func TestExpiredTokensFreeSlots(t *testing.T) {
	s, clock := newServer(t, &zohotest.Options{TokenLifetime: 30 * time.Minute, MaxActiveTokens: 2})
	rt := s.NewRefreshToken(clientID)
	_, m := refresh(t, s, rt)
	first := mustToken(t, m)
	if m["expires_in"] != 1800.0 {
		t.Errorf("got expires_in %v; want 1800", m["expires_in"])
	}
	clock.Advance(30*time.Minute - time.Nanosecond)
	if status, _ := api(t, s, "Zoho-oauthtoken", first); status != http.StatusOK {
		t.Fatalf("just before expiry: got %d; want 200", status)
	}
	clock.Advance(time.Nanosecond)
	if status, code := api(t, s, "Zoho-oauthtoken", first); status != http.StatusUnauthorized || code != "INVALID_OAUTHTOKEN" {
		t.Fatalf("at expiry: got %d %s; want 401 INVALID_OAUTHTOKEN", status, code)
	}
	// The expired token no longer counts as active, so two more evict nothing.
	refresh(t, s, rt)
	refresh(t, s, rt)
	if got := s.Stats().Evictions; got != 0 {
		t.Errorf("got %d evictions; want 0", got)
	}
}

func TestGrantCode(t *testing.T) {
	s, clock := newServer(t, nil)
	s.Client("1000.OTHER", secret)
	code := s.NewGrantCode(clientID)
	m := exchange(t, s, clientID, code, "")
	at := mustToken(t, m)
	rt, _ := m["refresh_token"].(string)
	if rt == "" || m["api_domain"] != s.URL() || m["expires_in"] != 3600.0 {
		t.Fatalf("got %v; want a refresh token, api_domain and expires_in", m)
	}
	if status, _ := api(t, s, "Zoho-oauthtoken", at); status != http.StatusOK {
		t.Errorf("exchanged access token on the API: got %d; want 200", status)
	}
	_, m2 := refresh(t, s, rt)
	mustToken(t, m2)

	wantError(t, exchange(t, s, clientID, code, ""), "invalid_code")        // reused
	wantError(t, exchange(t, s, clientID, "1000.nope", ""), "invalid_code") // unknown
	wantError(t, exchange(t, s, "1000.OTHER", s.NewGrantCode(clientID), ""), "invalid_code")
	late := s.NewGrantCode(clientID)
	clock.Advance(10 * time.Minute)
	wantError(t, exchange(t, s, clientID, late, ""), "invalid_code") // expired
	if got := s.Stats(); got.Exchanges != 1 || got.Rejected != 4 {
		t.Errorf("got %+v; want 1 exchange, 4 rejected", got)
	}
}

func TestGrantCodeLimit(t *testing.T) {
	s, clock := newServer(t, &zohotest.Options{GrantCodeLifetime: time.Hour})
	for i := 0; i < 10; i++ {
		mustToken(t, exchange(t, s, clientID, s.NewGrantCode(clientID), ""))
	}
	code := s.NewGrantCode(clientID)
	wantError(t, exchange(t, s, clientID, code, ""), "access_denied")
	clock.Advance(10 * time.Minute)
	// The refused code was not spent.
	mustToken(t, exchange(t, s, clientID, code, ""))
	if got := s.Stats(); got.Exchanges != 11 || got.Throttled != 1 {
		t.Errorf("got %+v; want 11 exchanges, 1 throttled", got)
	}
}

func TestRevoke(t *testing.T) {
	s, _ := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	_, m := refresh(t, s, rt)
	at := mustToken(t, m)
	s.Revoke(rt)
	_, m = refresh(t, s, rt)
	wantError(t, m, "invalid_code")
	if status, code := api(t, s, "Zoho-oauthtoken", at); status != http.StatusUnauthorized || code != "INVALID_OAUTHTOKEN" {
		t.Errorf("access token of a revoked refresh token: got %d %s; want 401 INVALID_OAUTHTOKEN", status, code)
	}
	if n := s.ActiveTokens(rt); n != 0 {
		t.Errorf("got %d active; want 0", n)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	s, _ := newServer(t, nil)
	s.Client("1000.WEB", secret, "https://app.example/cb")
	rt := s.NewRefreshToken(clientID)
	base := func(kv ...string) url.Values {
		v := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret}, "refresh_token": {rt}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"wrong secret", base("client_secret", "nope"), "invalid_client"},
		{"empty secret", base("client_secret", ""), "invalid_client"},
		{"unknown client", base("client_id", "1000.NOPE"), "invalid_client"},
		{"unknown refresh token", base("refresh_token", "1000.x.y"), "invalid_code"},
		{"other client's refresh token", base("client_id", "1000.WEB"), "invalid_code"},
		{"grant type", base("grant_type", "password"), "unsupported_grant_type"},
		{"redirect", url.Values{"grant_type": {"authorization_code"}, "client_id": {"1000.WEB"}, "client_secret": {secret},
			"code": {s.NewGrantCode("1000.WEB")}, "redirect_uri": {"https://evil.example/cb"}}, "invalid_redirect_uri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, m := post(t, s, tc.form)
			if status != http.StatusOK {
				t.Errorf("got HTTP %d; want 200", status)
			}
			wantError(t, m, tc.want)
		})
	}
	mustToken(t, exchange(t, s, "1000.WEB", s.NewGrantCode("1000.WEB"), "https://app.example/cb"))
}

func TestAPIAuthorization(t *testing.T) {
	s, _ := newServer(t, nil)
	_, m := refresh(t, s, s.NewRefreshToken(clientID))
	at := mustToken(t, m)
	for _, tc := range []struct{ scheme, token, code string }{
		{"Bearer", at, "AUTHENTICATION_FAILURE"},
		{"", "", "AUTHENTICATION_FAILURE"},
		{"Zoho-oauthtoken", "1000.unknown.token", "INVALID_OAUTHTOKEN"},
	} {
		if status, code := api(t, s, tc.scheme, tc.token); status != http.StatusUnauthorized || code != tc.code {
			t.Errorf("%s: got %d %s; want 401 %s", tc.scheme, status, code, tc.code)
		}
	}
	if status, _ := api(t, s, "zoho-OAuthToken", at); status != http.StatusOK {
		t.Errorf("scheme in another case: got %d; want 200", status)
	}
}

func TestHang(t *testing.T) {
	s, _ := newServer(t, nil)
	s.SetHang(true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint().TokenURL, strings.NewReader("grant_type=refresh_token"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v; want the deadline's error soon after 50ms", err, time.Since(start))
	}
	// Close ends a held request that has no deadline.
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := http.Post(s.Endpoint().TokenURL, "application/x-www-form-urlencoded", nil)
		if err == nil {
			res.Body.Close()
		}
	}()
	for s.Stats().TokenCalls < 2 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a held request hanging")
	}
}

func TestInject(t *testing.T) {
	s, _ := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	s.Inject(http.StatusBadGateway, "<html>bad gateway</html>")
	res, err := http.PostForm(s.Endpoint().TokenURL, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway || string(b) != "<html>bad gateway</html>" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("got %d %q %s; want the injected 502 HTML", res.StatusCode, b, res.Header.Get("Content-Type"))
	}
	_, m := refresh(t, s, rt) // one answer only
	mustToken(t, m)
	if got := s.Stats(); got.Injected != 1 || got.TokenCalls != 2 {
		t.Errorf("got %+v; want 1 injected of 2 calls", got)
	}
}

// TestConcurrentRefreshes holds the window exactly under contention: of 40
// simultaneous refreshes, 10 get a token.
func TestConcurrentRefreshes(t *testing.T) {
	s, _ := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.PostForm(s.Endpoint().TokenURL, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret}, "refresh_token": {rt}})
			if err == nil {
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	if got := s.Stats(); got.Refreshes != 10 || got.Throttled != 30 {
		t.Errorf("got %+v; want 10 refreshes and 30 throttled", got)
	}
}

func TestNewGrantCodeUnknownClient(t *testing.T) {
	s, _ := newServer(t, nil)
	defer func() {
		if recover() == nil {
			t.Error("NewGrantCode for an unregistered client did not panic")
		}
	}()
	s.NewGrantCode("1000.UNREGISTERED")
}
