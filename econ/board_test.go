package econ

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// testNetwork is the 2026-01-12 example: D 148.26T, $91,132, fees 0.55% of
// rewards, hashprice $38.85/PH/day, hashvalue 0.00042636 BTC/PH/day.
func testNetwork() NetworkInputs {
	now := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	return NetworkInputs{
		Price:      Known[USDPerBTC](91_132),
		Difficulty: Known[Difficulty](148.26e12),
		Height:     Known[int64](931_392 + 1000),
		FeeShare:   Known[Percent](0.55),
		EpochStart: now.Add(-1000 * 612 * time.Second),
		Now:        now,
	}
}

// testMiners covers every way a miner's costs can be known, or not.
func testMiners() []Miner {
	return []Miner{
		// Power from efficiency and power price only: 15 × 0.04 × 24 = $14.40.
		{Ticker: "MODEL", Efficiency: Known[JoulesPerTH](15), PowerPrice: Known[USDPerKWh](0.04)},
		// A reported cash cost: $70,000/BTC in a period whose hashvalue was 0.0005 → $35/PH/day.
		{Ticker: "CASH", Reported: []ReportedCost{
			{Scope: ScopeCash, PerBTC: 70_000, Period: "2025-Q3", PeriodHashvalue: Known[BTCPerPHDay](0.0005), Source: "example", AsOf: "2025-11-01"},
			{Scope: ScopeCash, PerBTC: 10_000, Period: "2024-Q3", PeriodHashvalue: Known[BTCPerPHDay](0.0005)}, // older: ignored
		}},
		// All-in reported ($100,000 at 0.0005 → $50) plus modelled power 20 × 0.05 × 24 = $24.
		{Ticker: "ALLIN", Efficiency: Known[JoulesPerTH](20), PowerPrice: Known[USDPerKWh](0.05), Reported: []ReportedCost{
			{Scope: ScopeAllIn, PerBTC: 100_000, Period: "2025-Q2", PeriodHashvalue: Known[BTCPerPHDay](0.0005)},
		}},
		// Nothing known at all.
		{Ticker: "NONE"},
		// Filings: 920,000 PH·days; power $20, direct $25, cash $33, all-in $48 per PH/day (no stock comp).
		{Ticker: "FILED", Efficiency: Known[JoulesPerTH](18), PowerPrice: Known[USDPerKWh](0.045), Period: PeriodCosts{
			Label: "2025-Q3", RealizedPHDays: Known[PHDays](920_000),
			Power: Known[USD](18_400_000), OtherDirect: Known[USD](4_600_000), CashSGA: Known[USD](5_520_000),
			Interest: Known[USD](1_840_000), Depreciation: Known[USD](13_800_000), StockComp: Known[USD](0),
		}},
		// A reported figure without its period's hashvalue cannot be restated.
		{Ticker: "NOHV", Reported: []ReportedCost{{Scope: ScopeCash, PerBTC: 50_000, Period: "2025-Q3"}}},
	}
}

