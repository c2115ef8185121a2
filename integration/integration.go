package integration

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Source selects, and then reports, where a server comes from.
type Source int

const (
	// Any takes the given endpoint if there is one, else a container.
	Any Source = iota
	// Given takes only the endpoint given by the environment.
	Given
	// Container always starts (or reuses) a container with testcontainers-go.
	Container
)

// String returns "any", "given" or "container".
func (s Source) String() string {
	switch s {
	case Any:
		return "any"
	case Given:
		return "given"
	case Container:
		return "container"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Server tells where a test server listens and how it was provided.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:4566.
	URL string
	// Source is Given or Container, never Any.
	Source Source
}

// Environment variables read by this package.
const (
	// EnvRequired, set to "required", turns every skip into a failure.
	EnvRequired = "TOKENSTORE_INTEGRATION"
	// EnvLocalStackImage overrides the LocalStack image.
	EnvLocalStackImage = "TOKENSTORE_LOCALSTACK_IMAGE"
	// EnvVaultImage overrides the Vault image.
	EnvVaultImage = "TOKENSTORE_VAULT_IMAGE"
	// EnvContainerNetwork, set to "host", runs containers with host
	// networking on a free loopback port instead of mapped ports.
	EnvContainerNetwork = "TOKENSTORE_CONTAINER_NETWORK"
)

// Default images, pulled by testcontainers-go when not present.
const (
	DefaultLocalStackImage = "localstack/localstack:4.14.0"
	DefaultVaultImage      = "hashicorp/vault:1.21"
)

// Required reports whether TOKENSTORE_INTEGRATION=required, in which case a
// missing server fails the test instead of skipping it.
func Required() bool { return os.Getenv(EnvRequired) == "required" }

// howTo is appended to every skip or failure caused by a missing server.
const howTo = `provide servers in one of these ways:
  - given endpoints: AWS_ENDPOINT_URL (Secrets Manager, e.g. LocalStack) and VAULT_ADDR + VAULT_TOKEN (Vault);
    in this repository: scripts/testenv.sh up && eval "$(scripts/testenv.sh env)"
  - a Docker engine that testcontainers-go can reach (DOCKER_HOST or /var/run/docker.sock),
    which pulls ` + DefaultLocalStackImage + ` and ` + DefaultVaultImage

// unavailable skips t, or fails it when Required.
func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := "integration: " + why + "\n" + howTo
	if Required() {
		t.Fatal(msg + "\n(failing, not skipping: " + EnvRequired + "=required)")
	}
	t.Skip(msg + "\n(set " + EnvRequired + "=required to fail instead of skip)")
}

// image returns the image named by env, or def.
func image(env, def string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}

// hostNetwork reports whether containers use host networking.
func hostNetwork() bool { return os.Getenv(EnvContainerNetwork) == "host" }

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for a
// server a test starts itself (another process may take it in between).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9-]+`)

// UniqueName returns a name for a secret or key that no other test or run
// uses: "tokenstore-test-", the test's name and random hex. It is valid as a
// Secrets Manager secret name and as a Vault KV path segment.
func UniqueName(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("integration: random name: %v", err)
	}
	name := strings.Trim(unsafeChars.ReplaceAllString(t.Name(), "-"), "-")
	if len(name) > 60 {
		name = name[:60]
	}
	return "tokenstore-test-" + strings.ToLower(name) + "-" + hex.EncodeToString(b[:])
}
