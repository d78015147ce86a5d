package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is a span of whole UTC days, both ends included.
type Period struct {
	// Label is the text the period was parsed from.
	Label string `json:"label"`
	// From and To are the first and last day (00:00 UTC); zero when the
	// period is unknown.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Days returns the number of days in the period (0 for an unknown period).
func (p Period) Days() int {
	if p.From.IsZero() {
		return 0
	}
	return int(dayNumber(p.To)-dayNumber(p.From)) + 1
}

// Contains reports whether t's UTC date lies in the period.
func (p Period) Contains(t time.Time) bool {
	if p.From.IsZero() {
		return false
	}
	n := dayNumber(t)
	return n >= dayNumber(p.From) && n <= dayNumber(p.To)
}

// ParsePeriod reads a reporting period as the fact sheet writes them:
//
//	2025                      calendar year
//	2025-08                   month
//	2025-Q3                   calendar quarter
//	2025-10..12               months 10 to 12 of 2025
//	2025-11..2026-02          months across years
//	2025-07-01..2025-09-30    days
//	FY2025 (to 2025-06-30)    the 12 months ending on that day
//
// A trailing parenthetical is accepted only when it confirms or labels the
// period without widening it: a month range ("2024-Q4 (Oct-Dec)") must match
// the period's months, a fiscal-quarter label ("2026-01..03 (FQ3'26)") is
// kept as text, and "to YYYY-MM-DD" is required by FY. Anything else,
// such as "(approx)" or "(guidance)", is an error, because the period would
// then be a guess. A bare date (2025-09-30) is an instant, not a period,
// and is an error too.
func ParsePeriod(s string) (Period, error) {
	label := strings.TrimSpace(s)
	core, qual, err := splitQualifier(label)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: %w", s, err)
	}
	p, fy, err := parseCore(core)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: %w", s, err)
	}
	switch {
	case fy != 0:
		end, ok := strings.CutPrefix(qual, "to ")
		if !ok {
			return Period{}, fmt.Errorf("period %q: a fiscal year needs its end date, e.g. \"FY2025 (to 2025-06-30)\"", s)
		}
		to, err := time.Parse(time.DateOnly, strings.TrimSpace(end))
		if err != nil || to.Year() != fy {
			return Period{}, fmt.Errorf("period %q: fiscal year end %q is not a date in %d", s, end, fy)
		}
		p = Period{From: to.AddDate(-1, 0, 1), To: to}
	case qual == "":
	case isMonthRange(qual):
		if qual != monthRangeLabel(p) {
			return Period{}, fmt.Errorf("period %q: %q does not match the months %s", s, qual, monthRangeLabel(p))
		}
	case isFiscalQuarterLabel(qual):
	default:
		return Period{}, fmt.Errorf("period %q: qualifier %q makes the period uncertain", s, qual)
	}
	p.Label = label
	return p, nil
}

// splitQualifier splits "core (qual)" into core and qual.
func splitQualifier(s string) (core, qual string, err error) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		if strings.ContainsRune(s, ')') {
			return "", "", fmt.Errorf("unbalanced parenthesis")
		}
		return s, "", nil
	}
	if !strings.HasSuffix(s, ")") || strings.Count(s, "(") != 1 || strings.Count(s, ")") != 1 {
		return "", "", fmt.Errorf("malformed parenthetical")
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1 : len(s)-1]), nil
}

