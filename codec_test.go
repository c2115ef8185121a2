package tokenstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

func TestRecordRoundTrip(t *testing.T) {
	tok := secretToken()
	tok.Expiry = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("Z1", 3600))
	tok.UserName = "<ann>&\x00ü@example.com"
	b, err := tokenstore.EncodeRecord(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"v":1,`) {
		t.Errorf("record %.20s... does not start with the version", b)
	}
	got, err := tokenstore.DecodeRecord(b)
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
	got, err := tokenstore.DecodeRecord([]byte(v1))
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
		_, err := tokenstore.DecodeRecord([]byte(in))
		if !errors.Is(err, tokenstore.ErrCorrupt) {
			t.Errorf("%s: error %v; want ErrCorrupt", name, err)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error quotes the input: %v", name, err)
		}
	}
}

func TestEncodeRecordRefuses(t *testing.T) {
	tok := secretToken()
	tok.AccessToken = strings.Repeat("a", tokenstore.MaxRecordSize)
	if _, err := tokenstore.EncodeRecord(tok); !errors.Is(err, tokenstore.ErrTooLarge) {
		t.Errorf("oversized record: error %v; want ErrTooLarge", err)
	}
	tok = secretToken()
	tok.ID = ""
	if _, err := tokenstore.EncodeRecord(tok); !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Errorf("record without ID: error %v; want ErrInvalidToken", err)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	good, _ := tokenstore.EncodeRecord(secretToken())
	f.Add(good)
	f.Add([]byte(`{"v":1,"token":{"id":"a"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := tokenstore.DecodeRecord(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode and decode to the same record.
		b2, err := tokenstore.EncodeRecord(tok)
		if err != nil {
			if errors.Is(err, tokenstore.ErrInvalidToken) {
				return // a decodable record may hold no token
			}
			t.Fatalf("re-encode: %v", err)
		}
		tok2, err := tokenstore.DecodeRecord(b2)
		if err != nil || tok2 != tok {
			t.Fatalf("re-decode changed the record: %v", err)
		}
	})
}
