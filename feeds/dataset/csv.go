package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"time"
)

// ParseError reports a problem in one embedded file. Line is the 1-based
// line of the offending record (0 when the problem concerns the whole file).
type ParseError struct {
	File string
	Line int
	Err  error
}

// Error formats the error as "dataset: file:line: message".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("dataset: %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("dataset: %s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// table reads one embedded CSV file record by record and keeps the first
// error it meets, tagged with the file and line. Field accessors record a
// failure instead of returning an error, so a row is parsed in straight-line
// code and checked once with t.ok().
type table struct {
	file  string
	size  int
	f     fs.File
	r     *csv.Reader
	rec   []string
	line  int
	rows  int
	err   error
	index map[string]int
}

// openTable opens name in fsys, reads its header and checks that every
// column in want is present. lazyQuotes allows a bare quote inside an
// unquoted field (the facts file has one, in a note).
func openTable(fsys fs.FS, name string, lazyQuotes bool, want ...string) (*table, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	t := &table{file: name, f: f}
	if st, err := f.Stat(); err == nil {
		t.size = int(st.Size())
	}
	t.r = csv.NewReader(f)
	t.r.LazyQuotes = lazyQuotes
	t.r.ReuseRecord = true
	header, err := t.r.Read()
	if err != nil {
		f.Close()
		return nil, &ParseError{File: name, Line: 1, Err: fmt.Errorf("reading header: %w", err)}
	}
	t.index = make(map[string]int, len(header))
	for i, h := range header {
		t.index[h] = i
	}
	for _, w := range want {
		if _, ok := t.index[w]; !ok {
			f.Close()
			return nil, &ParseError{File: name, Line: 1, Err: fmt.Errorf("missing column %q (header %q)", w, header)}
		}
	}
	return t, nil
}

// col returns the index of a column checked by openTable.
func (t *table) col(name string) int { return t.index[name] }

// next reads the next record; it returns false at the end of the file or
// after an error (see close).
func (t *table) next() bool {
	if t.err != nil {
		return false
	}
	rec, err := t.r.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		line := t.line + 1
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.Line
			err = pe.Err
		}
		t.err = &ParseError{File: t.file, Line: line, Err: err}
		return false
	}
	t.rec = rec
	t.line, _ = t.r.FieldPos(0)
	t.rows++
	return true
}

// close releases the file and returns the first error met.
func (t *table) close() error {
	t.f.Close()
	return t.err
}

// failf records an error for the current line unless one is already recorded.
func (t *table) failf(format string, args ...any) {
	if t.err == nil {
		t.err = &ParseError{File: t.file, Line: t.line, Err: fmt.Errorf(format, args...)}
	}
}

// ok reports whether no error has been recorded.
func (t *table) ok() bool { return t.err == nil }

// str returns column i of the current record.
func (t *table) str(i int) string { return t.rec[i] }

// float parses column i as a finite float64.
func (t *table) float(i int, name string) float64 {
	v, err := strconv.ParseFloat(t.rec[i], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		t.failf("column %s: %q is not a finite number", name, t.rec[i])
		return 0
	}
	return v
}

// positive parses column i as a float64 > 0.
func (t *table) positive(i int, name string) float64 {
	v := t.float(i, name)
	if t.ok() && v <= 0 {
		t.failf("column %s: %q is not positive", name, t.rec[i])
	}
	return v
}

// integer parses column i as an int64.
func (t *table) integer(i int, name string) int64 {
	v, err := strconv.ParseInt(t.rec[i], 10, 64)
	if err != nil {
		t.failf("column %s: %q is not an integer", name, t.rec[i])
	}
	return v
}

// date parses column i as a YYYY-MM-DD day (UTC midnight).
func (t *table) date(i int, name string) time.Time {
	d, ok := parseDay(t.rec[i])
	if !ok {
		t.failf("column %s: %q is not a YYYY-MM-DD date", name, t.rec[i])
	}
	return d
}

// parseDay parses a YYYY-MM-DD date as UTC midnight. It is time.Parse with
// time.DateOnly for the only layout the files use, without its generality
// (dates are most of what Load parses).
func parseDay(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // day past the end of the month
		return time.Time{}, false
	}
	return t, true
}

// dayNumber returns the number of whole days since 1970-01-01 of t's UTC date.
func dayNumber(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// utcDay returns the UTC midnight that starts t's UTC date.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
