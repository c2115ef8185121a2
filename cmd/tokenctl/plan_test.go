package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// report is one run's JSON report: its rows and summary.
type report struct {
	rows []result
	sum  summary
}

func parseReport(t *testing.T, p proc) report {
	t.Helper()
	var rep report
	for _, line := range strings.Split(strings.TrimSpace(p.stdout), "\n") {
		if strings.HasPrefix(line, `{"summary"`) {
			var s struct{ Summary summary }
			if err := json.Unmarshal([]byte(line), &s); err != nil {
				t.Fatal(err)
			}
			rep.sum = s.Summary
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("report line %q: %v\n%s", line, err, p.stderr)
		}
		rep.rows = append(rep.rows, r)
	}
	return rep
}

// newLabels writes the IDs a run made up (those the store did not hold
// before) as a dry run labels them: "(new 1)", "(new 2)", ... in order of
// first appearance. IDs kept from the source (kept) stay as they are.
func newLabels(rep report, before []tokenstore.Token, kept map[string]bool) report {
	held := map[string]bool{}
	for _, t := range before {
		held[t.ID] = true
	}
	labels := map[string]string{}
	out := report{sum: rep.sum}
	for _, r := range rep.rows {
		if r.ID != "" && !held[r.ID] && !kept[r.ID] {
			if labels[r.ID] == "" {
				labels[r.ID] = fmt.Sprintf("(new %d)", len(labels)+1)
			}
			r.ID = labels[r.ID]
		}
		// A message may name a made-up ID.
		for id, l := range labels {
			r.Reason = strings.ReplaceAll(r.Reason, id, l)
		}
		out.rows = append(out.rows, r)
	}
	return out
}

func seed(t *testing.T, s tokenstore.Store, ts ...tokenstore.Token) {
	t.Helper()
	for _, tok := range ts {
		if err := s.SaveToken(context.Background(), &tok); err != nil {
			t.Fatal(err)
		}
	}
}

// Every import and copy fixture gives the same report with --dry-run as
// without, on an empty target and on one that already holds some of its users
// (rows that interact were once planned against the store alone: a user's
// second row was a skip, an ID given twice two inserts, users held under
// other IDs inserts).
func TestDryRunAgreesWithRealRun(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	more, _ := filepath.Glob("testdata/plan/*")
	files = append(files, more...)
	held := []tokenstore.Token{
		{UserName: "ann@example.com", AccessToken: "1000.fake-access-old-ann"},
		{UserName: "gina@example.com", ClientID: "1000.FAKE", ClientSecret: "fake-secret", RefreshToken: "1000.fake-refresh-gina"},
		{UserName: "cid@example.com", AccessToken: "1000.fake-access-old-cid"},
		{ClientID: "1000.FAKE", ClientSecret: "fake-secret", RefreshToken: "1000.fake-refresh-shared", AccessToken: "1000.fake-access-old-r"},
	}
	type scenario struct {
		name  string
		setup func(t *testing.T) (target string, args []string, kept map[string]bool)
	}
	var scenarios []scenario
	for _, f := range files {
		for _, pre := range []bool{false, true} {
			f, pre := f, pre
			scenarios = append(scenarios, scenario{fmt.Sprintf("import %s into a %s store", filepath.Base(f), map[bool]string{false: "new", true: "used"}[pre]),
				func(t *testing.T) (string, []string, map[string]bool) {
					u, s := testStore(t)
					if pre {
						seed(t, s, held...)
					}
					kept := map[string]bool{"0000000000000000000000000000000a": true, "0000000000000000000000000000000b": true}
					return u, []string{"import", "-s", u, f}, kept
				}})
		}
	}
	// Copies: into a store holding the same users under other IDs, into
	// one holding the same IDs, and into an empty one.
	for _, dst := range []string{"other IDs", "same IDs", "empty"} {
		dst := dst
		scenarios = append(scenarios, scenario{"copy into a store with " + dst, func(t *testing.T) (string, []string, map[string]bool) {
			from, src := testStore(t)
			seed(t, src, held...)
			ts, _ := src.GetTokens(context.Background())
			to, d := testStore(t)
			kept := map[string]bool{}
			for _, tok := range ts {
				kept[tok.ID] = true
				switch dst {
				case "other IDs":
					tok.ID = ""
					tok.AccessToken += "-x"
					seed(t, d, tok)
				case "same IDs":
					tok.AccessToken += "-y"
					seed(t, d, tok)
				}
			}
			return to, []string{"copy", "--from", from, "--to", to}, kept
		}})
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			target, args, kept := sc.setup(t)
			s, _ := tokenstore.OpenStore(context.Background(), target, nil)
			before, _ := s.GetTokens(context.Background())
			dry := runApp(t, "", append(args, "-n", "-o", "json")...)
			if after, _ := s.GetTokens(context.Background()); !reflect.DeepEqual(after, before) {
				t.Fatalf("the dry run wrote: %d records before, %d after", len(before), len(after))
			}
			real := runApp(t, "", append(args, "-o", "json")...)
			if dry.code != real.code {
				t.Errorf("exit %d with --dry-run, %d without\n%s\n%s", dry.code, real.code, dry.stderr, real.stderr)
			}
			d, r := parseReport(t, dry), newLabels(parseReport(t, real), before, kept)
			if !d.sum.DryRun || r.sum.DryRun {
				t.Errorf("dry_run flags %v, %v", d.sum.DryRun, r.sum.DryRun)
			}
			d.sum.DryRun = false
			if !reflect.DeepEqual(d, r) {
				t.Errorf("reports differ:\n dry run %+v\nreal run %+v", d, r)
			}
		})
	}
}

