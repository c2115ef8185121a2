package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/tokenstore-go/tokenstore"
)

// storeOf opens a store URL in-process with the tests' pepper, to check
// what the processes stored.
func storeOf(t *testing.T, u string) tokenstore.Store {
	t.Helper()
	p, _ := hex.DecodeString(strings.TrimPrefix(pepperEnv[0], "TOKENSTORE_PEPPER="))
	b, err := newApp(nil, io.Discard, io.Discard).openStore(context.Background(), u, p)
	if err != nil {
		t.Fatal(err)
	}
	return b.store
}

func tokens(t *testing.T, s tokenstore.Store) []tokenstore.Token {
	t.Helper()
	ts, err := s.GetTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func sameTokens(t *testing.T, what string, got, want []tokenstore.Token) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records; want %d", what, len(got), len(want))
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("%s: record %d = %v; want %v (secrets compared too)", what, i, got[i], want[i])
		}
	}
}

func TestImportCopyExportAcrossStores(t *testing.T) {
	t.Parallel()
	v, a := vaultURL(t), awssmURL(t)
	tokenctl(t, pepperEnv, "", "import", "-s", v, "testdata/filestore-java.csv").want(t, exitSkipped)
	tokenctl(t, pepperEnv, "", "import", "-s", v, "testdata/filestore-legacy.csv").want(t, exitSkipped)
	want := tokens(t, storeOf(t, v))
	if len(want) != 4 {
		t.Fatalf("vault holds %d records; want 4", len(want))
	}

	p := tokenctl(t, pepperEnv, "", "copy", "--from", v, "--to", a).want(t, exitOK)
	if c := p.counts(t); c != [5]int{4, 4, 0, 0, 0} {
		t.Errorf("copy: counts %v; want 4 inserted", c)
	}
	sameTokens(t, "awssm after copy", tokens(t, storeOf(t, a)), want)
	p = tokenctl(t, pepperEnv, "", "copy", "--from", v, "--to", a).want(t, exitOK)
	if c := p.counts(t); c != [5]int{4, 0, 0, 4, 0} {
		t.Errorf("copy again: counts %v; want 4 unchanged", c)
	}

	// awssm → an export file → mem: the records still compare equal.
	file := filepath.Join(t.TempDir(), "export.jsonl")
	tokenctl(t, pepperEnv, "", "export", "-s", a, "--file", file).want(t, exitOK)
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, mode %v; want 0600", err, fi.Mode())
	}
	tokenctl(t, pepperEnv, "", "export", "-s", a, "--file", file).want(t, exitError) // exists
	src := jsonlSource{fileSource{path: file}}
	rows, err := src.rows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var exported []tokenstore.Token
	for _, r := range rows {
		exported = append(exported, r.tok)
	}
	sameTokens(t, "export of awssm", exported, want)
	p = tokenctl(t, pepperEnv, "", "import", "-s", "mem://", file).want(t, exitOK)
	if c := p.counts(t); c != [5]int{4, 4, 0, 0, 0} {
		t.Errorf("import of the export into mem: counts %v", c)
	}
	rev := tokenctl(t, pepperEnv, "", "export", "-s", a, "--reveal").want(t, exitOK)
	if !strings.Contains(rev.stdout, "fake-refresh-gina") || !strings.Contains(rev.stderr, "warning") {
		t.Errorf("export --reveal: want the secrets on stdout and a warning on stderr")
	}
}

func TestGetDeleteDryRunOnVault(t *testing.T) {
	t.Parallel()
	v := vaultURL(t)
	tokenctl(t, pepperEnv, "", "import", "-s", v, "testdata/filestore-9col.csv").want(t, exitSkipped)

	g := tokenctl(t, pepperEnv, "", "get", "-s", v, "--user", "judy@example.com").want(t, exitOK)
	if !strings.Contains(g.stdout, "refresh_token: [redacted]") || !strings.Contains(g.stdout, "2030-01-01T00:00:00Z") {
		t.Errorf("get:\n%s", g.stdout)
	}
	r := tokenctl(t, pepperEnv, "", "get", "-s", v, "--user", "judy@example.com", "--reveal").want(t, exitOK)
	if !strings.Contains(r.stdout, "1000.fake-refresh-judy") || !strings.Contains(r.stderr, "warning") {
		t.Errorf("get --reveal: stdout\n%s\nstderr\n%s", r.stdout, r.stderr)
	}
	tokenctl(t, pepperEnv, "", "get", "-s", v, "--user", "nobody@example.com").want(t, exitError)

	// A dry run of a file that changes one record and adds one writes nothing.
	csv := filepath.Join(t.TempDir(), "update.csv")
	os.WriteFile(csv, []byte("id,user_name,refresh_token,access_token,expiry_time\n1,judy@example.com,,1000.fake-access-new,1893459600000\n2,zed@example.com,,1000.fake-access-zed,\n3,kate@example.com,1000.fake-refresh-kate,,\n"), 0o600)
	before := tokens(t, storeOf(t, v))
	d := tokenctl(t, pepperEnv, "", "import", "-n", "-s", v, csv).want(t, exitOK)
	if c := d.counts(t); c != [5]int{3, 1, 1, 1, 0} || !strings.Contains(d.stdout, "dry run") {
		t.Errorf("dry run: counts %v; want 1 insert, 1 merge, 1 unchanged\n%s", c, d.stdout)
	}
	sameTokens(t, "after the dry run", tokens(t, storeOf(t, v)), before)
	tokenctl(t, pepperEnv, "", "import", "-s", v, csv).want(t, exitOK)
	if n := len(tokens(t, storeOf(t, v))); n != 3 {
		t.Errorf("after the import: %d records; want 3", n)
	}

	id := before[0].ID
	tokenctl(t, pepperEnv, "", "delete", "-s", v, id).want(t, exitOK)
	tokenctl(t, pepperEnv, "", "delete", "-s", v, id).want(t, exitError)
	tokenctl(t, pepperEnv, "", "delete-all", "-s", v).want(t, exitUsage) // stdin not a terminal
	if n := len(tokens(t, storeOf(t, v))); n != 2 {
		t.Errorf("after delete: %d records; want 2", n)
	}
	tokenctl(t, pepperEnv, "", "delete-all", "-s", v, "--yes").want(t, exitOK)
	if n := len(tokens(t, storeOf(t, v))); n != 0 {
		t.Errorf("after delete-all: %d records; want 0", n)
	}
}

