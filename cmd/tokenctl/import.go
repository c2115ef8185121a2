package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

const importLong = `Import tokens from SOURCE into the store --store names:

  FILE.csv | -                  Zoho SDK FileStore CSV. With a header: the current
                                10 columns (id,user_name,client_id,client_secret,
                                refresh_token,access_token,grant_token,expiry_time,
                                redirect_uri,api_domain), Java's redirect_url, the
                                9-column file without api_domain, or the legacy
                                user_mail layout (no client secret, redirect URL,
                                API domain, maybe no id). Without a header: 10, 9,
                                7 (legacy with id) or 6 (legacy) columns in that order.
  mysql://USER@HOST:PORT/DB?table=oauthtoken
                                Zoho SDK DBStore on MySQL or MariaDB, any of the
                                layouts above (columns from SELECT *); DB defaults to
                                zohooauth. Also socket=/path, tls=true|skip-verify.
                                The password from --password-file or MYSQL_PWD; one
                                in the URL (USER:PASS@) works but shows in ps and
                                shell history, so tokenctl warns.
  sqlite:///path/to/file.db?table=oauthtoken
                                the Kaizen #192 SQLite store (opened read-only)
  FILE.jsonl                    tokenctl export output (record IDs are kept)

Files are detected by content (a line starting with '{' is JSON lines);
--format csv|jsonl names the format.

expiry_time is epoch milliseconds. Zoho's numeric ids are not tokenstore IDs:
each record gets a new random ID, and the report maps row and Zoho id to it.

Every row is matched against the store by the lookup rules (user name; access
token without client credentials; grant or refresh token with client ID and
secret) and merged as SaveToken merges; a row that changes nothing is not
written, so running the same import again writes nothing. --dry-run reports
insert/merge/unchanged per row and writes nothing: it runs the rows against a
copy of the store in memory, so each row is planned against the store plus
the rows before it and the report is the real run's (new records are shown
as "(new 1)", "(new 2)", ...).

If the store holds records but none of them is found by its user name or
token, the pepper is not the one that wrote them, and every row would add a
second record beside its user's: import refuses (exit 2) unless --force. The
report always says what the store did ("insert" with a reason when it did
not find the record the row was matched to).

api_domain, when set, must be an https origin of Zoho's API (www., sandbox.
or developer. zohoapis.com, .eu, .in, .com.au, .jp, .com.cn, .ca, .sa); it
is stored in canonical form, and a row with any other value is skipped, as
access tokens are sent there.

A bad row (no token, no lookup key, unparsable expiry_time, invalid UTF-8, a
field over 8 KiB, a record over 64 KiB, an api_domain outside Zoho's API, a
user name held by another record) is
reported with its row number (the line in a file, the position in a table) and
the reason, never its values, and skipped; the rest goes on and the exit code
is 3. Ctrl-C stops between rows: the row in hand is finished (up to 30 s; a
second Ctrl-C kills at once) and the summary is printed, exit code 130.

The report goes to stdout (a table, or JSON lines ending with a summary line
with --output json); skipped rows are also named on stderr when stdout is not
a terminal. A progress bar shows on stderr when it is a terminal.`

func (a *app) importCmd() *cobra.Command {
	var dryRun, force bool
	var format, passwordFile string
	cmd := &cobra.Command{
		Use:   "import SOURCE",
		Short: "Import tokens from a Zoho SDK FileStore CSV, DBStore (MySQL), SQLite store or export",
		Long:  importLong + "\n\n" + exitCodesHelp,
		Example: `  tokenctl import --dry-run tokens.csv
  tokenctl import -s vault://secret/apps/crm tokens.csv
  MYSQL_PWD=... tokenctl import -s vault://secret/apps/crm 'mysql://zoho@127.0.0.1:3306/zohooauth?table=oauthtoken'
  tokenctl import -s vault://secret/apps/crm --password-file /run/secrets/db 'mysql://zoho@db/zohooauth'
  tokenctl import -s 'awssm://crm/prod/?region=eu-west-1' sqlite:///var/lib/app/zohooauth.db
  tokenctl import -s mem:// --dry-run -o json backup.jsonl | jq 'select(.action=="skip")'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkOutput(); err != nil {
				return err
			}
			src, err := a.openSource(args[0], format, passwordFile)
			if err != nil {
				return err
			}
			target, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			rows, err := src.rows(cmd.Context())
			if err != nil {
				return withCode(exitError, fmt.Errorf("read %s: %w", src.name(), err))
			}
			opts := applyOptions{keepIDs: src.keepsIDs(), dryRun: dryRun, checkDomain: true, force: force}
			return a.runRows(cmd.Context(), target, rows, opts, "import")
		},
	}
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "report what would change and write nothing")
	cmd.Flags().BoolVar(&force, "force", false, "write although the store's records do not answer to this pepper")
	cmd.Flags().StringVar(&format, "format", "auto", "source format for files: auto, csv or jsonl")
	cmd.Flags().StringVar(&passwordFile, "password-file", "", "file holding the MySQL password (default $MYSQL_PWD)")
	return cmd
}

// openSource picks the source for arg; passwordFile is --password-file.
func (a *app) openSource(arg, format, passwordFile string) (source, error) {
	switch {
	case strings.HasPrefix(arg, "mysql://"), strings.HasPrefix(arg, "sqlite:"):
		u, err := url.Parse(arg)
		if err != nil {
			// url's error quotes the input, which may hold a password.
			return nil, usagef("source is not a valid URL")
		}
		var s sqlSource
		if u.Scheme == "mysql" {
			var pw string
			if pw, err = a.mysqlPassword(u, passwordFile); err != nil {
				return nil, err
			}
			s, err = newMySQLSource(u, pw)
		} else {
			s, err = newSQLiteSource(u)
		}
		if errors.Is(err, urlparam.ErrBadURL) || errors.Is(err, errBadTable) {
			return nil, withCode(exitUsage, fmt.Errorf("source %s: %w", u.Redacted(), err))
		}
		if err != nil {
			return nil, withCode(exitError, fmt.Errorf("source %s: %w", u.Redacted(), err))
		}
		return s, nil
	}
	f := fileSource{path: arg, stdin: a.stdin}
	switch format {
	case "csv":
		return csvSource{f}, nil
	case "jsonl":
		return jsonlSource{f}, nil
	case "auto":
	default:
		return nil, usagef("--format %q: want auto, csv or jsonl", format)
	}
	if arg == "-" {
		// Peek at stdin without losing what was read.
		br := bufio.NewReader(a.stdin)
		f.stdin = br
		b, _ := br.Peek(512)
		return sniff(f, b), nil
	}
	fh, err := os.Open(arg)
	if err != nil {
		return nil, withCode(exitError, fmt.Errorf("source: %w", err))
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.IsDir() {
		return nil, withCode(exitError, fmt.Errorf("source %s is a directory", arg))
	}
	b := make([]byte, 512)
	n, err := io.ReadFull(fh, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, withCode(exitError, fmt.Errorf("source: %w", err))
	}
	if bytes.HasPrefix(b[:n], sqliteMagic) {
		return nil, usagef("source %s is an SQLite database: give it as %s", arg, sqliteURL(arg))
	}
	return sniff(f, b[:n]), nil
}

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// sqliteURL is the sqlite:// form of a file path, absolute so that the
// URL's first segment is not taken for a host.
func sqliteURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "sqlite://" + filepath.ToSlash(path)
}

// sniff tells an export (JSON lines) from a CSV by its first character.
func sniff(f fileSource, head []byte) source {
	if bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("{")) {
		return jsonlSource{f}
	}
	return csvSource{f}
}
