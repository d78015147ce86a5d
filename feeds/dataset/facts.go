package dataset

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// Quality grades a fact's source, as in the research notes.
type Quality string

const (
	// QualityA is the company's own release or filing, or a verbatim copy.
	QualityA Quality = "A"
	// QualityB is a news or aggregator article restating company figures.
	QualityB Quality = "B"
	// QualityC is uncertain: secondary, derived, stale or undated.
	QualityC Quality = "C"
)

// Valid reports whether q is A, B or C.
func (q Quality) Valid() bool { return q == QualityA || q == QualityB || q == QualityC }

// Fact is one row of the miner fact sheet, transcribed as is.
type Fact struct {
	// Ticker is the ticker written in the row (BITF rows keep BITF; see
	// [CurrentSymbol]).
	Ticker string `json:"ticker"`
	// Field names the fact, e.g. "hashrate_avg_operating".
	Field string `json:"field"`
	// Value is the value text as written (">4500", "~2.8-2.9", "Nasdaq").
	Value string `json:"value"`
	// Number is Value as a number when the value is a plain number (see
	// [PlainNumber]) and the row has a unit; unknown otherwise.
	Number econ.Maybe[float64] `json:"number"`
	// Unit is the unit text ("EH/s", "c/kWh", "USD/BTC"); empty for text facts.
	Unit string `json:"unit"`
	// AsOf is the as-of text: a date, a month, a quarter or a period,
	// sometimes with a qualifier such as "(approx)".
	AsOf string `json:"as_of"`
	// Quality is the source grade.
	Quality Quality `json:"quality"`
	// SourceURL is where the fact was read; Note any caveat.
	SourceURL string `json:"source_url"`
	Note      string `json:"note"`
	// Line is the fact's line in data/miners-facts.csv.
	Line int `json:"line"`
	// PublishedOn is when the fact became public ([Fact.Published]); null
	// when the as-of text gives no date. PublishedEstimated is set when it
	// is an estimate (a period's or a balance-sheet date's figure: see
	// [Fact.Published]) rather than a date the row states.
	PublishedOn        econ.Date `json:"published"`
	PublishedEstimated bool      `json:"published_estimated,omitempty"`
}

// PlainNumber parses s when it is a plain decimal number: ASCII digits with
// at most one decimal point between digits ("44.0", "38791"). Anything else
// — a sign, "~", ">", a range such as "2.8-2.9", thousands separators,
// exponents, or text — is not a plain number and gives false, so
// approximate or bounded values are kept as text only.
func PlainNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	dot := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0 && i > 0 && i < len(s)-1:
			dot = i
		default:
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

func (d *Dataset) loadFacts(fsys fs.FS) error {
	facts, t, err := readFacts(fsys, fileFacts)
	if err != nil {
		return err
	}
	fyes := fiscalYearEnds(facts)
	d.fyes = fyes
	for i := range facts {
		f := &facts[i]
		f.PublishedOn, f.PublishedEstimated = factPublished(f.AsOf, fyeOf(fyes, CurrentSymbol(f.Ticker)))
	}
	d.facts = facts
	d.addFile(t, "hashdeck research (see data/SOURCES.md): company releases, filings and news, one sourced fact per row", "facts with source URLs; see each row")
	return nil
}

// readFacts reads a file in the fact sheet's format
// (ticker,field,value,unit,as_of,quality,source_url,note): every row needs
// a ticker, field, value, as-of, source URL and a quality of A, B or C.
func readFacts(fsys fs.FS, file string) ([]Fact, *table, error) {
	cols := []string{"ticker", "field", "value", "unit", "as_of", "quality", "source_url", "note"}
	t, err := openTable(fsys, file, true, cols...)
	if err != nil {
		return nil, nil, err
	}
	var c [8]int
	for i, name := range cols {
		c[i] = t.col(name)
	}
	facts := make([]Fact, 0, 256)
	for t.next() {
		f := Fact{
			Ticker: t.str(c[0]), Field: t.str(c[1]), Value: t.str(c[2]), Unit: t.str(c[3]),
			AsOf: t.str(c[4]), Quality: Quality(t.str(c[5])), SourceURL: t.str(c[6]), Note: t.str(c[7]), Line: t.line,
		}
		f.PublishedOn, f.PublishedEstimated = factPublished(f.AsOf, fiscalYearEnd{time.December, 31})
		switch {
		case f.Ticker == "" || f.Field == "" || f.Value == "":
			t.failf("ticker, field and value must not be empty")
		case f.AsOf == "":
			t.failf("%s %s has no as_of", f.Ticker, f.Field)
		case f.SourceURL == "":
			t.failf("%s %s has no source_url", f.Ticker, f.Field)
		case !f.Quality.Valid():
			t.failf("%s %s has quality %q, want A, B or C", f.Ticker, f.Field, f.Quality)
		}
		if !t.ok() {
			break
		}
		if v, ok := PlainNumber(f.Value); ok && f.Unit != "" {
			f.Number = econ.Known(v)
		}
		facts = append(facts, f)
	}
	if err := t.close(); err != nil {
		return nil, nil, err
	}
	return facts, t, nil
}

