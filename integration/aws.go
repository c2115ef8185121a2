package integration

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
)

// SecretsManager returns a client for a Secrets Manager endpoint: the given
// AWS_ENDPOINT_URL, else a shared LocalStack container, else it skips t (or
// fails it, see [Required]).
func SecretsManager(t testing.TB) *secretsmanager.Client {
	t.Helper()
	c, _ := SecretsManagerFrom(t, Any)
	return c
}

// SecretsManagerFrom is [SecretsManager] with the source chosen by src; it
// also reports the server, so a test can tell which path it took.
func SecretsManagerFrom(t testing.TB, src Source) (*secretsmanager.Client, Server) {
	t.Helper()
	cfg, srv := AWSConfig(t, src)
	return secretsmanager.NewFromConfig(cfg), srv
}

// AWSConfig returns an aws.Config aimed at a Secrets Manager endpoint chosen
// by src, for building any AWS SDK client. It never loads shared config
// files or asks instance metadata for credentials:
//
//   - given endpoint: AWS_ENDPOINT_URL, region from AWS_REGION or
//     AWS_DEFAULT_REGION (default us-east-1), static credentials from
//     AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
//     (default "test"/"test");
//   - container: LocalStack, region as above, credentials "test"/"test"
//     whatever the environment holds, so real keys never reach it.
func AWSConfig(t testing.TB, src Source) (aws.Config, Server) {
	t.Helper()
	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	switch {
	case src == Given || (src == Any && endpoint != ""):
		if endpoint == "" {
			unavailable(t, "no Secrets Manager endpoint given: AWS_ENDPOINT_URL is not set")
		}
		id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		session := os.Getenv("AWS_SESSION_TOKEN")
		if id == "" || secret == "" {
			id, secret, session = "test", "test", ""
		}
		return awsConfig(endpoint, id, secret, session), Server{URL: endpoint, Source: Given}
	default:
		srv := fromContainer(t, "LocalStack", &localstackCtr, startLocalStack)
		return awsConfig(srv.URL, "test", "test", ""), srv
	}
}

func awsConfig(endpoint, id, secret, session string) aws.Config {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, session),
		BaseEndpoint: aws.String(endpoint),
	}
}

// startLocalStack runs LocalStack with only Secrets Manager. The switches
// keep it from reaching out for certificates and analytics.
func startLocalStack(ctx context.Context) (Server, testcontainers.Container, error) {
	img := image(EnvLocalStackImage, DefaultLocalStackImage)
	env := map[string]string{
		"SERVICES":               "secretsmanager",
		"SKIP_SSL_CERT_DOWNLOAD": "1",
		"DISABLE_EVENTS":         "1",
		// One request at a time: LocalStack's Secrets Manager checks and
		// adds a version ID in two steps, so concurrent PutSecretValue
		// calls with one ClientRequestToken could both succeed; AWS takes
		// exactly one, and awssm's compare-and-swap rests on that.
		"GATEWAY_WORKER_COUNT": "1",
	}
	var opts []testcontainers.ContainerCustomizer
	port := 0
	if hostNetwork() {
		hostOpts, p, err := hostNetworkOptions("/_localstack/health")
		if err != nil {
			return Server{}, nil, err
		}
		port = p
		env["GATEWAY_LISTEN"] = fmt.Sprintf("127.0.0.1:%d", port)
		opts = hostOpts
	}
	opts = append(opts, testcontainers.WithEnv(env))
	ctr, err := localstack.Run(ctx, img, opts...)
	if ctr == nil {
		// A typed nil would look like a container to Cleanup.
		return Server{}, nil, err
	}
	if err != nil {
		return Server{}, ctr, fmt.Errorf("image %s: %w", img, err)
	}
	if port != 0 {
		return Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Source: Container}, ctr, nil
	}
	url, err := ctr.PortEndpoint(ctx, "4566/tcp", "http")
	if err != nil {
		return Server{}, ctr, fmt.Errorf("image %s: endpoint: %w", img, err)
	}
	return Server{URL: url, Source: Container}, ctr, nil
}
