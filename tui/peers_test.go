package tui

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

func peersData(t testing.TB) *board.Data {
	t.Helper()
	return board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
}

func monoTheme(t testing.TB) themes.Theme {
	t.Helper()
	th, err := themes.Get("dark", true)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// orderTickers returns the tickers in ui's display order.
func orderTickers(d *board.Data, ui UI) []string {
	var out []string
	for _, i := range peerOrder(d, ui) {
		out = append(out, d.Peers[i].Ticker)
	}
	return out
}

func TestPeersGolden(t *testing.T) {
	goldenView(t, ViewPeers, UI{SortCol: colMargin, SortDesc: true, Selected: 2}, econ.Scenario{})
	// The configured order (the zero UI) as first seen, at the smallest size.
	d := peersData(t)
	frame := Render(d, UI{View: ViewPeers}, 80, 24, monoTheme(t))
	checkFrame(t, frame, 80, 24)
	checkGolden(t, "peers-config-80x24-mono.golden", ansi.Strip(frame))
}

func TestPeerOrderConfigured(t *testing.T) {
	d := peersData(t)
	env := testEnv()
	if got := orderTickers(d, UI{}); !slices.Equal(got, env.Peers) {
		t.Errorf("zero UI order %v, want the configured %v", got, env.Peers)
	}
	rev := slices.Clone(env.Peers)
	slices.Reverse(rev)
	if got := orderTickers(d, UI{SortDesc: true}); !slices.Equal(got, rev) {
		t.Errorf("reversed configured order %v", got)
	}
}

// checkSorted asserts the known keys of column col come first, in order,
// and the unknown ones after them in configured order.
func checkSorted(t *testing.T, d *board.Data, col int, desc bool) {
	t.Helper()
	order := peerOrder(d, UI{SortCol: col, SortDesc: desc})
	if len(order) != len(d.Peers) {
		t.Fatalf("order has %d rows for %d peers", len(order), len(d.Peers))
	}
	seenUnknown, prev, lastUnknown := false, 0.0, -1
	known, group := 0, -1
	for i, pi := range order {
		v, _, ok := peerSortKey(&d.Peers[pi], col)
		if g := peerSortGroup(&d.Peers[pi], col); ok && g != group {
			// A new group (a cost column's scope): in order, and the values
			// start again.
			if g < group {
				t.Errorf("col %d desc %v: %s's group %d after group %d", col, desc, d.Peers[pi].Ticker, g, group)
			}
			group, known = g, 0
		}
		if !ok {
			if seenUnknown && pi < lastUnknown {
				t.Errorf("col %d desc %v: unknown rows out of configured order at %d", col, desc, i)
			}
			seenUnknown, lastUnknown = true, pi
			continue
		}
		known++
		if seenUnknown {
			t.Errorf("col %d desc %v: %s (known) after an unknown row", col, desc, d.Peers[pi].Ticker)
		}
		if i > 0 && known > 1 && (desc && v > prev || !desc && v < prev) {
			t.Errorf("col %d desc %v: %s %v out of order after %v", col, desc, d.Peers[pi].Ticker, v, prev)
		}
		prev = v
	}
	if known == 0 || !seenUnknown {
		t.Fatalf("col %d: the test data should have known and unknown values (%d known)", col, known)
	}
}

func TestPeerOrderByMargin(t *testing.T) {
	d := peersData(t)
	checkSorted(t, d, colMargin, true)
	checkSorted(t, d, colMargin, false)
	got := orderTickers(d, UI{SortCol: colMargin, SortDesc: true})
	// The offline board, each miner at its widest scope: margins are ranked
	// within a scope, the widest first in either direction (found in
	// review: a power-only margin ranked above direct and cash ones), and
	// the four miners without any cost follow in configured order.
	want := []string{"KEEL", "RIOT", "CLSK", "WULF", "HIVE", "MARA", "CIFR", "IREN", "CORZ", "HUT", "BTDR", "APLD"}
	if !slices.Equal(got, want) {
		t.Errorf("by margin ▼: %v, want %v", got, want)
	}
	up := orderTickers(d, UI{SortCol: colMargin})
	wantUp := []string{"KEEL", "MARA", "HIVE", "WULF", "CLSK", "RIOT", "IREN", "CIFR", "CORZ", "HUT", "BTDR", "APLD"}
	if !slices.Equal(up, wantUp) {
		t.Errorf("by margin ▲: %v, want %v", up, wantUp)
	}
}

func TestPeerOrderByPrice(t *testing.T) {
	d := peersData(t)
	checkSorted(t, d, colPrice, true)
	checkSorted(t, d, colPrice, false)
	down := orderTickers(d, UI{SortCol: colPrice, SortDesc: true})
	up := orderTickers(d, UI{SortCol: colPrice})
	if down[0] != "HUT" || down[len(down)-1] != "APLD" {
		t.Errorf("by price ▼: %v", down)
	}
	if up[0] != "KEEL" || up[len(up)-1] != "APLD" {
		t.Errorf("by price ▲: %v (APLD has no price and must be last)", up)
	}
}

func TestPeerOrderEveryColumn(t *testing.T) {
	d := peersData(t)
	for col := range numPeerCols {
		for _, desc := range []bool{false, true} {
			order := peerOrder(d, UI{SortCol: col, SortDesc: desc})
			s := slices.Clone(order)
			slices.Sort(s)
			for i := range s {
				if s[i] != i {
					t.Fatalf("col %d: order %v is not a permutation", col, order)
				}
			}
		}
	}
	if got := orderTickers(d, UI{SortCol: colTicker}); !slices.IsSorted(got) {
		t.Errorf("by ticker: %v", got)
	}
}

func TestPeersKeysMoveAndClamp(t *testing.T) {
	d := peersData(t)
	n := len(d.Peers)
	ui := UI{View: ViewPeers}
	ui = peersKey(ui, d, "up")
	if ui.Selected != 0 {
		t.Errorf("up at the top: %d", ui.Selected)
	}
	for range n + 5 {
		ui = peersKey(ui, d, "j")
	}
	if ui.Selected != n-1 {
		t.Errorf("down past the end: %d, want %d", ui.Selected, n-1)
	}
	ui = peersKey(ui, d, "k")
	if ui.Selected != n-2 {
		t.Errorf("k: %d", ui.Selected)
	}
	ui.Selected = 99 // e.g. the peer list shrank
	if ui = peersKey(ui, d, "up"); ui.Selected != n-2 {
		t.Errorf("up from out of range: %d", ui.Selected)
	}
	if got := peersKey(UI{}, &board.Data{}, "down"); got.Selected != 0 {
		t.Errorf("down with no peers: %d", got.Selected)
	}
}

func TestPeersKeysSort(t *testing.T) {
	d := peersData(t)
	ui := UI{View: ViewPeers, Selected: 1} // CORZ in configured order
	ui = peersKey(ui, d, "s")
	if ui.SortCol != colTicker || ui.SortDesc {
		t.Fatalf("s from the configured order: col %d desc %v", ui.SortCol, ui.SortDesc)
	}
	if selectedTicker(d, ui) != "CORZ" {
		t.Errorf("sorting lost the selection: %s", selectedTicker(d, ui))
	}
	ui = peersKey(ui, d, "s")
	if ui.SortCol != colPrice || !ui.SortDesc {
		t.Errorf("s again: col %d desc %v, want price ▼", ui.SortCol, ui.SortDesc)
	}
	ui = peersKey(ui, d, "r")
	if ui.SortDesc || selectedTicker(d, ui) != "CORZ" {
		t.Errorf("r: desc %v selected %s", ui.SortDesc, selectedTicker(d, ui))
	}
	ui = peersKey(ui, d, "S")
	ui = peersKey(ui, d, "S")
	if ui.SortCol != sortConfig {
		t.Errorf("S twice from price: col %d", ui.SortCol)
	}
	if ui = peersKey(ui, d, "S"); ui.SortCol != numPeerCols-1 {
		t.Errorf("S wraps to the last column: %d", ui.SortCol)
	}
	if ui = peersKey(ui, d, "s"); ui.SortCol != sortConfig {
		t.Errorf("s wraps to the configured order: %d", ui.SortCol)
	}
	if selectedTicker(d, ui) != "CORZ" {
		t.Errorf("the selection wandered: %s", selectedTicker(d, ui))
	}
}

func TestPeersEnterOpensDetail(t *testing.T) {
	d := peersData(t)
	ui := peersKey(UI{View: ViewPeers, SortCol: colMargin, SortDesc: true}, d, "enter")
	if ui.View != ViewDetail || ui.Detail != "KEEL" { // the first row: the widest scope's best margin
		t.Errorf("enter on the first row by margin: view %v detail %q", ui.View, ui.Detail)
	}
	ui = peersKey(UI{View: ViewPeers, Selected: 3}, d, "enter")
	if ui.Detail != d.Peers[3].Ticker {
		t.Errorf("enter on row 3: %q", ui.Detail)
	}
	if ui := peersKey(UI{View: ViewPeers}, &board.Data{}, "enter"); ui.View != ViewPeers {
		t.Error("enter with no peers left the view")
	}
}

// headerX returns the cell where a header name starts in the body's first line.
func headerX(t *testing.T, body, name string) int {
	t.Helper()
	hdr := ansi.Strip(strings.SplitN(body, "\n", 2)[0])
	i := strings.Index(hdr, name)
	if i < 0 {
		t.Fatalf("no %q in header %q", name, hdr)
	}
	return ansi.StringWidth(hdr[:i])
}

func TestPeersClick(t *testing.T) {
	d := peersData(t)
	th := monoTheme(t)
	ui := UI{View: ViewPeers, Selected: 2}
	body := renderPeers(d, ui, 250, 70, th)

	x := headerX(t, body, "Price $")
	ui = peersClickIn(ui, d, x+2, 0, 1000)
	if ui.SortCol != colPrice || !ui.SortDesc {
		t.Fatalf("click on the price header: col %d desc %v", ui.SortCol, ui.SortDesc)
	}
	if selectedTicker(d, ui) != d.Peers[2].Ticker {
		t.Errorf("sorting by click lost the selection")
	}
	if ui = peersClickIn(ui, d, x, 0, 1000); ui.SortCol != colPrice || ui.SortDesc {
		t.Errorf("second click should reverse: col %d desc %v", ui.SortCol, ui.SortDesc)
	}
	// The hashrate's label sorts with the hashrate; so does its header at 250.
	body = renderPeers(d, ui, 250, 70, th)
	if ui2 := peersClickIn(ui, d, headerX(t, body, "Hashrate"), 0, 1000); ui2.SortCol != colHash {
		t.Errorf("click on hashrate: col %d", ui2.SortCol)
	}
	if ui2 := peersClickIn(ui, d, headerX(t, body, "BTC corr"), 0, 1000); ui2.SortCol != colCorr {
		t.Errorf("click on corr: col %d", ui2.SortCol)
	}
	// A click in a gap does nothing.
	if ui2 := peersClickIn(ui, d, 0, 0, 1000); ui2 != ui {
		t.Errorf("click in the margin changed %+v", ui2)
	}

	// Rows: line 1 is the first row.
	ui = peersClickIn(ui, d, 5, 4, 1000)
	if ui.Selected != 3 {
		t.Errorf("click on line 4 selected %d", ui.Selected)
	}
	lines := strings.Split(ansi.Strip(renderPeers(d, ui, 120, 40, th)), "\n")
	if !strings.HasPrefix(lines[4], "›") {
		t.Errorf("the clicked row is not marked: %q", lines[4])
	}
	// Below the last row (the footer) nothing changes.
	if ui2 := peersClickIn(ui, d, 5, len(d.Peers)+2, 1000); ui2.Selected != 3 {
		t.Errorf("click under the table selected %d", ui2.Selected)
	}
}

// TestPeersColumnsKeepTheirPlace checks what peersClick relies on: a
// column is at the same x at every width, or absent.
func TestPeersColumnsKeepTheirPlace(t *testing.T) {
	d := peersData(t)
	for _, ui := range []UI{{}, {SortCol: colMargin, SortDesc: true}, {SortCol: colCorr}} {
		full := newPeerTable(d, ui, peerOrder(d, ui))
		cols := full.layout(1 << 20)
		wantX := slices.Clone(full.x)
		if len(cols) != len(peerDisplay) {
			t.Errorf("unbounded width shows %d of %d columns", len(cols), len(peerDisplay))
		}
		for w := MinWidth; w <= 260; w++ {
			got := full.layout(w)
			for i := range got {
				if got[i] != cols[i] || full.x[i] != wantX[i] {
					t.Fatalf("at %d cells column %d is at %d, want column %d at %d", w, got[i], full.x[i], cols[i], wantX[i])
				}
				if full.x[i]+full.w[i] > w {
					t.Fatalf("at %d cells column %d ends at %d", w, got[i], full.x[i]+full.w[i])
				}
			}
		}
	}
}

func TestPeersColumnsByWidth(t *testing.T) {
	d := peersData(t)
	th := monoTheme(t)
	ui := UI{View: ViewPeers}
	header := func(w int) string {
		return ansi.Strip(strings.SplitN(renderPeers(d, ui, w, 40, th), "\n", 2)[0])
	}
	h80 := header(80)
	for _, want := range []string{"Ticker", "Price $", "Day %", "Cost $/PH/d", "Scope", "Margin $/PH/d", "AI MW"} {
		if !strings.Contains(h80, want) {
			t.Errorf("80 columns lack %q: %q", want, h80)
		}
	}
	for _, not := range []string{"1M %", "Mkt cap", "Hashrate", "corr", "counterparty"} {
		if strings.Contains(h80, not) {
			t.Errorf("80 columns show %q: %q", not, h80)
		}
	}
	out := ansi.Strip(renderPeers(d, ui, 250, 70, th))
	for _, c := range peerColumns[1:] {
		if !strings.Contains(out, c.Name) {
			t.Errorf("250 columns lack %q", c.Name)
		}
	}
	for _, p := range d.Peers {
		if p.AICounterparty != "" && !strings.Contains(out, p.AICounterparty) {
			t.Errorf("250 columns cut %s's counterparties %q", p.Ticker, p.AICounterparty)
		}
	}
	// What the rows say at 250: IREN's headline cost and its scope, margin
	// with arrow and sign, its counterparties, a price marked as not live.
	var iren string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, " IREN") || strings.HasPrefix(l, "›IREN") {
			iren = l
		}
	}
	for _, want := range []string{"$36.80*", "$18.25 power", "▲ +$18.91", "Microsoft, NVIDIA", "44.0 avg op", "$12.3B"} {
		if !strings.Contains(iren, want) {
			t.Errorf("IREN row lacks %q: %q", want, iren)
		}
	}
	// A row whose cost is a published figure says so ("rep"): the footer's
	// count is the sector rule's, which does not use it (found in review:
	// five direct rows above "0 of 4 miners with a recent direct cost").
	for _, l := range strings.Split(out, "\n") {
		rep := strings.Contains(l, " rep ")
		switch {
		case strings.Contains(l, "RIOT") && !strings.Contains(l, "direct Q3'25 rep"),
			strings.Contains(l, "IREN") && rep, strings.Contains(l, "MARA") && rep:
			t.Errorf("basis marks wrong: %q", l)
		}
	}
	for _, want := range []string{"not a live quote: close of 2026-07-31", "KEEL close of 2025-12-17",
		"0 of 4 miners with a recent direct cost under water", "rep rows", "stock comp"} {
		if !strings.Contains(out, want) {
			t.Errorf("footer lacks %q", want)
		}
	}
}