// Imports accept only https origins of Zoho's API as api_domain (empty
// stays allowed); a bad one skips its row.
func TestImportChecksAPIDomain(t *testing.T) {
	u, s := testStore(t)
	p := runApp(t, "", "import", "-s", u, "-o", "json", "testdata/plan/api-domain.csv")
	if p.code != exitSkipped {
		t.Fatalf("exit %d; want %d\n%s", p.code, exitSkipped, p.stderr)
	}
	rep := parseReport(t, p)
	var skipped []string
	for _, r := range rep.rows {
		if r.Action == actSkip {
			if !strings.Contains(r.Reason, "api_domain: zoho: not a Zoho API domain") {
				t.Errorf("row %d: reason %q", r.Row, r.Reason)
			}
			skipped = append(skipped, r.User)
		}
	}
	want := []string{"attacker@example.com", "lookalike@example.com", "metadata@example.com", "plain@example.com", "port@example.com"}
	sort.Strings(skipped)
	if !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped %v; want %v", skipped, want)
	}
	ts, _ := s.GetTokens(context.Background())
	domains := map[string]string{}
	for _, tok := range ts {
		domains[tok.UserName] = tok.APIDomain
	}
	wantDomains := map[string]string{"good@example.com": "https://www.zohoapis.eu", "slash@example.com": "https://www.zohoapis.com", "none@example.com": ""}
	if !reflect.DeepEqual(domains, wantDomains) {
		t.Errorf("stored %v; want %v", domains, wantDomains)
	}
}

// A store whose records do not answer to the pepper given is refused before
// any write unless --force, and with --force the report says that rows
// inserted beside their users' records (a changed pepper made a second record
// for each user and the report said "merge").
func TestChangedPepperIsRefused(t *testing.T) {
	t.Parallel()
	otherPepper := []string{"TOKENSTORE_PEPPER=" + strings.Repeat("ab", 32)}
	for name, open := range map[string]func(testing.TB) string{"vault": vaultURL, "awssm": awssmURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := open(t)
			tokenctl(t, pepperEnv, "", "import", "-s", u, "testdata/filestore-java.csv").want(t, exitSkipped)
			before := tokens(t, storeOf(t, u))
			for _, args := range [][]string{
				{"import", "-s", u, "testdata/filestore-java.csv"},
				{"import", "-n", "-s", u, "testdata/filestore-java.csv"},
				{"copy", "--from", "mem://", "--to", u},
			} {
				p := tokenctl(t, otherPepper, "", args...)
				if p.code != exitUsage || !strings.Contains(p.stderr, "none answers to this pepper") || !strings.Contains(p.stderr, "--force") {
					t.Errorf("tokenctl %v with another pepper: exit %d; want %d and the pepper named\n%s%s", args, p.code, exitUsage, p.stdout, p.stderr)
				}
			}
			sameTokens(t, "after the refusals", tokens(t, storeOf(t, u)), before)

			// With --force, a row that changes gina's record lands beside it.
			csv := filepath.Join(t.TempDir(), "gina.csv")
			os.WriteFile(csv, []byte("user_name,access_token\ngina@example.com,1000.fake-access-gina-new\n"), 0o600)
			for _, dry := range []bool{true, false} {
				args := []string{"import", "--force", "-o", "json", "-s", u, csv}
				if dry {
					args = append(args, "-n")
				}
				p := tokenctl(t, otherPepper, "", args...).want(t, exitOK)
				rep := parseReport(t, proc{stdout: p.stdout})
				if len(rep.rows) != 1 || rep.rows[0].Action != actInsert || !strings.Contains(rep.rows[0].Reason, "another pepper?") || !strings.Contains(p.stderr, "do not answer to this pepper") {
					t.Errorf("--force (dry run %v): %+v; want an insert beside gina's record, with the reason\n%s", dry, rep.rows, p.stderr)
				}
			}
			if n := len(tokens(t, storeOf(t, u))); n != len(before)+1 {
				t.Errorf("after --force: %d records; want %d", n, len(before)+1)
			}
		})
	}
}

// The api_domain check holds for every source, not only CSV.
func TestImportChecksAPIDomainOfEverySource(t *testing.T) {
	dir := t.TempDir()
	jsonl := filepath.Join(dir, "export.jsonl")
	os.WriteFile(jsonl, []byte(`{"v":1,"token":{"id":"0123456789abcdef0123456789abcdef","user_name":"ok@example.com","access_token":"1000.fake-access-1","api_domain":"https://sandbox.zohoapis.in"}}`+"\n"+
		`{"v":1,"token":{"id":"0123456789abcdef0123456789abcdee","user_name":"bad@example.com","access_token":"1000.fake-access-2","api_domain":"http://169.254.169.254"}}`+"\n"), 0o600)
	db := filepath.Join(dir, "zohooauth.db")
	writeSQLite(t, db)
	sqlDB, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.Exec("INSERT INTO oauthtoken VALUES ('9','bad@example.com','1000.FAKE','fake-secret','1000.fake-refresh-x',NULL,NULL,NULL,NULL,'https://attacker.example')"); err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	for _, src := range []string{jsonl, "sqlite://" + db} {
		u, s := testStore(t)
		p := runApp(t, "", "import", "-s", u, "-o", "json", src)
		bad := 0
		for _, r := range parseReport(t, p).rows {
			if r.User == "bad@example.com" && r.Action == actSkip && strings.Contains(r.Reason, "api_domain: zoho: not a Zoho API domain") {
				bad++
			}
		}
		if _, err := s.FindToken(context.Background(), tokenstore.Token{UserName: "bad@example.com"}); bad != 1 || err == nil {
			t.Errorf("%s: the row with a bad api_domain was not skipped (stored: %v)\n%s", src, err == nil, p.stdout)
		}
	}
}
