package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) copyCmd() *cobra.Command {
	var from, to, fromPepper, toPepper string
	var dryRun, force bool
	cmd := &cobra.Command{
		Use:   "copy --from URL --to URL",
		Short: "Copy every record from one store to another, keeping IDs",
		Long: `Copy every record of --from into --to, keeping record IDs. Each record is
matched in --to by its ID and merged like an import: a record that is already
there unchanged is not written, so a copy can be repeated (or resumed after
Ctrl-C) and writes only what changed. Nothing is deleted from either side.

A record whose user name another --to record already holds under a different
ID is skipped (exit code 3). --from-pepper-file and --to-pepper-file give each
side its own pepper; by default both use --pepper-file or TOKENSTORE_PEPPER.
Report, --dry-run, progress bar and Ctrl-C work as for import, and so does
the pepper check: --to records that none answers to its pepper are refused
unless --force.

` + exitCodesHelp,
		Example: `  tokenctl copy --from vault://secret/apps/crm --to 'awssm://crm/prod/?region=eu-west-1'
  tokenctl copy --dry-run --from 'awssm://crm/prod/' --to vault://secret/apps/crm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.checkOutput(); err != nil {
				return err
			}
			if from == "" || to == "" {
				return usagef("copy: give --from URL and --to URL")
			}
			if fromPepper == "" {
				fromPepper = a.pepperFile
			}
			if toPepper == "" {
				toPepper = a.pepperFile
			}
			fp, err := a.pepper(fromPepper)
			if err != nil {
				return err
			}
			tp, err := a.pepper(toPepper)
			if err != nil {
				return err
			}
			src, err := a.openStore(cmd.Context(), from, fp)
			if err != nil {
				return err
			}
			dst, err := a.openStore(cmd.Context(), to, tp)
			if err != nil {
				return err
			}
			ts, err := src.store.GetTokens(cmd.Context())
			if err != nil {
				// Copy what can be read; the unreadable record is named.
				if len(ts) == 0 {
					return withCode(exitError, fmt.Errorf("read %s: %w", from, err))
				}
				a.warnf("read %s: %v", from, err)
			}
			rows := make([]row, len(ts))
			for i, t := range ts {
				rows[i] = row{n: i + 1, srcID: t.ID, tok: t}
			}
			runErr := a.runRows(cmd.Context(), dst, rows, applyOptions{keepIDs: true, dryRun: dryRun, force: force}, "copy")
			if runErr == nil && err != nil {
				return withCode(exitError, fmt.Errorf("read %s: %w", from, err))
			}
			return runErr
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "source store URL")
	f.StringVar(&to, "to", "", "target store URL")
	f.StringVar(&fromPepper, "from-pepper-file", "", "pepper file for --from (default --pepper-file)")
	f.StringVar(&toPepper, "to-pepper-file", "", "pepper file for --to (default --pepper-file)")
	f.BoolVarP(&dryRun, "dry-run", "n", false, "report what would change and write nothing")
	f.BoolVar(&force, "force", false, "write although --to's records do not answer to its pepper")
	return cmd
}