func TestBoard(t *testing.T) {
	b := ComputeBoard(testNetwork(), testMiners(), Scenario{})
	n := b.Network
	if got := round(float64(n.Hashprice.Or(0)), 2); got != 38.85 {
		t.Fatalf("hashprice = %v, want 38.85", got)
	}
	if n.HashpriceNet != n.Hashprice {
		t.Errorf("net hashprice %v != gross %v with no pool fee", n.HashpriceNet, n.Hashprice)
	}
	if n.Subsidy.Or(0) != 3.125 || n.BlocksToHalving.Or(0) != 1_050_000-932_392 {
		t.Errorf("subsidy %v, blocks to halving %v", n.Subsidy, n.BlocksToHalving)
	}
	if n.Adjustment == nil || round(float64(n.Adjustment.ChangePct.Or(0)), 2) != -1.96 {
		t.Errorf("adjustment = %+v, want -1.96%%", n.Adjustment)
	}
	if got := math.Round(float64(n.Hashrate.Or(0))); got != 1061 {
		t.Errorf("network hashrate = %v EH/s, want 1,061", got)
	}

	row := map[string]MinerRow{}
	for _, r := range b.Miners {
		row[r.Ticker] = r
	}
	check := func(ticker string, s Scope, want float64, basis Basis) {
		t.Helper()
		c := row[ticker].Costs[s]
		got, ok := c.PerPHDay.Get()
		if math.IsNaN(want) {
			if ok || c.Basis != BasisNone {
				t.Errorf("%s %v = %v (%v), want unknown", ticker, s, got, c.Basis)
			}
			return
		}
		if !ok || !near(float64(got), want, 1e-9) || c.Basis != basis {
			t.Errorf("%s %v = %v (%v, known %v), want %v (%v)", ticker, s, got, c.Basis, ok, want, basis)
		}
	}
	unknown := math.NaN()
	check("MODEL", ScopePower, 14.4, BasisModel)
	check("MODEL", ScopeCash, unknown, BasisNone)
	check("CASH", ScopeCash, 35, BasisReported)
	check("CASH", ScopePower, unknown, BasisNone)
	check("ALLIN", ScopeAllIn, 50, BasisReported)
	check("ALLIN", ScopePower, 24, BasisModel)
	check("FILED", ScopePower, 20, BasisFilings)
	check("FILED", ScopeAllIn, 48, BasisFilings)
	check("NOHV", ScopeCash, unknown, BasisNone)
	for _, s := range Scopes() {
		check("NONE", s, unknown, BasisNone)
	}
	if c := row["CASH"].Costs[ScopeCash]; c.Period != "2025-Q3" || c.Source != "example" || c.AsOf != "2025-11-01" {
		t.Errorf("provenance lost: %+v", c)
	}

	// Per BTC at today's hashvalue, and margins.
	hv := n.Hashvalue.Or(0)
	if got := row["CASH"].Costs[ScopeCash].PerBTC.Or(0); !near(float64(got), 35/float64(hv), 1e-12) {
		t.Errorf("CASH per BTC today = %v, want %v", got, 35/float64(hv))
	}
	if got := row["CASH"].Costs[ScopeCash].Margin.Or(0); !near(float64(got), float64(n.Hashprice.Or(0))-35, 1e-12) {
		t.Errorf("CASH margin = %v", got)
	}

	// Headlines and under water: MODEL 14.40 (power) above water, CASH 35
	// (cash) above, ALLIN 50 (all-in) under, FILED 48 (all-in) under.
	wantHead := map[string]struct {
		scope Scope
		has   bool
		under Flag
	}{
		"MODEL": {ScopePower, true, FlagNo}, "CASH": {ScopeCash, true, FlagNo}, "ALLIN": {ScopeAllIn, true, FlagYes},
		"FILED": {ScopeAllIn, true, FlagYes}, "NONE": {0, false, FlagUnknown}, "NOHV": {0, false, FlagUnknown},
	}
	for tk, w := range wantHead {
		r := row[tk]
		if r.HasCost != w.has || (w.has && r.Headline != w.scope) || r.UnderWater != w.under {
			t.Errorf("%s: headline %v has %v under %v; want %v %v %v", tk, r.Headline, r.HasCost, r.UnderWater, w.scope, w.has, w.under)
		}
	}
	if b.Total != 6 {
		t.Errorf("%d miners, want 6", b.Total)
	}
	hp := float64(n.Hashprice.Or(0))

	// Break-evens for a miner with efficiency.
	m := row["MODEL"]
	if got := m.BreakevenPowerPrice.Or(0); !near(float64(got), hp/(15*24), 1e-12) {
		t.Errorf("MODEL breakeven = %v", got)
	}
	if got := m.ShutdownPrice.Or(0); !near(float64(got), 14.4/float64(hv), 1e-12) {
		t.Errorf("MODEL shutdown = %v", got)
	}
}

func TestBoardWithUnknownInputs(t *testing.T) {
	in := testNetwork()
	in.Price = Maybe[USDPerBTC]{}
	b := ComputeBoard(in, testMiners(), Scenario{})
	if b.Network.Hashprice.OK() || !b.Network.Hashvalue.OK() {
		t.Errorf("without a price: hashprice %v hashvalue %v; want unknown, known", b.Network.Hashprice, b.Network.Hashvalue)
	}
	if u := b.SectorRule.UnderWater.Count; u.OK() {
		t.Errorf("%v under water without a hashprice", u)
	}
	for _, r := range b.Miners {
		if r.UnderWater != FlagUnknown {
			t.Errorf("%s under water %v without a price", r.Ticker, r.UnderWater)
		}
	}

	in = testNetwork()
	in.Difficulty = Known[Difficulty](0) // nonsense is unknown
	b = ComputeBoard(in, nil, Scenario{})
	if b.Network.Difficulty.OK() || b.Network.Hashrate.OK() || b.Network.Hashvalue.OK() {
		t.Errorf("zero difficulty gave %+v", b.Network)
	}
	if b.Network.Adjustment == nil || b.Network.Adjustment.NextDifficulty.OK() {
		t.Error("next difficulty from an unknown difficulty")
	}

	in = testNetwork()
	in.Height = Maybe[int64]{}
	b = ComputeBoard(in, nil, Scenario{})
	if b.Network.Subsidy.OK() || b.Network.Reward.OK() || b.Network.Hashprice.OK() || b.Network.BlocksToHalving.OK() || !b.Network.HalvingETA.IsZero() {
		t.Errorf("unknown height gave %+v", b.Network)
	}

	// Explicit fees win over a fee share.
	in = testNetwork()
	in.FeesPerBlock = Known[BTC](0.05)
	b = ComputeBoard(in, nil, Scenario{})
	if b.Network.Reward.Or(0) != 3.175 || !near(float64(b.Network.FeeShare.Or(0)), 0.05/3.175*100, 1e-12) {
		t.Errorf("fees 0.05: reward %v share %v", b.Network.Reward, b.Network.FeeShare)
	}
	// No fee information at all leaves the reward unknown rather than assuming zero fees.
	in.FeesPerBlock, in.FeeShare = Maybe[BTC]{}, Maybe[Percent]{}
	if b := ComputeBoard(in, nil, Scenario{}); b.Network.Reward.OK() || b.Network.Hashprice.OK() {
		t.Error("hashprice known without fees")
	}
}

