package refresh

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/zoho"
)

// Client returns an *http.Client for the Zoho API of this Source's record,
// on zoho.Transport: every request gets the access token from
// TokenContext in Zoho's scheme, and goes only to the record's API domain
// over https (a request with no host, such as "/crm/v8/Leads", goes there;
// a redirect elsewhere is refused). An answer 401 INVALID_OAUTHTOKEN (the
// token was revoked, or evicted by a sixteenth one) expires that token for
// the fleet (Expire), whatever the method, and the request is sent again
// once with the next token if it is idempotent and its body can be sent
// again. base sends the requests; nil means http.DefaultTransport.
func (s *Source) Client(base http.RoundTripper) *http.Client {
	return &http.Client{Transport: s.Transport(base)}
}

// Transport returns the zoho.Transport that Client uses, for callers that
// build their own http.Client.
func (s *Source) Transport(base http.RoundTripper) *zoho.Transport {
	return &zoho.Transport{
		Source:          s,
		Base:            base,
		AllowAPIDomains: s.opts.AllowAPIDomains,
		OnInvalidToken: func(ctx context.Context, refused *oauth2.Token) error {
			return s.Expire(ctx, refused.AccessToken)
		},
	}
}
