package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// The Zoho layouts as SQL: the DBStore of the current SDKs (and the Kaizen
// #192 SQLite store), the 9-column one and the legacy one.
const (
	schemaCurrent = `CREATE TABLE %s (id varchar(10) NOT NULL, user_name varchar(255), client_id varchar(255),
  client_secret varchar(255), refresh_token varchar(255), access_token varchar(255), grant_token varchar(255),
  expiry_time varchar(20), redirect_url varchar(255), api_domain varchar(255), primary key (id))`
	schemaNine = `CREATE TABLE %s (id varchar(10) NOT NULL, user_name varchar(255), client_id varchar(255),
  client_secret varchar(255), refresh_token varchar(255), access_token varchar(255), grant_token varchar(255),
  expiry_time varchar(20), redirect_url varchar(255), primary key (id))`
	schemaLegacy = `CREATE TABLE %s (id int NOT NULL AUTO_INCREMENT, user_mail varchar(255), client_id varchar(255),
  refresh_token varchar(255), access_token varchar(255), grant_token varchar(255), expiry_time varchar(20),
  primary key (id))`
)

// zohoRows inserts n good rows (users u0..u(n-1) under the given domain)
// plus, when bad, one row without any token, into a current-layout table.
func insertCurrent(t testing.TB, db *sql.DB, table string, n int, domain string, bad bool) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare("INSERT INTO " + table + " VALUES (?,?,?,?,?,?,?,?,?,?)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := stmt.Exec(fmt.Sprint(i+1), fmt.Sprintf("u%d@%s", i, domain), "1000.FAKECLIENT",
			"fake-secret", fmt.Sprintf("1000.fake-refresh-%d", i), fmt.Sprintf("1000.fake-access-%d", i), nil,
			fmt.Sprint(1893456000000+int64(i)), "https://app.example.com/cb", "https://www.zohoapis.eu"); err != nil {
			t.Fatal(err)
		}
	}
	if bad {
		if _, err := stmt.Exec(fmt.Sprint(n+1), "empty@"+domain, "1000.FAKECLIENT", nil, nil, "", nil, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// mysqlDB creates a database of its own for t on the server of
// TOKENSTORE_MYSQL_DSN (dropped afterwards) and returns it with the source
// URL tokenctl takes for it, without ?table=.
func mysqlDB(t testing.TB) (*sql.DB, string) {
	t.Helper()
	raw := os.Getenv("TOKENSTORE_MYSQL_DSN")
	if raw == "" {
		msg := "TOKENSTORE_MYSQL_DSN is not set: start MariaDB with scripts/testenv/mariadb.sh up and eval \"$(scripts/testenv/mariadb.sh env)\""
		if required() {
			t.Fatal(msg + " (TOKENSTORE_INTEGRATION=required)")
		}
		t.Skip(msg)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal("TOKENSTORE_MYSQL_DSN is not a mysql:// URL")
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := strings.ReplaceAll(unique(t.(*testing.T)), "-", "_")
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	if _, err := admin.Exec("CREATE DATABASE `" + name + "`"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP DATABASE `" + name + "`")
		db.Close()
	})
	u.Path = "/" + name
	return db, u.String()
}

// writeSQLite creates the Kaizen #192 store with 4 rows: alice, bob, a
// second alice row (merges), and one without a token (skipped).
func writeSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf(schemaCurrent, "oauthtoken")); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{
		{"1", "alice@example.com", "1000.FAKE", "fake-secret", "1000.fake-refresh-a", "1000.fake-access-a1", nil, "1893456000000", "https://x/cb", "https://www.zohoapis.com"},
		{"2", "bob@example.com", "1000.FAKE", "fake-secret", "1000.fake-refresh-b", nil, nil, nil, nil, nil},
		{"3", "alice@example.com", nil, nil, nil, "1000.fake-access-a2", nil, "1893459600000", nil, nil},
		{"4", "nobody@example.com", "1000.FAKE", "fake-secret", "", "", "", nil, nil, nil},
	} {
		if _, err := db.Exec("INSERT INTO oauthtoken VALUES (?,?,?,?,?,?,?,?,?,?)", r...); err != nil {
			t.Fatal(err)
		}
	}
}

