package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// rawStep is one request of the differential test, to a path below a
// mount.
type rawStep struct {
	method string // GET, PUT, POST, DELETE or LIST
	path   string
	query  string // raw query, e.g. "version=2"
	body   any    // JSON body; nil sends none
}

func (s rawStep) String() string {
	b, _ := json.Marshal(s.body)
	q := ""
	if s.query != "" {
		q = "?" + s.query
	}
	if s.body == nil {
		return fmt.Sprintf("%s %s%s", s.method, s.path, q)
	}
	return fmt.Sprintf("%s %s%s %s", s.method, s.path, q, b)
}

func get(p string) rawStep              { return rawStep{method: "GET", path: p} }
func getV(p, v string) rawStep          { return rawStep{method: "GET", path: p, query: "version=" + v} }
func del(p string) rawStep              { return rawStep{method: "DELETE", path: p} }
func lst(p string) rawStep              { return rawStep{method: "LIST", path: p} }
func put(p string, body any) rawStep    { return rawStep{method: "PUT", path: p, body: body} }
func versions(vs ...any) map[string]any { return map[string]any{"versions": vs} }

// casWrite is a KV v2 write of data with cas (nil: no options).
func casWrite(p string, cas any, data any) rawStep {
	body := map[string]any{"data": data}
	if cas != nil {
		body["options"] = map[string]any{"cas": cas}
	}
	return put("data/"+p, body)
}

// kvV2Steps is the KV version 2 sequence: create-only and
// compare-and-swap writes, reads of versions, soft delete, destroy,
// writes over the shells they leave, metadata removal, LIST, pruning by
// the key's, the mount's and the default max_versions, cas_required, and
// the errors of malformed requests.
func kvV2Steps() []rawStep {
	x := func(n int) map[string]any { return map[string]any{"x": n, "s": fmt.Sprint("v", n)} }
	steps := []rawStep{
		get("data/a"), lst("metadata/"), get("metadata/a"),
		casWrite("a", 0, x(1)),   // create-only on an absent path
		casWrite("a", 0, x(2)),   // create-only on a live path
		casWrite("a", 5, x(2)),   // ahead of the current version
		casWrite("a", -1, x(2)),  //
		casWrite("a", 1, x(2)),   // compare-and-swap
		casWrite("a", nil, x(3)), // no cas, not required
		casWrite("a", "3", x(4)), // cas as a string
		get("data/a"), getV("data/a", "1"), getV("data/a", "0"), getV("data/a", "-1"),
		getV("data/a", "9"), getV("data/a", "abc"),
		del("data/a"), get("data/a"), // soft delete: a shell with deletion_time
		getV("data/a", "4"), getV("data/a", "3"),
		casWrite("a", 0, x(5)), // cas 0 fails after a soft delete
		casWrite("a", 4, x(5)), // the current version writes over the shell
		put("destroy/a", versions(5)), get("data/a"), getV("data/a", "5"),
		del("data/a"), get("data/a"), // a destroyed latest is not soft-deleted
		put("destroy/a", versions("2", 99, 0)), getV("data/a", "2"),
		casWrite("a", 0, x(6)), casWrite("a", 5, x(6)),
		put("delete/a", versions(6)), get("data/a"),
		put("undelete/a", versions(6)), get("data/a"),
		get("metadata/a"),
		del("metadata/a"), get("data/a"), get("metadata/a"), getV("data/a", "6"),
		del("metadata/a"),      // again: absent is fine
		casWrite("a", 0, x(7)), // create-only works again
		get("data/a"),
		put("destroy/nope", versions(1)), del("data/nope"), get("metadata/nope"), get("data/nope"),

		// LIST shows paths with metadata, soft-deleted ones too.
		casWrite("d/e/f", 0, x(1)), casWrite("d/g", 0, x(1)), del("data/d/g"), casWrite("d", 0, x(1)),
		lst("metadata/d"), lst("metadata/d/"), lst("metadata/"), lst("metadata/zz"), lst("metadata/d/g"),
		lst("metadata/d/e"),
		rawStep{method: "GET", path: "metadata/d", query: "list=true"},

		// max_versions of the key, and the default (10) when unset.
		put("metadata/b", map[string]any{"max_versions": 2}),
		get("metadata/b"), get("data/b"), lst("metadata/"),
		casWrite("b", 1, x(1)), casWrite("b", 0, x(1)), casWrite("b", 1, x(2)), casWrite("b", 2, x(3)),
		casWrite("b", 3, x(4)),
		getV("data/b", "1"), getV("data/b", "2"), getV("data/b", "3"), get("metadata/b"),
		put("destroy/b", versions(3)), casWrite("b", 4, x(5)), get("metadata/b"),
		casWrite("b", 0, x(6)), casWrite("b", 3, x(6)),
	}
	for i := range 11 {
		steps = append(steps, casWrite("ten", i, x(i)))
	}
	steps = append(steps, getV("data/ten", "1"), getV("data/ten", "2"), get("metadata/ten"),

		// The mount's config: cas_required, and max_versions, of which the
		// larger of the key's and the mount's counts.
		get("config"),
		put("config", map[string]any{"cas_required": true}),
		get("config"),
		casWrite("n", nil, x(1)), casWrite("n", 0, x(1)),
		put("config", map[string]any{"cas_required": false, "max_versions": 3}),
		put("metadata/o", map[string]any{"cas_required": true}),
		casWrite("o", nil, x(1)), casWrite("o", 0, x(1)), get("metadata/o"),
		put("metadata/q", map[string]any{"max_versions": 2}),
	)
	for i := range 5 {
		steps = append(steps, casWrite("p", nil, x(i)), casWrite("q", nil, x(i)))
	}
	steps = append(steps,
		getV("data/p", "2"), getV("data/p", "3"), getV("data/q", "2"), getV("data/q", "3"),
		get("metadata/p"), get("metadata/q"),

		// Malformed requests.
		put("data/c", map[string]any{"options": map[string]any{"cas": 0}}),
		put("data/c", map[string]any{"data": "str"}),
		put("data/c", map[string]any{"data": map[string]any{}, "options": map[string]any{"cas": "x"}}),
		put("data/c", map[string]any{"data": nil}), get("data/c"),
		put("destroy/c", map[string]any{}),
	)
	return steps
}

