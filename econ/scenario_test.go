package econ

import (
	"testing"
)

func TestScenario(t *testing.T) {
	in, miners := testNetwork(), testMiners()
	base := ComputeBoard(in, miners, Scenario{})
	if !(Scenario{}).IsZero() || (Scenario{DifficultyChangePct: 1}).IsZero() {
		t.Error("IsZero is wrong")
	}

	// Price doubles: hashprice doubles; costs per PH/day stay, per BTC at today's hashvalue stay.
	s := ComputeBoard(in, miners, Scenario{Price: Known[USDPerBTC](182_264)})
	if !near(float64(s.Network.Hashprice.Or(0)), 2*float64(base.Network.Hashprice.Or(0)), 1e-12) {
		t.Errorf("doubled price: hashprice %v vs %v", s.Network.Hashprice, base.Network.Hashprice)
	}
	for i, r := range s.Miners {
		for _, sc := range Scopes() {
			if got, was := r.Costs[sc].PerPHDay, base.Miners[i].Costs[sc].PerPHDay; got != was {
				t.Errorf("doubled price: %s %v cost %v per PH/day, was %v", r.Ticker, sc, got, was)
			}
		}
		if r.UnderWater == FlagYes {
			t.Errorf("doubled price: %s still under water", r.Ticker)
		}
	}

	// Difficulty +25%: hashvalue falls to 1/1.25; a BTC costs 25% more.
	s = ComputeBoard(in, miners, Scenario{DifficultyChangePct: 25})
	if !near(float64(s.Network.Hashvalue.Or(0)), float64(base.Network.Hashvalue.Or(0))/1.25, 1e-12) {
		t.Errorf("difficulty +25%%: hashvalue %v vs %v", s.Network.Hashvalue, base.Network.Hashvalue)
	}
	for i, r := range s.Miners {
		if was, ok := base.Miners[i].Costs[ScopeCash].PerBTC.Get(); ok && !near(float64(r.Costs[ScopeCash].PerBTC.Or(0)), 1.25*float64(was), 1e-12) {
			t.Errorf("difficulty +25%%: %s cash cost per BTC %v, was %v: did not rise 25%%", r.Ticker, r.Costs[ScopeCash].PerBTC, was)
		}
	}
	if s.Network.Adjustment == nil || s.Network.Adjustment.NextDifficulty.Or(0) != s.Network.Difficulty.Or(0)*Difficulty(1+s.Network.Adjustment.ChangePct.Or(0)/100) {
		t.Error("the next-difficulty estimate does not start from the scenario's difficulty")
	}

	// Fees of 1 BTC a block.
	s = ComputeBoard(in, miners, Scenario{FeesPerBlock: Known[BTC](1)})
	if s.Network.Reward.Or(0) != 4.125 {
		t.Errorf("fees 1 BTC: reward %v, want 4.125", s.Network.Reward)
	}

	// Everyone pays $0.06/kWh.
	s = ComputeBoard(in, miners, Scenario{PowerPrice: Known[USDPerKWh](0.06)})
	row := map[string]MinerRow{}
	for _, r := range s.Miners {
		row[r.Ticker] = r
	}
	// MODEL: 15 J/TH × 0.06 × 24 = 21.60 (was 14.40 at 0.04).
	if got := row["MODEL"].Costs[ScopePower].PerPHDay.Or(0); !near(float64(got), 21.6, 1e-12) || row["MODEL"].PowerPrice.Or(0) != 0.06 {
		t.Errorf("MODEL at $0.06: %v", got)
	}
	// ALLIN: 20 J/TH from 0.05 to 0.06 adds $4.80 to every scope: all-in 54.80, power 28.80.
	if got := row["ALLIN"].Costs[ScopeAllIn].PerPHDay.Or(0); !near(float64(got), 54.8, 1e-12) {
		t.Errorf("ALLIN all-in at $0.06: %v, want 54.80", got)
	}
	if got := row["ALLIN"].Costs[ScopePower].PerPHDay.Or(0); !near(float64(got), 28.8, 1e-12) {
		t.Errorf("ALLIN power at $0.06: %v, want 28.80", got)
	}
	// CASH has no efficiency: its costs cannot follow and it says so.
	if !row["CASH"].PowerNotAdjusted || row["CASH"].Costs[ScopeCash].PerPHDay.Or(0) != 35 {
		t.Errorf("CASH: not-adjusted %v, cost %v", row["CASH"].PowerNotAdjusted, row["CASH"].Costs[ScopeCash].PerPHDay)
	}
	if row["MODEL"].PowerNotAdjusted {
		t.Error("MODEL flagged not adjusted")
	}
	// The input slice is not modified by a scenario.
	if miners[0].PowerPrice.Or(0) != 0.04 {
		t.Error("scenario changed the caller's miners")
	}
}

