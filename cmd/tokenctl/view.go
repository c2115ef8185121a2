package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// redacted stands for a secret that is set; an unset one is left empty.
const redacted = "[redacted]"

// view is what list and get show of a record. Secrets are redacted unless
// the caller asked to reveal them.
type view struct {
	ID           string     `json:"id"`
	UserName     string     `json:"user_name,omitempty"`
	ClientID     string     `json:"client_id,omitempty"`
	ClientSecret string     `json:"client_secret,omitempty"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	AccessToken  string     `json:"access_token,omitempty"`
	GrantToken   string     `json:"grant_token,omitempty"`
	Expiry       *time.Time `json:"expiry,omitempty"`
	ExpiresIn    *int64     `json:"expires_in_seconds,omitempty"` // negative once expired
	RedirectURL  string     `json:"redirect_url,omitempty"`
	APIDomain    string     `json:"api_domain,omitempty"`
}

func newView(t tokenstore.Token, now time.Time, reveal bool) view {
	hide := func(s string) string {
		if s == "" || reveal {
			return s
		}
		return redacted
	}
	v := view{
		ID: t.ID, UserName: t.UserName, ClientID: t.ClientID,
		ClientSecret: hide(t.ClientSecret), RefreshToken: hide(t.RefreshToken),
		AccessToken: hide(t.AccessToken), GrantToken: hide(t.GrantToken),
		RedirectURL: t.RedirectURL, APIDomain: t.APIDomain,
	}
	if !t.Expiry.IsZero() {
		e := t.Expiry.UTC()
		left := int64(math.Floor(e.Sub(now).Seconds()))
		v.Expiry, v.ExpiresIn = &e, &left
	}
	return v
}

// expiryText returns the expiry in UTC and the time left, e.g.
// "2025-01-02T03:04:05Z", "42m10s" or "expired 3h ago"; "-" when unknown.
func expiryText(t tokenstore.Token, now time.Time) (string, string) {
	if t.Expiry.IsZero() {
		return "-", "-"
	}
	d := t.Expiry.Sub(now).Truncate(time.Second)
	left := human(d)
	if d <= 0 {
		left = "expired " + human(-d) + " ago"
	}
	return t.Expiry.UTC().Format(time.RFC3339), left
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
		exp, left := expiryText(t, now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(t.ID), dash(t.UserName), dash(t.ClientID), exp, left, dash(t.APIDomain))
	}
	return tw.Flush()
}

// writeRecord prints one record as "field: value" lines.
func writeRecord(w io.Writer, t tokenstore.Token, now time.Time, reveal bool) error {
	v := newView(t, now, reveal)
	exp, left := expiryText(t, now)
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, f := range [][2]string{
		{"id", v.ID}, {"user_name", v.UserName}, {"client_id", v.ClientID},
		{"client_secret", v.ClientSecret}, {"refresh_token", v.RefreshToken},
		{"access_token", v.AccessToken}, {"grant_token", v.GrantToken},
		{"expiry", exp}, {"left", left},
		{"redirect_url", v.RedirectURL}, {"api_domain", v.APIDomain},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", f[0], dash(f[1])) // dash escapes (cell)
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