// TestPeersEveryWidth draws the table at every width from 80 to 260 cells
// (where columns come and go) in sorts that change column widths, and in
// every sort at the usual sizes, and checks the body's size.
func TestPeersEveryWidth(t *testing.T) {
	d := peersData(t)
	th, _ := themes.Get("dark", false)
	check := func(col, w, h int) {
		t.Helper()
		ui := UI{View: ViewPeers, SortCol: col, SortDesc: col%2 == 0, Selected: col % len(d.Peers)}
		checkFrame(t, renderPeers(d, ui, w, h, th), w, h)
		if t.Failed() {
			t.Fatalf("col %d at %d×%d", col, w, h)
		}
	}
	for _, col := range []int{sortConfig, colAIParty, colCorr} {
		for w := MinWidth; w <= 260; w++ {
			check(col, w, []int{MinHeight - 2, 12, 68}[w%3])
		}
	}
	for col := range numPeerCols {
		for _, sz := range [][2]int{{80, 22}, {120, 38}, {160, 46}, {200, 58}, {250, 68}} {
			check(col, sz[0], sz[1])
		}
	}
}

// manyPeers returns d with n rows (the configured ones repeated under new tickers).
func manyPeers(d *board.Data, n int) *board.Data {
	d2 := *d
	d2.Peers = make([]board.PeerRow, n)
	for i := range d2.Peers {
		d2.Peers[i] = d.Peers[i%len(d.Peers)]
		d2.Peers[i].Ticker = "P" + strconv.Itoa(100+i)
	}
	return &d2
}

