package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// testSoftDeleted: a latest version soft-deleted or destroyed outside the
// store reads as not found, and saving the user again works.
func testSoftDeleted(t *testing.T, f *kvFixture) {
	s, c, prefix := fresh(t, f)
	ctx := ctxT(t)
	for _, how := range []string{"delete", "destroy"} {
		a := mustSave(t, s, sample(how))
		rec := prefix + "/records/" + a.ID
		var err error
		if how == "delete" {
			_, err = f.root.Logical().DeleteWithContext(ctx, f.mount+"/data/"+rec)
		} else {
			_, err = f.root.Logical().WriteWithContext(ctx, f.mount+"/destroy/"+rec, map[string]any{"versions": []int{1}})
		}
		if err != nil {
			t.Fatalf("%s latest version: %v", how, err)
		}
		w0 := c.writes.Load()
		if _, err := s.FindTokenByID(ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Errorf("%s: FindTokenByID: got %v; want ErrNotFound", how, err)
		}
		if _, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Errorf("%s: FindToken: got %v; want ErrNotFound", how, err)
		}
		if all, err := s.GetTokens(ctx); err != nil || len(all) != 0 {
			t.Errorf("%s: GetTokens: %d records, %v; want none", how, len(all), err)
		}
		if w := c.writes.Load() - w0; w != 0 {
			t.Errorf("%s: reads made %d writes", how, w)
		}
		again := mustSave(t, s, sample(how))
		got, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
		if err != nil || got.ID != again.ID {
			t.Errorf("%s: FindToken after saving again: %v, %v; want the new save", how, got, err)
		}
		if err := s.DeleteToken(ctx, again.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
	}
}

// secretsOf lists the secret values of tok and its user name, which no path
// and no leftover data may contain.
func secretsOf(tok tokenstore.Token) []string {
	return []string{tok.UserName, tok.ClientSecret, tok.RefreshToken, tok.AccessToken, tok.GrantToken}
}

// readAllVersions returns the data of every version of a store path still
// readable with the root token.
func (f *kvFixture) readAllVersions(t *testing.T, p string) []string {
	t.Helper()
	ctx := ctxT(t)
	if f.version == 1 {
		sec, err := f.root.Logical().ReadWithContext(ctx, f.mount+"/"+p)
		if err != nil || sec == nil {
			return nil
		}
		return []string{fmtData(sec.Data)}
	}
	md, err := f.root.Logical().ReadWithContext(ctx, f.mount+"/metadata/"+p)
	if err != nil || md == nil {
		return nil
	}
	versions, _ := md.Data["versions"].(map[string]any)
	var out []string
	for v := range versions {
		sec, err := f.root.Logical().ReadWithDataWithContext(ctx, f.mount+"/data/"+p, map[string][]string{"version": {v}})
		if err == nil && sec != nil && sec.Data["data"] != nil {
			out = append(out, fmtData(sec.Data["data"]))
		}
	}
	return out
}

func fmtData(v any) string {
	var b strings.Builder
	switch m := v.(type) {
	case map[string]any:
		for k, x := range m {
			b.WriteString(k + "=" + strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(x), "\n", " "), "\t", " ")) + ";")
		}
	}
	return b.String()
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// testDeleteLeavesNothing: after several updates and a delete, no version
// of any path under the prefix holds a secret of the record, and no
// version of the record's path holds data at all: it stays as an empty
// shell whose metadata keeps its version numbers from starting over (see
// the vault package doc, # Deletion).
func testDeleteLeavesNothing(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	a := mustSave(t, s, sample("gone"))
	var secrets []string
	secrets = append(secrets, secretsOf(a)...)
	for i := range 3 {
		u := tokenstore.Token{ID: a.ID, AccessToken: "secret-at-gone-" + string(rune('0'+i))}
		mustSave(t, s, u)
		secrets = append(secrets, u.AccessToken)
	}
	if err := s.DeleteToken(ctx, a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	paths := f.walk(t, prefix+"/")
	for _, p := range paths {
		versions := f.readAllVersions(t, p)
		if strings.Contains(p, "/records/") && len(versions) > 0 {
			t.Errorf("record path %s keeps %d versions with data after DeleteToken", p, len(versions))
		}
		for _, data := range versions {
			for _, sec := range secrets {
				if strings.Contains(data, sec) {
					t.Errorf("path %s still holds a secret of the deleted record", p)
				}
			}
		}
	}
	t.Logf("after DeleteToken %d paths remain as empty shells", len(paths))
}
