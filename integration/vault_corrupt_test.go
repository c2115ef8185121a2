package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// testCorruptIsolated: one record that does not decode never makes the
// namespace unusable (doc.go, "Deadlines, uncertain outcomes and unreadable
// records"). It is written with the root token over a record the store saved
// (so index entries lead to it), as damage, a person with the vault CLI or
// another version of the package would.
func testCorruptIsolated(t *testing.T, f *kvFixture) {
	tests := []struct {
		name   string
		record func(id string) string
	}{
		{"garbage JSON", func(string) string { return "{not json" }},
		{"unknown envelope version", func(id string) string {
			return `{"v":99,"token":{"id":"` + id + `","access_token":"secret-at-v99"}}`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, prefix := fresh(t, f)
			ctx := ctxT(t)
			a := mustSave(t, s, sample("a"))
			b := mustSave(t, s, sample("b"))
			bad := mustSave(t, s, sample("bad"))
			f.rawWrite(t, prefix+"/records/"+bad.ID, map[string]any{"record": tt.record(bad.ID)})
			namesBad := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, tokenstore.ErrCorrupt) || !strings.Contains(err.Error(), bad.ID) {
					t.Errorf("%s: got %v; want ErrCorrupt naming %s", what, err, bad.ID)
				}
			}

			all, err := s.GetTokens(ctx)
			namesBad("GetTokens", err)
			if len(all) != 2 || all[0].ID > all[1].ID || (all[0].ID != a.ID && all[0].ID != b.ID) {
				t.Errorf("GetTokens: %d records; want a and b, in ID order", len(all))
			}
			for _, q := range []tokenstore.Token{{ID: a.ID}, {UserName: b.UserName}, {AccessToken: a.AccessToken},
				{RefreshToken: b.RefreshToken, ClientID: b.ClientID, ClientSecret: b.ClientSecret}} {
				if _, err := s.FindToken(ctx, q); err != nil {
					t.Errorf("FindToken of a readable record: %v", err)
				}
			}
			_, err = s.FindTokenByID(ctx, bad.ID)
			namesBad("FindTokenByID", err)
			_, err = s.FindToken(ctx, tokenstore.Token{UserName: bad.UserName})
			namesBad("FindToken by its user name", err)
			in := tokenstore.Token{UserName: bad.UserName, AccessToken: "secret-at-new"}
			namesBad("SaveToken of its user", s.SaveToken(ctx, &in))
			in = tokenstore.Token{ID: bad.ID, AccessToken: "secret-at-new"}
			namesBad("SaveToken by its ID", s.SaveToken(ctx, &in))

			if err := s.DeleteToken(ctx, bad.ID); err != nil {
				t.Fatalf("DeleteToken(unreadable): %v", err)
			}
			if all, err := s.GetTokens(ctx); err != nil || len(all) != 2 {
				t.Errorf("GetTokens after deleting it: %d records, %v; want 2, nil", len(all), err)
			}
			again := mustSave(t, s, sample("bad"))
			if found, err := s.FindToken(ctx, tokenstore.Token{UserName: bad.UserName}); err != nil || found.ID != again.ID {
				t.Errorf("FindToken of its user saved again: %v", err)
			}
			f.rawWrite(t, prefix+"/records/"+again.ID, map[string]any{"record": tt.record(again.ID)})
			if err := s.DeleteTokens(ctx); err != nil {
				t.Fatalf("DeleteTokens with an unreadable record: %v", err)
			}
			if left := f.walk(t, prefix+"/"); len(left) != 0 {
				t.Errorf("DeleteTokens left %d paths", len(left))
			}
		})
	}
}
