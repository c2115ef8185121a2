package tokenstore

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/tokenstore-go/tokenstore/internal/fields"
	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// plainToken is Token without its methods: the shape and field names that
// encoding/json gave a Token before Token had MarshalJSON, so JSON written
// then still loads.
type plainToken Token

// MarshalJSON implements json.Marshaler with the secrets redacted, like
// String: a set secret becomes "[redacted]", an unset one "". It exists so
// that a Token inside a slice, map or struct that log/slog's JSON handler
// (or any other JSON logger) encodes shows no secret. It is not a storage
// form: to persist a complete Token, use a Store (or the record codec in
// package driver, which stores use).
func (t Token) MarshalJSON() ([]byte, error) {
	p := plainToken(t)
	fp := (*fields.Token)(&p)
	for i, f := range fields.All {
		if f.Secret {
			*fp.Str(i) = redact.Mask(*fp.Str(i))
		}
	}
	return json.Marshal(p)
}

// UnmarshalJSON implements json.Unmarshaler. It reads the field names that
// MarshalJSON writes, and so also JSON that encoding/json wrote for a Token
// before MarshalJSON existed. It refuses, with an error wrapping
// ErrInvalidToken and t unchanged, JSON whose secret fields hold the
// "[redacted]" marker: decoding MarshalJSON's output would otherwise turn
// every secret into that string without a word.
func (t *Token) UnmarshalJSON(b []byte) error {
	p := plainToken(*t)
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	fp := (*fields.Token)(&p)
	for i, f := range fields.All {
		if f.Secret && *fp.Str(i) == redact.Mark {
			return invalidf("%s in JSON is the redaction marker: Token's JSON form has no secrets; persist tokens with a Store or driver.EncodeRecord", f.Name)
		}
	}
	*t = Token(p)
	return nil
}

// Format implements fmt.Formatter so that every verb prints String (%#v
// prints GoString, %q a quoted String) and none reaches the value.
func (k Key) Format(f fmt.State, verb rune) { redact.FormatGo(f, verb, k) }

// LogValue implements slog.LogValuer: the key's kind, never its value.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("Kind", k.Kind.String()))
}

// MarshalJSON implements json.Marshaler as {"Kind":"user_name"}: the key's
// kind, never its value. Key has no UnmarshalJSON; decoding that form into a
// Key fails rather than yield a key without a value.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Kind string }{k.Kind.String()})
}