func TestImportMariaDB(t *testing.T) {
	t.Parallel()
	db, src := mysqlDB(t)
	for _, s := range []string{fmt.Sprintf(schemaCurrent, "oauthtoken"), fmt.Sprintf(schemaNine, "oauthtoken9"), fmt.Sprintf(schemaLegacy, "oauthtoken_legacy")} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	insertCurrent(t, db, "oauthtoken", 5, "current.example.com", true)
	for _, q := range []string{
		`INSERT INTO oauthtoken9 VALUES ('1','nine@example.com','1000.FAKE9','fake-secret','1000.fake-refresh-9',NULL,NULL,'1893456000000','https://nine/cb')`,
		`INSERT INTO oauthtoken9 VALUES ('2','ninebad@example.com','1000.FAKE9','fake-secret','1000.fake-refresh-9b',NULL,NULL,'soon',NULL)`,
		`INSERT INTO oauthtoken_legacy (user_mail, client_id, refresh_token, access_token, grant_token, expiry_time)
		   VALUES ('old@example.com','1000.FAKEL','1000.fake-refresh-old','1000.fake-access-old',NULL,'1893456000000'),
		          (NULL,'1000.FAKEL','1000.fake-refresh-nokey',NULL,NULL,NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	store := vaultURL(t)
	for _, tt := range []struct {
		table string
		want  [5]int // read, inserted, merged, unchanged, skipped
	}{
		{"oauthtoken", [5]int{6, 5, 0, 0, 1}},
		{"oauthtoken9", [5]int{2, 1, 0, 0, 1}},
		{"oauthtoken_legacy", [5]int{2, 1, 0, 0, 1}},
	} {
		p := tokenctl(t, pepperEnv, "", "import", "-s", store, src+"?table="+tt.table).want(t, exitSkipped)
		if c := p.counts(t); c != tt.want {
			t.Errorf("%s: counts %v; want %v\n%s", tt.table, c, tt.want, p.stdout)
		}
		if strings.Contains(p.stdout+p.stderr, "@127.0.0.1") && strings.Contains(p.stdout+p.stderr, mustPassword(src)) {
			t.Errorf("%s: output shows the database password", tt.table)
		}
		// The same import again writes nothing.
		again := tokenctl(t, pepperEnv, "", "import", "-s", store, src+"?table="+tt.table).want(t, exitSkipped)
		if c := again.counts(t); c[1] != 0 || c[2] != 0 || c[3] != tt.want[1] {
			t.Errorf("%s again: counts %v; want every good row unchanged", tt.table, c)
		}
	}
	list := tokenctl(t, pepperEnv, "", "list", "-s", store, "-o", "json").want(t, exitOK)
	var vs []map[string]any
	if err := jsonUnmarshal(list.stdout, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 7 {
		t.Errorf("list: %d records; want 7", len(vs))
	}
	tokenctl(t, nil, "", "import", "-s", "mem://", src+"?table=no_such_table").want(t, exitError)
}

func mustPassword(src string) string {
	u, _ := url.Parse(src)
	p, _ := u.User.Password()
	return p
}

// The MySQL password comes from MYSQL_PWD or --password-file, and one in the
// URL draws a warning (once only the URL was read, where ps shows it).
func TestMySQLPasswordOutsideTheURL(t *testing.T) {
	t.Parallel()
	db, src := mysqlDB(t)
	if _, err := db.Exec(fmt.Sprintf(schemaCurrent, "oauthtoken")); err != nil {
		t.Fatal(err)
	}
	insertCurrent(t, db, "oauthtoken", 2, "pw.example.com", false)
	u, _ := url.Parse(src)
	pw := mustPassword(src)
	u.User = url.User(u.User.Username())
	bare := u.String()
	file := filepath.Join(t.TempDir(), "db-password")
	if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const warning = "password in the source URL is visible"
	for _, tt := range []struct {
		name   string
		env    []string
		args   []string
		code   int
		warned bool
	}{
		{"MYSQL_PWD", []string{"MYSQL_PWD=" + pw}, []string{bare}, exitOK, false},
		{"password file", []string{"MYSQL_PWD="}, []string{"--password-file", file, bare}, exitOK, false},
		{"in the URL", []string{"MYSQL_PWD="}, []string{src}, exitOK, true},
		{"URL beats MYSQL_PWD", []string{"MYSQL_PWD=wrong"}, []string{src}, exitOK, true},
		{"none", []string{"MYSQL_PWD="}, []string{bare}, exitError, false},
		{"URL and file", nil, []string{"--password-file", file, src}, exitUsage, true},
		{"missing file", nil, []string{"--password-file", file + ".missing", bare}, exitUsage, false},
	} {
		args := append([]string{"import", "-s", "mem://"}, tt.args...)
		p := tokenctl(t, tt.env, "", args...)
		if warned := strings.Contains(p.stderr, warning); p.code != tt.code || warned != tt.warned {
			t.Errorf("%s: exit %d, warned %v; want %d, %v\n%s", tt.name, p.code, warned, tt.code, tt.warned, p.stderr)
		}
		if strings.Contains(p.stdout+p.stderr, pw) {
			t.Errorf("%s: output shows the password", tt.name)
		}
	}
}

// A DBStore row whose api_domain is not Zoho's API is skipped.
func TestImportMariaDBChecksAPIDomain(t *testing.T) {
	t.Parallel()
	db, src := mysqlDB(t)
	if _, err := db.Exec(fmt.Sprintf(schemaCurrent, "oauthtoken")); err != nil {
		t.Fatal(err)
	}
	insertCurrent(t, db, "oauthtoken", 2, "dom.example.com", false)
	if _, err := db.Exec("INSERT INTO oauthtoken VALUES ('9','bad@dom.example.com','1000.FAKE','fake-secret','1000.fake-refresh-x',NULL,NULL,NULL,NULL,'http://attacker:8080')"); err != nil {
		t.Fatal(err)
	}
	p := tokenctl(t, nil, "", "import", "-s", "mem://", src).want(t, exitSkipped)
	if c := p.counts(t); c != [5]int{3, 2, 0, 0, 1} || !strings.Contains(p.stderr, "api_domain: zoho: not a Zoho API domain") {
		t.Errorf("counts %v; want the bad api_domain row skipped\n%s", c, p.stderr)
	}
}
