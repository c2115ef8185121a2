package awssm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tokenstore-go/tokenstore/awssm"
)

// smServer is AWS Secrets Manager in memory: one account in one region,
// holding the state that the seven operations of awssm.API read and
// change, with the semantics of the service as AWS documents it and as
// LocalStack 4.14 shows it (TestFakeMatchesServer compares the two, step
// by step, and lists where LocalStack departs from AWS):
//
//   - A secret is known by name and by its ARN, which ends in "-" and six
//     random characters drawn anew each time the name is created: the ARN
//     of a deleted secret never addresses a later secret of the same name.
//   - Each value is a version, with a VersionId (the ClientRequestToken
//     that made it) and staging labels: AWSCURRENT moves to each new
//     version, and AWSPREVIOUS to the version it left. Repeating a request
//     with a token already used for the same value is ignored and
//     succeeds; with another value it fails (ResourceExistsException).
//   - A secret deleted with a recovery window is pending deletion until
//     then: reads and writes of it fail (InvalidRequestException), its name
//     cannot be created again, ListSecrets hides it, RestoreSecret brings it
//     back. ForceDeleteWithoutRecovery removes it at once.
//
// Errors have the types and codes of service/secretsmanager/types, wrapped
// as the SDK wraps what it deserialises (a *smithy.OperationError around an
// HTTP response error), so code under test sees what it sees from AWS.
// Requests the SDK itself would refuse (a missing required field) fail as
// the SDK fails them, and a ClientRequestToken left empty is drawn at
// random, as the SDK does before it sends the request.
//
// It is safe for concurrent use, and never sleeps: time is s.now (the wall
// clock unless a test sets it), read only to date versions and deletions.
// It counts the requests that reach it, from all clients (smCounter); a
// store that stands for one process calls it through an smClient of its
// own, which counts that process's calls and injects faults.
type smServer struct {
	smCounter
	mu      sync.Mutex
	now     func() time.Time
	secrets map[string]*smSecret // by name: live or pending deletion
	issued  map[string]bool      // every ARN drawn, so that none is drawn twice
	seq     int64                // creations so far, to order ListSecrets
}

var _ awssm.API = (*smServer)(nil)

func newSMServer() *smServer {
	return &smServer{now: time.Now, secrets: make(map[string]*smSecret), issued: make(map[string]bool)}
}

// Limits of the service that the fake enforces.
const (
	smRegion        = "us-east-1"
	smAccount       = "000000000000"
	smARNPrefix     = "arn:aws:secretsmanager:" + smRegion + ":" + smAccount + ":secret:"
	smMaxBatch      = 20    // SecretIdList of BatchGetSecretValue
	smMaxName       = 512   // bytes of a name
	smMaxValue      = 65536 // bytes of SecretString or SecretBinary
	smMaxList       = 100   // MaxResults of ListSecrets
	smMaxDeprecated = 100   // versions without a label kept per secret
	smCurrent       = "AWSCURRENT"
	smPrevious      = "AWSPREVIOUS"
)

// smSecret is one incarnation of a secret name.
type smSecret struct {
	name, arn   string
	description *string
	kmsKeyID    *string
	tags        []types.Tag
	created     time.Time
	changed     time.Time
	deletion    time.Time // zero while live; else when it is purged
	seq         int64
	versions    map[string]*smVersion
	order       []string // version IDs, oldest first
}

type smVersion struct {
	id      string
	str     *string
	bin     []byte
	created time.Time
	stages  []string
}

func (sec *smSecret) pending() bool { return !sec.deletion.IsZero() }

// staged returns the version holding label, or nil.
func (sec *smSecret) staged(label string) *smVersion {
	for _, id := range sec.order {
		if v := sec.versions[id]; slices.Contains(v.stages, label) {
			return v
		}
	}
	return nil
}

// pick returns the version GetSecretValue asks for: by ID, by label, or
// AWSCURRENT when neither is given.
func (sec *smSecret) pick(id, label *string) (*smVersion, error) {
	if id != nil {
		v := sec.versions[*id]
		switch {
		case v == nil:
			return nil, smNotFoundf("Secrets Manager can't find the specified secret value for VersionId: %s", *id)
		case label != nil && !slices.Contains(v.stages, *label):
			return nil, &types.InvalidRequestException{Message: aws.String("You provided a VersionStage that is not associated to the provided VersionId.")}
		}
		return v, nil
	}
	l := smCurrent
	if label != nil {
		l = *label
	}
	if v := sec.staged(l); v != nil {
		return v, nil
	}
	return nil, smNotFoundf("Secrets Manager can't find the specified secret value for staging label: %s", l)
}

// add makes v a version of sec holding labels, moving each label from the
// version that held it; AWSCURRENT leaves AWSPREVIOUS on its old version.
func (sec *smSecret) add(v *smVersion, labels []string) {
	for _, l := range labels {
		old := sec.staged(l)
		if old == nil {
			continue
		}
		old.stages = slices.DeleteFunc(old.stages, func(s string) bool { return s == l })
		if l == smCurrent {
			if prev := sec.staged(smPrevious); prev != nil {
				prev.stages = slices.DeleteFunc(prev.stages, func(s string) bool { return s == smPrevious })
			}
			old.stages = append(old.stages, smPrevious)
		}
	}
	v.stages = slices.Clone(labels)
	sec.versions[v.id] = v
	sec.order = append(sec.order, v.id)
	sec.prune()
}

// prune drops the oldest versions without labels beyond smMaxDeprecated, as
// Secrets Manager removes outdated versions (it keeps those younger than a
// day; the fake keeps its memory bounded instead).
func (sec *smSecret) prune() {
	n := 0
	for _, id := range sec.order {
		if len(sec.versions[id].stages) == 0 {
			n++
		}
	}
	for i := 0; n > smMaxDeprecated && i < len(sec.order); {
		id := sec.order[i]
		if len(sec.versions[id].stages) != 0 {
			i++
			continue
		}
		delete(sec.versions, id)
		sec.order = slices.Delete(sec.order, i, i+1)
		n--
	}
}

