package board

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// testEnv loads the embedded dataset once for all tests.
var testEnv = sync.OnceValue(func() *Env {
	ds, err := dataset.Load()
	if err != nil {
		panic(err)
	}
	return NewEnv(ds, dataset.DefaultPeers())
})

// fixedNow is the clock of every golden test.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestBuildOffline(t *testing.T) {
	env := testEnv()
	d := Build(env, nil, fixedNow, econ.Scenario{})
	if d.Mode != ModeOffline || d.AsOf == "" {
		t.Errorf("mode %v as-of %q", d.Mode, d.AsOf)
	}
	if d.Price.Layer != LayerEmbedded || !d.Price.OK || d.Price.At.Format(time.DateOnly) != "2025-12-29" {
		t.Errorf("price %+v", d.Price)
	}
	// The board comes from the 2025-12-29 snapshot: hashprice within the
	// dataset's published range for late December 2025 (35–45 USD/PH/day).
	hp, ok := d.Board.Network.Hashprice.Get()
	if !ok || hp < 30 || hp > 50 {
		t.Errorf("offline hashprice %v", d.Board.Network.Hashprice)
	}
	if len(d.Peers) != len(env.Peers) {
		t.Fatalf("%d peer rows for %d peers", len(d.Peers), len(env.Peers))
	}
	for _, p := range d.Peers {
		if p.Ticker == "APLD" && p.Price.OK {
			t.Errorf("APLD has a price without any data: %+v", p.Price)
		}
		if p.Ticker == "IREN" {
			if !p.Price.OK || p.Price.Layer != LayerEmbedded || !p.MonthPct.OK() || !p.YearPct.OK() || !p.Corr90.OK() {
				t.Errorf("IREN row incomplete: %+v", p)
			}
			if c := p.Corr90.Or(9); c < -1 || c > 1 {
				t.Errorf("IREN correlation %v outside [-1, 1]", c)
			}
		}
	}
	if !d.HasRecord || d.RecordLow.USDPerPHDay.Or(0) <= 0 {
		t.Errorf("no record low: %+v", d.RecordLow)
	}
}

func TestBuildLiveOverridesEmbedded(t *testing.T) {
	env := testEnv()
	now := fixedNow
	st := &market.State{Version: 7, Mode: market.ModeLive, Values: map[market.Metric]market.Value{
		market.PriceUSD:   {V: 91_132, At: now, Source: "coinbase+kraken"},
		market.Difficulty: {V: 148.26e12, At: now, Source: "mempool.space"},
		market.Height:     {V: 931_000, At: now, Source: "mempool.space", Stale: true},
	}, Quotes: map[string]market.QuoteValue{
		"IREN": {Quote: market.Quote{Symbol: "IREN", Price: 40, PrevClose: 50, At: now, Source: "yahoo"}},
	}, Live: map[string]string{"price": "exchanges"}}
	d := Build(env, st, now, econ.Scenario{})
	if d.Price.Layer != LayerLive || d.Difficulty.Layer != LayerLive || d.Fees.Layer != LayerEmbedded {
		t.Errorf("layers: price %v difficulty %v fees %v", d.Price.Layer, d.Difficulty.Layer, d.Fees.Layer)
	}
	if d.Mode != ModeStale {
		t.Errorf("a stale height should make the mode STALE, got %v", d.Mode)
	}
	if d.StateVersion != 7 {
		t.Errorf("state version %d", d.StateVersion)
	}
	for _, p := range d.Peers {
		if p.Ticker == "IREN" && (p.Price.V != 40 || p.Price.Layer != LayerLive || math.Abs(float64(p.DayPct.Or(0))+20) > 1e-9) {
			t.Errorf("IREN live row %+v day %v", p.Price, p.DayPct)
		}
	}
	// The scenario changes the board, not the base.
	sc := econ.Scenario{Price: econ.Known[econ.USDPerBTC](182_264)}
	d2 := Build(env, st, now, sc)
	if !(d2.Board.Network.Hashprice.Or(0) > 1.99*d2.Base.Network.Hashprice.Or(0)) {
		t.Errorf("scenario board %v vs base %v", d2.Board.Network.Hashprice, d2.Base.Network.Hashprice)
	}
}

