package econ

import (
	"slices"
	"testing"
)

// The cost curve: one row per miner at one scope, sorted by cost, the
// layers of its newest recent quarter, realized EH/s, and the hashprice at
// which it goes under water; a miner with no recent quarter stays, empty.
func TestCostCurve(t *testing.T) {
	asOf := NewDate(2025, 12, 29)
	q := func(cal string, end Date, power, direct, cash float64, phd float64) ImpliedCost {
		c := ImpliedCost{Calendar: cal, Start: end.AddDays(-91), End: end, PHDays: Known(PHDays(phd))}
		c.Costs[ScopePower].PerPHDay = Known(USDPerPHDay(power))
		c.Costs[ScopeDirect].PerPHDay = Known(USDPerPHDay(direct))
		if cash > 0 {
			c.Costs[ScopeCash].PerPHDay = Known(USDPerPHDay(cash))
		} else {
			c.Costs[ScopeCash].Unknown = "SG&A unknown"
		}
		return c
	}
	q3 := NewDate(2025, 9, 30)
	implied := []MinerImplied{
		{Ticker: "AAA", Quarters: []ImpliedCost{q("2025-Q3", q3, 18, 25, 41, 2_000_000)}},
		{Ticker: "BBB", Quarters: []ImpliedCost{q("2025-Q3", q3, 20, 30, 0, 1_000_000)}},
		{Ticker: "CCC", Quarters: []ImpliedCost{q("2024-Q4", NewDate(2024, 12, 31), 10, 12, 15, 500_000)}}, // too old
		{Ticker: "DDD", Quarters: []ImpliedCost{q("2025-Q2", NewDate(2025, 6, 30), 15, 22, 35, 900_000), q("2025-Q3", q3, 16, 21, 38, 920_000)}},
	}
	hp := Known[USDPerPHDay](37)
	rows := CostCurve(implied, asOf, ScopeCash, hp)
	order := []string{}
	for _, r := range rows {
		order = append(order, r.Ticker)
	}
	if want := []string{"DDD", "AAA", "BBB", "CCC"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	ddd, aaa, bbb, ccc := rows[0], rows[1], rows[2], rows[3]
	if ddd.Quarter != "2025-Q3" || ddd.Cash.Or(0) != 38 || ddd.UnderWater != FlagYes || ddd.UnderBelow.Or(0) != 38 {
		t.Errorf("DDD %+v: want its newest quarter, under water at $38 > $37", ddd)
	}
	if aaa.UnderWater != FlagYes || aaa.Layer(ScopeDirect).Or(0) != 25 {
		t.Errorf("AAA %+v", aaa)
	}
	if ehs := float64(aaa.RealizedEHs.Or(0)); ehs < 21.7 || ehs > 21.8 { // 2,000,000 PH·days over 92 days ÷ 1000
		t.Errorf("AAA realized %v EH/s, want ≈ 21.74", ehs)
	}
	if bbb.Cash.OK() || bbb.Missing[ScopeCash] != "SG&A unknown" || bbb.UnderWater != FlagUnknown {
		t.Errorf("BBB without cash: %+v", bbb)
	}
	if ccc.Quarter != "" || ccc.Power.OK() {
		t.Errorf("CCC's 2024-Q4 is outside the window: %+v", ccc)
	}
}