// bigCSV writes n good rows in the current FileStore layout.
func bigCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,user_name,client_id,client_secret,refresh_token,access_token,grant_token,expiry_time,redirect_uri,api_domain\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,user%d@example.com,1000.FAKE,fake-secret,1000.fake-refresh-%d,1000.fake-access-%d,,1893456000000,https://x/cb,https://www.zohoapis.com\n", i+1, i, i, i)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProgressBarOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	v := vaultURL(t)
	csv := bigCSV(t, 150)

	// Piped: no bar, no control characters.
	p := tokenctl(t, pepperEnv, "", "import", "-s", v, csv).want(t, exitOK)
	if strings.ContainsAny(p.stderr+p.stdout, "\r\x1b") || strings.Contains(p.stderr, "%") {
		t.Errorf("piped output has a progress bar:\n%q", p.stderr)
	}

	// In a pseudo-terminal: a bar on stderr, the report above it.
	cmd := exec.Command(bin, "import", "-s", v, csv)
	cmd.Env = append(append(os.Environ(), pepperEnv...), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(f) // EIO at exit
	if err := cmd.Wait(); err != nil {
		t.Fatalf("in a pty: %v\n%s", err, out)
	}
	s := string(out)
	noSecrets(t, s)
	if !strings.Contains(s, "import") || !strings.Contains(s, "/150") || !strings.Contains(s, "\r") {
		t.Errorf("no progress bar in the terminal:\n%q", s)
	}
	if !strings.Contains(s, "unchanged 150") {
		t.Errorf("no summary in the terminal:\n%q", s)
	}
}

func TestInterruptStopsBetweenRecords(t *testing.T) {
	t.Parallel()
	v := vaultURL(t)
	const n = 500
	csv := bigCSV(t, n)
	cmd := exec.Command(bin, "import", "-s", v, "-o", "json", csv)
	cmd.Env = append(os.Environ(), pepperEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) == 20 {
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v; want code %d\n%s", err, exitInterrupted, stderr.String())
	}
	var last struct{ Summary summary }
	if err := jsonUnmarshal(lines[len(lines)-1], &last); err != nil || !last.Summary.Interrupted {
		t.Fatalf("last line %q: want an interrupted summary", lines[len(lines)-1])
	}
	s := last.Summary
	if s.Read >= n || s.Read != len(lines)-1 || s.Inserted != s.Read {
		t.Errorf("summary %+v with %d row lines; want fewer than %d rows, each reported and inserted", s, len(lines)-1, n)
	}
	// Every reported row is stored, whole, and nothing else.
	stored := tokens(t, storeOf(t, v))
	if len(stored) != s.Inserted {
		t.Errorf("store holds %d records; the summary says %d inserted", len(stored), s.Inserted)
	}
	for _, tok := range stored {
		if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ClientSecret == "" || tok.Expiry.IsZero() {
			t.Errorf("record %s is incomplete", tok.ID)
		}
	}
	// Resuming finishes the job and rewrites nothing already there.
	p := tokenctl(t, pepperEnv, "", "import", "-s", v, csv).want(t, exitOK)
	if c := p.counts(t); c[1] != n-s.Inserted || c[3] != s.Inserted {
		t.Errorf("resume: counts %v; want %d inserted, %d unchanged", c, n-s.Inserted, s.Inserted)
	}
}

// A Vault mount that does not exist, or a KV version the mount does not
// have, fails at open with exit 2 naming VAULT_ADDR and the mount, instead
// of listing nothing and "deleting" every record of an empty store.
func TestVaultMountCheckedAtOpen(t *testing.T) {
	t.Parallel()
	needEnv(t, "VAULT_ADDR", "VAULT_TOKEN")
	addr := os.Getenv("VAULT_ADDR")
	missing := unique(t)
	for _, tt := range []struct {
		url, want string
	}{
		{"vault://" + missing + "/apps", fmt.Sprintf("no mount %q at %s (VAULT_ADDR)", missing, addr)},
		{"vault://secret/" + missing + "?kv=1", fmt.Sprintf(`mount "secret" at %s (VAULT_ADDR) is KV version 2, not 1`, addr)},
	} {
		for _, args := range [][]string{{"list"}, {"delete-all", "--yes"}, {"import", "testdata/filestore-java.csv"}} {
			p := tokenctl(t, pepperEnv, "", append(args, "-s", tt.url)...)
			if p.code != exitUsage || !strings.Contains(p.stderr, tt.want) || strings.Contains(p.stdout, "deleted") {
				t.Errorf("tokenctl %v -s %s: exit %d; want %d and stderr saying %q\nstdout:\n%s\nstderr:\n%s",
					args, tt.url, p.code, exitUsage, tt.want, p.stdout, p.stderr)
			}
		}
	}
}
