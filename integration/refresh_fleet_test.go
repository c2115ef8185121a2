package integration_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/vault/api"
	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/vault"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// The fleet tests run refresh.Source in separate OS processes, each with a
// store of its own over a real server, against a zohotest accounts server
// in the test process: this test binary started again with fleetEnv set
// (see TestMain), which runs fleetChild instead of the tests.

const fleetEnv = "TOKENSTORE_FLEET_CHILD"

// fleetBackend is how a child builds its store, from its environment.
type fleetBackend struct {
	name string
	env  func(t *testing.T) []string // what the child needs to reach the store
}

func TestRefreshFleet(t *testing.T) {
	for _, be := range fleetBackends(t) {
		t.Run(be.name, func(t *testing.T) {
			t.Run("OneRefreshPerExpiry", func(t *testing.T) { fleetOneRefresh(t, be) })
			t.Run("HolderKilled", func(t *testing.T) { fleetHolderKilled(t, be) })
		})
	}
}

func fleetBackends(t *testing.T) []fleetBackend {
	return []fleetBackend{
		{"awssm", func(t *testing.T) []string {
			cfg := smConfig(t)
			return []string{"FLEET_BACKEND=awssm", "FLEET_AWS_ENDPOINT=" + aws.ToString(cfg.BaseEndpoint), "FLEET_AWS_REGION=" + cfg.Region,
				"FLEET_PREFIX=tokenstore-it/" + smRunID + "/fleet" + randHex(4) + "/"}
		}},
		{"vault", func(t *testing.T) []string {
			f := newKVFixture(t, vaultFrom(t, integration.Any), 2)
			o := f.opts("fleet" + randHex(4))
			return []string{"FLEET_BACKEND=vault", "FLEET_VAULT_ADDR=" + f.srv.addr, "FLEET_VAULT_TOKEN=" + f.token,
				"FLEET_MOUNT=" + o.Mount, "FLEET_PREFIX=" + o.Prefix}
		}},
	}
}

// fleetStore builds the store a child (or the test, to seed) uses.
func fleetStore(env func(string) string) (tokenstore.Store, error) {
	switch env("FLEET_BACKEND") {
	case "awssm":
		id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			id, secret = "test", "test"
		}
		cfg := aws.Config{Region: env("FLEET_AWS_REGION"), BaseEndpoint: aws.String(env("FLEET_AWS_ENDPOINT")),
			Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), Retryer: patientRetryer}
		return awssm.New(secretsmanager.NewFromConfig(cfg), &awssm.Options{Prefix: env("FLEET_PREFIX"), Pepper: smPepper, ForceDelete: true})
	case "vault":
		cfg := api.DefaultConfig()
		cfg.Address = env("FLEET_VAULT_ADDR")
		c, err := api.NewClient(cfg)
		if err != nil {
			return nil, err
		}
		c.SetToken(env("FLEET_VAULT_TOKEN"))
		c.ClearNamespace()
		return vault.New(c, &vault.Options{Mount: env("FLEET_MOUNT"), Prefix: env("FLEET_PREFIX")})
	}
	return nil, fmt.Errorf("unknown FLEET_BACKEND %q", env("FLEET_BACKEND"))
}

const fleetUser = "fleet@example.com"

// fleetSetup starts the accounts server and stores the record with an
// expired access token; it returns the server and the children's env.
func fleetSetup(t *testing.T, be fleetBackend) (*zohotest.Server, []string) {
	t.Helper()
	srv, env, _ := fleetSetupWith(t, be, time.Now().Add(-time.Minute))
	return srv, env
}

// fleetSetupWith is fleetSetup with the stored access token expiring at
// expiry; it also returns the seeded record and a store of the test's own.
func fleetSetupWith(t *testing.T, be fleetBackend, expiry time.Time) (*zohotest.Server, []string, fleetSeed) {
	t.Helper()
	env := be.env(t)
	getenv := func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return os.Getenv(k)
	}
	srv := zohotest.NewServer(nil)
	t.Cleanup(srv.Close)
	srv.Client("1000.FLEET", "secret-fleet-client")
	store, err := fleetStore(getenv)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	rec := tokenstore.Token{UserName: fleetUser, ClientID: "1000.FLEET", ClientSecret: "secret-fleet-client",
		RefreshToken: srv.NewRefreshToken("1000.FLEET"), AccessToken: "secret-at-seeded", Expiry: expiry}
	if err := store.SaveToken(ctxT(t), &rec); err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Cleanup(func() { _ = store.DeleteTokens(context.Background()) })
	return srv, append(env, fleetEnv+"=1", "FLEET_TOKEN_URL="+srv.Endpoint().TokenURL, "FLEET_API_DOMAIN="+srv.URL()),
		fleetSeed{rec: rec, store: store}
}

// fleetSeed is the record a fleet test seeded, and the test's own store.
type fleetSeed struct {
	rec   tokenstore.Token
	store tokenstore.Store
}

// child starts this binary as one fleet instance of n goroutines.
func child(t *testing.T, env []string, n int, lease time.Duration) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd, out, _ := startChild(t, env, n, lease, false)
	return cmd, out
}

