package integration_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// The lease holder's failures, each across processes sharing a real
// store: a holder killed while the stored token is still valid, a holder
// whose caller gives up, and a holder that stalls past its lease while the
// refresh token is replaced.
func TestRefreshHolder(t *testing.T) {
	for _, be := range fleetBackends(t) {
		t.Run(be.name, func(t *testing.T) {
			t.Run("KilledWhileTokenValid", func(t *testing.T) { holderKilledValid(t, be) })
			t.Run("CallerGivesUp", func(t *testing.T) { holderCallerGivesUp(t, be) })
			t.Run("StalledNewRefreshToken", func(t *testing.T) { holderStalledNewRT(t, be) })
			t.Run("StalledTakenOver", func(t *testing.T) { holderStalled(t, be) })
		})
	}
}

// childResult is what a fleet child printed.
type childResult struct {
	tokens  []string        // digests of the tokens its callers got
	took    []time.Duration // how long each caller waited
	errors  []string
	calls   int // its token endpoint calls
	dropped int // answers it dropped (the fence)
}

func parseChild(out *bytes.Buffer) childResult {
	var r childResult
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "token":
			ns, _ := strconv.ParseInt(f[2], 10, 64)
			r.tokens, r.took = append(r.tokens, f[1]), append(r.took, time.Duration(ns))
		case len(f) == 4 && f[0] == "stats":
			r.calls, _ = strconv.Atoi(f[1])
			r.dropped, _ = strconv.Atoi(f[3])
		case len(f) > 0 && f[0] == "error":
			r.errors = append(r.errors, sc.Text())
		}
	}
	return r
}

func digest(accessToken string) string {
	d := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(d[:8])
}

func runChild(t *testing.T, env []string, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd, out, _ := startChild(t, append(env, extra...), 1, 0, false)
	return cmd, out
}

