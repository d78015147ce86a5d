package dataset

import (
	"io/fs"
	"slices"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

const fileBenchmarks = "data/sector-benchmarks.csv"

// benchmarkMetric maps a cost metric of sector-benchmarks.csv to its
// publisher, name and scope, and says why a metric may never be a headline.
// Every other metric in the file (hashprice levels, ranges and lows,
// JPMorgan's revenue per EH/s, CoinShares' share of unprofitable capacity,
// TheMinerMag's statement without a number) is not a sector cost and is
// not loaded.
func benchmarkMetric(metric string) (m benchmarkDef, ok bool) {
	switch metric {
	case "theminermag_median_total_hashcost":
		return benchmarkDef{"TheMinerMag", "median total hashcost", econ.ScopeCash, ""}, true
	case "theminermag_median_fleet_hashcost":
		return benchmarkDef{"TheMinerMag", "median fleet hashcost", econ.ScopeDirect, ""}, true
	case "theminermag_median_direct_cost_per_btc":
		return benchmarkDef{"TheMinerMag", "median direct cost per BTC", econ.ScopeDirect, ""}, true
	case "theminermag_direct_cost_per_btc_forecast":
		return benchmarkDef{"TheMinerMag", "direct cost per BTC forecast", econ.ScopeDirect, "a forecast, not a reported cost"}, true
	case "coinshares_weighted_avg_cash_cost_per_btc":
		return benchmarkDef{"CoinShares", "weighted average cash cost per BTC", econ.ScopeCash, ""}, true
	case "coinshares_avg_total_cost_incl_depr_sbc_per_btc":
		return benchmarkDef{"CoinShares", "average total cost per BTC incl. depreciation and stock comp", econ.ScopeAllIn, ""}, true
	case "cryptorank_undated_avg_cash_cost_per_btc":
		return benchmarkDef{"CryptoRank", "average cash cost per BTC", econ.ScopeCash, "undated: its quarter comes from one secondary post that other copies contradict"}, true
	case "cryptorank_undated_avg_allin_cost_per_btc":
		return benchmarkDef{"CryptoRank", "average all-in cost per BTC", econ.ScopeAllIn, "undated: its quarter comes from one secondary post that other copies contradict"}, true
	case "cryptorank_avg_cash_cost_per_btc":
		return benchmarkDef{"CryptoRank", "average cash cost per BTC", econ.ScopeCash, "undated (reported in December 2025 with no quarter)"}, true
	case "cryptorank_avg_allin_cost_per_btc":
		return benchmarkDef{"CryptoRank", "average all-in cost per BTC", econ.ScopeAllIn, "undated (reported in December 2025 with no quarter)"}, true
	case "network_allin_cost_per_btc_estimate":
		return benchmarkDef{"unnamed network model", "network all-in cost per BTC", econ.ScopeAllIn, "a model of the whole network, not listed miners' costs"}, true
	case "avg_production_cost_estimate":
		return benchmarkDef{"exchange blog", "average production cost per BTC", econ.ScopeAllIn, "a network-wide estimate, not listed miners' costs"}, true
	}
	return benchmarkDef{}, false
}

// benchmarkDef describes a benchmark metric.
type benchmarkDef struct {
	source, metric string
	scope          econ.Scope
	unusable       string
}

// loadBenchmarks reads sector-benchmarks.csv into econ.Benchmark values
// (see [Dataset.Benchmarks]). The network data must be loaded.
func (d *Dataset) loadBenchmarks(fsys fs.FS) error {
	t, err := openTable(fsys, fileBenchmarks, false, "period", "metric", "value", "unit", "source_url", "note")
	if err != nil {
		return err
	}
	cPer, cMet, cVal, cUnit, cURL, cNote := t.col("period"), t.col("metric"), t.col("value"), t.col("unit"), t.col("source_url"), t.col("note")
	for t.next() {
		m, ok := benchmarkMetric(t.str(cMet))
		if !ok {
			continue
		}
		b := econ.Benchmark{Source: m.source, Metric: m.metric, Scope: m.scope, Period: t.str(cPer),
			URL: t.str(cURL), Note: t.str(cNote), Unusable: m.unusable}
		b.Grade = gradeOf(Quality(bracketGrade(b.Note)))
		if v, ok := PlainNumber(t.str(cVal)); !ok {
			b.Unusable = join(b.Unusable, "the value "+t.str(cVal)+" is not a single figure")
		} else {
			switch t.str(cUnit) {
			case "USD/PH/day":
				b.USDPerPHDay = econ.Known(econ.USDPerPHDay(v))
			case "USD/BTC":
				b.USDPerBTC = econ.Known(econ.USDPerBTC(v))
			default:
				t.failf("%s: unit %q, want USD/PH/day or USD/BTC", t.str(cMet), t.str(cUnit))
			}
		}
		if per, ok := parseRowPeriod(b.Period, fiscalYearEnd{time.December, 31}); ok && !per.fy && !per.unverified {
			b.Start, b.End = per.start, per.end
			b.Period = econ.CalendarQuarter(per.end)
		} else {
			b.Unusable = join(b.Unusable, "the period "+b.Period+" is not a verified calendar quarter")
		}
		if !b.End.IsZero() {
			if date, approx, ok := noteDate(b.Note); ok {
				b.Published, b.PublishedEstimated = date, approx
			} else {
				b.Published, b.PublishedEstimated = b.End.AddDays(quarterLagDays), true
			}
			b = b.Restated(d.MeanHashvalue(b.Start.Time(), b.End.Time()))
		}
		d.fin.benchmarks = append(d.fin.benchmarks, b)
	}
	if err := t.close(); err != nil {
		return err
	}
	dedupeBenchmarks(d.fin.benchmarks)
	d.fin.means = d.periodMeans()
	d.addFile(t, "hashdeck research: published sector costs (TheMinerMag, CoinShares), hashprice levels and estimates, graded in each note", "published figures with source URLs")
	return nil
}

// bracketGrade returns the grade letter a note starts with ("[B] …").
func bracketGrade(note string) string {
	if len(note) >= 3 && note[0] == '[' && note[2] == ']' {
		return note[1:2]
	}
	return ""
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// dedupeBenchmarks marks every usable benchmark that repeats another's
// publisher, metric and quarter with a worse grade (TheMinerMag's $44.8,
// grade C, beside its $44, grade B) as unusable, naming the one kept.
func dedupeBenchmarks(bs []econ.Benchmark) {
	for i := range bs {
		for j := range bs {
			a, b := &bs[i], &bs[j]
			if i != j && a.Unusable == "" && b.Unusable == "" && a.Source == b.Source && a.Metric == b.Metric &&
				a.Period == b.Period && b.Grade.Better(a.Grade) {
				a.Unusable = "the same figure from a better-graded source is used (" + b.URL + ")"
			}
		}
	}
}

// Benchmarks returns the published sector cost benchmarks in file order:
// each with its publisher, scope, quarter, value per PH/s per day (a cost
// per BTC restated with its quarter's mean hashvalue, unknown when the
// network data do not cover the quarter), publication date (estimated as
// the quarter's end plus 45 days, and marked so, where the file gives
// none) and grade. Figures that may never be a headline (undated, a
// forecast, a network-wide model, a duplicate) say why in Unusable. The
// slice is shared: do not modify it.
func (d *Dataset) Benchmarks() []econ.Benchmark { return d.fin.benchmarks }

// PeriodMeans returns the network's mean hashvalue and hashprice over the
// UTC days from..to, both included; each is unknown unless the network data
// cover every day ([Dataset.MeanHashvalue]).
func (d *Dataset) PeriodMeans(from, to time.Time) econ.PeriodMeans {
	return econ.PeriodMeans{Start: econ.DateOf(from), End: econ.DateOf(to),
		Hashvalue: d.MeanHashvalue(from, to), Hashprice: d.MeanHashprice(from, to)}
}

// QuarterMeans returns the network means of every period that a loaded
// quarter or benchmark covers, by start date: the Periods of
// econ.NetworkInputs for a board with the dataset's quarters and
// benchmarks. The slice is shared: do not modify it.
func (d *Dataset) QuarterMeans() []econ.PeriodMeans { return d.fin.means }

func (d *Dataset) periodMeans() []econ.PeriodMeans {
	var out []econ.PeriodMeans
	add := func(start, end econ.Date) {
		if start.IsZero() || slices.ContainsFunc(out, func(p econ.PeriodMeans) bool { return p.Start == start && p.End == end }) {
			return
		}
		out = append(out, d.PeriodMeans(start.Time(), end.Time()))
	}
	for _, qs := range d.fin.quarters {
		for _, q := range qs {
			add(q.Start, q.End)
		}
	}
	for _, b := range d.fin.benchmarks {
		add(b.Start, b.End)
	}
	slices.SortFunc(out, func(a, b econ.PeriodMeans) int { return a.Start.Compare(b.Start) })
	return out
}