func TestAlignByTime(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	grid := DayGrid(d("2026-01-01"), d("2026-01-06"))
	stock := []Point{{d("2026-01-02"), 10}, {d("2026-01-05"), 12}} // Fri, Mon
	btc := []Point{{d("2025-12-01"), 1}}                           // ended long ago
	cols := Align(grid, 4*24*time.Hour, stock, btc)
	want := []float64{math.NaN(), 10, 10, 10, 12, 12}
	for i := range want {
		if !(cols[0][i] == want[i] || math.IsNaN(cols[0][i]) && math.IsNaN(want[i])) {
			t.Errorf("stock on %s = %v, want %v", grid[i].Format(time.DateOnly), cols[0][i], want[i])
		}
		if !math.IsNaN(cols[1][i]) {
			t.Errorf("a series that ended a month earlier is drawn on %s", grid[i].Format(time.DateOnly))
		}
	}
	if r := Rebase(cols[0]); !math.IsNaN(r[0]) || r[1] != 100 || r[4] != 120 {
		t.Errorf("rebased = %v", r)
	}
}

func TestCorrelation(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var a, b, inv []Point
	for i := range 120 {
		v := 100 * math.Exp(0.02*math.Sin(float64(i)*1.3)+0.001*float64(i))
		b = append(b, Point{start.AddDate(0, 0, i), v})
		a = append(a, Point{start.AddDate(0, 0, i), v * 2}) // same returns
		inv = append(inv, Point{start.AddDate(0, 0, i), 1e4 / v})
	}
	if c := Correlation(a, b, 90, 60).Or(0); math.Abs(c-1) > 1e-9 {
		t.Errorf("identical returns correlate %v", c)
	}
	if c := Correlation(inv, b, 90, 60).Or(0); c > -0.99 {
		t.Errorf("inverse series correlate %v", c)
	}
	if Correlation(a[:30], b, 90, 60).OK() {
		t.Error("correlation from 29 returns is known")
	}
	if r := RollingCorr(a, b, 30, 20); len(r) == 0 || math.Abs(r[len(r)-1].V-1) > 1e-9 {
		t.Errorf("rolling correlation %v", r)
	}
}

func TestHistoryMergesStoreAfterEmbedded(t *testing.T) {
	env := testEnv()
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	stored := map[string][]Point{
		"IREN": {{d("2026-07-31"), 99}, {d("2026-08-03"), 41}, {d("2026-11-24"), 55}}, // one day overlaps the embedded closes
		"APLD": {{d("2026-11-24"), 12}},
	}
	btc := []Point{{d("2026-11-23"), 94_000}, {d("2026-11-24"), 95_000}}
	net := Network{Price: btc, Fees: []Point{{d("2026-11-24"), 0.02}}, Difficulty: []Point{{d("2026-11-10"), 150e12}}}
	h := NewHistory(env, stored, net)
	if !h.Through.Equal(d("2026-11-24")) {
		t.Errorf("through %v", h.Through)
	}
	data := BuildWith(env, h, nil, fixedNow, econ.Scenario{})
	for _, p := range data.Peers {
		switch p.Ticker {
		case "IREN":
			n := len(p.Closes)
			if p.Price.V != 55 || p.Price.Layer != LayerStored || p.Closes[n-1].V != 55 {
				t.Errorf("IREN price %+v", p.Price)
			}
			for _, c := range p.Closes {
				if c.T.Equal(d("2026-07-31")) && c.V != 99 {
					t.Errorf("on a day both have, the store should win: %v", c.V)
				}
			}
			if n != len(env.closes["IREN"])+2 {
				t.Errorf("%d closes, want the embedded ones plus two new days", n)
			}
		case "APLD":
			if !p.Price.OK || p.Price.V != 12 {
				t.Errorf("APLD from the store: %+v", p.Price)
			}
		case "CORZ":
			if p.Price.Layer != LayerEmbedded {
				t.Errorf("CORZ has no stored closes but is labelled %v", p.Price.Layer)
			}
		}
	}
	if last := data.BTC.Points[len(data.BTC.Points)-1]; last.V != 95_000 {
		t.Errorf("BTC series does not end with the stored day: %+v", last)
	}
	// Hashprice: the embedded days, then the one stored day that has price, fees and difficulty.
	hp := data.Hashprice.Points
	if n := len(hp); n != len(env.hashprice.Points)+1 || !hp[n-1].T.Equal(d("2026-11-24")) ||
		math.Abs(hp[n-1].V-float64(econ.HashpriceAt(150e12, 3.145, 95_000))) > 1e-9 {
		t.Errorf("stored hashprice: last %+v of %d points", hp[len(hp)-1], len(hp))
	}
	// The shared environment is untouched.
	if n := len(env.closes["IREN"]); env.closes["IREN"][n-1].V == 55 {
		t.Error("NewHistory modified the shared embedded closes")
	}
}

