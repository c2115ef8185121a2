package integration_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/tokenstore-go/tokenstore/integration"
)

func TestSecretsManagerGiven(t *testing.T) {
	client, srv := integration.SecretsManagerFrom(t, integration.Given)
	checkSource(t, srv, integration.Given)
	smokeSecretsManager(t, client)
}

func TestSecretsManagerContainer(t *testing.T) {
	client, srv := integration.SecretsManagerFrom(t, integration.Container)
	checkSource(t, srv, integration.Container)
	smokeSecretsManager(t, client)
}

// smokeSecretsManager creates, reads and deletes a secret.
func smokeSecretsManager(t *testing.T, client *secretsmanager.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, value := integration.UniqueName(t), integration.UniqueName(t)

	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(value),
	}); err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	deleted := false
	t.Cleanup(func() {
		if deleted {
			return
		}
		_, _ = client.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{
			SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true),
		})
	})

	got, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("GetSecretValue: %v", err)
	}
	if aws.ToString(got.SecretString) != value {
		t.Errorf("GetSecretValue returned another value than was stored")
	}

	if _, err := client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
		SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true),
	}); err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	deleted = true

	_, err = client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("GetSecretValue after delete: got %v; want ResourceNotFoundException", err)
	}
}

func checkSource(t *testing.T, srv integration.Server, want integration.Source) {
	t.Helper()
	if srv.Source != want {
		t.Fatalf("server source: got %v; want %v", srv.Source, want)
	}
	t.Logf("server: %s (%v)", srv.URL, srv.Source)
}
