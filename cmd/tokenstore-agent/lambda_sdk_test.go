package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// sdkFunction is examples/python-lambda: the real Zoho Python SDK
// (zohocrmsdk8-0, in the Lambda venv) with tokenstore_agent.zoho.AgentTokenStore
// (the layer's python/) as its TokenStore.
var sdkFunction = lambdaFunction{dir: "../../examples/python-lambda", handler: "handler.handler"}

// The token timing of the SDK tests: zohotest's tokens live 2 minutes
// (the least package zoho accepts) and the agents refresh them 110 s
// early, so a token is due sdkWindow after it was made and a test sees an
// expiry every 10 s; the SDK, handed tokens with at least 110 s left,
// never finds one within its own 5 s margin.
const (
	sdkLifetime = 2 * time.Minute
	sdkSkew     = 110 * time.Second
	sdkWindow   = sdkLifetime - sdkSkew
)

// requireSDKPython fails (or skips) unless the Lambda Python has the SDK.
func requireSDKPython(t testing.TB) {
	t.Helper()
	_, py := lambdaEnv(t)
	out, err := exec.Command(py, "-c", "import awslambdaric, zohocrmsdk").CombinedOutput()
	require(t, err == nil, "the Lambda venv ("+py+") has no Zoho SDK: run scripts/testenv.sh up (scripts/testenv/lambda.sh installs zohocrmsdk8-0 from clients/python/requirements-test.txt): "+strings.TrimSpace(string(out)))
}

// sdkFleet is one user's record in a real store, the zohotest process its
// refresh token comes from, and what every execution environment of the
// function is configured with.
type sdkFleet struct {
	z      *zohotestProc
	sdkIAM *sentinel // the SDK's own token endpoint: never called
	fn     lambdaFunction
	user   string
	secret string
}

// newSDKFleet starts zohotest, saves the user's record (a refresh token,
// no access token: `tokenctl import` of a new user) in storeURL with a
// pepper, and configures the function: agents on storeURL refreshing
// sdkSkew early, the SDK's API on zohotest and its token endpoint on a
// sentinel.
func newSDKFleet(t testing.TB, storeURL string) *sdkFleet {
	t.Helper()
	secret := "sdk-client-secret-" + randomName()
	z := startZohotest(t, testClientID, secret, "-token-lifetime", sdkLifetime.String())
	var pb [32]byte
	_, _ = rand.Read(pb[:])
	pepper := hex.EncodeToString(pb[:])
	st, err := openStore(context.Background(), &config{store: storeURL, pepper: pb[:]})
	if err != nil {
		t.Fatalf("open %s: %v", storeURL, err)
	}
	t.Cleanup(func() {
		if err := st.DeleteTokens(context.Background()); err != nil {
			t.Logf("cleaning %s: %v", storeURL, err)
		}
	})
	user := "sdk-" + randomName() + "@example.com"
	if err := st.SaveToken(context.Background(), &tokenstore.Token{UserName: user, ClientID: testClientID, ClientSecret: secret, RefreshToken: z.refreshToken}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	f := &sdkFleet{z: z, sdkIAM: newSentinel(t), user: user, secret: secret}
	f.fn = sdkFunction
	f.fn.env = map[string]string{
		envStore: storeURL, envPepper: pepper,
		envRefreshSkew: sdkSkew.String(), envMinInterval: "2s",
		"ZOHO_USER": user, "ZOHO_API_URL": z.url, "ZOHO_ACCOUNTS_URL": f.sdkIAM.url + "/oauth/v2/token",
	}
	for _, k := range []string{"VAULT_ADDR", "VAULT_TOKEN", "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(k); v != "" {
			f.fn.env[k] = v
		}
	}
	return f
}

// start starts one execution environment of the function: an emulator with
// the layer and an agent of its own.
func (f *sdkFleet) start(t testing.TB) *emulator {
	t.Helper()
	return startEmulator(t, f.fn, f.z.url, freeAddr(t))
}

// invoke calls the function once; it must answer the user's e-mail.
func (f *sdkFleet) invoke(t testing.TB, e *emulator) {
	t.Helper()
	out := e.call(t, map[string]any{})
	if out["status"] != 200.0 || out["email"] == "" || out["email"] == nil {
		t.Fatalf("invoke: %v\n%s", out, e.out.String())
	}
}