// Facts returns every row of the fact sheet in file order.
func (d *Dataset) Facts() []Fact { return d.facts }

// FactsFor returns the rows of symbol (current or former ticker) in file order.
func (d *Dataset) FactsFor(symbol string) []Fact {
	cur := CurrentSymbol(symbol)
	var out []Fact
	for _, f := range d.facts {
		if CurrentSymbol(f.Ticker) == cur {
			out = append(out, f)
		}
	}
	return out
}

// Published returns the day fact f became public (its PublishedOn), and
// false when that is unknown; such a fact is never used as of a date.
// When the row states no publication date, which is always the case in the
// fact sheet, the day is estimated from its as-of text
// ([Fact.PublishedEstimated] is then set) and never precedes the end of
// the period the fact is about:
//
//   - a period (a month, a quarter, a range, a year, "2025-09 (approx)") is
//     taken as published 45 days after it ends (90 after a period of a year
//     or more), the filing deadline, as the sector rule does for undated
//     rows;
//   - a bare date that ends one of the company's fiscal quarters
//     ("2025-09-30" for a hashrate at the quarter's end) is a balance-sheet
//     date, reported with the quarter: 45 days later, 90 when it ends the
//     fiscal year;
//   - any other bare date is the day of the release, article or page the
//     row cites, and is taken as is (not an estimate).
func (f Fact) Published() (time.Time, bool) {
	if f.PublishedOn.IsZero() {
		return time.Time{}, false
	}
	return f.PublishedOn.Time(), true
}

// factPublished estimates a fact's publication day from its as-of text for
// a company whose fiscal year ends at fye (see [Fact.Published]); the zero
// Date when the text gives no date.
func factPublished(asOf string, fye fiscalYearEnd) (econ.Date, bool) {
	periodLag := func(p Period) int {
		switch {
		case p.Days() <= 1:
			return 0
		case p.Days() >= 360:
			return yearLagDays
		}
		return quarterLagDays
	}
	if p, err := ParsePeriod(asOf); err == nil && !p.To.IsZero() {
		lag := periodLag(p)
		return econ.DateOf(p.To).AddDays(lag), lag > 0
	}
	core, _, _ := strings.Cut(asOf, "(")
	core = strings.TrimSpace(core)
	if t, err := time.Parse(time.DateOnly, core); err == nil {
		switch {
		case isFiscalYearEnd(t, fye):
			return econ.DateOf(t).AddDays(yearLagDays), true
		case isFiscalQuarterEnd(t, fye):
			return econ.DateOf(t).AddDays(quarterLagDays), true
		}
		return econ.DateOf(t), false
	}
	// A period with a qualifier ParsePeriod refuses ("2025-09 (approx)",
	// "2025 (date unclear)"): still not public before it ends.
	if p, _, err := parseCore(core); err == nil && !p.To.IsZero() {
		lag := periodLag(p)
		return econ.DateOf(p.To).AddDays(lag), lag > 0
	}
	return econ.Date{}, false
}

// isFiscalQuarterEnd reports whether t is the last day of one of the
// fiscal quarters of a year ending at fye (a fiscal year that ends on a
// month's last day has quarters that end on months' last days: 05-31 gives
// 08-31, 11-30, 02-28 or 02-29 and 05-31).
func isFiscalQuarterEnd(t time.Time, fye fiscalYearEnd) bool {
	if (int(t.Month())-int(fye.month))%3 != 0 {
		return false
	}
	if fye.day == endOfMonth(2001, fye.month).Day() || fye.month == time.February && fye.day == 29 {
		return t.Day() == endOfMonth(t.Year(), t.Month()).Day()
	}
	return t.Day() == fye.day
}

// isFiscalYearEnd reports whether t is the last day of a fiscal year ending at fye.
func isFiscalYearEnd(t time.Time, fye fiscalYearEnd) bool {
	return t.Month() == fye.month && isFiscalQuarterEnd(t, fye)
}

