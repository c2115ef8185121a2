package main

import (
	"errors"
	"fmt"
)

// Exit codes, documented in --help and README.md.
const (
	exitOK          = 0   // everything done
	exitError       = 1   // an operation failed (store, source, not found)
	exitUsage       = 2   // bad flags, arguments or URL; a confirmation refused
	exitSkipped     = 3   // import or copy finished but skipped rows
	exitInterrupted = 130 // stopped by SIGINT/SIGTERM between records
)

const exitCodesHelp = `Exit codes:
  0    success
  1    an operation failed (store error, record not found, a source that
       cannot be read: missing file, directory, refused connection, not a
       Zoho layout)
  2    usage: bad flags, arguments or URL (a source URL or parameter in the
       wrong form, an SQLite file given without sqlite://), or a
       confirmation not given
  3    import/copy finished but skipped one or more rows (see the report)
  130  interrupted (SIGINT/SIGTERM); the record in hand was finished first`

// exitErr carries an exit code with the error to print. Its message never
// holds a secret: it is built from store and source errors, which redact.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// usagef returns a usage error (exit 2).
func usagef(format string, args ...any) error {
	return &exitErr{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// withCode returns err with the exit code code, unless it already has one.
func withCode(code int, err error) error {
	var e *exitErr
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &exitErr{code: code, err: err}
}

// codeOf returns the exit code for err: its own, or exitError.
func codeOf(err error) int {
	var e *exitErr
	if errors.As(err, &e) {
		return e.code
	}
	return exitError
}
