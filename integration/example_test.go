package integration_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore/integration"
)

// A CI test of your own code against real servers. In your test package add
//
//	func TestMain(m *testing.M) { os.Exit(integration.Main(m)) }
//
// so shared containers are terminated at the end, then, in a test function,
// ask for clients. With AWS_ENDPOINT_URL / VAULT_ADDR + VAULT_TOKEN set they
// point there; with only Docker they point at containers; with neither the
// test skips, or fails under TOKENSTORE_INTEGRATION=required.
func Example() {
	var t *testing.T // the *testing.T of your test function
	ctx := context.Background()

	sm := integration.SecretsManager(t)
	name := integration.UniqueName(t)
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(`{"access_token":"…"}`),
	}); err != nil {
		t.Fatal(err)
	}

	v := integration.Vault(t)
	if _, err := v.KVv2("secret").Put(ctx, name, map[string]any{"access_token": "…"}); err != nil {
		t.Fatal(err)
	}
}
