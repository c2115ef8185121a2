package integration_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/driver"
)

// smRaw returns an uncounted client for looking behind the store's back.
func smRaw(t *testing.T) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(smConfig(t))
}

func smRecordName(f *smFixture, id string) string { return f.prefix + "token/" + id + "/record" }

func smIndexName(f *smFixture, k tokenstore.Key) string {
	return f.prefix + "index/" + driver.Digest(k, smPepper)
}

func TestAWSSMRecoveryWindow(t *testing.T) {
	f := newSMFixture(t, "window", nil)
	c := smRaw(t)
	in := smToken(1)
	in.ID = "zoho-user-1"
	a := smSave(t, f, in)
	if err := f.s.DeleteToken(f.ctx, a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	// The record secret is scheduled for deletion, not gone.
	d, err := c.DescribeSecret(f.ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(smRecordName(f, a.ID))})
	if err != nil || d.DeletedDate == nil {
		t.Fatalf("DescribeSecret of the deleted record: DeletedDate %v, %v; want a scheduled deletion", d, err)
	}
	// It reads as not found, by every key.
	if _, err := f.s.FindTokenByID(f.ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID(pending deletion): got %v; want ErrNotFound", err)
	}
	if _, err := f.s.FindToken(f.ctx, tokenstore.Token{UserName: a.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken(pending deletion): got %v; want ErrNotFound", err)
	}
	if got, err := f.s.GetTokens(f.ctx); err != nil || len(got) != 0 {
		t.Fatalf("GetTokens: %d records, %v; want none", len(got), err)
	}
	// Saving the same ID restores the name and writes the new record.
	in.AccessToken = "secret-at-again"
	b := smSave(t, f, in)
	got, err := f.s.FindTokenByID(f.ctx, a.ID)
	if err != nil || got.AccessToken != b.AccessToken {
		t.Fatalf("FindTokenByID after re-save: %v, %v; want the new record", got, err)
	}
	if ids := smListIDs(t, f); len(ids) != 1 || ids[0] != a.ID {
		t.Fatalf("GetTokens after re-save: %v; want [%s]", ids, a.ID)
	}

	// Manual recovery: restore the secret, read the version before the
	// deletion marker.
	if err := f.s.DeleteToken(f.ctx, a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if _, err := c.RestoreSecret(f.ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(smRecordName(f, a.ID))}); err != nil {
		t.Fatalf("RestoreSecret: %v", err)
	}
	if _, err := f.s.FindTokenByID(f.ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID after a bare restore: got %v; want ErrNotFound (deletion marker)", err)
	}
	prev, err := c.GetSecretValue(f.ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(smRecordName(f, a.ID)), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil {
		t.Fatalf("GetSecretValue(AWSPREVIOUS): %v", err)
	}
	old, err := driver.DecodeRecord([]byte(aws.ToString(prev.SecretString)))
	if err != nil || old.AccessToken != b.AccessToken {
		t.Fatalf("AWSPREVIOUS of a deleted record: %v, %v; want the deleted record", old, err)
	}
}

// TestAWSSMDeletedByHand covers a record secret scheduled for deletion
// outside this package, without a deletion marker.
func TestAWSSMDeletedByHand(t *testing.T) {
	f := newSMFixture(t, "byhand", nil)
	in := smToken(1)
	in.ID = "by-hand"
	a := smSave(t, f, in)
	_, err := smRaw(t).DeleteSecret(f.ctx, &secretsmanager.DeleteSecretInput{
		SecretId: aws.String(smRecordName(f, a.ID)), RecoveryWindowInDays: aws.Int64(7)})
	if err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	if _, err := f.s.FindTokenByID(f.ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID(scheduled by hand): got %v; want ErrNotFound", err)
	}
	if _, err := f.s.FindToken(f.ctx, tokenstore.Token{UserName: a.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken(scheduled by hand): got %v; want ErrNotFound", err)
	}
	if err := f.s.DeleteToken(f.ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("DeleteToken(scheduled by hand): got %v; want ErrNotFound", err)
	}
}

func smListIDs(t *testing.T, f *smFixture) []string {
	t.Helper()
	all, err := f.s.GetTokens(f.ctx)
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	ids := make([]string, len(all))
	for i, tok := range all {
		ids[i] = tok.ID
	}
	return ids
}

// TestAWSSMNameSafety saves hostile values and checks every secret the
// store made: valid, short enough, not ARN-suffix-like, and free of user
// names and token values in its name, description and tags.
func TestAWSSMNameSafety(t *testing.T) {
	f := newSMFixture(t, "names", &awssm.Options{ForceDelete: true, Tags: map[string]string{"team": "crm"}})
	var secrets []string
	for i, v := range []string{"../../etc/passwd", "a/b", "%2e%2e", "nul\x00", "ユーザー@例え.jp", "x-abcdef", strings.Repeat("long", 2500)} {
		tok := smToken(i)
		tok.UserName = "user-" + v
		tok.AccessToken, tok.RefreshToken, tok.GrantToken = "at-"+v, "rt-"+v, "gt-"+v
		tok.ClientSecret = "cs-" + v
		smSave(t, f, tok)
		secrets = append(secrets, tok.UserName, tok.AccessToken, tok.RefreshToken, tok.GrantToken, tok.ClientSecret)
	}
	for _, id := range []string{"x-abcdef", "-", strings.Repeat("z", tokenstore.MaxIDLength)} {
		tok := smToken(100)
		tok.UserName, tok.ID = "", id
		smSave(t, f, tok)
	}
	out, err := smRaw(t).ListSecrets(f.ctx, &secretsmanager.ListSecretsInput{
		Filters:    []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{f.prefix}}},
		MaxResults: aws.Int32(100),
	})
	if err != nil {
		t.Fatalf("ListSecrets: %v", err)
	}
	if len(out.SecretList) < 10 {
		t.Fatalf("ListSecrets found %d secrets; want the store's", len(out.SecretList))
	}
	for _, e := range out.SecretList {
		name, desc := aws.ToString(e.Name), aws.ToString(e.Description)
		if len(name) > 512 || !strings.HasPrefix(name, f.prefix) {
			t.Errorf("name %q: over 512 characters or outside the prefix", name)
		}
		for _, r := range name {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-", r) {
				t.Errorf("name %q has %q", name, r)
			}
		}
		if len(name) >= 7 && name[len(name)-7] == '-' {
			t.Errorf("name %q ends in '-' and 6 characters, like an ARN suffix", name)
		}
		if !strings.HasPrefix(desc, "tokenstore: ") {
			t.Errorf("name %q: description %q is not the fixed text", name, desc)
		}
		if len(e.Tags) != 1 || aws.ToString(e.Tags[0].Key) != "team" {
			t.Errorf("name %q: tags %v; want only the configured one", name, e.Tags)
		}
		for _, s := range secrets {
			frag := s[:min(len(s), 12)]
			if strings.Contains(name, frag) || strings.Contains(desc, frag) {
				t.Errorf("name %q or its description contains token data", name)
			}
		}
	}
}