func TestBreakEvenIsNotUnderWater(t *testing.T) {
	in := testNetwork()
	hv := ComputeNetwork(in).Hashvalue.Or(0)
	// A cost of exactly today's hashprice: price × hashvalue restated at today's hashvalue.
	even := Miner{Ticker: "EVEN", Reported: []ReportedCost{{Scope: ScopeCash, PerBTC: in.Price.Or(0), PeriodHashvalue: Known(hv)}}}
	b := ComputeBoard(in, []Miner{even}, Scenario{})
	if b.Miners[0].Costs[ScopeCash].PerPHDay != b.Network.HashpriceNet {
		t.Fatalf("cost %v != hashprice %v", b.Miners[0].Costs[ScopeCash].PerPHDay, b.Network.HashpriceNet)
	}
	if b.Miners[0].UnderWater != FlagNo {
		t.Errorf("a miner at break-even counts as under water: %v", b.Miners[0].UnderWater)
	}
	if m := Margin(b.Network.HashpriceNet.Or(0), b.Miners[0].Costs[ScopeCash].PerPHDay.Or(0)); m != 0 {
		t.Errorf("margin at break-even = %v", m)
	}
}

func TestBoardPoolFee(t *testing.T) {
	in := testNetwork()
	in.PoolFee = 2
	b := ComputeBoard(in, testMiners(), Scenario{})
	gross, net := b.Network.Hashprice.Or(0), b.Network.HashpriceNet.Or(0)
	if !near(float64(net), float64(gross)*0.98, 1e-12) {
		t.Errorf("net %v, gross %v, want 2%% less", net, gross)
	}
	if g := MarginGrid(in, Scenario{}, ScopeCash, Known[USDPerPHDay](34), []USDPerBTC{in.Price.Or(0)}, []Percent{0}); !near(float64(g.Margin[0].Or(0)), float64(net)-34, 1e-12) {
		t.Errorf("margin is measured against net hashprice: %v", g.Margin[0])
	}
}

func TestBoardJSON(t *testing.T) {
	b := ComputeBoard(testNetwork(), testMiners(), Scenario{})
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Network map[string]any `json:"network"`
		Miners  []struct {
			Ticker     string                    `json:"ticker"`
			Costs      map[string]map[string]any `json:"costs"`
			UnderWater *bool                     `json:"under_water"`
		} `json:"miners"`
		Sector     map[string]any `json:"sector"`
		SectorRule map[string]any `json:"sector_rule"`
	}
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hashprice_usd_per_ph_day", "hashvalue_btc_per_ph_day", "network_hashrate_ehs", "subsidy_btc", "blocks_to_halving"} {
		if _, ok := back.Network[k].(float64); !ok {
			t.Errorf("network.%s = %v, want a number", k, back.Network[k])
		}
	}
	for _, m := range back.Miners {
		if m.Ticker == "NONE" {
			if len(m.Costs) != 0 || m.UnderWater != nil {
				t.Errorf("NONE encodes costs %v under water %v; want none, null", m.Costs, m.UnderWater)
			}
		}
		if m.Ticker == "CASH" {
			if m.Costs["cash"]["basis"] != "reported" || m.Costs["power"] != nil {
				t.Errorf("CASH costs encode as %v", m.Costs)
			}
		}
	}
	// The sector is the one-scope rule; no summary mixing scopes is encoded.
	if back.Sector != nil || back.SectorRule["headline"] == nil {
		t.Errorf("sector encodes as %v, sector_rule as %v", back.Sector, back.SectorRule)
	}
	if !strings.Contains(string(raw), `"power_price_usd_per_kwh":null`) {
		t.Error("unknown values are not encoded as null")
	}
}