// FactsAsOf is FactsFor(symbol) as of time at: only the facts published
// by then (see [Fact.Published]), each with only the parts of its value
// and note public by then ([clausesAsOf]); a fact whose value has no part
// public by then is not yet published either. The zero time means every
// fact, whole.
func (d *Dataset) FactsAsOf(symbol string, at time.Time) []Fact {
	facts := d.FactsFor(symbol)
	if at.IsZero() {
		return facts
	}
	facts = slices.DeleteFunc(facts, func(f Fact) bool {
		p, ok := f.Published()
		return !ok || p.After(at)
	})
	day, fye := econ.DateOf(at), fyeOf(d.fyes, CurrentSymbol(symbol))
	for i := range facts {
		f := &facts[i]
		if v := clausesAsOf(f.Value, fye, day); v != f.Value {
			f.Value, f.Number = v, econ.Maybe[float64]{}
			if n, ok := PlainNumber(v); ok && f.Unit != "" {
				f.Number = econ.Known(n)
			}
		}
		f.Note = clausesAsOf(f.Note, fye, day)
	}
	return slices.DeleteFunc(facts, func(f Fact) bool { return f.Value == "" })
}

// A fact's value and note are sourced statements too, often added to later
// than the fact itself ("… broke ground (secwatch 2026-04-08)", "BTC value
// $1.15B at 2025-12-31", "no signed HPC tenant lease as of ~May-2026").
// clausesAsOf keeps, of a value's or note's clauses (split at "; " outside
// brackets, so that a bracket's items go with the clause they qualify and
// brackets stay whole), those public by day at: a clause is dated by the
// latest day it states as evidence, each read by the fact's own rule
// ([Fact.Published]):
//
//   - a full date (also one in a URL the clause cites, or approximate as in
//     "~2026-04-06") is that day, or the quarter end + 45 days (year end +
//     90) when it ends one of the company's fiscal quarters (a balance "at
//     2025-12-31");
//   - a month ("Nov-2025", "Oct-25", "~May-2026", "April 2026", "2025-12"),
//     a quarter ("Q1-26", "FQ3'26", "Q3 FY25") or a fiscal year ("FY2025")
//     is its end + 45 days (+ 90 for a year);
//   - a range of years ("2026-27", "2025-2029") is the first day of its
//     first year: a report on a span is not written before it begins.
//
// A date one or two words after a word of intent ("target Apr-2026", "by end
// Q1-2026", "over 2026-27") is a plan stated at the time, not evidence of
// when the text was written, and bare years ("energization 2028") are never
// read. A clause that states no date is taken as published with its fact:
// it is the value itself, or the transcriber's caveat on the cited source
// ("secondary", "owned sites only"), which the fact's own date already
// bounds.
func clausesAsOf(text string, fye fiscalYearEnd, at econ.Date) string {
	if text == "" {
		return text
	}
	var kept []string
	for c := range clauses(text) {
		if d := clauseDate(c, fye); d.IsZero() || !d.After(at) {
			kept = append(kept, c)
		}
	}
	return strings.Join(kept, "; ")
}

// clauses yields the parts of s between the "; " that are outside
// brackets ("a (b; c); d" is "a (b; c)" and "d").
func clauses(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		depth, from := 0, 0
		for i := 0; i < len(s); i++ {
			switch {
			case s[i] == '(' || s[i] == '[':
				depth++
			case (s[i] == ')' || s[i] == ']') && depth > 0:
				depth--
			case depth == 0 && strings.HasPrefix(s[i:], "; "):
				if !yield(s[from:i]) {
					return
				}
				from = i + 2
				i++
			}
		}
		yield(s[from:])
	}
}

var (
	urlRE     = regexp.MustCompile(`https?://\S+`)
	isoDateRE = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	fiscalQRE = regexp.MustCompile(`\bFQ([1-4])'(\d{2})\b|\bQ([1-4]) FY(\d{2}|\d{4})\b`)
	calQRE    = regexp.MustCompile(`\bQ([1-4])[- ]?(\d{4}|\d{2})\b`)
	fiscalYRE = regexp.MustCompile(`\bFY(\d{4}|\d{2})\b`)
	// A month is "Oct-25", "Nov-2025" or "April 2026": two digits only after
	// a dash, so that "December 31, 2025" is not December 2031 (usDateRE
	// reads that as a day first).
	monthRE    = regexp.MustCompile(`\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t|tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?:-(\d{4}|\d{2})| (\d{4}))\b`)
	usDateRE   = regexp.MustCompile(`\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t|tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?) (\d{1,2}), (\d{4})\b`)
	yearsRE    = regexp.MustCompile(`\b(\d{4})-(\d{4}|\d{2})\b`)
	intentWord = map[string]bool{
		"target": true, "targets": true, "targeted": true, "by": true, "from": true, "through": true,
		"until": true, "till": true, "ops": true, "energization": true, "delivery": true, "rfs": true,
		"early": true, "mid": true, "late": true, "end": true, "over": true, "exit": true, "ramp": true,
		"plan": true, "planned": true, "guidance": true, "expected": true, "due": true, "complete": true, "done": true,
		"phase": true, "hall": true, // "phase 1 Jul-2026", "first hall Q2-2027": a build plan
	}
)