// TestAWSSMTooLarge checks that an oversized record is refused before any
// call.
func TestAWSSMTooLarge(t *testing.T) {
	f := newSMFixture(t, "large", &awssm.Options{ForceDelete: true})
	a := smSave(t, f, smToken(1))
	huge := strings.Repeat("x", driver.MaxRecordSize)
	for _, in := range []tokenstore.Token{
		{UserName: "new-user", AccessToken: huge},
		{UserName: a.UserName, AccessToken: huge},
		{ID: a.ID, APIDomain: huge, AccessToken: "at"},
	} {
		var err error
		all, _, _ := f.count(func() { err = f.s.SaveToken(f.ctx, &in) })
		if !errors.Is(err, tokenstore.ErrTooLarge) || all != 0 {
			t.Fatalf("SaveToken(too large): %v after %d calls; want ErrTooLarge and no call", err, all)
		}
		if !strings.Contains(err.Error(), "65536") {
			t.Errorf("error %q does not state the limit", err)
		}
	}
}

// smLater returns another store on f's prefix, as a process started after
// a crash would be.
func smLater(t *testing.T, f *smFixture) *awssm.Store {
	t.Helper()
	later, err := awssm.New(smCountingClient(t, newSMCalls()), &awssm.Options{
		Prefix: f.prefix, Pepper: smPepper, ForceDelete: true,
	})
	if err != nil {
		t.Fatalf("awssm.New: %v", err)
	}
	return later
}

