package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// fileSource reads a local file, or stdin for "-".
type fileSource struct {
	path  string
	stdin io.Reader
}

func (f fileSource) open() (io.ReadCloser, error) {
	if f.path == "-" {
		return io.NopCloser(f.stdin), nil
	}
	return os.Open(f.path)
}

func (f fileSource) label() string {
	if f.path == "-" {
		return "stdin"
	}
	return f.path
}

// csvSource is a Zoho SDK FileStore CSV: a header naming the columns
// (current, Java's redirect_url, 9-column, legacy user_mail) or, without a
// header, one of the layouts in zohoLayouts chosen by column count.
type csvSource struct{ fileSource }

func (s csvSource) name() string   { return "CSV " + s.label() }
func (s csvSource) keepsIDs() bool { return false }

func (s csvSource) rows(ctx context.Context) ([]row, error) {
	rc, err := s.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sp := csvSplitter{br: bufio.NewReader(rc), max: maxCSVRecord}
	var cols []string
	var out []row
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		raw, line, tooLong, err := sp.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if tooLong {
			if cols == nil {
				return nil, fmt.Errorf("%s: line %d is over %d KiB: not a Zoho FileStore layout", s.name(), line, maxCSVRecord>>10)
			}
			out = append(out, row{n: line, err: fmt.Errorf("record over %d KiB (a field holds at most %d bytes)", maxCSVRecord>>10, maxField)})
			continue
		}
		rec, err := parseCSVRecord(raw)
		if errors.Is(err, io.EOF) {
			continue // a blank line
		}
		if err != nil && cols == nil {
			// The first record decides the layout.
			return nil, fmt.Errorf("%s: line %d: %w", s.name(), line, err)
		}
		if err != nil {
			// Report where, never what: the line may hold tokens.
			out = append(out, row{n: line, err: err})
			continue
		}
		if cols == nil {
			if cols, err = csvColumns(rec); err != nil {
				return nil, fmt.Errorf("%s: %w", s.name(), err)
			}
			if isHeader(rec) {
				continue
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > len(cols) {
			out = append(out, row{n: line, err: fmt.Errorf("%d fields, the layout has %d", len(rec), len(cols))})
			continue
		}
		vals := make([]string, len(cols))
		copy(vals, rec)
		out = append(out, zohoRow(line, cols, vals))
	}
}

// parseCSVRecord reads the one record raw holds (csvSplitter cut it);
// io.EOF for a blank line. Its errors never quote the input.
func parseCSVRecord(raw []byte) ([]string, error) {
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1 // the SDK upgrades 9-column files by appending; rows may be short
	rec, err := r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("malformed CSV: %v", pe.Err)
	}
	if err != nil {
		return nil, err
	}
	if _, err := r.Read(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed CSV: more than one record on the line")
	}
	return rec, nil
}

// isHeader reports whether a first record is a header: it names a column.
func isHeader(rec []string) bool {
	for _, c := range rec {
		if _, ok := zohoColumns[normColumn(c)]; ok {
			return true
		}
	}
	return false
}

// csvColumns returns the columns a file's first record implies.
func csvColumns(first []string) ([]string, error) {
	if isHeader(first) {
		cols := make([]string, len(first))
		for i, c := range first {
			cols[i] = normColumn(c)
		}
		return cols, checkColumns(cols)
	}
	if l, ok := zohoLayouts[len(first)]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("no header and %d columns: not a Zoho FileStore layout (10, 9, 7 or 6 columns)", len(first))
}

// jsonlSource is tokenctl's own export: one tokenstore record envelope
// ({"v":1,"token":{...}}) per line. IDs are kept.
type jsonlSource struct{ fileSource }

func (s jsonlSource) name() string   { return "JSON lines " + s.label() }
func (s jsonlSource) keepsIDs() bool { return true }

func (s jsonlSource) rows(ctx context.Context) ([]row, error) {
	rc, err := s.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	var out []row
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		line, tooLong, err := readLine(br, maxJSONLine)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		b := bytes.TrimSpace(line)
		switch {
		case tooLong:
			out = append(out, row{n: n, err: fmt.Errorf("%w: line is over %d bytes, a record at most %d", tokenstore.ErrTooLarge, maxJSONLine, driver.MaxRecordSize)})
		case len(b) == 0:
		case len(b) > driver.MaxRecordSize:
			out = append(out, row{n: n, err: fmt.Errorf("%w: line is %d bytes, a record at most %d", tokenstore.ErrTooLarge, len(b), driver.MaxRecordSize)})
		default:
			t, derr := driver.DecodeRecord(b)
			if derr != nil {
				out = append(out, row{n: n, err: derr}) // DecodeRecord never quotes its input
				continue
			}
			out = append(out, row{n: n, srcID: t.ID, tok: t})
		}
	}
}
