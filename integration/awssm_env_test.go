package integration_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"github.com/tokenstore-go/tokenstore/integration"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/middleware"
)

// smConfig returns the configuration of a Secrets Manager endpoint from the
// shared helpers (AWS_ENDPOINT_URL, else a LocalStack container), with extra
// middleware when apiOpts is set, and the patient retryer LocalStack
// needs under the load of this package's parallel tests. Without a server
// the test is skipped, or fails when TOKENSTORE_INTEGRATION=required.
func smConfig(t testing.TB, apiOpts ...func(*middleware.Stack) error) aws.Config {
	t.Helper()
	cfg, _ := integration.AWSConfig(t, integration.Any)
	cfg.APIOptions = append(cfg.APIOptions, apiOpts...)
	cfg.Retryer = patientRetryer
	return cfg
}

// smCalls counts the Secrets Manager operations a client makes, by name. It
// counts each operation once, however often the SDK retries it.
type smCalls struct {
	mu sync.Mutex
	n  map[string]int64
}

func newSMCalls() *smCalls { return &smCalls{n: make(map[string]int64)} }

// register adds the counting middleware to a client's stack.
func (c *smCalls) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("tokenstoreCallCount",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.n[awsmiddleware.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// snapshot returns the counts so far.
func (c *smCalls) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// smIsRead reports whether a Secrets Manager operation only reads.
func smIsRead(op string) bool {
	for _, p := range []string{"Get", "BatchGet", "List", "Describe"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// total returns all calls and the writes among them.
func (c *smCalls) total() (all, writes int64) {
	for op, n := range c.snapshot() {
		all += n
		if !smIsRead(op) {
			writes += n
		}
	}
	return all, writes
}

// smCountingClient returns a Secrets Manager client whose calls c counts.
func smCountingClient(t testing.TB, c *smCalls) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(smConfig(t, c.register))
}

// smRunID is unique per test process, so runs never share a prefix.
var smRunID = func() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}()
