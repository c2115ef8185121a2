package zoho_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/zoho"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestParseResponseLifetime(t *testing.T) {
	for _, tc := range []struct {
		expires string // JSON fields after access_token
		want    time.Duration
		bad     bool
	}{
		{`,"expires_in":3600`, time.Hour, false},
		{`,"expires_in":"3600"`, time.Hour, false},
		{`,"expires_in":3600.0`, time.Hour, false},
		{`,"expires_in":36e2`, time.Hour, false},
		{`,"expires_in":0`, 0, true}, // a token that has expired when it arrives: a refresh storm
		{`,"expires_in":119`, 0, true},
		{`,"expires_in":120`, zoho.MinExpiresIn, false},
		{``, zoho.DefaultExpiresIn, false},
		{`,"expires_in":null`, zoho.DefaultExpiresIn, false},
		{`,"expires_in":3600000,"expires_in_sec":3600`, time.Hour, false}, // older answers: ms beside seconds
		{`,"expires_in":31622400`, zoho.MaxExpiresIn, false},
		{`,"expires_in":31622401`, 0, true},
		{`,"expires_in":-1`, 0, true},
		{`,"expires_in":"-3600"`, 0, true},
		{`,"expires_in":1e300`, 0, true},
		{`,"expires_in":9223372036854775807`, 0, true},
		{`,"expires_in":99999999999999999999999`, 0, true},
		{`,"expires_in":3600.5`, 0, true},
		{`,"expires_in":"soon"`, 0, true},
		{`,"expires_in":"NaN"`, 0, true},
		{`,"expires_in":"Inf"`, 0, true},
		{`,"expires_in":true`, 0, true},
		{`,"expires_in":{}`, 0, true},
		{`,"expires_in":[3600]`, 0, true},
		{`,"expires_in":3600,"expires_in_sec":-5`, 0, true},
	} {
		body := `{"access_token":"1000.aa.bb","api_domain":"https://www.zohoapis.eu","token_type":"Bearer"` + tc.expires + `}`
		r, err := zoho.ParseResponse(zoho.GrantRefreshToken, 200, nil, []byte(body), now)
		if tc.bad {
			if !errors.Is(err, zoho.ErrMalformed) {
				t.Errorf("%s: got %v, %v; want ErrMalformed", tc.expires, r, err)
			}
			continue
		}
		if err != nil || r.ExpiresIn != tc.want {
			t.Errorf("%s: got %v, %v; want ExpiresIn %v", tc.expires, r, err, tc.want)
			continue
		}
		exp := r.Token(now).Expiry
		if !exp.Equal(now.Add(tc.want)) || tokenstore.Validate(r.Token(now)) != nil {
			t.Errorf("%s: got Expiry %v; want %v and a valid token", tc.expires, exp, now.Add(tc.want))
		}
	}
}

