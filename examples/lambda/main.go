// Command lambda is an AWS Lambda function that keeps its users' OAuth
// tokens in AWS Secrets Manager with tokenstore's awssm store and gets a
// valid access token for each invocation from package refresh: one token
// endpoint call per expiry across every instance of the function.
//
// Under Lambda (AWS_LAMBDA_RUNTIME_API set) it serves events
// {"user":"<user name>"}. Run anywhere else, it is a command for trying it
// locally against LocalStack and the fake OAuth server in ./cmd/fakeoauth:
//
//	lambda seed -user alice@example.com -refresh-token rt-1
//	lambda invoke '{"user":"alice@example.com"}'
//	lambda clear    # delete every token under the prefix
//
// Configuration, from the environment:
//
//	TOKENSTORE_PREFIX    secret name prefix (default tokenstore-example/)
//	TOKENSTORE_PEPPER    base64 of 32 random bytes (see the awssm docs)
//	OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_TOKEN_URL
//	API_URL              the resource to call with the access token (a path goes to the user's api_domain)
//	OAUTH_ALLOW_API_DOMAIN  an origin besides Zoho's API hosts the token may go to (the local fake only)
//	AWS_*                the usual SDK settings; AWS_ENDPOINT_URL reaches LocalStack
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

func main() {
	ctx := context.Background()
	h, err := handlerFromEnv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(h.Handle)
		return
	}
	if err := runLocal(ctx, h, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(1)
	}
}

// handlerFromEnv builds the handler once per cold start. It makes no
// network call.
func handlerFromEnv(ctx context.Context) (*Handler, error) {
	opts := &awssm.Options{Prefix: getenv("TOKENSTORE_PREFIX", "tokenstore-example/")}
	if p := os.Getenv("TOKENSTORE_PEPPER"); p != "" {
		pepper, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return nil, fmt.Errorf("TOKENSTORE_PEPPER: %w", err)
		}
		opts.Pepper = pepper
	}
	store, err := awssm.FromEnv(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store: store,
		OAuth: oauth2.Config{
			ClientID:     os.Getenv("OAUTH_CLIENT_ID"),
			ClientSecret: os.Getenv("OAUTH_CLIENT_SECRET"),
			Endpoint:     oauth2.Endpoint{TokenURL: os.Getenv("OAUTH_TOKEN_URL"), AuthStyle: oauth2.AuthStyleInParams},
		},
		APIURL:          os.Getenv("API_URL"),
		AllowAPIDomains: allowedAPIDomains(),
	}, nil
}

// allowedAPIDomains is OAUTH_ALLOW_API_DOMAIN, comma-separated: origins a
// token response may name besides Zoho's API hosts, for a local fake only.
func allowedAPIDomains() []string {
	if v := os.Getenv("OAUTH_ALLOW_API_DOMAIN"); v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

// runLocal runs the local commands: seed stores a user's refresh token (as
// an OAuth consent flow would), invoke runs the handler on an event, clear
// deletes every token under the prefix.
func runLocal(ctx context.Context, h *Handler, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: lambda seed -user U -refresh-token RT | lambda invoke '{\"user\":\"U\"}' | lambda clear")
	}
	switch args[0] {
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		user := fs.String("user", "", "user name")
		rt := fs.String("refresh-token", "", "refresh token to store")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		tok := tokenstore.Token{UserName: *user, RefreshToken: *rt, ClientID: h.OAuth.ClientID, ClientSecret: h.OAuth.ClientSecret}
		if err := h.Store.SaveToken(ctx, &tok); err != nil {
			return err
		}
		return json.NewEncoder(out).Encode(map[string]string{"seeded": tok.ID})
	case "invoke":
		if len(args) != 2 {
			return errors.New(`usage: lambda invoke '{"user":"U"}'`)
		}
		var ev Event
		if err := json.Unmarshal([]byte(args[1]), &ev); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		resp, err := h.Handle(ctx, ev)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(resp)
	case "clear":
		return h.Store.DeleteTokens(ctx)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
