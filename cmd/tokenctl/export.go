package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
                file unless --force, which writes a new file beside it and
                renames it over FILE: a symlink is replaced, never followed,
                and the old file's mode and contents are left to its inode)
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
			if file == "" {
				a.warnf("--reveal: writing secrets to stdout")
				if err := writeRecords(a.stdout, ts); err != nil {
					return withCode(exitError, fmt.Errorf("export: %w", err))
				}
				return withCode(exitError, listErr)
			}
			if err := exportFile(file, ts, force); err != nil {
				return withCode(exitError, fmt.Errorf("export: %w", err))
			}
			fmt.Fprintf(a.stderr, "tokenctl: exported %d records to %s\n", len(ts), file)
			return withCode(exitError, listErr)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "write to this file, created with mode 0600")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "write the records to stdout")
	cmd.Flags().BoolVar(&force, "force", false, "with --file: replace an existing file (a new file renamed over it)")
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

// exportFile writes ts to path with mode 0600, through a temporary file in
// path's directory that takes the name only once complete, so that an
// interrupted export never leaves a partial file under it. Without force,
// path must not exist (the link refuses it, even as a dangling symlink);
// with force, the rename replaces what is there, a symlink itself rather
// than its target, and never opens or chmods the old file.
func exportFile(path string, ts []tokenstore.Token, force bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // after a rename, a no-op; after a link, the spare name
	}()
	if err := writeRecords(tmp, ts); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if force {
		return os.Rename(tmp.Name(), path)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err // "file exists", without the temporary name
		}
		return fmt.Errorf("%s: %w (--force replaces it)", path, err)
	}
	return nil
}
