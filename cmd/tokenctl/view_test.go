package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// viewToken is a record with every field set, its secrets marked.
func viewToken() tokenstore.Token {
	return tokenstore.Token{ID: "rec1", UserName: "ann@example.com", ClientID: "1000.CLIENT",
		ClientSecret: "SECRET-cs", RefreshToken: "SECRET-rt", AccessToken: "SECRET-at", GrantToken: "SECRET-gt",
		Expiry:      time.Date(2030, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)),
		RedirectURL: "https://app.example.com/cb?a=1&b=<2>", APIDomain: "https://www.zohoapis.com"}
}

// TestViewExact pins what get and list print of a record, as JSON and as
// lines, redacted and revealed: operators' scripts read these forms.
func TestViewExact(t *testing.T) {
	now := time.Date(2029, 12, 31, 22, 0, 0, 0, time.UTC)
	const redactedJSON = `{
  "id": "rec1",
  "user_name": "ann@example.com",
  "client_id": "1000.CLIENT",
  "client_secret": "[redacted]",
  "refresh_token": "[redacted]",
  "access_token": "[redacted]",
  "grant_token": "[redacted]",
  "expiry": "2029-12-31T23:00:00Z",
  "expires_in_seconds": 3600,
  "redirect_url": "https://app.example.com/cb?a=1&b=<2>",
  "api_domain": "https://www.zohoapis.com"
}
`
	const revealedLines = "id:            rec1\nuser_name:     ann@example.com\nclient_id:     1000.CLIENT\n" +
		"client_secret: SECRET-cs\nrefresh_token: SECRET-rt\naccess_token:  SECRET-at\ngrant_token:   SECRET-gt\n" +
		"expiry:        2029-12-31T23:00:00Z\nleft:          1h0m\n" +
		"redirect_url:  https://app.example.com/cb?a=1&b=<2>\napi_domain:    https://www.zohoapis.com\n"
	const sparseJSON = "{\n  \"id\": \"rec2\",\n  \"refresh_token\": \"[redacted]\"\n}\n"
	const sparseLines = "id:            rec2\nuser_name:     -\nclient_id:     -\nclient_secret: -\nrefresh_token: [redacted]\n" +
		"access_token:  -\ngrant_token:   -\nexpiry:        -\nleft:          -\nredirect_url:  -\napi_domain:    -\n"
	sparse := tokenstore.Token{ID: "rec2", RefreshToken: "SECRET-rt"}
	for name, c := range map[string]struct {
		write func(*bytes.Buffer) error
		want  string
	}{
		"json":         {func(b *bytes.Buffer) error { return writeJSON(b, newView(viewToken(), now, false)) }, redactedJSON},
		"lines reveal": {func(b *bytes.Buffer) error { return writeRecord(b, viewToken(), now, true) }, revealedLines},
		"sparse json":  {func(b *bytes.Buffer) error { return writeJSON(b, newView(sparse, now, false)) }, sparseJSON},
		"sparse lines": {func(b *bytes.Buffer) error { return writeRecord(b, sparse, now, false) }, sparseLines},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.String() != c.want {
			t.Errorf("%s:\n got %q\nwant %q", name, b.String(), c.want)
		}
	}
}
