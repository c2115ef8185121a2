package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// realStore is a store URL on a real server of the integration
// environment (scripts/testenv.sh env), under a namespace of its own.
type realStore struct {
	name, url string
}

func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// realStores returns Vault (VAULT_ADDR) and LocalStack (AWS_ENDPOINT_URL)
// stores, each skipped with its reason, or failed under
// TOKENSTORE_INTEGRATION=required.
func realStores(t testing.TB) []realStore {
	var out []realStore
	ns := "tokenstore-agent-test/" + randomName()
	for _, s := range []struct {
		name, env, url string
	}{
		{"vault", "VAULT_ADDR", "vault://secret/" + ns},
		{"awssm", "AWS_ENDPOINT_URL", "awssm://" + ns + "/"},
	} {
		if os.Getenv(s.env) == "" {
			if os.Getenv("TOKENSTORE_INTEGRATION") == "required" {
				t.Fatalf("TOKENSTORE_INTEGRATION=required: %s is not set (eval \"$(scripts/testenv.sh env)\")", s.env)
			}
			t.Logf("%s: skipped, %s is not set (eval \"$(scripts/testenv.sh env)\")", s.name, s.env)
			continue
		}
		out = append(out, realStore{s.name, s.url})
	}
	if len(out) == 0 {
		t.Skip("neither VAULT_ADDR nor AWS_ENDPOINT_URL is set (eval \"$(scripts/testenv.sh env)\")")
	}
	return out
}

// cleanStore deletes every record of a store URL's namespace.
func cleanStore(t *testing.T, url string) {
	t.Cleanup(func() {
		cfg := &config{store: url}
		s, err := openStore(context.Background(), cfg)
		if err == nil {
			err = s.DeleteTokens(context.Background())
		}
		if err != nil {
			t.Logf("cleaning %s: %v", url, err)
		}
	})
}

// The HTTP API on Vault and on LocalStack: the same cases as on mem://.
func TestAPIOnRealStores(t *testing.T) {
	for _, rs := range realStores(t) {
		t.Run(rs.name, func(t *testing.T) {
			cleanStore(t, rs.url)
			h := newHarness(t, "--store", rs.url)
			checkSixOperations(t, h)
			h2 := newHarness(t, "--store", rs.url+"x")
			cleanStore(t, rs.url+"x")
			checkRefreshOncePerExpiry(t, h2)
		})
	}
}

// Several agent processes sharing one store on a real server make exactly
// one token call per expiry, whatever the number of clients.
func TestFleetOfAgents(t *testing.T) {
	agents := 6 // TOKENSTORE_AGENT_FLEET_AGENTS overrides, for the figures in BENCHMARKS.md
	if n, err := strconv.Atoi(os.Getenv("TOKENSTORE_AGENT_FLEET_AGENTS")); err == nil && n > 0 {
		agents = n
	}
	const (
		clients  = 8 // concurrent requests per agent in each round
		rounds   = 3
		lifetime = 2 * time.Minute   // the shortest expires_in package zoho accepts (zoho.MinExpiresIn)
		skew     = 116 * time.Second // so a token is due 4 s after it was made
	)
	for _, rs := range realStores(t) {
		t.Run(rs.name, func(t *testing.T) {
			cleanStore(t, rs.url)
			z := zohotest.NewServer(&zohotest.Options{TokenLifetime: lifetime})
			t.Cleanup(z.Close)
			z.Client(testClientID, testSecret)
			env := map[string]string{}
			for _, k := range []string{"VAULT_ADDR", "VAULT_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
				env[k] = os.Getenv(k)
			}
			var procs []*proc
			for range agents {
				procs = append(procs, startProc(t, env, "--store", rs.url, "--accounts-url", z.URL(), "--allow-api-domain", z.URL(),
					"--refresh-skew", skew.String(), "--refresh-min-interval", "1s"))
			}
			rt := z.NewRefreshToken(testClientID)
			put := `{"user_name":"fleet@example.com","client_id":"` + testClientID + `","client_secret":"` + testSecret + `","refresh_token":"` + rt + `"}`
			if resp, b, err := procs[0].request("PUT", "/v1/tokens", put); err != nil || resp.StatusCode != 200 {
				t.Fatalf("PUT: %v %s", err, b)
			}
			// Every answer of every round: the tokens, by expiry.
			all := map[string]int{}
			due := rounds // the times a token became due during the rounds
			for round := 1; round <= rounds; round++ {
				start := time.Now()
				got := burst(t, procs, clients)
				due += int(time.Since(start) / (lifetime - skew))
				for k, n := range got {
					all[k] += n
				}
				t.Logf("round %d: %d agents × %d clients answered in %v: %d tokens, %d refreshes so far", round, agents, clients, time.Since(start).Round(time.Millisecond), len(got), z.Stats().Refreshes)
				if round < rounds {
					time.Sleep(lifetime - skew + 200*time.Millisecond) // until the token is due
				}
			}
			// One token call per expiry: a token is made each time the one
			// before is due, and only then. Callers of a token that is due
			// but still valid get it while one agent refreshes, so a round
			// may hand out two tokens, and the last token made may not be
			// handed out; but no two tokens handed out were made less than
			// a validity period apart.
			var expiries []int64
			for k := range all {
				ms, _ := strconv.ParseInt(k[strings.IndexByte(k, ' ')+1:], 10, 64)
				expiries = append(expiries, ms)
			}
			slices.Sort(expiries)
			for i := 1; i < len(expiries); i++ {
				if gap := time.Duration(expiries[i]-expiries[i-1]) * time.Millisecond; gap < lifetime-skew-500*time.Millisecond {
					t.Errorf("a token made %v after the one before, which was not due yet", gap)
				}
			}
			st := z.Stats()
			if st.Refreshes < rounds || st.Refreshes > due || st.Throttled != 0 || st.Evictions != 0 {
				t.Fatalf("%d refreshes, %d throttled, %d evicted; want %d to %d (one per expiry), 0, 0",
					st.Refreshes, st.Throttled, st.Evictions, rounds, due)
			}
			var calls, waits float64
			for _, p := range procs {
				calls += p.metric(t, "tokenstore_agent_token_calls_total")
				waits += p.metric(t, "tokenstore_agent_lease_waits_total")
			}
			// Lease waits happen only for callers with no valid token, so
			// they may be none; the token calls must add up.
			if int(calls) != st.TokenCalls {
				t.Errorf("the agents' metrics: %v token calls; want %d", calls, st.TokenCalls)
			}
			t.Logf("%d agents: %d rounds (a token due %d times at most), %d token calls, 0 throttled; %v lease waits", agents, rounds, due, st.TokenCalls, waits)
			var last string
			for k := range all {
				last = k[:strings.IndexByte(k, ' ')]
			}
			for _, p := range procs {
				if b := p.logs.String(); containsAny(b, testSecret, rt, last) {
					t.Fatalf("an agent's log shows a secret")
				}
			}
		})
	}
}

