package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/fields"
	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// view is what list and get show of a record as JSON: every field of the
// table under its record key, unset ones left out (but the ID), secrets
// redacted unless the caller asked to reveal them, and after the expiry
// the whole seconds left (negative once expired).
type view []viewField

type viewField struct {
	key   string
	value any
}

func newView(t tokenstore.Token, now time.Time, reveal bool) view {
	p := (*fields.Token)(&t)
	v := make(view, 0, len(fields.All)+1)
	for i, f := range fields.All {
		switch {
		case f.Time:
			if e := *p.Time(i); !e.IsZero() {
				e = e.UTC()
				v = append(v, viewField{f.Key, e}, viewField{"expires_in_seconds", int64(math.Floor(e.Sub(now).Seconds()))})
			}
		case i == fields.ID || *p.Str(i) != "":
			v = append(v, viewField{f.Key, shown(f, *p.Str(i), reveal)})
		}
	}
	return v
}

// shown returns the value of string field f as an operator sees it.
func shown(f fields.Field, s string, reveal bool) string {
	if f.Secret && !reveal {
		return redact.Mask(s)
	}
	return s
}

// MarshalJSON writes v as one object, its keys in the table's order.
func (v view) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, f := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(f.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := enc.Encode(f.value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// expiryText returns the expiry in UTC and the time left, e.g.
// "2025-01-02T03:04:05Z", "42m10s" or "expired 3h ago"; "-" when unknown.
func expiryText(e, now time.Time) (string, string) {
	if e.IsZero() {
		return "-", "-"
	}
	d := e.Sub(now).Truncate(time.Second)
	left := human(d)
	if d <= 0 {
		left = "expired " + human(-d) + " ago"
	}
	return e.UTC().Format(time.RFC3339), left
}

// human prints a duration to the precision an operator needs: "3d4h",
// "5h12m", "42m10s", "9s".
func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%ds", d/time.Minute, d%time.Minute/time.Second)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// dash returns s ready for a table cell (see cell), or "-" when empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return cell(s)
}

// writeTable prints records as a table, never with secrets.
func writeTable(w io.Writer, ts []tokenstore.Token, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tCLIENT ID\tEXPIRY\tLEFT\tAPI DOMAIN")
	for _, t := range ts {
		exp, left := expiryText(t.Expiry, now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(t.ID), dash(t.UserName), dash(t.ClientID), exp, left, dash(t.APIDomain))
	}
	return tw.Flush()
}

// writeRecord prints one record as "key: value" lines, a line for each
// field of the table and the time left after the expiry.
func writeRecord(w io.Writer, t tokenstore.Token, now time.Time, reveal bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	p := (*fields.Token)(&t)
	for i, f := range fields.All {
		if f.Time {
			exp, left := expiryText(*p.Time(i), now)
			fmt.Fprintf(tw, "%s:\t%s\nleft:\t%s\n", f.Key, exp, left)
			continue
		}
		fmt.Fprintf(tw, "%s:\t%s\n", f.Key, dash(shown(f, *p.Str(i), reveal))) // dash escapes (cell)
	}
	return tw.Flush()
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
