package dataset

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// A fact about a period, or measured at a fiscal quarter's end, is not
// public before the period ends: its publication day is estimated and
// marked so, and a board as of an earlier day does not use it.
func TestFactPublishedEstimates(t *testing.T) {
	dec := fiscalYearEnd{time.December, 31}
	jun := fiscalYearEnd{time.June, 30}
	may := fiscalYearEnd{time.May, 31}
	for _, tc := range []struct {
		asOf      string
		fye       fiscalYearEnd
		want      string
		estimated bool
	}{
		{"2025-09-30", dec, "2025-11-14", true},          // CIFR hashrate at its Q3 end, from the Q3 report
		{"2025-12-31", dec, "2026-03-31", true},          // a fiscal year's end: 10-K lag
		{"2025-06-30", jun, "2025-09-28", true},          // IREN's fiscal year end
		{"2025-12-31", jun, "2026-02-14", true},          // IREN's FQ2 end
		{"2026-02-28", may, "2026-04-14", true},          // APLD's FQ3 end
		{"2025-11-30", may, "2026-01-14", true},          // APLD's FQ2 end
		{"2025-10-22", dec, "2025-10-22", false},         // a press release's day
		{"2025-08-31", dec, "2025-08-31", false},         // a month end that ends no fiscal quarter
		{"2025-Q3", dec, "2025-11-14", true},             // a quarter
		{"2025-08", dec, "2025-10-15", true},             // a month
		{"2025-09 (approx)", dec, "2025-11-14", true},    // an approximate month is still a month
		{"2025 (date unclear)", dec, "2026-03-31", true}, // a year
		{"FY2025 (to 2025-06-30)", jun, "2025-09-28", true},
	} {
		got, est := factPublished(tc.asOf, tc.fye)
		if got.String() != tc.want || est != tc.estimated {
			t.Errorf("%q (year to %02d-%02d): published %s estimated %v, want %s %v", tc.asOf, tc.fye.month, tc.fye.day, got, est, tc.want, tc.estimated)
		}
	}
	if got, _ := factPublished("undated", dec); !got.IsZero() {
		t.Errorf("undated: published %s, want unknown", got)
	}
}

// The reviewer's case: as of 2025-10-01, CIFR's Q3-2025 hashrate and
// efficiency (as of 2025-09-30, from the Q3 earnings of November) are not
// yet public; as of 2025-11-14 they are, marked estimated.
func TestFundamentalsAsOfQuarterEndFacts(t *testing.T) {
	d := mustLoad(t)
	before := d.FundamentalsAsOf("CIFR", day("2025-10-01"))
	if before.Hashrate.Value.OK() || before.Efficiency.Value.OK() {
		t.Errorf("as of 2025-10-01: CIFR hashrate %v efficiency %v, want unknown (published with the Q3 report)", before.Hashrate.Value, before.Efficiency.Value)
	}
	after := d.FundamentalsAsOf("CIFR", day("2025-11-14"))
	if v, ok := after.Hashrate.Value.Get(); !ok || v != 23.6 || !after.Hashrate.Fact.PublishedEstimated {
		t.Errorf("as of 2025-11-14: CIFR hashrate %v (fact %+v), want 23.6 with an estimated publication day", after.Hashrate.Value, after.Hashrate.Fact)
	}
	// Every fact kind the boards use: nothing used as of a day was
	// published after it, and nothing is published before its as-of ends.
	for _, at := range []string{"2025-04-20", "2025-10-01", "2025-12-29", "2026-03-01"} {
		for _, p := range DefaultPeers() {
			f := d.FundamentalsAsOf(p, day(at))
			for _, x := range f.Facts {
				if pub, ok := x.Published(); !ok || pub.After(day(at)) {
					t.Errorf("as of %s: %s %s (%s) published %s", at, p, x.Field, x.AsOf, x.PublishedOn)
				}
			}
		}
	}
	for _, x := range d.Facts() {
		end, ok := asOfEnd(x.AsOf)
		if pub, pok := x.Published(); ok && (!pok || pub.Before(end)) {
			t.Errorf("%s %s (%s): published %s, before its as-of ends", x.Ticker, x.Field, x.AsOf, x.PublishedOn)
		}
	}
}

