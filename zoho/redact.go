package zoho

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

const redacted = "[redacted]"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

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
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	s = tokenLike.ReplaceAllString(s, redacted)
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

// String returns a one-line summary of r with the tokens redacted.
func (r Response) String() string {
	return fmt.Sprintf("zoho.Response{AccessToken:%s RefreshToken:%s APIDomain:%s TokenType:%s ExpiresIn:%s}",
		mask(r.AccessToken), mask(r.RefreshToken), r.APIDomain, r.TokenType, r.ExpiresIn)
}

// GoString implements fmt.GoStringer for %#v, with the tokens redacted.
func (r Response) GoString() string {
	return fmt.Sprintf("zoho.Response{AccessToken:%q, RefreshToken:%q, APIDomain:%q, TokenType:%q, ExpiresIn:%d}",
		mask(r.AccessToken), mask(r.RefreshToken), r.APIDomain, r.TokenType, int64(r.ExpiresIn))
}

// Format implements fmt.Formatter so that every verb prints the redacted
// form.
func (r Response) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, r.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", r.String())
	default:
		fmt.Fprint(f, r.String())
	}
}

// LogValue implements slog.LogValuer: the non-secret fields, and for each
// token only whether it is set.
func (r Response) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("AccessToken", mask(r.AccessToken)),
		slog.String("RefreshToken", mask(r.RefreshToken)),
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
	p.AccessToken, p.RefreshToken = mask(p.AccessToken), mask(p.RefreshToken)
	return json.Marshal(p)
}

var (
	_ fmt.Formatter  = Response{}
	_ fmt.Stringer   = Response{}
	_ slog.LogValuer = Response{}
	_ json.Marshaler = Response{}
)
