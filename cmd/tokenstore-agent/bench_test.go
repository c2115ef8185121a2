package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// reportPercentiles reports the p50 and p99 of ds in microseconds.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// A valid access token through the agent: GET /v1/token over loopback
// HTTP with keep-alive, the token valid (the source's in-memory answer).
func BenchmarkTokenThroughAgent(b *testing.B) {
	h := newHarness(b, "--log-level", "info")
	h.seed("alice@example.com")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func() {
		req, _ := http.NewRequest("GET", h.base+"/v1/token?user=alice@example.com", nil)
		req.Header.Set(headerName, testHeaderToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get() // the one refresh
	ds := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		start := time.Now()
		get()
		ds = append(ds, time.Since(start))
	}
	reportPercentiles(b, ds)
}

// The same token in-process, as a Go program gets it: refresh.Source on
// the cache in front of memstore (the agent's own path, without HTTP).
func BenchmarkTokenInProcessSource(b *testing.B) {
	src, _ := inProcess(b)
	ctx := context.Background()
	ds := make([]time.Duration, 0, 1<<20)
	for b.Loop() {
		start := time.Now()
		if _, err := src.Current(ctx); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	reportPercentiles(b, ds)
}

// A cache hit: FindToken by user name on the cache in front of memstore.
func BenchmarkTokenInProcessCacheHit(b *testing.B) {
	_, cs := inProcess(b)
	ctx := context.Background()
	q := tokenstore.Token{UserName: "alice@example.com"}
	ds := make([]time.Duration, 0, 1<<20)
	for b.Loop() {
		start := time.Now()
		if _, err := cs.FindToken(ctx, q); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	reportPercentiles(b, ds)
}

func inProcess(b *testing.B) (*refresh.Source, cache.Cache) {
	z := zohotest.NewServer(nil)
	b.Cleanup(z.Close)
	z.Client(testClientID, testSecret)
	cs, err := cache.New(memstore.New(nil), nil)
	if err != nil {
		b.Fatal(err)
	}
	t := tokenstore.Token{UserName: "alice@example.com", ClientID: testClientID, ClientSecret: testSecret, RefreshToken: z.NewRefreshToken(testClientID)}
	if err := cs.SaveToken(context.Background(), &t); err != nil {
		b.Fatal(err)
	}
	src, err := refresh.New(cs, tokenstore.Token{ID: t.ID}, z.Endpoint(), &refresh.Options{AllowAPIDomains: []string{z.URL()}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.Current(context.Background()); err != nil {
		b.Fatal(err)
	}
	return src, cs
}

// The agent process from exec to its "ready" line (listening), on mem://.
func BenchmarkProcessStartToReady(b *testing.B) {
	bin := buildAgent(b)
	var wall, self []time.Duration
	for b.Loop() {
		cmd := exec.Command(bin, "--store", "mem://", "--addr", "127.0.0.1:0", "--metrics-addr", "off")
		cmd.Env = []string{envToken + "=" + testHeaderToken}
		stderr, _ := cmd.StderrPipe()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line := readLine(b, stderr, `"msg":"ready"`)
		wall = append(wall, time.Since(start))
		if ms, ok := agentFigure(line, "ready", "start_to_ready_ms"); ok {
			self = append(self, time.Duration(ms*float64(time.Millisecond)))
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	reportPercentiles(b, wall)
	slices.Sort(self)
	b.ReportMetric(float64(self[len(self)/2].Microseconds()), "in-process-p50-µs")
	if fi, err := os.Stat(bin); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "binary-MB")
	}
}

// readLine reads r until a line matching pattern, and returns it.
func readLine(b *testing.B, r io.Reader, pattern string) string {
	re := regexp.MustCompile(pattern)
	buf := make([]byte, 0, 4096)
	one := make([]byte, 1)
	for {
		if _, err := r.Read(one); err != nil {
			b.Fatalf("no %s line: %v\n%s", pattern, err, buf)
		}
		buf = append(buf, one[0])
		if one[0] == '\n' {
			line := string(buf)
			if re.MatchString(line) {
				return line
			}
			buf = buf[:0]
		}
	}
}

// A Lambda cold start with the agent as an extension in the emulator:
// the emulator's init (extension and Python runtime), the agent's own
// start figures, and the first invoke, whose handler saves a record and
// gets the first token (one token call).
func BenchmarkLambdaColdStart(b *testing.B) {
	var initMs, ready, registered, first, token, toRegistered []float64
	stamp := func(logs, what string) (time.Time, bool) {
		m := regexp.MustCompile(`(\d\d:\d\d:\d\d,\d\d\d) \[INFO\] \(rapid\) ` + what).FindStringSubmatch(logs)
		if m == nil {
			return time.Time{}, false
		}
		t, err := time.Parse("15:04:05,000", m[1])
		return t, err == nil
	}
	initRe := regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	tokenRe := regexp.MustCompile(`"route":"GET /v1/token","status":200,"took":([0-9]+)`)
	for b.Loop() {
		z := zohotest.NewServer(nil)
		z.Client(testClientID, testSecret)
		rt := z.NewRefreshToken(testClientID)
		e := startEmulator(b, plainFunction, z, freeAddr(b))
		start := time.Now()
		out := e.call(b, map[string]any{"user": "alice@example.com", "save": map[string]string{
			"user_name": "alice@example.com", "client_id": testClientID, "client_secret": testSecret, "refresh_token": rt}})
		first = append(first, float64(time.Since(start).Microseconds())/1000)
		if out["api_status"] != 200.0 {
			b.Fatalf("invoke: %v", out)
		}
		e.shutdown(b)
		z.Close()
		logs := e.out.String()
		for _, f := range []struct {
			dst *[]float64
			msg string
			key string
		}{{&ready, "ready", "start_to_ready_ms"}, {&registered, "extension registered", "start_to_registered_ms"}} {
			if v, ok := agentFigure(logs, f.msg, f.key); ok {
				*f.dst = append(*f.dst, v)
			}
		}
		// The emulator's own clock: init starts (before it execs the
		// extensions) → it has the agent's registration.
		t0, ok0 := stamp(logs, `INIT START`)
		t1, ok1 := stamp(logs, `External agent tokenstore-agent \(.*\) registered`)
		if ok0 && ok1 {
			toRegistered = append(toRegistered, float64(t1.Sub(t0).Milliseconds()))
		}
		if m := initRe.FindStringSubmatch(logs); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			initMs = append(initMs, v)
		}
		if m := tokenRe.FindStringSubmatch(logs); m != nil {
			ns, _ := strconv.ParseFloat(m[1], 64)
			token = append(token, ns/1e6)
		}
	}
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	b.ReportMetric(median(ready), "agent-start→ready-ms")
	b.ReportMetric(median(registered), "agent-start→registered-ms")
	b.ReportMetric(median(toRegistered), "init-start→registered-ms")
	b.ReportMetric(median(initMs), "emulator-init-ms")
	b.ReportMetric(median(first), "first-invoke-ms")
	b.ReportMetric(median(token), "first-token-ms")
}
