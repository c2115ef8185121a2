package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

func (a *app) exportCmd() *cobra.Command {
	var file string
	var reveal, force bool
	cmd := &cobra.Command{
		Use:   "export (--file FILE | --reveal)",
		Short: "Write every record, secrets included, as JSON lines that import reads back",
		Long: `Write every record of --store as JSON lines, one tokenstore record envelope
({"v":1,"token":{...}}) per line, secrets included: an export that cannot be
imported again would be useless, so there is no redacted export (use
'list -o json' for that).

Because the output holds every secret, export insists on one of:
  --file FILE   write to FILE, created with mode 0600 (refuses an existing
                file unless --force, which truncates it and sets 0600)
  --reveal      write to stdout (warns on stderr)
Records that cannot be read are named on stderr and the exit code is 1.`,
		Example: `  tokenctl export -s vault://secret/apps/crm --file crm-tokens.jsonl
  tokenctl export -s vault://secret/apps/crm --reveal | gpg -e -r ops > crm.jsonl.gpg
  tokenctl import -s 'awssm://crm/prod/' crm-tokens.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (file == "") == !reveal {
				return usagef("export writes secrets: give --file FILE (mode 0600) or --reveal (stdout), not both")
			}
			b, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			ts, listErr := b.store.GetTokens(cmd.Context())
			if listErr != nil && len(ts) == 0 {
				return withCode(exitError, listErr)
			}
			w := a.stdout
			if file != "" {
				flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
				if force {
					flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
				}
				f, err := os.OpenFile(file, flags, 0o600)
				if err != nil {
					return withCode(exitError, fmt.Errorf("export: %w", err))
				}
				defer f.Close()
				if err := f.Chmod(0o600); err != nil {
					return withCode(exitError, fmt.Errorf("export: %w", err))
				}
				w = f
			} else {
				a.warnf("--reveal: writing secrets to stdout")
			}
			if err := writeRecords(w, ts); err != nil {
				return withCode(exitError, fmt.Errorf("export: %w", err))
			}
			if f, ok := w.(*os.File); ok && file != "" {
				if err := f.Close(); err != nil {
					return withCode(exitError, fmt.Errorf("export: %w", err))
				}
				fmt.Fprintf(a.stderr, "tokenctl: exported %d records to %s\n", len(ts), file)
			}
			return withCode(exitError, listErr)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "write to this file, created with mode 0600")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "write the records to stdout")
	cmd.Flags().BoolVar(&force, "force", false, "with --file: overwrite an existing file")
	return cmd
}

func writeRecords(w io.Writer, ts []tokenstore.Token) error {
	for _, t := range ts {
		b, err := driver.EncodeRecord(t)
		if err != nil {
			return fmt.Errorf("record %s: %w", t.ID, err)
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}
