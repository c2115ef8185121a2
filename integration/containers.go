package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// startTimeout bounds pulling an image and starting a container.
const startTimeout = 5 * time.Minute

// startFunc starts a container and says where its server listens. It may
// return a container together with an error; the container is still
// terminated by Cleanup.
type startFunc func(ctx context.Context) (Server, testcontainers.Container, error)

// shared holds the one container of a kind in this test binary.
type shared struct {
	mu      sync.Mutex // held while starting, so concurrent callers wait for one start
	started bool
	srv     Server
	err     error
	ctr     testcontainers.Container
}

func (s *shared) get(start startFunc) (Server, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		s.srv, s.ctr, s.err = start(ctx)
		if s.err != nil && s.ctr != nil {
			s.err = fmt.Errorf("%w\n%s", s.err, logTail(ctx, s.ctr))
		}
		s.started = true
	}
	return s.srv, s.err
}

// terminate stops the container, if any; a later get starts a new one.
func (s *shared) terminate() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctr := s.ctr
	s.started, s.srv, s.err, s.ctr = false, Server{}, nil, nil
	if ctr == nil {
		return nil
	}
	return testcontainers.TerminateContainer(ctr)
}

var (
	localstackCtr shared
	vaultCtr      shared
)

// Cleanup terminates the containers this package started. Call it once the
// package's tests are done, from TestMain; [Main] does.
func Cleanup() error {
	err := errors.Join(localstackCtr.terminate(), vaultCtr.terminate())
	if err != nil {
		return fmt.Errorf("integration: terminate containers: %w", err)
	}
	return nil
}

// Main runs the tests and then [Cleanup]. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(integration.Main(m)) }
//
// A failed cleanup turns a passing run into a failing one.
func Main(m *testing.M) int {
	code := m.Run()
	if err := Cleanup(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

var docker struct {
	once sync.Once
	err  error
}

// dockerErr reports, once per test binary, why no Docker engine answers.
func dockerErr() error {
	docker.once.Do(func() { docker.err = pingDocker() })
	return docker.err
}

func pingDocker() (err error) {
	// testcontainers-go panics in places when it finds no engine.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return p.Health(ctx) // closes p
}

// fromContainer returns the shared container's server, starting it first if
// needed; it skips or fails t when there is no Docker engine.
func fromContainer(t testing.TB, what string, s *shared, start startFunc) Server {
	t.Helper()
	if err := dockerErr(); err != nil {
		unavailable(t, fmt.Sprintf("no %s container: no Docker engine answers: %v", what, err))
	}
	srv, err := s.get(start)
	if err != nil {
		t.Fatalf("integration: start %s container: %v", what, err)
	}
	return srv
}

// hostNetworkOptions runs a container with host networking on a free
// loopback port, which it returns; the caller tells the server to listen on
// 127.0.0.1:port. No ports are published, and the container joins no other
// network (testcontainers-go adds its default network, which an engine
// without a bridge network cannot combine with host mode). readyPath is
// polled on 127.0.0.1 until it answers 200.
func hostNetworkOptions(readyPath string) ([]testcontainers.ContainerCustomizer, int, error) {
	port, err := FreePort()
	if err != nil {
		return nil, 0, err
	}
	return []testcontainers.ContainerCustomizer{
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.NetworkMode = "host"
			hc.PortBindings = nil
		}),
		testcontainers.WithEndpointSettingsModifier(func(s map[string]*network.EndpointSettings) {
			clear(s)
		}),
		testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
			req.ExposedPorts = nil
			return nil
		}),
		testcontainers.WithWaitStrategy(&loopbackReady{
			url:     fmt.Sprintf("http://127.0.0.1:%d%s", port, readyPath),
			timeout: 2 * time.Minute,
		}),
	}, port, nil
}

// loopbackReady waits until a GET of url answers 200. Under host networking
// the server listens on this machine's loopback, while the host that
// testcontainers-go's own strategies ask may be a gateway address (when the
// tests themselves run in a container); so it polls 127.0.0.1 directly.
type loopbackReady struct {
	url     string
	timeout time.Duration
}

// WaitUntilReady implements wait.Strategy.
func (w *loopbackReady) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		if st, err := target.State(ctx); err == nil && (st.Status == "exited" || st.Status == "dead") {
			return fmt.Errorf("container %s with exit code %d before %s answered", st.Status, st.ExitCode, w.url)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200: %w", w.url, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// logTail returns the last lines a failed container wrote, to explain why.
func logTail(ctx context.Context, ctr testcontainers.Container) string {
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return "(no container logs: " + err.Error() + ")"
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "container logs (last lines):\n  " + strings.Join(lines, "\n  ")
}
