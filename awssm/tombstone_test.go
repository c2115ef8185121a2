package awssm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// A tombstone naming an index entry this package could not have written
// (damage, a hand edit) never makes its ID undeletable: the foreign name
// reads as no entry (DeleteToken and DeleteTokens always work).
func TestTombstoneWithForeignNameDeletes(t *testing.T) {
	ctx := context.Background()
	srv := newSMServer()
	s, err := awssm.New(newSMClient(srv), &awssm.Options{Prefix: "tomb/", Pepper: smPepper, ForceDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-u"}
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	damage := func() {
		_, err := srv.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("tomb/token/" + tok.ID + "/record"),
			SecretString: aws.String(`{"tokenstore":"deleted","n":"0123456789abcdef","index":["../../etc/passwd","user_name/not-a-digest"]}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	damage()
	if err := s.DeleteToken(ctx, tok.ID); err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("DeleteToken of a tombstone naming foreign entries: %v; want it gone (or not found)", err)
	}
	if _, err := s.FindTokenByID(ctx, tok.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID after the delete: %v; want ErrNotFound", err)
	}
	if err := s.DeleteTokens(ctx); err != nil {
		t.Fatalf("DeleteTokens: %v", err)
	}
}