// burst has every agent answer clients concurrent token requests, and
// returns the access tokens they gave.
func burst(t *testing.T, procs []*proc, clients int) map[string]int {
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for _, p := range procs {
		for range clients {
			wg.Go(func() {
				resp, b, err := p.request("GET", "/v1/token?user=fleet@example.com", "")
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Errorf("GET /v1/token: %v %s", err, b)
					return
				}
				at := decodeJSON[accessToken](t, b)
				mu.Lock()
				seen[at.AccessToken+" "+at.ExpiryTime]++
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	return seen
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// A refused token reported to one agent is expired once for the fleet:
// the agent that got the report makes the new token; another agent hands
// out the one it remembers until its own client reports it, then finds
// the new one without a token call of its own.
func TestInvalidAcrossAgents(t *testing.T) {
	for _, rs := range realStores(t) {
		t.Run(rs.name, func(t *testing.T) {
			cleanStore(t, rs.url)
			z := zohotest.NewServer(nil)
			t.Cleanup(z.Close)
			z.Client(testClientID, testSecret)
			a := startHarness(t, z, "--store", rs.url, "--refresh-min-interval", "300ms")
			b := startHarness(t, z, "--store", rs.url, "--refresh-min-interval", "300ms")
			a.seed("alice@example.com")
			t1, _, _ := a.getToken("user=alice@example.com")
			time.Sleep(350 * time.Millisecond) // a token younger than the minimum interval stays
			if got, _, _ := b.getToken("user=alice@example.com"); got.AccessToken != t1.AccessToken {
				t.Fatal("agent b: another token; want a's")
			}
			report := map[string]string{"user_name": "alice@example.com", "access_token": t1.AccessToken}
			if st, body, _ := a.do("POST", "/v1/token/invalid", report); st != 204 {
				t.Fatalf("report to a: %d %s", st, body)
			}
			t2, _, _ := a.getToken("user=alice@example.com")
			if t2.AccessToken == t1.AccessToken {
				t.Fatal("agent a: the refused token again")
			}
			if got, _, _ := b.getToken("user=alice@example.com"); got.AccessToken != t1.AccessToken {
				t.Fatal("agent b: not the token it remembers (the documented behaviour changed)")
			}
			b.do("POST", "/v1/token/invalid", report)
			if got, _, _ := b.getToken("user=alice@example.com"); got.AccessToken != t2.AccessToken {
				t.Fatal("agent b, after its client's report: not a's new token")
			}
			if n := z.Stats().Refreshes; n != 2 {
				t.Fatalf("%d refreshes; want 2", n)
			}
		})
	}
}
