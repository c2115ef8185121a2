package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// coldStarts collects the figures of Lambda cold starts from the
// emulator's output (the emulator's and the agent's logs).
type coldStarts struct {
	tokenRoute                                            string // the agent's route that made the first token
	ready, registered, toRegistered, initMs, first, token []float64
}

var (
	rieStamp = regexp.MustCompile(`(\d\d:\d\d:\d\d,\d\d\d) \[INFO\] \(rapid\) (INIT START|External agent tokenstore-agent \(.*\) registered)`)
	rieInit  = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
)

// add reads one cold start's output; first is the first invoke's wall time
// as the caller saw it (init included: the emulator initializes on it).
func (c *coldStarts) add(logs string, first time.Duration) {
	c.first = append(c.first, float64(first.Microseconds())/1000)
	if v, ok := agentFigure(logs, "ready", "start_to_ready_ms"); ok {
		c.ready = append(c.ready, v)
	}
	if v, ok := agentFigure(logs, "extension registered", "start_to_registered_ms"); ok {
		c.registered = append(c.registered, v)
	}
	// The emulator's own clock (ms): init starts, before it execs the
	// extensions → it has the agent's registration.
	var t0, t1 time.Time
	for _, m := range rieStamp.FindAllStringSubmatch(logs, -1) {
		t, err := time.Parse("15:04:05,000", m[1])
		if err != nil {
			continue
		}
		if m[2] == "INIT START" {
			t0 = t
		} else {
			t1 = t
		}
	}
	if !t0.IsZero() && !t1.IsZero() {
		c.toRegistered = append(c.toRegistered, float64(t1.Sub(t0).Milliseconds()))
	}
	if m := rieInit.FindStringSubmatch(logs); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		c.initMs = append(c.initMs, v)
	}
	re := regexp.MustCompile(`"route":"` + regexp.QuoteMeta(c.tokenRoute) + `","status":200,"took":([0-9]+)`)
	if m := re.FindStringSubmatch(logs); m != nil {
		ns, _ := strconv.ParseFloat(m[1], 64)
		c.token = append(c.token, ns/1e6)
	}
}

func (c *coldStarts) report(b *testing.B) {
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	b.ReportMetric(median(c.ready), "agent-start→ready-ms")
	b.ReportMetric(median(c.registered), "agent-start→registered-ms")
	b.ReportMetric(median(c.toRegistered), "init-start→registered-ms")
	b.ReportMetric(median(c.initMs), "emulator-init-ms")
	b.ReportMetric(median(c.first), "first-invoke-ms")
	b.ReportMetric(median(c.token), "first-token-ms")
	_, py := lambdaEnv(b)
	if fi, err := os.Stat(filepath.Join(buildLayer(b, py), "extensions", "tokenstore-agent")); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "layer-agent-MiB")
	}
}

// Lambda cold starts with the agent as an extension in the emulator, the
// layer's stripped binary in /opt/extensions: the emulator's init
// (extension and Python runtime, and the handler's imports), the agent's
// own start figures, and the first invoke, which gets the first token (one
// token call).
//
// plain-mem: the plain-HTTP handler (urllib) saving its record through the
// agent on mem://, in-process zohotest. sdk-vault, sdk-awssm:
// examples/python-lambda, the real Zoho Python SDK with AgentTokenStore,
// against zohotest as a process, its user's record saved beforehand in the
// real store (a new user per cold start, so its first find refreshes).
func BenchmarkLambdaColdStart(b *testing.B) {
	b.Run("plain-mem", func(b *testing.B) {
		cs := &coldStarts{tokenRoute: "GET /v1/token"}
		for b.Loop() {
			z := zohotest.NewServer(nil)
			z.Client(testClientID, testSecret)
			rt := z.NewRefreshToken(testClientID)
			e := startEmulator(b, plainFunction, z.URL(), freeAddr(b))
			start := time.Now()
			out := e.call(b, map[string]any{"user": "alice@example.com", "save": map[string]string{
				"user_name": "alice@example.com", "client_id": testClientID, "client_secret": testSecret, "refresh_token": rt}})
			first := time.Since(start)
			if out["api_status"] != 200.0 {
				b.Fatalf("invoke: %v", out)
			}
			e.shutdown(b)
			z.Close()
			cs.add(e.out.String(), first)
		}
		cs.report(b)
	})
	requireSDKPython(b)
	for _, rs := range realStores(b) {
		b.Run("sdk-"+rs.name, func(b *testing.B) {
			cs := &coldStarts{tokenRoute: "POST /v1/tokens/find"}
			for b.Loop() {
				f := newSDKFleet(b, rs.url)
				e := f.start(b)
				start := time.Now()
				f.invoke(b, e)
				first := time.Since(start)
				e.shutdown(b)
				if st := f.z.stats(b); st.TokenCalls != 1 || f.sdkIAM.calls.Load() != 0 {
					b.Fatalf("zohotest %+v, the SDK's endpoint %d calls; want one token call, the agent's", st, f.sdkIAM.calls.Load())
				}
				cs.add(e.out.String(), first)
			}
			cs.report(b)
		})
	}
}