// parseCore parses the part before any parenthetical; fy is the fiscal
// year for "FYyyyy" (the period is then filled in by the caller).
func parseCore(s string) (p Period, fy int, err error) {
	if rest, ok := strings.CutPrefix(s, "FY"); ok {
		y, ok := year(rest)
		if !ok {
			return Period{}, 0, fmt.Errorf("%q is not FY followed by a year", s)
		}
		return Period{}, y, nil
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		from, err := parseStart(a)
		if err != nil {
			return Period{}, 0, err
		}
		var to time.Time
		switch {
		case len(b) == 2 && len(a) == 7: // 2025-10..12
			m, ok := month(b)
			if !ok {
				return Period{}, 0, fmt.Errorf("%q is not a month", b)
			}
			to = endOfMonth(from.Year(), m)
		case len(b) == 7 && len(a) == 7: // 2025-11..2026-02
			t, err := parseStart(b)
			if err != nil {
				return Period{}, 0, err
			}
			to = endOfMonth(t.Year(), t.Month())
		case len(b) == 10 && len(a) == 10: // 2025-07-01..2025-09-30
			t, err := time.Parse(time.DateOnly, b)
			if err != nil {
				return Period{}, 0, fmt.Errorf("%q is not a date", b)
			}
			to = t
		default:
			return Period{}, 0, fmt.Errorf("range %q is not month..month or day..day", s)
		}
		if to.Before(from) {
			return Period{}, 0, fmt.Errorf("range %q ends before it starts", s)
		}
		return Period{From: from, To: to}, 0, nil
	}
	switch {
	case len(s) == 4:
		y, ok := year(s)
		if !ok {
			return Period{}, 0, fmt.Errorf("%q is not a year", s)
		}
		return Period{From: date(y, 1, 1), To: date(y, 12, 31)}, 0, nil
	case len(s) == 7 && s[4] == '-' && s[5] == 'Q':
		y, ok := year(s[:4])
		q := int(s[6] - '0')
		if !ok || q < 1 || q > 4 {
			return Period{}, 0, fmt.Errorf("%q is not a quarter", s)
		}
		m := time.Month(3*q - 2)
		return Period{From: date(y, m, 1), To: endOfMonth(y, m+2)}, 0, nil
	case len(s) == 7:
		from, err := parseStart(s)
		if err != nil {
			return Period{}, 0, err
		}
		return Period{From: from, To: endOfMonth(from.Year(), from.Month())}, 0, nil
	case len(s) == 10:
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return Period{}, 0, fmt.Errorf("%q is a date, not a period", s)
		}
	}
	return Period{}, 0, fmt.Errorf("%q is not a year, quarter, month, range or fiscal year", s)
}

// parseStart parses "YYYY-MM" as the month's first day or "YYYY-MM-DD" as that day.
func parseStart(s string) (time.Time, error) {
	switch len(s) {
	case 7:
		if s[4] == '-' {
			y, ok1 := year(s[:4])
			m, ok2 := month(s[5:])
			if ok1 && ok2 {
				return date(y, m, 1), nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM month", s)
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date", s)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a month or a date", s)
}

func year(s string) (int, bool) {
	if len(s) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(s)
	return y, err == nil && y >= 1900
}

func month(s string) (time.Month, bool) {
	if len(s) != 2 {
		return 0, false
	}
	m, err := strconv.Atoi(s)
	return time.Month(m), err == nil && m >= 1 && m <= 12
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func endOfMonth(y int, m time.Month) time.Time { return date(y, m+1, 1).AddDate(0, 0, -1) }

// isMonthRange reports whether s looks like "Oct-Dec".
func isMonthRange(s string) bool {
	a, b, ok := strings.Cut(s, "-")
	return ok && monthAbbrev(a) > 0 && monthAbbrev(b) > 0
}

// monthRangeLabel returns "Oct-Dec" for a period from October to December.
func monthRangeLabel(p Period) string {
	return p.From.Month().String()[:3] + "-" + p.To.Month().String()[:3]
}

func monthAbbrev(s string) time.Month {
	for m := time.January; m <= time.December; m++ {
		if s == m.String()[:3] {
			return m
		}
	}
	return 0
}

// isFiscalQuarterLabel reports whether s looks like "FQ3'26".
func isFiscalQuarterLabel(s string) bool {
	return len(s) == 6 && s[0] == 'F' && s[1] == 'Q' && s[2] >= '1' && s[2] <= '4' && s[3] == '\'' &&
		s[4] >= '0' && s[4] <= '9' && s[5] >= '0' && s[5] <= '9'
}

// asOfEnd reads an as-of text leniently, for ordering facts and for AsOf:
// the end of its period, or the date itself, ignoring any parenthetical.
func asOfEnd(s string) (time.Time, bool) {
	if p, err := ParsePeriod(s); err == nil {
		return p.To, true
	}
	core, _, _ := strings.Cut(s, "(")
	core = strings.TrimSpace(core)
	if t, err := time.Parse(time.DateOnly, core); err == nil {
		return t, true
	}
	if p, _, err := parseCore(core); err == nil && !p.To.IsZero() {
		return p.To, true
	}
	return time.Time{}, false
}
