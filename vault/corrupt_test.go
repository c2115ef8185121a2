package vault

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// corruptRecords are record path contents that do not decode, as an older
// or newer version, a person with the vault CLI or damage may leave them.
var corruptRecords = []struct {
	name string
	data func(id string) map[string]any
}{
	{"not JSON", func(string) map[string]any { return map[string]any{fieldRecord: "{not json"} }},
	{"unknown envelope version", func(id string) map[string]any {
		return map[string]any{fieldRecord: `{"v":99,"token":{"id":"` + id + `","access_token":"secret-at-x"}}`}
	}},
	{"no record field", func(string) map[string]any { return map[string]any{"value": "x"} }},
	{"record not a string", func(string) map[string]any { return map[string]any{fieldRecord: 7} }},
	{"ID differs from path", func(string) map[string]any {
		b, _ := driver.EncodeRecord(tokenstore.Token{ID: tokenstore.NewID(), AccessToken: "secret-at-x"})
		return map[string]any{fieldRecord: string(b)}
	}},
}

// One unreadable record never makes the namespace unusable (doc.go,
// "Deadlines, uncertain outcomes and unreadable records"): lists return the
// rest with an error naming it, lookups of other records work, and it can be
// deleted.
func TestCorruptRecordDoesNotPoisonNamespace(t *testing.T) {
	ctx := context.Background()
	for _, tt := range corruptRecords {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKV(t)
			s := f.store(t, f.client(t, 0, nil))
			a := tokenstore.Token{UserName: "a@example.com", AccessToken: "secret-at-a"}
			b := tokenstore.Token{UserName: "b@example.com", AccessToken: "secret-at-b"}
			for _, tok := range []*tokenstore.Token{&a, &b} {
				if err := s.SaveToken(ctx, tok); err != nil {
					t.Fatal(err)
				}
			}
			bad := tokenstore.NewID()
			f.put(s.layout.recordPath(bad), tt.data(bad))

			all, err := s.GetTokens(ctx)
			if !errors.Is(err, tokenstore.ErrCorrupt) || !strings.Contains(err.Error(), bad) {
				t.Errorf("GetTokens: error %v; want ErrCorrupt naming %s", err, bad)
			}
			if len(all) != 2 || all[0].ID > all[1].ID {
				t.Errorf("GetTokens: %d records; want the 2 readable ones, in ID order", len(all))
			}
			for _, q := range []tokenstore.Token{{ID: a.ID}, {UserName: b.UserName}, {AccessToken: a.AccessToken}} {
				if _, err := s.FindToken(ctx, q); err != nil {
					t.Errorf("FindToken of a readable record: %v", err)
				}
			}
			_, err = s.FindTokenByID(ctx, bad)
			if !errors.Is(err, tokenstore.ErrCorrupt) || !strings.Contains(err.Error(), bad) {
				t.Errorf("FindTokenByID(bad): %v; want ErrCorrupt naming the ID", err)
			}
			in := tokenstore.Token{ID: bad, AccessToken: "secret-at-new"}
			if err := s.SaveToken(ctx, &in); !errors.Is(err, tokenstore.ErrCorrupt) {
				t.Errorf("SaveToken(bad ID): %v; want ErrCorrupt (nothing overwritten unseen)", err)
			}
			if err := s.DeleteToken(ctx, bad); err != nil {
				t.Errorf("DeleteToken(bad): %v", err)
			}
			if all, err := s.GetTokens(ctx); err != nil || len(all) != 2 {
				t.Errorf("GetTokens after deleting it: %d records, %v; want 2, nil", len(all), err)
			}
			f.put(s.layout.recordPath(bad), tt.data(bad))
			if err := s.DeleteTokens(ctx); err != nil {
				t.Errorf("DeleteTokens: %v", err)
			}
			if all, err := s.GetTokens(ctx); err != nil || len(all) != 0 {
				t.Errorf("GetTokens after DeleteTokens: %d records, %v; want none", len(all), err)
			}
		})
	}
}

// A tombstone naming an index entry this package could not have written
// (damage, a hand edit) never makes its ID undeletable: the foreign name
// reads as no entry (DeleteToken and DeleteTokens always work).
func TestTombstoneWithForeignNameDeletes(t *testing.T) {
	ctx := context.Background()
	f := newFakeKV(t)
	s := f.store(t, f.client(t, 0, nil))
	id := tokenstore.NewID()
	f.put(s.layout.recordPath(id), tombstoneData([]string{"../../etc/passwd", "user_name/not-a-digest"}))
	if err := s.DeleteToken(ctx, id); err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("DeleteToken of a tombstone naming foreign entries: %v; want it gone (or not found)", err)
	}
	if _, err := s.FindTokenByID(ctx, id); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID after the delete: %v; want ErrNotFound", err)
	}
	f.put(s.layout.recordPath(id), tombstoneData([]string{"../../etc/passwd"}))
	if err := s.DeleteTokens(ctx); err != nil {
		t.Fatalf("DeleteTokens: %v", err)
	}
}
