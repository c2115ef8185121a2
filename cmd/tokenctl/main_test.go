package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// bin is the tokenctl binary TestMain builds; the CLI tests run it as a
// process.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		// A fuzzing worker runs only the fuzz target, in-process.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "tokenctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "tokenctl")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result of one tokenctl process.
type proc struct {
	stdout, stderr string
	code           int
}

// fakeSecret matches every secret value in the fixtures and the tests.
var fakeSecret = regexp.MustCompile(`fake-(secret|refresh|access|grant)`)

// tokenctl runs the binary with env added to the environment and stdin,
// and fails t when a secret shows in its output while reveal is false.
func tokenctl(t testing.TB, env []string, stdin string, args ...string) proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	p := proc{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		p.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("tokenctl %v: %v", args, err)
	}
	if !revealing(args) {
		noSecrets(t, p.stdout+p.stderr)
	}
	return p
}

func revealing(args []string) bool {
	for _, a := range args {
		if a == "--reveal" {
			return true
		}
	}
	return false
}

func noSecrets(t testing.TB, s string) {
	t.Helper()
	if m := fakeSecret.FindString(s); m != "" {
		t.Errorf("output shows a secret (%s...):\n%s", m, s)
	}
}

// want checks the exit code.
func (p proc) want(t testing.TB, code int) proc {
	t.Helper()
	if p.code != code {
		t.Fatalf("exit code %d; want %d\nstdout:\n%s\nstderr:\n%s", p.code, code, p.stdout, p.stderr)
	}
	return p
}

// summaryRE reads the last line of a table report.
var summaryRE = regexp.MustCompile(`summary(?: \(dry run: nothing written\))?: read (\d+) of (\d+), inserted (\d+), merged (\d+), unchanged (\d+), skipped (\d+)`)

// counts returns read, inserted, merged, unchanged, skipped.
func (p proc) counts(t *testing.T) [5]int {
	t.Helper()
	m := summaryRE.FindStringSubmatch(p.stdout)
	if m == nil {
		t.Fatalf("no summary in stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
	}
	var c [5]int
	for i, j := range []int{1, 3, 4, 5, 6} {
		fmt.Sscan(m[j], &c[i])
	}
	return c
}

// required reports whether a missing server fails rather than skips.
func required() bool { return os.Getenv("TOKENSTORE_INTEGRATION") == "required" }

// needEnv skips (or, with TOKENSTORE_INTEGRATION=required, fails) t unless
// every variable is set.
func needEnv(t testing.TB, vars ...string) {
	t.Helper()
	for _, v := range vars {
		if os.Getenv(v) == "" {
			msg := fmt.Sprintf("%s is not set; start the servers with scripts/testenv.sh up and scripts/testenv/mariadb.sh up and eval their env output", v)
			if required() {
				t.Fatal(msg + " (TOKENSTORE_INTEGRATION=required)")
			}
			t.Skip(msg)
		}
	}
}

// unique returns a name no other test or run uses.
func unique(t testing.TB) string {
	var b [5]byte
	rand.Read(b[:])
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	if len(name) > 40 {
		name = name[:40]
	}
	return "tokenctl-" + strings.Trim(name, "-") + "-" + hex.EncodeToString(b[:])
}

// vaultURL returns a fresh Vault prefix for t, deleted afterwards.
func vaultURL(t testing.TB) string {
	t.Helper()
	needEnv(t, "VAULT_ADDR", "VAULT_TOKEN")
	u := "vault://secret/" + unique(t)
	t.Cleanup(func() { tokenctl(t, nil, "", "delete-all", "--yes", "-s", u) })
	return u
}

// awssmURL returns a fresh Secrets Manager prefix for t, deleted afterwards.
func awssmURL(t testing.TB) string {
	t.Helper()
	needEnv(t, "AWS_ENDPOINT_URL")
	u := "awssm://" + unique(t) + "/?force-delete=true&region=us-east-1"
	t.Cleanup(func() { tokenctl(t, nil, "", "delete-all", "--yes", "-s", u) })
	return u
}

// testPepper is the pepper every test process gets.
var pepperEnv = []string{"TOKENSTORE_PEPPER=" + hex.EncodeToString([]byte("tokenctl test pepper, 32 bytes!!"))}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
