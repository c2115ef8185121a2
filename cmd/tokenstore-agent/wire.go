package main

import (
	"errors"
	"strconv"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// wireToken is a token on the wire: the Zoho SDKs' OAuthToken field names,
// every value a string, expiry_time in epoch milliseconds. It holds
// secrets: it is only ever encoded into a response to the caller who
// asked for it, never logged.
type wireToken struct {
	ID           string `json:"id"`
	UserName     string `json:"user_name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	AccessToken  string `json:"access_token"`
	GrantToken   string `json:"grant_token"`
	ExpiryTime   string `json:"expiry_time"`
	RedirectURL  string `json:"redirect_url"`
	APIDomain    string `json:"api_domain"`
}

// errExpiry: expiry_time is not epoch milliseconds.
var errExpiry = errors.New("expiry_time: want epoch milliseconds as a decimal string")

func (w wireToken) token() (tokenstore.Token, error) {
	t := tokenstore.Token{
		ID: w.ID, UserName: w.UserName, ClientID: w.ClientID, ClientSecret: w.ClientSecret,
		RefreshToken: w.RefreshToken, AccessToken: w.AccessToken, GrantToken: w.GrantToken,
		RedirectURL: w.RedirectURL, APIDomain: w.APIDomain,
	}
	if w.ExpiryTime != "" {
		ms, err := strconv.ParseInt(w.ExpiryTime, 10, 64)
		if err != nil {
			return tokenstore.Token{}, errExpiry
		}
		t.Expiry = time.UnixMilli(ms).UTC()
	}
	return t, nil
}

func toWire(t tokenstore.Token) wireToken {
	return wireToken{
		ID: t.ID, UserName: t.UserName, ClientID: t.ClientID, ClientSecret: t.ClientSecret,
		RefreshToken: t.RefreshToken, AccessToken: t.AccessToken, GrantToken: t.GrantToken,
		ExpiryTime: expiryMillis(t.Expiry), RedirectURL: t.RedirectURL, APIDomain: t.APIDomain,
	}
}

func expiryMillis(e time.Time) string {
	if e.IsZero() {
		return ""
	}
	return strconv.FormatInt(e.UnixMilli(), 10)
}

// accessToken is the answer of GET /v1/token: what a client needs to call
// the API, and no refresh token or client secret.
type accessToken struct {
	AccessToken string `json:"access_token"`
	ExpiryTime  string `json:"expiry_time"`
	APIDomain   string `json:"api_domain"`
	TokenType   string `json:"token_type"`
	ID          string `json:"id"`
	UserName    string `json:"user_name"`
}

// invalidRequest is the body of POST /v1/token/invalid.
type invalidRequest struct {
	ID          string `json:"id"`
	UserName    string `json:"user_name"`
	AccessToken string `json:"access_token"`
}
