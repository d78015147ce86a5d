package econ

import (
	"math"
	"strings"
	"testing"
)

// cents rounds to the cent.
func cents(v float64) float64 { return math.Round(v*100) / 100 }

// riotQ1 is Riot Platforms' 2025-Q1 as miners-financials.csv has it: the
// values, grades and sources of its rows, with the publication dates the
// dataset loader gives them.
func riotQ1() Quarter {
	const pr = "https://menafn.com/1109498099/Riot-Platforms-Reports-First-Quarter-2025-Financial-Results-Current-Operational-And-Financial-Highlights"
	est := src(pr, GradeA, "2025-05-15", false) // no date in the note: end + 45 days
	est.PublishedEstimated = true
	return Quarter{
		Ticker: "RIOT", Calendar: "2025-Q1", Fiscal: "FY2025 Q1", Start: day("2025-01-01"), End: day("2025-03-31"), Published: day("2025-04-30"),
		RevenueTotal:  Sourced[USD](161_400_000, src("https://www.stocktitan.net/news/RIOT/riot-platforms-reports-first-quarter-2025", GradeA, "2025-04-30", false)),
		RevenueMining: Sourced[USD](142_900_000, src("https://www.cryptoxplosive.com/riot-platforms-reports-296m-net-loss-in-q1", GradeC, "2025-04-30", false)),
		RevenueOther:  Sourced[USD](13_900_000, src("https://www.stocktitan.net/news/RIOT/riot-platforms-reports-first-quarter-2025", GradeA, "2025-04-30", false)),
		CostMining:    Sourced[USD](67_017_000, est),
		CostPower:     Sourced[USD](61_830_000, est),
		StockComp:     Sourced[USD](29_576_000, est),
		DA:            Sourced[USD](77_926_000, est),
		Interest:      Sourced[USD](2_308_000, est),
		BTCMined:      Sourced[BTC](1_530, src("https://metablockx.com/bitcoin-updates/riot-platforms-reports-record-revenue", GradeC, "2025-05-15", false)),
		Metrics: []CompanyMetric{{Name: "cost to mine", Value: 43_808, Unit: "USD/BTC", Scope: ScopeDirect,
			Provenance: src("https://www.stocktitan.net/news/RIOT/riot-platforms-reports-first-quarter-2025", GradeB, "2025-04-30", false)}},
	}
}

