package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

func TestCostsGolden(t *testing.T) {
	goldenView(t, ViewCosts, UI{Range: Range1Y}, econ.Scenario{})
}

// Issue 12: the cost curve sorted by cost at one scope, each bar in its
// layers' glyphs, the hashprice marker, who is under water and the
// hashprice at which each next miner goes under; a miner lacking a layer
// or a recent quarter says so.
func TestCostsCurve(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	frame := ansi.Strip(Render(d, UI{View: ViewCosts}, 160, 48, detMonoTheme(t)))
	for _, want := range []string{
		"Cost curve  direct scope", "┃", "▓", "no power", "no recent line items",
		"next under water: at $31.79 MARA, at $28.75 HIVE", "♦ TheMinerMag 2025-Q3 cash $44.00 pub 2025-11-14~", "AI/HPC pivot",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("costs view lacks %q:\n%s", want, frame)
		}
	}
	// Sorted by cost: CLSK, WULF, HIVE, MARA before those without a figure.
	order := []int{strings.Index(frame, "CLSK   2025-Q2"), strings.Index(frame, "WULF   2025-Q2"), strings.Index(frame, "HIVE   2025-Q3"), strings.Index(frame, "MARA   2025-Q3"), strings.Index(frame, "APLD   —")}
	for i := 1; i < len(order); i++ {
		if order[i-1] < 0 || order[i] < order[i-1] {
			t.Errorf("rows out of cost order: %v", order)
			break
		}
	}
}

// c cycles the scope, s the sort, enter opens the selected miner.
func TestCostsKeys(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	ui := UI{View: ViewCosts}
	if costScope(d, ui) != econ.ScopeDirect {
		t.Fatalf("default scope %v, want direct (the widest with a computed figure)", costScope(d, ui))
	}
	ui = costsKey(ui, d, "c")
	if costScope(d, ui) != econ.ScopeCash {
		t.Errorf("c: scope %v, want cash", costScope(d, ui))
	}
	for range econ.NumScopes {
		ui = costsKey(ui, d, "c")
	}
	if costScope(d, ui) != econ.ScopeCash {
		t.Errorf("four more c: scope %v, want cash again", costScope(d, ui))
	}
	ui = UI{View: ViewCosts}
	ui = costsKey(ui, d, "s") // by hashrate
	if rows := costRows(d, ui); rows[0].Ticker != "MARA" || rows[1].Ticker != "IREN" {
		t.Errorf("by hashrate: %s, %s first; want MARA (47.6 EH/s), IREN (45.2)", rows[0].Ticker, rows[1].Ticker)
	}
	ui = costsKey(ui, d, "down")
	ui = costsKey(ui, d, "enter")
	if ui.View != ViewDetail || ui.Detail != "IREN" {
		t.Errorf("enter on the second row: view %v, detail %q", ui.View, ui.Detail)
	}
}

func BenchmarkCosts160x48(b *testing.B) { benchmarkView(b, ViewCosts, 160, 48) }
func BenchmarkCosts250x70(b *testing.B) { benchmarkView(b, ViewCosts, 250, 70) }

// The under-water count is each row's own flag: unknown ("—", muted) while
// the hashprice is unknown, muted at 0, red only when some miner is under.
func TestCostsUnderWaterCount(t *testing.T) {
	th, err := themes.Get("dark", false)
	if err != nil {
		t.Fatal(err)
	}
	cost := func(v float64) econ.Maybe[econ.USDPerPHDay] { return econ.Known(econ.USDPerPHDay(v)) }
	rows := []econ.CurveRow{
		{Ticker: "AAA", UnderBelow: cost(50), UnderWater: econ.FlagYes},
		{Ticker: "BBB", UnderBelow: cost(30), UnderWater: econ.FlagNo},
		{Ticker: "CCC"},
	}
	if got := ansi.Strip(nextUnderWater(rows, true, th)); !strings.HasPrefix(got, "1 under water · next under water: at $30.00 BBB") {
		t.Errorf("known hashprice: %q", got)
	}
	if got := nextUnderWater(rows, true, th); !strings.HasPrefix(got, th.Negative.Render("1 under water")) {
		t.Errorf("one under water is not red: %q", got)
	}
	unknown := []econ.CurveRow{{Ticker: "AAA", UnderBelow: cost(50)}, {Ticker: "BBB", UnderBelow: cost(30)}}
	if got := ansi.Strip(nextUnderWater(unknown, false, th)); !strings.HasPrefix(got, "— under water · next under water: at $50.00 AAA, at $30.00 BBB") {
		t.Errorf("unknown hashprice must not count 0: %q", got)
	}
	// No row with a figure at this scope: unknown, not an all-clear "0"
	// (found in review: cash and all-in said "0 under water").
	nobody := []econ.CurveRow{{Ticker: "AAA"}, {Ticker: "BBB"}}
	if got := ansi.Strip(nextUnderWater(nobody, true, th)); !strings.HasPrefix(got, "— under water") {
		t.Errorf("no figure at all must not count 0: %q", got)
	}
	none := []econ.CurveRow{{Ticker: "BBB", UnderBelow: cost(30), UnderWater: econ.FlagNo}}
	if got := nextUnderWater(none, true, th); !strings.HasPrefix(got, th.Muted.Render("0 under water")) {
		t.Errorf("a count of 0 is painted as an alarm: %q", got)
	}
}

