package tokenstore

import "github.com/tokenstore-go/tokenstore/internal/fields"

// Merge returns stored updated by update, the upsert rule of SaveToken on
// a match (see "Lookup and upsert" in the package documentation): every
// non-empty field of update replaces the stored one, every empty field
// keeps the stored value, and the ID is always the stored one. Stores
// apply it on a save; a token source applies it inside UpdateToken to
// merge a refreshed token into the stored record.
func Merge(stored, update Token) Token {
	out := stored
	po, pu := (*fields.Token)(&out), (*fields.Token)(&update)
	for i, f := range fields.All {
		switch {
		case f.Time:
			if e := pu.Time(i); !e.IsZero() {
				*po.Time(i) = *e
			}
		case *pu.Str(i) != "":
			*po.Str(i) = *pu.Str(i)
		}
	}
	out.ID = stored.ID
	return out
}
