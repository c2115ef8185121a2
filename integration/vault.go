package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// containerVaultToken is the root token of Vault containers (dev mode).
const containerVaultToken = "root"

// Vault returns a client for a Vault server with KV v2 mounted at secret/:
// the given VAULT_ADDR and VAULT_TOKEN, else a shared dev-mode container,
// else it skips t (or fails it, see [Required]). The client holds a token
// that may write anywhere; use it for tests only.
func Vault(t testing.TB) *api.Client {
	t.Helper()
	c, _ := VaultFrom(t, Any)
	return c
}

// VaultFrom is [Vault] with the source chosen by src; it also reports the
// server, so a test can tell which path it took. With [Container] it starts
// a container even when VAULT_ADDR is set.
func VaultFrom(t testing.TB, src Source) (*api.Client, Server) {
	t.Helper()
	addr, token := os.Getenv("VAULT_ADDR"), os.Getenv("VAULT_TOKEN")
	var srv Server
	switch {
	case src == Given || (src == Any && addr != ""):
		if addr == "" {
			unavailable(t, "no Vault given: VAULT_ADDR is not set")
		}
		if token == "" {
			// A half-given server is a mistake to report, not to skip.
			t.Fatal("integration: VAULT_ADDR is set but VAULT_TOKEN is empty")
		}
		srv = Server{URL: addr, Source: Given}
	default:
		srv = fromContainer(t, "Vault", &vaultCtr, startVault)
		token = containerVaultToken
	}
	c, err := vaultClient(srv.URL, token)
	if err != nil {
		t.Fatalf("integration: vault client for %s: %v", srv.URL, err)
	}
	return c, srv
}

// vaultClient builds a client for addr. TLS and other settings still come
// from the VAULT_* environment (VAULT_CACERT and so on); the address, token
// and namespace do not.
func vaultClient(addr, token string) (*api.Client, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, cfg.Error
	}
	cfg.Address = addr
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	c.SetToken(token)
	c.ClearNamespace()
	return c, nil
}

// startVault runs `vault server -dev` with a known root token. The same
// command line works for the official image (whose entrypoint passes later
// flags through) and for an image whose entrypoint is the vault binary.
func startVault(ctx context.Context) (Server, testcontainers.Container, error) {
	img := image(EnvVaultImage, DefaultVaultImage)
	listen, port := "0.0.0.0:8200", "8200/tcp"
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(map[string]string{"SKIP_SETCAP": "true"}),
	}
	if hostNetwork() {
		hostOpts, p, err := hostNetworkOptions("/v1/sys/health")
		if err != nil {
			return Server{}, nil, err
		}
		opts = append(opts, hostOpts...)
		listen = fmt.Sprintf("127.0.0.1:%d", p)
	} else {
		opts = append(opts,
			testcontainers.WithExposedPorts(port),
			testcontainers.WithWaitStrategy(wait.ForHTTP("/v1/sys/health").WithPort(port).
				WithStatusCodeMatcher(func(status int) bool { return status == http.StatusOK }).
				WithStartupTimeout(time.Minute)))
	}
	opts = append(opts, testcontainers.WithCmd("server", "-dev",
		"-dev-root-token-id="+containerVaultToken,
		"-dev-listen-address="+listen,
		"-dev-no-store-token"))
	ctr, err := testcontainers.Run(ctx, img, opts...)
	if ctr == nil {
		return Server{}, nil, err
	}
	if err != nil {
		return Server{}, ctr, fmt.Errorf("image %s: %w", img, err)
	}
	if hostNetwork() {
		return Server{URL: "http://" + listen, Source: Container}, ctr, nil
	}
	url, err := ctr.PortEndpoint(ctx, port, "http")
	if err != nil {
		return Server{}, ctr, fmt.Errorf("image %s: endpoint: %w", img, err)
	}
	return Server{URL: url, Source: Container}, ctr, nil
}