// invokeAll invokes each environment n times, the environments at once
// (one invocation at a time per environment, as Lambda does).
func (f *sdkFleet) invokeAll(t testing.TB, n int, es ...*emulator) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, len(es))
	for _, e := range es {
		wg.Go(func() {
			for range n {
				out, err := e.tryCall(map[string]any{})
				if err == nil && out["status"] != 200.0 {
					err = fmt.Errorf("invoke answered %v", out)
				}
				if err != nil {
					errs <- err.Error() + "\n" + e.out.String()
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}

// The real Zoho Python SDK in the Lambda emulator with the agent as its
// extension, against zohotest run as a process: two execution environments
// (then a third, after the first's SHUTDOWN) on one real store, invoked cold
// and warm across two expiries. One token call per expiry for all of them,
// the SDK never calls its own token endpoint, every agent exits cleanly on
// SHUTDOWN.
func TestLambdaSDK(t *testing.T) {
	requireSDKPython(t)
	for _, rs := range realStores(t) {
		t.Run(rs.name, func(t *testing.T) {
			t.Parallel()
			testLambdaSDK(t, rs.url)
		})
	}
}

func testLambdaSDK(t *testing.T, storeURL string) {
	f := newSDKFleet(t, storeURL)
	// check: zohotest has made want tokens in all. More are right only if
	// the phase outlasted the token it began with (a loaded machine): the
	// gaps checked at the end then decide. It returns the count.
	check := func(phase string, want int) int {
		t.Helper()
		ts := f.z.issued(t)
		if len(ts) > want && want > 0 && time.Since(ts[want-1]) > sdkWindow {
			t.Logf("%s: %d tokens, expected %d, but the phase outlasted a token's %v", phase, len(ts), want, sdkWindow)
			return len(ts)
		}
		if len(ts) != want {
			t.Fatalf("%s: zohotest made %d tokens; want %d (one per expiry)", phase, len(ts), want)
		}
		return want
	}
	waitDue := func(n int) {
		ts := f.z.issued(t)
		time.Sleep(time.Until(ts[n-1].Add(sdkWindow + 300*time.Millisecond)))
	}

	a, b := f.start(t), f.start(t)
	f.invoke(t, a) // cold: the SDK's first find makes agent A refresh
	f.invoke(t, b) // cold: agent B finds A's token in the store
	f.invokeAll(t, 2, a, b)
	n := check("cold starts of two environments, then warm invokes", 1)
	waitDue(n)
	f.invokeAll(t, 3, a, b)
	n = check("the token due, both environments at once", n+1)
	a.shutdown(t)
	c := f.start(t)
	f.invoke(t, c) // cold, after A's SHUTDOWN: the token in the store
	f.invoke(t, b)
	n = check("a third environment's cold start", n)
	waitDue(n)
	f.invokeAll(t, 3, b, c)
	check("the token due, a warm and a newly started environment", n+1)
	b.shutdown(t)
	c.shutdown(t)
	invokes := 2 + 4 + 6 + 2 + 6

	ts := f.z.issued(t)
	for i := 1; i < len(ts); i++ {
		if gap := ts[i].Sub(ts[i-1]); gap < sdkWindow {
			t.Errorf("token %d made %v after token %d, before it was due (%v): two token calls for one expiry", i+1, gap, i, sdkWindow)
		}
	}
	st := f.z.stats(t)
	if st.TokenCalls != len(ts) || st.Refreshes != len(ts) || st.Throttled != 0 || st.Rejected != 0 {
		t.Errorf("zohotest: %+v; want every token call a refresh that made one of the %d tokens", st, len(ts))
	}
	if st.APICalls != invokes || st.APIUnauthorized != 0 {
		t.Errorf("zohotest: %d API calls, %d refused; want %d, none refused", st.APICalls, st.APIUnauthorized, invokes)
	}
	if n := f.sdkIAM.calls.Load(); n != 0 {
		t.Errorf("the SDK called its own token endpoint %d times; want 0 (the agent hands it valid tokens)", n)
	}
	for name, e := range map[string]*emulator{"A": a, "B": b, "C": c} {
		logs := e.out.String()
		if got := strings.Count(logs, "INIT REPORT"); got != 1 {
			t.Errorf("environment %s: %d inits; want 1 (one cold start, then warm invokes)", name, got)
		}
		checkCleanShutdown(t, name, logs, f.secret, f.z.refreshToken, f.fn.env[envPepper])
	}
	t.Logf("%d tokens for %d invokes in 3 environments over %v", len(ts), invokes, ts[len(ts)-1].Sub(ts[0]).Round(time.Second))
}
