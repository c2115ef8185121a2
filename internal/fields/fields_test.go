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
// kind or accessor does not match the field in Token at its place.
func TestTableCoversToken(t *testing.T) {
	typ := reflect.TypeFor[tokenstore.Token]()
	if typ.NumField() != len(fields.All) {
		t.Errorf("tokenstore.Token has %d fields; fields.All lists %d", typ.NumField(), len(fields.All))
	}
	keys := map[string]bool{}
	for i, f := range fields.All {
		if i >= typ.NumField() {
			t.Errorf("fields.All[%d] %s: tokenstore.Token has no field %d", i, f.Name, i)
			continue
		}
		sf := typ.Field(i)
		if sf.Name != f.Name {
			t.Errorf("fields.All[%d] is %s; tokenstore.Token's field %d is %s", i, f.Name, i, sf.Name)
		}
		wantTime := sf.Type == reflect.TypeFor[time.Time]()
		if !wantTime && sf.Type != reflect.TypeFor[string]() {
			t.Errorf("%s is a %v; the table knows strings and time.Time only", sf.Name, sf.Type)
		}
		if f.Time != wantTime {
			t.Errorf("%s: table says Time=%v; the field is a %v", f.Name, f.Time, sf.Type)
		}
		if f.Key == "" || f.Key != strings.ToLower(f.Key) || keys[f.Key] {
			t.Errorf("%s: record key %q is empty, not lower case or used twice", f.Name, f.Key)
		}
		keys[f.Key] = true

		// The accessor reaches the field at this place and no other: set
		// it through reflection, read it through the accessor.
		var tok tokenstore.Token
		v := reflect.ValueOf(&tok).Elem().Field(i)
		p := (*fields.Token)(&tok)
		switch {
		case wantTime:
			want := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
			v.Set(reflect.ValueOf(want))
			if got := p.Time(i); got == nil || !got.Equal(want) || p.Str(i) != nil {
				t.Errorf("%s: Time(%d) does not reach it, or Str(%d) answers too", f.Name, i, i)
			}
		default:
			v.SetString("value of " + f.Name)
			if got := p.Str(i); got == nil || *got != "value of "+f.Name || p.Time(i) != nil {
				t.Errorf("%s: Str(%d) does not reach it, or Time(%d) answers too", f.Name, i, i)
			}
		}
		if p.IsZero(i) || tok == (tokenstore.Token{}) {
			t.Errorf("%s: IsZero(%d) after setting it", f.Name, i)
		}
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