func TestAsOfLeavesOutLaterReferences(t *testing.T) {
	at := time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)
	d := Build(NewEnvAt(testEnv().Dataset, testEnv().Peers, at), nil, at, econ.Scenario{})
	for _, r := range d.References {
		if r.Period.To.After(at) {
			t.Errorf("reference %q of %s shown as of %s", r.Name, r.Period.Label, at.Format(time.DateOnly))
		}
	}
	if d.HasRecord && d.RecordLow.Period.To.After(at) {
		t.Errorf("record low from the future: %s", d.RecordLow.Period.Label)
	}
	if len(d.References) == 0 {
		t.Error("every reference point was dropped")
	}
}

// Issue 13 row 4: a value computed from a stale input is stale, as old as
// its oldest input and from its least live layer.
func TestComputedCarriesTheOldestInputsFreshness(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	st := &market.State{Values: map[market.Metric]market.Value{
		market.PriceUSD:     {V: 90_000, At: now.Add(-2 * time.Hour), Source: "kraken", Stale: true},
		market.Difficulty:   {V: 148e12, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.Height:       {V: 929_000, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.FeesPerBlock: {V: 0.02, At: now.Add(-time.Minute), Source: "mempool.space"},
	}}
	d := Build(testEnv(), st, now, econ.Scenario{})
	if c := d.Computed; !c.OK || !c.Stale || c.Layer != LayerLive || !c.At.Equal(now.Add(-2*time.Hour)) {
		t.Errorf("computed from a stale price: %+v", c)
	}
	fresh := st.Clone()
	v := fresh.Values[market.PriceUSD]
	v.Stale, v.At = false, now.Add(-time.Minute)
	fresh.Values[market.PriceUSD] = v
	if c := Build(testEnv(), fresh, now, econ.Scenario{}).Computed; c.Stale || !c.At.Equal(now.Add(-time.Minute)) {
		t.Errorf("computed from fresh inputs: %+v", c)
	}
	delete(fresh.Values, market.FeesPerBlock) // the embedded day's fees stand in
	if c := Build(testEnv(), fresh, now, econ.Scenario{}).Computed; c.Layer != LayerEmbedded {
		t.Errorf("computed with an embedded input: layer %v", c.Layer)
	}
}

// Issue 14 row 3: a live quote compared with closes months old gave a
// 1M return with no mark; the return is now unknown unless a close lies
// within ReturnGap before the period's start, and says which close it used.
func TestPeriodReturnNeedsACloseNearTheStart(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	closes := []Point{{day(2025, 7, 31), 10}, {day(2026, 6, 30), 20}, {day(2026, 7, 31), 25}}
	if r, base := PeriodReturn(closes, 1); r.Or(0) != 25 || !base.T.Equal(day(2026, 6, 30)) {
		t.Errorf("1M to the last close: %v from %v", r, base)
	}
	if r, base := PeriodReturn(closes, 12); r.Or(0) != 150 || !base.T.Equal(day(2025, 7, 31)) {
		t.Errorf("1Y: %v from %v", r, base)
	}
	live := append(slices.Clone(closes), Point{day(2026, 12, 4), 30}) // a live quote months later
	if r, _ := PeriodReturn(live, 1); r.OK() {
		t.Errorf("1M against a close four months old: %v", r)
	}
	if r, _ := PeriodReturn(live, 12); r.OK() {
		t.Errorf("1Y with no close near 2025-12-04: %v", r)
	}
	// A long weekend before the start is fine.
	weekend := []Point{{day(2026, 5, 29), 10}, {day(2026, 6, 2), 11}, {day(2026, 7, 1), 12}}
	if r, base := PeriodReturn(weekend, 1); !r.OK() || !base.T.Equal(day(2026, 5, 29)) {
		t.Errorf("over a weekend: %v from %v", r, base)
	}
}

// Issue 14 row 4: the 24 h change was shown against a sample far from 24 h
// ago; it is now unknown until the series has the point of that day.
func TestChangeSinceNeedsThatDaysPoint(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		pts  []Point
		ok   bool
	}{
		{"only today", []Point{{day(25), 40}}, false},
		{"yesterday", []Point{{day(23), 39}, {day(24), 38}, {day(25), 40}}, true},
		{"ends three days ago", []Point{{day(21), 39}, {day(22), 38}}, false},
	} {
		got := changeSince(Series{Points: tc.pts}, 40, now, 24*time.Hour)
		if got.OK() != tc.ok {
			t.Errorf("%s: %v", tc.name, got)
		}
		if tc.ok && math.Abs(float64(got.Or(0))-(40.0/38-1)*100) > 1e-9 {
			t.Errorf("%s: %v, want against 38", tc.name, got)
		}
	}
}

// Issue 14 rows 1 and 2: the record low was the lowest reference point of
// any kind, so on 2025-11-21 it read $39.87 (2024-09-16) with today 11 %
// below it, and offline it compared a 2026 low with 2025 data. It is now the
// lowest of the published record lows and the daily series up to the data's
// date, never above the current value.
func TestRecordLowIsARecordUpToTheDataDate(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC),
		time.Date(2025, 11, 22, 23, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC),
	} {
		d := Build(NewEnvAt(testEnv().Dataset, testEnv().Peers, at), nil, at, econ.Scenario{})
		hp, ok := d.Base.Network.Hashprice.Get()
		if !ok || !d.HasRecord {
			t.Fatalf("%s: no hashprice or record", at)
		}
		low := d.RecordLow.USDPerPHDay.Or(0)
		if low > hp+1e-9 || d.RecordLow.Period.To.After(at) {
			t.Errorf("%s: record low %v on %s, hashprice %v", at.Format(time.DateOnly), low, d.RecordLow.Period.Label, hp)
		}
	}
	// Offline today the data end on 2025-12-29: no later low is compared.
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	d := Build(testEnv(), nil, now, econ.Scenario{})
	if end := time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC); !d.RecordLow.Period.To.Before(end) {
		t.Errorf("offline: record low of %s beside data of 2025-12-29", d.RecordLow.Period.Label)
	}
	if d.RecordLow.Source == "" {
		t.Error("the record low has no source")
	}
}