// smRepairsDangling checks the life of an index entry that query's key
// leaves pointing at a missing record: reads miss without writing, and a
// save of in, from a store started after the crash, repairs it with no
// wait on any clock (it sees the entry unchanged for a few attempts,
// retires the missing record's ID and takes the entry over). It returns
// what that save stored.
func smRepairsDangling(t *testing.T, f *smFixture, in, query tokenstore.Token) tokenstore.Token {
	t.Helper()
	// A read misses and writes nothing.
	var err error
	all, w, _ := f.count(func() { _, err = f.s.FindToken(f.ctx, query) })
	if !errors.Is(err, tokenstore.ErrNotFound) || w != 0 || all > 2 {
		t.Fatalf("FindToken(dangling): %v, %d calls, %d writes; want ErrNotFound, ≤2, 0", err, all, w)
	}
	saved := in
	if err := smLater(t, f).SaveToken(f.ctx, &saved); err != nil {
		t.Fatalf("SaveToken(dangling entry): %v", err)
	}
	got, err := f.s.FindToken(f.ctx, query)
	if err != nil || got.ID != saved.ID {
		t.Fatalf("FindToken after repair: %v, %v; want the saved record %s", got.ID, err, saved.ID)
	}
	return saved
}

// TestAWSSMRepairsDanglingIndex plays a crash that left a user-name index
// entry pointing at a record that was never created.
func TestAWSSMRepairsDanglingIndex(t *testing.T) {
	f := newSMFixture(t, "dangling", &awssm.Options{ForceDelete: true, MaxAttempts: 3, RetryDelay: time.Millisecond})
	tok := smToken(1)
	k := tokenstore.Key{Kind: tokenstore.KeyUserName, Value: tok.UserName}
	_, err := smRaw(t).CreateSecret(f.ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(smIndexName(f, k)), SecretString: aws.String(`{"id":"ghost"}`)})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	smRepairsDangling(t, f, tok, tokenstore.Token{UserName: tok.UserName})
}

