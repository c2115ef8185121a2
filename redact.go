package tokenstore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// redacted stands in for a secret that is set; an unset secret prints empty,
// so a log still tells whether the field was present.
const redacted = "[redacted]"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String returns a one-line summary of t with every secret redacted.
func (t Token) String() string {
	var b strings.Builder
	b.WriteString("Token{")
	for i, f := range t.safeFields() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.name)
		b.WriteByte(':')
		b.WriteString(f.value)
	}
	b.WriteByte('}')
	return b.String()
}

// GoString implements fmt.GoStringer for %#v, with every secret redacted.
func (t Token) GoString() string {
	var b strings.Builder
	b.WriteString("tokenstore.Token{")
	for i, f := range t.safeFields() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s:%q", f.name, f.value)
	}
	b.WriteByte('}')
	return b.String()
}

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q,
// and any other) prints the redacted form; no verb reaches the raw fields.
func (t Token) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, t.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", t.String())
	default:
		fmt.Fprint(f, t.String())
	}
}

// LogValue implements slog.LogValuer: a group of the non-secret fields, and
// for each secret only whether it is set.
func (t Token) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 10)
	for _, f := range t.safeFields() {
		attrs = append(attrs, slog.String(f.name, f.value))
	}
	return slog.GroupValue(attrs...)
}

// safeFields lists t's fields as they may be shown: secrets masked, expiry
// in RFC 3339.
func (t Token) safeFields() []struct{ name, value string } {
	expiry := ""
	if !t.Expiry.IsZero() {
		expiry = t.Expiry.UTC().Format(time.RFC3339)
	}
	return []struct{ name, value string }{
		{"ID", t.ID},
		{"UserName", t.UserName},
		{"ClientID", t.ClientID},
		{"ClientSecret", mask(t.ClientSecret)},
		{"RefreshToken", mask(t.RefreshToken)},
		{"AccessToken", mask(t.AccessToken)},
		{"GrantToken", mask(t.GrantToken)},
		{"Expiry", expiry},
		{"RedirectURL", t.RedirectURL},
		{"APIDomain", t.APIDomain},
	}
}
