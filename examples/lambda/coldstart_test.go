package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/examples/lambda/fakeoauth"
)

// TestHandlerFromEnvNoNetwork: building the handler, what a cold start
// does before the first event, sends no request: the endpoint it is given
// counts every request and none arrives.
func TestHandlerFromEnvNoNetwork(t *testing.T) {
	n := noNetworkEnv(t)
	if _, err := handlerFromEnv(context.Background()); err != nil {
		t.Fatalf("handlerFromEnv: %v", err)
	}
	if got := n(); got != 0 {
		t.Fatalf("handlerFromEnv sent %d requests; want none", got)
	}
}

// noNetworkEnv points the AWS SDK at a server that counts requests, with
// static credentials, and returns the count.
func noNetworkEnv(t testing.TB) func() int64 {
	t.Helper()
	var mu sync.Mutex
	var n int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		http.Error(w, "no request expected", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_EC2_METADATA_DISABLED": "true",
		// As on Lambda: no custom CA bundle, which the SDK would parse on
		// every config load (the whole system bundle: ~1.5 MB allocated).
		"AWS_CA_BUNDLE": "",
	} {
		t.Setenv(k, v)
	}
	return func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// BenchmarkHandlerFromEnv measures what main does before lambda.Start:
// time and allocations of handlerFromEnv (awssm.FromEnv and the OAuth
// config), and requests/op, which must be 0.
func BenchmarkHandlerFromEnv(b *testing.B) {
	n := noNetworkEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for range b.N {
		if _, err := handlerFromEnv(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n())/float64(b.N), "requests/op")
}

// BenchmarkColdStart runs the built function as Lambda would, against a
// fake Runtime API in the test, LocalStack through a counting proxy, and
// the fake OAuth server. Each iteration is one cold start: a new process,
// a user whose stored record has only a refresh token, one event (the
// first invocation: find, refresh, save, API call) and a second (warm:
// the token is fresh). It reports
//
//	ready-ms     process start to the first request for an event (init)
//	init-calls   Secrets Manager calls before the first event (must be 0)
//	init-allocs, init-kB  package initialisation, from GODEBUG=inittrace=1
//	first-ms, first-calls  the first invocation
//	warm-ms, warm-calls    the second
//	binary-MB    size of the binary (go build, default flags)
//
//	AWS_ENDPOINT_URL=http://127.0.0.1:4566 go test -run '^$' -bench ColdStart -benchtime 10x
func BenchmarkColdStart(b *testing.B) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		b.Skip("AWS_ENDPOINT_URL is not set: no LocalStack")
	}
	for k, v := range map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"} {
		if os.Getenv(k) == "" {
			b.Setenv(k, v)
		}
	}
	bin := filepath.Join(b.TempDir(), "lambda")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}

	fake := &fakeoauth.Server{ClientID: "example-client", ClientSecret: "example-secret"}
	oauth := httptest.NewServer(fake.Handler())
	b.Cleanup(oauth.Close)
	calls := newCountingProxy(b, os.Getenv("AWS_ENDPOINT_URL"))
	prefix := "tokenstore-example-bench/" + tokenstore.NewID() + "/"
	store := localStack(b, prefix)
	b.Cleanup(func() { _ = store.DeleteTokens(context.Background()) })
	const user = "cold@example.com"
	env := append(withoutCABundle(os.Environ()),
		"AWS_ENDPOINT_URL="+calls.url,
		"TOKENSTORE_PREFIX="+prefix,
		"OAUTH_CLIENT_ID="+fake.ClientID, "OAUTH_CLIENT_SECRET="+fake.ClientSecret,
		"OAUTH_TOKEN_URL="+oauth.URL+"/oauth/v2/token", "API_URL="+oauth.URL+"/api/me", "OAUTH_ALLOW_API_DOMAIN="+oauth.URL,
		"GODEBUG=inittrace=1",
	)

	var ready, first, warm time.Duration
	var initCalls, firstCalls, warmCalls, initAllocs, initBytes int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		if err := store.DeleteTokens(ctx); err != nil {
			b.Fatal(err)
		}
		seed := tokenstore.Token{UserName: user, RefreshToken: "rt-" + tokenstore.NewID(), ClientID: fake.ClientID, ClientSecret: fake.ClientSecret}
		if err := store.SaveToken(ctx, &seed); err != nil {
			b.Fatal(err)
		}
		rt := newRuntimeAPI(b, `{"user":"`+user+`"}`)
		cmd := exec.Command(bin)
		cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+rt.addr)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			b.Fatal(err)
		}
		c0 := calls.n()
		b.StartTimer()
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		inits := make(chan [2]int64, 1)
		go func() { inits <- sumInitTrace(stderr) }()
		t1 := rt.waitNext(b, cmd) // process ready: asks for its first event
		c1 := calls.n()
		t2 := rt.waitResponse(b, cmd)
		c2 := calls.n()
		t3 := rt.waitNext(b, cmd)
		t4 := rt.waitResponse(b, cmd)
		c3 := calls.n()
		b.StopTimer()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		rt.close()
		in := <-inits
		ready += t1.Sub(t0)
		first += t2.Sub(t1)
		warm += t4.Sub(t3)
		initCalls += c1 - c0
		firstCalls += c2 - c1
		warmCalls += c3 - c2
		initAllocs, initBytes = initAllocs+in[0], initBytes+in[1]
		if !strings.Contains(rt.lastResponse(), `"refreshed":false`) {
			b.Fatalf("warm invocation: %s; want the stored token reused", rt.lastResponse())
		}
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
	b.ReportMetric(ms(ready), "ready-ms")
	b.ReportMetric(float64(initCalls)/n, "init-calls")
	b.ReportMetric(float64(initAllocs)/n, "init-allocs")
	b.ReportMetric(float64(initBytes)/n/1024, "init-kB")
	b.ReportMetric(ms(first), "first-ms")
	b.ReportMetric(float64(firstCalls)/n, "first-calls")
	b.ReportMetric(ms(warm), "warm-ms")
	b.ReportMetric(float64(warmCalls)/n, "warm-calls")
	b.ReportMetric(float64(fi.Size())/(1<<20), "binary-MB")
}