// Issue 14 row 6: the halving date came from a 7-day mean block time and
// moved by weeks between boards; it is now at the 600 s target (as calc
// gives it), with the observed pace as the other end of the range.
func TestHalvingDateAtTheTarget(t *testing.T) {
	now := time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)
	in := NetworkInputs{Height: Known[int64](930_093), MeanBlockTime: 550 * time.Second, Now: now}
	v := ComputeNetwork(in)
	blocks := time.Duration(1_050_000 - 930_093)
	if want := now.Add(blocks * 600 * time.Second); !v.HalvingETA.Equal(want) {
		t.Errorf("halving at %v, want %v (600 s)", v.HalvingETA, want)
	}
	if want := now.Add(blocks * 550 * time.Second); !v.HalvingETAObserved.Equal(want) {
		t.Errorf("at the pace %v, want %v", v.HalvingETAObserved, want)
	}
	// A month later, with a month of blocks at 600 s and a different pace,
	// the target date has not moved.
	later := NetworkInputs{Height: Known[int64](930_093 + 4320), MeanBlockTime: 620 * time.Second, Now: now.Add(30 * 24 * time.Hour)}
	if d := ComputeNetwork(later).HalvingETA.Sub(v.HalvingETA); d < -time.Hour || d > time.Hour {
		t.Errorf("the target date moved by %v in a month", d)
	}
}

// Issue 14 row 9: the shutdown price used the modelled power cost (15 J/TH
// × 3.8 c/kWh → $32,076) while the same row's reported power cost implied
// $44,665. One power cost per miner: the reported one when it exists.
func TestShutdownPriceUsesTheReportedPowerCost(t *testing.T) {
	in := NetworkInputs{Price: Known[USDPerBTC](90_000), Difficulty: Known[Difficulty](148e12), Height: Known[int64](930_000),
		FeesPerBlock: Known[BTC](0.02), Now: time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)}
	m := Miner{Ticker: "X", Efficiency: Known[JoulesPerTH](15), PowerPrice: Known[USDPerKWh](0.038),
		Reported: []ReportedCost{{Scope: ScopePower, PerBTC: 44_665, PeriodHashvalue: Known[BTCPerPHDay](0.00045), Period: "2025-Q3"}}}
	b := ComputeBoard(in, []Miner{m}, Scenario{})
	r := b.Miners[0]
	if r.Costs[ScopePower].Basis != BasisReported {
		t.Fatalf("power basis %v", r.Costs[ScopePower].Basis)
	}
	if got, want := r.ShutdownPrice, r.Costs[ScopePower].PerBTC; !got.OK() || got != want {
		t.Errorf("shutdown %v, want the reported power cost per BTC %v", got, want)
	}
	model := ShutdownPrice(15, 0.038, b.Network.Hashvalue.Or(0))
	if r.ShutdownPrice == model {
		t.Error("the shutdown price is still the model's")
	}
}

// A row's cost whose period ended before the sector rule's quarters (on a
// board of 2026-12-04: 2026-Q2..Q4) is flagged OutsideWindow, and when it
// is the row's headline its water state is unknown: today's hashprice
// against a 2025 cost says nothing about today. A cost in the window, and
// one with no dated period, keep theirs.
func TestOldCostsLeaveTheWaterStateUnknown(t *testing.T) {
	in := testNetwork()
	in.Now = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) Date { return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) }
	hv := Known[BTCPerPHDay](0.0005)
	miners := []Miner{
		{Ticker: "OLD", Reported: []ReportedCost{{Scope: ScopeCash, PerBTC: 70_000, Period: "2025-Q3", End: day(2025, 9, 30), PeriodHashvalue: hv}}},
		{Ticker: "NEW", Reported: []ReportedCost{{Scope: ScopeCash, PerBTC: 70_000, Period: "2026-Q3", End: day(2026, 9, 30), PeriodHashvalue: hv}}},
		{Ticker: "UNDATED", Reported: []ReportedCost{{Scope: ScopeCash, PerBTC: 70_000, Period: "2025-Q3", PeriodHashvalue: hv}}},
	}
	b := ComputeBoard(in, miners, Scenario{})
	for _, c := range []struct {
		ticker  string
		outside bool
		water   bool // the water state is known
	}{{"OLD", true, false}, {"NEW", false, true}, {"UNDATED", false, true}} {
		var r MinerRow
		for _, m := range b.Miners {
			if m.Ticker == c.ticker {
				r = m
			}
		}
		mc := r.Costs[ScopeCash]
		if mc.OutsideWindow != c.outside || !mc.Margin.OK() {
			t.Errorf("%s: outside_window %v (margin known %v), want %v and a margin", c.ticker, mc.OutsideWindow, mc.Margin.OK(), c.outside)
		}
		if known := r.UnderWater != FlagUnknown; known != c.water {
			t.Errorf("%s: under_water %v, want known %v", c.ticker, r.UnderWater, c.water)
		}
	}
}
