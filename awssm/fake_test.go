package awssm_test

import (
	"context"
	"fmt"
	"sync/atomic"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fakeAPI answers each call with the function set for it and counts the
// calls. It is for testing error mapping only: the behaviour of the store
// is tested against a real server in the integration module.
type fakeAPI struct {
	calls    atomic.Int64
	lastOpts []func(*sm.Options)

	get    func(*sm.GetSecretValueInput) (*sm.GetSecretValueOutput, error)
	batch  func(*sm.BatchGetSecretValueInput) (*sm.BatchGetSecretValueOutput, error)
	create func(*sm.CreateSecretInput) (*sm.CreateSecretOutput, error)
	put    func(*sm.PutSecretValueInput) (*sm.PutSecretValueOutput, error)
}

func call[In, Out any](f *fakeAPI, fn func(In) (Out, error), in In, opts []func(*sm.Options)) (Out, error) {
	f.calls.Add(1)
	f.lastOpts = opts
	if fn == nil {
		var zero Out
		return zero, fmt.Errorf("fakeAPI: unexpected %T", in)
	}
	return fn(in)
}

func (f *fakeAPI) GetSecretValue(_ context.Context, in *sm.GetSecretValueInput, o ...func(*sm.Options)) (*sm.GetSecretValueOutput, error) {
	return call(f, f.get, in, o)
}

func (f *fakeAPI) BatchGetSecretValue(_ context.Context, in *sm.BatchGetSecretValueInput, o ...func(*sm.Options)) (*sm.BatchGetSecretValueOutput, error) {
	return call(f, f.batch, in, o)
}

func (f *fakeAPI) CreateSecret(_ context.Context, in *sm.CreateSecretInput, o ...func(*sm.Options)) (*sm.CreateSecretOutput, error) {
	return call(f, f.create, in, o)
}

func (f *fakeAPI) PutSecretValue(_ context.Context, in *sm.PutSecretValueInput, o ...func(*sm.Options)) (*sm.PutSecretValueOutput, error) {
	return call(f, f.put, in, o)
}

func (f *fakeAPI) DeleteSecret(_ context.Context, in *sm.DeleteSecretInput, o ...func(*sm.Options)) (*sm.DeleteSecretOutput, error) {
	return call[*sm.DeleteSecretInput, *sm.DeleteSecretOutput](f, nil, in, o)
}

func (f *fakeAPI) RestoreSecret(_ context.Context, in *sm.RestoreSecretInput, o ...func(*sm.Options)) (*sm.RestoreSecretOutput, error) {
	return call[*sm.RestoreSecretInput, *sm.RestoreSecretOutput](f, nil, in, o)
}

func (f *fakeAPI) ListSecrets(_ context.Context, in *sm.ListSecretsInput, o ...func(*sm.Options)) (*sm.ListSecretsOutput, error) {
	return call[*sm.ListSecretsInput, *sm.ListSecretsOutput](f, nil, in, o)
}
