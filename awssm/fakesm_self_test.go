package awssm_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestFakeFaults checks each fault of smClient on a write: whether it was
// applied, and what the caller got.
func TestFakeFaults(t *testing.T) {
	for _, c := range []struct {
		fault   storetest.Fault
		applied bool
		want    error
	}{
		{storetest.FailBefore, false, syscall.ECONNRESET},
		{storetest.LoseAnswer, true, syscall.ECONNRESET},
		{storetest.Stall, false, context.DeadlineExceeded},
		{storetest.ApplyThenStall, true, context.DeadlineExceeded},
	} {
		t.Run(c.fault.String(), func(t *testing.T) {
			t.Parallel()
			srv := newSMServer()
			cl := newSMClient(srv)
			ctx := context.Background()
			name := aws.String("f/x")
			if _, err := cl.CreateSecret(ctx, &sm.CreateSecretInput{Name: name, SecretString: aws.String("v1")}); err != nil {
				t.Fatal(err)
			}
			cl.failAt(2, c.fault) // the put below is call 2 from now
			if _, err := cl.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: name}); err != nil {
				t.Fatalf("call 1 from the plan: %v", err)
			}
			short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			defer cancel()
			_, err := cl.PutSecretValue(short, &sm.PutSecretValueInput{SecretId: name, SecretString: aws.String("v2")})
			var ae smithy.APIError
			if !errors.Is(err, c.want) || errors.As(err, &ae) {
				t.Fatalf("faulted put: got %v; want an error wrapping %v and no API error", err, c.want)
			}
			got, err := cl.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: name})
			if err != nil {
				t.Fatal(err)
			}
			if applied := aws.ToString(got.SecretString) == "v2"; applied != c.applied {
				t.Fatalf("put applied: %v; want %v", applied, c.applied)
			}
			if r, w := cl.reads(), cl.writes(); r != 2 || w != 2 {
				t.Fatalf("the client counted %d reads and %d writes; want 2 and 2", r, w)
			}
			if n, want := srv.count(), map[bool]int64{false: 3, true: 4}[c.applied]; n != want {
				t.Fatalf("the server counted %d calls; want %d", n, want)
			}
		})
	}
}

