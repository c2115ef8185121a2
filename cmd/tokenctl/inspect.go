package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokenstore-go/tokenstore"
)

func (a *app) listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every record: ID, user, client ID, expiry, API domain (never secrets)",
		Long: `List every record of the store, ordered by ID: ID, user name, client ID,
access token expiry with the time left, and API domain. Secrets are never shown;
--output json marks each set secret "[redacted]".

If a record cannot be read, the others are still listed, the unreadable one is
named on stderr and the exit code is 1.`,
		Example: `  tokenctl list --store vault://secret/apps/crm
  tokenctl list -s 'awssm://crm/prod/?region=eu-west-1' -o json | jq -r '.[] | select(.expires_in_seconds < 0) | .user_name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.checkOutput(); err != nil {
				return err
			}
			b, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			ts, listErr := b.store.GetTokens(cmd.Context())
			if listErr != nil && len(ts) == 0 {
				return withCode(exitError, listErr)
			}
			now := a.now()
			if a.output == "json" {
				vs := make([]view, 0, len(ts))
				for _, t := range ts {
					vs = append(vs, newView(t, now, false))
				}
				err = writeJSON(a.stdout, vs)
			} else {
				err = writeTable(a.stdout, ts, now)
			}
			if listErr != nil {
				return withCode(exitError, listErr)
			}
			return withCode(exitError, err)
		},
	}
}

func (a *app) getCmd() *cobra.Command {
	var user string
	var reveal bool
	cmd := &cobra.Command{
		Use:   "get [ID | --user NAME]",
		Short: "Show one record, by ID or user name (secrets redacted unless --reveal)",
		Long: `Show one record, found by its ID or by --user. Secrets are redacted unless
--reveal is given, which prints them and a warning on stderr. Exit code 1 when
there is no such record.`,
		Example: `  tokenctl get 3f2a9c0e4b1d47a8a1c2e3f405162738
  tokenctl get --user alice@example.com -o json
  tokenctl get --user alice@example.com --reveal   # prints the tokens`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkOutput(); err != nil {
				return err
			}
			if (len(args) == 1) == (user != "") {
				return usagef("get: give either an ID or --user NAME")
			}
			b, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			var t tokenstore.Token
			if user != "" {
				t, err = b.store.FindToken(cmd.Context(), tokenstore.Token{UserName: user})
			} else {
				t, err = b.store.FindTokenByID(cmd.Context(), args[0])
			}
			if errors.Is(err, tokenstore.ErrNotFound) {
				return withCode(exitError, fmt.Errorf("get: no such record in %s", b.url))
			}
			if err != nil {
				return withCode(exitError, err)
			}
			if reveal {
				a.warnf("--reveal: printing secrets; clear your terminal and scrollback afterwards")
			}
			if a.output == "json" {
				return withCode(exitError, writeJSON(a.stdout, newView(t, a.now(), reveal)))
			}
			return withCode(exitError, writeRecord(a.stdout, t, a.now(), reveal))
		},
	}
	cmd.Flags().StringVarP(&user, "user", "u", "", "find the record by user name instead of ID")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print the secrets (warns on stderr)")
	return cmd
}
