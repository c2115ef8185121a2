package fields_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// TestTableCoversToken fails when tokenstore.Token has a field that All
// does not describe, or All one that Token lacks, or when an entry's name,
// type or offset does not match the field in Token at its place.
func TestTableCoversToken(t *testing.T) {
	typ := reflect.TypeFor[tokenstore.Token]()
	if typ.NumField() != len(fields.All) {
		t.Errorf("tokenstore.Token has %d fields; fields.All lists %d", typ.NumField(), len(fields.All))
	}
	keys := map[string]bool{}
	for i := range fields.All {
		f := &fields.All[i]
		if i >= typ.NumField() {
			t.Errorf("fields.All[%d] %s: tokenstore.Token has no field %d", i, f.Name, i)
			continue
		}
		sf := typ.Field(i)
		if sf.Name != f.Name {
			t.Errorf("fields.All[%d] is %s; tokenstore.Token's field %d is %s", i, f.Name, i, sf.Name)
		}
		isTime := sf.Type == reflect.TypeFor[time.Time]()
		if !isTime && sf.Type != reflect.TypeFor[string]() {
			t.Errorf("%s is a %v; the table knows strings and time.Time only", sf.Name, sf.Type)
		}
		if f.IsTime != isTime {
			t.Errorf("%s: table says IsTime=%v; the field is a %v", f.Name, f.IsTime, sf.Type)
		}
		if f.Key == "" || f.Key != strings.ToLower(f.Key) || keys[f.Key] {
			t.Errorf("%s: record key %q is empty, not lower case or used twice", f.Name, f.Key)
		}
		keys[f.Key] = true

		// The accessor reaches the field at this place and no other: set
		// it through reflection, read it through the accessor, and check
		// that nothing else changed.
		var tok tokenstore.Token
		v := reflect.ValueOf(&tok).Elem().Field(i)
		p := (*fields.Token)(&tok)
		if isTime != f.IsTime {
			continue // the accessor would panic, rightly
		}
		switch {
		case isTime:
			want := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
			v.Set(reflect.ValueOf(want))
			if got := f.Time(p); !got.Equal(want) {
				t.Errorf("%s: Time does not reach it", f.Name)
			}
			*f.Time(p) = time.Time{}
		default:
			v.SetString("value of " + f.Name)
			if got := f.Str(p); *got != "value of "+f.Name {
				t.Errorf("%s: Str does not reach it", f.Name)
			}
			if f.IsZero(p) {
				t.Errorf("%s: IsZero after setting it", f.Name)
			}
			*f.Str(p) = ""
		}
		if tok != (tokenstore.Token{}) {
			t.Errorf("%s: the accessor reaches memory other than the field", f.Name)
		}
	}
}

// TestAccessorsRefuseTheOtherType: Str of a time field and Time of a
// string field panic rather than reach memory of another type.
func TestAccessorsRefuseTheOtherType(t *testing.T) {
	var tok fields.Token
	for i := range fields.All {
		f := &fields.All[i]
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: the accessor of the other type did not panic", f.Name)
				}
			}()
			if f.IsTime {
				f.Str(&tok)
			} else {
				f.Time(&tok)
			}
		}()
	}
}

// TestSecrets: the table's secrets are the ones the package documents.
func TestSecrets(t *testing.T) {
	var got []string
	for _, f := range fields.All {
		if f.Secret {
			got = append(got, f.Name)
		}
	}
	if want := "ClientSecret RefreshToken AccessToken GrantToken"; strings.Join(got, " ") != want {
		t.Errorf("secret fields %v; want %s", got, want)
	}
}
