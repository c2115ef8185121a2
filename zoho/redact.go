package zoho

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// tokenLike matches what a Zoho token, or any other long opaque credential,
// looks like: Zoho's "1000.<hex>.<hex>" and any run of 32 or more
// characters without a space. Error descriptions are sentences, so cutting
// such runs loses nothing a reader needs.
var tokenLike = regexp.MustCompile(`1000\.[0-9A-Za-z]+\.[0-9A-Za-z]+|[A-Za-z0-9._~+/=-]{32,}`)

// clean makes text from an answer safe to put in an error: the request's
// secrets and anything token-like replaced, control characters turned into
// spaces, runs of space collapsed, invalid UTF-8 dropped, and the result
// cut to max bytes.
func clean(s string, secrets []string, max int) string {
	for _, sec := range secrets {
		s = cutSecret(s, sec)
	}
	s = tokenLike.ReplaceAllString(s, redact.Mark)
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// cutSecret replaces every occurrence of sec in s, in any letter case and
// as it appears form-encoded, by the redaction mark: a server that echoes
// a secret upper-cased or still encoded must not get it into an error.
func cutSecret(s, sec string) string {
	if sec == "" {
		return s
	}
	for _, form := range []string{sec, url.QueryEscape(sec)} {
		s = regexp.MustCompile("(?i)"+regexp.QuoteMeta(form)).ReplaceAllLiteralString(s, redact.Mark)
	}
	return s
}

// String returns a one-line summary of r with the tokens redacted.
func (r Response) String() string {
	return fmt.Sprintf("zoho.Response{AccessToken:%s RefreshToken:%s APIDomain:%s TokenType:%s ExpiresIn:%s}",
		redact.Mask(r.AccessToken), redact.Mask(r.RefreshToken), r.APIDomain, r.TokenType, r.ExpiresIn)
}

// GoString implements fmt.GoStringer for %#v, with the tokens redacted.
func (r Response) GoString() string {
	return fmt.Sprintf("zoho.Response{AccessToken:%q, RefreshToken:%q, APIDomain:%q, TokenType:%q, ExpiresIn:%d}",
		redact.Mask(r.AccessToken), redact.Mask(r.RefreshToken), r.APIDomain, r.TokenType, int64(r.ExpiresIn))
}

// Format implements fmt.Formatter so that every verb prints the redacted
// form.
func (r Response) Format(f fmt.State, verb rune) { redact.FormatGo(f, verb, r) }

// LogValue implements slog.LogValuer: the non-secret fields, and for each
// token only whether it is set.
func (r Response) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("AccessToken", redact.Mask(r.AccessToken)),
		slog.String("RefreshToken", redact.Mask(r.RefreshToken)),
		slog.String("APIDomain", r.APIDomain),
		slog.String("TokenType", r.TokenType),
		slog.Duration("ExpiresIn", r.ExpiresIn),
	)
}

// MarshalJSON implements json.Marshaler with the tokens redacted, for
// JSON loggers; it is not a storage form.
func (r Response) MarshalJSON() ([]byte, error) {
	type plain Response
	p := plain(r)
	p.AccessToken, p.RefreshToken = redact.Mask(p.AccessToken), redact.Mask(p.RefreshToken)
	return json.Marshal(p)
}

var (
	_ fmt.Formatter  = Response{}
	_ fmt.Stringer   = Response{}
	_ slog.LogValuer = Response{}
	_ json.Marshaler = Response{}
)

// RedactedToken is an *oauth2.Token in the form to log. golang.org/x/oauth2's
// Token is a plain struct: %v, %+v and json.Marshal of it print the access
// and refresh tokens. Log RedactToken(tok) instead; it shows the type, the
// expiry and the api_domain, and of each token only whether it is set.
type RedactedToken struct{ t *oauth2.Token }

// RedactToken returns t's loggable form; t may be nil.
func RedactToken(t *oauth2.Token) RedactedToken { return RedactedToken{t} }

func (r RedactedToken) fields() (access, refresh, typ, expiry, apiDomain string) {
	if r.t == nil {
		return "", "", "", "", ""
	}
	apiDomain, _ = r.t.Extra("api_domain").(string)
	if !r.t.Expiry.IsZero() {
		expiry = r.t.Expiry.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return redact.Mask(r.t.AccessToken), redact.Mask(r.t.RefreshToken), r.t.TokenType, expiry, apiDomain
}

// String returns a one-line summary with the tokens redacted.
func (r RedactedToken) String() string {
	if r.t == nil {
		return "oauth2.Token(nil)"
	}
	a, rt, typ, exp, d := r.fields()
	return fmt.Sprintf("oauth2.Token{AccessToken:%s RefreshToken:%s TokenType:%s Expiry:%s APIDomain:%s}", a, rt, typ, exp, d)
}

// GoString implements fmt.GoStringer for %#v, with the tokens redacted.
func (r RedactedToken) GoString() string { return r.String() }

// Format implements fmt.Formatter: every verb prints the redacted form.
func (r RedactedToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.String()) }

// LogValue implements slog.LogValuer.
func (r RedactedToken) LogValue() slog.Value {
	a, rt, typ, exp, d := r.fields()
	return slog.GroupValue(slog.String("AccessToken", a), slog.String("RefreshToken", rt),
		slog.String("TokenType", typ), slog.String("Expiry", exp), slog.String("APIDomain", d))
}

// MarshalJSON implements json.Marshaler with the tokens redacted.
func (r RedactedToken) MarshalJSON() ([]byte, error) {
	a, rt, typ, exp, d := r.fields()
	return json.Marshal(map[string]string{"access_token": a, "refresh_token": rt, "token_type": typ, "expiry": exp, "api_domain": d})
}

var (
	_ fmt.Formatter  = RedactedToken{}
	_ slog.LogValuer = RedactedToken{}
	_ json.Marshaler = RedactedToken{}
)
