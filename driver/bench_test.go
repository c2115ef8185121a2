package driver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// benchRecord is a full Zoho record as a store keeps it, with a refresh
// lease in its metadata.
func benchRecord() (tokenstore.Token, tokenstore.Meta) {
	return tokenstore.Token{ID: "0123456789abcdefABCDEF", UserName: "user-500@example.com", ClientID: "1000.BENCHCLIENTID0000000000000000",
			ClientSecret: "0123456789abcdef0123456789abcdef0123456789",
			RefreshToken: "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef",
			AccessToken:  "1000.fedcba9876543210fedcba9876543210.fedcba9876543210fedcba9876543210",
			Expiry:       time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), APIDomain: "https://www.zohoapis.com"},
		tokenstore.Meta{"refresh.lease": json.RawMessage(`{"owner":"p1","until":"2026-11-30T12:00:00Z"}`)}
}

// BenchmarkCodec times what every store does per write and read: encode a
// record with its metadata, decode it, bound its size, and merge a save
// into it (tokenstore.Merge, which stores call; driver.Merge, its
// deprecated alias, adds copies of the tokens).
func BenchmarkCodec(b *testing.B) {
	tok, m := benchRecord()
	enc, err := EncodeRecordMeta(tok, m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := EncodeRecordMeta(tok, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := DecodeRecordMeta(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SizeBound", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n += SizeBound(tok, m)
		}
		if n == 0 {
			b.Fatal("no size")
		}
	})
	b.Run("Merge", func(b *testing.B) {
		b.ReportAllocs()
		upd := tokenstore.Token{UserName: tok.UserName, AccessToken: "1000.new", Expiry: tok.Expiry.Add(time.Hour)}
		var out tokenstore.Token
		for b.Loop() {
			out = tokenstore.Merge(tok, upd)
		}
		if out.AccessToken != upd.AccessToken {
			b.Fatal("not merged")
		}
	})
}
