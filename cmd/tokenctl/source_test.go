package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A source that cannot be read is exit 1 whatever the reason; a source
// argument in the wrong form is exit 2 (once a missing file gave 2 and a
// directory 1).
func TestBadSourceExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notZoho := filepath.Join(dir, "people.csv")
	os.WriteFile(notZoho, []byte("name,email\nann,ann@example.com\n"), 0o600)
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	db := filepath.Join(dir, "zohooauth.db")
	writeSQLite(t, db)
	for _, tt := range []struct {
		source string
		code   int
		says   string
	}{
		{filepath.Join(dir, "missing.csv"), exitError, "no such file"},
		{dir, exitError, "is a directory"},
		{notZoho, exitError, "not a Zoho"},
		{"sqlite://" + filepath.Join(dir, "missing.db"), exitError, "no such file"},
		{"mysql://zoho@127.0.0.1:1/zohooauth", exitError, "connect"},
		{db, exitUsage, "is an SQLite database: give it as sqlite://" + db},
		{"sqlite://" + db + "?table=a;b", exitUsage, "not ';'"},
		{"sqlite://" + db + "?table=a-b", exitUsage, "want letters, digits and _"},
		{"sqlite://" + db + "?tabel=x", exitUsage, `unknown parameter "tabel"`},
		{"mysql://zoho@h/db?table=x&socket=", exitUsage, `"socket" has no value`},
	} {
		p := tokenctl(t, nil, "", "import", "-s", "mem://", tt.source)
		if p.code != tt.code || !strings.Contains(p.stderr, tt.says) {
			t.Errorf("import %s: exit %d; want %d and stderr saying %q\n%s", tt.source, p.code, tt.code, tt.says, p.stderr)
		}
	}
	// An empty file is an empty source, not an error.
	tokenctl(t, nil, "", "import", "-s", "mem://", empty).want(t, exitOK)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	p := tokenctl(t, nil, "", "--version").want(t, exitOK)
	if !strings.HasPrefix(p.stdout, "tokenctl version ") || !strings.Contains(p.stdout, runtime.Version()) {
		t.Errorf("--version printed %q; want tokenctl version ... %s", p.stdout, runtime.Version())
	}
}