func TestPeersScrollKeepsSelectionVisible(t *testing.T) {
	th := monoTheme(t)
	base := peersData(t)
	for _, d := range []*board.Data{base, manyPeers(base, 40)} {
		n := len(d.Peers)
		ui := UI{View: ViewPeers}
		for range n {
			ui = peersKey(ui, d, "down")
		}
		if ui.Selected != n-1 {
			t.Fatalf("selected %d of %d", ui.Selected, n)
		}
		frame := Render(d, ui, 80, 24, th)
		checkFrame(t, frame, 80, 24)
		last := d.Peers[peerOrder(d, ui)[n-1]].Ticker
		if !strings.Contains(ansi.Strip(frame), "›"+last) {
			t.Errorf("%d rows: the selected last row %s is not on screen:\n%s", n, last, ansi.Strip(frame))
		}
		// Back to the top: the first row shows again, and so does the header.
		for range n {
			ui = peersKey(ui, d, "k")
		}
		frame = ansi.Strip(Render(d, ui, 80, 24, th))
		if !strings.Contains(frame, "›"+d.Peers[0].Ticker) || !strings.Contains(frame, "Ticker") {
			t.Errorf("%d rows: the first row or the header is missing:\n%s", n, frame)
		}
	}
	// A click on a scrolled table selects the row drawn there.
	d := manyPeers(base, 40)
	ui := UI{View: ViewPeers, Selected: 39}
	body := strings.Split(ansi.Strip(renderPeers(d, ui, 80, 22, th)), "\n")
	ui = peersClickIn(ui, d, 3, 5, 22)
	if !strings.HasPrefix(body[5], " "+d.Peers[ui.Selected].Ticker) {
		t.Errorf("click on line 5 %q selected %s", body[5], d.Peers[ui.Selected].Ticker)
	}
}