// clauseDate is the latest evidence day a clause of a value or note
// states (see [clausesAsOf]); the zero Date when it states none.
func clauseDate(c string, fye fiscalYearEnd) econ.Date {
	var latest econ.Date
	add := func(d econ.Date) {
		if d.After(latest) {
			latest = d
		}
	}
	day := func(s string) {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			d, _ := factPublished(s, fye)
			add(d)
		}
	}
	for _, u := range urlRE.FindAllString(c, -1) {
		for _, m := range isoDateRE.FindAllString(u, -1) {
			day(m)
		}
	}
	text := urlRE.ReplaceAllString(c, " ")
	// Each pattern blanks what it read, so "Q3 FY25" is not read again as
	// FY25 nor "2025-12-31" as the month 2025-12.
	blank := func(s string, loc []int) string {
		return s[:loc[0]] + strings.Repeat(" ", loc[1]-loc[0]) + s[loc[1]:]
	}
	intent := func(s string, start int) bool {
		words := strings.Fields(s[:start])
		for i := max(len(words)-2, 0); i < len(words); i++ {
			if intentWord[strings.ToLower(strings.Trim(words[i], "(),:~-"))] {
				return true
			}
		}
		return false
	}
	year := func(s string) int {
		y, _ := strconv.Atoi(s)
		if len(s) == 2 {
			y += 2000
		}
		return y
	}
	period := func(from time.Time, months int) econ.Date {
		return econ.DateOf(from.AddDate(0, months, -1)).AddDays(quarterLagDays)
	}
	for _, loc := range isoDateRE.FindAllStringIndex(text, -1) {
		day(text[loc[0]:loc[1]])
	}
	text = isoDateRE.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
	// "December 31, 2025" is a day, as 2025-12-31 is.
	for _, m := range usDateRE.FindAllStringSubmatch(text, -1) {
		d, _ := strconv.Atoi(m[2])
		day(fmt.Sprintf("%s-%02d-%02d", m[3], int(monthAbbrev(m[1][:3])), d))
	}
	text = usDateRE.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
	scan := func(re *regexp.Regexp, date func(m []string) (econ.Date, bool)) {
		for {
			loc := re.FindStringSubmatchIndex(text)
			if loc == nil {
				return
			}
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = text[loc[2*i]:loc[2*i+1]]
				}
			}
			if d, ok := date(m); ok && !intent(text, loc[0]) {
				add(d)
			}
			text = blank(text, loc)
		}
	}
	// Fiscal years are named after the calendar year they end in; the
	// fiscal quarter q ends 3(4-q) months before the year does.
	fiscalEnd := func(fy, monthsBefore int) time.Time {
		last := date(fy, fye.month, 1).AddDate(0, -monthsBefore, 0)
		return endOfMonth(last.Year(), last.Month())
	}
	scan(fiscalQRE, func(m []string) (econ.Date, bool) {
		q, fy := m[1], m[2]
		if q == "" {
			q, fy = m[3], m[4]
		}
		return econ.DateOf(fiscalEnd(year(fy), 3*(4-int(q[0]-'0')))).AddDays(quarterLagDays), true
	})
	scan(fiscalYRE, func(m []string) (econ.Date, bool) {
		return econ.DateOf(fiscalEnd(year(m[1]), 0)).AddDays(yearLagDays), true
	})
	scan(calQRE, func(m []string) (econ.Date, bool) {
		q := int(m[1][0] - '0')
		return period(date(year(m[2]), time.Month(3*q-2), 1), 3), true
	})
	scan(monthRE, func(m []string) (econ.Date, bool) {
		return period(date(year(m[2]+m[3]), monthAbbrev(m[1][:3]), 1), 1), true
	})
	// "2026-12" is a month, "2026-27" and "2025-2029" ranges of years.
	scan(yearsRE, func(m []string) (econ.Date, bool) {
		from, to := year(m[1]), year(m[2])
		if mo, ok := month(m[2]); ok {
			return period(date(from, mo, 1), 1), true
		}
		if len(m[2]) == 2 {
			to += from/100*100 - 2000
		}
		return econ.DateOf(date(from, time.January, 1)), to > from
	})
	return latest
}
