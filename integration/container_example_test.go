package integration_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/tokenstore-go/tokenstore/integration"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore/vault"
)

// TestContainerExample builds examples/container and runs it against a
// real Vault the way its README does: a policy for the prefix only, an
// AppRole holding it, the service logged in with AppRole and no other
// token. The role's tokens live seconds, so the service must renew and log
// in again while the test drives its HTTP API (about five seconds).
func TestContainerExample(t *testing.T) {
	srv := vaultFrom(t, integration.Given)
	f := newKVFixture(t, srv, 2)
	ctx := ctxT(t)
	roleID, secretID, authMount := appRole(t, f)

	bin := filepath.Join(t.TempDir(), "tokenstore-container")
	build := exec.Command("go", "build", "-o", bin, "./examples/container")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/container: %v\n%s", err, out)
	}
	secretFile := filepath.Join(t.TempDir(), "secret-id")
	if err := os.WriteFile(secretFile, []byte(secretID+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := integration.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"VAULT_ADDR=" + srv.addr, "VAULT_APPROLE_MOUNT=" + authMount,
		"VAULT_ROLE_ID=" + roleID, "VAULT_SECRET_ID_FILE=" + secretFile,
		"TOKENSTORE_MOUNT=" + f.mount, "TOKENSTORE_PREFIX=" + f.base + "/service",
		"LISTEN_ADDR=" + addr, "HOME=" + t.TempDir(),
	}
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() || testing.Verbose() {
			t.Logf("service log:\n%s", logs.String())
		}
	})

	base := "http://" + addr
	waitFor(t, "the service to be ready", func() bool { return get(base+"/readyz") == http.StatusOK })
	user := base + "/users/ann%40example.com/token"
	steps := []struct {
		method, url, body string
		status            int
		want              string
	}{
		{"PUT", user, `{"client_id":"1000.DEV","client_secret":"SECRET-cs","refresh_token":"SECRET-rt","access_token":"SECRET-at-1","expiry":"2030-01-01T00:00:00Z"}`, 200, `"has_refresh_token":true`},
		{"PUT", user, `{"access_token":"SECRET-at-2"}`, 200, `"client_id":"1000.DEV"`},
		{"GET", user, "", 200, `"user_name":"ann@example.com"`},
		{"GET", base + "/users", "", 200, `"has_access_token":true`},
	}
	drive := func() {
		t.Helper()
		for _, s := range steps {
			status, body := call(t, ctx, s.method, s.url, s.body)
			if status != s.status || !strings.Contains(body, s.want) || strings.Contains(body, "SECRET") {
				t.Fatalf("%s %s: got %d %s; want %d with %s and no secret", s.method, s.url, status, body, s.status, s.want)
			}
		}
	}
	drive()
	// Tokens live 2s and at most 5s: the service must renew, then log in again.
	waitFor(t, "a renewal and a second AppRole login", func() bool {
		l := logs.String()
		return strings.Contains(l, `"msg":"vault token renewed"`) && strings.Count(l, `"msg":"vault login"`) >= 2
	})
	drive()
	if status, _ := call(t, ctx, "DELETE", user, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE: %d; want 204", status)
	}
	if status, _ := call(t, ctx, "GET", user, ""); status != http.StatusNotFound {
		t.Fatalf("GET after DELETE: %d; want 404", status)
	}
	for _, secret := range []string{"SECRET", "ann@example.com", secretID} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("service log shows %q", secret)
		}
	}
}

// appRole enables AppRole at a mount of its own and makes a role whose
// tokens hold only the fixture's store policy and live seconds.
func appRole(t *testing.T, f *kvFixture) (roleID, secretID, mount string) {
	t.Helper()
	ctx := ctxT(t)
	mount = "approle-" + randHex(4)
	if err := f.root.Sys().EnableAuthWithOptionsWithContext(ctx, mount, &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatalf("enable approle: %v", err)
	}
	t.Cleanup(func() { _ = f.root.Sys().DisableAuthWithContext(context.Background(), mount) })
	policy, err := vault.Policy(&vault.Options{Mount: f.mount, Prefix: f.base + "/service"})
	if err != nil {
		t.Fatal(err)
	}
	// The LifetimeWatcher renews the token through renew-self, which the
	// default policy would grant; the role has no default policy.
	policy += "path \"auth/token/renew-self\" {\n  capabilities = [\"update\"]\n}\n"
	if err := f.root.Sys().PutPolicyWithContext(ctx, mount, policy); err != nil {
		t.Fatal(err)
	}
	role := "auth/" + mount + "/role/service"
	if _, err := f.root.Logical().WriteWithContext(ctx, role, map[string]any{
		"token_policies": mount, "token_no_default_policy": true, "token_ttl": "2s", "token_max_ttl": "5s",
	}); err != nil {
		t.Fatalf("approle role: %v", err)
	}
	r, err := f.root.Logical().ReadWithContext(ctx, role+"/role-id")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.root.Logical().WriteWithContext(ctx, role+"/secret-id", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r.Data["role_id"].(string), s.Data["secret_id"].(string), mount
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func call(t *testing.T, ctx context.Context, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// syncBuffer is a bytes.Buffer for a child's output, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