// kvV1Steps is the KV version 1 sequence.
func kvV1Steps() []rawStep {
	return []rawStep{
		get("a"), lst(""),
		put("a", map[string]any{"x": 1}), {method: "POST", path: "a", body: map[string]any{"x": 2, "y": "z"}},
		get("a"),
		put("d/e", map[string]any{"x": 1}), put("d/f/g", map[string]any{"x": 1}),
		lst(""), lst("d"), lst("d/"), lst("zz"), lst("a"),
		del("a"), del("a"), get("a"),
		put("z", map[string]any{}), get("z"),
		put("z", map[string]any{"data": map[string]any{"x": 1}, "options": map[string]any{"cas": 0}}),
		get("z"),
	}
}

// TestFakeMatchesServer runs the same raw KV requests, through api.Client,
// against the fake and a real Vault (VAULT_ADDR, VAULT_TOKEN; the token
// must be allowed to mount engines), each on KV engines mounted for this
// run, and compares the answers: status, errors and data, with times and
// request IDs left out. That the fake answers as Vault does is what makes
// the tests on it mean anything.
func TestFakeMatchesServer(t *testing.T) {
	addr := os.Getenv("VAULT_ADDR")
	if addr == "" {
		t.Skip("VAULT_ADDR is not set: no real Vault to compare the fake with " +
			`(scripts/testenv.sh up; eval "$(scripts/testenv.sh env)")`)
	}
	noRetry := func(c *api.Config) { c.MaxRetries = 0 }
	real := testClient(t, addr, os.Getenv("VAULT_TOKEN"), noRetry)
	fake := newFakeVault(t).client(t, noRetry)
	run := randomHex(4)
	for _, tc := range []struct {
		version int
		steps   []rawStep
	}{{2, kvV2Steps()}, {1, kvV1Steps()}} {
		t.Run(fmt.Sprintf("KVv%d", tc.version), func(t *testing.T) {
			mount := fmt.Sprintf("tsfake-v%d-%s", tc.version, run)
			mountKV(t, real, mount, tc.version, true)
			mountKV(t, fake, mount, tc.version, false)
			for i, st := range tc.steps {
				want := rawDo(t, real, mount, st)
				got := rawDo(t, fake, mount, st)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("step %d, %v:\n fake: %s\n real: %s", i, st, got, want)
				}
			}
		})
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mountKV mounts a KV engine of version at mount through c, unmounted when
// the test ends, and waits until a new KV v2 engine takes writes. When the
// token may not mount, a real server's test skips.
func mountKV(t *testing.T, c *api.Client, mount string, version int, real bool) {
	t.Helper()
	ctx := context.Background()
	err := c.Sys().MountWithContext(ctx, mount, &api.MountInput{
		Type: "kv", Options: map[string]string{"version": fmt.Sprint(version)}})
	var re *api.ResponseError
	if real && errors.As(err, &re) && re.StatusCode == 403 {
		t.Skipf("the token in VAULT_TOKEN may not mount a KV engine: %v", err)
	}
	if err != nil {
		t.Fatalf("mount KV v%d at %s: %v", version, mount, err)
	}
	t.Cleanup(func() { _ = c.Sys().UnmountWithContext(context.Background(), mount) })
	if version != 2 {
		return
	}
	// Until its set-up ends, a new KV v2 engine refuses writes as
	// "upgrading".
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.Logical().WriteWithContext(ctx, mount+"/data/probe", map[string]any{"data": map[string]any{}})
		if err == nil {
			if _, err := c.Logical().DeleteWithContext(ctx, mount+"/metadata/probe"); err != nil {
				t.Fatal(err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("KV v2 engine at %s not ready: %v", mount, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawOutcome is an answer with what varies between runs left out: request
// IDs, times (as "<time>" when set), attribution (created_by, deleted_by,
// last_updated_by) and lease durations (a server's default TTL).
type rawOutcome struct {
	Status int
	Body   any
}

func (o rawOutcome) String() string {
	b, _ := json.Marshal(o.Body)
	return fmt.Sprintf("%d %s", o.Status, b)
}

// rawDo sends st to mount through c and returns the answer normalized.
// RawRequestWithContext is deprecated for users, but it is the one call
// that gives the status and body of any method, LIST included.
func rawDo(t *testing.T, c *api.Client, mount string, st rawStep) rawOutcome {
	t.Helper()
	r := c.NewRequest(st.method, "/v1/"+strings.TrimSuffix(mount+"/"+st.path, "/"))
	if strings.HasSuffix(st.path, "/") {
		r.URL.Path += "/"
	}
	if st.query != "" {
		q, err := url.ParseQuery(st.query)
		if err != nil {
			t.Fatal(err)
		}
		r.Params = q
	}
	if st.body != nil {
		if err := r.SetJSONBody(st.body); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	//lint:ignore SA1019 see the doc comment
	resp, err := c.RawRequestWithContext(ctx, r)
	if resp == nil {
		t.Fatalf("%v: %v", st, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%v: reading the answer: %v", st, err)
	}
	out := rawOutcome{Status: resp.StatusCode}
	if len(bytes.TrimSpace(b)) == 0 {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		out.Body = string(b)
		return out
	}
	delete(body, "request_id")
	delete(body, "lease_duration")
	out.Body = normalize(body)
	return out
}

// normalize replaces set times with "<time>" and drops attribution.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "created_by" || k == "deleted_by" || k == "last_updated_by" {
				delete(v, k)
				continue
			}
			v[k] = normalize(x)
		}
	case []any:
		for i, x := range v {
			v[i] = normalize(x)
		}
	case string:
		if _, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return "<time>"
		}
	}
	return v
}
