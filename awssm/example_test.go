package awssm_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// A store over a client the program already has. The pepper, 32 random
// bytes shared by every instance, comes from outside Secrets Manager (here
// an environment variable set from a parameter or the deployment).
func Example() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	pepper, err := base64.StdEncoding.DecodeString(os.Getenv("TOKENSTORE_PEPPER"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := awssm.New(secretsmanager.NewFromConfig(cfg), &awssm.Options{
		Prefix: "myapp/prod/",
		Pepper: pepper,
	})
	if err != nil {
		log.Fatal(err)
	}

	tok := tokenstore.Token{
		UserName:     "alice@example.com",
		ClientID:     "1000.EXAMPLE",
		ClientSecret: os.Getenv("ZOHO_CLIENT_SECRET"),
		RefreshToken: os.Getenv("ZOHO_REFRESH_TOKEN"),
	}
	if err := store.SaveToken(ctx, &tok); err != nil {
		log.Fatal(err)
	}
	found, err := store.FindToken(ctx, tokenstore.Token{UserName: "alice@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found.ID == tok.ID)
}

// FromEnv configures the client from the environment: in Lambda, the
// function's role and region; locally, AWS_ENDPOINT_URL can point it at
// LocalStack.
func ExampleFromEnv() {
	store, err := awssm.FromEnv(context.Background(), &awssm.Options{Prefix: "myapp/dev/", ForceDelete: true})
	if err != nil {
		log.Fatal(err)
	}
	_ = store // ready: no call made yet
}
