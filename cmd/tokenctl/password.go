package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// envMySQLPassword is the MySQL clients' own variable for the password.
const envMySQLPassword = "MYSQL_PWD"

// mysqlPassword returns the password for a mysql:// source: the contents
// of --password-file (one trailing newline dropped), else the URL's, else
// MYSQL_PWD, as the mysql client prefers what the command line says over
// the environment. A password in the URL shows in ps and shell history, so
// it draws a warning; one in the URL and a file as well is a usage error.
func (a *app) mysqlPassword(u *url.URL, file string) (string, error) {
	inURL, hasURL := u.User.Password()
	if hasURL {
		a.warnf("the MySQL password in the source URL is visible to other users (ps, shell history): use %s or --password-file", envMySQLPassword)
	}
	switch {
	case file != "" && hasURL:
		return "", usagef("source: a password in the URL and --password-file: give it once")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", withCode(exitUsage, fmt.Errorf("password file: %w", err)) // as --pepper-file
		}
		s := strings.TrimSuffix(string(b), "\n")
		return strings.TrimSuffix(s, "\r"), nil
	case hasURL:
		return inURL, nil
	}
	return os.Getenv(envMySQLPassword), nil
}
