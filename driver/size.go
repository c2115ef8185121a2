package driver

import "github.com/tokenstore-go/tokenstore"

// envelopeOverhead bounds what EncodeRecordMeta adds around the fields'
// values: the braces, field names, quotes and commas of the envelope, its
// version, the Expiry (at most 30 bytes) and the final newline (about 200
// bytes in all), and the `,"meta":{}` around metadata.
const envelopeOverhead = 256

// SizeBound returns an upper bound of len(EncodeRecordMeta(t, m)) without
// encoding: a string value takes at most 6 bytes per byte once escaped
// (a control character becomes \u00XX; quotes, backslashes and U+2028 take
// less), and a metadata value is at most its own length once compacted.
// Stores use it to skip the encoding where a record is certainly within
// MaxRecordSize: a typical Zoho record is bounded by a few kilobytes.
func SizeBound(t tokenstore.Token, m tokenstore.Meta) int {
	n := envelopeOverhead
	for _, s := range [...]string{t.ID, t.UserName, t.ClientID, t.ClientSecret, t.RefreshToken,
		t.AccessToken, t.GrantToken, t.RedirectURL, t.APIDomain} {
		n += 6 * len(s)
	}
	for k, v := range m {
		n += 6*len(k) + len(v) + 4 // "k":v,
	}
	return n
}