// find returns the secret secretID addresses, or nil: by name, by full ARN
// (which addresses only the incarnation it was drawn for) or by partial
// ARN (the ARN without its random suffix). A secret whose recovery window
// has passed is purged first. The caller holds s.mu.
func (s *smServer) find(secretID string) *smSecret {
	var sec *smSecret
	if rest, ok := strings.CutPrefix(secretID, smARNPrefix); ok {
		if i := len(rest) - 7; i > 0 && rest[i] == '-' {
			if c := s.secrets[rest[:i]]; c != nil && c.arn == secretID {
				sec = c
			}
		}
		if sec == nil {
			sec = s.secrets[rest]
		}
	} else if !strings.HasPrefix(secretID, "arn:") {
		sec = s.secrets[secretID]
	}
	if sec != nil && sec.pending() && !s.now().Before(sec.deletion) {
		delete(s.secrets, sec.name)
		return nil
	}
	return sec
}

// drawARN returns a new ARN for name, never drawn before.
func (s *smServer) drawARN(name string) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = letters[int(b[i])%len(letters)]
		}
		arn := smARNPrefix + name + "-" + string(b)
		if !s.issued[arn] {
			s.issued[arn] = true
			return arn
		}
	}
}

// names returns the names of the secrets, live or pending deletion, that
// start with prefix, sorted: what a test inspects after the fact.
func (s *smServer) names(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name := range s.secrets {
		if strings.HasPrefix(name, prefix) && s.find(name) != nil {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// holding returns the names of the live secrets (not pending deletion)
// that start with prefix and hold value in any version ("" matches every
// one), sorted.
func (s *smServer) holding(prefix, value string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name, sec := range s.secrets {
		if !strings.HasPrefix(name, prefix) || sec.pending() {
			continue
		}
		for _, v := range sec.versions {
			if v.str != nil && strings.Contains(*v.str, value) || value != "" && strings.Contains(string(v.bin), value) || value == "" {
				out = append(out, name)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// smBegin does what the SDK does before a request leaves: it refuses a
// missing required field and a context that is already done.
func smBegin(ctx context.Context, op, input string, missing ...string) error {
	if len(missing) > 0 {
		p := smithy.InvalidParamsError{Context: input}
		for _, f := range missing {
			p.Add(smithy.NewErrParamRequired(f))
		}
		return &smithy.OperationError{ServiceID: sm.ServiceID, OperationName: op, Err: p}
	}
	if err := ctx.Err(); err != nil {
		return smCanceled(op, err)
	}
	return nil
}

func smCanceled(op string, err error) error {
	return &smithy.OperationError{ServiceID: sm.ServiceID, OperationName: op, Err: &smithy.CanceledError{Err: err}}
}

// smFail wraps the API error apiErr as the SDK returns what it
// deserialised from an error response.
func smFail(op string, apiErr error) error {
	resp := &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{}, Body: http.NoBody}
	return &smithy.OperationError{ServiceID: sm.ServiceID, OperationName: op, Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: apiErr},
		RequestID:     smUUID(),
	}}
}

func smNotFoundf(format string, a ...any) error {
	return &types.ResourceNotFoundException{Message: aws.String(fmt.Sprintf(format, a...))}
}

func smErrNotFound() error { return smNotFoundf("Secrets Manager can't find the specified secret.") }

func smErrDeleted() error {
	return &types.InvalidRequestException{Message: aws.String("You can't perform this operation on the secret because it was marked for deletion.")}
}

func smInvalidParam(msg string) error {
	return &types.InvalidParameterException{Message: aws.String(msg)}
}

// smValidation is the error of a request that breaks a constraint of the
// API model (a length, a pattern); the SDK has no type for it.
func smValidation(msg string) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: msg, Fault: smithy.FaultClient}
}

func smUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// smToken returns the version ID a write asks for: its ClientRequestToken,
// or a random one where the SDK would have filled it in.
func smToken(t *string) (string, error) {
	if t == nil {
		return smUUID(), nil
	}
	if n := len(*t); n < 32 || n > 64 {
		return "", smInvalidParam("ClientRequestToken must be 32-64 characters long.")
	}
	return *t, nil
}

// smCheckValue checks a write's value: at most one of string and binary
// (and one of them when required), within the size limit.
func smCheckValue(str *string, bin []byte, required bool) error {
	switch {
	case str != nil && bin != nil:
		return smInvalidParam("You can't specify both a binary secret value and a string secret value in the same secret.")
	case required && str == nil && bin == nil:
		return &types.InvalidRequestException{Message: aws.String("You must provide either SecretString or SecretBinary.")}
	case str != nil && len(*str) > smMaxValue, len(bin) > smMaxValue:
		return smValidation(fmt.Sprintf("1 validation error detected: the secret value must be at most %d bytes", smMaxValue))
	}
	return nil
}

func smValidName(name string) error {
	ok := name != "" && len(name) <= smMaxName
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/_+=.@-", c) >= 0
	}
	if !ok {
		return smValidation("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	return nil
}

// holds reports whether v's value is str or bin, the value a write asks for.
func (v *smVersion) holds(str *string, bin []byte) bool {
	if (v.str == nil) != (str == nil) {
		return false
	}
	if str != nil {
		return *v.str == *str
	}
	return bytes.Equal(v.bin, bin)
}

func (v *smVersion) value() (*string, []byte) {
	if v.str != nil {
		return aws.String(*v.str), nil
	}
	return nil, slices.Clone(v.bin)
}