// waitTokenCalls waits until the accounts server has seen n token requests.
func waitTokenCalls(t *testing.T, srv *zohotest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for srv.Stats().TokenCalls < n {
		if time.Now().After(deadline) {
			t.Fatalf("the accounts server saw %d token requests; want %d", srv.Stats().TokenCalls, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// holderKilledValid: the stored token has 40 s left, within the default
// Skew of a minute. The process that takes the lease hangs on the token
// endpoint and is killed. Before the fix every other process waited for
// the dead lease (LeaseTTL, 30 s by default) with no token; now each gets
// the stored token at once.
func holderKilledValid(t *testing.T, be fleetBackend) {
	srv, env, seed := fleetSetupWith(t, be, time.Now().Add(40*time.Second))
	srv.SetHang(true)
	defer srv.SetHang(false)
	holder, out := runChild(t, env, "FLEET_LINGER=60s") // default LeaseTTL
	waitTokenCalls(t, srv, 1)
	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = holder.Wait()
	if r := parseChild(out); len(r.tokens) != 1 || r.tokens[0] != digest(seed.rec.AccessToken) {
		t.Fatalf("the holder's own caller: %+v; want the stored token at once\n%s", r, out)
	}
	next, out2 := runChild(t, env, "FLEET_TIMEOUT=35s")
	if err := next.Wait(); err != nil {
		t.Fatalf("next process: %v\n%s", err, out2)
	}
	r := parseChild(out2)
	if len(r.tokens) != 1 || r.tokens[0] != digest(seed.rec.AccessToken) {
		t.Fatalf("next process: %+v; want the stored, still valid token\n%s", r, out2)
	}
	t.Logf("%s: holder killed mid-refresh with 40 s left on the stored token: the next process had a token after %v (LeaseTTL 30 s)",
		be.name, r.took[0].Round(time.Millisecond))
	if r.took[0] > time.Second {
		t.Fatalf("the next process waited %v for a dead holder; want the valid token at once", r.took[0])
	}
}

// holderCallerGivesUp: the token has expired; the caller that took the
// lease gives up (a 300 ms deadline) while the endpoint is slow. Its
// process stores the answer and releases the lease all the same, so the
// next process gets that token without waiting out the lease and without
// a second token call.
func holderCallerGivesUp(t *testing.T, be fleetBackend) {
	srv, env, _ := fleetSetupWith(t, be, time.Now().Add(-time.Minute))
	release := srv.HoldNext()
	defer release()
	holder, out := runChild(t, env, "FLEET_TIMEOUT=300ms", "FLEET_LINGER=2s", "FLEET_ALLOW_ERRORS=1")
	waitTokenCalls(t, srv, 1)
	time.Sleep(500 * time.Millisecond) // the caller has given up by now
	release()
	if err := holder.Wait(); err != nil {
		t.Fatalf("holder: %v\n%s", err, out)
	}
	hr := parseChild(out)
	if len(hr.errors) != 1 || !strings.Contains(hr.errors[0], "deadline") || hr.calls != 1 {
		t.Fatalf("holder: %+v; want its caller to give up at its deadline after the one call\n%s", hr, out)
	}
	next, out2 := runChild(t, env, "FLEET_TIMEOUT=10s")
	if err := next.Wait(); err != nil {
		t.Fatalf("next process: %v\n%s", err, out2)
	}
	r := parseChild(out2)
	st := srv.Stats()
	t.Logf("%s: the holder's caller gave up; the next process had the stored token after %v; %d token calls in all",
		be.name, r.took[0].Round(time.Millisecond), st.TokenCalls)
	if st.TokenCalls != 1 || st.Refreshes != 1 || r.calls != 0 || r.took[0] > 2*time.Second {
		t.Fatalf("%d token calls, %d refreshes, next process %d calls after %v; want 1, 1, 0, at once", st.TokenCalls, st.Refreshes, r.calls, r.took[0])
	}
}

// releaseStalled lets the stalled holder's call answer, waits for its
// process, and returns the stored record and what the process printed.
func releaseStalled(t *testing.T, release func(), stalled *exec.Cmd, out *bytes.Buffer, seed fleetSeed) (tokenstore.Token, childResult) {
	t.Helper()
	release()
	if err := stalled.Wait(); err != nil {
		t.Fatalf("stalled process: %v\n%s", err, out)
	}
	final, err := seed.store.FindTokenByID(ctxT(t), seed.rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return final, parseChild(out)
}

// holderStalledNewRT: the holder's endpoint call stalls while the user
// saves a new refresh token (the access token still expired). The stalled
// answer, an access token of the old refresh token, must not be paired
// with the new one: it is dropped, and the holder's caller gets a token
// refreshed from the new refresh token.
func holderStalledNewRT(t *testing.T, be fleetBackend) {
	srv, env, seed := fleetSetupWith(t, be, time.Now().Add(-time.Minute))
	release := srv.HoldNext()
	defer release()
	stalled, out := runChild(t, env, "FLEET_TIMEOUT=30s", "FLEET_DEBUG=1")
	waitTokenCalls(t, srv, 1)
	rt2 := srv.NewRefreshToken("1000.FLEET")
	upd := tokenstore.Token{UserName: seed.rec.UserName, RefreshToken: rt2}
	if err := seed.store.SaveToken(ctxT(t), &upd); err != nil {
		t.Fatal(err)
	}
	final, sr := releaseStalled(t, release, stalled, out, seed)
	owner := srv.RefreshTokenOf(final.AccessToken)
	t.Logf("%s: stalled holder, new refresh token saved meanwhile: %d answers dropped; stored access token from the new refresh token: %v",
		be.name, sr.dropped, owner == rt2)
	if final.RefreshToken != rt2 || owner != rt2 {
		t.Fatalf("record: refresh token new %v, access token made from the new one %v (from the old: %v); want an access token of the stored refresh token",
			final.RefreshToken == rt2, owner == rt2, owner == seed.rec.RefreshToken)
	}
	if len(sr.tokens) != 1 || sr.tokens[0] != digest(final.AccessToken) {
		t.Fatalf("the stalled holder's caller: %+v; want the stored token\n%s", sr, out)
	}
}

// holderStalled: the holder's endpoint call stalls; meanwhile the user
// saves a new refresh token, and another process whose clock runs 31 s
// fast sees the lease (30 s) expired, takes it over and refreshes with the
// new refresh token. The stalled answer, made from the old refresh token,
// is dropped: the record keeps the new refresh token with its own access
// token, and the stalled process's caller gets that one.
func holderStalled(t *testing.T, be fleetBackend) {
	srv, env, seed := fleetSetupWith(t, be, time.Now().Add(-time.Minute))
	release := srv.HoldNext()
	defer release()
	stalled, out := runChild(t, env, "FLEET_TIMEOUT=30s")
	waitTokenCalls(t, srv, 1)
	rt2 := srv.NewRefreshToken("1000.FLEET")
	upd := tokenstore.Token{UserName: seed.rec.UserName, RefreshToken: rt2}
	if err := seed.store.SaveToken(ctxT(t), &upd); err != nil {
		t.Fatal(err)
	}
	next, out2 := runChild(t, env, "FLEET_CLOCK_OFFSET=31s")
	if err := next.Wait(); err != nil {
		t.Fatalf("the process that took over: %v\n%s", err, out2)
	}
	after, err := seed.store.FindTokenByID(ctxT(t), seed.rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	final, sr := releaseStalled(t, release, stalled, out, seed)
	t.Logf("%s: stalled holder: %d answers dropped; record kept the new refresh token: %v", be.name, sr.dropped, final.RefreshToken == rt2)
	if sr.dropped != 1 || final.RefreshToken != rt2 || final.AccessToken != after.AccessToken {
		t.Fatalf("stalled holder dropped %d answers; record's refresh token new %v, access token the new one's %v; want 1, true, true\n%s",
			sr.dropped, final.RefreshToken == rt2, final.AccessToken == after.AccessToken, out)
	}
	if len(sr.tokens) != 1 || sr.tokens[0] != digest(final.AccessToken) {
		t.Fatalf("the stalled holder's caller: %+v; want the token the other process stored\n%s", sr, out)
	}
}
