package dataset

import (
	"io/fs"
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
// by then (see [Fact.Published]); the zero time means every fact.
func (d *Dataset) FactsAsOf(symbol string, at time.Time) []Fact {
	facts := d.FactsFor(symbol)
	if at.IsZero() {
		return facts
	}
	return slices.DeleteFunc(facts, func(f Fact) bool {
		p, ok := f.Published()
		return !ok || p.After(at)
	})
}