// The pivot's share is the quarter's own (econ.OwnShare): a self-mining
// revenue well above total revenue is an inconsistency, shown unknown,
// never "150%".
func TestCostsPivotShareIsEconsShare(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	tk := d.Miners[0].Ticker
	m := d.Miners[0]
	qs := econ.QuartersAsOf(m.Quarters, d.Board.SectorRule.AsOf)
	if len(qs) == 0 {
		t.Fatalf("%s has no quarter", tk)
	}
	q := qs[len(qs)-1]
	bad := q
	bad.RevenueTotal.Value, bad.RevenueMining.Value = econ.Known[econ.USD](100e6), econ.Known[econ.USD](150e6)
	m.Quarters = []econ.Quarter{bad}
	d.Miners[0] = m
	out := ansi.Strip(strings.Join(costPivot(d, 160, 40, detMonoTheme(t)), "\n"))
	if strings.Contains(out, "150%") {
		t.Errorf("pivot shows a share above 100%%:\n%s", out)
	}
}

// Every sort `s` reaches orders the rows differently from the cost order
// on the offline board: a sort that changes nothing (margin against one
// hashprice was the cost order) is not offered.
func TestCostsEverySortChangesTheOrder(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	tickers := func(ui UI) string {
		var b strings.Builder
		for _, r := range costRows(d, ui) {
			b.WriteString(r.Ticker + " ")
		}
		return b.String()
	}
	byCost := tickers(UI{View: ViewCosts})
	for s := costSortCost + 1; s < numCostSorts; s++ {
		if got := tickers(UI{View: ViewCosts, CostSort: s}); got == byCost {
			t.Errorf("sort by %s gives the cost order: %s", costSortNames[s], got)
		}
	}
}

// The costs view keeps its own selection: its rows are in cost order, the
// peers table's in its sort, so sharing one index moved the peers cursor
// to another miner.
func TestCostsSelectionIsItsOwn(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	ui := UI{View: ViewCosts, Selected: 3}
	ui = costsKey(ui, d, "down")
	ui = costsKey(ui, d, "down")
	if ui.Selected != 3 || ui.CostSelected != 2 {
		t.Errorf("after two downs in costs: peers row %d (want 3 kept), costs row %d (want 2)", ui.Selected, ui.CostSelected)
	}
}

// The pivot's columns are calendar quarters, the same for every miner: a
// miner that filed fewer quarters has blanks, not its shares moved into
// other quarters' columns (HIVE's Q2'25 and Q3'25 were drawn under CORZ's
// Q1'25 and Q2'25), and the rows are ordered by the newest quarter's
// share, unknown last.
func TestCostsPivotColumnsAreQuarters(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	out := costPivot(d, 160, 40, detMonoTheme(t))
	head := ansi.Strip(out[1])
	cols := strings.Fields(head)
	if len(cols) != 4 || cols[3] != "Q3'25" {
		t.Fatalf("header %q, want four quarters ending Q3'25", head)
	}
	byTicker := map[string]string{}
	var order []string
	for _, l := range out[2:] {
		l = ansi.Strip(l)
		f := strings.Fields(l)
		if len(f) > 0 {
			byTicker[f[0]] = l
			order = append(order, f[0])
		}
	}
	// Each miner's share sits under its own quarter's header.
	for _, m := range d.Miners {
		l, ok := byTicker[m.Ticker]
		if !ok {
			continue
		}
		for _, q := range econ.QuartersAsOf(m.Quarters, d.Board.SectorRule.AsOf) {
			share, known := econ.OwnShare(q).Value.Get()
			i := strings.Index(head, costBasis(econ.MinerCost{Period: q.Calendar}))
			if i < 0 || !known {
				continue
			}
			want := format.Num(share*100, 0) + "%"
			if got := strings.TrimSpace(ansi.Cut(l, i, i+5)); got != want { // cells, not bytes: "—" is three
				t.Errorf("%s %s: column shows %q, want %q\n%s\n%s", m.Ticker, q.Calendar, got, want, head, l)
			}
		}
	}
	if len(order) < 3 || order[0] != "CORZ" {
		t.Errorf("order %v: want the lowest Q3'25 mining share (CORZ 71%%) first", order)
	}
}

