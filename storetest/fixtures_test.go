package storetest

import (
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// TestFixtureSetsEveryField: the suite's records set every field of the
// table but the ID, so a field added to Token is round-tripped by every store's
// conformance run, and diff tells each one apart.
func TestFixtureSetsEveryField(t *testing.T) {
	e := &env{tag: "fx"}
	tok := e.token(1)
	p := (*fields.Token)(&tok)
	for i, f := range fields.All {
		if i != fields.ID && p.IsZero(i) { // the store gives the ID
			t.Errorf("token(1) leaves %s unset", f.Name)
		}
		other := tok
		po := (*fields.Token)(&other)
		if f.Time {
			*po.Time(i) = po.Time(i).Add(time.Second)
		} else {
			*po.Str(i) += "x"
		}
		if got := diff(tok, other); got != f.Name {
			t.Errorf("diff of records that differ in %s names %q", f.Name, got)
		}
	}
	if got := diff(tok, tok); got != "" {
		t.Errorf("diff of a record with itself names %q", got)
	}
	inZone := tok
	inZone.Expiry = tok.Expiry.In(time.UTC)
	if got := diff(tok, inZone); got != "" {
		t.Errorf("diff of the same instant in another zone names %q", got)
	}
}