// Issue 14 row 5: offline there was no next-difficulty estimate although
// the embedded epochs allow one (about +2.8 % on 2025-12-29).
func TestOfflineRetargetEstimate(t *testing.T) {
	at := time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)
	d := Build(NewEnvAt(testEnv().Dataset, testEnv().Peers, at), nil, at, econ.Scenario{})
	a := d.Base.Network.Adjustment
	if a == nil || !a.ChangePct.OK() {
		t.Fatalf("no estimate offline: %+v", a)
	}
	if c := float64(a.ChangePct.Or(0)); c < 1.5 || c > 4 {
		t.Errorf("estimate %+.2f%%, want about +2.8%%", c)
	}
	t.Logf("offline estimate %+.2f%%, ETA %s, source %q", float64(a.ChangePct.Or(0)), a.ETA, d.AdjustmentSource)
}

// Issue 14 row 5: the feeds command showed mempool.space's estimate and the
// dashboard its own for the same data; live, the board now carries the
// upstream's figure, named.
func TestOneRetargetEstimateLive(t *testing.T) {
	now := time.Date(2026, 1, 14, 15, 0, 0, 0, time.UTC)
	st := &market.State{Values: map[market.Metric]market.Value{
		market.Difficulty:    {V: 146.47e12, At: now, Source: "mempool.space network"},
		market.Height:        {V: 930_512, At: now, Source: "mempool.space network"},
		market.EpochStart:    {V: 1767732842, At: now, Source: "mempool.space network"},
		market.AdjustmentPct: {V: 1.7376913, At: now, Source: "mempool.space network"},
	}}
	d := Build(testEnv(), st, now, econ.Scenario{})
	a := d.Base.Network.Adjustment
	if a == nil || math.Abs(float64(a.ChangePct.Or(0))-1.7376913) > 1e-9 || d.AdjustmentSource != "mempool.space network" {
		t.Errorf("live estimate %+v from %q, want mempool's +1.74%%", a, d.AdjustmentSource)
	}
	// The board the screens and the JSON show carries the same estimate
	// (it kept hashdeck's own, named as mempool.space's).
	if b := d.Board.Network.Adjustment; b == nil || b.ChangePct != a.ChangePct {
		t.Errorf("the shown board's estimate %+v, the named one %+v", b, a)
	}
	stale := st.Clone()
	v := stale.Values[market.AdjustmentPct]
	v.Stale = true
	stale.Values[market.AdjustmentPct] = v
	if d := Build(testEnv(), stale, now, econ.Scenario{}); d.AdjustmentSource == "mempool.space network" {
		t.Error("a stale upstream estimate was used")
	}
}

