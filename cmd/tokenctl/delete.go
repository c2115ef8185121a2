package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenstore-go/tokenstore"
)

func (a *app) deleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete one record by ID",
		Long: `Delete the record with this ID and its index entries. Exit code 1 when there
is no such record. Find the ID with 'tokenctl list' or 'tokenctl get --user'.`,
		Example: `  tokenctl delete 3f2a9c0e4b1d47a8a1c2e3f405162738
  tokenctl delete "$(tokenctl get --user bob@example.com -o json | jq -r .id)"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			err = b.store.DeleteToken(cmd.Context(), args[0])
			if errors.Is(err, tokenstore.ErrNotFound) {
				return withCode(exitError, fmt.Errorf("delete: no such record in %s", b.url))
			}
			if err != nil {
				return withCode(exitError, err)
			}
			fmt.Fprintf(a.stdout, "deleted %s\n", args[0])
			return nil
		},
	}
}

func (a *app) deleteAllCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete-all",
		Short: "Delete every record of the store's prefix (asks first)",
		Long: `Delete every record under the store URL's prefix and nothing else.

On a terminal it asks you to type "yes" first; --yes skips the question. When
stdin is not a terminal it refuses (exit 2) unless --yes is given, so a script
never deletes by accident.`,
		Example: `  tokenctl delete-all --store vault://secret/apps/crm-staging
  tokenctl delete-all --store mem:// --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			if !yes {
				if !isTerminal(a.stdin) {
					return usagef("delete-all: stdin is not a terminal; pass --yes to delete every record in %s", b.url)
				}
				fmt.Fprintf(a.stderr, "Delete every record in %s? Type \"yes\" to confirm: ", b.url)
				line, _ := bufio.NewReader(a.stdin).ReadString('\n')
				if strings.TrimSpace(line) != "yes" {
					return usagef("delete-all: not confirmed; nothing deleted")
				}
			}
			if err := b.store.DeleteTokens(cmd.Context()); err != nil {
				return withCode(exitError, err)
			}
			fmt.Fprintf(a.stdout, "deleted every record in %s\n", b.url)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}
