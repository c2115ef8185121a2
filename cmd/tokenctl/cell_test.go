package main

import "testing"

func TestCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"alice@example.com", "alice@example.com"},
		{"Zoë 山田", "Zoë 山田"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"bell\a", `bell\x07`},
		{"two\nlines\r\n", `two\nlines\r\n`},
		{"tab\tbed", `tab\tbed`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"iso\u2066x\u2069", `iso\u2066x\u2069`},
		{"bad\xffutf8", `bad\xffutf8`},
	} {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