// TestImpliedQuarterRiotQ1 works Riot's 2025-Q1 by hand. The network's
// means over 2025-01-01..2025-03-31 in the embedded data are 0.00057320
// BTC/PH/day and $53.5587/PH/day; rounded to 0.000573 and $53.56 here so
// that every step can be checked on paper:
//
//	PH·days       = 1,530 BTC ÷ 0.000573 BTC/PH/day          = 2,670,157.07 PH·days
//	                (≈ 29.7 EH/s over 90 days)
//	from revenue  = $142,900,000 ÷ $53.56/PH/day              = 2,668,035.85 PH·days
//	realization   = 2,668,035.85 ÷ 2,670,157.07               = 0.9992
//	mining share  = $142,900,000 ÷ $161,400,000               = 0.885378 (88.54%)
//	power         = $61,830,000 ÷ 2,670,157.07                = $23.16/PH/day
//	                per BTC: $23.1559 ÷ 0.000573 = $61,830,000 ÷ 1,530 = $40,411.76
//	direct        = $67,017,000 ÷ 2,670,157.07                = $25.10/PH/day
//	                per BTC: $67,017,000 ÷ 1,530              = $43,801.96
//	                (Riot's own "cost to mine" is $43,808: shown beside, not used)
//	cash, all-in  = unknown: the dataset has no SG&A for Riot's 2025-Q1.
//
// Every derived figure is grade C (BTC mined and self-mining revenue come
// from C-grade rewrites) and published 2025-05-15 (the latest input).
func TestImpliedQuarterRiotQ1(t *testing.T) {
	q := riotQ1()
	c := ImpliedQuarter(q, PeriodMeans{Start: q.Start, End: q.End, Hashvalue: Known[BTCPerPHDay](0.000573), Hashprice: Known[USDPerPHDay](53.56)}, OwnShare(q))

	if got := cents(float64(c.PHDays.Or(0))); got != 2_670_157.07 || c.PHDaysFrom != "btc_mined" {
		t.Errorf("PH·days = %v from %q, want 2,670,157.07 from btc_mined", got, c.PHDaysFrom)
	}
	if got := math.Round(c.Realization.Or(0)*1e4) / 1e4; got != 0.9992 {
		t.Errorf("realization check = %v, want 0.9992", got)
	}
	if got := math.Round(c.Share.Value.Or(0)*1e6) / 1e6; got != 0.885378 || c.Share.Carried || c.Share.From != "2025-Q1" {
		t.Errorf("mining share = %v (carried %v, from %q), want 0.885378 own", got, c.Share.Carried, c.Share.From)
	}
	want := []struct {
		s             Scope
		perPH, perBTC float64
	}{{ScopePower, 23.16, 40_411.76}, {ScopeDirect, 25.10, 43_801.96}}
	for _, w := range want {
		sc := c.Costs[w.s]
		if got := cents(float64(sc.PerPHDay.Or(0))); got != w.perPH {
			t.Errorf("%v = $%v/PH/day, want $%v", w.s, got, w.perPH)
		}
		if got := cents(float64(sc.PerBTC.Or(0))); got != w.perBTC {
			t.Errorf("%v = $%v/BTC, want $%v", w.s, got, w.perBTC)
		}
		if sc.Grade != GradeC || sc.Published != day("2025-05-15") || !sc.Derived || !sc.PublishedEstimated || sc.Unknown != "" {
			t.Errorf("%v provenance %+v, want grade C, published 2025-05-15 (estimated), derived", w.s, sc.Provenance)
		}
	}
	for _, s := range []Scope{ScopeCash, ScopeAllIn} {
		if sc := c.Costs[s]; sc.PerPHDay.OK() || !strings.Contains(sc.Unknown, "SG&A unknown") {
			t.Errorf("%v = %v, reason %q; want unknown for want of SG&A", s, sc.PerPHDay, sc.Unknown)
		}
	}
	if len(c.Metrics) != 1 || c.Metrics[0].Value != 43_808 {
		t.Errorf("company metric not carried beside: %+v", c.Metrics)
	}

	// Without BTC mined, PH·days come from self-mining revenue at the mean hashprice.
	q.BTCMined = Item[BTC]{}
	c = ImpliedQuarter(q, PeriodMeans{Hashvalue: Known[BTCPerPHDay](0.000573), Hashprice: Known[USDPerPHDay](53.56)}, OwnShare(q))
	if got := cents(float64(c.PHDays.Or(0))); got != 2_668_035.85 || c.PHDaysFrom != "mining_revenue" || c.Realization.OK() {
		t.Errorf("PH·days from revenue = %v (%q, realization %v)", got, c.PHDaysFrom, c.Realization)
	}
	// Without network means, nothing can be spread.
	c = ImpliedQuarter(riotQ1(), PeriodMeans{}, OwnShare(q))
	if c.PHDays.OK() || c.Costs[ScopeDirect].PerPHDay.OK() || !strings.Contains(c.Costs[ScopeDirect].Unknown, "mean hashvalue") {
		t.Errorf("no network means: PH·days %v, direct %v (%q)", c.PHDays, c.Costs[ScopeDirect].PerPHDay, c.Costs[ScopeDirect].Unknown)
	}
}

// diversified is a miner with material other revenue (HPC hosting): 500 BTC
// at 0.0005 BTC/PH/day is 1,000,000 PH·days; self-mining is $50M of $80M
// revenue, a share of 0.625.
func diversified() Quarter {
	p := src("https://sec.example/10-q", GradeA, "2025-11-05", true)
	return Quarter{Ticker: "DIV", Calendar: "2025-Q3", Start: day("2025-07-01"), End: day("2025-09-30"), Published: day("2025-11-05"),
		RevenueTotal: Sourced[USD](80e6, p), RevenueMining: Sourced[USD](50e6, p),
		CostMining: Sourced[USD](20e6, p), SGA: Sourced[USD](12e6, p), StockComp: Sourced[USD](4e6, p),
		Interest: Sourced[USD](4e6, p), DA: Sourced[USD](16e6, p), BTCMined: Sourced[BTC](500, p)}
}

