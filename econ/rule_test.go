package econ

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// quarterDays returns the first and last day of a "2025-Q3" label.
func quarterDays(cal string) (Date, Date) {
	y := int(cal[0]-'0')*1000 + int(cal[1]-'0')*100 + int(cal[2]-'0')*10 + int(cal[3]-'0')
	q := int(cal[6] - '0')
	return NewDate(y, time.Month(3*q-2), 1), NewDate(y, time.Month(3*q+1), 0)
}

// ruleMeans gives every quarter of 2025 a hashvalue of 0.0005 BTC/PH/day,
// so that 500 BTC is 1,000,000 PH·days and $1M is $1/PH/day.
func ruleMeans() []PeriodMeans {
	var out []PeriodMeans
	for _, cal := range []string{"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"} {
		s, e := quarterDays(cal)
		out = append(out, PeriodMeans{Start: s, End: e, Hashvalue: Known[BTCPerPHDay](0.0005), Hashprice: Known[USDPerPHDay](50)})
	}
	return out
}

// ruleQuarter is a pure miner's quarter with a direct cost of direct $/PH/day,
// published on published; cash > 0 adds overhead and interest to make its
// cash cost that much.
func ruleQuarter(ticker, cal string, direct, cash float64, published string) Quarter {
	s, e := quarterDays(cal)
	p := src("https://sec.example/"+ticker+"/"+cal, GradeA, published, true)
	q := Quarter{Ticker: ticker, Calendar: cal, Start: s, End: e, Published: day(published),
		RevenueTotal: Sourced[USD](50e6, p), RevenueMining: Sourced[USD](50e6, p),
		BTCMined: Sourced[BTC](500, p), CostMining: Sourced(USD(direct*1e6), p)}
	if cash > 0 {
		q.SGAExStockComp = Sourced(USD((cash-direct)*1e6/2), p)
		q.Interest = Sourced(USD((cash-direct)*1e6/2), p)
	}
	return q
}

// ruleNetwork is the 2026-01-12 network (hashprice $38.85) dated the end of 2025-12-29.
func ruleNetwork() NetworkInputs {
	in := testNetwork()
	in.Now = time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC)
	in.EpochStart = in.Now.Add(-1000 * 612 * time.Second)
	in.Periods = ruleMeans()
	return in
}

func TestInWindow(t *testing.T) {
	d := day("2025-12-29")
	for end, want := range map[string]bool{
		"2025-09-30": true, "2025-06-30": true, // one and two quarters back
		"2025-03-31": false, // three quarters back: stale
		"2025-12-31": false, // not ended by the board's date
		"2025-12-29": true,  // (a period ending on the day itself)
	} {
		if InWindow(day(end), d) != want {
			t.Errorf("InWindow(%s, 2025-12-29) = %v", end, !want)
		}
	}
	if InWindow(day("2025-09-30"), Date{}) {
		t.Error("in the window of an undated board")
	}
}

