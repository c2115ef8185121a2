// Package integration provides real AWS Secrets Manager (LocalStack) and
// HashiCorp Vault servers to tests, so that tokenstore's backends — and a
// user's own code — can be tested against the real wire protocols in CI.
//
// It lives in a module of its own (github.com/tokenstore-go/tokenstore/integration)
// so that testcontainers-go and the Docker client never reach programs that
// only import tokenstore.
//
// # Where the servers come from
//
// [SecretsManager] and [Vault] (and [AWSConfig], [SecretsManagerFrom],
// [VaultFrom] with [Any]) take the first of:
//
//  1. Given endpoints. Secrets Manager: AWS_ENDPOINT_URL, with AWS_REGION
//     (default us-east-1) and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
//     (default "test"). Vault: VAULT_ADDR and VAULT_TOKEN.
//  2. A container started with testcontainers-go when a Docker engine answers:
//     LocalStack through testcontainers-go's localstack module (image
//     localstack/localstack:4.14.0) and Vault in dev mode with root token
//     "root" (image hashicorp/vault:1.21). TOKENSTORE_LOCALSTACK_IMAGE and
//     TOKENSTORE_VAULT_IMAGE override the images. With
//     TOKENSTORE_CONTAINER_NETWORK=host the containers use host networking
//     and listen on a free loopback port, which is what locally imported
//     images on an engine without a bridge network need (scripts/testenv.sh
//     sets this up); there TESTCONTAINERS_RYUK_DISABLED=true is needed too,
//     since the reaper image cannot be pulled.
//  3. Otherwise the test is skipped with a message that says how to provide
//     a server — or fails, when TOKENSTORE_INTEGRATION=required, so that CI
//     cannot pass by skipping everything.
//
// [Given] and [Container] force one path: CI uses them to exercise the
// testcontainers path even when endpoints are given.
//
// Each kind of container is started at most once per test binary and shared
// by all tests in it. Call [Main] from TestMain (or [Cleanup] from your own)
// so the containers are terminated when the tests end.
//
// # Concurrency
//
// All functions are safe for concurrent use, including from parallel tests.
// Tests share one server per kind: give every secret a name of its own, for
// example with [UniqueName].
//
// # Errors
//
// Problems with the environment end the calling test through t.Skip or
// t.Fatal; nothing is returned. Messages name endpoints and images, never
// tokens or credentials.
package integration
