package driver

import (
	"strings"
	"testing"
)

func TestClonePepper(t *testing.T) {
	for _, c := range []struct {
		in []byte
		ok bool
	}{
		{nil, true}, {[]byte{}, true}, {[]byte("Q"), false},
		{[]byte(strings.Repeat("Q", MinPepperLen-1)), false},
		{[]byte(strings.Repeat("Q", MinPepperLen)), true},
		{[]byte(strings.Repeat("Q", 32)), true},
	} {
		got, err := ClonePepper(c.in)
		switch {
		case (err == nil) != c.ok:
			t.Errorf("ClonePepper(%d bytes): %v; want ok %v", len(c.in), err, c.ok)
		case err != nil && strings.Contains(err.Error(), "Q"):
			t.Errorf("ClonePepper(%d bytes): error %q shows the pepper", len(c.in), err)
		case err == nil && string(got) != string(c.in):
			t.Errorf("ClonePepper(%d bytes) = %d bytes; want the same bytes", len(c.in), len(got))
		case len(got) > 0 && &got[0] == &c.in[0]:
			t.Errorf("ClonePepper(%d bytes) returned the caller's buffer; want a copy", len(c.in))
		}
	}
}