// A note is a sourced statement too: as of a day, a board shows only the
// clauses of a note public by then, dated by the same rule as facts.
func TestNotesAsOf(t *testing.T) {
	d := mustLoad(t)
	note := func(sym, field string, at string) (string, bool) {
		for _, f := range d.FactsAsOf(sym, day(at)) {
			if f.Field == field {
				return f.Note, true
			}
		}
		return "", false
	}
	// APLD's lease fact of 2025-10-22 carries a clause from an 8-K of 2026-04-08.
	n, ok := note("APLD", "power_leased", "2026-01-31")
	if !ok || strings.Contains(n, "2026-04-08") || strings.Contains(n, "Delta Forge") || !strings.Contains(n, "PF1 400 (CoreWeave) + PF2 200") {
		t.Errorf("APLD power_leased as of 2026-01-31: note %q (shown %v), want the 2025 clauses only", n, ok)
	}
	if n, _ := note("APLD", "power_leased", "2026-04-08"); !strings.Contains(n, "Delta Forge 1") {
		t.Errorf("APLD power_leased as of 2026-04-08: note %q, want the 8-K clause", n)
	}
	// CLSK's BTC held at 2025-09-30 (public with FY2025's 10-K) carries the
	// BTC value at 2025-12-31, public with the next quarter's report.
	if n, ok := note("CLSK", "btc_held", "2026-01-15"); !ok || strings.Contains(n, "2025-12-31") {
		t.Errorf("CLSK btc_held as of 2026-01-15: note %q (shown %v), want the fact without the December value", n, ok)
	}
	if n, _ := note("CLSK", "btc_held", "2026-02-14"); !strings.Contains(n, "$1.15B at 2025-12-31") {
		t.Errorf("CLSK btc_held as of 2026-02-14: note %q, want the December value", n)
	}
	// The whole note without a date.
	if n := d.FactsAsOf("APLD", time.Time{}); !slices.ContainsFunc(n, func(f Fact) bool { return strings.Contains(f.Note, "Delta Forge") }) {
		t.Error("APLD without a date: the Delta Forge clause is missing")
	}

	dec := fiscalYearEnd{time.December, 31}
	for _, tc := range []struct {
		note, at, want string
	}{
		{"owned sites only", "2020-01-01", "owned sites only"}, // undated: with its fact
		{"a; b (Nov-2025); c", "2025-12-31", "a; c"},           // a month's news: its end + 45 days
		{"a; b (Nov-2025); c", "2026-01-14", "a; b (Nov-2025); c"},
		{"SW1 energization target Apr-2026; SW2 late-2027", "2025-11-06", "SW1 energization target Apr-2026; SW2 late-2027"}, // plans
		{"target >$500M ARR by end Q1-2026", "2025-11-06", "target >$500M ARR by end Q1-2026"},
		{"2025-2029 pipeline; energization 2028", "2025-11-30", "2025-2029 pipeline; energization 2028"},
		{"see https://example.com/news/2026-04-29/x (B)", "2026-04-28", ""}, // a dated page cited
		{"Q1-26 net loss $145M", "2026-05-14", ""},
		{"Q1-26 net loss $145M", "2026-05-15", "Q1-26 net loss $145M"},
		{"filed 0001493152-26-008772", "2025-01-01", "filed 0001493152-26-008772"}, // an accession number is no date
	} {
		if got := clausesAsOf(tc.note, dec, econ.DateOf(day(tc.at))); got != tc.want {
			t.Errorf("clausesAsOf(%q, %s) = %q, want %q", tc.note, tc.at, got, tc.want)
		}
	}
	// FQ3'26 of a year ending in June is January–March 2026.
	if got := clausesAsOf("FQ3'26 net loss", fiscalYearEnd{time.June, 30}, econ.DateOf(day("2026-05-14"))); got != "" {
		t.Errorf("FQ3'26 (June year) as of 2026-05-14: %q, want withheld", got)
	}
}

// AsOfAt names, for each part of the dataset, its last day on or before
// the given time; the zero time gives AsOf.
func TestAsOfAt(t *testing.T) {
	d := mustLoad(t)
	if d.AsOfAt(time.Time{}) != d.AsOf() {
		t.Errorf("AsOfAt(zero) = %+v, want AsOf %+v", d.AsOfAt(time.Time{}), d.AsOf())
	}
	at := day("2025-06-30").Add(15 * time.Hour)
	a := d.AsOfAt(at)
	for name, v := range map[string]time.Time{"network": a.Network, "epoch": a.EpochDate, "btc_usd": a.BTCUSD, "stocks": a.Stocks, "facts": a.Facts} {
		if v.IsZero() || v.After(at) {
			t.Errorf("as of %s: %s extent %s", at.Format(time.RFC3339), name, v.Format(time.DateOnly))
		}
	}
	if !a.Network.Equal(day("2025-06-30")) || !a.Stocks.Equal(day("2025-06-30")) {
		t.Errorf("as of 2025-06-30: network %s stocks %s, want that day (both have data on it)", a.Network.Format(time.DateOnly), a.Stocks.Format(time.DateOnly))
	}
	if e, ok := d.EpochAt(a.Network); !ok || e.Height != a.EpochHeight {
		t.Errorf("as of 2025-06-30: epoch %d, want the one in force (%d)", a.EpochHeight, e.Height)
	}
}

