package awssm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/driver"
)

var secretTok = tokenstore.Token{
	ID: "rec-1", UserName: "alice@example.com", ClientID: "1000.cid", ClientSecret: "secret-cs-x",
	RefreshToken: "secret-rt-x", AccessToken: "secret-at-x", GrantToken: "secret-gt-x",
}

func newStore(t *testing.T, f *fakeAPI, opts *awssm.Options) *awssm.Store {
	t.Helper()
	s, err := awssm.New(f, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// noSecrets fails the test if err's message shows a user name or token.
func noSecrets(t *testing.T, err error) {
	t.Helper()
	for _, v := range []string{secretTok.UserName, secretTok.ClientSecret, secretTok.RefreshToken, secretTok.AccessToken, secretTok.GrantToken} {
		if err != nil && strings.Contains(err.Error(), v) {
			t.Fatalf("error %q shows token data", err)
		}
	}
}

func getReturns(err error) func(*sm.GetSecretValueInput) (*sm.GetSecretValueOutput, error) {
	return func(*sm.GetSecretValueInput) (*sm.GetSecretValueOutput, error) { return nil, err }
}

func TestFindErrorMapping(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}
	for _, c := range []struct {
		name     string
		apiErr   error
		sentinel error
		apiCode  string
	}{
		{"missing secret", &types.ResourceNotFoundException{Message: aws.String("can't find")}, tokenstore.ErrNotFound, ""},
		{"scheduled for deletion", &types.InvalidRequestException{Message: aws.String("marked for deletion")}, tokenstore.ErrNotFound, ""},
		{"access denied", denied, nil, "AccessDeniedException"},
		{"decryption failure", &types.DecryptionFailure{Message: aws.String("kms")}, nil, "DecryptionFailure"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeAPI{get: getReturns(c.apiErr)}
			_, err := newStore(t, f, nil).FindTokenByID(context.Background(), "rec-1")
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Fatalf("got %v; want %v", err, c.sentinel)
			}
			var ae smithy.APIError
			if c.apiCode != "" && (!errors.As(err, &ae) || ae.ErrorCode() != c.apiCode) {
				t.Fatalf("got %v; want it to wrap the %s API error", err, c.apiCode)
			}
			if c.apiCode != "" && errors.Is(err, tokenstore.ErrNotFound) {
				t.Fatalf("got %v; an API failure must not read as not found", err)
			}
			if !strings.HasPrefix(err.Error(), "awssm: find by id: ") {
				t.Errorf("error %q does not start with \"awssm: find by id: \"", err)
			}
		})
	}
}

func TestCorruptRecord(t *testing.T) {
	for _, v := range []string{"not json", `{"v":9,"token":{"id":"rec-1"}}`, `{"v":1,"token":{"id":"other"}}`} {
		f := &fakeAPI{get: func(*sm.GetSecretValueInput) (*sm.GetSecretValueOutput, error) {
			return &sm.GetSecretValueOutput{SecretString: aws.String(v), VersionId: aws.String("v1")}, nil
		}}
		_, err := newStore(t, f, nil).FindTokenByID(context.Background(), "rec-1")
		if !errors.Is(err, tokenstore.ErrCorrupt) {
			t.Fatalf("value %q: got %v; want ErrCorrupt", v, err)
		}
	}
}

func TestBatchErrorMapping(t *testing.T) {
	f := &fakeAPI{batch: func(in *sm.BatchGetSecretValueInput) (*sm.BatchGetSecretValueOutput, error) {
		return &sm.BatchGetSecretValueOutput{Errors: []types.APIErrorType{
			{SecretId: aws.String(in.SecretIdList[0]), ErrorCode: aws.String("ResourceNotFoundException")},
			{SecretId: aws.String(in.SecretIdList[1]), ErrorCode: aws.String("DecryptionFailure"), Message: aws.String("kms key disabled")},
		}}, nil
	}}
	_, err := newStore(t, f, nil).GetTokens(context.Background())
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "DecryptionFailure" {
		t.Fatalf("GetTokens: got %v; want the per-secret DecryptionFailure as a smithy.APIError", err)
	}
	// Missing secrets alone are no error: an empty namespace.
	f.batch = func(in *sm.BatchGetSecretValueInput) (*sm.BatchGetSecretValueOutput, error) {
		out := &sm.BatchGetSecretValueOutput{}
		for _, id := range in.SecretIdList {
			out.Errors = append(out.Errors, types.APIErrorType{SecretId: aws.String(id), ErrorCode: aws.String("ResourceNotFoundException")})
		}
		return out, nil
	}
	got, err := newStore(t, f, nil).GetTokens(context.Background())
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("GetTokens(empty): %v, %v; want an empty slice", got, err)
	}
}

