package zoho_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/zoho"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

const (
	clientID     = "1000.CLIENTID"
	clientSecret = "SECRET-client-secret-0123"
)

func newFake(t *testing.T, opts *zohotest.Options) (*zohotest.Server, *zohotest.Clock) {
	t.Helper()
	clock := zohotest.NewClock(now)
	if opts == nil {
		opts = &zohotest.Options{}
	}
	opts.Now = clock.Now
	s := zohotest.NewServer(opts)
	t.Cleanup(s.Close)
	s.Client(clientID, clientSecret)
	return s, clock
}

func wantErr(t *testing.T, err, sentinel error) *zoho.Error {
	t.Helper()
	var ze *zoho.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &ze) {
		t.Fatalf("got %v; want an *Error matching %v", err, sentinel)
	}
	return ze
}

func TestRefresh(t *testing.T) {
	s, _ := newFake(t, nil)
	rt := s.NewRefreshToken(clientID)
	res, err := s.Accounts().Refresh(context.Background(), clientID, clientSecret, rt)
	if err != nil {
		t.Fatal(err)
	}
	if res.AccessToken == "" || res.RefreshToken != "" || res.APIDomain != s.URL() || res.TokenType != "Bearer" || res.ExpiresIn != time.Hour {
		t.Errorf("got %+v; want an access token, no refresh token, api_domain, Bearer, 1h", res)
	}
	if st := s.Stats(); st.Refreshes != 1 || st.TokenCalls != 1 {
		t.Errorf("got %+v; want one refresh", st)
	}
	if status := callAPI(t, s, res.AccessToken); status != http.StatusOK {
		t.Errorf("API with the new token: got %d; want 200", status)
	}
}

func TestExchangeGrant(t *testing.T) {
	s, _ := newFake(t, nil)
	s.Client("1000.WEB", clientSecret, "https://app.example/cb")
	ctx := context.Background()
	code := s.NewGrantCode(clientID)
	res, err := s.Accounts().ExchangeGrant(ctx, clientID, clientSecret, code, "")
	if err != nil {
		t.Fatal(err)
	}
	tok := res.Token(now)
	if tok.RefreshToken == "" || tok.AccessToken == "" || tok.APIDomain != s.URL() || !tok.Expiry.Equal(now.Add(time.Hour)) {
		t.Fatalf("got %#v; want refresh and access token, API domain, expiry in an hour", tok)
	}
	if _, err := s.Accounts().Refresh(ctx, clientID, clientSecret, tok.RefreshToken); err != nil {
		t.Errorf("refresh with the exchanged token: %v", err)
	}

	_, err = s.Accounts().ExchangeGrant(ctx, clientID, clientSecret, code, "")
	wantErr(t, err, zoho.ErrInvalidGrant) // reused
	_, err = s.Accounts().ExchangeGrant(ctx, "1000.WEB", clientSecret, s.NewGrantCode("1000.WEB"), "https://evil.example/cb")
	wantErr(t, err, zoho.ErrInvalidRedirectURI)
	if _, err = s.Accounts().ExchangeGrant(ctx, "1000.WEB", clientSecret, s.NewGrantCode("1000.WEB"), "https://app.example/cb"); err != nil {
		t.Errorf("registered redirect: %v", err)
	}
}