func TestMarginGridAgreesWithBoard(t *testing.T) {
	in, miners := testNetwork(), testMiners()
	prices := []USDPerBTC{60_000, 91_132, 150_000}
	diffs := []Percent{-20, 0, 10, -100}
	median := Known[USDPerPHDay](34)
	g := MarginGrid(in, Scenario{}, ScopeCash, median, prices, diffs)
	if len(g.Margin) != len(prices)*len(diffs) || g.Median.Or(0) != 34 {
		t.Fatalf("grid has %d cells, median %v", len(g.Margin), g.Median)
	}
	for i, dc := range diffs[:3] {
		for j, p := range prices {
			b := ComputeBoard(in, miners, Scenario{Price: Known(p), DifficultyChangePct: dc})
			want := b.Network.HashpriceNet.Or(0) - 34
			if got, ok := g.At(i, j).Get(); !ok || !near(float64(got), float64(want), 1e-12) {
				t.Errorf("grid[%v%%][$%v] = %v, board says %v", dc, p, got, want)
			}
		}
	}
	// A difficulty of zero is not a market: those cells are unknown.
	for j := range prices {
		if g.At(3, j).OK() {
			t.Errorf("grid at -100%% difficulty is known")
		}
	}
	// The margin rises with price and falls with difficulty.
	if !(g.At(1, 0).Or(0) < g.At(1, 1).Or(0) && g.At(1, 1).Or(0) < g.At(1, 2).Or(0)) {
		t.Error("margin does not rise with price")
	}
	if !(g.At(0, 1).Or(0) > g.At(1, 1).Or(0) && g.At(1, 1).Or(0) > g.At(2, 1).Or(0)) {
		t.Error("margin does not fall with difficulty")
	}
	// An unknown median gives an unknown grid, not zeros.
	none := MarginGrid(in, Scenario{}, ScopeCash, Unknown[USDPerPHDay](), prices, diffs)
	for _, c := range none.Margin {
		if c.OK() {
			t.Fatal("grid known without a median")
		}
	}
}

func TestASICTable(t *testing.T) {
	models := ASICModels()
	if len(models) < 10 {
		t.Fatalf("%d models", len(models))
	}
	for i, a := range models {
		if a.Source == "" || a.Hashrate <= 0 || a.Power <= 0 || a.Eff <= 0 {
			t.Errorf("%s: incomplete row %+v", a.Model, a)
		}
		// Nameplate J/TH agrees with W ÷ TH/s within the ±5% tolerance of nameplates.
		if eff := float64(a.Power) / float64(a.Hashrate); !near(eff, float64(a.Eff), 0.05) {
			t.Errorf("%s: %v W / %v TH/s = %.2f J/TH, listed %v", a.Model, a.Power, a.Hashrate, eff, a.Eff)
		}
		if i > 0 && a.Eff > models[i-1].Eff {
			t.Errorf("%s is out of order", a.Model)
		}
	}
	models[0].Model = "changed"
	if ASICModels()[0].Model == "changed" {
		t.Error("ASICModels shares its slice between callers")
	}

	hp, hv := workedHashprice(t)
	rows := ASICTable(ASICModels(), hp, hv, 0.05, Known[USDPerTHCap](25.70))
	for _, r := range rows {
		if r.Model == "Antminer S21 XP" {
			if round(float64(r.BreakevenPowerPrice.Or(0)), 3) != 0.120 || round(float64(r.ShutdownPrice.Or(0))/1000, 1) != 38.0 {
				t.Errorf("S21 XP row %+v", r)
			}
			if round(float64(r.Payback.Or(0)), 0) != 1134 || round(float64(r.Capex.Or(0)), 0) != 6939 {
				t.Errorf("S21 XP payback %v capex %v, want 1,134 days, $6,939", r.Payback, r.Capex)
			}
		}
		if r.Model == "Antminer S19j Pro" && !(r.Day.Margin > 0 && r.Day.Margin < 0.5) {
			t.Errorf("S19j Pro margin %v, want ≈$0.36", r.Day.Margin)
		}
	}
	// Without a price per TH/s there is no payback.
	for _, r := range ASICTable(ASICModels(), hp, hv, 0.05, Maybe[USDPerTHCap]{}) {
		if r.Payback.OK() || r.Capex.OK() {
			t.Fatalf("%s: payback without capex", r.Model)
		}
	}
}

// A miner's dated power cost scales with the what-if power price (new ÷
// own): at $0/kWh its power scope is $0 and every wider scope loses the
// same amount. Found in review: at $0/kWh IREN's implied 18.25 fell only to
// 4.57, the J/TH × $/kWh model's part, and a miner with a reported power
// cost but no J/TH could not follow at all.
func TestPowerWhatIfScalesADatedPowerCost(t *testing.T) {
	in := testNetwork()
	hv := Known[BTCPerPHDay](0.0005)
	m := Miner{Ticker: "P", Efficiency: Known[JoulesPerTH](15), PowerPrice: Known[USDPerKWh](0.038), Reported: []ReportedCost{
		{Scope: ScopePower, PerBTC: 40_000, Period: "2025-Q3", PeriodHashvalue: hv},  // $20/PH/day
		{Scope: ScopeDirect, PerBTC: 60_000, Period: "2025-Q3", PeriodHashvalue: hv}, // $30/PH/day
	}}
	noEff := m
	noEff.Ticker, noEff.Efficiency = "Q", Unknown[JoulesPerTH]()
	for _, c := range []struct {
		np            USDPerKWh
		power, direct float64
	}{{0, 0, 10}, {0.057, 30, 40}, {0.038, 20, 30}} {
		b := ComputeBoard(in, []Miner{m, noEff}, Scenario{PowerPrice: Known(c.np)})
		for _, r := range b.Miners {
			p, d := r.Costs[ScopePower].PerPHDay.Or(-1), r.Costs[ScopeDirect].PerPHDay.Or(-1)
			if r.PowerNotAdjusted || !near(float64(p), c.power, 1e-9) || !near(float64(d), c.direct, 1e-9) {
				t.Errorf("%s at $%v/kWh: power %v direct %v (not adjusted %v), want %v and %v", r.Ticker, c.np, p, d, r.PowerNotAdjusted, c.power, c.direct)
			}
		}
	}
}
