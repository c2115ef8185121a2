package zoho

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// MaxResponseSize bounds how much of a token endpoint answer is read. Real
// answers are a few hundred bytes; a larger one is ErrMalformed.
const MaxResponseSize = 64 << 10

// ErrMissingArgument means a required argument of Refresh or ExchangeGrant
// was empty. Nothing was sent.
var ErrMissingArgument = errors.New("zoho: missing argument")

// Accounts is a Zoho accounts server's token endpoint and how to reach it.
// The zero value of each field but Endpoint is the default. Refresh and
// ExchangeGrant, the package functions, are its methods with no
// AllowAPIDomains.
type Accounts struct {
	// Endpoint is the data centre's endpoint (see DC.Endpoint); its
	// TokenURL is required.
	Endpoint oauth2.Endpoint
	// HTTPClient sends the requests; nil means http.DefaultClient. Its
	// redirect policy is replaced: a redirect is never followed.
	HTTPClient *http.Client
	// AllowAPIDomains lists origins besides Zoho's API hosts that an
	// answer's api_domain may name (see CheckAPIDomain): a local fake such
	// as zohotest in tests. Production code leaves it empty.
	AllowAPIDomains []string
}

// Refresh asks the token endpoint for a new access token with a refresh
// token. The answer carries no refresh token: Zoho's do not rotate.
//
// It sends one form-encoded POST (grant_type=refresh_token, client_id,
// client_secret, refresh_token) to endpoint.TokenURL with client (nil means
// http.DefaultClient), reads at most MaxResponseSize bytes, and returns
// when ctx ends, whichever comes first. Credentials travel only in the
// body, never in the URL, and a redirect is not followed (its answer is
// ErrMalformed): it would resend them. An api_domain that is not one of
// Zoho's API domains is ErrAPIDomain (see CheckAPIDomain). Errors are
// *Error (see the package documentation), the client's error wrapped
// (errors.Is(err, context.DeadlineExceeded) holds after a deadline), or
// ErrMissingArgument; none quotes the secret, the token or the body.
//
// Each successful call creates an access token and counts against Zoho's
// limits (10 per refresh token in 10 minutes, 15 active): share the result,
// do not call this per request.
func Refresh(ctx context.Context, client *http.Client, endpoint oauth2.Endpoint, clientID, clientSecret, refreshToken string) (*Response, error) {
	return (&Accounts{Endpoint: endpoint, HTTPClient: client}).Refresh(ctx, clientID, clientSecret, refreshToken)
}

// Refresh is the package function Refresh with a's endpoint, client and
// allowed API domains.
func (a *Accounts) Refresh(ctx context.Context, clientID, clientSecret, refreshToken string) (*Response, error) {
	if err := required(GrantRefreshToken, a.Endpoint, clientID, clientSecret, "refresh token", refreshToken); err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":    {GrantRefreshToken},
		"client_id":     {clientID},
		"client_secret": {clientSecret},
		"refresh_token": {refreshToken},
	}
	return a.post(ctx, GrantRefreshToken, form, []string{clientSecret, refreshToken})
}

// ExchangeGrant exchanges a grant code (the code of an authorization
// redirect, or a self-client's generated code) for a refresh token and a
// first access token. redirectURL must be the one the code was issued for;
// leave it empty for a self-client code. Grant codes are single-use and
// short-lived, and Zoho allows 10 per client in 10 minutes: exchange each
// once, store the refresh token, and refresh from then on.
//
// It sends grant_type=authorization_code with client_id, client_secret,
// code and redirect_uri (when set), and otherwise behaves as Refresh.
func ExchangeGrant(ctx context.Context, client *http.Client, endpoint oauth2.Endpoint, clientID, clientSecret, grantCode, redirectURL string) (*Response, error) {
	return (&Accounts{Endpoint: endpoint, HTTPClient: client}).ExchangeGrant(ctx, clientID, clientSecret, grantCode, redirectURL)
}

// ExchangeGrant is the package function ExchangeGrant with a's endpoint,
// client and allowed API domains.
func (a *Accounts) ExchangeGrant(ctx context.Context, clientID, clientSecret, grantCode, redirectURL string) (*Response, error) {
	if err := required(GrantAuthorizationCode, a.Endpoint, clientID, clientSecret, "grant code", grantCode); err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":    {GrantAuthorizationCode},
		"client_id":     {clientID},
		"client_secret": {clientSecret},
		"code":          {grantCode},
	}
	if redirectURL != "" {
		form.Set("redirect_uri", redirectURL)
	}
	return a.post(ctx, GrantAuthorizationCode, form, []string{clientSecret, grantCode})
}

func required(op string, endpoint oauth2.Endpoint, clientID, clientSecret, what, value string) error {
	missing := ""
	switch {
	case endpoint.TokenURL == "":
		missing = "token URL"
	case clientID == "":
		missing = "client ID"
	case clientSecret == "":
		missing = "client secret"
	case value == "":
		missing = what
	default:
		return nil
	}
	return fmt.Errorf("%w: %s: no %s", ErrMissingArgument, op, missing)
}

// post sends form and parses the answer. secrets are cut out of anything
// quoted from the answer.
func (a *Accounts) post(ctx context.Context, op string, form url.Values, secrets []string) (*Response, error) {
	client := a.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	// Never follow a redirect: a 307 or 308 would resend the form, client
	// secret included, to wherever it points. A copy of the client keeps
	// the caller's transport, timeout and jar.
	noRedirect := *client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client = &noRedirect
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("zoho: %s: build request: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("zoho: %s: %w", op, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("zoho: %s: read answer (HTTP %d): %w", op, res.StatusCode, err)
	}
	now := time.Now()
	if len(body) > MaxResponseSize {
		return nil, &Error{Op: op, StatusCode: res.StatusCode, Description: fmt.Sprintf("body larger than %d bytes", MaxResponseSize), kind: ErrMalformed}
	}
	return parse(op, res.StatusCode, res.Header, body, now, secrets, a.AllowAPIDomains)
}
