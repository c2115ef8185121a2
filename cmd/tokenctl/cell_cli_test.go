package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// hostile holds values that would drive a terminal or break a table.
var hostile = []string{"\x1b]0;pwned\a", "line\nbreak", "tab\there", "evil\u202egnp.exe", "\u009b31mc1"}

// rawControl reports a control or bidi character in out other than the
// newline that ends each line.
func rawControl(out string) bool {
	for _, r := range out {
		if r != '\n' && unsafeRune(r) {
			return true
		}
	}
	return false
}

// Table output escapes control characters in every cell: list, get and
// the import report.
func TestTablesEscapeControlCharacters(t *testing.T) {
	u, s := testStore(t)
	ctx := context.Background()
	for i, h := range hostile {
		tok := tokenstore.Token{UserName: h + "@example.com", ClientID: "1000." + h, APIDomain: "https://" + h,
			RedirectURL: h, AccessToken: "1000.fake-access-" + string(rune('a'+i))}
		if err := s.SaveToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
	}
	list := runApp(t, "", "list", "-s", u)
	if list.code != exitOK || rawControl(list.stdout) || strings.Count(list.stdout, "\n") != len(hostile)+1 {
		t.Errorf("list: exit %d, raw control characters or extra lines:\n%q", list.code, list.stdout)
	}
	for _, h := range hostile {
		g := runApp(t, "", "get", "-s", u, "--user", h+"@example.com")
		if g.code != exitOK || rawControl(g.stdout) || strings.Count(g.stdout, "\n") != 11 {
			t.Errorf("get %q: exit %d, raw control characters or extra lines:\n%q", h, g.code, g.stdout)
		}
	}

	csv := filepath.Join(t.TempDir(), "hostile.csv")
	var b strings.Builder
	b.WriteString("id,user_name,access_token\n")
	for i, h := range hostile {
		b.WriteString(`"` + h + `","new-` + strings.ReplaceAll(h, `"`, `""`) + `",1000.fake-access-n` + string(rune('a'+i)) + "\n")
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := runApp(t, "", "import", "-s", u, csv)
	if p.code != exitOK || rawControl(p.stdout) || strings.Count(p.stdout, "\n") != len(hostile)+2 {
		t.Errorf("import report: exit %d, raw control characters or extra lines:\n%q\n%s", p.code, p.stdout, p.stderr)
	}
}
