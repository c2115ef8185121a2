package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Struct returns v, a struct, as %+v prints it, except that the named
// secret fields show only Mark when set (and their zero value when
// not). For the options structs that carry a pepper.
func Struct(v any, secret ...string) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	b.WriteString(rv.Type().String())
	b.WriteByte('{')
	for i := range rv.NumField() {
		fv, name := rv.Field(i), rv.Type().Field(i).Name
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case slices.Contains(secret, name) && !fv.IsZero():
			fmt.Fprintf(&b, "%s:%s", name, Mark)
		case fv.CanInterface():
			fmt.Fprintf(&b, "%s:%v", name, fv.Interface())
		}
	}
	b.WriteByte('}')
	return b.String()
}

// JSON returns v, a struct without json tags or a MarshalJSON of its own
// (pass a defined type without methods), as encoding/json writes it,
// except that the named secret fields read Mark when set and are
// left out when not. For the options structs that carry a pepper.
func JSON(v any, secret ...string) ([]byte, error) {
	rv := reflect.ValueOf(v)
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range rv.NumField() {
		f, fv := rv.Type().Field(i), rv.Field(i)
		if !f.IsExported() {
			continue
		}
		val := fv.Interface()
		if slices.Contains(secret, f.Name) {
			if fv.IsZero() {
				continue
			}
			val = Mark
		}
		enc, err := json.Marshal(val)
		if err != nil {
			return nil, fmt.Errorf("json: field %s: %w", f.Name, err)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:", f.Name)
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