// TestRefusedBeforeAnyCall covers input the store refuses without calling
// Secrets Manager.
func TestRefusedBeforeAnyCall(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	huge := strings.Repeat("x", driver.MaxRecordSize)
	for _, c := range []struct {
		name string
		run  func(s *awssm.Store) error
		want error
	}{
		{"save no token", func(s *awssm.Store) error { return s.SaveToken(bg, &tokenstore.Token{UserName: "u"}) }, tokenstore.ErrInvalidToken},
		{"save bad ID", func(s *awssm.Store) error { return s.SaveToken(bg, &tokenstore.Token{ID: "../x", AccessToken: "a"}) }, tokenstore.ErrInvalidToken},
		{"save bad UTF-8", func(s *awssm.Store) error {
			return s.SaveToken(bg, &tokenstore.Token{UserName: "\xff", AccessToken: "a"})
		}, tokenstore.ErrInvalidToken},
		{"save too large", func(s *awssm.Store) error {
			return s.SaveToken(bg, &tokenstore.Token{UserName: "u", AccessToken: huge})
		}, tokenstore.ErrTooLarge},
		{"find no key", func(s *awssm.Store) error { _, err := s.FindToken(bg, tokenstore.Token{ClientID: "c"}); return err }, tokenstore.ErrInvalidToken},
		{"find bad ID", func(s *awssm.Store) error { _, err := s.FindTokenByID(bg, "a/b"); return err }, tokenstore.ErrInvalidToken},
		{"delete bad ID", func(s *awssm.Store) error { return s.DeleteToken(bg, "..") }, tokenstore.ErrInvalidToken},
		{"find cancelled", func(s *awssm.Store) error { _, err := s.FindToken(cancelled, secretTok); return err }, context.Canceled},
		{"save cancelled", func(s *awssm.Store) error { tok := secretTok; return s.SaveToken(cancelled, &tok) }, context.Canceled},
		{"list cancelled", func(s *awssm.Store) error { _, err := s.GetTokens(cancelled); return err }, context.Canceled},
		{"delete cancelled", func(s *awssm.Store) error { return s.DeleteToken(cancelled, "rec-1") }, context.Canceled},
		{"delete all cancelled", func(s *awssm.Store) error { return s.DeleteTokens(cancelled) }, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeAPI{}
			err := c.run(newStore(t, f, nil))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v; want %v", err, c.want)
			}
			if n := f.calls.Load(); n != 0 {
				t.Fatalf("made %d calls; want none", n)
			}
			noSecrets(t, err)
		})
	}
}

// TestConflictKeepsAPIError makes every compare-and-swap lose: the save
// ends in ErrConflict, which still reaches the API error of the last try.
func TestConflictKeepsAPIError(t *testing.T) {
	rec, err := driver.EncodeRecord(secretTok)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{
		get: func(*sm.GetSecretValueInput) (*sm.GetSecretValueOutput, error) {
			return &sm.GetSecretValueOutput{SecretString: aws.String(string(rec)), VersionId: aws.String("v1"), CreatedDate: aws.Time(time.Now())}, nil
		},
		put: func(*sm.PutSecretValueInput) (*sm.PutSecretValueOutput, error) {
			return nil, &types.ResourceExistsException{Message: aws.String("token in use")}
		},
	}
	s := newStore(t, f, &awssm.Options{MaxAttempts: 4, RetryDelay: time.Nanosecond})
	err = s.SaveToken(context.Background(), &tokenstore.Token{ID: "rec-1", AccessToken: "secret-at-new"})
	var ae smithy.APIError
	if !errors.Is(err, tokenstore.ErrConflict) || !errors.As(err, &ae) || ae.ErrorCode() != "ResourceExistsException" {
		t.Fatalf("got %v; want ErrConflict wrapping ResourceExistsException", err)
	}
	if n := f.calls.Load(); n != 8 {
		t.Errorf("made %d calls; want 8 (4 attempts of a read and a write)", n)
	}
	noSecrets(t, err)
}

// TestRetryerOption checks that Options.Retryer reaches every call.
func TestRetryerOption(t *testing.T) {
	r := retry.AddWithMaxAttempts(retry.NewStandard(), 7)
	f := &fakeAPI{get: getReturns(&types.ResourceNotFoundException{})}
	_, _ = newStore(t, f, &awssm.Options{Retryer: r}).FindTokenByID(context.Background(), "rec-1")
	var o sm.Options
	for _, fn := range f.lastOpts {
		fn(&o)
	}
	if o.Retryer != r {
		t.Fatalf("call options set retryer %v; want the configured one", o.Retryer)
	}
}