// startChild starts a fleet instance; a gated one has started and built
// its store, and waits for a line on the returned writer before asking
// for tokens, so that what is timed after the line excludes its start.
func startChild(t *testing.T, env []string, n int, lease time.Duration, gated bool) (*exec.Cmd, *bytes.Buffer, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "FLEET_GOROUTINES="+strconv.Itoa(n), "FLEET_LEASE="+lease.String(),
		// Under -race a process sleeps a second at exit unless told not to;
		// the kill test times the waiting process up to its exit.
		"GORACE=atexit_sleep_ms=0")...)
	var gate io.WriteCloser
	if gated {
		cmd.Env = append(cmd.Env, "FLEET_GATE=1")
		var err error
		if gate, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	return cmd, &out, gate
}

// fleetOneRefresh: 4 processes × 16 goroutines find the token expired at
// once: exactly 1 token endpoint call, and every caller the same token.
func fleetOneRefresh(t *testing.T, be fleetBackend) {
	srv, env := fleetSetup(t, be)
	var wg sync.WaitGroup
	outs := make([]*bytes.Buffer, 4)
	errs := make([]error, 4)
	for i := range outs {
		cmd, out := child(t, env, 16, 10*time.Second)
		outs[i] = out
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = cmd.Wait() }()
	}
	wg.Wait()
	seen := map[string]int{}
	for i, out := range outs {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], out)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "token "); ok {
				seen[strings.Fields(d)[0]]++
			}
		}
	}
	st := srv.Stats()
	t.Logf("%s: 4 processes × 16 goroutines: %d token endpoint calls, %d refreshes, %d distinct tokens", be.name, st.TokenCalls, st.Refreshes, len(seen))
	if st.TokenCalls != 1 || st.Refreshes != 1 || len(seen) != 1 || seen[firstKey(seen)] != 64 {
		t.Fatalf("token endpoint %d calls, %d refreshes; tokens seen %v; want 1 call and one token for all 64 callers", st.TokenCalls, st.Refreshes, seen)
	}
}

