// Command container is a small HTTP service for a container with no local
// disk: it keeps its users' Zoho OAuth tokens in Vault KV through
// tokenstore/vault, and keeps its own Vault login alive with AppRole and
// api.LifetimeWatcher (or uses a token given to it, say by Vault Agent).
//
// Configuration, all from the environment:
//
//	VAULT_ADDR, VAULT_CACERT, VAULT_NAMESPACE, ...  as for the vault CLI
//	VAULT_ROLE_ID, VAULT_SECRET_ID                  AppRole login (preferred), or
//	VAULT_ROLE_ID, VAULT_SECRET_ID_FILE             the secret ID in a mounted file, or
//	VAULT_TOKEN                                     a token from elsewhere (no renewal here)
//	TOKENSTORE_MOUNT        KV mount (default secret)
//	TOKENSTORE_KV_VERSION   1 or 2 (default 2)
//	TOKENSTORE_PREFIX       path below the mount (default tokenstore)
//	LISTEN_ADDR             default :8080
//
// The HTTP API (JSON; responses never carry a secret):
//
//	PUT    /users/{user}/token   save the user's tokens (fields as in Token, snake_case)
//	GET    /users/{user}/token   the stored record, secrets shown only as set or not
//	DELETE /users/{user}/token   forget the user
//	GET    /users                every record, secrets shown only as set or not
//	GET    /healthz              the process runs
//	GET    /readyz               Vault answers with this service's token
//
// See README.md for running it against a Vault dev server, and Dockerfile.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/vault/api"
	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/vault"
	"github.com/tokenstore-go/tokenstore/zoho"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	cfg := api.DefaultConfig() // VAULT_ADDR, VAULT_CACERT, ...
	if cfg.Error != nil {
		return cfg.Error
	}
	client, err := api.NewClient(cfg) // also VAULT_TOKEN, VAULT_NAMESPACE
	if err != nil {
		return err
	}
	login, err := authFromEnv()
	if err != nil {
		return err
	}
	if login != nil {
		ready := make(chan error, 1)
		go keepLoggedIn(ctx, client, login, log, ready)
		if err := <-ready; err != nil {
			return fmt.Errorf("first login: %w", err)
		}
	} else if client.Token() == "" {
		return errors.New("set VAULT_ROLE_ID and VAULT_SECRET_ID (or _FILE), or VAULT_TOKEN")
	}

	version, _ := strconv.Atoi(os.Getenv("TOKENSTORE_KV_VERSION"))
	store, err := vault.New(client, &vault.Options{
		Mount:     os.Getenv("TOKENSTORE_MOUNT"),
		KVVersion: version,
		Prefix:    os.Getenv("TOKENSTORE_PREFIX"),
	})
	if err != nil {
		return err
	}

	endpoint, err := zohoEndpoint()
	if err != nil {
		return err
	}
	addr := os.Getenv("LISTEN_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	srv := &http.Server{
		Addr:              addr,
		Handler:           newHandler(store, log, endpoint, allowedAPIDomains()...),
		ReadHeaderTimeout: 5 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// allowedAPIDomains is ZOHO_ALLOW_API_DOMAIN, comma-separated: origins a
// token response may name besides Zoho's API hosts. For a test server
// only; unset in production.
func allowedAPIDomains() []string {
	v := os.Getenv("ZOHO_ALLOW_API_DOMAIN")
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// zohoEndpoint is the token endpoint of ZOHO_DC (us, eu, in, au, jp, cn,
// ca, sa; default us), or ZOHO_TOKEN_URL when set (a test server).
func zohoEndpoint() (oauth2.Endpoint, error) {
	if u := os.Getenv("ZOHO_TOKEN_URL"); u != "" {
		return oauth2.Endpoint{TokenURL: u, AuthStyle: oauth2.AuthStyleInParams}, nil
	}
	name := os.Getenv("ZOHO_DC")
	if name == "" {
		name = "us"
	}
	dc, ok := zoho.LookupDC(name)
	if !ok {
		return oauth2.Endpoint{}, fmt.Errorf("ZOHO_DC %q: not a Zoho data centre", name)
	}
	return dc.Endpoint(), nil
}
