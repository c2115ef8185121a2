// Package leaktest renders a value every way a program might log it, so the
// packages of this module can test that no secret they hold shows through
// fmt or log/slog, inside slices, maps, structs and pointers included.
package leaktest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Verbs are the fmt verbs and flag combinations tried on every shape. %T
// is left out: it prints only the type. So is %p: given a struct (not a
// pointer), fmt's bad-verb path prints the operand's fields without calling
// its Format or String method, which no type can prevent; go vet's printf
// check reports that misuse.
var Verbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%+q", "%#q", "%x", "%X", "% x", "%#x",
	"%d", "%08d", "%o", "%b", "%c", "%U", "%e", "%f", "%g", "%t",
	"%10v", "%-12s", "%.3s",
}

// Shapes returns v as a program may hand it to a logger: the value, a
// pointer, a slice, a map value, fields of an anonymous struct (value and
// pointer), and an interface in a map[string]any.
func Shapes[T any](v T) map[string]any {
	return map[string]any{
		"value":        v,
		"pointer":      &v,
		"slice":        []T{v},
		"pointer list": []*T{&v},
		"map":          map[string]T{"k": v},
		"struct":       struct{ F T }{v},
		"struct ptr":   struct{ P *T }{&v},
		"any map":      map[string]any{"k": v},
	}
}

// Renderings returns the text of every shape of v under every verb of
// Verbs and under slog's JSON and text handlers, keyed by a description.
func Renderings[T any](v T) map[string]string {
	out := make(map[string]string)
	for shape, x := range Shapes(v) {
		for _, verb := range Verbs {
			out[verb+" "+shape] = fmt.Sprintf(verb, x)
		}
		out["Sprint "+shape] = fmt.Sprint(x)
		out["Sprintln "+shape] = fmt.Sprintln(x)
		var js, text bytes.Buffer
		slog.New(slog.NewJSONHandler(&js, nil)).Info("msg", "v", x)
		slog.New(slog.NewTextHandler(&text, nil)).Info("msg", "v", x)
		out["slog JSON "+shape] = js.String()
		out["slog text "+shape] = text.String()
	}
	return out
}

// Forms returns the encodings in which a secret could show in a rendering:
// as is, in hex (plain and spaced, either case), in base64, and as the
// decimal or octal bytes fmt prints for a []byte.
func Forms(secret string) []string {
	b := []byte(secret)
	return []string{
		secret,
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		fmt.Sprintf("% x", b),
		fmt.Sprintf("% X", b),
		base64.StdEncoding.EncodeToString(b)[:len(b)*4/3],
		strings.Trim(fmt.Sprintf("%d", b), "[]"),
		strings.Trim(fmt.Sprintf("%o", b), "[]"),
	}
}

// NoSecrets fails t for every rendering of v that shows one of secrets in
// any of its Forms, and for every rendering that lacks all of the visible
// strings. It
// returns the renderings for further checks.
func NoSecrets[T any](t *testing.T, v T, secrets []string, visible ...string) map[string]string {
	t.Helper()
	outs := Renderings(v)
	for name, out := range outs {
		for _, s := range secrets {
			for _, form := range Forms(s) {
				if strings.Contains(out, form) {
					t.Errorf("%s shows a secret (as %q): got %s; want it redacted", name, form, out)
				}
			}
		}
		if len(visible) == 0 {
			continue
		}
		if !containsAny(out, visible) {
			t.Errorf("%s lost the non-secret fields: got %s; want one of %q", name, out, visible)
		}
	}
	return outs
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