func TestExchangeGrantLimit(t *testing.T) {
	s, _ := newFake(t, nil)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := s.Accounts().ExchangeGrant(ctx, clientID, clientSecret, s.NewGrantCode(clientID), ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Accounts().ExchangeGrant(ctx, clientID, clientSecret, s.NewGrantCode(clientID), "")
	ze := wantErr(t, err, zoho.ErrThrottled)
	if ze.Code != "access_denied" || ze.Op != zoho.GrantAuthorizationCode {
		t.Errorf("got %+v; want access_denied on the exchange", ze)
	}
}

// TestRefreshThrottled: the 11th refresh in the window is answered HTTP 200
// and still comes back as ErrThrottled, with Until ten minutes on.
func TestRefreshThrottled(t *testing.T) {
	s, clock := newFake(t, nil)
	rt := s.NewRefreshToken(clientID)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := s.Accounts().Refresh(ctx, clientID, clientSecret, rt); err != nil {
			t.Fatalf("refresh %d: %v", i+1, err)
		}
	}
	before := time.Now()
	res, err := s.Accounts().Refresh(ctx, clientID, clientSecret, rt)
	after := time.Now()
	if res != nil {
		t.Fatalf("got a response %v with the throttle", res)
	}
	ze := wantErr(t, err, zoho.ErrThrottled)
	if ze.StatusCode != http.StatusOK || ze.Code != "Access Denied" || !strings.Contains(ze.Description, "too many requests") {
		t.Errorf("got %+v; want HTTP 200 Access Denied", ze)
	}
	if ze.Until.Before(before.Add(zoho.ThrottleWindow)) || ze.Until.After(after.Add(zoho.ThrottleWindow)) {
		t.Errorf("got Until %v; want about ten minutes after %v", ze.Until, before)
	}
	clock.Advance(zoho.ThrottleWindow)
	if _, err := s.Accounts().Refresh(ctx, clientID, clientSecret, rt); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestRefreshRejected(t *testing.T) {
	s, _ := newFake(t, nil)
	rt := s.NewRefreshToken(clientID)
	ctx := context.Background()
	_, err := s.Accounts().Refresh(ctx, clientID, "wrong-secret", rt)
	wantErr(t, err, zoho.ErrInvalidClient)
	_, err = s.Accounts().Refresh(ctx, "1000.UNKNOWN", clientSecret, rt)
	wantErr(t, err, zoho.ErrInvalidClient)
	s.Revoke(rt)
	_, err = s.Accounts().Refresh(ctx, clientID, clientSecret, rt)
	if ze := wantErr(t, err, zoho.ErrRevoked); ze.Code != "invalid_code" || !ze.Until.IsZero() {
		t.Errorf("got %+v; want invalid_code, no Until", ze)
	}
}

// TestRefreshGarbage: whatever the server sends instead of a token answer
// is a typed error, and the next (good) answer is taken as normal.
func TestRefreshGarbage(t *testing.T) {
	s, _ := newFake(t, nil)
	rt := s.NewRefreshToken(clientID)
	for _, tc := range []struct {
		status int
		body   string
		want   error
	}{
		{502, "<html><body>502 Bad Gateway</body></html>", zoho.ErrServer},
		{503, "", zoho.ErrServer},
		{500, `{"error":"internal"}`, zoho.ErrServer},
		{200, "<!DOCTYPE html><html>Sign in</html>", zoho.ErrMalformed},
		{200, "", zoho.ErrMalformed},
		{200, "not json", zoho.ErrMalformed},
		{200, `{"access_token":"1000.a.b","expires_in":-3600}`, zoho.ErrMalformed},
		{200, `{"access_token":"1000.a.b","expires_in":"forever"}`, zoho.ErrMalformed},
		{200, `{"access_token":"1000.a.b","expires_in":1e308}`, zoho.ErrMalformed},
		{200, `{"access_token":"1000.a.b","pad":"` + strings.Repeat("x", zoho.MaxResponseSize) + `"}`, zoho.ErrMalformed},
		{429, "", zoho.ErrThrottled},
		{200, `{"error":"unsupported_grant_type"}`, zoho.ErrUnsupportedGrantType},
	} {
		s.Inject(tc.status, tc.body)
		_, err := s.Accounts().Refresh(context.Background(), clientID, clientSecret, rt)
		wantErr(t, err, tc.want)
	}
	if _, err := s.Accounts().Refresh(context.Background(), clientID, clientSecret, rt); err != nil {
		t.Errorf("after the garbage: %v", err)
	}
}

// TestRefreshDeadline: a token endpoint that never answers costs the
// caller its deadline and little more.
func TestRefreshDeadline(t *testing.T) {
	s, _ := newFake(t, nil)
	s.SetHang(true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := s.Accounts().Refresh(ctx, clientID, clientSecret, s.NewRefreshToken(clientID))
	elapsed := time.Since(start)
	if res != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, %v; want context.DeadlineExceeded", res, err)
	}
	if elapsed > 50*time.Millisecond+100*time.Millisecond {
		t.Errorf("returned after %v; want within 100ms of the 50ms deadline", elapsed)
	}
	if strings.Contains(err.Error(), clientSecret) {
		t.Errorf("error shows the secret: %v", err)
	}
}

func TestMissingArgument(t *testing.T) {
	s, _ := newFake(t, nil)
	ctx := context.Background()
	e := s.Endpoint()
	for name, err := range map[string]error{
		"refresh token": func() error { _, err := zoho.Refresh(ctx, nil, e, clientID, clientSecret, ""); return err }(),
		"secret":        func() error { _, err := zoho.Refresh(ctx, nil, e, clientID, "", "rt"); return err }(),
		"client ID":     func() error { _, err := zoho.Refresh(ctx, nil, e, "", clientSecret, "rt"); return err }(),
		"token URL": func() error {
			_, err := zoho.Refresh(ctx, nil, oauth2.Endpoint{AuthURL: e.AuthURL}, clientID, clientSecret, "rt")
			return err
		}(),
		"grant code": func() error { _, err := zoho.ExchangeGrant(ctx, nil, e, clientID, clientSecret, "", ""); return err }(),
	} {
		if !errors.Is(err, zoho.ErrMissingArgument) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v; want ErrMissingArgument naming it", name, err)
		}
	}
	if n := s.Stats().TokenCalls; n != 0 {
		t.Errorf("got %d token calls; want none", n)
	}
}

// TestRefreshNoRedirect: a redirect from the token endpoint is not
// followed, since a 307 would resend the client secret to its target.
func TestRefreshNoRedirect(t *testing.T) {
	var hit atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }))
	defer target.Close()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/oauth/v2/token", status)
		}))
		_, err := zoho.Refresh(context.Background(), &http.Client{}, oauth2.Endpoint{TokenURL: redirector.URL}, clientID, clientSecret, "1000.rt.x")
		redirector.Close()
		if ze := wantErr(t, err, zoho.ErrMalformed); ze.StatusCode != status {
			t.Errorf("got status %d; want %d", ze.StatusCode, status)
		}
	}
	if hit.Load() {
		t.Error("the redirect was followed")
	}
}
