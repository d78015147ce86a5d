package econ

import (
	"fmt"
	"time"
)

// Date is a UTC calendar day, the unit of every publication date and
// reporting period. The zero Date is unknown. In JSON it is "YYYY-MM-DD",
// or null when unknown.
type Date struct{ t time.Time }

// DateOf returns the UTC calendar day of t; the zero time gives the zero Date.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// NewDate returns the day y-m-d (normalised as time.Date does: 31 June is 1 July).
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// Time returns the day as UTC midnight (the zero time for the zero Date).
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Before reports whether d is a day before o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is a day after o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// Compare returns −1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }

// AddDays returns the day n days after d (before, for negative n); the zero
// Date stays zero.
func (d Date) AddDays(n int) Date {
	if d.IsZero() {
		return d
	}
	return Date{d.t.AddDate(0, 0, n)}
}

// String formats the day as YYYY-MM-DD, or "" when unknown.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalJSON encodes the day as "YYYY-MM-DD", or null when unknown.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON decodes "YYYY-MM-DD", or null as unknown.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("date %s: want a quoted YYYY-MM-DD", s)
	}
	v, err := ParseDate(s[1 : len(s)-1])
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// quarterIndex numbers calendar quarters consecutively (year×4 + quarter−1),
// so that two quarters apart is a difference of 2.
func quarterIndex(d Date) int {
	y, m, _ := d.t.Date()
	return y*4 + int(m-1)/3
}

// CalendarQuarter returns the label of the calendar quarter d falls in,
// e.g. "2025-Q3"; "" for the zero Date.
func CalendarQuarter(d Date) string {
	if d.IsZero() {
		return ""
	}
	i := quarterIndex(d)
	return fmt.Sprintf("%04d-Q%d", i/4, i%4+1)
}
