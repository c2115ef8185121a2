package integration_test

// Where the Vault tests get a server. This is the small stand-in the vault
// branch needs until the shared helpers of the testenv branch
// (integration.VaultFrom) are merged; it follows the same contract:
//
//   - given: VAULT_ADDR and VAULT_TOKEN (a root or similarly privileged
//     token: the tests mount engines and write policies);
//   - container: testcontainers-go runs `vault server -dev` from
//     TOKENSTORE_VAULT_IMAGE (default hashicorp/vault:1.21; here the image
//     built from the cached binary), with host networking on a free loopback
//     port when TOKENSTORE_CONTAINER_NETWORK=host;
//   - a missing server skips, or fails with TOKENSTORE_INTEGRATION=required.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

const (
	sourceGiven     = "given"
	sourceContainer = "container"
)

// vaultServer is where a Vault listens and a token allowed everything.
type vaultServer struct {
	addr, rootToken string
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := "integration: " + why + " (give VAULT_ADDR and VAULT_TOKEN, or a Docker engine for testcontainers; " +
		"TOKENSTORE_INTEGRATION=required fails instead of skipping)"
	if os.Getenv("TOKENSTORE_INTEGRATION") == "required" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// vaultFrom returns a server from the given source, or skips t.
func vaultFrom(t testing.TB, source string) vaultServer {
	t.Helper()
	switch source {
	case sourceGiven:
		addr, token := os.Getenv("VAULT_ADDR"), os.Getenv("VAULT_TOKEN")
		if addr == "" {
			unavailable(t, "no Vault given: VAULT_ADDR is not set")
		}
		if token == "" {
			t.Fatal("integration: VAULT_ADDR is set but VAULT_TOKEN is empty")
		}
		return vaultServer{addr: addr, rootToken: token}
	case sourceContainer:
		return vaultContainer(t)
	}
	t.Fatalf("unknown source %q", source)
	return vaultServer{}
}

// vaultContainer starts a dev-mode Vault for t and its subtests.
func vaultContainer(t testing.TB) vaultServer {
	t.Helper()
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		// The reaper image cannot be pulled everywhere; t.Cleanup stops
		// the container instead.
		t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	img := os.Getenv("TOKENSTORE_VAULT_IMAGE")
	if img == "" {
		img = "hashicorp/vault:1.21"
	}
	const token = "root"
	listen, port := "0.0.0.0:8200", "8200/tcp"
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(map[string]string{"SKIP_SETCAP": "true"}),
	}
	host := os.Getenv("TOKENSTORE_CONTAINER_NETWORK") == "host"
	if host {
		p, err := freePort()
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		listen, port = fmt.Sprintf("127.0.0.1:%d", p), fmt.Sprintf("%d/tcp", p)
		opts = append(opts,
			testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
				hc.NetworkMode = "host"
				hc.PortBindings = nil
			}),
			testcontainers.WithEndpointSettingsModifier(func(eps map[string]*network.EndpointSettings) {
				clear(eps) // no bridge network beside the host's
			}),
			testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
				req.ExposedPorts = nil // nothing to publish on the host network
				return nil
			}))
	} else {
		opts = append(opts, testcontainers.WithExposedPorts(port))
	}
	// On the host network nothing is published, so wait for the log line,
	// then for the health endpoint on the address the server was given.
	opts = append(opts,
		testcontainers.WithCmd("server", "-dev", "-dev-root-token-id="+token,
			"-dev-listen-address="+listen, "-dev-no-store-token"),
		testcontainers.WithWaitStrategy(wait.ForLog("Vault server started!").WithStartupTimeout(time.Minute)),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ctr, err := testcontainers.Run(ctx, img, opts...)
	if ctr != nil {
		t.Cleanup(func() {
			if err := testcontainers.TerminateContainer(ctr); err != nil {
				t.Errorf("terminate vault container: %v", err)
			}
		})
	}
	if err != nil {
		unavailable(t, fmt.Sprintf("no Vault container from image %s: %v", img, err))
	}
	addr := "http://" + listen
	if !host {
		if addr, err = ctr.PortEndpoint(ctx, port, "http"); err != nil {
			t.Fatalf("vault container endpoint: %v", err)
		}
	}
	waitHealthy(t, addr)
	return vaultServer{addr: addr, rootToken: token}
}

// waitHealthy waits for Vault at addr to report itself active.
func waitHealthy(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(addr + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("vault at %s not healthy: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
