package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// export --force replaces the name, never what a symlink points to, and never
// changes the old file (it once followed the symlink, truncated the target
// and chmodded it 0600).
func TestExportForceReplacesTheName(t *testing.T) {
	u, s := testStore(t)
	tok := tokenstore.Token{UserName: "ann@example.com", AccessToken: "1000.fake-access-ann"}
	if err := s.SaveToken(context.Background(), &tok); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.conf")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "export.jsonl")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	// Without --force: refused, nothing touched.
	if p := runApp(t, "", "export", "-s", u, "--file", link); p.code != exitError || !strings.Contains(p.stderr, "--force replaces it") {
		t.Errorf("export onto a symlink: exit %d; want %d\n%s", p.code, exitError, p.stderr)
	}
	dangling := filepath.Join(dir, "dangling.jsonl")
	os.Symlink(filepath.Join(dir, "nowhere"), dangling)
	if p := runApp(t, "", "export", "-s", u, "--file", dangling); p.code != exitError {
		t.Errorf("export onto a dangling symlink: exit %d; want %d", p.code, exitError)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("export created the dangling symlink's target")
	}

	// With --force: the symlink is replaced by a new 0600 file.
	runApp(t, "", "export", "-s", u, "--file", link, "--force").want(t, exitOK)
	wantFile(t, victim, "precious\n", 0o644)
	fi, err := os.Lstat(link)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Fatalf("after --force: %v, %v; want a regular file with mode 0600", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(link); !strings.Contains(string(b), `"user_name":"ann@example.com"`) {
		t.Errorf("export file holds %q", b)
	}

	// An existing file with another name for it (a hard link): the old
	// inode keeps its contents and mode.
	other := filepath.Join(dir, "other-name")
	if err := os.Link(link, other); err != nil {
		t.Fatal(err)
	}
	os.Chmod(other, 0o640)
	old, _ := os.ReadFile(other)
	runApp(t, "", "export", "-s", u, "--file", link, "--force").want(t, exitOK)
	wantFile(t, other, string(old), 0o640)

	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func wantFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(path)
	fi, serr := os.Stat(path)
	if err != nil || serr != nil || string(b) != content || fi.Mode().Perm() != mode {
		t.Errorf("%s: %q, mode %v (%v, %v); want %q, mode %v", path, b, fi.Mode().Perm(), err, serr, content, mode)
	}
}