func TestResponseToken(t *testing.T) {
	body := `{"access_token":"1000.new.at","refresh_token":"1000.new.rt","api_domain":"https://www.zohoapis.eu","token_type":"Bearer","expires_in":3600}`
	r, err := zoho.ParseResponse(zoho.GrantAuthorizationCode, 200, nil, []byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	want := tokenstore.Token{AccessToken: "1000.new.at", RefreshToken: "1000.new.rt", APIDomain: "https://www.zohoapis.eu", Expiry: now.Add(time.Hour)}
	if got := r.Token(now); got != want {
		t.Errorf("got %#v; want %#v", got, want)
	}
	stored := tokenstore.Token{ID: "r1", UserName: "ann@example.com", ClientID: "1000.C", ClientSecret: "s", RefreshToken: "1000.old.rt", AccessToken: "1000.old.at"}
	refreshed := zoho.Response{AccessToken: "1000.next.at", APIDomain: "https://www.zohoapis.eu", ExpiresIn: time.Hour}
	merged := tokenstore.Merge(stored, refreshed.Token(now))
	if merged.RefreshToken != "1000.old.rt" || merged.AccessToken != "1000.next.at" || merged.UserName != "ann@example.com" || !merged.Expiry.Equal(now.Add(time.Hour)) || merged.APIDomain != "https://www.zohoapis.eu" {
		t.Errorf("merge of a refresh answer: got %#v", merged)
	}
	// A clock at the edge of the representable years gives an unknown
	// expiry, never a year past 9999.
	edge := time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := refreshed.Token(edge).Expiry; !got.IsZero() {
		t.Errorf("got Expiry %v; want zero", got)
	}

	o := r.OAuth2Token(now)
	if o.Type() != zoho.AuthScheme || o.AccessToken != "1000.new.at" || o.RefreshToken != "1000.new.rt" || !o.Expiry.Equal(now.Add(time.Hour)) || o.Extra("api_domain") != "https://www.zohoapis.eu" {
		t.Errorf("OAuth2Token: got %+v", o)
	}
	if back := zoho.FromOAuth2(o); back != want {
		t.Errorf("FromOAuth2: got %#v; want %#v", back, want)
	}
	if got := zoho.FromOAuth2(zoho.OAuth2Token(want)); got != want {
		t.Errorf("FromOAuth2(OAuth2Token(t)): got %#v; want %#v", got, want)
	}
	if got := zoho.FromOAuth2(nil); got != (tokenstore.Token{}) {
		t.Errorf("FromOAuth2(nil): got %#v", got)
	}
}

// TestParseResponseErrors maps every answer met to its sentinel, whatever
// the HTTP status.
func TestParseResponseErrors(t *testing.T) {
	const throttle = `{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}`
	for _, tc := range []struct {
		name   string
		grant  string
		status int
		body   string
		want   error // nil: an *Error matching no sentinel
		code   string
	}{
		{"throttle HTTP 200", zoho.GrantRefreshToken, 200, throttle, zoho.ErrThrottled, "Access Denied"},
		{"throttle other wording", zoho.GrantRefreshToken, 200, `{"error":"Access Denied","error_description":"Token creation throttle limit reached. Please reuse the valid tokens you currently have."}`, zoho.ErrThrottled, "Access Denied"},
		{"throttle wording only", zoho.GrantRefreshToken, 400, `{"error_description":"You have made too many requests continuously.","status":"failure"}`, zoho.ErrThrottled, ""},
		{"throttle 429 empty", zoho.GrantRefreshToken, 429, ``, zoho.ErrThrottled, ""},
		{"grant codes access_denied", zoho.GrantAuthorizationCode, 200, `{"error":"access_denied"}`, zoho.ErrThrottled, "access_denied"},
		{"revoked", zoho.GrantRefreshToken, 200, `{"error":"invalid_code"}`, zoho.ErrRevoked, "invalid_code"},
		{"revoked HTTP 400", zoho.GrantRefreshToken, 400, `{"error":"invalid_code"}`, zoho.ErrRevoked, "invalid_code"},
		{"grant code reused", zoho.GrantAuthorizationCode, 200, `{"error":"invalid_code"}`, zoho.ErrInvalidGrant, "invalid_code"},
		{"invalid_grant", zoho.GrantAuthorizationCode, 400, `{"error":"invalid_grant"}`, zoho.ErrInvalidGrant, "invalid_grant"},
		{"invalid_client", zoho.GrantRefreshToken, 200, `{"error":"invalid_client"}`, zoho.ErrInvalidClient, "invalid_client"},
		{"invalid_client_secret", zoho.GrantRefreshToken, 401, `{"error":"invalid_client_secret"}`, zoho.ErrInvalidClient, "invalid_client_secret"},
		{"redirect", zoho.GrantAuthorizationCode, 200, `{"error":"invalid_redirect_uri"}`, zoho.ErrInvalidRedirectURI, "invalid_redirect_uri"},
		{"grant type", zoho.GrantRefreshToken, 200, `{"error":"unsupported_grant_type"}`, zoho.ErrUnsupportedGrantType, "unsupported_grant_type"},
		{"unknown code", zoho.GrantRefreshToken, 200, `{"error":"invalid_scope"}`, nil, "invalid_scope"},
		{"unknown code 5xx", zoho.GrantRefreshToken, 503, `{"error":"general_error"}`, zoho.ErrServer, "general_error"},
		{"status failure only", zoho.GrantRefreshToken, 200, `{"status":"failure"}`, nil, ""},
		{"5xx HTML", zoho.GrantRefreshToken, 502, `<html><body>Bad Gateway</body></html>`, zoho.ErrServer, ""},
		{"5xx empty", zoho.GrantRefreshToken, 500, ``, zoho.ErrServer, ""},
		{"5xx JSON without error", zoho.GrantRefreshToken, 500, `{}`, zoho.ErrServer, ""},
		{"200 HTML", zoho.GrantRefreshToken, 200, `<!DOCTYPE html><html>login</html>`, zoho.ErrMalformed, ""},
		{"200 empty", zoho.GrantRefreshToken, 200, ``, zoho.ErrMalformed, ""},
		{"200 blank", zoho.GrantRefreshToken, 200, " \n\t", zoho.ErrMalformed, ""},
		{"200 text", zoho.GrantRefreshToken, 200, `access_token=1000.a.b`, zoho.ErrMalformed, ""},
		{"200 truncated JSON", zoho.GrantRefreshToken, 200, `{"access_token":"1000.a`, zoho.ErrMalformed, ""},
		{"200 JSON array", zoho.GrantRefreshToken, 200, `[{"access_token":"1000.a.b"}]`, zoho.ErrMalformed, ""},
		{"200 JSON string", zoho.GrantRefreshToken, 200, `"1000.a.b"`, zoho.ErrMalformed, ""},
		{"200 no access token", zoho.GrantRefreshToken, 200, `{"api_domain":"https://www.zohoapis.com"}`, zoho.ErrMalformed, ""},
		{"200 access token not a string", zoho.GrantRefreshToken, 200, `{"access_token":12}`, zoho.ErrMalformed, ""},
		{"200 error not a string", zoho.GrantRefreshToken, 200, `{"error":{"code":1}}`, zoho.ErrMalformed, ""},
		{"401 JSON without error", zoho.GrantRefreshToken, 401, `{"access_token":"1000.a.b"}`, zoho.ErrMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := zoho.ParseResponse(tc.grant, tc.status, nil, []byte(tc.body), now)
			var ze *zoho.Error
			if r != nil || !errors.As(err, &ze) {
				t.Fatalf("got %v, %v; want an *Error", r, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v; want %v", err, tc.want)
			}
			if tc.want == nil && ze.Unwrap() != nil {
				t.Errorf("got %v matching %v; want no sentinel", err, ze.Unwrap())
			}
			if ze.Code != tc.code || ze.StatusCode != tc.status || ze.Op != tc.grant {
				t.Errorf("got Code %q status %d op %q; want %q %d %q", ze.Code, ze.StatusCode, ze.Op, tc.code, tc.status, tc.grant)
			}
			if throttled := errors.Is(err, zoho.ErrThrottled); throttled != !ze.Until.IsZero() {
				t.Errorf("got Until %v for %v", ze.Until, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "zoho: "+tc.grant+": ") || (tc.body != "" && len(tc.body) > 12 && strings.Contains(msg, tc.body)) || strings.Contains(msg, "1000.a") {
				t.Errorf("message %q quotes the body or lacks its prefix", msg)
			}
		})
	}
}

func TestThrottleUntil(t *testing.T) {
	body := []byte(`{"error":"Access Denied","status":"failure"}`)
	for _, tc := range []struct {
		retryAfter string
		want       time.Time
	}{
		{"", now.Add(10 * time.Minute)},
		{"120", now.Add(2 * time.Minute)},
		{"0", now},
		{now.Add(3 * time.Minute).Format(http.TimeFormat), now.Add(3 * time.Minute)},
		{"-5", now.Add(10 * time.Minute)},
		{"86401", now.Add(10 * time.Minute)},
		{"99999999999999999999", now.Add(10 * time.Minute)},
		{now.Add(-time.Hour).Format(http.TimeFormat), now.Add(10 * time.Minute)},
		{"Fri, 31 Dec 9999 23:59:59 GMT", now.Add(10 * time.Minute)},
		{"soon", now.Add(10 * time.Minute)},
	} {
		h := http.Header{}
		if tc.retryAfter != "" {
			h.Set("Retry-After", tc.retryAfter)
		}
		_, err := zoho.ParseResponse(zoho.GrantRefreshToken, 200, h, body, now)
		var ze *zoho.Error
		if !errors.As(err, &ze) || !ze.Until.Equal(tc.want) {
			t.Errorf("Retry-After %q: got %v; want Until %v", tc.retryAfter, err, tc.want)
			continue
		}
		if d := ze.RetryAfter(now); d != tc.want.Sub(now) {
			t.Errorf("RetryAfter: got %v; want %v", d, tc.want.Sub(now))
		}
		if d := ze.RetryAfter(tc.want); d != 0 {
			t.Errorf("RetryAfter at Until: got %v; want 0", d)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := zoho.ParseResponse(zoho.GrantRefreshToken, 200, nil, []byte(`{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}`), now)
	want := `zoho: refresh_token: token creation throttled (HTTP 200, "Access Denied"): You have made too many requests continuously. Please try again after some time.; retry after 2026-01-02T03:14:05Z`
	if err == nil || err.Error() != want {
		t.Errorf("got %v; want %s", err, want)
	}
	_, err = zoho.ParseResponse(zoho.GrantRefreshToken, 502, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, []byte(`<html>`+strings.Repeat("x", 100)+`</html>`), now)
	want = `zoho: refresh_token: accounts server error (HTTP 502): HTML body (text/html, 113 bytes)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v; want %s", err, want)
	}
}

// TestDescriptionCleaned: Zoho's description is quoted as one valid UTF-8
// line of at most 200 bytes.
func TestDescriptionCleaned(t *testing.T) {
	desc := strings.Repeat("größe\\n\\tüber ", 30) + "\xff"
	_, err := zoho.ParseResponse(zoho.GrantRefreshToken, 200, nil, []byte(`{"error":"invalid_scope","error_description":"`+desc+`"}`), now)
	var ze *zoho.Error
	if !errors.As(err, &ze) {
		t.Fatalf("got %v; want an *Error", err)
	}
	d := ze.Description
	if !utf8.ValidString(d) || len(d) > 200+len("…") || !strings.HasSuffix(d, "…") || strings.ContainsAny(d, "\n\t") || !strings.HasPrefix(d, "größe über") {
		t.Errorf("got %q; want one valid line cut to 200 bytes", d)
	}
}

// TestParseResponseAPIDomain: the api_domain of an answer decides where its
// access token goes; one that is not Zoho's refuses the answer whole.
func TestParseResponseAPIDomain(t *testing.T) {
	for domain, want := range map[string]string{
		"https://www.zohoapis.eu":     "https://www.zohoapis.eu",
		"https://WWW.ZohoAPIs.com/":   "https://www.zohoapis.com",
		"https://sandbox.zohoapis.in": "https://sandbox.zohoapis.in",
		"":                            "",
	} {
		body := `{"access_token":"1000.aa.bb","api_domain":"` + domain + `"}`
		r, err := zoho.ParseResponse(zoho.GrantRefreshToken, 200, nil, []byte(body), now)
		if err != nil || r.APIDomain != want {
			t.Errorf("api_domain %q: got %v, %v; want %q", domain, r, err, want)
		}
	}
	for _, domain := range []string{"http://attacker:8080", "http://169.254.169.254", "https://169.254.169.254",
		"http://www.zohoapis.com", "https://www.zohoapis.com.evil.example", "https://evil.example", "https://www.zohoapis.com/x"} {
		body := `{"access_token":"1000.aa.bb","api_domain":"` + domain + `"}`
		r, err := zoho.ParseResponse(zoho.GrantRefreshToken, 200, nil, []byte(body), now)
		if !errors.Is(err, zoho.ErrAPIDomain) || r != nil {
			t.Errorf("api_domain %q: got %v, %v; want ErrAPIDomain and no response", domain, r, err)
		}
	}
}