// withoutCABundle drops AWS_CA_BUNDLE from env: Lambda does not set it,
// and with it the SDK parses the whole bundle at every config load.
func withoutCABundle(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			out = append(out, kv)
		}
	}
	return out
}

// initLine is one line of GODEBUG=inittrace=1.
var initLine = regexp.MustCompile(`^init \S+ @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs`)

// sumInitTrace reads a process's stderr to the end and returns the
// allocations and bytes of its package initialisation.
func sumInitTrace(r io.Reader) (sum [2]int64) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := initLine.FindStringSubmatch(sc.Text()); m != nil {
			bytes, _ := strconv.ParseInt(m[1], 10, 64)
			allocs, _ := strconv.ParseInt(m[2], 10, 64)
			sum[0] += allocs
			sum[1] += bytes
		}
	}
	return sum
}

// countingProxy forwards to Secrets Manager and counts the calls.
type countingProxy struct {
	url   string
	mu    sync.Mutex
	calls int64
}

func newCountingProxy(b *testing.B, target string) *countingProxy {
	u, err := url.Parse(target)
	if err != nil {
		b.Fatal(err)
	}
	p := &countingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.") {
			p.mu.Lock()
			p.calls++
			p.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

func (p *countingProxy) n() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// runtimeAPI is a fake Lambda Runtime API that hands out the same event
// to the first two requests for the next one, and holds the third.
type runtimeAPI struct {
	addr      string
	srv       *httptest.Server
	next      chan time.Time
	responses chan time.Time
	mu        sync.Mutex
	last      string
	id        int
}

func newRuntimeAPI(b *testing.B, event string) *runtimeAPI {
	rt := &runtimeAPI{next: make(chan time.Time, 4), responses: make(chan time.Time, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		rt.mu.Lock()
		rt.id++
		id := rt.id
		rt.mu.Unlock()
		if id > 2 { // two events per process: hold the third request
			<-r.Context().Done()
			return
		}
		rt.next <- at
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", fmt.Sprint("req-", id))
		w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:bench")
		_, _ = io.WriteString(w, event)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/{kind}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		at := time.Now()
		rt.mu.Lock()
		rt.last = r.PathValue("kind") + ": " + string(body)
		rt.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		rt.responses <- at
	})
	rt.srv = httptest.NewServer(mux)
	rt.addr = strings.TrimPrefix(rt.srv.URL, "http://")
	return rt
}

func (rt *runtimeAPI) wait(b *testing.B, cmd *exec.Cmd, ch chan time.Time, what string) time.Time {
	select {
	case t := <-ch:
		return t
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		b.Fatalf("no %s from the function within 30s (last: %s)", what, rt.lastResponse())
		return time.Time{}
	}
}

func (rt *runtimeAPI) waitNext(b *testing.B, cmd *exec.Cmd) time.Time {
	return rt.wait(b, cmd, rt.next, "request for the next event")
}

func (rt *runtimeAPI) waitResponse(b *testing.B, cmd *exec.Cmd) time.Time {
	t := rt.wait(b, cmd, rt.responses, "response")
	if last := rt.lastResponse(); !strings.HasPrefix(last, "response: ") {
		b.Fatalf("invocation failed: %s", last)
	}
	return t
}

func (rt *runtimeAPI) lastResponse() string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.last
}

func (rt *runtimeAPI) close() {
	rt.srv.CloseClientConnections()
	rt.srv.Close()
}
