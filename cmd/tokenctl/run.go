package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"
)

// runRows applies rows to the target and reports each row and the summary
// on stdout (a table, or JSON lines with --output json). It stops between
// rows when ctx is cancelled (SIGINT, SIGTERM). The error it returns
// carries the exit code: exitSkipped when rows were skipped,
// exitInterrupted when stopped.
func (a *app) runRows(ctx context.Context, target *opened, rows []row, opts applyOptions, verb string) error {
	ap, err := newApplier(ctx, target.store, opts, a.warnf)
	if errors.Is(err, errPepper) {
		return usagef("%s: %v: the pepper is not the one your applications use; give theirs (--pepper-file, %s), or --force to write anyway", target.url, err, envPepper)
	}
	if err != nil {
		return withCode(exitError, fmt.Errorf("read %s: %w", target.url, err))
	}
	rep := a.newReporter(len(rows), opts.dryRun, verb)
	defer rep.close()
	sum := summary{DryRun: opts.dryRun}
	var runErr error
	for _, r := range rows {
		if ctx.Err() != nil {
			sum.Interrupted = true
			break
		}
		res, err := ap.apply(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				sum.Interrupted = true
			} else {
				runErr = err
			}
			break
		}
		sum.Read++
		switch res.Action {
		case actInsert:
			sum.Inserted++
		case actMerge:
			sum.Merged++
		case actUnchanged:
			sum.Unchanged++
		case actSkip:
			sum.Skipped++
		}
		rep.row(res)
	}
	rep.summary(sum, len(rows))
	switch {
	case runErr != nil:
		return withCode(exitError, runErr)
	case sum.Interrupted:
		return &exitErr{code: exitInterrupted, err: fmt.Errorf("interrupted after %d of %d rows; every row reported was finished", sum.Read, len(rows))}
	case sum.Skipped > 0:
		return &exitErr{code: exitSkipped, err: fmt.Errorf("%d rows skipped (see the report above)", sum.Skipped)}
	}
	return nil
}

// reporter prints per-row results and the summary, with a progress bar on
// stderr when stderr is a terminal.
type reporter struct {
	a    *app
	out  io.Writer
	json bool
	bar  *progressbar.ProgressBar
	// ttyOut: stdout shares the terminal with the bar, so lines are
	// printed above it.
	ttyOut bool
	header bool
}

func (a *app) newReporter(total int, dryRun bool, verb string) *reporter {
	rep := &reporter{a: a, out: a.stdout, json: a.output == "json", ttyOut: isTerminal(a.stdout)}
	if !a.noProgress && isTerminal(a.stderr) && total > 0 {
		desc := verb
		if dryRun {
			desc += " (dry run)"
		}
		rep.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100_000_000), // 100ms
			progressbar.OptionClearOnFinish(),
		)
	}
	return rep
}

func (rep *reporter) println(s string) {
	if rep.bar != nil && rep.ttyOut {
		_ = rep.bar.Clear()
	}
	fmt.Fprintln(rep.out, s)
}

func (rep *reporter) row(r result) {
	if rep.json {
		b, _ := json.Marshal(r)
		rep.println(string(b))
	} else {
		if !rep.header {
			rep.header = true
			rep.println(fmt.Sprintf("%-6s %-12s %-32s %-9s %-28s %s", "ROW", "SOURCE ID", "ID", "ACTION", "USER", "REASON"))
		}
		rep.println(fmt.Sprintf("%-6d %-12s %-32s %-9s %-28s %s", r.Row, dash(r.SourceID), dash(r.ID), r.Action, dash(r.User), cell(r.Reason)))
	}
	if r.Action == actSkip && !rep.ttyOut {
		// Skips also go to stderr, so they show when stdout is a file.
		if rep.bar != nil {
			_ = rep.bar.Clear()
		}
		fmt.Fprintf(rep.a.stderr, "tokenctl: row %d skipped: %s\n", r.Row, cell(r.Reason))
	}
	if rep.bar != nil {
		_ = rep.bar.Add(1)
	}
}

func (rep *reporter) summary(s summary, total int) {
	rep.close()
	if rep.json {
		b, _ := json.Marshal(struct {
			Summary summary `json:"summary"`
		}{s})
		fmt.Fprintln(rep.out, string(b))
		return
	}
	mode := ""
	if s.DryRun {
		mode = " (dry run: nothing written)"
	}
	fmt.Fprintf(rep.out, "summary%s: read %d of %d, inserted %d, merged %d, unchanged %d, skipped %d\n",
		mode, s.Read, total, s.Inserted, s.Merged, s.Unchanged, s.Skipped)
}

func (rep *reporter) close() {
	if rep.bar != nil {
		_ = rep.bar.Finish()
		_ = rep.bar.Clear()
		rep.bar = nil
	}
}
