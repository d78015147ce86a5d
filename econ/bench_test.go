package econ

import (
	"testing"
	"time"
)

// sink keeps results alive so the compiler cannot drop the work.
var sinkHP USDPerPHDay

// BenchmarkHashprice is one hashprice evaluation from difficulty, reward and
// price. Target: 0 allocations, under 50 ns.
func BenchmarkHashprice(b *testing.B) {
	b.ReportAllocs()
	// Inputs come from a slice so the compiler cannot fold the arithmetic away.
	in := []struct {
		d Difficulty
		r BTC
		p USDPerBTC
	}{{148.26e12, 3.1423, 91_132}, {108.52e12, 3.2025, 93_450}, {88.40e12, 3.125, 64_000}, {100e12, 3.125, 100_000}}
	i := 0
	for b.Loop() {
		x := in[i&3]
		sinkHP = HashpriceAt(x.d, x.r, x.p)
		i++
	}
}

// benchMiners returns 15 miners with the mix of data the real sector has:
// some with efficiency and power price, some with reported costs in various
// scopes, some with filings, a few with nothing.
func benchMiners() []Miner {
	base := testMiners()
	out := make([]Miner, 0, 15)
	for i := 0; len(out) < 15; i++ {
		m := base[i%len(base)]
		m.Ticker = string(rune('A' + i))
		if v, ok := m.Efficiency.Get(); ok {
			m.Efficiency = Known(v + JoulesPerTH(i))
		}
		out = append(out, m)
	}
	return out
}

// BenchmarkBoard computes the whole board (network, 15 miner rows, four
// sector scopes). Target: under 20 µs.
func BenchmarkBoard(b *testing.B) {
	b.ReportAllocs()
	in, miners := testNetwork(), benchMiners()
	var board Board
	for b.Loop() {
		board = ComputeBoard(in, miners, Scenario{})
	}
	if board.Total != 15 {
		b.Fatal(board.Total)
	}
}

// BenchmarkMarginGrid computes a 50×50 grid of sector margin over BTC
// price × difficulty change. Target: under 1 ms.
func BenchmarkMarginGrid(b *testing.B) {
	b.ReportAllocs()
	in := testNetwork()
	prices := make([]USDPerBTC, 50)
	diffs := make([]Percent, 50)
	for i := range 50 {
		prices[i] = USDPerBTC(40_000 + 4_000*i)
		diffs[i] = Percent(-25 + i)
	}
	for b.Loop() {
		g := MarginGrid(in, Scenario{}, ScopeCash, Known[USDPerPHDay](34), prices, diffs)
		sinkHP = g.Margin[0].Or(0)
	}
}

// BenchmarkDynamicPayback simulates up to ten years day by day (an S19j Pro
// that never pays back, so the whole horizon runs).
func BenchmarkDynamicPayback(b *testing.B) {
	b.ReportAllocs()
	p := PaybackPlan{
		Machine: Machine{Hashrate: 104, Power: 3068, Capex: Known[USD](1e9)}, PowerPrice: 0.05,
		Price: 91_132, Difficulty: 148.26e12, Height: 930_000, FeesPerBlock: 0.02,
		DifficultyGrowthPct: 2, MeanBlockTime: 590 * time.Second,
	}
	for b.Loop() {
		r := DynamicPayback(p)
		sinkHP = USDPerPHDay(r.MarginUSD)
	}
}

// sectorMiners returns 12 miners, each with five quarters (2025-Q1 to
// 2025-Q4 and a quarter not yet public) carrying every line item, two
// conflicting sources for BTC mined and a company metric, as the embedded
// dataset and an EDGAR provider produce them.
func sectorMiners() []Miner {
	out := make([]Miner, 12)
	for i := range out {
		tk := string(rune('A' + i))
		var qs []Quarter
		for j, cal := range []string{"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"} {
			q := ruleQuarter(tk, cal, 20+float64(i+j), 30+float64(i+j), []string{"2025-05-10", "2025-08-10", "2025-11-10", "2026-02-10"}[j])
			p := q.BTCMined.Provenance
			q.RevenueTotal = Sourced[USD](60e6, p) // material other revenue
			q.StockComp, q.DA = Sourced[USD](3e6, p), Sourced[USD](15e6, p)
			q.BTCMined = PickItem([]Item[BTC]{q.BTCMined, Sourced[BTC](510, src("https://copy.example", GradeC, p.Published.String(), false))})
			q.Metrics = []CompanyMetric{{Name: "cost to mine", Value: 45_000, Unit: "USD/BTC", Scope: ScopeDirect, Provenance: p}}
			if i%4 == 3 && j == 2 {
				q.RevenueMining = Item[USD]{} // share carried forward
			}
			qs = append(qs, q)
		}
		out[i] = Miner{Ticker: tk, Efficiency: Known[JoulesPerTH](18), PowerPrice: Known[USDPerKWh](0.045), Quarters: qs}
	}
	return out
}

// BenchmarkBoardSectorRule computes the whole board with implied costs for
// 12 miners (five quarters each, point-in-time filtered) and the sector
// rule with three benchmarks. Target: under 100 µs.
func BenchmarkBoardSectorRule(b *testing.B) {
	b.ReportAllocs()
	in, miners := ruleNetwork(), sectorMiners()
	s3, e3 := quarterDays("2025-Q3")
	in.Benchmarks = []Benchmark{
		{Source: "TheMinerMag", Scope: ScopeCash, Period: "2025-Q3", Start: s3, End: e3, USDPerPHDay: Known[USDPerPHDay](44), Published: day("2025-11-14"), Grade: GradeB},
		{Source: "CoinShares", Scope: ScopeCash, Period: "2025-Q3", Start: s3, End: e3, USDPerBTC: Known[USDPerBTC](80_000), Published: day("2025-11-20"), Grade: GradeB},
		{Source: "X", Scope: ScopeAllIn, Unusable: "undated", Grade: GradeC},
	}
	var board Board
	for b.Loop() {
		board = ComputeBoard(in, miners, Scenario{})
	}
	if board.SectorRule.Headline.Source != "computed" || board.SectorRule.Scopes[ScopeAllIn].N != 12 {
		b.Fatalf("headline %+v, all-in n %d", board.SectorRule.Headline, board.SectorRule.Scopes[ScopeAllIn].N)
	}
}
