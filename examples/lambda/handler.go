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

// Handler loads a user's token from the store, refreshes it through the
// OAuth token endpoint when it has expired, saves it back and calls the API
// with it.
type Handler struct {
	Store tokenstore.Store
	// OAuth holds the client credentials and the token endpoint.
	OAuth oauth2.Config
	// APIURL is the resource the access token is used on.
	APIURL string
	// TokenType is the Authorization scheme: "Bearer", or
	// "Zoho-oauthtoken" for Zoho's APIs. Default "Bearer".
	TokenType string
	// HTTP is the client for the token endpoint and the API. Default: a
	// client with a 10 second timeout.
	HTTP *http.Client
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// Skew is how long before its expiry an access token is refreshed.
const Skew = time.Minute

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

// Handle serves one invocation.
func (h *Handler) Handle(ctx context.Context, ev Event) (Response, error) {
	if ev.User == "" {
		return Response{}, errors.New("event has no user")
	}
	tok, err := h.Store.FindToken(ctx, tokenstore.Token{UserName: ev.User})
	if errors.Is(err, tokenstore.ErrNotFound) {
		return Response{}, errors.New("no token stored for this user: seed one first")
	}
	if err != nil {
		return Response{}, err
	}
	resp := Response{User: ev.User, TokenID: tok.ID}
	if tok.Expired(h.now(), Skew) {
		if tok, err = h.refresh(ctx, tok); err != nil {
			return resp, err
		}
		resp.Refreshed = true
	}
	resp.Expiry = tok.Expiry
	resp.APIStatus, resp.API, err = h.callAPI(ctx, tok)
	return resp, err
}

// refresh gets a new access token with the stored refresh token and saves
// it (with the new refresh token, if the provider rotated it). The save
// merges into the stored record by user name, so a concurrent change of
// another field is kept.
func (h *Handler) refresh(ctx context.Context, tok tokenstore.Token) (tokenstore.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, h.http())
	nt, err := h.OAuth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		return tok, fmt.Errorf("refresh access token: %w", err)
	}
	upd := tokenstore.Token{UserName: tok.UserName, AccessToken: nt.AccessToken, Expiry: nt.Expiry}
	if nt.RefreshToken != tok.RefreshToken {
		upd.RefreshToken = nt.RefreshToken
	}
	if d, ok := nt.Extra("api_domain").(string); ok {
		upd.APIDomain = d
	}
	if err := h.Store.SaveToken(ctx, &upd); err != nil {
		return tok, fmt.Errorf("save refreshed token: %w", err)
	}
	return upd, nil
}

// callAPI uses the access token on the API and returns the status and body.
func (h *Handler) callAPI(ctx context.Context, tok tokenstore.Token) (int, json.RawMessage, error) {
	typ := h.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, h.http())
	client := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken, TokenType: typ}))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.APIURL, nil)
	if err != nil {
		return 0, nil, err
	}
	res, err := client.Do(req)
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

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) http() *http.Client {
	if h.HTTP != nil {
		return h.HTTP
	}
	return defaultHTTP
}
