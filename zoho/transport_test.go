package zoho_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/zoho"
)

// recorder is a Base transport that answers from a table by URL and
// records every request that reached it, with its Authorization header.
type recorder struct {
	mu     sync.Mutex
	seen   []string // "METHOD URL AUTH"
	answer func(r *http.Request) *http.Response
}

func (rc *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rc.mu.Lock()
	rc.seen = append(rc.seen, r.Method+" "+r.URL.String()+" "+r.Header.Get("Authorization"))
	rc.mu.Unlock()
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	resp := rc.answer(r)
	resp.Request = r
	return resp, nil
}

func (rc *recorder) requests() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.seen...)
}

func answer(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

func redirectTo(loc string) *http.Response {
	return answer(http.StatusFound, http.Header{"Location": {loc}}, "")
}

// euToken is a token source for an EU user.
func euToken(access string) oauth2.TokenSource {
	t := &oauth2.Token{AccessToken: access, TokenType: "Bearer"}
	return oauth2.StaticTokenSource(t.WithExtra(map[string]any{"api_domain": "https://www.zohoapis.eu"}))
}

// TestTransportRedirectKeepsToken: a redirect from the API to another
// host, to plain http or to a metadata address is refused before it is
// sent, so the token never reaches it; a redirect within the user's data
// centre's API hosts over https is followed with the token.
func TestTransportRedirectKeepsToken(t *testing.T) {
	for _, tc := range []struct {
		location string
		follow   bool
	}{
		{"https://evil.example/steal", false},
		{"http://www.zohoapis.eu/crm/v8/Leads", false}, // downgrade
		{"http://169.254.169.254/latest/meta-data/", false},
		{"https://www.zohoapis.com/crm/v8/Leads", false}, // another data centre
		{"https://www.zohoapis.eu.evil.example/x", false},
		{"https://www.zohoapis.eu:8443/x", false},
		{"https://sandbox.zohoapis.eu/crm/v8/Leads", true},
		{"/crm/v8/Leads?page=2", true},
	} {
		rc := &recorder{answer: func(r *http.Request) *http.Response {
			if r.URL.Path == "/start" {
				return redirectTo(tc.location)
			}
			return answer(http.StatusOK, nil, "{}")
		}}
		client := zoho.NewClient(&http.Client{Transport: rc}, euToken("1000.secret.access"))
		resp, err := client.Get("https://www.zohoapis.eu/start")
		seen := rc.requests()
		if !tc.follow {
			if !errors.Is(err, zoho.ErrAPIDomain) || len(seen) != 1 {
				t.Errorf("redirect to %s: got %v, requests %q; want ErrAPIDomain and only the first request sent", tc.location, err, seen)
			}
			for _, s := range seen[1:] {
				if strings.Contains(s, "1000.secret.access") {
					t.Errorf("redirect to %s: the token reached %s", tc.location, s)
				}
			}
			continue
		}
		if err != nil || resp.StatusCode != http.StatusOK || len(seen) != 2 || !strings.HasSuffix(seen[1], "Zoho-oauthtoken 1000.secret.access") {
			t.Errorf("redirect to %s: got %v, %v, requests %q; want it followed with the token", tc.location, resp, err, seen)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
}

// TestTransportDestinations: where a request may go, before anything is
// sent; a request with no host goes to the token's api_domain, which must
// itself be one of Zoho's.
func TestTransportDestinations(t *testing.T) {
	for _, tc := range []struct {
		name, apiDomain, url string
		allowed              []string
		ok                   bool
		sentTo               string
	}{
		{"relative to api_domain", "https://www.zohoapis.eu", "/crm/v8/Leads", nil, true, "https://www.zohoapis.eu/crm/v8/Leads"},
		{"relative, metadata api_domain", "http://169.254.169.254", "/latest/meta-data/", nil, false, ""},
		{"relative, attacker api_domain", "https://attacker.example:8080", "/x", nil, false, ""},
		{"relative, no api_domain", "", "/crm/v8/Leads", nil, false, ""},
		{"absolute, foreign host", "https://www.zohoapis.eu", "https://evil.example/x", nil, false, ""},
		{"absolute, no api_domain, a Zoho host", "", "https://www.zohoapis.in/crm/v8/Leads", nil, true, "https://www.zohoapis.in/crm/v8/Leads"},
		{"absolute, plain http", "https://www.zohoapis.eu", "http://www.zohoapis.eu/x", nil, false, ""},
		{"allowed test origin", "http://127.0.0.1:9", "/x", []string{"http://127.0.0.1:9"}, true, "http://127.0.0.1:9/x"},
		{"allowed origin, another token's", "https://www.zohoapis.eu", "http://127.0.0.1:9/x", []string{"http://127.0.0.1:9"}, false, ""},
	} {
		rc := &recorder{answer: func(*http.Request) *http.Response { return answer(http.StatusOK, nil, "{}") }}
		tok := (&oauth2.Token{AccessToken: "1000.secret.access"}).WithExtra(map[string]any{"api_domain": tc.apiDomain})
		tr := &zoho.Transport{Source: oauth2.StaticTokenSource(tok), Base: rc, AllowAPIDomains: tc.allowed}
		body := &trackingBody{Reader: strings.NewReader("{}")}
		req, _ := http.NewRequest(http.MethodPost, tc.url, body)
		resp, err := tr.RoundTrip(req)
		seen := rc.requests()
		if !tc.ok {
			if !errors.Is(err, zoho.ErrAPIDomain) || len(seen) != 0 || !body.closed {
				t.Errorf("%s: got %v, %d requests sent, body closed %v; want ErrAPIDomain, nothing sent, the body closed", tc.name, err, len(seen), body.closed)
			}
			if err != nil && strings.Contains(err.Error(), "1000.secret.access") {
				t.Errorf("%s: the error shows the token: %v", tc.name, err)
			}
			continue
		}
		if err != nil || len(seen) != 1 || !strings.HasPrefix(seen[0], "POST "+tc.sentTo+" ") {
			t.Errorf("%s: got %v, requests %q; want one request to %s", tc.name, err, seen, tc.sentTo)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
}

// sequence hands out its tokens in turn, each with the EU api_domain.
type sequence struct {
	mu     sync.Mutex
	tokens []string
}

func (s *sequence) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &oauth2.Token{AccessToken: s.tokens[0]}
	if len(s.tokens) > 1 {
		s.tokens = s.tokens[1:]
	}
	return t.WithExtra(map[string]any{"api_domain": "https://www.zohoapis.eu"}), nil
}

// TestTransportInvalidToken: every 401 INVALID_OAUTHTOKEN expires the
// refused token, whatever the method; only an idempotent request is sent
// again, once, and only with a different token.
func TestTransportInvalidToken(t *testing.T) {
	const refusal = `{"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}`
	for _, tc := range []struct {
		name     string
		method   string
		tokens   []string
		wantSent int
		wantCode int
	}{
		{"GET resent with the next token", http.MethodGet, []string{"old", "new"}, 2, http.StatusOK},
		{"POST not resent", http.MethodPost, []string{"old", "new"}, 1, http.StatusUnauthorized},
		{"GET not resent with the same token", http.MethodGet, []string{"old"}, 1, http.StatusUnauthorized},
	} {
		rc := &recorder{answer: func(r *http.Request) *http.Response {
			if r.Header.Get("Authorization") == "Zoho-oauthtoken old" {
				return answer(http.StatusUnauthorized, nil, refusal)
			}
			return answer(http.StatusOK, nil, "{}")
		}}
		var expired []string
		tr := &zoho.Transport{Source: &sequence{tokens: tc.tokens}, Base: rc,
			OnInvalidToken: func(_ context.Context, tok *oauth2.Token) error {
				expired = append(expired, tok.AccessToken)
				return nil
			}}
		req, _ := http.NewRequest(tc.method, "/crm/v8/Leads", strings.NewReader("{}"))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("{}")), nil }
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantCode || len(rc.requests()) != tc.wantSent || len(expired) != 1 || expired[0] != "old" {
			t.Errorf("%s: status %d, %d sent, expired %q; want %d, %d sent, [old] expired", tc.name, resp.StatusCode, len(rc.requests()), expired, tc.wantCode, tc.wantSent)
		}
		if tc.wantCode == http.StatusUnauthorized && string(b) != refusal {
			t.Errorf("%s: the 401's body reached the caller as %q; want it intact", tc.name, b)
		}
	}
}
