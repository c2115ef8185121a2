package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// require skips the test for reason, or fails it when the integration
// environment is required (scripts/test.sh sets TOKENSTORE_INTEGRATION=required).
func require(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("TOKENSTORE_INTEGRATION") == "required" {
		t.Fatalf("TOKENSTORE_INTEGRATION=required: %s", reason)
	}
	t.Skip(reason)
}

// emulator is the AWS Lambda Runtime Interface Emulator running a Python
// function with the agent in /opt/extensions.
type emulator struct {
	cmd     *exec.Cmd
	invoke  string // the invocations URL
	out     *syncBuffer
	started time.Time
	exited  chan struct{}
}

// lambdaFunction is what runs in the emulator: a handler directory (the
// function's code, its working directory) and the handler's name.
type lambdaFunction struct {
	dir, handler string
	env          map[string]string // more environment for the function and the agent
}

// plainFunction is the plain-HTTP Python handler of testdata;
// sdkFunction (lambda_sdk_test.go) is examples/python-lambda's, with the
// Zoho SDK.
var plainFunction = lambdaFunction{dir: "testdata/lambda/plain", handler: "handler.handler"}

// lambdaEnv returns the emulator and the Lambda Python, or fails (skips
// outside TOKENSTORE_INTEGRATION=required) saying what is missing.
func lambdaEnv(t testing.TB) (rie, py string) {
	t.Helper()
	rie, py = os.Getenv("TOKENSTORE_LAMBDA_RIE"), os.Getenv("TOKENSTORE_LAMBDA_PYTHON")
	require(t, rie != "" && py != "", "TOKENSTORE_LAMBDA_RIE and TOKENSTORE_LAMBDA_PYTHON are not set (scripts/testenv.sh up builds the emulator and the Lambda venv; eval \"$(scripts/testenv.sh env)\")")
	err := exec.Command("unshare", "-m", "--propagation", "private", "true").Run()
	require(t, err == nil, fmt.Sprintf("cannot make a mount namespace (unshare -m: %v): the emulator reads extensions from /opt/extensions only", err))
	return rie, py
}

