package zoho

import (
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
)

// AuthScheme is the Authorization scheme Zoho's APIs expect:
// "Authorization: Zoho-oauthtoken <access token>". Zoho's token responses
// nevertheless say "token_type": "Bearer", and golang.org/x/oauth2 writes
// whatever TokenType says (Bearer when empty), so use SetAuthHeader,
// Transport or an oauth2.Token whose TokenType is AuthScheme.
const AuthScheme = "Zoho-oauthtoken"

// SetAuthHeader sets r's Authorization header to "Zoho-oauthtoken <accessToken>",
// replacing any other.
func SetAuthHeader(r *http.Request, accessToken string) {
	r.Header.Set("Authorization", AuthScheme+" "+accessToken)
}

// Transport is an http.RoundTripper that authorizes every request with an
// access token from Source in Zoho's scheme, whatever the token's
// TokenType says (Zoho answers "Bearer", which its APIs do not document).
// It clones the request rather than change the caller's.
//
// Source's Token takes no context (golang.org/x/oauth2's design); a Source
// that refreshes over the network should bound its own calls.
type Transport struct {
	// Source supplies the access token; required.
	Source oauth2.TokenSource
	// Base sends the authorized request. Nil means http.DefaultTransport.
	Base http.RoundTripper
}

var _ http.RoundTripper = (*Transport)(nil)

// RoundTrip implements http.RoundTripper. When Source fails it returns the
// error (closing the request body, as the RoundTripper contract asks) and
// sends nothing.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}
	if t.Source == nil {
		closeBody()
		return nil, errors.New("zoho: Transport has no Source")
	}
	tok, err := t.Source.Token()
	if err != nil {
		closeBody()
		return nil, fmt.Errorf("zoho: get access token: %w", err)
	}
	if tok == nil || tok.AccessToken == "" {
		closeBody()
		return nil, errors.New("zoho: token source returned no access token")
	}
	r := req.Clone(req.Context())
	SetAuthHeader(r, tok.AccessToken)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// NewClient returns an *http.Client that authorizes its requests with
// tokens from src in Zoho's scheme. base is the client whose transport,
// timeout, redirect policy and cookie jar it copies; nil means
// http.DefaultClient.
func NewClient(base *http.Client, src oauth2.TokenSource) *http.Client {
	if base == nil {
		base = http.DefaultClient
	}
	c := *base
	c.Transport = &Transport{Source: src, Base: base.Transport}
	return &c
}
