package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// TestWireCarriesEveryField: the wire form has a field for each field of
// the table, under its record key (a time as <key>_time in epoch
// milliseconds, as the Zoho SDKs name expiry_time), and a token with every
// field set survives toWire and back. A field added to Token fails here
// until the agent carries it.
func TestWireCarriesEveryField(t *testing.T) {
	typ := reflect.TypeFor[wireToken]()
	keys := map[string]bool{}
	for i := range typ.NumField() {
		keys[strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	var in tokenstore.Token
	p := (*fields.Token)(&in)
	for i, f := range fields.All {
		key := f.Key
		if f.Time {
			key += "_time"
			*p.Time(i) = time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.UTC)
		} else {
			*p.Str(i) = "value-of-" + f.Key
		}
		if !keys[key] {
			t.Errorf("the wire form has no %q for Token's %s", key, f.Name)
		}
	}
	got, err := toWire(in).token()
	if err != nil || got != in {
		t.Errorf("toWire and back: got %#v, %v; want %#v", got, err, in)
	}
}
