package zoho_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/internal/leaktest"
	"github.com/tokenstore-go/tokenstore/zoho"
)

func TestResponseRedaction(t *testing.T) {
	r := zoho.Response{AccessToken: "SECRET-access", RefreshToken: "SECRET-refresh", APIDomain: "https://www.zohoapis.eu", TokenType: "Bearer", ExpiresIn: time.Hour}
	outs := leaktest.NoSecrets(t, r, []string{"SECRET-access", "SECRET-refresh"}, "zohoapis.eu")
	if !strings.Contains(outs["%v value"], "AccessToken:[redacted]") {
		t.Errorf("got %s; want the access token marked present", outs["%v value"])
	}
}

func TestRedactToken(t *testing.T) {
	tok := (&oauth2.Token{AccessToken: "SECRET-access", RefreshToken: "SECRET-refresh", TokenType: zoho.AuthScheme,
		Expiry: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}).WithExtra(map[string]any{"api_domain": "https://www.zohoapis.eu"})
	outs := leaktest.NoSecrets(t, zoho.RedactToken(tok), []string{"SECRET-access", "SECRET-refresh"}, "zohoapis.eu")
	if !strings.Contains(outs["%v value"], "AccessToken:[redacted]") || !strings.Contains(outs["%v value"], "2026-01-02T03:04:05Z") {
		t.Errorf("got %s; want the access token marked present and the expiry shown", outs["%v value"])
	}
	leaktest.NoSecrets(t, zoho.RedactToken(nil), nil)
}

// TestErrorsShowNoSecret makes the server echo the request's secrets, and
// send tokens, in every place an error might quote: none reaches an error
// message or any rendering of the error.
func TestErrorsShowNoSecret(t *testing.T) {
	s, _ := newFake(t, nil)
	rt := s.NewRefreshToken(clientID)
	code := s.NewGrantCode(clientID)
	const foreign = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
	const access = "leakyaccesstoken"
	secrets := []string{clientSecret, rt, code, foreign, access}
	echo := "secret " + clientSecret + " token " + rt + " code " + code + " other " + foreign
	bodies := []struct {
		status int
		body   string
	}{
		{200, `{"error":"invalid_client","error_description":"` + echo + `"}`},
		{200, `{"error":"` + clientSecret + `"}`},
		{200, `{"error":"Access Denied","error_description":"` + strings.Repeat("x", 300) + rt + `"}`},
		{200, `<html>` + echo + `</html>`},
		{502, echo},
		{200, `access_token=` + access + `&refresh_token=` + rt},
		{200, `{"access_token":"` + access + `","expires_in":-1}`},
		{200, `{"access_token":"` + access + `","refresh_token":"` + rt + `","api_domain":7}`},
		{401, `{"access_token":"` + access + `"}`},
		{200, `{"access_token":"` + access + `","pad":"` + strings.Repeat("y", zoho.MaxResponseSize) + `"}`},
		// Echoed in another letter case, or still form-encoded.
		{200, `{"error":"invalid_client","error_description":"` + strings.ToUpper(echo) + `"}`},
		{200, `{"error":"invalid_client","error_description":"` + strings.ToLower(echo) + `"}`},
		{200, `{"error":"invalid_client","error_description":"` + url.QueryEscape(echo) + `"}`},
		{200, `{"access_token":"` + access + `","api_domain":"http://169.254.169.254"}`},
	}
	check := func(err error) {
		t.Helper()
		if err == nil {
			t.Fatal("got no error")
		}
		leaktest.NoSecrets(t, err, secrets)
		for _, sec := range secrets {
			if low := strings.ToLower(err.Error()); strings.Contains(low, strings.ToLower(sec)) || strings.Contains(low, strings.ToLower(url.QueryEscape(sec))) {
				t.Errorf("error shows a secret: %v", err)
			}
		}
	}
	for _, b := range bodies {
		s.Inject(b.status, b.body)
		_, err := s.Accounts().Refresh(context.Background(), clientID, clientSecret, rt)
		check(err)
		s.Inject(b.status, b.body)
		_, err = s.Accounts().ExchangeGrant(context.Background(), clientID, clientSecret, code, "https://app.example/cb")
		check(err)
	}
	s.SetHang(true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.Accounts().Refresh(ctx, clientID, clientSecret, rt)
	check(err)
}
