package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// The Lambda layer as examples/python-lambda/README.md builds it, made
// once per test binary: extensions/tokenstore-agent (the agent, static and
// stripped) and python/tokenstore_agent (the client, pip-installed from
// clients/python). The emulator sees it as /opt.
var (
	layerOnce sync.Once
	layerDir  string
	layerErr  error
)

// layerAgentLdflags are the link flags of the layer's agent: no symbol
// table or DWARF, what a layer ships (BENCHMARKS.md: 14 MB, not 20).
const layerAgentLdflags = "-s -w"

func buildLayer(t testing.TB, py string) string {
	t.Helper()
	layerOnce.Do(func() {
		layerDir, layerErr = os.MkdirTemp("", "tokenstore-agent-layer")
		if layerErr != nil {
			return
		}
		layerErr = makeLayer(layerDir, py)
	})
	if layerErr != nil {
		t.Fatalf("building the layer: %v", layerErr)
	}
	return layerDir
}

func makeLayer(dir, py string) error {
	bin := filepath.Join(dir, "extensions", "tokenstore-agent")
	build := exec.Command("go", "build", "-trimpath", "-ldflags="+layerAgentLdflags, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	// pip builds in the source tree (build/, *.egg-info): build a copy.
	src, err := os.MkdirTemp("", "tokenstore-agent-client")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	for _, name := range []string{"pyproject.toml", "README.md", "src"} {
		from, to := filepath.Join("..", "..", "clients", "python", name), filepath.Join(src, name)
		fi, err := os.Stat(from)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			err = os.CopyFS(to, os.DirFS(from))
		} else {
			err = copyPlain(from, to)
		}
		if err != nil {
			return err
		}
	}
	// --no-index --no-build-isolation: the venv's own setuptools, nothing
	// fetched (the tests run without a registry once the venv exists).
	pip := exec.Command(py, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-deps",
		"--no-index", "--no-build-isolation", "--target", filepath.Join(dir, "python"), src)
	pip.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := pip.CombinedOutput(); err != nil {
		return fmt.Errorf("pip install clients/python: %v\n%s", err, out)
	}
	return nil
}

// copyPlain copies a regular file.
func copyPlain(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// zohotestProc is cmd/zohotest run as a process, as the clients' tests
// run it: the fake Zoho accounts server and API, with its control API.
type zohotestProc struct {
	url, control string
	refreshToken string // the one issued at start for the client
}

var (
	zohotestOnce sync.Once
	zohotestBin  string
	zohotestErr  error
)

// startZohotest builds cmd/zohotest once and runs it with one client
// (clientID, secret), a refresh token for it, and args.
func startZohotest(t testing.TB, clientID, secret string, args ...string) *zohotestProc {
	t.Helper()
	zohotestOnce.Do(func() {
		var dir string
		if dir, zohotestErr = os.MkdirTemp("", "zohotest-bin"); zohotestErr != nil {
			return
		}
		zohotestBin = filepath.Join(dir, "zohotest")
		out, err := exec.Command("go", "build", "-o", zohotestBin, "github.com/tokenstore-go/tokenstore/cmd/zohotest").CombinedOutput()
		if err != nil {
			zohotestErr = fmt.Errorf("go build cmd/zohotest: %v\n%s", err, out)
		}
	})
	if zohotestErr != nil {
		t.Fatal(zohotestErr)
	}
	cmd := exec.Command(zohotestBin, append([]string{"-client", clientID + ":" + secret, "-refresh-tokens", "1"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line := make(chan []byte, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		if sc.Scan() {
			line <- append([]byte(nil), sc.Bytes()...)
		}
		close(line)
	}()
	var ready struct {
		URL, Control string
		Clients      []struct {
			RefreshTokens []string `json:"refresh_tokens"`
		}
	}
	select {
	case b := <-line:
		if err := json.Unmarshal(b, &ready); err != nil || len(ready.Clients) != 1 || len(ready.Clients[0].RefreshTokens) != 1 {
			t.Fatalf("zohotest's first line %q: %v", b, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("zohotest printed no line in 10s")
	}
	return &zohotestProc{url: ready.URL, control: ready.Control, refreshToken: ready.Clients[0].RefreshTokens[0]}
}

func (z *zohotestProc) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(z.control + path)
	if err != nil {
		t.Fatalf("zohotest %s: %v", path, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("zohotest %s: %d %v", path, resp.StatusCode, err)
	}
}

// stats is what zohotest counted: token calls, throttles, API calls.
func (z *zohotestProc) stats(t testing.TB) zohotest.Stats {
	var s zohotest.Stats
	z.get(t, "/stats", &s)
	return s
}

// issued is when zohotest made each access token of its refresh token.
func (z *zohotestProc) issued(t testing.TB) []time.Time {
	var out struct{ Issued []time.Time }
	z.get(t, "/issued?refresh_token="+url.QueryEscape(z.refreshToken), &out)
	return out.Issued
}

// sentinel is a token endpoint that must never be called: it answers 500
// and counts.
type sentinel struct {
	url   string
	calls atomic.Int64
}

func newSentinel(t testing.TB) *sentinel {
	s := &sentinel{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		http.Error(w, "this token endpoint must not be called", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}
