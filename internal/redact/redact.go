// Package redact is how this module shows values that hold secrets, in
// one place: the redaction mark and Mask for a secret field, Format,
// FormatGo and LogValue for types whose every fmt verb and slog form must
// print a redacted summary, and Struct and JSON for options structs that
// carry a pepper. fmt prints a struct's fields, unexported ones included,
// without calling their String or Format methods, so a type that holds a
// secret must not let fmt reach its fields at all.
package redact

import (
	"fmt"
	"io"
	"log/slog"
)

// Mark stands in for a secret that is set. An unset secret prints empty,
// so a log still tells whether the field was present.
const Mark = "[redacted]"

// Mask returns Mark for a set secret and "" for an unset one.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	return Mark
}

// Format writes s, a value's redacted form, for every verb and flag,
// quoted for %q, so that no verb reaches the fields of the value whose
// Format method calls it.
func Format(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}

// FormatGo is Format for a value with a Go-syntax form as well: %#v writes
// v.GoString(), every other verb v.String() as Format does.
func FormatGo(f fmt.State, verb rune, v interface {
	fmt.Stringer
	fmt.GoStringer
}) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, v.GoString())
		return
	}
	Format(f, verb, v.String())
}

// LogValue is the slog form of such a value: s, and nothing of its fields.
func LogValue(s string) slog.Value { return slog.StringValue(s) }