// Six miners have a direct cost from a recent quarter public by the board's
// date, so the headline is the computed direct median; stale and
// not-yet-public figures are left out; under water is counted at direct only.
func TestSectorRuleComputedHeadline(t *testing.T) {
	miners := []Miner{
		{Ticker: "A", Quarters: []Quarter{ruleQuarter("A", "2025-Q3", 20, 0, "2025-11-05")}},
		{Ticker: "B", Quarters: []Quarter{ruleQuarter("B", "2025-Q2", 99, 0, "2025-08-05"), ruleQuarter("B", "2025-Q3", 30, 0, "2025-11-05")}},
		{Ticker: "C", Quarters: []Quarter{ruleQuarter("C", "2025-Q2", 25, 0, "2025-08-05")}},
		{Ticker: "D", Quarters: []Quarter{ruleQuarter("D", "2025-Q3", 40, 0, "2025-11-05")}},
		{Ticker: "E", Quarters: []Quarter{ruleQuarter("E", "2025-Q3", 45, 50, "2025-11-05")}},
		// Stale: its only figure is from 2025-Q1, three quarters back.
		{Ticker: "F", Quarters: []Quarter{ruleQuarter("F", "2025-Q1", 10, 0, "2025-05-05")}},
		// Its 2025-Q3 comes out on 2026-01-10, after the board's date: its 2025-Q2 counts.
		{Ticker: "G", Quarters: []Quarter{ruleQuarter("G", "2025-Q2", 35, 0, "2025-08-10"), ruleQuarter("G", "2025-Q3", 15, 0, "2026-01-10")}},
		{Ticker: "NONE"},
	}
	in := ruleNetwork()
	in.Benchmarks = []Benchmark{{Source: "TheMinerMag", Metric: "median total hashcost", Period: "2025-Q3", Start: day("2025-07-01"), End: day("2025-09-30"),
		Scope: ScopeCash, USDPerPHDay: Known[USDPerPHDay](44), Published: day("2025-11-14"), Grade: GradeB}}
	b := ComputeBoard(in, miners, Scenario{})
	r := b.SectorRule
	hp := float64(b.Network.HashpriceNet.Or(0))

	if r.AsOf != day("2025-12-29") || r.Window != "2025-Q2..2025-Q4" {
		t.Errorf("as of %s, window %s", r.AsOf, r.Window)
	}
	d := r.Scopes[ScopeDirect]
	if d.N != 6 || !slices.Equal(d.Tickers, []string{"A", "B", "C", "D", "E", "G"}) {
		t.Fatalf("direct n = %d %v, want A B C D E G", d.N, d.Tickers)
	}
	for _, m := range d.Members {
		if m.Ticker == "G" && (m.Quarter != "2025-Q2" || m.USDPerPHDay != 35) {
			t.Errorf("G's figure %+v, want 2025-Q2's $35 (2025-Q3 not yet public)", m)
		}
	}
	// Direct: 20 25 30 35 40 45 → median 32.50; above $38.85: D 40 and E 45.
	h := r.Headline
	if h.Source != "computed" || h.Scope != ScopeDirect || h.N != 6 || h.Median.Or(0) != 32.5 || h.Period != "2025-Q2..2025-Q3" {
		t.Errorf("headline %+v, want computed direct n 6 median 32.50 over 2025-Q2..2025-Q3", h)
	}
	if !near(float64(h.Margin.Or(0)), hp-32.5, 1e-12) || h.Published != day("2025-11-05") || h.Grade != GradeA {
		t.Errorf("headline margin %v published %s grade %v", h.Margin, h.Published, h.Grade)
	}
	if u := r.UnderWater; u.Scope != ScopeDirect || u.Count.Or(-1) != 2 || u.Of != 6 {
		t.Errorf("under water %+v, want 2 of 6 at direct", u)
	}
	if c := r.Scopes[ScopeCash]; c.N != 1 || c.Median.Or(0) != 50 {
		t.Errorf("cash %+v", c)
	}
	// The benchmark sits beside the computed median of its scope and quarter.
	if len(r.Benchmarks) != 1 {
		t.Fatalf("benchmarks %+v", r.Benchmarks)
	}
	if bc := r.Benchmarks[0]; bc.ComputedN != 1 || bc.ComputedMedian.Or(0) != 50 || bc.Difference.Or(0) != 6 || !slices.Equal(bc.ComputedTickers, []string{"E"}) {
		t.Errorf("comparison %+v, want E's 50 vs 44: +6", bc)
	}
	// The old summary is untouched: it still mixes whatever each miner has.
	if b.Total != len(miners) {
		t.Errorf("total %d", b.Total)
	}
	if len(b.Implied) != len(miners) || b.Implied[6].Ticker != "G" || len(b.Implied[6].Quarters) != 1 {
		t.Errorf("implied costs as of the board's date: %+v", b.Implied[6])
	}
}

