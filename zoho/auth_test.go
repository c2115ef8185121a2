package zoho_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/zoho"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// callAPI calls the fake's API with Zoho's scheme and returns the status.
func callAPI(t *testing.T, s *zohotest.Server, accessToken string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.APIURL(), nil)
	zoho.SetAuthHeader(req, accessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestSetAuthHeader(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://www.zohoapis.com/crm/v8/users", nil)
	req.Header.Set("Authorization", "Bearer old")
	zoho.SetAuthHeader(req, "1000.a.b")
	if got := req.Header.Values("Authorization"); len(got) != 1 || got[0] != "Zoho-oauthtoken 1000.a.b" {
		t.Errorf("got %q; want one Zoho-oauthtoken header", got)
	}
}

// TestTransport: whatever TokenType the source gives ("Bearer" is what
// Zoho sends), the API sees Zoho's scheme; the caller's request is left
// alone.
func TestTransport(t *testing.T) {
	s, _ := newFake(t, nil)
	res, err := s.Accounts().Refresh(context.Background(), clientID, clientSecret, s.NewRefreshToken(clientID))
	if err != nil {
		t.Fatal(err)
	}
	src := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: res.AccessToken, TokenType: "Bearer"})
	client := &http.Client{Transport: &zoho.Transport{Source: src, AllowAPIDomains: []string{s.URL()}}}
	req, _ := http.NewRequest(http.MethodGet, s.APIURL(), nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got HTTP %d; want 200", resp.StatusCode)
	}
	if req.Header.Get("Authorization") != "" {
		t.Errorf("the caller's request was changed: %q", req.Header.Get("Authorization"))
	}

	// x/oauth2's own client writes the token's type: OAuth2Token makes it Zoho's.
	oc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(res.OAuth2Token(now)))
	if resp, err := oc.Get(s.APIURL()); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("oauth2 client with OAuth2Token: got %v, %v; want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	// With Zoho's own "Bearer" the fake API refuses, as Zoho documents only its scheme.
	bc := oauth2.NewClient(context.Background(), src)
	if resp, err := bc.Get(s.APIURL()); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("oauth2 client with Bearer: got %v, %v; want 401", resp, err)
	} else {
		resp.Body.Close()
	}
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errors.New("no token today") }

type trackingBody struct {
	io.Reader
	closed bool
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

func TestTransportSourceFails(t *testing.T) {
	for name, tr := range map[string]*zoho.Transport{
		"error":     {Source: failingSource{}},
		"no source": {},
		"empty":     {Source: oauth2.StaticTokenSource(&oauth2.Token{})},
	} {
		body := &trackingBody{Reader: strings.NewReader("x")}
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/never", body)
		res, err := tr.RoundTrip(req)
		if err == nil || res != nil || !body.closed {
			t.Errorf("%s: got %v, %v, body closed %v; want an error and the body closed", name, res, err, body.closed)
		}
	}
}
