package econ

import (
	"math"
	"testing"
	"time"
)

// workedHashprice returns the 2026-01-12 example
// (docs/economics.md, "Worked example"):
// D 148.26T, $91,132, fees 0.55% of rewards.
func workedHashprice(t testing.TB) (USDPerPHDay, BTCPerPHDay) {
	t.Helper()
	reward, err := RewardFromFeeShare(3.125, 0.55)
	if err != nil {
		t.Fatal(err)
	}
	hv := Hashvalue(148.26e12, reward)
	return Hashprice(hv, 91_132), hv
}

// TestMachineTable reproduces the per-machine table at $0.05/kWh
// (docs/economics.md, "Worked example").
func TestMachineTable(t *testing.T) {
	hp, hv := workedHashprice(t)
	tests := []struct {
		m                   Machine
		revenue, power, mar float64 // $/day, NaN where the table has none
		breakeven           float64 // $/kWh
		hashcost            float64 // $/PH/day, NaN where the table has none
		shutdownK           float64 // $k/BTC
	}{
		{Machine{Name: "S21 XP", Hashrate: 270, Power: 3645}, 10.49, 4.37, 6.12, 0.120, 16.2, 38.0},
		{Machine{Name: "S21", Hashrate: 200, Power: 3500}, math.NaN(), math.NaN(), math.NaN(), 0.0925, 21.0, 49.3},
		{Machine{Name: "S19 XP", Hashrate: 140, Power: 3010}, math.NaN(), math.NaN(), math.NaN(), 0.0753, math.NaN(), 60.5},
		{Machine{Name: "S19j Pro", Hashrate: 104, Power: 3068}, 4.04, 3.68, 0.36, 0.0549, math.NaN(), 83.0},
	}
	digits := func(v float64) int { // decimals printed in the table
		switch {
		case v < 0.1:
			return 4
		case v < 1:
			return 3
		}
		return 2
	}
	for _, tt := range tests {
		t.Run(tt.m.Name, func(t *testing.T) {
			eff := tt.m.Efficiency().Or(0)
			day := tt.m.Daily(hp, 0.05)
			if !math.IsNaN(tt.revenue) {
				if round(float64(day.Revenue), 2) != tt.revenue || round(float64(day.PowerCost), 2) != tt.power || round(float64(day.Margin), 2) != tt.mar {
					t.Errorf("day = %+v, want revenue %v power %v margin %v", day, tt.revenue, tt.power, tt.mar)
				}
			}
			be := BreakevenPowerPrice(hp, eff).Or(0)
			if round(float64(be), digits(tt.breakeven)) != tt.breakeven {
				t.Errorf("breakeven = %v $/kWh, want %v", be, tt.breakeven)
			}
			if hc := PowerCost(eff, 0.05); !math.IsNaN(tt.hashcost) && round(float64(hc), 1) != tt.hashcost {
				t.Errorf("hashcost = %v, want %v", hc, tt.hashcost)
			}
			sd := ShutdownPrice(eff, 0.05, hv).Or(0)
			if round(float64(sd)/1000, 1) != tt.shutdownK {
				t.Errorf("shutdown = %v, want $%vk", sd, tt.shutdownK)
			}
			// Power cost per BTC is the shutdown price.
			if c := CostPerBTC(PowerCost(eff, 0.05), hv).Or(0); c != sd {
				t.Errorf("power cost per BTC %v != shutdown price %v", c, sd)
			}
		})
	}
	// S21 XP at Hashrate Index's $25.70/TH (2025-11-03): static payback ≈ 1,134 days.
	xp := Machine{Hashrate: 270, Power: 3645}
	pb, ok := StaticPayback(25.70*270, xp.Daily(hp, 0.05).Margin).Get()
	if !ok || math.Round(float64(pb)) != 1134 {
		t.Errorf("S21 XP payback = %v days, want ≈1,134", pb)
	}
	if StaticPayback(1000, 0).OK() || StaticPayback(1000, -1).OK() {
		t.Error("payback with no margin is known; want never (unknown)")
	}
	if BreakevenPowerPrice(40, 0).OK() {
		t.Error("breakeven power price at 0 J/TH is known")
	}
	if got := BreakevenHashprice(44); got != 44 {
		t.Errorf("BreakevenHashprice(44) = %v", got)
	}
	if MarginPct(0, 10).OK() {
		t.Error("margin % at zero hashprice is known")
	}
	if got := MarginPct(40, 44).Or(0); !near(float64(got), -10, 1e-12) {
		t.Errorf("MarginPct(40, 44) = %v, want -10%%", got)
	}
}

