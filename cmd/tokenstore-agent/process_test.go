package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// agentBin is the agent built once for the tests that run it as a process.
var (
	agentBinOnce sync.Once
	agentBin     string
	agentBinErr  error
)

func buildAgent(t testing.TB) string {
	t.Helper()
	agentBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tokenstore-agent-test")
		if err != nil {
			agentBinErr = err
			return
		}
		agentBin = filepath.Join(dir, "tokenstore-agent")
		cmd := exec.Command("go", "build", "-o", agentBin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			agentBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if agentBinErr != nil {
		t.Fatal(agentBinErr)
	}
	return agentBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, bin := range []string{agentBin, zohotestBin} {
		if bin != "" {
			os.RemoveAll(filepath.Dir(bin))
		}
	}
	if layerDir != "" {
		os.RemoveAll(layerDir)
	}
	os.Exit(code)
}

// proc is an agent running as a process.
type proc struct {
	cmd  *exec.Cmd
	base string // http://addr
	mu   sync.Mutex
	murl string // the metrics URL
	logs *syncBuffer
	done chan struct{} // closed once the process has exited
}

// startProc runs the agent binary with args and env (added to a minimal
// environment) and waits for its "ready" log line.
func startProc(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(buildAgent(t), append([]string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), envToken + "=" + testHeaderToken}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "ready" {
				ready <- l.Addr
			}
			if l.Msg == "metrics" {
				p.mu.Lock()
				p.murl = "http://" + l.Addr + "/metrics"
				p.mu.Unlock()
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case addr := <-ready:
		p.base = "http://" + addr
	case <-time.After(10 * time.Second):
		t.Fatalf("agent not ready after 10s; log:\n%s", p.logs.String())
	}
	return p
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("agent still running after %v; log:\n%s", d, p.logs.String())
		return -1
	}
}

func (p *proc) request(method, path, body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(method, p.base+path, strings.NewReader(body))
	req.Header.Set(headerName, testHeaderToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b, nil
}

// metric returns the sum of the samples of a metric (every label set).
func (p *proc) metric(t *testing.T, name string) float64 {
	t.Helper()
	p.mu.Lock()
	u := p.murl
	p.mu.Unlock()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var sum float64
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "{")) {
			var v float64
			fmt.Sscan(rest[strings.LastIndexByte(rest, ' ')+1:], &v)
			sum += v
		}
	}
	return sum
}

// slowAccounts puts delay in front of every answer of z's token endpoint.
func slowAccounts(t *testing.T, z *zohotest.Server, delay time.Duration) string {
	u, _ := url.Parse(z.URL())
	rp := httputil.NewSingleHostReverseProxy(u)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// SIGTERM lets a request in flight finish, refuses new ones, and exits 0.
func TestProcessSIGTERMDrains(t *testing.T) {
	z := zohotest.NewServer(nil)
	t.Cleanup(z.Close)
	z.Client(testClientID, testSecret)
	p := startProc(t, nil, "--store", "mem://", "--accounts-url", slowAccounts(t, z, time.Second), "--allow-api-domain", z.URL())
	rt := z.NewRefreshToken(testClientID)
	if resp, b, err := p.request("PUT", "/v1/tokens", fmt.Sprintf(`{"user_name":"alice@example.com","client_id":%q,"client_secret":%q,"refresh_token":%q}`, testClientID, testSecret, rt)); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT: %v %s", err, b)
	}
	type result struct {
		status int
		body   []byte
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, b, err := p.request("GET", "/v1/token?user=alice@example.com", "")
		if err != nil {
			inflight <- result{err: err}
			return
		}
		inflight <- result{status: resp.StatusCode, body: b}
	}()
	time.Sleep(300 * time.Millisecond) // the request waits on the slow token endpoint
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, _, err := p.request("GET", "/v1/tokens", ""); err == nil {
		t.Errorf("a new request was served after SIGTERM")
	}
	r := <-inflight
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("request in flight at SIGTERM: %v %d %s; want 200", r.err, r.status, r.body)
	}
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Fatalf("exit code %d; want 0; log:\n%s", code, p.logs.String())
	}
	if !strings.Contains(p.logs.String(), `"msg":"drained"`) {
		t.Fatalf("no drained line in the log:\n%s", p.logs.String())
	}
	if strings.Contains(p.logs.String(), testSecret) || strings.Contains(p.logs.String(), rt) {
		t.Fatalf("the log shows a secret")
	}
}

// The process refuses bad configuration with exit code 2 and a message
// that names the problem.
func TestProcessBadConfig(t *testing.T) {
	for want, args := range map[string][]string{
		"no store":       {},
		"not loopback":   {"--store", "mem://", "--addr", "0.0.0.0:2774"},
		"unknown scheme": {"--store", "s3://bucket"},
	} {
		cmd := exec.Command(buildAgent(t), args...)
		cmd.Env = []string{envToken + "=" + testHeaderToken}
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), want) {
			t.Errorf("exit %d, %q; want 2 and a message saying %q", code, out, want)
		}
	}
}
