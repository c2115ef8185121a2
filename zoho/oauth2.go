package zoho

import (
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
)

// OAuth2Token returns r as a golang.org/x/oauth2 token whose TokenType is
// AuthScheme, so that oauth2.Transport and Token.SetAuthHeader write Zoho's
// scheme; Extra("api_domain") holds APIDomain.
func (r *Response) OAuth2Token(now time.Time) *oauth2.Token {
	t := &oauth2.Token{
		AccessToken:  r.AccessToken,
		RefreshToken: r.RefreshToken,
		TokenType:    AuthScheme,
		Expiry:       expiry(now, r.ExpiresIn),
		ExpiresIn:    int64(r.ExpiresIn / time.Second),
	}
	return t.WithExtra(map[string]any{"api_domain": r.APIDomain})
}

// OAuth2Token returns the stored token t as a golang.org/x/oauth2 token
// (access and refresh token, Expiry, TokenType AuthScheme,
// Extra("api_domain")), e.g. for oauth2.StaticTokenSource.
func OAuth2Token(t tokenstore.Token) *oauth2.Token {
	o := &oauth2.Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: AuthScheme, Expiry: t.Expiry}
	return o.WithExtra(map[string]any{"api_domain": t.APIDomain})
}

// FromOAuth2 returns the fields of a golang.org/x/oauth2 token (one from
// oauth2.Config.Exchange, say) as a partial tokenstore.Token:
// AccessToken, RefreshToken, Expiry, and APIDomain from
// Extra("api_domain") when it is a string. Zoho's "Bearer" TokenType is
// dropped: it is not stored.
func FromOAuth2(o *oauth2.Token) tokenstore.Token {
	if o == nil {
		return tokenstore.Token{}
	}
	t := tokenstore.Token{AccessToken: o.AccessToken, RefreshToken: o.RefreshToken, Expiry: o.Expiry}
	if d, ok := o.Extra("api_domain").(string); ok {
		t.APIDomain = d
	}
	return t
}