func TestDynamicPaybackMatchesStaticWhenNothingChanges(t *testing.T) {
	// Right after a halving, with no growth, nothing changes for 1,458 days:
	// the simulation must agree with capex ÷ margin.
	p := PaybackPlan{
		Machine:      Machine{Hashrate: 270, Power: 3645, Capex: Known[USD](4000)},
		PowerPrice:   0.05,
		Price:        150_000,
		Difficulty:   148.26e12,
		Height:       1_050_000,
		FeesPerBlock: 0.02,
	}
	hp := HashpriceAt(p.Difficulty, Subsidy(p.Height)+p.FeesPerBlock, p.Price)
	static := StaticPayback(4000, p.Machine.Daily(hp, p.PowerPrice).Margin).Or(-1)
	res := DynamicPayback(p)
	got, ok := res.Days.Get()
	if !ok || !near(float64(got), float64(static), 1e-9) {
		t.Fatalf("dynamic payback = %v (known %v), static %v", got, ok, static)
	}
	if res.HalvingDay.OK() {
		t.Errorf("a halving at day %v inside the payback", res.HalvingDay)
	}
	if res.MarginUSD != 4000 {
		t.Errorf("margin at payback = %v, want the capex", res.MarginUSD)
	}
}

func TestDynamicPaybackGeometricDifficulty(t *testing.T) {
	// No power cost, start at a retarget boundary, difficulty +10% per
	// 14-day epoch: revenue in epoch k is R·14/1.1^k, so capex equal to the
	// first three epochs' revenue is paid back on day 42 exactly.
	hv := Hashvalue(100e12, 3.125)
	revPerDay := float64(hv) * 100 * 100_000 // 100 PH/s at $100k
	capex := revPerDay * 14 * (1 + 1/1.1 + 1/1.21)
	p := PaybackPlan{
		Machine:             Machine{Hashrate: 100_000, Capex: Known(USD(capex))},
		Price:               100_000,
		Difficulty:          100e12,
		Height:              2016 * 450, // an epoch boundary, 92,800 blocks before the halving
		DifficultyGrowthPct: 10,
	}
	got, ok := DynamicPayback(p).Days.Get()
	if !ok || !near(float64(got), 42, 1e-9) {
		t.Errorf("payback = %v days (known %v), want 42", got, ok)
	}
	// Price growing as fast as difficulty cancels it: revenue stays R a day.
	p.PriceGrowthPct = 10
	got, _ = DynamicPayback(p).Days.Get()
	if want := 14 * (1 + 1/1.1 + 1/1.21); !near(float64(got), want, 1e-9) {
		t.Errorf("payback with price growth = %v, want %v", got, want)
	}
}

func TestDynamicPaybackAcrossHalving(t *testing.T) {
	// From height 870,020 at 600 s blocks the halving is 179,980 blocks away: day 1,249.86.
	p := PaybackPlan{
		Machine:      Machine{Hashrate: 104, Power: 3068, Capex: Known[USD](1_000_000)}, // never paid back
		PowerPrice:   0.05,
		Price:        91_132,
		Difficulty:   148.26e12,
		Height:       870_020,
		FeesPerBlock: 0.0173,
		HorizonDays:  2000,
	}
	res := DynamicPayback(p)
	day, ok := res.HalvingDay.Get()
	if !ok || !near(float64(day), 179_980.0/144, 1e-9) {
		t.Errorf("halving day = %v (known %v), want %v", day, ok, 179_980.0/144)
	}
	if res.Days.OK() {
		t.Errorf("an S19j Pro paid back $1M in %v days", res.Days)
	}
	// After the halving its margin is negative, so it is switched off and its
	// cumulative margin stops growing: the margin earned is the pre-halving one.
	hp := HashpriceAt(p.Difficulty, Subsidy(p.Height)+p.FeesPerBlock, p.Price)
	pre := float64(p.Machine.Daily(hp, p.PowerPrice).Margin) * float64(day)
	if !near(float64(res.MarginUSD), pre, 1e-6) {
		t.Errorf("cumulative margin = %v, want the pre-halving %v", res.MarginUSD, pre)
	}
	if res.HorizonDays != 2000 {
		t.Errorf("horizon = %d", res.HorizonDays)
	}
	// The halving makes a machine pay back later than the static estimate says.
	xp := p
	xp.Machine = Machine{Hashrate: 270, Power: 3645, Capex: Known[USD](6939)}
	xp.HorizonDays = 0
	static := StaticPayback(6939, xp.Machine.Daily(hp, xp.PowerPrice).Margin).Or(0)
	dyn, ok := DynamicPayback(xp).Days.Get()
	if !ok || dyn <= static {
		t.Errorf("S21 XP across the halving: dynamic %v (known %v), static %v; want later", dyn, ok, static)
	}
}

func TestDynamicPaybackMeanBlockTime(t *testing.T) {
	// Faster blocks bring the halving sooner.
	p := PaybackPlan{Machine: Machine{Hashrate: 1}, Difficulty: 1e14, Price: 1, Height: 1_049_000, MeanBlockTime: 300 * time.Second}
	day, ok := DynamicPayback(p).HalvingDay.Get()
	if !ok || !near(float64(day), 1000.0/288, 1e-9) {
		t.Errorf("halving day at 300 s blocks = %v, want %v", day, 1000.0/288)
	}
}
