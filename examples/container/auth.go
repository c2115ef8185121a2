package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
)

// appRole logs in with AppRole. It implements api.AuthMethod, as the
// helpers in github.com/hashicorp/vault/api/auth/{approle,kubernetes,aws}
// do; any of them can take its place in keepLoggedIn.
type appRole struct {
	mount        string // auth mount, "approle" by default
	roleID       string
	secretID     string // or, re-read at every login:
	secretIDFile string
}

func (a appRole) Login(ctx context.Context, client *api.Client) (*api.Secret, error) {
	secretID := a.secretID
	if a.secretIDFile != "" {
		b, err := os.ReadFile(a.secretIDFile)
		if err != nil {
			return nil, fmt.Errorf("approle: read secret ID file: %w", err)
		}
		secretID = strings.TrimSpace(string(b))
	}
	// Log in without the old token: it may have expired.
	anon, err := client.Clone()
	if err != nil {
		return nil, err
	}
	anon.ClearToken()
	anon.SetNamespace(client.Namespace())
	return anon.Logical().WriteWithContext(ctx, "auth/"+a.mount+"/login", map[string]any{
		"role_id":   a.roleID,
		"secret_id": secretID,
	})
}

// authFromEnv returns the AppRole login configured by VAULT_ROLE_ID and
// VAULT_SECRET_ID or VAULT_SECRET_ID_FILE, or nil when there is none.
func authFromEnv() (api.AuthMethod, error) {
	a := appRole{
		mount:        os.Getenv("VAULT_APPROLE_MOUNT"),
		roleID:       os.Getenv("VAULT_ROLE_ID"),
		secretID:     os.Getenv("VAULT_SECRET_ID"),
		secretIDFile: os.Getenv("VAULT_SECRET_ID_FILE"),
	}
	if a.mount == "" {
		a.mount = "approle"
	}
	switch {
	case a.roleID == "" && a.secretID == "" && a.secretIDFile == "":
		return nil, nil
	case a.roleID == "" || (a.secretID == "") == (a.secretIDFile == ""):
		return nil, errors.New("AppRole needs VAULT_ROLE_ID and one of VAULT_SECRET_ID, VAULT_SECRET_ID_FILE")
	}
	return a, nil
}

// keepLoggedIn logs in, renews the token with a LifetimeWatcher for as long
// as Vault allows, and logs in again when the watcher gives up (the token
// reached its max TTL or could not be renewed). The store uses the client,
// so it always sends the current token. The outcome of the first login is
// sent on ready. It returns when ctx is done.
func keepLoggedIn(ctx context.Context, client *api.Client, method api.AuthMethod, log *slog.Logger, ready chan<- error) {
	backoff := time.Second
	for first := true; ctx.Err() == nil; first = false {
		// Auth().Login sets the client's token on success.
		secret, err := client.Auth().Login(ctx, method)
		if first {
			ready <- err
		}
		if err != nil {
			if first {
				return
			}
			log.Error("vault login failed; retrying", "err", err, "in", backoff)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			backoff = min(2*backoff, time.Minute)
			continue
		}
		backoff = time.Second
		log.Info("vault login", "ttl_seconds", secret.Auth.LeaseDuration, "renewable", secret.Auth.Renewable)
		watch(ctx, client, secret, log)
	}
}

// watch renews the login's token until the watcher stops or ctx is done.
func watch(ctx context.Context, client *api.Client, secret *api.Secret, log *slog.Logger) {
	w, err := client.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: secret})
	if err != nil {
		log.Error("vault token watcher", "err", err)
		return
	}
	go w.Start()
	defer w.Stop()
	for {
		select {
		case err := <-w.DoneCh():
			log.Info("vault token can no longer be renewed; logging in again", "err", err)
			return
		case r := <-w.RenewCh():
			log.Info("vault token renewed", "ttl_seconds", r.Secret.Auth.LeaseDuration)
		case <-ctx.Done():
			return
		}
	}
}
