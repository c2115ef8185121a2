package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cell makes s safe to print in a terminal table: control characters (C0
// such as ESC, BEL, newline and tab, DEL, C1), the bidirectional controls
// that reorder what a terminal shows, and bytes that are not UTF-8 are
// written as Go escapes (\x1b, \n, \u202e, \xff), so that a stored value
// can neither drive the terminal nor break the table's rows and columns.
// JSON output needs none of this: encoding/json escapes what it must.
func cell(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unsafeRune(r) {
			return true
		}
	}
	return false
}

// unsafeRune reports control characters and the bidirectional formatting
// characters (the "Trojan Source" set: LRM, RLM, ALM, embeddings,
// overrides and isolates).
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}
