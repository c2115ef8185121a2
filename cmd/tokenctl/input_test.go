package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Malformed input is reported per row and never panics:
// a bad first field used to panic in csv.Reader.FieldPos.
func TestMalformedInputNeverPanics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	export := `{"v":1,"token":{"id":"0123456789abcdef0123456789abcdef","user_name":"a@example.com","access_token":"1000.fake-access-a"}}` + "\n"
	for _, tt := range []struct {
		name, content string
		args          []string
		code          int
	}{
		{"bad-first-field.csv", "x\"y,z\n", nil, exitError},
		{"bad-header.csv", "\"user_name\"x,access_token\nann,1000.fake-access-a\n", nil, exitError},
		{"bad-row.csv", "user_name,access_token\nann,1000.fake-access-a\nx\"y,z\n", nil, exitSkipped},
		{"export-as-csv.jsonl", export, []string{"--format", "csv"}, exitError},
		{"broken.jsonl", export + "{\"v\":1,\n", nil, exitSkipped},
	} {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"import", "-s", "mem://", path}, tt.args...)
		p := tokenctl(t, nil, "", args...)
		if strings.Contains(p.stderr, "panic") || strings.Contains(p.stderr, "goroutine") {
			t.Errorf("tokenctl %v panicked:\n%s", args, p.stderr)
			continue
		}
		if p.code != tt.code {
			t.Errorf("tokenctl %v: exit %d; want %d\n%s%s", args, p.code, tt.code, p.stdout, p.stderr)
		}
	}
}

// hugeField is a reader of a file with one 64 MiB field in a valid row.
func hugeField(prefix, suffix string) io.Reader {
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(zeros{}, 64<<20), strings.NewReader(suffix))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}

// Reading a source holds at most a bounded part of any row in memory
// (a 64 MiB field used to cost 357 MB).
func TestHugeFieldsAreBounded(t *testing.T) {
	for _, tt := range []struct {
		name string
		src  func(io.Reader) source
		in   io.Reader
	}{
		{"csv", func(r io.Reader) source { return csvSource{fileSource{path: "-", stdin: r}} },
			hugeField("user_name,access_token\nann,", "\nbob,1000.fake-access-b\n")},
		{"csv quoted", func(r io.Reader) source { return csvSource{fileSource{path: "-", stdin: r}} },
			hugeField("user_name,access_token\nann,\"", "\n\"\nbob,1000.fake-access-b\n")},
		{"jsonl", func(r io.Reader) source { return jsonlSource{fileSource{path: "-", stdin: r}} },
			hugeField(`{"v":1,"token":{"user_name":"ann","access_token":"`, "\"}}\n"+
				`{"v":1,"token":{"id":"0123456789abcdef0123456789abcdef","user_name":"bob","access_token":"1000.fake-access-b"}}`+"\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rows, err := tt.src(tt.in).rows(context.Background())
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("reading allocated %d MiB; want under 8 MiB for a 64 MiB field", alloc>>20)
			}
			if len(rows) != 2 || rows[0].err == nil || !strings.Contains(rows[0].err.Error(), "over") || rows[1].err != nil || rows[1].tok.UserName != "bob" {
				t.Fatalf("rows %+v; want the huge row refused as too long and bob read", rows)
			}
			if !bytes.Contains([]byte(rows[0].err.Error()), []byte("KiB")) && !strings.Contains(rows[0].err.Error(), "bytes") {
				t.Errorf("reason %q names no size", rows[0].err)
			}
		})
	}
}