// fleetHolderKilled: the process holding the lease is killed while its
// token endpoint call hangs; another process, already running and waiting
// for the lease, refreshes within the lease TTL plus a second of the lease
// being taken, and only its refresh counts.
func fleetHolderKilled(t *testing.T, be fleetBackend) {
	srv, env := fleetSetup(t, be)
	const lease = 2 * time.Second
	next, out2, gate := startChild(t, env, 4, lease, true) // will wait for the lease
	srv.SetHang(true)
	holder, out := child(t, env, 1, lease)
	start := time.Now()
	for srv.Stats().TokenCalls == 0 {
		if time.Since(start) > 20*time.Second {
			_ = holder.Process.Kill()
			t.Fatalf("the first process never called the token endpoint:\n%s", out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	leaseTaken := time.Now()
	if _, err := io.WriteString(gate, "go\n"); err != nil {
		t.Fatalf("release the waiting process: %v\n%s", err, out2)
	}
	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	_ = holder.Wait()
	srv.SetHang(false)
	if err := next.Wait(); err != nil {
		t.Fatalf("second process: %v\n%s", err, out2)
	}
	took := time.Since(leaseTaken)
	st := srv.Stats()
	t.Logf("%s: holder killed; the next process had a token %v after the lease was taken (TTL %v); %d refreshes", be.name, took.Round(time.Millisecond), lease, st.Refreshes)
	if took > lease+time.Second || st.Refreshes != 1 {
		t.Fatalf("took %v, %d refreshes; want within the lease TTL + 1 s and 1 refresh", took, st.Refreshes)
	}
}

// childLogger logs a child's refresh at debug level to its output when
// FLEET_DEBUG is set, for a failing test to show.
func childLogger() *slog.Logger {
	if os.Getenv("FLEET_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func firstKey(m map[string]int) string {
	for k := range m {
		return k
	}
	return ""
}

// fleetChild is the body of a child process: n goroutines ask for a token
// and print a digest of what they got (never the token).
func fleetChild() int {
	store, err := fleetStore(os.Getenv)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	if os.Getenv("FLEET_GATE") != "" {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	}
	n, _ := strconv.Atoi(os.Getenv("FLEET_GOROUTINES"))
	now := time.Now
	if d, err := time.ParseDuration(os.Getenv("FLEET_CLOCK_OFFSET")); err == nil {
		now = func() time.Time { return time.Now().Add(d) } // a clock that runs fast
	}
	lease, _ := time.ParseDuration(os.Getenv("FLEET_LEASE"))
	src, err := refresh.New(store, tokenstore.Token{UserName: fleetUser},
		oauth2.Endpoint{TokenURL: os.Getenv("FLEET_TOKEN_URL"), AuthStyle: oauth2.AuthStyleInParams},
		&refresh.Options{LeaseTTL: lease, HTTPClient: http.DefaultClient, Wait: 10 * time.Millisecond, MaxWait: 100 * time.Millisecond, Now: now,
			AllowAPIDomains: []string{os.Getenv("FLEET_API_DOMAIN")}, Logger: childLogger()})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	timeout := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("FLEET_TIMEOUT")); err == nil {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	code := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			tok, err := src.Current(ctx)
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				fmt.Println("error", err)
				code = 1
				return
			}
			d := sha256.Sum256([]byte(tok.AccessToken))
			fmt.Println("token", hex.EncodeToString(d[:8]), took.Nanoseconds())
		}()
	}
	wg.Wait()
	if os.Getenv("FLEET_ALLOW_ERRORS") != "" {
		code = 0
	}
	// A long-lived service keeps running after its callers return: so does
	// a child told to, for the refresh its callers started to finish.
	if d, err := time.ParseDuration(os.Getenv("FLEET_LINGER")); err == nil {
		time.Sleep(d)
	}
	st := src.Stats()
	fmt.Println("stats", st.TokenCalls, st.Refreshes, st.Dropped)
	return code
}

// TestRefreshCallsPerRefresh counts the backend calls and writes of one
// refresh (a caller finding the token expired, refreshing and storing)
// and of a read of a valid token, on Secrets Manager and Vault KV v2.
func TestRefreshCallsPerRefresh(t *testing.T) {
	type counted struct {
		store tokenstore.Store
		count func() (all, writes int64)
	}
	for _, tc := range []struct {
		name                string
		maxCalls, maxWrites int64 // per refresh
		make                func(t *testing.T) counted
	}{
		// Secrets Manager: the lease, then the token with the lease off.
		{"awssm", 5, 2, func(t *testing.T) counted {
			c := newSMCalls()
			s, err := awssm.New(smCountingClient(t, c), &awssm.Options{
				Prefix: "tokenstore-it/" + smRunID + "/refreshcalls" + randHex(4) + "/", Pepper: smPepper, ForceDelete: true})
			if err != nil {
				t.Fatal(err)
			}
			return counted{s, c.total}
		}},
		// Vault, by default, as Secrets Manager: access tokens have no
		// index entry.
		{"vault", 5, 2, func(t *testing.T) counted {
			f := newKVFixture(t, vaultFrom(t, integration.Any), 2)
			s, c := f.store(t, f.opts("refreshcalls"+randHex(4)))
			return counted{s, func() (int64, int64) { w := c.writes.Load(); return c.reads.Load() + w, w }}
		}},
		// Vault indexing access tokens: storing a new one also claims its
		// entry and drops the old one's.
		{"vault/IndexAccessTokens", 8, 4, func(t *testing.T) counted {
			f := newKVFixture(t, vaultFrom(t, integration.Any), 2)
			o := f.opts("refreshcalls" + randHex(4))
			o.IndexAccessTokens = true
			s, c := f.store(t, o)
			return counted{s, func() (int64, int64) { w := c.writes.Load(); return c.reads.Load() + w, w }}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := tc.make(t)
			srv := zohotest.NewServer(nil)
			defer srv.Close()
			srv.Client("1000.C", "secret-c")
			rec := tokenstore.Token{UserName: "calls@example.com", ClientID: "1000.C", ClientSecret: "secret-c",
				RefreshToken: srv.NewRefreshToken("1000.C"), AccessToken: "secret-at-old", Expiry: time.Now().Add(-time.Minute)}
			if err := cs.store.SaveToken(ctxT(t), &rec); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cs.store.DeleteTokens(context.Background()) })
			src, err := refresh.New(cs.store, tokenstore.Token{ID: rec.ID}, srv.Endpoint(), &refresh.Options{HTTPClient: srv.HTTPClient(), AllowAPIDomains: []string{srv.URL()}})
			if err != nil {
				t.Fatal(err)
			}
			all0, w0 := cs.count()
			if _, err := src.Current(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			all1, w1 := cs.count()
			if _, err := src.Current(ctxT(t)); err != nil { // the token it handed out last
				t.Fatal(err)
			}
			all2, w2 := cs.count()
			other, _ := refresh.New(cs.store, tokenstore.Token{ID: rec.ID}, srv.Endpoint(), &refresh.Options{HTTPClient: srv.HTTPClient(), AllowAPIDomains: []string{srv.URL()}})
			if _, err := other.Current(ctxT(t)); err != nil { // another process: one read
				t.Fatal(err)
			}
			all3, w3 := cs.count()
			t.Logf("%s: one refresh: %d calls, %d writes; a valid token again: %d calls; in another process: %d calls, %d writes",
				tc.name, all1-all0, w1-w0, all2-all1, all3-all2, w3-w2)
			if all1-all0 > tc.maxCalls || w1-w0 > tc.maxWrites || all2 != all1 || all3-all2 != 1 || w3 != w1 {
				t.Fatalf("refresh %d calls, %d writes (want ≤ %d, %d); valid token %d calls from the same source (want 0), %d from another (want 1), %d writes (want 0)",
					all1-all0, w1-w0, tc.maxCalls, tc.maxWrites, all2-all1, all3-all2, w3-w1)
			}
		})
	}
}
