package awssm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// maxBatch is the most secret IDs one BatchGetSecretValue call takes.
const maxBatch = 20

// maxValue is the most bytes a secret value holds.
const maxValue = 65536

// secret is one version of a secret as read or written: its name and ARN,
// the value and the version ID.
//
// The ARN ends in six random characters that Secrets Manager draws anew
// each time a name is created, so it names one incarnation of the secret.
// Writes that depend on what was read address the secret by ARN: against a
// secret deleted and created again since, they fail as not found instead
// of landing on the new one.
type secret struct {
	name    string
	arn     string
	value   string
	version string
}

// id returns what to address sec's secret by: its ARN when known.
func (sec secret) id() string {
	if sec.arn != "" {
		return sec.arn
	}
	return sec.name
}

// get reads the current version of name. A secret that does not exist or
// is scheduled for deletion reads as absent (ok false, no error).
func (s *Store) get(ctx context.Context, name string) (sec secret, ok bool, err error) {
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(name),
		VersionStage: aws.String("AWSCURRENT"),
	}, s.callOpts...)
	if err != nil {
		if isGone(err) {
			return secret{}, false, nil
		}
		return secret{}, false, err
	}
	return secret{
		name:    name,
		arn:     aws.ToString(out.ARN),
		value:   aws.ToString(out.SecretString),
		version: aws.ToString(out.VersionId),
	}, true, nil
}

// batchGet reads the current versions of up to maxBatch names in one call.
// Absent names are missing from the result. Other per-secret errors fail
// the whole read, as smithy.APIError values.
func (s *Store) batchGet(ctx context.Context, names []string) (map[string]secret, error) {
	if len(names) > maxBatch {
		return nil, fmt.Errorf("batch of %d names, limit %d", len(names), maxBatch)
	}
	got := make(map[string]secret, len(names))
	in := &secretsmanager.BatchGetSecretValueInput{SecretIdList: names}
	for {
		out, err := s.api.BatchGetSecretValue(ctx, in, s.callOpts...)
		if err != nil {
			return nil, err
		}
		for _, e := range out.Errors {
			if code := aws.ToString(e.ErrorCode); !goneCode(code) {
				return nil, &smithy.GenericAPIError{Code: code, Message: aws.ToString(e.Message)}
			}
		}
		for _, v := range out.SecretValues {
			name := aws.ToString(v.Name)
			got[name] = secret{
				name:    name,
				arn:     aws.ToString(v.ARN),
				value:   aws.ToString(v.SecretString),
				version: aws.ToString(v.VersionId),
			}
		}
		if out.NextToken == nil {
			return got, nil
		}
		in.NextToken = out.NextToken
	}
}

// create makes secret name with value as its first version. It returns
// errExists, wrapping the API error, when the name is taken, including by
// a secret scheduled for deletion.
func (s *Store) create(ctx context.Context, name, value string, kind secretKind) (secret, error) {
	version := randomVersion()
	in := &secretsmanager.CreateSecretInput{
		Name:               aws.String(name),
		SecretString:       aws.String(value),
		ClientRequestToken: aws.String(version),
		Description:        aws.String(descriptions[kind]),
		Tags:               s.tags,
	}
	if s.opts.KMSKeyID != "" {
		in.KmsKeyId = aws.String(s.opts.KMSKeyID)
	}
	out, err := s.api.CreateSecret(ctx, in, s.callOpts...)
	if err != nil {
		if hasCode(err, "ResourceExistsException", "InvalidRequestException") {
			return secret{}, &stateError{errExists, err}
		}
		return secret{}, err
	}
	return secret{name: name, arn: aws.ToString(out.ARN), value: value, version: version}, nil
}

// put replaces the value of base's secret with value if, and only if, base
// is still its current version: a compare-and-swap. The new version's ID
// is derived from base's, so of all writers that read base only the first
// can create it; Secrets Manager refuses the others' ClientRequestToken
// (ResourceExistsException), which put returns as errStale. A writer that
// read an older version asks for a version ID that exists already and
// fails the same way. (Writers that would put the same value both succeed,
// so records, tombstones and index entries all carry a nonce: exactly one
// writer wins.) The secret is addressed by the
// ARN read, so a secret deleted since, or deleted and created again, gives
// errGone.
func (s *Store) put(ctx context.Context, base secret, value string) (secret, error) {
	version := nextVersion(base.version)
	_, err := s.api.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(base.id()),
		SecretString:       aws.String(value),
		ClientRequestToken: aws.String(version),
	}, s.callOpts...)
	switch {
	case err == nil:
		return secret{name: base.name, arn: base.arn, value: value, version: version}, nil
	case hasCode(err, "ResourceExistsException"):
		return secret{}, &stateError{errStale, err}
	case isGone(err):
		return secret{}, &stateError{errGone, err}
	}
	return secret{}, err
}

// remove deletes the secret with the given name or ARN, at once when force
// is set and otherwise after the configured recovery window. A secret
// already gone or already scheduled for deletion counts as removed.
func (s *Store) remove(ctx context.Context, secretID string, force bool) error {
	in := &secretsmanager.DeleteSecretInput{SecretId: aws.String(secretID)}
	if force {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		in.RecoveryWindowInDays = aws.Int64(int64(s.opts.RecoveryWindowDays))
	}
	_, err := s.api.DeleteSecret(ctx, in, s.callOpts...)
	if err != nil && !isGone(err) {
		return err
	}
	return nil
}

// restore cancels the scheduled deletion of secret name.
func (s *Store) restore(ctx context.Context, name string) error {
	_, err := s.api.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(name)}, s.callOpts...)
	return err
}

// nextVersion derives the version ID that a compare-and-swap from version v
// writes: a UUID-shaped hash, as ClientRequestToken wants 32-64 characters.
func nextVersion(v string) string {
	h := sha256.Sum256([]byte("tokenstore/awssm/cas\x00" + v))
	return uuidString(h[:16])
}

func randomVersion() string { return uuidString(randomBytes(16)) }

// nonceLen is the length of a nonce: 64 random bits in hexadecimal.
const nonceLen = 16

// nonce returns a random string that makes a written value unique.
func nonce() string { return fmt.Sprintf("%x", randomBytes(nonceLen/2)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("awssm: reading random bytes: %v", err))
	}
	return b
}

func uuidString(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Internal outcomes of single calls, always wrapped in a stateError that
// keeps the API error reachable.
var (
	errExists = errors.New("secret exists")
	errStale  = errors.New("secret changed since it was read")
	errGone   = errors.New("secret was deleted")
)

type stateError struct {
	state error
	api   error
}

func (e *stateError) Error() string { return e.state.Error() + ": " + e.api.Error() }

func (e *stateError) Unwrap() []error { return []error{e.state, e.api} }

// hasCode reports whether err carries one of the given API error codes.
func hasCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// isGone reports whether err says the secret does not exist or is
// scheduled for deletion. Secrets Manager answers InvalidRequestException
// for a secret marked for deletion (LocalStack 4.14 too; earlier versions
// answered ResourceNotFoundException when a version stage was asked for).
func isGone(err error) bool {
	return hasCode(err, "ResourceNotFoundException", "InvalidRequestException")
}

func goneCode(code string) bool {
	return code == "ResourceNotFoundException" || code == "InvalidRequestException"
}
