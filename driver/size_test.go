package driver

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// TestSizeBound checks that SizeBound never falls below the encoding's
// length, for values that escape the most and for the largest expiry.
func TestSizeBound(t *testing.T) {
	worst := []string{"", "x", "\x01\x02\x1f", `"\`, "\u2028\u2029", "<>&", "ü€𝄞", strings.Repeat("\x00", 100),
		strings.Repeat(`"`, 50) + "\t\n\r", "\ufffd"}
	latest := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	for _, s := range worst {
		tok := tokenstore.Token{ID: "0123456789abcdef0123456789abcdef", UserName: s, ClientID: s, ClientSecret: s,
			RefreshToken: "r" + s, AccessToken: s, GrantToken: s, RedirectURL: s, APIDomain: s, Expiry: latest}
		for _, m := range []tokenstore.Meta{nil, {s + "k": json.RawMessage(`{"a": [1, 2, "` + strings.Repeat("y", 10) + `"]}`)}} {
			b, err := EncodeRecordMeta(tok, m)
			if err != nil {
				t.Fatalf("EncodeRecordMeta(%q): %v", s, err)
			}
			if bound := SizeBound(tok, m); bound < len(b) {
				t.Errorf("SizeBound(%q) = %d; the encoding has %d bytes", s, bound, len(b))
			}
		}
	}
}