var q3Means = PeriodMeans{Start: day("2025-07-01"), End: day("2025-09-30"), Hashvalue: Known[BTCPerPHDay](0.0005), Hashprice: Known[USDPerPHDay](55)}

// Overhead, interest and depreciation are charged to mining at its share of
// revenue, not in full:
//
//	direct = $20M ÷ 1,000,000                                    = $20.00  ($40,000/BTC)
//	cash   = 20.00 + (($12M − $4M) + $4M) × 0.625 ÷ 1,000,000    = $27.50  ($55,000/BTC)
//	all-in = 27.50 + ($16M + $4M) × 0.625 ÷ 1,000,000            = $40.00  ($80,000/BTC)
//
// (charged in full they would be $32.00 and $52.00).
func TestImpliedProration(t *testing.T) {
	q := diversified()
	c := ImpliedQuarter(q, q3Means, OwnShare(q))
	for _, w := range []struct {
		s             Scope
		perPH, perBTC float64
	}{{ScopeDirect, 20, 40_000}, {ScopeCash, 27.5, 55_000}, {ScopeAllIn, 40, 80_000}} {
		sc := c.Costs[w.s]
		if cents(float64(sc.PerPHDay.Or(-1))) != w.perPH || cents(float64(sc.PerBTC.Or(-1))) != w.perBTC {
			t.Errorf("%v = %v/PH/day, %v/BTC; want %v and %v (%s)", w.s, sc.PerPHDay, sc.PerBTC, w.perPH, w.perBTC, sc.Unknown)
		}
	}
	if c.Costs[ScopePower].PerPHDay.OK() {
		t.Error("power known without a power cost or efficiency")
	}

	// SG&A without stock comp, reported directly, gives the same cash cost;
	// stock comp then follows as SG&A less it.
	q.StockComp, q.SGAExStockComp = Item[USD]{}, Sourced[USD](8e6, q.SGA.Provenance)
	c2 := ImpliedQuarter(q, q3Means, OwnShare(q))
	if c2.Costs[ScopeCash].PerPHDay != c.Costs[ScopeCash].PerPHDay || c2.Costs[ScopeAllIn].PerPHDay != c.Costs[ScopeAllIn].PerPHDay {
		t.Errorf("SG&A ex stock comp: cash %v all-in %v", c2.Costs[ScopeCash].PerPHDay, c2.Costs[ScopeAllIn].PerPHDay)
	}

	// SG&A with stock comp unknown: cash unknown, and said why.
	q = diversified()
	q.StockComp = Item[USD]{}
	c = ImpliedQuarter(q, q3Means, OwnShare(q))
	if c.Costs[ScopeCash].PerPHDay.OK() || !strings.Contains(c.Costs[ScopeCash].Unknown, "stock-based compensation unknown (SG&A includes it)") {
		t.Errorf("cash without stock comp = %v (%q)", c.Costs[ScopeCash].PerPHDay, c.Costs[ScopeCash].Unknown)
	}

	// Engineering power cost: 20 J/TH × $0.045/kWh × 24 = $21.60/PH/day.
	q.Efficiency = Sourced[JoulesPerTH](20, q.SGA.Provenance)
	q.PowerPrice = Sourced[USDPerKWh](0.045, q.SGA.Provenance)
	if got := ImpliedQuarter(q, q3Means, OwnShare(q)).Costs[ScopePower].PerPHDay.Or(0); cents(float64(got)) != 21.6 {
		t.Errorf("modelled power = %v, want 21.60", got)
	}
}

