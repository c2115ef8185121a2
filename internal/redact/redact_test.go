package redact

import (
	"encoding/json"
	"fmt"
	"testing"
)

type secretive struct{ secret string }

func (s secretive) String() string { return "secretive{" + Mask(s.secret) + "}" }
func (s secretive) GoString() string {
	return "redact.secretive{secret:" + fmt.Sprintf("%q", Mask(s.secret)) + "}"
}
func (s secretive) Format(f fmt.State, verb rune) { FormatGo(f, verb, s) }

// fixed holds a secret and prints a fixed summary, as the stores do.
type fixed struct{ secret string }

func (x fixed) Format(f fmt.State, verb rune) { Format(f, verb, "fixed") }

func TestFormat(t *testing.T) {
	v := secretive{"SECRET"}
	for verb, want := range map[string]string{
		"%v":  "secretive{[redacted]}",
		"%+v": "secretive{[redacted]}",
		"%s":  "secretive{[redacted]}",
		"%d":  "secretive{[redacted]}",
		"%x":  "secretive{[redacted]}",
		"%#v": `redact.secretive{secret:"[redacted]"}`,
		"%q":  `"secretive{[redacted]}"`,
	} {
		if got := fmt.Sprintf(verb, v); got != want {
			t.Errorf("FormatGo %s: got %s; want %s", verb, got, want)
		}
	}
	for _, verb := range []string{"%v", "%#v", "%d", "%s"} {
		if got := fmt.Sprintf(verb, fixed{"SECRET"}); got != "fixed" {
			t.Errorf("Format %s: got %s; want fixed", verb, got)
		}
	}
	if got := fmt.Sprintf("%q", fixed{"SECRET"}); got != `"fixed"` {
		t.Errorf("Format %%q: got %s", got)
	}
	if Mask("") != "" || Mask("x") != Mark {
		t.Errorf("Mask: an unset secret must print empty, a set one %s", Mark)
	}
}

type options struct {
	Prefix string
	Pepper []byte
	hidden int
}

func TestStructAndJSON(t *testing.T) {
	o := options{Prefix: "p/", Pepper: []byte("SECRET"), hidden: 1}
	if got, want := Struct(o, "Pepper"), "redact.options{Prefix:p/ Pepper:[redacted] }"; got != want {
		t.Errorf("Struct: got %q; want %q", got, want)
	}
	if got, want := Struct(options{}, "Pepper"), "redact.options{Prefix: Pepper:[] }"; got != want {
		t.Errorf("Struct of unset: got %q; want %q", got, want)
	}
	b, err := JSON(o, "Pepper")
	if err != nil || string(b) != `{"Prefix":"p/","Pepper":"[redacted]"}` {
		t.Errorf("JSON: got %s, %v", b, err)
	}
	b, _ = JSON(options{Prefix: "p/"}, "Pepper")
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 {
		t.Errorf("JSON of an unset pepper: got %s; want it left out", b)
	}
}
