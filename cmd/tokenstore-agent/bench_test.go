package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
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
