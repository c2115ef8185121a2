package driver

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// secretToken is a record with every field set; its secrets start with
// SECRET so that a test can tell when one shows.
func secretToken() tokenstore.Token {
	return tokenstore.Token{ID: "rec1", UserName: "ann@example.com", ClientID: "1000.CLIENT",
		ClientSecret: "SECRET-client-secret", RefreshToken: "SECRET-refresh", AccessToken: "SECRET-access", GrantToken: "SECRET-grant",
		Expiry: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RedirectURL: "https://example.com/cb", APIDomain: "https://www.zohoapis.com"}
}

func TestRecordRoundTrip(t *testing.T) {
	tok := secretToken()
	tok.Expiry = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("Z1", 3600))
	tok.UserName = "<ann>&\x00ü@example.com"
	b, err := EncodeRecord(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"v":1,`) {
		t.Errorf("record %.20s... does not start with the version", b)
	}
	got, err := DecodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Expiry.Location() != time.UTC || !got.Expiry.Equal(tok.Expiry) {
		t.Errorf("Expiry = %v; want %v in UTC", got.Expiry, tok.Expiry)
	}
	got.Expiry = tok.Expiry
	if got != tok {
		t.Errorf("round trip changed the record: %v; want %v", got, tok)
	}
}

func TestRecordFixtureV1(t *testing.T) {
	// A record as version 1 wrote it must load forever.
	const v1 = `{"v":1,"token":{"id":"abc","user_name":"u@example.com","client_id":"c","client_secret":"s","refresh_token":"r","access_token":"a","grant_token":"g","expiry":"2026-01-02T03:04:05.5Z","redirect_url":"https://x/cb","api_domain":"https://d","future_field":1}}`
	got, err := DecodeRecord([]byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	want := tokenstore.Token{ID: "abc", UserName: "u@example.com", ClientID: "c", ClientSecret: "s",
		RefreshToken: "r", AccessToken: "a", GrantToken: "g",
		Expiry:      time.Date(2026, 1, 2, 3, 4, 5, 5e8, time.UTC),
		RedirectURL: "https://x/cb", APIDomain: "https://d"}
	if got != want {
		t.Errorf("DecodeRecord(v1) = %#v; want %#v", got, want)
	}
}

func TestDecodeRecordRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          ``,
		"truncated":      `{"v":1,"token":{"id":"abc","access_token":"SECRET`,
		"not an object":  `["SECRET"]`,
		"no version":     `{"token":{"id":"abc","access_token":"SECRET"}}`,
		"future version": `{"v":2,"token":{"id":"abc","access_token":"SECRET"}}`,
		"no token":       `{"v":1}`,
		"no id":          `{"v":1,"token":{"access_token":"SECRET"}}`,
		"bad id":         `{"v":1,"token":{"id":"../x","access_token":"SECRET"}}`,
		"bad expiry":     `{"v":1,"token":{"id":"abc","access_token":"SECRET","expiry":"SECRET"}}`,
		"wrong type":     `{"v":"1","token":{"id":"abc","access_token":"SECRET"}}`,
	} {
		_, err := DecodeRecord([]byte(in))
		if !errors.Is(err, tokenstore.ErrCorrupt) {
			t.Errorf("%s: error %v; want ErrCorrupt", name, err)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error quotes the input: %v", name, err)
		}
	}
}

func TestEncodeRecordRefuses(t *testing.T) {
	tok := secretToken()
	tok.AccessToken = strings.Repeat("a", MaxRecordSize)
	if _, err := EncodeRecord(tok); !errors.Is(err, tokenstore.ErrTooLarge) {
		t.Errorf("oversized record: error %v; want ErrTooLarge", err)
	}
	tok = secretToken()
	tok.ID = ""
	if _, err := EncodeRecord(tok); !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Errorf("record without ID: error %v; want ErrInvalidToken", err)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	good, _ := EncodeRecord(secretToken())
	f.Add(good)
	f.Add([]byte(`{"v":1,"token":{"id":"a"}}`))
	f.Add([]byte(`{"v":1,"token":{"id":"a","access_token":"SECRET","expiry":"9999-12-31T23:59:59.999999999Z"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := DecodeRecord(b)
		if err != nil {
			if !errors.Is(err, tokenstore.ErrCorrupt) {
				t.Fatalf("DecodeRecord error %v; want ErrCorrupt", err)
			}
			if len(b) >= 8 && strings.Contains(err.Error(), string(b)) {
				t.Fatalf("DecodeRecord error quotes its input: %v", err)
			}
			return
		}
		// Whatever decodes must encode and decode to the same record.
		b2, err := EncodeRecord(tok)
		if err != nil {
			if errors.Is(err, tokenstore.ErrInvalidToken) {
				return // a decodable record may hold no token
			}
			t.Fatalf("re-encode: %v", err)
		}
		tok2, err := DecodeRecord(b2)
		if err != nil || tok2 != tok {
			t.Fatalf("re-decode changed the record: %v", err)
		}
	})
}

// badExpiries are instants the record's RFC 3339 form cannot hold: years
// outside 0–9999 once in UTC.
var badExpiries = map[string]time.Time{
	"year 10000":         time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	"year -1":            time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
	"unix 1e12":          time.Unix(1e12, 0),
	"year 10000 in UTC":  time.Date(9999, 12, 31, 23, 30, 0, 0, time.FixedZone("W", -3600)),
	"year -1 in UTC":     time.Date(0, 1, 1, 0, 30, 0, 0, time.FixedZone("E", 3600)),
	"far past":           time.Unix(-1e12, 0),
	"max representable":  time.Unix(1<<63-62135596801, 999999999),
	"minimum unix value": time.Unix(-1<<63, 0),
}

func TestValidateExpiry(t *testing.T) {
	for name, exp := range badExpiries {
		tok := secretToken()
		tok.Expiry = exp
		for op, f := range map[string]func(tokenstore.Token) error{
			"Validate":     tokenstore.Validate,
			"EncodeRecord": func(t tokenstore.Token) error { _, err := EncodeRecord(t); return err },
		} {
			err := f(tok)
			if !errors.Is(err, tokenstore.ErrInvalidToken) || !strings.Contains(err.Error(), "Expiry") {
				t.Errorf("%s: %s error %v; want ErrInvalidToken naming Expiry", name, op, err)
			}
		}
	}
	for name, exp := range map[string]time.Time{
		"zero (unknown)":    {},
		"year 0":            time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		"year 9999":         time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		"year 9999 east":    time.Date(10000, 1, 1, 0, 30, 0, 0, time.FixedZone("E", 3600)),
		"monotonic reading": time.Now(),
		"nanoseconds":       time.Date(2026, 1, 1, 0, 0, 0, 1, time.FixedZone("X", 19800)),
	} {
		tok := secretToken()
		tok.Expiry = exp
		b, err := EncodeRecord(tok)
		if err != nil {
			t.Errorf("%s: EncodeRecord error %v; want nil", name, err)
			continue
		}
		got, err := DecodeRecord(b)
		if err != nil || !got.Expiry.Equal(exp) {
			t.Errorf("%s: round trip got %v, %v; want %v", name, got.Expiry, err, exp)
		}
	}
}

// fuzzToken is the token FuzzEncodeDecode tries: id as its ID, every other
// string field of the table, in order, from values split at '\x1e' (a field
// without a part stays empty), and the time fields from sec, nsec and a
// zone offset. A field added to Token is fuzzed without a change here.
func fuzzToken(id, values string, sec, nsec int64, offset int32) tokenstore.Token {
	var t tokenstore.Token
	p := (*fields.Token)(&t)
	vals := strings.Split(values, "\x1e")
	for i, f := range fields.All {
		switch {
		case i == fields.ID:
			*p.Str(i) = id
		case f.Time:
			if sec != 0 || nsec != 0 {
				*p.Time(i) = time.Unix(sec, nsec).In(time.FixedZone("F", int(offset)))
			}
		case len(vals) > 0:
			*p.Str(i), vals = vals[0], vals[1:]
		}
	}
	return t
}

// fuzzValues joins t's string fields after the ID as fuzzToken splits them.
func fuzzValues(t tokenstore.Token) string {
	var vals []string
	p := (*fields.Token)(&t)
	for i, f := range fields.All {
		if i != fields.ID && !f.Time {
			vals = append(vals, *p.Str(i))
		}
	}
	return strings.Join(vals, "\x1e")
}

func FuzzEncodeDecode(f *testing.F) {
	tok := secretToken()
	f.Add(tok.ID, fuzzValues(tok), tok.Expiry.Unix(), int64(123456789), int32(19800))
	f.Add("a", "\x1e\x1e\x1er", int64(0), int64(0), int32(0))
	f.Add("b", "u\x1e\x1e\x1e\x1ea", int64(253402300799), int64(999999999), int32(-3600))
	f.Fuzz(func(t *testing.T, id, values string, sec, nsec int64, offset int32) {
		in := fuzzToken(id, values, sec, nsec, offset)
		if tokenstore.Validate(in) != nil || id == "" {
			return
		}
		b, err := EncodeRecord(in)
		if errors.Is(err, tokenstore.ErrTooLarge) {
			return
		}
		if err != nil {
			t.Fatalf("EncodeRecord of a valid token: got error %v; want nil", err)
		}
		if bound := SizeBound(in, nil); bound < len(b) {
			t.Fatalf("SizeBound = %d; the encoding has %d bytes", bound, len(b))
		}
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatalf("DecodeRecord(EncodeRecord(t)): got error %v; want nil", err)
		}
		if !got.Expiry.Equal(in.Expiry) || (!got.Expiry.IsZero() && got.Expiry.Location() != time.UTC) {
			t.Fatalf("Expiry: got %v; want %v in UTC", got.Expiry, in.Expiry)
		}
		got.Expiry = in.Expiry
		if got != in {
			t.Fatalf("round trip: got %#v; want %#v", got, in)
		}
	})
}

// TestEncodeRecordExact pins the bytes EncodeRecordMeta writes for a full
// record, with characters that escape and metadata to compact and sort:
// records already stored were written this way, and a store that compares
// what it wrote with what it reads back (vault's landed check) needs the
// encoding to stay stable.
func TestEncodeRecordExact(t *testing.T) {
	tok := secretToken()
	tok.Expiry = time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	tok.UserName = "<ann>&\x00\x1f\u2028\"\\ü@example.com\t"
	b, err := EncodeRecordMeta(tok, tokenstore.Meta{"z.b": json.RawMessage(`{ "a" : [1, 2] }`), "a.x": json.RawMessage(`"<&>"`)})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"v":1,"token":{"id":"rec1","user_name":"<ann>&\u0000\u001f\u2028\"\\ü@example.com\t","client_id":"1000.CLIENT",` +
		`"client_secret":"SECRET-client-secret","refresh_token":"SECRET-refresh","access_token":"SECRET-access","grant_token":"SECRET-grant",` +
		`"expiry":"2026-01-02T02:04:05.000000006Z","redirect_url":"https://example.com/cb","api_domain":"https://www.zohoapis.com"},` +
		`"meta":{"a.x":"<&>","z.b":{"a":[1,2]}}}`
	if string(b) != want {
		t.Errorf("EncodeRecordMeta:\n got %s\nwant %s", b, want)
	}
	sparse, err := EncodeRecord(tokenstore.Token{ID: "rec2", RefreshToken: "r"})
	if want := `{"v":1,"token":{"id":"rec2","refresh_token":"r"}}`; err != nil || string(sparse) != want {
		t.Errorf("EncodeRecord of a sparse token: got %s, %v; want %s", sparse, err, want)
	}
}
