package awssm_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"sync"
	"syscall"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tokenstore-go/tokenstore/awssm"
)

// smFault is what smClient does to one call instead of passing it on.
type smFault int

const (
	smNoFault smFault = iota
	// smFailBefore fails the call before it reaches the server: nothing is
	// applied, and the caller gets a connection error.
	smFailBefore
	// smLoseAnswer applies the call, then drops the answer: the caller gets
	// a connection reset, as when the response never arrived.
	smLoseAnswer
	// smStall holds the call, unsent, until the caller's context is done.
	smStall
	// smApplyThenStall applies the call, then holds the answer until the
	// caller's context is done: a lost answer that costs the whole deadline.
	smApplyThenStall
)

var smFaults = []smFault{smFailBefore, smLoseAnswer, smStall, smApplyThenStall}

func (f smFault) String() string {
	return [...]string{"none", "fail-before", "lose-answer", "stall", "apply-then-stall"}[f]
}

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
// each call on to api (an smServer, or a real client), counts the calls by
// operation, and injects the faults its plan sets. Every call counts, read
// or write, failed or not, from 1. Safe for concurrent use; with several
// goroutines, which call is the n-th is decided by arrival order.
type smClient struct {
	smCounter
	api awssm.API

	mu   sync.Mutex
	plan func(n int64, op string) smFault
}

var _ awssm.API = (*smClient)(nil)

func newSMClient(api awssm.API) *smClient { return &smClient{api: api} }

// failAt plans fault for the n-th call from now (1-based, all operations
// counted), replacing any earlier plan.
func (c *smClient) failAt(n int64, fault smFault) {
	at := c.count() + n
	c.failWhen(func(i int64, _ string) smFault {
		if i == at {
			return fault
		}
		return smNoFault
	})
}

// failWhen sets the plan: f gets each call's number (from 1, counting every
// call this client has seen) and operation, and returns its fault. Nil
// clears the plan.
func (c *smClient) failWhen(f func(n int64, op string) smFault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.plan = f
}

// smResetErr is the cause of the connection errors that faults inject;
// errors.Is(err, syscall.ECONNRESET) finds it, as it does after a real reset.
var smResetErr = &url.Error{Op: "Post", URL: "https://secretsmanager." + smRegion + ".amazonaws.com/",
	Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}

// smCall runs one call of op through c: counted, and faulted by plan.
func smCall[Out any](c *smClient, ctx context.Context, op string, call func(context.Context) (Out, error)) (Out, error) {
	n := c.add(op)
	c.mu.Lock()
	plan := c.plan
	c.mu.Unlock()
	fault := smNoFault
	if plan != nil {
		fault = plan(n, op)
	}
	var zero Out
	reset := &smithy.OperationError{ServiceID: sm.ServiceID, OperationName: op, Err: &smithyhttp.RequestSendError{Err: smResetErr}}
	switch fault {
	case smFailBefore:
		return zero, reset
	case smStall:
		<-ctx.Done()
		return zero, smCanceled(op, ctx.Err())
	}
	sent := ctx
	if fault == smLoseAnswer || fault == smApplyThenStall {
		// The request has left: the server applies it whatever the
		// caller's context does meanwhile.
		sent = context.WithoutCancel(ctx)
	}
	out, err := call(sent)
	switch {
	case fault == smLoseAnswer:
		return zero, reset
	case fault == smApplyThenStall:
		<-ctx.Done()
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