// Issue 11 §5: a board as of 2025-04-20 showed August-2025 costs and a 2026
// NVIDIA contract. Every fact, cost and contract is now used from its
// publication date on, at several dates.
func TestPointInTimeFacts(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2025, 4, 20, 12, 0, 0, 0, time.UTC),
		time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC),
	} {
		env := NewEnvAt(testEnv().Dataset, testEnv().Peers, at)
		for p, f := range env.Fundamentals {
			for _, fact := range f.Facts {
				if pub, ok := fact.Published(); !ok || pub.After(at) {
					t.Errorf("%s: %s %s (%s) published %s", at.Format(time.DateOnly), p, fact.Field, fact.AsOf, pub.Format(time.DateOnly))
				}
			}
			for _, c := range f.Contracts {
				if strings.Contains(c.Counterparty, "NVIDIA") && at.Year() == 2025 {
					t.Errorf("%s: %s contract with NVIDIA shown", at.Format(time.DateOnly), p)
				}
			}
		}
		d := Build(env, nil, at, econ.Scenario{})
		for _, m := range d.Board.Implied {
			for _, q := range m.Quarters {
				for _, c := range q.Costs {
					if c.PerPHDay.OK() && c.Published.After(econ.DateOf(at)) {
						t.Errorf("%s: %s %s %s cost published %s", at.Format(time.DateOnly), m.Ticker, q.Calendar, c.Scope, c.Published)
					}
				}
			}
		}
	}
	// The whole dataset (no date) still has the 2026 facts.
	if f := testEnv().Fundamentals["IREN"]; !slices.ContainsFunc(f.Contracts, func(c dataset.Contract) bool { return strings.Contains(c.Counterparty, "NVIDIA") }) {
		t.Error("IREN's NVIDIA contract is missing from the undated board")
	}
}

