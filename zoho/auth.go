package zoho

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// AuthScheme is the Authorization scheme Zoho's APIs expect:
// "Authorization: Zoho-oauthtoken <access token>". Zoho's token responses
// nevertheless say "token_type": "Bearer", and golang.org/x/oauth2 writes
// whatever TokenType says (Bearer when empty), so use SetAuthHeader,
// Transport or an oauth2.Token whose TokenType is AuthScheme.
const AuthScheme = "Zoho-oauthtoken"

// SetAuthHeader sets r's Authorization header to "Zoho-oauthtoken <accessToken>",
// replacing any other. It does not check where r goes: Transport does.
func SetAuthHeader(r *http.Request, accessToken string) {
	r.Header.Set("Authorization", AuthScheme+" "+accessToken)
}

// TokenSourceContext is an oauth2.TokenSource whose token may be fetched
// under a context (refresh.Source is one). Transport uses the request's
// context with it.
type TokenSourceContext interface {
	oauth2.TokenSource
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// Transport is the http.RoundTripper for Zoho's APIs: it authorizes each
// request with an access token from Source in Zoho's scheme, whatever the
// token's TokenType says, and sends it only where Zoho would take it.
//
// Where the token goes. The token's Extra("api_domain") (see OAuth2Token)
// names its API host. A request without a host ("/crm/v8/Leads") goes
// there; a request with one is sent only if it is https on that host or
// on another Zoho API host of the same data centre (sandbox, developer,
// content), or, when the token has no api_domain, on any of Zoho's API
// hosts. Anything else, a redirect included (http.Client sends each hop
// through RoundTrip), is refused with ErrAPIDomain before a byte is sent:
// a 302 to another host or to plain http never receives the token.
//
// A 401 INVALID_OAUTHTOKEN (or INVALID_TOKEN) answer calls OnInvalidToken,
// whatever the method, so the refused token is expired for every process;
// the request is sent again once with the next token only if it is
// idempotent, its body can be produced again, and that token differs.
//
// It clones the request rather than change the caller's, and closes the
// request body on every error, as http.RoundTripper asks.
type Transport struct {
	// Source supplies the access token; required. When it implements
	// TokenSourceContext, the request's context bounds the wait.
	Source oauth2.TokenSource
	// Base sends the authorized request. Nil means http.DefaultTransport.
	Base http.RoundTripper
	// AllowAPIDomains lists origins besides Zoho's API hosts a token may be
	// sent to, exactly as written (scheme, host, port): a local fake API
	// such as zohotest's in tests, and then only with a token whose
	// api_domain is that origin (or none). Production code leaves it empty.
	AllowAPIDomains []string
	// OnInvalidToken, if set, is called with the token an API answer
	// refused with 401 INVALID_OAUTHTOKEN; refresh.Source.Expire marks it
	// expired for the fleet. Its error is returned, and nothing is resent.
	OnInvalidToken func(ctx context.Context, refused *oauth2.Token) error
}

var _ http.RoundTripper = (*Transport)(nil)

// maxProbe is how much of a 401 answer's body is read to look for Zoho's
// INVALID_OAUTHTOKEN code.
const maxProbe = 4 << 10

// RoundTrip implements http.RoundTripper. When Source fails, or the request
// would take the token where it may not go, it returns the error (closing
// the request body) and sends nothing.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.token(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || t.OnInvalidToken == nil {
		return resp, err
	}
	invalid, resp := invalidToken(resp)
	if !invalid {
		return resp, nil
	}
	// Every refusal expires the token for the fleet; only the resend
	// depends on the request being safe to send twice.
	if err := t.OnInvalidToken(req.Context(), tok); err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("zoho: expiring a refused access token: %w", err)
	}
	if !resendable(req) {
		return resp, nil
	}
	next, err := t.token(req.Context())
	if err != nil || next.AccessToken == tok.AccessToken {
		return resp, nil // nothing better to send: the caller gets the 401
	}
	again := req.Clone(req.Context())
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		if again.Body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	resp.Body.Close()
	return t.send(again, next)
}

// token gets an access token from Source under ctx when it can.
func (t *Transport) token(ctx context.Context) (*oauth2.Token, error) {
	var (
		tok *oauth2.Token
		err error
	)
	switch src := t.Source.(type) {
	case nil:
		return nil, errors.New("zoho: Transport has no Source")
	case TokenSourceContext:
		tok, err = src.TokenContext(ctx)
	default:
		tok, err = src.Token()
	}
	if err != nil {
		return nil, fmt.Errorf("zoho: get access token: %w", err)
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, errors.New("zoho: token source returned no access token")
	}
	return tok, nil
}

// send sends a clone of req with tok, aimed at tok's API domain when req
// has no host, after checking where it goes.
func (t *Transport) send(req *http.Request, tok *oauth2.Token) (*http.Response, error) {
	apiDomain, _ := tok.Extra("api_domain").(string)
	r := req.Clone(req.Context())
	if r.URL.Host == "" {
		if apiDomain == "" {
			closeBody(req)
			return nil, fmt.Errorf("%w: a request without a host, and a token without an api_domain", ErrAPIDomain)
		}
		origin, err := CheckAPIDomain(apiDomain, t.AllowAPIDomains...)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		d, _ := url.Parse(origin)
		r.URL.Scheme, r.URL.Host, r.Host = d.Scheme, d.Host, ""
	}
	if err := checkDestination(r.URL, apiDomain, t.AllowAPIDomains); err != nil {
		closeBody(req)
		return nil, err
	}
	SetAuthHeader(r, tok.AccessToken)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// resendable reports whether req may be sent twice: an idempotent method,
// and a body that is absent or can be produced again.
func resendable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}

// invalidToken reports whether a 401 answer says the access token is no
// longer valid, and returns the answer with its body intact.
func invalidToken(resp *http.Response) (bool, *http.Response) {
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxProbe))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return bytes.Contains(head, []byte("INVALID_OAUTHTOKEN")) || bytes.Contains(head, []byte("INVALID_TOKEN")), resp
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// NewClient returns an *http.Client that authorizes its requests with
// tokens from src in Zoho's scheme, sending them only to Zoho's API hosts
// (see Transport). base is the client whose transport, timeout, redirect
// policy and cookie jar it copies; nil means http.DefaultClient.
func NewClient(base *http.Client, src oauth2.TokenSource) *http.Client {
	if base == nil {
		base = http.DefaultClient
	}
	c := *base
	c.Transport = &Transport{Source: src, Base: base.Transport}
	return &c
}
