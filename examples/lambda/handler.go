package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
)

// Event is what the function is invoked with.
type Event struct {
	User string `json:"user"`
}

// Response reports what an invocation did. It carries no token.
type Response struct {
	User      string          `json:"user"`
	TokenID   string          `json:"token_id"`
	Refreshed bool            `json:"refreshed"`
	Expiry    time.Time       `json:"expiry"`
	APIStatus int             `json:"api_status"`
	API       json.RawMessage `json:"api,omitempty"`
}

// Handler gets a valid access token for a user from the store and calls
// the API with it. The token comes from a refresh.Source: while the stored
// token is valid it is used as is; when it has expired, exactly one of all
// the function's instances (warm or cold, concurrent or not) calls the
// token endpoint, and the others wait for its result, so a fleet stays
// under Zoho's 10 refreshes per 10 minutes.
type Handler struct {
	Store tokenstore.Store
	// OAuth holds the client credentials (stored with each seeded user)
	// and the token endpoint (Endpoint.TokenURL; see zoho.DC.Endpoint).
	OAuth oauth2.Config
	// APIURL is the resource the access token is used on: absolute, or a
	// path sent to the user's api_domain.
	APIURL string
	// HTTP is the client for the token endpoint and the API. Default: a
	// client with a 10 second timeout.
	HTTP *http.Client
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// AllowAPIDomains lists origins besides Zoho's API hosts that token
	// responses may name and the token may be sent to: a local fake in
	// tests (OAUTH_ALLOW_API_DOMAIN), never in production.
	AllowAPIDomains []string
}

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

// Handle serves one invocation.
func (h *Handler) Handle(ctx context.Context, ev Event) (Response, error) {
	if ev.User == "" {
		return Response{}, errors.New("event has no user")
	}
	refreshed := false
	src, err := refresh.New(h.Store, tokenstore.Token{UserName: ev.User}, h.OAuth.Endpoint, &refresh.Options{
		HTTPClient: h.http(), Now: h.Now, AllowAPIDomains: h.AllowAPIDomains,
		OnTokenChange: func(tokenstore.Token) { refreshed = true },
	})
	if err != nil {
		return Response{}, err
	}
	tok, err := src.Current(ctx)
	if errors.Is(err, tokenstore.ErrNotFound) {
		return Response{}, errors.New("no token stored for this user: seed one first")
	}
	if err != nil {
		return Response{}, err
	}
	resp := Response{User: ev.User, TokenID: tok.ID, Refreshed: refreshed, Expiry: tok.Expiry}
	resp.APIStatus, resp.API, err = h.callAPI(ctx, src)
	return resp, err
}

// callAPI calls the API with the source's client, which sends the token
// in Zoho's scheme and, if the API refuses it as invalid, has it refreshed
// once for the fleet and retries.
func (h *Handler) callAPI(ctx context.Context, src *refresh.Source) (int, json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.APIURL, nil)
	if err != nil {
		return 0, nil, err
	}
	base := h.http().Transport
	res, err := src.Client(base).Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("call API: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return res.StatusCode, nil, fmt.Errorf("read API response: %w", err)
	}
	if !json.Valid(body) {
		body, _ = json.Marshal(string(body))
	}
	return res.StatusCode, body, nil
}

func (h *Handler) http() *http.Client {
	if h.HTTP != nil {
		return h.HTTP
	}
	return defaultHTTP
}
