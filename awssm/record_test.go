package awssm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// TestFramesEveryCodecRecord checks that every record the codec accepts,
// up to driver.MaxRecordSize and with metadata, fits in a secret value
// once framed with its nonce, comes back byte for byte, and that two
// framings of one record differ (the nonce's purpose). Records the JSON
// frame fits stay readable by the codec as they are, as older versions of
// this package read them.
func TestFramesEveryCodecRecord(t *testing.T) {
	meta := tokenstore.Meta{"refresh.lease": json.RawMessage(`{"owner":"p1","until":"2026-11-23T10:04:05Z"}`)}
	for _, base := range []tokenstore.Token{
		{ID: "a", AccessToken: "at"},
		{ID: strings.Repeat("Z", tokenstore.MaxIDLength), UserName: "ユーザー\u2028\"q\"@example.com", RefreshToken: "rt\x01", ClientID: "c", AccessToken: "a"},
	} {
		for _, m := range []tokenstore.Meta{nil, meta} {
			b, err := driver.EncodeRecordMeta(base, m)
			if err != nil {
				t.Fatal(err)
			}
			room := driver.MaxRecordSize - len(b)
			for _, pad := range []int{0, 100, room - jsonNonceLen - 1, room - jsonNonceLen, room - jsonNonceLen + 1, room - 1, room} {
				tok := base
				tok.AccessToken += strings.Repeat("x", pad)
				body, err := driver.EncodeRecordMeta(tok, m)
				if err != nil {
					t.Fatalf("encode %d bytes: %v", len(b)+pad, err)
				}
				checkFrame(t, body)
			}
		}
	}
}

func checkFrame(t *testing.T, body []byte) {
	t.Helper()
	if !strings.HasPrefix(string(body), recordHead) {
		t.Fatalf("the codec's record starts with %.30q; the compact frame strips %q", body, recordHead)
	}
	v1, err := stamped(body)
	if err != nil {
		t.Fatalf("stamped(%d bytes): %v", len(body), err)
	}
	v2, _ := stamped(body)
	switch {
	case len(v1) > maxValue:
		t.Fatalf("a record of %d bytes makes a value of %d bytes; Secrets Manager holds %d", len(body), len(v1), maxValue)
	case v1 == v2:
		t.Fatalf("two framings of a record of %d bytes are the same value: the nonce is missing", len(body))
	}
	compact := strings.HasPrefix(v1, compactTag)
	if fits := len(body)+jsonNonceLen <= maxValue; fits == compact {
		t.Fatalf("a record of %d bytes framed compact=%v; want the JSON frame exactly when it fits", len(body), compact)
	}
	if compact && string(unframed(v1)) != string(body) {
		t.Fatalf("a record of %d bytes comes back changed from its compact frame", len(body))
	}
	// The JSON frame is read by the codec as it is, the nonce ignored.
	want, wantMeta, _ := driver.DecodeRecordMeta(body)
	got, gotMeta, err := driver.DecodeRecordMeta(unframed(v1))
	if err != nil || !got.Equal(want) || !gotMeta.Equal(wantMeta) {
		t.Fatalf("the frame of a record of %d bytes (compact=%v) reads back as %v, %v, %v; want %v, %v", len(body), compact, got, gotMeta, err, want, wantMeta)
	}
}

// TestUnframedKeepsOtherValues checks that values this package wrote
// before the compact frame, or that a hand wrote, are read as they are.
func TestUnframedKeepsOtherValues(t *testing.T) {
	for _, v := range []string{
		`{"v":1,"token":{"id":"a","access_token":"at"}}`,
		`{"v":1,"token":{"id":"a","access_token":"at"},"awssm_nonce":"0011223344556677"}`,
		"ts1:short",
		"not a record",
	} {
		if got := string(unframed(v)); got != v {
			t.Errorf("unframed(%q) = %q; want it unchanged", v, got)
		}
	}
}
