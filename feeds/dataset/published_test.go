package dataset

import (
	"testing"
	"time"
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
