package driver

import (
	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// envelopeOverhead bounds what EncodeRecordMeta adds around the string
// fields' values: for each field of the table its key with quotes, colon
// and comma, and a time's whole value (RFC 3339 with nanoseconds is at most
// 30 bytes); the envelope's braces, version and "token" key; the
// `,"meta":{}` around metadata; the final newline; and 32 bytes to spare
// (for a longer version number, say).
var envelopeOverhead = func() int {
	n := 32 + len(`{"v":1,"token":{},"meta":{}}`+"\n")
	for _, f := range fields.All {
		n += len(`"":"",`) + len(f.Key)
		if f.Time {
			n += len("2006-01-02T15:04:05.999999999Z")
		}
	}
	return n
}()

// SizeBound returns an upper bound of len(EncodeRecordMeta(t, m)) without
// encoding: a string value takes at most 6 bytes per byte once escaped
// (a control character becomes \u00XX; quotes, backslashes and U+2028 take
// less), and a metadata value is at most its own length once compacted.
// Stores use it to skip the encoding where a record is certainly within
// MaxRecordSize: a typical Zoho record is bounded by a few kilobytes.
func SizeBound(t tokenstore.Token, m tokenstore.Meta) int {
	n := envelopeOverhead
	p := (*fields.Token)(&t)
	for i, f := range fields.All {
		if !f.Time {
			n += 6 * len(*p.Str(i))
		}
	}
	for k, v := range m {
		n += 6*len(k) + len(v) + 4 // "k":v,
	}
	return n
}