func TestPeersNoPeers(t *testing.T) {
	d := peersData(t)
	d2 := *d
	d2.Peers = nil
	out := renderPeers(&d2, UI{}, 80, 22, monoTheme(t))
	checkFrame(t, out, 80, 22)
	if !strings.Contains(out, "no miners configured") {
		t.Errorf("empty table says %q", ansi.Strip(out))
	}
	if ui := peersClickIn(UI{}, &d2, 3, 0, 22); ui != (UI{}) {
		t.Errorf("click with no peers: %+v", ui)
	}
}

func TestPeersFormat(t *testing.T) {
	for v, want := range map[float64]string{3.2e9: "$3.2B", 748.39e6: "$748M", 12.28e9: "$12.3B", 1.5e12: "$1.5T", 999: "$999", 12_300: "$12.3K", -2.5e9: "-$2.5B", 999.96e6: "$1.0B", 99.96e9: "$100B", 99.94e9: "$99.9B", math.Inf(1): "—"} {
		if got := format.CompactUSD(v); got != want {
			t.Errorf("CompactUSD(%v) = %q, want %q", v, got, want)
		}
	}
	for in, want := range map[string]string{"avg operating": "avg op", "self mining": "self", "mining capacity": "capacity", "self mining target": "self tgt", "energized": "enrg"} {
		if got := abbrevLabel(in); got != want {
			t.Errorf("abbrevLabel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := marginString(-3.187); got != "▼ -$3.19" {
		t.Errorf("negative margin %q", got)
	}
	if got := marginString(0.001); got != "$0.00" {
		t.Errorf("zero margin %q: no arrow for what prints as zero", got)
	}
}

func benchmarkPeers(b *testing.B, w, h int) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	ui := UI{View: ViewPeers, SortCol: colMargin, SortDesc: true, Selected: 3}
	b.ReportAllocs()
	for b.Loop() {
		if s := renderPeers(d, ui, w, h, th); len(s) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkPeers160x48(b *testing.B) { benchmarkPeers(b, 160, 48) }
func BenchmarkPeers250x70(b *testing.B) { benchmarkPeers(b, 250, 70) }

func TestPeersScrollSaysWhichRows(t *testing.T) {
	d := manyPeers(peersData(t), 40)
	out := ansi.Strip(renderPeers(d, UI{Selected: 39}, 80, 22, monoTheme(t)))
	if hdr := strings.SplitN(out, "\n", 2)[0]; !strings.HasSuffix(hdr, "20–40 of 40") {
		t.Errorf("scrolled header %q should say which rows show", hdr)
	}
	out = ansi.Strip(renderPeers(peersData(t), UI{}, 80, 22, monoTheme(t)))
	if strings.Contains(out, " of 12") {
		t.Errorf("a table that fits should not count its rows:\n%s", out)
	}
}

// Issue 14 row 14: at 80×24, s sorted by columns the width hides with no
// mark; the table now says which column it is sorted by.
func TestPeersSortByHiddenColumnIsNamed(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th := detMonoTheme(t)
	ui := UI{View: ViewPeers, SortCol: colPerBTC, SortDesc: true}
	narrow := ansi.Strip(Render(d, ui, 80, 24, th))
	if !strings.Contains(narrow, "sorted by $/BTC now ▼ (hidden at this width)") {
		t.Errorf("80×24 does not name the hidden sort column:\n%s", narrow)
	}
	if wide := ansi.Strip(Render(d, ui, 200, 60, th)); strings.Contains(wide, "hidden at this width") || !strings.Contains(wide, "$/BTC now ▼") {
		t.Errorf("200×60 should mark the visible column instead:\n%s", wide)
	}
}

// A margin from a cost whose period is outside the quarters the sector
// rule counts (live today, the embedded costs are of 2025) is no current
// margin: the peers table shows it muted and "old", with no ▲ or ▼, and
// the scenario's miners table names the cost's age instead of a water
// state. On the embedded board (as of 2025-12-29) the same costs are
// recent and keep their arrows.
func TestOldCostsAreNotCurrentMargins(t *testing.T) {
	now := fixedNow
	st := &market.State{Version: 3, Mode: market.ModeLive, Values: map[market.Metric]market.Value{
		market.PriceUSD:     {V: 97_000, At: now, Source: "kraken"},
		market.Difficulty:   {V: 146e12, At: now, Source: "mempool.space"},
		market.Height:       {V: 960_000, At: now, Source: "mempool.space"},
		market.FeesPerBlock: {V: 0.025, At: now, Source: "mempool.space"},
	}, Live: map[string]string{"price": "kraken"}}
	live := board.Build(testEnv(), st, now, econ.Scenario{})
	if live.Board.SectorRule.AsOf != econ.DateOf(now) {
		t.Fatalf("live board as of %v, want %v", live.Board.SectorRule.AsOf, econ.DateOf(now))
	}
	th := detMonoTheme(t)
	row := func(d *board.Data, ticker string) string {
		for _, l := range strings.Split(ansi.Strip(renderPeers(d, UI{}, 200, 40, th)), "\n") {
			if f := strings.Fields(strings.TrimLeft(l, "›")); len(f) > 0 && f[0] == ticker {
				return l
			}
		}
		t.Fatalf("no %s row", ticker)
		return ""
	}
	if l := row(live, "IREN"); !strings.Contains(l, " old") || strings.ContainsAny(l, "▲▼") {
		t.Errorf("live, IREN's 2025 cost: %q, want a muted old margin without arrows", l)
	}
	if l := row(board.Build(testEnv(), nil, now, econ.Scenario{}), "IREN"); strings.Contains(l, " old") || !strings.Contains(l, "▲") {
		t.Errorf("embedded board, IREN's recent cost: %q, want ▲ and no old", l)
	}
	stack := ansi.Strip(detCosts(live, &live.Peers[0], 120, 12, detPaletteOf(th)))
	if !strings.Contains(stack, " old") || strings.ContainsAny(stack, "▲▼") {
		t.Errorf("miner view's cost stack, live with 2025 costs:\n%s", stack)
	}
	scen := ansi.Strip(scenMinersTable(live, 120, 20, detPaletteOf(th)))
	if strings.Contains(scen, "above water") || strings.Contains(scen, "under water") || !strings.Contains(scen, "old cost, ") {
		t.Errorf("scenario miners, live with 2025 costs:\n%s", scen)
	}
}

// On a board whose hashprice is stale (the embedded network, 11 months
// before the test clock), the footer says the margins are stale at every
// width, before the note on published figures.
func TestPeersFooterSaysMarginsAreStale(t *testing.T) {
	d := peersData(t)
	if !d.Computed.Stale {
		t.Fatal("the test board's hashprice is not stale")
	}
	th, _ := themes.Get("dark", false)
	for _, w := range []int{80, 100, 120, 160, 200} {
		f, _ := peerFooter(d, w, th)
		if got := ansi.Strip(f[3]); !strings.Contains(got, "STALE") {
			t.Errorf("%d columns: %q", w, got)
		}
	}
}

// Within a scope, current costs sort before old ones (found in the final
// review: an old margin was ranked against current ones).
func TestPeerSortGroupsByScopeAndDate(t *testing.T) {
	row := func(s econ.Scope, old bool) *board.PeerRow {
		r := &board.PeerRow{}
		r.Miner.HasCost, r.Miner.Headline = true, s
		r.Miner.Costs[s] = econ.MinerCost{PerPHDay: econ.Known[econ.USDPerPHDay](20), OutsideWindow: old}
		return r
	}
	order := []*board.PeerRow{row(econ.ScopeCash, false), row(econ.ScopeCash, true), row(econ.ScopeDirect, false), row(econ.ScopeDirect, true), row(econ.ScopePower, false)}
	for i := 1; i < len(order); i++ {
		if a, b := peerSortGroup(order[i-1], colMargin), peerSortGroup(order[i], colMargin); a >= b {
			t.Errorf("group %d (%d) not before group %d (%d)", i-1, a, i, b)
		}
	}
	if peerSortGroup(order[1], colPrice) != 0 {
		t.Error("price sorts in groups")
	}
}

// The note on prices that are not live fits 80 columns with a stale live
// quote beside old closes (found live: "… stale quote, 14d2h o…").
func TestPeersNotLiveNoteFits80(t *testing.T) {
	d := peersData(t)
	for i := range d.Peers {
		r := &d.Peers[i]
		switch {
		case i < 3:
			r.Price = board.Sourced{V: r.Price.V, OK: true, At: d.Now.AddDate(0, 0, -14), Layer: board.LayerLive, Stale: true}
		case r.Ticker == "KEEL": // one close date for the rest: two groups
			r.Price.At = d.Peers[4].Price.At
		}
	}
	th, _ := themes.Get("dark", false)
	got := ansi.Strip(peerNotLiveNote(d, 80, th))
	if cellWidth(got) > 80 || !strings.Contains(got, "IREN, CORZ, WULF quote of ") {
		t.Errorf("%d cells: %q", cellWidth(got), got)
	}
	// With a third group (KEEL's older close), every ticker is still named
	// at 80 columns, its label cut to "…" rather than dropped.
	for i := range d.Peers {
		if d.Peers[i].Ticker == "KEEL" {
			d.Peers[i].Price.At = d.Peers[i].Price.At.AddDate(0, -7, 0)
		}
	}
	// ... and with its date: "· KEEL …" read as if KEEL's close were the
	// first group's (second review).
	var keel string
	for i := range d.Peers {
		if d.Peers[i].Ticker == "KEEL" {
			keel = d.Peers[i].Price.At.Format(time.DateOnly)
		}
	}
	if got := ansi.Strip(peerNotLiveNote(d, 80, th)); cellWidth(got) > 80 || !strings.Contains(got, "KEEL "+keel) || !strings.Contains(got, "IREN, CORZ, WULF "+d.Now.AddDate(0, 0, -14).Format(time.DateOnly)) {
		t.Errorf("three groups at 80: %d cells: %q", cellWidth(got), got)
	}
}
