package dataset

import (
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// RefKind says what a reference point measures.
type RefKind string

const (
	// RefHashpriceLow is a record low of the Hashrate Index hashprice.
	RefHashpriceLow RefKind = "hashprice record low"
	// RefHashprice is a published hashprice level or average.
	RefHashprice RefKind = "hashprice"
	// RefHashcost is a sector cost per PH/s per day.
	RefHashcost RefKind = "hashcost"
	// RefCostPerBTC is a sector cost per BTC.
	RefCostPerBTC RefKind = "cost per BTC"
)

// ReferencePoint is a published sector figure for a reference line on a
// chart, with its source and date (docs/economics.md, "Reference points").
type ReferencePoint struct {
	Kind RefKind `json:"kind"`
	// Name is a short label for the chart.
	Name string `json:"name"`
	// Period is the day or period the figure refers to.
	Period Period `json:"period"`
	// Scope is the cost scope of a hashcost or cost per BTC; Scoped is false
	// for hashprice figures, which have none.
	Scope  econ.Scope `json:"scope"`
	Scoped bool       `json:"scoped"`
	// USDPerPHDay is a published hashprice or hashcost in USD/PH/day;
	// USDPerBTC a published cost in USD per BTC. The one not published is unknown.
	USDPerPHDay econ.Maybe[econ.USDPerPHDay] `json:"usd_per_ph_day"`
	USDPerBTC   econ.Maybe[econ.USDPerBTC]   `json:"usd_per_btc"`
	// Restated is a cost per BTC restated per PH/s per day at the mean
	// network hashvalue of its period (econ.RestatePerBTC), in USD/PH/day;
	// unknown for other kinds and when the network data do not cover the
	// whole period.
	Restated econ.Maybe[econ.USDPerPHDay] `json:"restated_usd_per_ph_day"`
	// Approx is set when the figure was published as approximate ("~$44").
	Approx bool `json:"approx"`
	// Text is the figure as published; Source who published it and where it was read.
	Text   string `json:"text"`
	Source string `json:"source"`
	// Published is the day the figure is used from (a board as of an
	// earlier day leaves it out): a day's figure that day; a period's, which
	// is reported after it, its end + 45 days (+ 90 for a year), as for an
	// undated fact, marked PublishedEstimated.
	Published          econ.Date `json:"published"`
	PublishedEstimated bool      `json:"published_estimated,omitempty"`
}

// ReferencePoints returns the sector reference points: hashprice figures by
// date, then hashcosts, then costs per BTC.
func (d *Dataset) ReferencePoints() []ReferencePoint { return d.refs }

// referencePoints builds the table and restates the costs per BTC.
func (d *Dataset) referencePoints() []ReferencePoint {
	day := func(s string) Period {
		t, _ := time.Parse(time.DateOnly, s)
		return Period{Label: s, From: t, To: t}
	}
	period := func(s string) Period {
		p, _ := ParsePeriod(s) // fixed labels; TestReferencePoints checks every period parses
		return p
	}
	hp := func(v float64) econ.Maybe[econ.USDPerPHDay] { return econ.Known(econ.USDPerPHDay(v)) }
	perBTC := func(v float64) econ.Maybe[econ.USDPerBTC] { return econ.Known(econ.USDPerBTC(v)) }
	const (
		hri       = "Hashrate Index (Luxor) hashprice index"
		mmCoinDsk = "TheMinerMag via CoinDesk (tekmono.com/?p=1663; bitnews.site 2025-06-16)"
		mmQ3      = "TheMinerMag Q3-2025 report via coinedition.com, coinfeather.com, igcurrencynews.com (Nov-Dec 2025)"
	)
	refs := []ReferencePoint{
		{Kind: RefHashpriceLow, Name: "Post-halving record low", Period: day("2024-05-01"), USDPerPHDay: hp(44.7),
			Text: "$44.7/PH/day ($0.0447/TH/day)", Source: hri + ", per CoinTelegraph (mirror cpinnoexpo.net)"},
		{Kind: RefHashpriceLow, Name: "Historic low", Period: day("2024-07-04"), USDPerPHDay: hp(44.842),
			Text: "$44.842/PH/day at 06:00 EDT", Source: hri + ", per bitvaluezoo.com and morns.ca (2024-07-24)"},
		{Kind: RefHashprice, Name: "HRI Roundup level", Period: day("2024-09-16"), USDPerPHDay: hp(39.87),
			Text: "$39.87/PH/day", Source: "Hashrate Index Roundup 2024-09-16 (hashrateindex.com/blog)"},
		{Kind: RefHashprice, Name: "Nov-2025 average", Period: period("2025-11"), USDPerPHDay: hp(39.82),
			Text: "$39.82/PH/day November 2025 average", Source: "Hashrate Index Nov-2025 lookback (hashrateindex.com/blog/luxor-hashrate-lookback-series-november-2025)"},
		{Kind: RefHashpriceLow, Name: "Record low", Period: day("2025-11-22"), USDPerPHDay: hp(35.06),
			Text: "$35.06/PH/day, new all-time low", Source: "Hashrate Index Nov-2025 lookback (hashrateindex.com/blog/luxor-hashrate-lookback-series-november-2025)"},
		{Kind: RefHashprice, Name: "HRI Roundup level", Period: day("2026-01-12"), USDPerPHDay: hp(39.53),
			Text: "$39.53/PH/day", Source: "Hashrate Index Roundup 2026-01-12 (hashrateindex.com/blog)"},
		{Kind: RefHashpriceLow, Name: "Record low", Period: day("2026-02-02"), USDPerPHDay: hp(33.34),
			Text: "$33.34/PH/day, new all-time low (prior low 34.21)", Source: hri + ", per a Binance Square post citing it"},

		{Kind: RefHashcost, Name: "Median fleet hashcost", Period: period("2025-Q1"), Scope: econ.ScopeDirect, Scoped: true,
			USDPerPHDay: hp(34), Approx: true, Text: "~$34/PH/s/day", Source: mmCoinDsk},
		{Kind: RefHashcost, Name: "Median total hashcost", Period: period("2025-Q3"), Scope: econ.ScopeCash, Scoped: true,
			USDPerPHDay: hp(44), Approx: true, Text: "~$44/PH/s/day (also quoted as $44.8; some outlets say $45)", Source: mmQ3},

		{Kind: RefCostPerBTC, Name: "Median direct cost per BTC", Period: period("2024-Q4"), Scope: econ.ScopeDirect, Scoped: true,
			USDPerBTC: perBTC(52000), Approx: true, Text: "~$52,000", Source: mmCoinDsk},
		{Kind: RefCostPerBTC, Name: "Median direct cost per BTC", Period: period("2025-Q1"), Scope: econ.ScopeDirect, Scoped: true,
			USDPerBTC: perBTC(64000), Approx: true, Text: "~$64,000 (+23% QoQ)", Source: mmCoinDsk},
		{Kind: RefCostPerBTC, Name: "Weighted-average cash cost per BTC", Period: period("2025-Q4"), Scope: econ.ScopeCash, Scoped: true,
			USDPerBTC: perBTC(79995), Text: "$79,995", Source: "CoinShares mining report (cointime.ai; chaincatcher.com)"},
	}
	for i := range refs {
		r := &refs[i]
		if r.Period.Days() == 1 {
			r.Published = econ.DateOf(r.Period.To) // a daily index's value
		} else {
			r.Published, r.PublishedEstimated = factPublished(r.Period.Label, fiscalYearEnd{time.December, 31})
		}
		if v, ok := r.USDPerBTC.Get(); ok {
			r.Restated = econ.Map(d.PeriodHashvalue(r.Period), func(hv econ.BTCPerPHDay) econ.USDPerPHDay { return econ.RestatePerBTC(v, hv) })
		}
	}
	return refs
}