// Without any known share, cash and all-in stay unknown with the reason;
// the direct cost does not need one. A total cost of revenue stands in for
// the mining cost only when self-mining is at least 95% of revenue.
func TestImpliedUnknownShare(t *testing.T) {
	q := diversified()
	q.RevenueMining = Item[USD]{}
	c := ImpliedCosts([]Quarter{q}, []PeriodMeans{q3Means})[0]
	if c.Share.Value.OK() || !strings.Contains(c.Share.Unknown, "no self-mining revenue for 2025-Q3, and no earlier quarter") {
		t.Errorf("share %v (%q)", c.Share.Value, c.Share.Unknown)
	}
	if cents(float64(c.Costs[ScopeDirect].PerPHDay.Or(0))) != 20 {
		t.Errorf("direct = %v, want 20 (needs no share)", c.Costs[ScopeDirect].PerPHDay)
	}
	for _, s := range []Scope{ScopeCash, ScopeAllIn} {
		if sc := c.Costs[s]; sc.PerPHDay.OK() || !strings.Contains(sc.Unknown, "mining share unknown") {
			t.Errorf("%v = %v (%q), want unknown: never assume a 100%% share", s, sc.PerPHDay, sc.Unknown)
		}
	}

	// Only total cost of revenue: prorated at a 96% share, refused at 62.5%.
	q = diversified()
	q.CostTotal, q.CostMining = Sourced[USD](30e6, q.CostMining.Provenance), Item[USD]{}
	c = ImpliedQuarter(q, q3Means, OwnShare(q))
	if c.Costs[ScopeDirect].PerPHDay.OK() || !strings.Contains(c.Costs[ScopeDirect].Unknown, "self-mining is 62% of revenue") {
		t.Errorf("direct from total cost at 62.5%%: %v (%q)", c.Costs[ScopeDirect].PerPHDay, c.Costs[ScopeDirect].Unknown)
	}
	q.RevenueTotal = Sourced[USD](52e6, q.RevenueTotal.Provenance) // share 50/52 = 0.9615
	c = ImpliedQuarter(q, q3Means, OwnShare(q))
	// $30M × 50/52 ÷ 1,000,000 = $28.85
	if got := cents(float64(c.Costs[ScopeDirect].PerPHDay.Or(0))); got != 28.85 || !strings.Contains(c.Costs[ScopeDirect].Note, "total cost of revenue × mining share") {
		t.Errorf("prorated direct = %v (%q), want 28.85", got, c.Costs[ScopeDirect].Note)
	}

	// Self-mining revenue above total by rounding caps at 1; far above is an error.
	q.RevenueMining, q.RevenueTotal = Sourced[USD](43_600_000, q.SGA.Provenance), Sourced[USD](43_565_000, q.SGA.Provenance)
	if s := OwnShare(q); s.Value.Or(0) != 1 || !strings.Contains(s.Note, "capped") {
		t.Errorf("rounded share %v (%q)", s.Value, s.Note)
	}
	q.RevenueMining = Sourced[USD](50e6, q.SGA.Provenance)
	if s := OwnShare(q); s.Value.OK() {
		t.Errorf("share %v from mining revenue far above total", s.Value)
	}
}

// A quarter without its own share uses the latest earlier one, labelled.
func TestImpliedCarriedShare(t *testing.T) {
	q2 := diversified()
	q2.Calendar, q2.Start, q2.End, q2.Published = "2025-Q2", day("2025-04-01"), day("2025-06-30"), day("2025-08-05")
	q2.RevenueTotal = Sourced[USD](62.5e6, q2.RevenueTotal.Provenance) // 50/62.5 = 0.8
	q3 := diversified()
	q3.RevenueMining = Item[USD]{}
	q2Means := PeriodMeans{Start: q2.Start, End: q2.End, Hashvalue: Known[BTCPerPHDay](0.0005), Hashprice: Known[USDPerPHDay](50)}

	// Given newest first on purpose: the series is ordered by period end.
	cs := ImpliedCosts([]Quarter{q3, q2}, []PeriodMeans{q3Means, q2Means})
	if len(cs) != 2 || cs[0].Calendar != "2025-Q2" || cs[1].Calendar != "2025-Q3" {
		t.Fatalf("order %v", cs)
	}
	s := cs[1].Share
	if s.Value.Or(0) != 0.8 || !s.Carried || s.From != "2025-Q2" || !strings.Contains(s.Note, "carried from 2025-Q2") {
		t.Errorf("carried share %+v", s)
	}
	// cash = 20 + (8M + 4M) × 0.8 ÷ 1,000,000 = 29.60
	if got := cents(float64(cs[1].Costs[ScopeCash].PerPHDay.Or(0))); got != 29.6 {
		t.Errorf("cash with the carried share = %v, want 29.60", got)
	}
	if cs[0].Share.Carried {
		t.Error("a quarter's own share is marked carried")
	}
}