// TestFakeErrorsAsSDK checks that the fake's errors reach the types the
// SDK deserialises, through the wrapping the SDK adds, and that a request
// the SDK would refuse, or a done context, never reaches the state.
func TestFakeErrorsAsSDK(t *testing.T) {
	srv := newSMServer()
	ctx := context.Background()
	_, err := srv.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	var oe *smithy.OperationError
	if !errors.As(err, &nf) || !errors.As(err, &oe) || oe.Operation() != "GetSecretValue" || oe.Service() != sm.ServiceID {
		t.Fatalf("got %v; want a ResourceNotFoundException inside an OperationError of GetSecretValue", err)
	}
	_, err = srv.CreateSecret(ctx, &sm.CreateSecretInput{SecretString: aws.String("v")})
	var pe smithy.InvalidParamsError
	if !errors.As(err, &pe) {
		t.Fatalf("create without a name: got %v; want smithy.InvalidParamsError", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	_, err = srv.CreateSecret(done, &sm.CreateSecretInput{Name: aws.String("n"), SecretString: aws.String("v")})
	if !errors.Is(err, context.Canceled) || len(srv.names("")) != 0 {
		t.Fatalf("create under a cancelled context: got %v, secrets %v; want context.Canceled and nothing created", err, srv.names(""))
	}
}

// TestFakeRecoveryWindowEnds checks that a secret pending deletion is
// purged when its window ends, freeing the name, on the fake's clock.
func TestFakeRecoveryWindowEnds(t *testing.T) {
	srv := newSMServer()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	srv.now = func() time.Time { return now }
	ctx := context.Background()
	name := aws.String("w/x")
	if _, err := srv.CreateSecret(ctx, &sm.CreateSecretInput{Name: name, SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: name, RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(7*24*time.Hour - time.Second)
	if _, err := srv.CreateSecret(ctx, &sm.CreateSecretInput{Name: name, SecretString: aws.String("v")}); smOutcome(err) != smInvalid {
		t.Fatalf("create a second before the window ends: %v; want %s", err, smInvalid)
	}
	now = now.Add(time.Second)
	if _, err := srv.CreateSecret(ctx, &sm.CreateSecretInput{Name: name, SecretString: aws.String("v")}); err != nil {
		t.Fatalf("create when the window has ended: %v", err)
	}
}

// TestFakeListing covers what the script does not: ListSecrets filters on
// description and tags, descending order, bad tokens, BatchGetSecretValue
// by filter, and the pruning of old versions.
func TestFakeListing(t *testing.T) {
	srv := newSMServer()
	ctx := context.Background()
	for i, n := range []string{"l/a", "l/b", "l/c"} {
		_, err := srv.CreateSecret(ctx, &sm.CreateSecretInput{
			Name: aws.String(n), SecretString: aws.String(n), Description: aws.String(fmt.Sprint("Desc ", i)),
			Tags: []types.Tag{{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	names := func(in *sm.ListSecretsInput) string {
		out, err := srv.ListSecrets(ctx, in)
		if err != nil {
			return smOutcome(err)
		}
		var got []string
		for _, e := range out.SecretList {
			got = append(got, aws.ToString(e.Name))
		}
		return fmt.Sprint(got, out.NextToken != nil)
	}
	f := func(key types.FilterNameStringType, v ...string) []types.Filter {
		return []types.Filter{{Key: key, Values: v}}
	}
	for _, c := range []struct {
		in   *sm.ListSecretsInput
		want string
	}{
		{&sm.ListSecretsInput{}, "[l/a l/b l/c] false"},
		{&sm.ListSecretsInput{SortOrder: types.SortOrderTypeDesc, MaxResults: aws.Int32(2)}, "[l/c l/b] true"},
		{&sm.ListSecretsInput{SortOrder: types.SortOrderTypeDesc, NextToken: aws.String("fake-2")}, "[l/a] false"},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeDescription, "desc 1")}, "[l/b] false"},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeTagKey, "k2", "k0")}, "[l/a l/c] false"},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeTagValue, "v")}, "[l/a l/b l/c] false"},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeName, "l/", "x"), MaxResults: aws.Int32(3)}, "[l/a l/b l/c] false"},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeName, "L/")}, "[] false"},
		{&sm.ListSecretsInput{NextToken: aws.String("garbage")}, "InvalidNextTokenException"},
		{&sm.ListSecretsInput{MaxResults: aws.Int32(101)}, "ValidationException"},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeAll, "x")}, smBadParam},
		{&sm.ListSecretsInput{Filters: f(types.FilterNameStringTypeName, "!l/a")}, smBadParam},
	} {
		if got := names(c.in); got != c.want {
			t.Errorf("ListSecrets(%+v): got %s; want %s", c.in, got, c.want)
		}
	}
	out, err := srv.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{Filters: f(types.FilterNameStringTypeName, "l/"), MaxResults: aws.Int32(2)})
	if err != nil || len(out.SecretValues) != 2 || out.NextToken == nil || aws.ToString(out.SecretValues[1].SecretString) != "l/b" {
		t.Fatalf("BatchGetSecretValue by filter: %+v, %v; want l/a and l/b, and a next page", out, err)
	}
	for i := range 150 {
		if _, err := srv.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("l/a"), SecretString: aws.String(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	srv.mu.Lock()
	kept := len(srv.secrets["l/a"].versions)
	srv.mu.Unlock()
	if kept != smMaxDeprecated+2 {
		t.Fatalf("after 151 versions, %d kept; want %d without labels, and AWSCURRENT and AWSPREVIOUS", kept, smMaxDeprecated)
	}
}
