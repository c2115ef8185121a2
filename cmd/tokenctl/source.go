package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenstore-go/tokenstore"
)

// row is one record read from a source. A row that cannot become a token
// carries err, whose message names the problem and the column but never a
// value.
type row struct {
	n     int    // position: line in a file, row in a table (1-based)
	srcID string // the source's own ID (Zoho's numeric id), or ""
	tok   tokenstore.Token
	err   error
}

// source yields the rows to import. Rows are read before anything is
// written, so the total is known and a broken source writes nothing.
type source interface {
	rows(ctx context.Context) ([]row, error)
	// name describes the source for messages; it holds no password.
	name() string
	// keepsIDs reports whether the source's IDs are tokenstore IDs (an
	// export, a copy), which are kept, rather than Zoho ids, which are not.
	keepsIDs() bool
}

// maxField bounds one column's value. Zoho tokens are about 70 bytes; a
// field this long is a damaged row, not a token.
const maxField = 8 << 10

// zohoColumns maps the column names of every Zoho SDK layout (FileStore
// CSV, DBStore, legacy, the Kaizen #192 SQLite store) to a setter.
var zohoColumns = map[string]func(z *zohoRec, v string){
	"id":            func(z *zohoRec, v string) { z.id = v },
	"user_name":     func(z *zohoRec, v string) { z.t.UserName = v },
	"user_mail":     func(z *zohoRec, v string) { z.t.UserName = v }, // legacy SDKs
	"client_id":     func(z *zohoRec, v string) { z.t.ClientID = v },
	"client_secret": func(z *zohoRec, v string) { z.t.ClientSecret = v },
	"refresh_token": func(z *zohoRec, v string) { z.t.RefreshToken = v },
	"access_token":  func(z *zohoRec, v string) { z.t.AccessToken = v },
	"grant_token":   func(z *zohoRec, v string) { z.t.GrantToken = v },
	"expiry_time":   func(z *zohoRec, v string) { z.expiry = v },
	"redirect_uri":  func(z *zohoRec, v string) { z.t.RedirectURL = v }, // Python FileStore
	"redirect_url":  func(z *zohoRec, v string) { z.t.RedirectURL = v }, // Java FileStore, DBStore
	"api_domain":    func(z *zohoRec, v string) { z.t.APIDomain = v },
}

// Headerless layouts, by column count.
var zohoLayouts = map[int][]string{
	10: {"id", "user_name", "client_id", "client_secret", "refresh_token", "access_token", "grant_token", "expiry_time", "redirect_uri", "api_domain"},
	9:  {"id", "user_name", "client_id", "client_secret", "refresh_token", "access_token", "grant_token", "expiry_time", "redirect_uri"},
	7:  {"id", "user_mail", "client_id", "refresh_token", "access_token", "grant_token", "expiry_time"},
	6:  {"user_mail", "client_id", "refresh_token", "access_token", "grant_token", "expiry_time"},
}

type zohoRec struct {
	id, expiry string
	t          tokenstore.Token
}

// normColumn lower-cases and trims a column name (and a UTF-8 BOM).
func normColumn(c string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")))
}

// checkColumns reports whether cols name a Zoho token layout: at least one
// token column and nothing that makes the meaning ambiguous.
func checkColumns(cols []string) error {
	known, tokens := 0, 0
	for _, c := range cols {
		c = normColumn(c)
		if _, ok := zohoColumns[c]; ok {
			known++
		}
		if c == "refresh_token" || c == "access_token" || c == "grant_token" {
			tokens++
		}
	}
	if tokens == 0 {
		return fmt.Errorf("no refresh_token, access_token or grant_token column among %d columns: not a Zoho token store layout", len(cols))
	}
	return nil
}

// zohoRow turns one row of a Zoho layout into a token. cols and vals have
// the same length (an SQL NULL is ""). Unknown columns are ignored.
func zohoRow(n int, cols, vals []string) row {
	var z zohoRec
	for i, c := range cols {
		v := vals[i]
		name := normColumn(c)
		set, ok := zohoColumns[name]
		if !ok {
			continue
		}
		if !utf8.ValidString(v) {
			return row{n: n, err: fmt.Errorf("column %s is not valid UTF-8", name)}
		}
		if len(v) > maxField {
			return row{n: n, err: fmt.Errorf("column %s is %d bytes, over the %d-byte limit", name, len(v), maxField)}
		}
		set(&z, strings.TrimSpace(v))
	}
	r := row{n: n, srcID: z.id, tok: z.t}
	if z.expiry != "" {
		exp, err := parseEpochMillis(z.expiry)
		if err != nil {
			r.err = fmt.Errorf("column expiry_time: %v", err)
			return r
		}
		r.tok.Expiry = exp
	}
	return r
}

// parseEpochMillis reads Zoho's expiry_time: epoch milliseconds as text
// (some SDKs write a float, e.g. "1700000000000.0").
func parseEpochMillis(s string) (time.Time, error) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return time.Time{}, fmt.Errorf("not epoch milliseconds")
		}
		ms = int64(f)
	}
	if ms < 0 || ms > 253402300799999 { // 9999-12-31T23:59:59.999Z
		return time.Time{}, fmt.Errorf("epoch milliseconds out of range (years 1970 to 9999)")
	}
	return time.UnixMilli(ms).UTC(), nil
}