// An unknown scope's reason names what the quarter's line items lack, not
// that the company reported nothing: found in review, MARA's 2025-Q3 read
// "no power cost reported" beside its own purchased energy cost per BTC.
func TestImpliedReasonsSayWhatIsMissing(t *testing.T) {
	q := diversified() // no power cost, J/TH or power price
	c := ImpliedQuarter(q, q3Means, OwnShare(q))
	if got, want := c.Costs[ScopePower].Unknown, "no power-cost line item or J/TH and power price to model it"; got != want {
		t.Errorf("power without any input: %q, want %q", got, want)
	}

	// MARA's case: a power price but no J/TH, and its own figure at the scope.
	q.PowerPrice = Sourced[USDPerKWh](0.04, q.SGA.Provenance)
	q.Metrics = []CompanyMetric{
		{Name: "cost per petahash per day", Value: 31.3, Unit: "USD/PH/day", Scope: ScopeDirect, Provenance: q.SGA.Provenance},
		{Name: "purchased energy cost per BTC", Value: 39_235, Unit: "USD/BTC", Scope: ScopePower, Provenance: q.SGA.Provenance},
	}
	c = ImpliedQuarter(q, q3Means, OwnShare(q))
	want := "own figure reported, not used; no power-cost line item or J/TH to model it"
	if got := c.Costs[ScopePower].Unknown; got != want {
		t.Errorf("power with a power price and an own figure: %q, want %q", got, want)
	}
	if c.Costs[ScopePower].PerPHDay.OK() || len(c.Metrics) != 2 {
		t.Errorf("the own figure is used: power %v, metrics %+v", c.Costs[ScopePower].PerPHDay, c.Metrics)
	}

	// J/TH without a power price.
	q.PowerPrice, q.Efficiency, q.Metrics = Item[USDPerKWh]{}, Sourced[JoulesPerTH](20, q.SGA.Provenance), nil
	if got, want := ImpliedQuarter(q, q3Means, OwnShare(q)).Costs[ScopePower].Unknown, "no power-cost line item or power price to model it"; got != want {
		t.Errorf("power with J/TH only: %q, want %q", got, want)
	}

	// Direct: the missing line item, and the company's own figure at the scope.
	q = diversified()
	q.CostMining = Item[USD]{}
	q.Metrics = []CompanyMetric{{Name: "cost to mine", Value: 43_808, Unit: "USD/BTC", Scope: ScopeDirect, Provenance: q.SGA.Provenance}}
	c = ImpliedQuarter(q, q3Means, OwnShare(q))
	if got, want := c.Costs[ScopeDirect].Unknown, "own figure reported, not used; no mining-cost line item"; got != want {
		t.Errorf("direct without the line item: %q, want %q", got, want)
	}

	// Realized PH·days: neither figure among the line items.
	q = diversified()
	q.BTCMined, q.RevenueMining = Item[BTC]{}, Item[USD]{}
	if got, want := ImpliedQuarter(q, q3Means, OwnShare(q)).PHDaysUnknown, "no line item for 2025-Q3 gives bitcoin mined or self-mining revenue"; got != want {
		t.Errorf("PH·days unknown: %q, want %q", got, want)
	}
}