// With fewer than five miners beyond power, the headline is the benchmark
// of the widest scope, newest quarter, best grade, among those public by the
// board's date for a recent quarter; under water is counted at one scope.
func TestSectorRuleBenchmarkFallback(t *testing.T) {
	var miners []Miner
	for i, tk := range []string{"A", "B", "C", "D"} {
		miners = append(miners, Miner{Ticker: tk, Quarters: []Quarter{ruleQuarter(tk, "2025-Q3", 30+float64(i)*5, 0, "2025-11-05")}})
	}
	s3, e3 := quarterDays("2025-Q3")
	s2, e2 := quarterDays("2025-Q2")
	s1, e1 := quarterDays("2025-Q1")
	bm := func(src, metric string, scope Scope, s, e Date, v float64, g Grade, pub string) Benchmark {
		return Benchmark{Source: src, Metric: metric, Scope: scope, Period: CalendarQuarter(e), Start: s, End: e,
			USDPerPHDay: Known(USDPerPHDay(v)), Grade: g, Published: day(pub)}
	}
	perBTC := Benchmark{Source: "CoinShares", Metric: "weighted average cash cost per BTC", Scope: ScopeCash, Period: "2025-Q3",
		Start: s3, End: e3, USDPerBTC: Known[USDPerBTC](88_000), Grade: GradeB, Published: day("2025-11-20")}.Restated(Known[BTCPerPHDay](0.0005))
	in := ruleNetwork()
	in.Benchmarks = []Benchmark{
		bm("TheMinerMag", "median fleet hashcost", ScopeDirect, s3, e3, 34, GradeB, "2025-11-14"),
		bm("TheMinerMag", "median total hashcost", ScopeCash, s2, e2, 40, GradeB, "2025-08-14"),
		bm("Other", "cash cost", ScopeCash, s3, e3, 41, GradeC, "2025-11-20"),
		perBTC, // $88,000 × 0.0005 = $44/PH/day
		bm("Late", "all-in", ScopeAllIn, s3, e3, 60, GradeA, "2026-01-15"),  // not public yet
		bm("Stale", "all-in", ScopeAllIn, s1, e1, 55, GradeA, "2025-05-15"), // three quarters back
		{Source: "CryptoRank", Scope: ScopeAllIn, USDPerPHDay: Known[USDPerPHDay](70), Unusable: "undated"},
	}
	r := ComputeBoard(in, miners, Scenario{}).SectorRule
	h := r.Headline
	if h.Source != "CoinShares" || h.Scope != ScopeCash || h.Period != "2025-Q3" || h.Median.Or(0) != 44 || h.N != 0 {
		t.Fatalf("headline %+v, want CoinShares 2025-Q3 cash $44", h)
	}
	if got := float64(h.Margin.Or(0)); !near(got, 38.85-44, 0.01) || got >= 0 {
		t.Errorf("margin %v, want about −5.15 (under water)", got)
	}
	// A scope no miner has a figure in has no under-water count: unknown,
	// not 0 (found in review: the metrics said 0 under water at cash).
	if u := r.Scopes[ScopeAllIn]; u.N != 0 || u.UnderWater.OK() {
		t.Errorf("all-in with n %d: under water %v, want unknown", u.N, u.UnderWater)
	}
	if !strings.Contains(h.Why, "direct 4") {
		t.Errorf("why %q", h.Why)
	}
	var order []string
	for _, b := range r.Benchmarks {
		order = append(order, b.Source+" "+b.Period)
	}
	if want := []string{"CoinShares 2025-Q3", "Other 2025-Q3", "TheMinerMag 2025-Q2", "TheMinerMag 2025-Q3"}; !slices.Equal(order, want) {
		t.Errorf("benchmarks %v, want %v", order, want)
	}
	// Computed cash has no miner, so under water is counted at direct: 30 35 40 45 vs 38.85.
	if u := r.UnderWater; u.Scope != ScopeDirect || u.Count.Or(-1) != 2 || u.Of != 4 {
		t.Errorf("under water %+v, want 2 of 4 at direct", u)
	}
	// The direct benchmark has the direct median of 2025-Q3 beside it: 37.50 − 34.
	for _, b := range r.Benchmarks {
		if b.Scope == ScopeDirect && (b.ComputedN != 4 || b.Difference.Or(0) != 3.5) {
			t.Errorf("direct comparison %+v", b)
		}
	}

	// A benchmark published per PH/day wins a tie with one restated from per BTC.
	tie := bm("TheMinerMag", "median total hashcost", ScopeCash, s3, e3, 45, GradeB, "2025-11-14")
	in.Benchmarks = []Benchmark{perBTC, tie}
	if h := ComputeBoard(in, miners, Scenario{}).SectorRule.Headline; h.Source != "TheMinerMag" {
		t.Errorf("tie went to %s", h.Source)
	}

	// Nothing usable: no headline, and said why.
	in.Benchmarks = []Benchmark{{Source: "CoinShares", Scope: ScopeCash, Period: "2025-Q3", Start: s3, End: e3,
		USDPerBTC: Known[USDPerBTC](80_000), Published: day("2025-11-20")}}
	r = ComputeBoard(in, miners, Scenario{}).SectorRule
	if r.Headline.Source != "" || r.Headline.Median.OK() || !strings.Contains(r.Headline.Why, "CoinShares 2025-Q3 cash cannot be restated") {
		t.Errorf("no headline expected: %+v", r.Headline)
	}
	if r := ComputeSectorRule(Date{}, nil, nil, Maybe[USDPerPHDay]{}, Maybe[BTCPerPHDay]{}); r.Headline.Source != "" || r.Headline.Why == "" {
		t.Errorf("undated rule %+v", r.Headline)
	}
}

