package driver

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// TestRecordMeta: metadata round-trips beside the token, an empty Meta
// writes what EncodeRecord writes, and records without it load with none.
func TestRecordMeta(t *testing.T) {
	tok := tokenstore.Token{ID: "rec-1", UserName: "u@example.com", AccessToken: "secret-at"}
	m := tokenstore.Meta{"refresh.lease": json.RawMessage(`{"owner":"p1","until":"2026-11-30T12:00:00Z"}`)}
	b, err := EncodeRecordMeta(tok, m)
	if err != nil {
		t.Fatalf("EncodeRecordMeta: %v", err)
	}
	got, gotMeta, err := DecodeRecordMeta(b)
	if err != nil || got != tok || !gotMeta.Equal(m) {
		t.Fatalf("DecodeRecordMeta: %v, %v, %v; want %v, %v", got, gotMeta, err, tok, m)
	}
	if plain, err := DecodeRecord(b); err != nil || plain != tok {
		t.Fatalf("DecodeRecord of a record with metadata: %v, %v; want the token alone", plain, err)
	}
	for _, empty := range []tokenstore.Meta{nil, {}} {
		withEmpty, _ := EncodeRecordMeta(tok, empty)
		plain, _ := EncodeRecord(tok)
		if string(withEmpty) != string(plain) || strings.Contains(string(plain), "meta") {
			t.Fatalf("EncodeRecordMeta(%#v) = %s; want EncodeRecord's %s", empty, withEmpty, plain)
		}
	}
	const v1 = `{"v":1,"token":{"id":"abc","user_name":"u@example.com","access_token":"a"}}`
	if _, m, err := DecodeRecordMeta([]byte(v1)); err != nil || m != nil {
		t.Fatalf("the v1 fixture: meta %v, %v; want none", m, err)
	}
}

func TestRecordMetaRefused(t *testing.T) {
	tok := tokenstore.Token{ID: "rec-1", AccessToken: "secret-at"}
	for name, m := range map[string]tokenstore.Meta{
		"empty name": {"": json.RawMessage(`1`)},
		"not JSON":   {"x": json.RawMessage(`{`)},
		"no value":   {"x": nil},
	} {
		if _, err := EncodeRecordMeta(tok, m); !errors.Is(err, tokenstore.ErrInvalidToken) {
			t.Errorf("%s: got %v; want ErrInvalidToken", name, err)
		}
	}
	big := tokenstore.Meta{"x": json.RawMessage(`"` + strings.Repeat("a", MaxRecordSize) + `"`)}
	if _, err := EncodeRecordMeta(tok, big); !errors.Is(err, tokenstore.ErrTooLarge) {
		t.Errorf("oversized metadata: got %v; want ErrTooLarge", err)
	}
}
