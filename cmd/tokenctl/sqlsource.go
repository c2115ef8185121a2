package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers "sqlite": pure Go, no cgo

	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

// sqlSource reads a Zoho token table: the SDKs' DBStore on MySQL or MariaDB
// (current, 9-column or legacy user_mail layout) or the Kaizen #192 SQLite
// store. Columns are taken from SELECT *'s result, so every layout works.
type sqlSource struct {
	driver, dsn string
	table       string
	label       string // the URL without its password
}

func (s sqlSource) name() string   { return s.label }
func (s sqlSource) keepsIDs() bool { return false }

// errBadTable is a table name tokenctl will not put into SQL.
var errBadTable = errors.New("table")

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// newMySQLSource parses mysql://user@host:port/db?table=oauthtoken
// (also ?socket=/path for a unix socket, ?tls=true|skip-verify|preferred).
// The password is passwd (see app.mysqlPassword), not the URL's.
func newMySQLSource(u *url.URL, passwd string) (sqlSource, error) {
	q, err := urlparam.Query(u.RawQuery, "table", "socket", "tls")
	if err != nil {
		return sqlSource{}, err
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd = passwd
	cfg.DBName = strings.Trim(u.Path, "/")
	if cfg.DBName == "" {
		cfg.DBName = "zohooauth"
	}
	cfg.Net, cfg.Addr = "tcp", u.Host
	if sock := q["socket"]; sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	} else if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	if v := q["tls"]; v != "" {
		cfg.TLSConfig = v
	}
	s := sqlSource{driver: "mysql", dsn: cfg.FormatDSN(), table: q["table"], label: "MySQL " + u.Redacted()}
	return s, s.checkTable()
}

// newSQLiteSource parses sqlite:///path/to/file.db?table=oauthtoken and
// opens the file read-only.
func newSQLiteSource(u *url.URL) (sqlSource, error) {
	q, err := urlparam.Query(u.RawQuery, "table")
	if err != nil {
		return sqlSource{}, err
	}
	path := u.Host + u.Path
	if u.Opaque != "" {
		path = u.Opaque
	}
	if path == "" {
		return sqlSource{}, urlparam.Errorf("no file: want sqlite:///path/to/file.db")
	}
	if _, err := os.Stat(path); err != nil {
		return sqlSource{}, err // never create an empty database by mistake
	}
	dsn := (&url.URL{Scheme: "file", Opaque: path, RawQuery: "mode=ro"}).String()
	s := sqlSource{driver: "sqlite", dsn: dsn, table: q["table"], label: "SQLite " + path}
	return s, s.checkTable()
}

func (s *sqlSource) checkTable() error {
	if s.table == "" {
		s.table = "oauthtoken"
	}
	if !tableName.MatchString(s.table) {
		return fmt.Errorf("%w %q: want letters, digits and _", errBadTable, s.table)
	}
	return nil
}

func (s sqlSource) rows(ctx context.Context) ([]row, error) {
	db, err := sql.Open(s.driver, s.dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	defer db.Close()
	quote := `"`
	if s.driver == "mysql" {
		quote = "`"
	}
	// The table name is checked against tableName, so quoting suffices.
	rs, err := db.QueryContext(ctx, "SELECT * FROM "+quote+s.table+quote)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	if err := checkColumns(cols); err != nil {
		return nil, fmt.Errorf("%s table %s: %w", s.name(), s.table, err)
	}
	var out []row
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for n := 1; rs.Next(); n++ {
		if err := rs.Scan(ptrs...); err != nil {
			out = append(out, row{n: n, err: fmt.Errorf("unreadable row: %T", err)})
			continue
		}
		vals := make([]string, len(cols))
		for i, b := range raw {
			vals[i] = string(b) // NULL reads as ""
		}
		out = append(out, zohoRow(n, cols, vals))
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	return out, nil
}