// TestAWSSMRepairsDanglingGrantEntry plays a crash that left a grants
// shard entry pointing at a record that is gone: the record secret of a
// grant-only record deleted behind the store's back.
func TestAWSSMRepairsDanglingGrantEntry(t *testing.T) {
	f := newSMFixture(t, "danglinggrant", &awssm.Options{ForceDelete: true, MaxAttempts: 3, RetryDelay: time.Millisecond})
	full := smToken(1)
	grantOnly := tokenstore.Token{ClientID: full.ClientID, ClientSecret: full.ClientSecret, GrantToken: full.GrantToken, AccessToken: full.AccessToken}
	ghost := smSave(t, f, grantOnly)
	_, err := smRaw(t).DeleteSecret(f.ctx, &secretsmanager.DeleteSecretInput{
		SecretId: aws.String(smRecordName(f, ghost.ID)), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	in := smRepairsDangling(t, f, grantOnly, tokenstore.Token{ClientID: full.ClientID, ClientSecret: "x", GrantToken: full.GrantToken})
	if in.ID == ghost.ID {
		t.Fatalf("the repairing save reused the gone record's ID %s", ghost.ID)
	}
	// Deleting the record releases its entry: the grant token is free.
	if err := f.s.DeleteToken(f.ctx, in.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	again := grantOnly
	if err := f.s.SaveToken(f.ctx, &again); err != nil || again.ID == in.ID {
		t.Fatalf("SaveToken after DeleteToken: %v (ID %s, deleted %s); want a new record at once", err, again.ID, in.ID)
	}
}

// TestAWSSMLeftovers plays the other crash leftovers: a catalog ID without
// a record, and a deletion marker whose secret was never deleted.
func TestAWSSMLeftovers(t *testing.T) {
	f := newSMFixture(t, "leftovers", &awssm.Options{ForceDelete: true})
	a := smSave(t, f, smToken(1))
	c := smRaw(t)
	// A marker left by a delete that stopped before DeleteSecret.
	in := smToken(2)
	in.ID = "marked"
	b := smSave(t, f, in)
	_, err := c.PutSecretValue(f.ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(smRecordName(f, b.ID)), SecretString: aws.String(`{"tokenstore":"deleted"}`)})
	if err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	if _, err := f.s.FindTokenByID(f.ctx, b.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID(marker): got %v; want ErrNotFound", err)
	}
	if ids := smListIDs(t, f); len(ids) != 1 || ids[0] != a.ID {
		t.Fatalf("GetTokens with a marker: %v; want [%s]", ids, a.ID)
	}
	// A fresh marker may be a delete in progress: saves back off.
	b.AccessToken = "secret-at-again"
	quick, err := awssm.New(smCountingClient(t, newSMCalls()), &awssm.Options{
		Prefix: f.prefix, Pepper: smPepper, ForceDelete: true, MaxAttempts: 2, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatalf("awssm.New: %v", err)
	}
	in = b
	if err := quick.SaveToken(f.ctx, &in); !errors.Is(err, tokenstore.ErrConflict) {
		t.Fatalf("SaveToken over a fresh marker: got %v; want ErrConflict", err)
	}
	// An old one is a delete that stopped: the save writes over it.
	in = b
	if err := smLater(t, f).SaveToken(f.ctx, &in); err != nil {
		t.Fatalf("SaveToken over an old marker: %v", err)
	}
	if got, err := f.s.FindTokenByID(f.ctx, b.ID); err != nil || got.AccessToken != b.AccessToken {
		t.Fatalf("FindTokenByID after saving over a marker: %v, %v", got, err)
	}
}

// TestAWSSMNoLostUpdateFewVersions runs the case of the issue: one process
// stores new access tokens while another rotates the refresh token. Both
// survive, lookups follow the rotation, and losing a compare-and-swap
// creates no secret version.
func TestAWSSMNoLostUpdateFewVersions(t *testing.T) {
	f := newSMFixture(t, "lostupdate", &awssm.Options{ForceDelete: true})
	peer, err := awssm.New(smCountingClient(t, newSMCalls()), &awssm.Options{Prefix: f.prefix, Pepper: smPepper, ForceDelete: true})
	if err != nil {
		t.Fatalf("awssm.New: %v", err)
	}
	a := smSave(t, f, smToken(1))
	const rounds = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range rounds {
			errs <- f.s.SaveToken(f.ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: fmt.Sprintf("secret-at-%d", i)})
		}
	}()
	go func() {
		defer wg.Done()
		for i := range rounds {
			errs <- peer.SaveToken(f.ctx, &tokenstore.Token{ID: a.ID, RefreshToken: fmt.Sprintf("secret-rt-rotated-%d", i)})
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("SaveToken: %v", err)
		}
	}
	got, err := f.s.FindTokenByID(f.ctx, a.ID)
	last := fmt.Sprintf("secret-rt-rotated-%d", rounds-1)
	if err != nil || got.AccessToken != fmt.Sprintf("secret-at-%d", rounds-1) || got.RefreshToken != last {
		t.Fatalf("record after concurrent saves: %v, %v; want both last values", got, err)
	}
	byRT := func(rt string) error {
		_, err := f.s.FindToken(f.ctx, tokenstore.Token{RefreshToken: rt, ClientID: a.ClientID, ClientSecret: "x"})
		return err
	}
	if err := byRT(last); err != nil {
		t.Fatalf("FindToken by the rotated refresh token: %v", err)
	}
	if err := byRT(a.RefreshToken); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken by the old refresh token: got %v; want ErrNotFound", err)
	}
	v, err := smRaw(t).ListSecretVersionIds(f.ctx, &secretsmanager.ListSecretVersionIdsInput{
		SecretId: aws.String(smRecordName(f, a.ID)), IncludeDeprecated: aws.Bool(true)})
	if err != nil {
		t.Fatalf("ListSecretVersionIds: %v", err)
	}
	if want := 1 + 2*rounds; len(v.Versions) != want {
		t.Fatalf("record secret has %d versions after %d saves; want %d (one per save, none per lost race)", len(v.Versions), 2*rounds, want)
	}
}

// TestAWSSMAPIErrorReachable checks that an error the server returns stays
// reachable as a smithy.APIError through the store's error.
func TestAWSSMAPIErrorReachable(t *testing.T) {
	// Rename the secret of every GetSecretValue to one the server refuses.
	breakName := func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("breakName",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if p, ok := in.Parameters.(*secretsmanager.GetSecretValueInput); ok {
					q := *p
					q.SecretId = aws.String("invalid name!?")
					in.Parameters = &q
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
	s, err := awssm.New(secretsmanager.NewFromConfig(smConfig(t, breakName)), &awssm.Options{Prefix: "tokenstore-it/" + smRunID + "/apierr/"})
	if err != nil {
		t.Fatalf("awssm.New: %v", err)
	}
	_, err = s.FindTokenByID(context.Background(), "some-id")
	var ae smithy.APIError
	if !errors.As(err, &ae) || errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID: got %v; want an error wrapping the server's smithy.APIError", err)
	}
	if !strings.HasPrefix(err.Error(), "awssm: find by id: ") {
		t.Errorf("error %q does not start with the package and operation", err)
	}
	t.Logf("server error: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
}
