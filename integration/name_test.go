package integration_test

import (
	"regexp"
	"testing"

	"github.com/tokenstore-go/tokenstore/integration"
)

// Secret names allow more, but this is what both backends take unquoted.
var safeName = regexp.MustCompile(`^tokenstore-test-[a-z0-9-]+-[0-9a-f]{12}$`)

func TestUniqueName(t *testing.T) {
	for _, name := range []string{"plain", "with/slash and space", "ÜnicodeÄ", "x"} {
		t.Run(name, func(t *testing.T) {
			a, b := integration.UniqueName(t), integration.UniqueName(t)
			if !safeName.MatchString(a) {
				t.Errorf("UniqueName = %q; want a match for %v", a, safeName)
			}
			if a == b {
				t.Errorf("UniqueName returned %q twice", a)
			}
		})
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  integration.Source
		want string
	}{
		{integration.Any, "any"},
		{integration.Given, "given"},
		{integration.Container, "container"},
		{integration.Source(9), "Source(9)"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("Source(%d).String() = %q; want %q", int(tt.src), got, tt.want)
		}
	}
}