// A fact's value is dated clause by clause like its note: as of a day, a
// clause naming a later date is left out, and a fact with no clause left
// is not yet published (found in review: three values and a note of the
// fact sheet carried text written after the board's day).
func TestValuesAsOf(t *testing.T) {
	d := mustLoad(t)
	fact := func(sym, field, at string) (Fact, bool) {
		for _, f := range d.FactsAsOf(sym, day(at)) {
			if f.Field == field {
				return f, true
			}
		}
		return Fact{}, false
	}
	// BITF's ai_pivot of 2025-11-14 ends with a tenant status "as of
	// ~May-2026" (public from that month's end + 45 days); its plan "done
	// Dec-2026" is stated at the time.
	const pivot = "Washington 18 MW site -> HPC/AI (GB300 / Vera Rubin-ready; $128M fully funded equipment agreement; done Dec-2026)"
	if f, ok := fact("KEEL", "ai_pivot", "2025-12-29"); !ok || f.Value != pivot {
		t.Errorf("KEEL ai_pivot as of 2025-12-29: %q (shown %v), want %q", f.Value, ok, pivot)
	}
	if f, _ := fact("KEEL", "ai_pivot", "2026-07-15"); f.Value != pivot+"; no signed HPC tenant lease as of ~May-2026 (secondary)" {
		t.Errorf("KEEL ai_pivot as of 2026-07-15: %q, want the tenant status too", f.Value)
	}
	// BITF's exchange of 2026-02-06 is all one clause naming the ticker
	// change of ~2026-04-06: not public before it.
	if f, ok := fact("KEEL", "exchange", "2026-03-31"); ok {
		t.Errorf("KEEL exchange as of 2026-03-31: %q, want withheld until 2026-04-06", f.Value)
	}
	if f, _ := fact("KEEL", "exchange", "2026-04-06"); f.Value != "Nasdaq + TSX (ticker KEEL since ~2026-04-06)" {
		t.Errorf("KEEL exchange as of 2026-04-06: %q", f.Value)
	}
	// BITF's Q3-25 BTC mined (public 2025-11-14) notes the wind-down "over
	// 2026-27": a plan, announced with the Q3 results on 2025-11-13
	// (theminermag.com/news/2025-11-13/bitfarms-wind-down-bitcoin-mining-2027-hpc-conversion).
	if f, _ := fact("KEEL", "btc_mined_quarter", "2025-12-29"); f.Note != "718 in Q2-25; mining wound down over 2026-27" {
		t.Errorf("KEEL btc_mined_quarter as of 2025-12-29: note %q, want the plan kept", f.Note)
	}
	// Without a date, every value whole.
	if f := d.FactsAsOf("KEEL", time.Time{}); !slices.ContainsFunc(f, func(f Fact) bool { return strings.Contains(f.Value, "as of ~May-2026") }) {
		t.Error("KEEL without a date: the tenant status is missing")
	}

	dec := fiscalYearEnd{time.December, 31}
	for _, tc := range []struct {
		text, at, want string
	}{
		{"lease; none as of ~May-2026 (secondary)", "2026-07-14", "lease"}, // a month with "~"
		{"lease; none as of ~May-2026 (secondary)", "2026-07-15", "lease; none as of ~May-2026 (secondary)"},
		{"Nasdaq (ticker KEEL since ~2026-04-06)", "2026-04-05", ""}, // a day with "~"
		{"a; b as of April 2026", "2026-06-13", "a"},                 // a month's full name
		{"a; b as of April 2026", "2026-06-14", "a; b as of April 2026"},
		{"a; b in Sept 2026", "2026-11-13", "a"},
		{"a; 1,200 BTC mined in 2026-27", "2025-12-31", "a"}, // a year range not yet begun
		{"a; 1,200 BTC mined in 2026-27", "2026-01-01", "a; 1,200 BTC mined in 2026-27"},
		{"a; output 2026-2027", "2025-12-31", "a"},
		{"a; wind-down over 2026-27", "2025-12-31", "a; wind-down over 2026-27"}, // a plan
		{"2025-2029 pipeline", "2025-01-01", "2025-2029 pipeline"},
		// A US date is a day, not a month of a two-digit year (review:
		// "December 31, 2025" read as December 2031, "March 15, 2026" as
		// March 2015): dated as 2025-12-31 is (a fiscal year's end, + 90 days).
		{"lease; cash $1.2B at December 31, 2025", "2026-03-30", "lease"},
		{"lease; cash $1.2B at December 31, 2025", "2026-03-31", "lease; cash $1.2B at December 31, 2025"},
		{"lease; signed March 15, 2026", "2026-03-14", "lease"},
		{"lease; signed March 3, 2026", "2026-03-02", "lease"},
		{"lease; signed March 3, 2026", "2026-03-03", "lease; signed March 3, 2026"},
		// Build plans announced with a lease (CIFR 2025-11-03, HUT 2025-12-17).
		{"AWS lease; phase 1 Jul-2026, complete Q4-2026", "2025-12-29", "AWS lease; phase 1 Jul-2026, complete Q4-2026"},
		{"245 IT MW; first hall Q2-2027", "2025-12-29", "245 IT MW; first hall Q2-2027"},
		{"a; 2025-12 balance", "2026-02-13", "a"}, // still a month, not a range
		// A clause is split at "; " outside brackets only: a bracket's
		// items go with the clause they qualify, and brackets stay whole.
		{"site (kit; done Dec-2026); lease", "2025-12-29", "site (kit; done Dec-2026); lease"},
		{"site (kit; shipped Oct-2026); lease", "2025-12-29", "lease"},
	} {
		if got := clausesAsOf(tc.text, dec, econ.DateOf(day(tc.at))); got != tc.want {
			t.Errorf("clausesAsOf(%q, %s) = %q, want %q", tc.text, tc.at, got, tc.want)
		}
	}
}
