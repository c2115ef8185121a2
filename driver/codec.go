package driver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/expiry"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// RecordVersion is the envelope version EncodeRecord writes.
const RecordVersion = 1

// MaxRecordSize is the largest encoded record, in bytes, that any store
// accepts: the Secrets Manager limit on one secret value, applied to every
// store so that code moved from one store to another meets no new limit.
// EncodeRecordMeta refuses a larger record with tokenstore.ErrTooLarge.
const MaxRecordSize = 64 << 10

// envelopeType and recordType are the persisted form of a record, built
// once from the field table (internal/fields) so that every field of
// tokenstore.Token is kept under its record key with no second list to keep
// in step with Token:
//
//	struct { // envelopeType
//		V     int             `json:"v"`
//		Token *struct {       // recordType: one string per fields.All entry
//			ID       string `json:"id,omitempty"`
//			UserName string `json:"user_name,omitempty"`
//			...             // Expiry as RFC 3339 in UTC, nanoseconds (internal/expiry)
//		} `json:"token"`
//		Meta tokenstore.Meta `json:"meta,omitempty"` // store-level state; see tokenstore.Meta
//	}
//
// Keys are short and stable; a change that old readers cannot ignore bumps
// V. encoding/json writes them in this order, as it wrote the same struct
// declared by hand (TestEncodeRecordExact).
var envelopeType, recordType = envelopeTypes()

// The envelope's fields, by index.
const (
	envV = iota
	envToken
	envMeta
)

func envelopeTypes() (env, rec reflect.Type) {
	str := reflect.TypeFor[string]()
	sf := make([]reflect.StructField, len(fields.All))
	for i, f := range fields.All {
		sf[i] = reflect.StructField{Name: f.Name, Type: str, Tag: reflect.StructTag(`json:"` + f.Key + `,omitempty"`)}
	}
	rec = reflect.StructOf(sf)
	env = reflect.StructOf([]reflect.StructField{
		envV:     {Name: "V", Type: reflect.TypeFor[int](), Tag: `json:"v"`},
		envToken: {Name: "Token", Type: reflect.PointerTo(rec), Tag: `json:"token"`},
		envMeta:  {Name: "Meta", Type: reflect.TypeFor[tokenstore.Meta](), Tag: `json:"meta,omitempty"`},
	})
	return env, rec
}

// EncodeRecord returns the persisted form of t: a JSON envelope
// {"v":1,"token":{...}}. It refuses a token that fails tokenstore.Validate
// or has no ID (tokenstore.ErrInvalidToken) and a result over MaxRecordSize
// (tokenstore.ErrTooLarge).
func EncodeRecord(t tokenstore.Token) ([]byte, error) { return EncodeRecordMeta(t, nil) }

// EncodeRecordMeta is EncodeRecord with the record's metadata, kept in the
// envelope beside the token as {"v":1,"token":{...},"meta":{...}}; an
// empty Meta writes exactly what EncodeRecord writes. The metadata counts
// towards MaxRecordSize. A Meta entry with an empty name or a value that is
// not JSON is tokenstore.ErrInvalidToken.
func EncodeRecordMeta(t tokenstore.Token, m tokenstore.Meta) ([]byte, error) {
	if t.ID == "" {
		return nil, invalidf("record has no ID")
	}
	if err := tokenstore.Validate(t); err != nil {
		return nil, err
	}
	if err := validMeta(m); err != nil {
		return nil, err
	}
	rec := reflect.New(recordType)
	r, p := rec.Elem(), (*fields.Token)(&t)
	for i, f := range fields.All {
		switch {
		case !f.Time:
			r.Field(i).SetString(*p.Str(i))
		case !p.Time(i).IsZero():
			r.Field(i).SetString(expiry.Format(*p.Time(i)))
		}
	}
	env := reflect.New(envelopeType)
	e := env.Elem()
	e.Field(envV).SetInt(RecordVersion)
	e.Field(envToken).Set(rec)
	e.Field(envMeta).Set(reflect.ValueOf(m))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env.Interface()); err != nil {
		return nil, fmt.Errorf("driver: encode record: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(b) > MaxRecordSize {
		return nil, fmt.Errorf("%w: encoded record is %d bytes, limit %d", tokenstore.ErrTooLarge, len(b), MaxRecordSize)
	}
	return b, nil
}

// DecodeRecord parses what EncodeRecord wrote. Damaged input, a missing or
// unknown version, or a record without a valid ID is an error wrapping
// tokenstore.ErrCorrupt; the message never quotes the input, which holds
// secrets. Expiry comes back in UTC.
func DecodeRecord(b []byte) (tokenstore.Token, error) {
	t, _, err := DecodeRecordMeta(b)
	return t, err
}

// DecodeRecordMeta is DecodeRecord that also returns the record's
// metadata: nil for a record written without any, as every record written
// before metadata existed.
func DecodeRecordMeta(b []byte) (tokenstore.Token, tokenstore.Meta, error) {
	env := reflect.New(envelopeType)
	if err := json.Unmarshal(b, env.Interface()); err != nil {
		return tokenstore.Token{}, nil, corruptf("not a JSON record envelope")
	}
	e := env.Elem()
	switch v := e.Field(envV).Int(); {
	case v == 0:
		return tokenstore.Token{}, nil, corruptf("no envelope version")
	case v != RecordVersion:
		return tokenstore.Token{}, nil, corruptf("envelope version %d, this package reads %d", v, RecordVersion)
	case e.Field(envToken).IsNil():
		return tokenstore.Token{}, nil, corruptf("no token in envelope")
	case tokenstore.ValidateID(e.Field(envToken).Elem().Field(fields.ID).String()) != nil:
		return tokenstore.Token{}, nil, corruptf("missing or malformed ID")
	}
	var t tokenstore.Token
	r, p := e.Field(envToken).Elem(), (*fields.Token)(&t)
	for i, f := range fields.All {
		s := r.Field(i).String()
		switch {
		case !f.Time:
			*p.Str(i) = s
		case s != "":
			exp, err := expiry.Parse(s)
			if err != nil {
				return tokenstore.Token{}, nil, corruptf("malformed %s", f.Key)
			}
			*p.Time(i) = exp
		}
	}
	return t, e.Field(envMeta).Interface().(tokenstore.Meta), nil
}

// validMeta refuses an entry with an empty name or a value that is not
// JSON, before anything is written.
func validMeta(m tokenstore.Meta) error {
	for k, v := range m {
		if k == "" {
			return invalidf("Meta has an entry with an empty name")
		}
		if !json.Valid(v) {
			return invalidf("Meta entry %q is not JSON", k)
		}
	}
	return nil
}

// invalidf and corruptf wrap the root package's sentinels, so that errors.Is
// finds them whichever package refused the record.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{tokenstore.ErrInvalidToken}, args...)...)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{tokenstore.ErrCorrupt}, args...)...)
}
