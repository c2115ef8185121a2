package awssm

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// API is the part of *secretsmanager.Client that Store calls. Tests and
// wrappers (metrics, fault injection) can stand in for the client.
type API interface {
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	BatchGetSecretValue(context.Context, *secretsmanager.BatchGetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error)
	CreateSecret(context.Context, *secretsmanager.CreateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	PutSecretValue(context.Context, *secretsmanager.PutSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	DeleteSecret(context.Context, *secretsmanager.DeleteSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
	RestoreSecret(context.Context, *secretsmanager.RestoreSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.RestoreSecretOutput, error)
	ListSecrets(context.Context, *secretsmanager.ListSecretsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
}

var _ API = (*secretsmanager.Client)(nil)

// Store is a tokenstore.Store on AWS Secrets Manager. It is safe for
// concurrent use, and any number of Store values with the same prefix, in
// any number of processes, behave as one store. See the package
// documentation for the layout, costs and guarantees.
//
// Store runs the write protocol of package driver/kvstore (index entries
// claimed before the record, compare-and-swap on every write, tombstones,
// repair of what a stopped writer left) over Secrets Manager; its methods
// say what each costs here.
type Store struct {
	engine   *kvstore.Engine
	api      API
	opts     Options
	names    names
	tags     []types.Tag
	callOpts []func(*secretsmanager.Options)
}

var (
	_ tokenstore.Store   = (*Store)(nil)
	_ tokenstore.Updater = (*Store)(nil)
)

// New returns a Store that keeps its records through client, configured by
// opts (nil for the defaults). It makes no network call, so it is cheap on
// a Lambda cold start; the first operation reports missing credentials or
// permissions.
func New(client API, opts *Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("awssm: new: nil client")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("awssm: new: %w", err)
	}
	s := &Store{api: client, opts: o, names: names{prefix: o.Prefix, pepper: o.Pepper}}
	keys := make([]string, 0, len(o.Tags))
	for k := range o.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.tags = append(s.tags, types.Tag{Key: aws.String(k), Value: aws.String(o.Tags[k])})
	}
	if o.Retryer != nil {
		r := o.Retryer
		s.callOpts = append(s.callOpts, func(so *secretsmanager.Options) { so.Retryer = r })
	}
	s.engine, err = kvstore.New(backend{s}, s.engineOptions())
	if err != nil {
		return nil, fmt.Errorf("awssm: new: %w", err)
	}
	return s, nil
}

// engineOptions configures the engine for Secrets Manager: batches of
// maxBatch for BatchGetSecretValue, few deletes in flight for the write
// rate, and a tombstone before each purge unless secrets are deleted at
// once (a secret pending deletion can be restored).
func (s *Store) engineOptions() kvstore.Options {
	return kvstore.Options{
		Name:            "awssm",
		MaxAttempts:     s.opts.MaxAttempts,
		RetryDelay:      s.opts.RetryDelay,
		MaxRetryDelay:   s.opts.MaxRetryDelay,
		Parallelism:     deleteWorkers,
		BatchSize:       maxBatch,
		MarkBeforePurge: !s.opts.ForceDelete,
	}
}

// NewFromConfig returns a Store over secretsmanager.NewFromConfig(cfg).
func NewFromConfig(cfg aws.Config, opts *Options) (*Store, error) {
	return New(secretsmanager.NewFromConfig(cfg), opts)
}

// FromEnv returns a Store over a client configured the standard way: the
// environment (AWS_REGION, AWS_ENDPOINT_URL, which points the client at
// LocalStack, ...), the shared config files and the Lambda or container
// role. Loading the configuration reads local files and the environment
// only; credentials are fetched on the first call.
func FromEnv(ctx context.Context, opts *Options) (*Store, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("awssm: load AWS config: %w", err)
	}
	return NewFromConfig(cfg, opts)
}
