package awssm_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"sync"
	"syscall"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// smOps names the operations of awssm.API; the first three only read.
var smOps = []string{"GetSecretValue", "BatchGetSecretValue", "ListSecrets", "CreateSecret", "PutSecretValue", "DeleteSecret", "RestoreSecret"}

// smCounter counts calls by operation; smServer and smClient embed one.
// Safe for concurrent use.
type smCounter struct {
	cmu   sync.Mutex
	calls map[string]int64
	n     int64
}

// add counts a call of op and returns its number, from 1.
func (c *smCounter) add(op string) int64 {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if c.calls == nil {
		c.calls = make(map[string]int64)
	}
	c.calls[op]++
	c.n++
	return c.n
}

// count returns how many calls of the given operations (all when none are
// named) were made, failed ones included.
func (c *smCounter) count(ops ...string) int64 {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if len(ops) == 0 {
		return c.n
	}
	var n int64
	for _, op := range ops {
		n += c.calls[op]
	}
	return n
}

func (c *smCounter) reads() int64  { return c.count(smOps[:3]...) }
func (c *smCounter) writes() int64 { return c.count(smOps[3:]...) }

// smClient is what one store, standing for one process, calls: it passes
// each call on to api (an smServer, or a real client) through an Injector,
// which the fault sweep plans faults on, and counts the calls by
// operation. Every call counts, read or write, failed or not, from 1. Safe
// for concurrent use; with several goroutines, which call is the n-th is
// decided by arrival order.
type smClient struct {
	smCounter
	api awssm.API
	in  *storetest.Injector
}

var _ awssm.API = (*smClient)(nil)

// newSMClient returns a client of api whose calls pass through in (nil: an
// Injector of its own).
func newSMClient(api awssm.API, in ...*storetest.Injector) *smClient {
	c := &smClient{api: api, in: storetest.NewInjector()}
	if len(in) > 0 && in[0] != nil {
		c.in = in[0]
	}
	return c
}

// failAt plans fault for the n-th call from now (1-based, all operations
// counted), once, replacing any earlier plan.
func (c *smClient) failAt(n int64, fault storetest.Fault) { c.in.Arm(n, fault, false) }

// smResetErr is the cause of the connection errors that faults inject;
// errors.Is(err, syscall.ECONNRESET) finds it, as it does after a real reset.
var smResetErr = &url.Error{Op: "Post", URL: "https://secretsmanager." + smRegion + ".amazonaws.com/",
	Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}

// smCall runs one call of op through c: counted, and through c's
// Injector, whose faults reach the caller as the SDK's errors do.
func smCall[Out any](c *smClient, ctx context.Context, op string, call func(context.Context) (Out, error)) (Out, error) {
	c.add(op)
	var out, zero Out
	err := c.in.Do(ctx, op, func(ctx context.Context) error {
		var err error
		out, err = call(ctx)
		return err
	})
	switch {
	case errors.Is(err, storetest.ErrInjected):
		return zero, &smithy.OperationError{ServiceID: sm.ServiceID, OperationName: op, Err: &smithyhttp.RequestSendError{Err: smResetErr}}
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return zero, smCanceled(op, ctx.Err())
	}
	return out, err
}

func (c *smClient) GetSecretValue(ctx context.Context, in *sm.GetSecretValueInput, o ...func(*sm.Options)) (*sm.GetSecretValueOutput, error) {
	return smCall(c, ctx, "GetSecretValue", func(ctx context.Context) (*sm.GetSecretValueOutput, error) {
		return c.api.GetSecretValue(ctx, in, o...)
	})
}

func (c *smClient) BatchGetSecretValue(ctx context.Context, in *sm.BatchGetSecretValueInput, o ...func(*sm.Options)) (*sm.BatchGetSecretValueOutput, error) {
	return smCall(c, ctx, "BatchGetSecretValue", func(ctx context.Context) (*sm.BatchGetSecretValueOutput, error) {
		return c.api.BatchGetSecretValue(ctx, in, o...)
	})
}

func (c *smClient) ListSecrets(ctx context.Context, in *sm.ListSecretsInput, o ...func(*sm.Options)) (*sm.ListSecretsOutput, error) {
	return smCall(c, ctx, "ListSecrets", func(ctx context.Context) (*sm.ListSecretsOutput, error) { return c.api.ListSecrets(ctx, in, o...) })
}

func (c *smClient) CreateSecret(ctx context.Context, in *sm.CreateSecretInput, o ...func(*sm.Options)) (*sm.CreateSecretOutput, error) {
	return smCall(c, ctx, "CreateSecret", func(ctx context.Context) (*sm.CreateSecretOutput, error) { return c.api.CreateSecret(ctx, in, o...) })
}

func (c *smClient) PutSecretValue(ctx context.Context, in *sm.PutSecretValueInput, o ...func(*sm.Options)) (*sm.PutSecretValueOutput, error) {
	return smCall(c, ctx, "PutSecretValue", func(ctx context.Context) (*sm.PutSecretValueOutput, error) {
		return c.api.PutSecretValue(ctx, in, o...)
	})
}

func (c *smClient) DeleteSecret(ctx context.Context, in *sm.DeleteSecretInput, o ...func(*sm.Options)) (*sm.DeleteSecretOutput, error) {
	return smCall(c, ctx, "DeleteSecret", func(ctx context.Context) (*sm.DeleteSecretOutput, error) { return c.api.DeleteSecret(ctx, in, o...) })
}

func (c *smClient) RestoreSecret(ctx context.Context, in *sm.RestoreSecretInput, o ...func(*sm.Options)) (*sm.RestoreSecretOutput, error) {
	return smCall(c, ctx, "RestoreSecret", func(ctx context.Context) (*sm.RestoreSecretOutput, error) { return c.api.RestoreSecret(ctx, in, o...) })
}