// With room to spare, what a row lacks is written whole: the bars give
// way (found in review: "no direct: no mining …" at 200 columns, and "no
// recent l…" at 80).
func TestCostsReasonsAreWhole(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	for _, w := range []int{80, 120, 200} {
		frame := ansi.Strip(renderCosts(d, UI{View: ViewCosts}, w, 40, th))
		for _, want := range []string{"no recent line items", "no power"} {
			if !strings.Contains(frame, want) {
				t.Errorf("%d columns: no %q", w, want)
			}
		}
		if w >= 120 && !strings.Contains(frame, "no direct: no mining-cost line item") {
			t.Errorf("%d columns: IREN's reason is cut:\n%s", w, frame)
		}
	}
}

// At the power scope, a miner whose quarter has no power-cost line item
// but its own power figure is not said to have reported none (found in
// review: MARA's 2025-Q3 read "no power cost reported" while the miner
// view showed its own $39,235/BTC, grade A).
func TestCostsPowerReasonKeepsOwnFigure(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	rows := costRows(d, UI{View: ViewCosts, CostScope: econ.ScopePower, CostScopeSet: true})
	want := map[string]string{
		"MARA": "own figure reported, not used; no power-cost line item or J/TH to model it",
		"WULF": "own figure reported, not used; no power-cost line item or J/TH and power price to model it",
		"HIVE": "no power-cost line item or J/TH and power price to model it",
	}
	for _, r := range rows {
		if w, ok := want[r.Ticker]; ok {
			if got := r.Missing[econ.ScopePower]; got != w {
				t.Errorf("%s %s power: %q, want %q", r.Ticker, r.Quarter, got, w)
			}
			delete(want, r.Ticker)
		}
	}
	for tk := range want {
		t.Errorf("%s: no row", tk)
	}
	th, _ := themes.Get("dark", false)
	frame := ansi.Strip(renderCosts(d, UI{View: ViewCosts, CostScope: econ.ScopePower, CostScopeSet: true}, 200, 40, th))
	if strings.Contains(frame, "reported, and") || !strings.Contains(frame, "no power: no power-cost line item") {
		t.Errorf("power scope at 200 columns:\n%s", frame)
	}
}

// A list cut to the width ends at an item, never inside a ticker (found
// in the second review: "at $23.67 WU…" at 80 columns).
func TestWholeItems(t *testing.T) {
	s := " 0 under water · next under water: at $31.79 MARA, at $28.75 HIVE, at $23.67 WULF"
	for w := 40; w <= 90; w++ {
		got := wholeItems(s, w)
		if cellWidth(got) > w {
			t.Fatalf("%d: %q is wider", w, got)
		}
		if got != s && !strings.HasSuffix(got, ", …") && w >= 52 {
			t.Errorf("%d: %q does not end at an item", w, got)
		}
	}
	if got := wholeItems(s, 200); got != s {
		t.Errorf("a list that fits was changed: %q", got)
	}
}

// A miner with no recent line items but a published figure (Peers' rep)
// is not said to have nothing: CIFR and RIOT read "no recent line items"
// while Peers showed their published costs (third review).
func TestCostsNoLineItemsNamesAPublishedFigure(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	for _, w := range []int{80, 200} {
		out := ansi.Strip(renderCosts(d, UI{View: ViewCosts, CostScope: econ.ScopePower, CostScopeSet: true}, w, 40, th))
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "CIFR") && strings.Contains(l, "┃") && !strings.Contains(l, "published cost") { // its cost curve row
				t.Errorf("%d columns: %q", w, l)
			}
		}
	}
}
