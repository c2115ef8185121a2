package refresh

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// maxProbe is how much of a 401 answer's body is read to look for Zoho's
// INVALID_OAUTHTOKEN code.
const maxProbe = 4 << 10

// Client returns an *http.Client for the Zoho API of this Source's record:
// every request gets the access token from Current in Zoho's scheme, and
// a request with no host goes to the record's api_domain (so
// "/crm/v8/Leads" works for users of every data centre). An answer 401
// with INVALID_OAUTHTOKEN (the token was revoked, or evicted by a sixteenth
// one) marks that token expired in the store, so that exactly one process
// of the fleet refreshes, and retries the request once if it is idempotent
// and its body can be sent again. base sends the requests; nil means
// http.DefaultTransport.
func (s *Source) Client(base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Transport: &transport{src: s, base: base}}
}

type transport struct {
	src  *Source
	base http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := tr.src.Current(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := tr.send(req, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !retryable(req) {
		return resp, err
	}
	invalid, resp := invalidToken(resp)
	if !invalid {
		return resp, nil
	}
	resp.Body.Close()
	if err := tr.src.expire(req.Context(), tok); err != nil {
		return nil, err
	}
	if tok, err = tr.src.Current(req.Context()); err != nil {
		return nil, err
	}
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("refresh: resending the request: %w", err)
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	return tr.send(req, tok)
}

// send sends a clone of req with tok's access token, aimed at its API
// domain when req has no host.
func (tr *transport) send(req *http.Request, tok tokenstore.Token) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.URL.Host == "" && tok.APIDomain != "" {
		d, err := url.Parse(tok.APIDomain)
		if err != nil || d.Host == "" {
			return nil, fmt.Errorf("refresh: the record's api_domain is not a URL")
		}
		r.URL.Scheme, r.URL.Host, r.Host = d.Scheme, d.Host, ""
	}
	zoho.SetAuthHeader(r, tok.AccessToken)
	return tr.base.RoundTrip(r)
}

// retryable reports whether req may be sent twice: an idempotent method,
// and a body that is absent or can be produced again.
func retryable(req *http.Request) bool {
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

// expire marks tok's access token expired in the store, if the record
// still holds it, so that the next Current of any process refreshes.
func (s *Source) expire(ctx context.Context, tok tokenstore.Token) error {
	if t := s.last.Load(); t != nil && t.AccessToken == tok.AccessToken {
		s.last.CompareAndSwap(t, nil)
	}
	_, err := s.upd.UpdateToken(ctx, tok.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
		if r.Token.AccessToken == tok.AccessToken {
			r.Token.Expiry = s.opts.Now().Add(-time.Second)
		}
		return r, nil
	})
	if err != nil {
		return fmt.Errorf("refresh: marking a refused access token expired: %w", err)
	}
	return nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
