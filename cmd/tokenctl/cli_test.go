package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportCSVLayouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file                string
		inserted, skipped   int
		skippedRows, reason []string
		users               []string
	}{
		{"filestore-python.csv", 3, 5,
			[]string{"5 ", "6 ", "7 ", "8 ", "9 "},
			[]string{"no access, refresh or grant token", "expiry_time: not epoch milliseconds", "user_name is not valid UTF-8", "access_token is 9000 bytes", "no lookup key"},
			[]string{"alice@example.com", "bob@example.com", "carol@example.com"}},
		{"filestore-java.csv", 2, 1, []string{"4 "}, []string{"no access, refresh or grant token"}, []string{"gina@example.com", "hank@example.com"}},
		{"filestore-9col.csv", 2, 1, []string{"4 "}, []string{"expiry_time"}, []string{"judy@example.com", "kate@example.com"}},
		{"filestore-legacy.csv", 2, 1, []string{"4 "}, []string{"no lookup key"}, []string{"mike@example.com", "nina@example.com"}},
		{"filestore-legacy-noheader.csv", 2, 0, nil, nil, []string{"oscar@example.com", "pam@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			want := exitOK
			if tt.skipped > 0 {
				want = exitSkipped
			}
			p := tokenctl(t, nil, "", "import", "-s", "mem://", filepath.Join("testdata", tt.file)).want(t, want)
			c := p.counts(t)
			if c[1] != tt.inserted || c[4] != tt.skipped || c[0] != tt.inserted+tt.skipped {
				t.Errorf("read, inserted, merged, unchanged, skipped = %v; want %d inserted, %d skipped\n%s", c, tt.inserted, tt.skipped, p.stdout)
			}
			for i, r := range tt.skippedRows {
				line := "tokenctl: row " + strings.TrimSpace(r) + " skipped: "
				if !strings.Contains(p.stderr, line) || !strings.Contains(p.stderr, tt.reason[i]) {
					t.Errorf("stderr lacks %q ... %q:\n%s", line, tt.reason[i], p.stderr)
				}
			}
			for _, u := range tt.users {
				if !strings.Contains(p.stdout, u) {
					t.Errorf("report lacks %s:\n%s", u, p.stdout)
				}
			}
		})
	}
}

func TestImportJSONReportMapsZohoIDs(t *testing.T) {
	t.Parallel()
	p := tokenctl(t, nil, "", "import", "-s", "mem://", "-o", "json", "testdata/filestore-java.csv").want(t, exitSkipped)
	lines := strings.Split(strings.TrimSpace(p.stdout), "\n")
	var first result
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Row != 2 || first.SourceID != "1" || len(first.ID) != 32 || first.Action != actInsert || first.User != "gina@example.com" {
		t.Errorf("first row = %+v; want row 2, Zoho id 1 mapped to a new 32-character ID, insert, gina", first)
	}
	var last struct{ Summary summary }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if want := (summary{Read: 3, Inserted: 2, Skipped: 1}); last.Summary != want {
		t.Errorf("summary = %+v; want %+v", last.Summary, want)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"list", "--no-such-flag"},
		{"no-such-command"},
		{"list"}, // no --store
		{"list", "-s", "ftp://x"},
		{"list", "-s", "vault://secret/x?kv=3"},
		{"list", "-s", "vault://secret/x?kv=2;cas=1"}, // ';' was dropped silently
		{"list", "-s", "awssm://p/?region=eu-west-1;force-delete=true"},
		{"list", "-s", "awssm://p/?recovery-window=3"},
		{"list", "-s", "mem://?ns=x"},
		{"list", "-s", "vault://u:pa%ss@secret/x"},
		{"import", "-s", "mem://", "sqlite:///x.db?table=a;b=c"},
		{"list", "-s", "mem://", "-o", "yaml"},
		{"export", "-s", "mem://"},
		{"get", "-s", "mem://"},
		{"delete-all", "-s", "mem://"}, // stdin is not a terminal
		{"import", "-s", "mem://", "mysql://u:pa%ss@h/db?table=x;drop"},
	} {
		p := tokenctl(t, []string{"TOKENSTORE_URL="}, "", args...)
		if p.code != exitUsage {
			t.Errorf("tokenctl %v: exit code %d; want %d\n%s", args, p.code, exitUsage, p.stderr)
		}
		if strings.Contains(p.stderr, "pa%ss") || strings.Contains(p.stderr, "pa%25ss") {
			t.Errorf("tokenctl %v: stderr shows the password: %s", args, p.stderr)
		}
	}
}

func TestHelpHasExamplesAndExitCodes(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"list", "get", "delete", "delete-all", "import", "export", "copy"} {
		p := tokenctl(t, nil, "", c, "--help").want(t, exitOK)
		if !strings.Contains(p.stdout, "Examples:") {
			t.Errorf("%s --help has no examples", c)
		}
	}
	p := tokenctl(t, nil, "", "--help").want(t, exitOK)
	for _, s := range []string{"Exit codes:", "130", "TOKENSTORE_PEPPER", "awssm://", "vault://", "mem://"} {
		if !strings.Contains(p.stdout, s) {
			t.Errorf("--help lacks %q", s)
		}
	}
	tokenctl(t, nil, "", "completion", "bash").want(t, exitOK)
}

func TestImportSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "zohooauth.db")
	writeSQLite(t, path)
	p := tokenctl(t, nil, "", "import", "-s", "mem://", "sqlite://"+path).want(t, exitSkipped)
	if c := p.counts(t); c != [5]int{4, 2, 1, 0, 1} {
		t.Errorf("read, inserted, merged, unchanged, skipped = %v; want [4 2 1 0 1]\n%s", c, p.stdout)
	}
	tokenctl(t, nil, "", "import", "-s", "mem://", "sqlite://"+filepath.Join(t.TempDir(), "missing.db")).want(t, exitError)
	if _, err := os.Stat(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("import created a database file")
	}
}