// The board JSON embeds the rule with the keys the UI reads, and every
// sourced figure carries its publication day as YYYY-MM-DD.
func TestSectorRuleJSON(t *testing.T) {
	in := ruleNetwork()
	s3, e3 := quarterDays("2025-Q3")
	in.Benchmarks = []Benchmark{{Source: "TheMinerMag", Metric: "median total hashcost", Period: "2025-Q3", Start: s3, End: e3,
		Scope: ScopeCash, USDPerPHDay: Known[USDPerPHDay](44), Published: day("2025-11-14"), Grade: GradeB}}
	miners := []Miner{{Ticker: "A", Quarters: []Quarter{ruleQuarter("A", "2025-Q3", 20, 30, "2025-11-05")}}}
	raw, err := json.Marshal(ComputeBoard(in, miners, Scenario{}))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rule struct {
			Headline   map[string]any   `json:"headline"`
			UnderWater map[string]any   `json:"under_water"`
			Benchmarks []map[string]any `json:"benchmarks"`
		} `json:"sector_rule"`
		Implied []struct {
			Quarters []struct {
				Costs []map[string]any `json:"costs"`
			} `json:"quarters"`
		} `json:"implied_costs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	h := doc.Rule.Headline
	if h["scope"] != "cash" || h["n"] != 0.0 || h["median_usd_per_ph_day"] != 44.0 || h["source"] != "TheMinerMag" ||
		h["period"] != "2025-Q3" || h["published"] != "2025-11-14" || h["margin_usd_per_ph_day"] == nil {
		t.Errorf("headline JSON %v", h)
	}
	if u := doc.Rule.UnderWater; u["scope"] != "cash" || u["count"] != 0.0 || u["of"] != 1.0 {
		t.Errorf("under_water JSON %v", u)
	}
	b := doc.Rule.Benchmarks[0]
	for k, want := range map[string]any{"source": "TheMinerMag", "metric": "median total hashcost", "period": "2025-Q3",
		"scope": "cash", "usd_per_ph_day": 44.0, "published": "2025-11-14"} {
		if b[k] != want {
			t.Errorf("benchmarks[0].%s = %v, want %v", k, b[k], want)
		}
	}
	cash := doc.Implied[0].Quarters[0].Costs[ScopeCash]
	if cash["scope"] != "cash" || cash["usd_per_ph_day"] != 30.0 || cash["published"] != "2025-11-05" || cash["grade"] != "A" || cash["derived"] != true {
		t.Errorf("implied cash JSON %v", cash)
	}
}

// The cost curve (costs view and JSON) is drawn at the computed headline's
// scope, else at the widest scope some miner has: a benchmark headline's
// scope may have no miner at all (cash on 2025-12-29), and the JSON curve
// was then every miner with no figure.
func TestCurveScope(t *testing.T) {
	var r SectorRule
	if s := r.CurveScope(); s != ScopePower {
		t.Errorf("no figures: %v, want power", s)
	}
	r.Headline = Headline{Source: "TheMinerMag", Scope: ScopeCash}
	r.Scopes[ScopePower].N, r.Scopes[ScopeDirect].N = 1, 4
	if s := r.CurveScope(); s != ScopeDirect {
		t.Errorf("benchmark headline at cash, miners up to direct: %v, want direct", s)
	}
	r.Headline = Headline{Source: "computed", Scope: ScopeDirect}
	r.Scopes[ScopeAllIn].N = 2
	if s := r.CurveScope(); s != ScopeDirect {
		t.Errorf("computed headline at direct: %v, want direct", s)
	}
}

// With no headline, the under-water count is at the widest scope with a
// figure, not at power because the missing headline's scope reads as 0
// (found in review: "0 of 1 under water at power" beside direct n 2).
func TestUnderWaterWithoutHeadline(t *testing.T) {
	c := ruleQuarter("C", "2025-Q3", 0, 0, "2025-11-05")
	c.CostMining = Item[USD]{}
	c.CostPower = Sourced[USD](8e6, src("https://sec.example/C", GradeA, "2025-11-05", true))
	miners := []Miner{
		{Ticker: "A", Quarters: []Quarter{ruleQuarter("A", "2025-Q3", 20, 0, "2025-11-05")}},
		{Ticker: "B", Quarters: []Quarter{ruleQuarter("B", "2025-Q3", 50, 0, "2025-11-05")}},
		{Ticker: "C", Quarters: []Quarter{c}},
	}
	r := ComputeBoard(ruleNetwork(), miners, Scenario{}).SectorRule
	if r.Headline.Source != "" || r.Scopes[ScopePower].N != 1 || r.Scopes[ScopeDirect].N != 2 {
		t.Fatalf("setup: headline %q, power n %d, direct n %d", r.Headline.Source, r.Scopes[ScopePower].N, r.Scopes[ScopeDirect].N)
	}
	if u := r.UnderWater; u.Scope != ScopeDirect || u.Of != 2 || u.Count.Or(-1) != 1 {
		t.Errorf("under water %+v, want 1 of 2 at direct", u)
	}
}

// A row whose figures all ended before the rule's window shows the newer
// of its reported and implied figures, at its widest scope, as old: found
// in review, live rows narrowed to an old reported power cost ("MARA
// $19.21 power Q3'25 old") while offline showed the implied direct cost of
// the same quarter. An old cost gives no shutdown price.
func TestOldRowsKeepTheirWidestScope(t *testing.T) {
	in := ruleNetwork()
	in.Now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	m := Miner{Ticker: "M", Quarters: []Quarter{ruleQuarter("M", "2025-Q3", 30, 0, "2025-11-05")},
		Reported: []ReportedCost{{Scope: ScopePower, PerBTC: 40_000, Period: "2025-Q3", End: day("2025-09-30"), PeriodHashvalue: Known[BTCPerPHDay](0.0005)}}}
	cur := Miner{Ticker: "N", Quarters: []Quarter{ruleQuarter("N", "2025-Q3", 30, 0, "2025-11-05")},
		Reported: []ReportedCost{{Scope: ScopeDirect, PerBTC: 50_000, Period: "2026-Q3", End: day("2026-09-30"), PeriodHashvalue: Known[BTCPerPHDay](0.0005)}}}
	b := ComputeBoard(in, []Miner{m, cur}, Scenario{})
	r := b.Miners[0]
	if c := r.Costs[ScopeDirect]; r.Headline != ScopeDirect || c.Basis != BasisImplied || !c.OutsideWindow || c.Period != "2025-Q3" {
		t.Errorf("headline %v, direct %+v; want the old implied direct cost of 2025-Q3", r.Headline, c)
	}
	if c := r.Costs[ScopePower]; c.Basis != BasisReported || !c.OutsideWindow {
		t.Errorf("power %+v, want the old reported figure (no implied power)", c)
	}
	if r.ShutdownPrice.OK() || r.UnderWater != FlagUnknown {
		t.Errorf("shutdown %v, under water %v from old costs; want unknown", r.ShutdownPrice, r.UnderWater)
	}
	// A row with a current figure drops its old ones: one date per row.
	mixed := Miner{Ticker: "X", Quarters: []Quarter{ruleQuarter("X", "2025-Q1", 10, 25, "2025-05-05")},
		Reported: []ReportedCost{{Scope: ScopeDirect, PerBTC: 60_000, Period: "2026-Q3", End: day("2026-09-30"), PeriodHashvalue: Known[BTCPerPHDay](0.0005)}}}
	if r := ComputeBoard(in, []Miner{mixed}, Scenario{}).Miners[0]; r.Headline != ScopeDirect || r.Costs[ScopeCash].PerPHDay.OK() || r.UnderWater == FlagUnknown {
		t.Errorf("mixed row: headline %v, cash %v, under water %v; want the current direct figure alone", r.Headline, r.Costs[ScopeCash].PerPHDay, r.UnderWater)
	}
	// A reported figure inside the window wins over an old implied one.
	if c := b.Miners[1].Costs[ScopeDirect]; c.Basis != BasisReported || c.OutsideWindow {
		t.Errorf("current reported direct: %+v", c)
	}
}
