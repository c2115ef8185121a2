package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tokenstore-go/tokenstore/memstore"
)

// The readers and the applier behind them never panic, whatever the input.
// Run a fuzzer with, for example,
//
//	go test -run '^$' -fuzz FuzzCSVSource -fuzztime 2m .
//
// A plain go test replays the seeds below and testdata/fuzz.

// fuzzSeeds are the fixtures, the inputs that once panicked, and pieces of
// both formats.
func fuzzSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"x\"y,z\n", // panicked: FieldPos on a record that failed to parse
		"{\"v\":1,\"token\":{\"id\":\"0123456789abcdef0123456789abcdef\",\"user_name\":\"a\",\"access_token\":\"t\"}}\n{\n",
		"id,user_name,access_token\n1,\"a\nb\",t\n2,\"c\"\"d\",u\r\n",
		"user_name,access_token\n\"unterminated,t\n",
		"\ufeffuser_name,refresh_token,client_id,client_secret\nann,r,c,s\nann,r2,c,s\n",
		"", "\n\n", "\"", ",,,,,,,,,\n",
	} {
		f.Add([]byte(s))
	}
}

// applyAll reads src and applies its rows to a memory store, as import
// does.
func applyAll(t *testing.T, src source) []row {
	ctx := context.Background()
	rows, err := src.rows(ctx)
	if err != nil {
		return nil // a source error is an answer, not a crash
	}
	opts := applyOptions{keepIDs: src.keepsIDs(), checkDomain: true}
	ap, err := newApplier(ctx, memstore.New(nil), opts, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := ap.apply(ctx, r); err != nil {
			t.Fatalf("row %d: %v", r.n, err)
		}
	}
	return rows
}

func FuzzCSVSource(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		applyAll(t, csvSource{fileSource{path: "-", stdin: bytes.NewReader(in)}})

		// Where encoding/csv reads the whole input, the splitter cuts it
		// into the same records.
		want, err := readAllCSV(in)
		if err != nil {
			return
		}
		sp := csvSplitter{br: bufio.NewReader(bytes.NewReader(in)), max: maxCSVRecord}
		var got [][]string
		for {
			raw, _, tooLong, err := sp.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil || tooLong {
				t.Fatalf("splitter: %v, too long %v", err, tooLong)
			}
			rec, err := parseCSVRecord(raw)
			if errors.Is(err, io.EOF) {
				continue
			}
			if err != nil {
				t.Fatalf("record %q: %v; encoding/csv read the whole input", raw, err)
			}
			got = append(got, rec)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("split records %q; encoding/csv reads %q", got, want)
		}
	})
}

func FuzzJSONLSource(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		applyAll(t, jsonlSource{fileSource{path: "-", stdin: bytes.NewReader(in)}})
		// The same bytes named as CSV (--format csv on an export).
		applyAll(t, csvSource{fileSource{path: "-", stdin: bytes.NewReader(in)}})
	})
}

func readAllCSV(in []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(in))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if len(recs) == 0 {
		recs = nil
	}
	return recs, err
}
