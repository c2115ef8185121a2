package tokenstore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tokenstore-go/tokenstore/internal/fields"
	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// String returns a one-line summary of t with every secret redacted.
func (t Token) String() string {
	var b strings.Builder
	b.WriteString("Token{")
	for i, f := range fields.All {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.Name)
		b.WriteByte(':')
		b.WriteString(t.shown(i))
	}
	b.WriteByte('}')
	return b.String()
}

// GoString implements fmt.GoStringer for %#v, with every secret redacted.
func (t Token) GoString() string {
	var b strings.Builder
	b.WriteString("tokenstore.Token{")
	for i, f := range fields.All {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s:%q", f.Name, t.shown(i))
	}
	b.WriteByte('}')
	return b.String()
}

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q,
// and any other) prints the redacted form; no verb reaches the raw fields.
func (t Token) Format(f fmt.State, verb rune) { redact.FormatGo(f, verb, t) }

// LogValue implements slog.LogValuer: a group of the non-secret fields, and
// for each secret only whether it is set.
func (t Token) LogValue() slog.Value {
	attrs := make([]slog.Attr, len(fields.All))
	for i, f := range fields.All {
		attrs[i] = slog.String(f.Name, t.shown(i))
	}
	return slog.GroupValue(attrs...)
}

// shown returns field i of t as it may be shown: a secret masked, a time
// in RFC 3339 (UTC, to the second), "" when unset.
func (t *Token) shown(i int) string {
	p := (*fields.Token)(t)
	if fields.All[i].Time {
		if e := *p.Time(i); !e.IsZero() {
			return e.UTC().Format(time.RFC3339)
		}
		return ""
	}
	if fields.All[i].Secret {
		return redact.Mask(*p.Str(i))
	}
	return *p.Str(i)
}
