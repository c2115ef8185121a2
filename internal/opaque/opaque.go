// Package opaque prints values that hold secrets in unexported fields, such
// as stores and their backends, as a fixed summary. fmt prints unexported
// fields without calling their String or Format methods, so a store that
// holds tokens, lookup keys or an HMAC pepper must not let fmt reach them.
package opaque

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
)

// Format writes s for every verb and flag, quoted for %q, so that no verb
// reaches the fields of the value whose Format method calls it.
func Format(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}

// LogValue is the slog form of such a value: s, and nothing of its fields.
func LogValue(s string) slog.Value { return slog.StringValue(s) }

// Struct returns v, a struct, as %+v prints it, except that the named
// secret fields show only "[redacted]" when set (and their zero value when
// not). For the options structs that carry a pepper.
func Struct(v any, secret ...string) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	b.WriteString(rv.Type().String())
	b.WriteByte('{')
	for i := range rv.NumField() {
		fv, name := rv.Field(i), rv.Type().Field(i).Name
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case slices.Contains(secret, name) && !fv.IsZero():
			fmt.Fprintf(&b, "%s:[redacted]", name)
		case fv.CanInterface():
			fmt.Fprintf(&b, "%s:%v", name, fv.Interface())
		}
	}
	b.WriteByte('}')
	return b.String()
}
