package main

import (
	"bufio"
	"errors"
	"io"

	"github.com/tokenstore-go/tokenstore/driver"
)

// Bounds on what one row may hold while it is read, so that memory stays
// small whatever the input: encoding/csv and bufio.Reader.ReadBytes keep a
// whole record or line, and a 64 MiB field took 357 MB.
const (
	// maxCSVRecord bounds a CSV record: ten fields of maxField bytes,
	// doubled for quoting, and room for unknown columns.
	maxCSVRecord = 256 << 10
	// maxJSONLine bounds an export line: a record envelope is at most
	// driver.MaxRecordSize; the rest is room for surrounding space.
	maxJSONLine = driver.MaxRecordSize + 4<<10
)

// csvSplitter cuts a CSV stream into records the way encoding/csv reads
// them (a newline inside a quoted field continues the record; a quote
// opens a quoted field only at the start of a field; "" inside one is a
// quote), keeping at most max bytes of each. A longer record is scanned to
// its end and reported, so the next one starts where csv would start it.
type csvSplitter struct {
	br    *bufio.Reader
	max   int
	lines int // newlines consumed so far
}

// next returns the next record without its final newline, the line it
// starts on, and whether it was cut at max bytes. It returns io.EOF when
// nothing is left.
func (s *csvSplitter) next() (rec []byte, line int, tooLong bool, err error) {
	line = s.lines + 1
	inQuotes, fieldStart, afterQuote := false, true, false
	n := 0
	for {
		c, err := s.br.ReadByte()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return nil, line, false, io.EOF
			}
			return rec, line, tooLong, nil
		}
		if err != nil {
			return nil, line, false, err
		}
		n++
		switch {
		case inQuotes && c == '"':
			inQuotes, afterQuote = false, true
		case afterQuote && c == '"': // "" inside a quoted field
			inQuotes, afterQuote = true, false
		case !inQuotes && fieldStart && c == '"':
			inQuotes = true
		default:
			afterQuote = false
		}
		fieldStart = !inQuotes && c == ','
		if c == '\n' {
			s.lines++
			if !inQuotes {
				return rec, line, tooLong, nil
			}
		}
		if len(rec) < s.max {
			rec = append(rec, c)
		} else {
			tooLong = true
		}
	}
}

// readLine returns the next line of br without its newline, keeping at
// most max bytes of it; tooLong reports that the rest was discarded. It
// returns io.EOF when nothing is left.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	read := false
	for {
		chunk, err := br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if len(line)+len(chunk) <= max {
			line = append(line, chunk...)
		} else {
			line = append(line, chunk[:max-len(line)]...)
			tooLong = true
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && read:
			return trimNewline(line), tooLong, nil
		case err != nil:
			return nil, false, err
		}
		return trimNewline(line), tooLong, nil
	}
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}