// A live board without a live block height estimates the retarget from the
// embedded day, but still dates the sector rule today: the costs are not
// judged as of an older window because one feed is down.
func TestSectorRuleDatedTodayWithoutLiveHeight(t *testing.T) {
	now := fixedNow
	st := &market.State{Values: map[market.Metric]market.Value{
		market.PriceUSD:     {V: 90_000, At: now.Add(-time.Minute), Source: "kraken"},
		market.Difficulty:   {V: 148e12, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.FeesPerBlock: {V: 0.02, At: now.Add(-time.Minute), Source: "mempool.space"},
	}}
	want := econ.BoardDate(now)
	if got := Build(testEnv(), st, now, econ.Scenario{}).Board.SectorRule.AsOf; got != want {
		t.Errorf("no live height: sector rule as of %v, want %v", got, want)
	}
	st.Values[market.Height] = market.Value{V: 929_000, At: now.Add(-time.Minute), Source: "mempool.space"}
	if got := Build(testEnv(), st, now, econ.Scenario{}).Board.SectorRule.AsOf; got != want {
		t.Errorf("live height: sector rule as of %v, want %v", got, want)
	}
}

// A power-price what-if moves the sector rule's members as it moves their
// rows: the power median (IREN alone on 2025-12-29) and IREN's row agree,
// and a member whose cost cannot follow (no efficiency or own price) is
// flagged and kept as reported. Before, the rows moved and the medians did
// not.
func TestPowerWhatIfMovesTheSectorAsTheRows(t *testing.T) {
	env := testEnv()
	base := Build(env, nil, fixedNow, econ.Scenario{}).Board
	b := Build(env, nil, fixedNow, econ.Scenario{PowerPrice: econ.Known[econ.USDPerKWh](0.06)}).Board
	if !b.SectorRule.PowerWhatIf || base.SectorRule.PowerWhatIf {
		t.Fatalf("power what-if flag: %v under the what-if, %v without", b.SectorRule.PowerWhatIf, base.SectorRule.PowerWhatIf)
	}
	row := map[string]econ.MinerRow{}
	for _, r := range b.Miners {
		row[r.Ticker] = r
	}
	adjusted, kept := 0, 0
	for _, sc := range econ.Scopes() {
		rs := b.SectorRule.Scopes[sc]
		var costs []econ.USDPerPHDay
		for _, m := range rs.Members {
			r := row[m.Ticker]
			v, ok := m.WhatIf.Get()
			switch {
			case ok:
				adjusted++
				if got := r.Costs[sc].PerPHDay.Or(-1); math.Abs(float64(got-v)) > 1e-9 {
					t.Errorf("%s %v: member %v under the what-if, row %v", m.Ticker, sc, v, got)
				}
			case m.NotAdjusted && r.PowerNotAdjusted:
				kept++
				v = m.USDPerPHDay
			default:
				t.Errorf("%s %v: neither moved nor flagged (row not adjusted: %v)", m.Ticker, sc, r.PowerNotAdjusted)
			}
			costs = append(costs, v)
		}
		if q, ok := econ.QuartilesOf(costs); ok && rs.Median.Or(-1) != q.Median {
			t.Errorf("%v median %v, want %v over the members under the what-if", sc, rs.Median, q.Median)
		}
	}
	if adjusted == 0 || kept == 0 {
		t.Errorf("%d members moved, %d kept as reported: want some of each on 2025-12-29", adjusted, kept)
	}
	// The costs view's curve moves with them (found in review: it drew the
	// costs as reported beside a moved median).
	for _, sc := range econ.Scopes() {
		curve := map[string]econ.CurveRow{}
		for _, r := range b.CostCurve(sc) {
			curve[r.Ticker] = r
		}
		for _, m := range b.SectorRule.Scopes[sc].Members {
			c := curve[m.Ticker]
			if v, ok := m.WhatIf.Get(); ok && c.Layer(sc).Or(-1) != v || m.NotAdjusted != c.NotAdjusted {
				t.Errorf("%s %v: curve %v (not adjusted %v), member %v (not adjusted %v)", m.Ticker, sc, c.Layer(sc), c.NotAdjusted, m.WhatIf, m.NotAdjusted)
			}
		}
	}
	if p, bp := b.SectorRule.Scopes[econ.ScopePower].Median.Or(0), base.SectorRule.Scopes[econ.ScopePower].Median.Or(0); !(p > bp) {
		t.Errorf("power median %v at $0.06/kWh, %v at the miners' own prices: it did not rise", p, bp)
	}
}

// The rolling correlations are computed when first read (only the charts
// view draws them), equal RollingCorr of the row's closes and BTC, and a
// History that adds nothing to a peer shares the Env's instead of holding
// a copy.
func TestCorr30IsComputedOnFirstReadAndShared(t *testing.T) {
	ds := testEnv().Dataset
	env := NewEnv(ds, dataset.DefaultPeers())
	for p, c := range env.corr30 {
		if c != nil && c.pts != nil {
			t.Fatalf("%s: NewEnv computed the correlation before anything read it", p)
		}
	}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	h := NewHistory(env, map[string][]Point{"IREN": {{d("2026-08-03"), 41}}}, Network{})
	if h.corr30["CORZ"] != env.corr30["CORZ"] {
		t.Error("CORZ has no stored closes: the History should share the Env's correlation")
	}
	if h.corr30["IREN"] == env.corr30["IREN"] {
		t.Error("IREN has a stored close: its correlation is the merged closes', not the Env's")
	}
	now := fixedNow
	st := &market.State{Version: 1, Mode: market.ModeLive, Values: map[market.Metric]market.Value{},
		Quotes: map[string]market.QuoteValue{"IREN": {Quote: market.Quote{Symbol: "IREN", Price: 40, PrevClose: 50, At: now, Source: "yahoo"}}}}
	data := BuildWith(env, h, st, now, econ.Scenario{})
	for _, r := range data.Peers {
		if r.corr30 != nil && r.corr30.pts != nil {
			t.Fatalf("%s: Build computed the correlation before anything read it", r.Ticker)
		}
	}
	for _, r := range data.Peers {
		want := RollingCorr(r.Closes, data.BTC.Points, CorrWindow, CorrMinPairs)
		got := r.Corr30()
		if len(got) != len(want) {
			t.Fatalf("%s: %d points, want %d", r.Ticker, len(got), len(want))
		}
		for i := range got {
			if !got[i].T.Equal(want[i].T) || !(got[i].V == want[i].V || math.IsNaN(got[i].V) && math.IsNaN(want[i].V)) {
				t.Fatalf("%s: point %d is %+v, want %+v", r.Ticker, i, got[i], want[i])
			}
		}
		// IREN's live close comes months after its last stored one: that
		// change is no daily return, and no correlation is dated that day.
		if r.Ticker == "IREN" && (len(got) == 0 || got[len(got)-1].T.After(d("2026-08-03"))) {
			t.Errorf("IREN's correlation reaches across the gap to the live close: %v", got[len(got)-1])
		}
		if r.corr30 != nil && (r.corr30.a != nil || r.corr30.b != nil) {
			t.Errorf("%s: the correlation keeps its inputs after computing", r.Ticker)
		}
	}
}

// Shared keeps one board per state and history until DropShared, after
// which it builds a new one (and keeps that).
func TestDropSharedForgetsTheBoard(t *testing.T) {
	env := NewEnv(testEnv().Dataset, dataset.DefaultPeers())
	st := &market.State{Version: 1, Mode: market.ModeLive, Values: map[market.Metric]market.Value{}}
	a := env.Shared(nil, st, fixedNow)
	if env.Shared(nil, st, fixedNow) != a {
		t.Fatal("Shared built the same state's board twice")
	}
	env.DropShared()
	if env.shared.d != nil {
		t.Error("DropShared kept the board")
	}
	b := env.Shared(nil, st, fixedNow)
	if b == a {
		t.Error("after DropShared, Shared returned the dropped board")
	}
	if env.Shared(nil, st, fixedNow) != b {
		t.Error("after DropShared, Shared does not keep the new board")
	}
}

// The sector medians the charts draw are the rule's own up to the board's
// day: the step in force that day has the board's medians and n at every
// scope, however long after the embedded hashprice ends (live, a year
// later, the rule's window had dropped every figure while the charts
// still drew the 2025-12-29 step's $27 and $18).
func TestMedianStepsRunToTheBoardsDay(t *testing.T) {
	env := NewEnv(testEnv().Dataset, dataset.DefaultPeers())
	for _, day := range []string{"2025-12-29", "2026-02-15", "2026-05-01", "2026-11-25", "2027-06-30"} {
		now, _ := time.Parse(time.DateOnly, day)
		now = now.Add(12 * time.Hour)
		// Live: a polled height dates the rule today.
		live := &market.State{Version: 1, Mode: market.ModeLive, Values: map[market.Metric]market.Value{
			market.Height:     {V: 930_000, At: now, Source: "mempool.space"},
			market.Difficulty: {V: 1.5e14, At: now, Source: "mempool.space"},
			market.PriceUSD:   {V: 90_000, At: now, Source: "coinbase"},
		}}
		d := BuildWith(env, nil, live, now, econ.Scenario{})
		if d.Mode != ModeLive {
			t.Fatalf("%s: board mode %v, want live", day, d.Mode)
		}
		st, ok := econ.StepAt(d.MedianSteps, econ.DateOf(now))
		if !ok {
			t.Fatalf("%s: no step in force", day)
		}
		for _, s := range econ.Scopes() {
			sc := d.Board.SectorRule.Scopes[s]
			if st.Medians[s] != sc.Median || st.N[s] != sc.N {
				t.Errorf("%s %s: the step in force says %v (n %d), the board's rule %v (n %d)", day, s, st.Medians[s], st.N[s], sc.Median, sc.N)
			}
		}
	}
}

// The record low is the lowest of the published record lows, the published
// day levels and the daily series up to the data's date; a period's
// average is not a low, and nothing dated later counts.
func TestRecordLowCountsDayLevelsNotAverages(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	ref := func(kind dataset.RefKind, label string, from, to time.Time, v float64) dataset.ReferencePoint {
		return dataset.ReferencePoint{Kind: kind, Name: label, Period: dataset.Period{Label: label, From: from, To: to},
			USDPerPHDay: econ.Known(econ.USDPerPHDay(v))}
	}
	series := Series{Points: []Point{{day("2025-04-08"), 40.08}, {day("2025-06-29"), 58}}}
	refs := []dataset.ReferencePoint{
		ref(dataset.RefHashpriceLow, "record", day("2024-07-04"), day("2024-07-04"), 44.84),
		ref(dataset.RefHashprice, "level", day("2024-09-16"), day("2024-09-16"), 39.87),
		ref(dataset.RefHashprice, "average", day("2025-03-01"), day("2025-03-31"), 30),
		ref(dataset.RefHashpriceLow, "later record", day("2025-11-22"), day("2025-11-22"), 35.06),
	}
	got, ok := recordLow(refs, series, econ.Known(econ.USDPerPHDay(58)), day("2025-06-30"))
	if !ok || got.Name != "level" {
		t.Errorf("record low %q %v, want the 2024-09-16 level of $39.87", got.Name, got.USDPerPHDay)
	}
	got, _ = recordLow(refs, series, econ.Known(econ.USDPerPHDay(58)), day("2025-12-01"))
	if got.Name != "later record" {
		t.Errorf("after 2025-11-22: %q, want the later record", got.Name)
	}
}

// A change across a gap in the closes is no daily return: neither
// correlation pairs it, and the rolling one dates no point after the gap
// until a daily return comes (found in review: a correlation drawn on the
// day of a live quote that followed three months without closes).
func TestCorrelationSkipsGaps(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var a, b []Point
	for i := range 90 {
		day := start.AddDate(0, 0, i)
		a = append(a, Point{day, 100 + float64(i%7) + float64(i%3)})
		b = append(b, Point{day, 50 + float64(i%5)})
	}
	gapDay := start.AddDate(0, 0, 200)
	b = append(b, Point{gapDay, 80})
	within := RollingCorr(a, b, CorrWindow, CorrMinPairs)
	across := RollingCorr(append(slices.Clip(a), Point{gapDay, 400}), b, CorrWindow, CorrMinPairs)
	if len(across) != len(within) || across[len(across)-1] != within[len(within)-1] {
		t.Errorf("rolling: %d points ending %v, want the %d ending %v", len(across), across[len(across)-1], len(within), within[len(within)-1])
	}
	// The 90-day figure of a series whose last close follows a gap is
	// unknown: its returns are all of before the gap.
	if before := Correlation(a, b, 90, 60); !before.OK() {
		t.Error("90-day: unknown without the gap")
	}
	if after := Correlation(append(slices.Clip(a), Point{gapDay, 400}), b, 90, 60); after.OK() {
		t.Errorf("90-day: %v with a last close after the gap, want unknown", after)
	}
}