// startEmulator starts the emulator in a mount namespace of its own: /opt
// is the layer (buildLayer: extensions/tokenstore-agent and
// python/tokenstore_agent), since the emulator runs every file of
// /opt/extensions (internal/lambda/rapid/handlers.go, doRuntimeDomainInit)
// and the machine's /opt is not ours to change; /tmp is the execution
// environment's own, as in Lambda. The agent's token endpoint is zohoURL.
func startEmulator(t testing.TB, fn lambdaFunction, zohoURL, agentAddr string) *emulator {
	t.Helper()
	rie, py := lambdaEnv(t)
	opt := buildLayer(t, py)
	dir, err := filepath.Abs(fn.dir)
	if err != nil {
		t.Fatal(err)
	}
	rapi, invoke := freeAddr(t), freeAddr(t)
	// The function's directory is mounted into the new /tmp before /tmp is
	// covered, and the emulator runs there: a checkout that lives under
	// /tmp (CI's clean clone may) would vanish under the mount otherwise.
	tmp := t.TempDir()
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		`mkdir "$1/task" && mount --bind "$2" "$1/task" && mount --bind "$0" /opt && mount --rbind "$1" /tmp && cd /tmp/task && shift 2 && exec "$@"`,
		opt, tmp, dir, rie, "--log-level", "debug", "--runtime-api-address", rapi, "--runtime-interface-emulator-address", invoke,
		py, "-m", "awslambdaric", fn.handler)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_SESSION_TOKEN=session-token-of-the-test-function",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in the source tree
		"PYTHONPATH=/opt/python",    // a layer's python/, as Lambda's Python runtimes have it
		envStore + "=mem://",
		envAddr + "=" + agentAddr,
		envAccountsURL + "=" + zohoURL,
		envAllowDomain + "=" + zohoURL,
		envLogLevel + "=debug",
	}
	for k, v := range fn.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	e := &emulator{cmd: cmd, invoke: "http://" + invoke + "/2015-03-31/functions/function/invocations", out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = e.out, e.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	e.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(e.exited) }()
	t.Cleanup(func() {
		select {
		case <-e.exited:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-e.exited
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", invoke); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator not listening after 10s:\n%s", e.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return e
}

// call invokes the function with event and returns its answer.
func (e *emulator) call(t testing.TB, event any) map[string]any {
	t.Helper()
	out, err := e.tryCall(event)
	if err != nil {
		t.Fatalf("%v\n%s", err, e.out.String())
	}
	return out
}

// tryCall is call for goroutines other than the test's.
func (e *emulator) tryCall(event any) (map[string]any, error) {
	b, _ := json.Marshal(event)
	resp, err := http.Post(e.invoke, "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil {
		return nil, fmt.Errorf("invoke: %d %s", resp.StatusCode, body)
	}
	return out, nil
}

// shutdown sends SIGTERM, as Lambda's end of an execution environment
// does: the emulator sends SHUTDOWN to the extensions (rapidcore:
// SandboxBuilder's signal handler, Reset("SandboxTerminated", 2000 ms)).
func (e *emulator) shutdown(t testing.TB) {
	t.Helper()
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("emulator still running 10s after SIGTERM:\n%s", e.out.String())
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// agentFigure reads a number the agent logged (start_to_ready_ms, …).
func agentFigure(logs, msg, field string) (float64, bool) {
	m := regexp.MustCompile(`"msg":"` + msg + `"[^\n]*"` + field + `":([0-9.]+)`).FindStringSubmatch(logs)
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	return f, err == nil
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// The agent as a Lambda extension in the emulator: it registers, the
// handler gets a valid token through it during INVOKE (one token call for
// two invokes), and it exits cleanly on SHUTDOWN.
func TestLambdaExtension(t *testing.T) {
	z := zohotest.NewServer(nil)
	t.Cleanup(z.Close)
	z.Client(testClientID, testSecret)
	rt := z.NewRefreshToken(testClientID)
	e := startEmulator(t, plainFunction, z.URL(), freeAddr(t))

	save := map[string]string{"user_name": "alice@example.com", "client_id": testClientID, "client_secret": testSecret, "refresh_token": rt}
	first := e.call(t, map[string]any{"user": "alice@example.com", "save": save})
	if first["save_status"] != 200.0 || first["token_status"] != 200.0 || first["api_status"] != 200.0 {
		t.Fatalf("first invoke: %v\n%s", first, e.out.String())
	}
	second := e.call(t, map[string]any{"user": "alice@example.com"})
	if second["token_sha256"] != first["token_sha256"] || second["api_status"] != 200.0 {
		t.Fatalf("second invoke: %v; want the same token, accepted", second)
	}
	if got := z.Stats().Refreshes; got != 1 {
		t.Fatalf("%d refreshes for two invokes; want 1", got)
	}
	e.shutdown(t)
	logs := e.out.String()
	checkCleanShutdown(t, "the environment", logs, testSecret, rt)
	ready, ok1 := agentFigure(logs, "ready", "start_to_ready_ms")
	reg, ok2 := agentFigure(logs, "extension registered", "start_to_registered_ms")
	if !ok1 || !ok2 {
		t.Fatalf("no start figures in the log:\n%s", logs)
	}
	t.Logf("agent start→ready %.1f ms, start→registered %.1f ms", ready, reg)
}

// checkCleanShutdown checks an emulator's output after its SHUTDOWN: the
// agent registered, got the event, drained and exited in time, and no
// secret (the session token, or one of secrets) was ever shown.
func checkCleanShutdown(t testing.TB, name, logs string, secrets ...string) {
	t.Helper()
	for _, want := range []string{`"msg":"extension registered"`, `"msg":"shutdown event"`, `"msg":"drained"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("%s: no %s in the output:\n%s", name, want, logs)
		}
	}
	// The emulator SIGKILLs an extension that did not exit by the
	// deadline and logs the failed transition (rapid/shutdown.go).
	for _, bad := range []string{"ShutdownFailed", "did not exit", "Killing"} {
		if strings.Contains(logs, bad) {
			t.Errorf("%s: the emulator says %q:\n%s", name, bad, logs)
		}
	}
	for _, secret := range append(secrets, "session-token-of-the-test-function") {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("%s: the output shows a secret", name)
		}
	}
}

// An agent that cannot start reports it to Lambda as an init error of
// its own (POST /extension/init/error), so the invoke fails with it
// rather than the function meeting no agent.
func TestLambdaExtensionInitError(t *testing.T) {
	z := zohotest.NewServer(nil)
	t.Cleanup(z.Close)
	fn := plainFunction
	fn.env = map[string]string{envStore: "s3://not-a-store"}
	e := startEmulator(t, fn, z.URL(), freeAddr(t))
	b, _ := json.Marshal(map[string]any{"user": "alice@example.com"})
	resp, err := http.Post(e.invoke, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	e.shutdown(t)
	out := e.out.String()
	if resp.StatusCode == http.StatusOK && !strings.Contains(string(body), "Extension.ConfigError") {
		t.Fatalf("invoke: %d %s; want the init error\n%s", resp.StatusCode, body, out)
	}
	if !strings.Contains(out, "Extension.ConfigError") {
		t.Fatalf("the emulator did not get the init error:\n%s", out)
	}
	t.Logf("invoke answered %d %s", resp.StatusCode, body)
}
