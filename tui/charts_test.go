package tui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

func TestChartsGolden(t *testing.T) {
	goldenView(t, ViewCharts, UI{Range: Range1Y, ChartCursor: 2}, econ.Scenario{})
}

// TestChartsGolden3M is the 3-month range at 120×40, in colour and mono.
func TestChartsGolden3M(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	ui := UI{View: ViewCharts, Range: Range3M}
	for _, mono := range []bool{false, true} {
		th, err := themes.Get("dark", mono)
		if err != nil {
			t.Fatal(err)
		}
		frame := Render(d, ui, 120, 40, th)
		checkFrame(t, frame, 120, 40)
		kind := "ansi"
		if mono {
			kind, frame = "mono", ansi.Strip(frame)
		}
		checkGolden(t, "charts-3m-120x40-"+kind+".golden", frame)
	}
}

func chartsDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// daily returns one point per day from from to to (inclusive), skipping
// weekends when trading is set, with value f(day index).
func daily(from, to string, trading bool, f func(i int) float64) []board.Point {
	var pts []board.Point
	for t, i := chartsDay(from), 0; !t.After(chartsDay(to)); t, i = t.AddDate(0, 0, 1), i+1 {
		if trading && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday) {
			continue
		}
		pts = append(pts, board.Point{T: t, V: f(i)})
	}
	return pts
}

// TestChartsAlignByTime: a peer with a gap, or that ended early, does not
// shift the other series; each value is the series' own value of that day.
func TestChartsAlignByTime(t *testing.T) {
	price := func(i int) float64 { return 100 + float64(i) }
	full := daily("2026-05-01", "2026-07-31", true, price)
	// GAP misses 2026-06-08..2026-06-19 (two trading weeks); ENDED stops on 2026-07-10.
	var gap []board.Point
	for _, p := range full {
		if p.T.Before(chartsDay("2026-06-08")) || p.T.After(chartsDay("2026-06-19")) {
			gap = append(gap, p)
		}
	}
	ended := board.Window(full, time.Time{})
	for len(ended) > 0 && ended[len(ended)-1].T.After(chartsDay("2026-07-10")) {
		ended = ended[:len(ended)-1]
	}
	btc := daily("2026-01-01", "2026-08-21", false, func(i int) float64 { return 60_000 + 10*float64(i) })
	mk := func(peers ...board.PeerRow) *board.Data {
		return &board.Data{Now: fixedNow, Peers: peers, BTC: board.Series{Name: "BTC", Points: btc}}
	}
	frame := func(r Range, peers ...board.PeerRow) *chartsFrame {
		d := mk(peers...)
		f := newChartsFrame(d, UI{Range: r})
		f.choosePeers(d, chartMaxPeers)
		return f
	}
	alone := frame(Range1M, board.PeerRow{Ticker: "FULL", Closes: full})
	withPeers := []board.PeerRow{{Ticker: "GAP", Closes: gap}, {Ticker: "ENDED", Closes: ended}, {Ticker: "FULL", Closes: full}}
	with := frame(Range1M, withPeers...)
	if got, want := with.grid[len(with.grid)-1], chartsDay("2026-07-31"); !got.Equal(want) {
		t.Fatalf("grid ends %v, want the latest close %v", got, want)
	}
	if len(with.grid) != len(alone.grid) || !with.grid[0].Equal(chartsDay("2026-07-01")) {
		t.Fatalf("grid %v…, %d days", with.grid[0], len(with.grid))
	}
	at := func(f *chartsFrame, peer int, s string) float64 {
		for gi, g := range f.grid {
			if g.Equal(chartsDay(s)) {
				return f.peers[peer].col[gi]
			}
		}
		t.Fatalf("%s not on the grid", s)
		return 0
	}
	closeOn := func(pts []board.Point, s string) float64 {
		v := math.NaN()
		for _, p := range pts {
			if !p.T.After(chartsDay(s)) {
				v = p.V
			}
		}
		return v
	}
	for gi := range with.grid {
		a, b := alone.peers[0].col[gi], with.peers[2].col[gi]
		if a != b {
			t.Errorf("FULL on %s is %v next to the other peers, %v alone", with.grid[gi].Format(time.DateOnly), b, a)
		}
	}
	// Weekends carry Friday's close; every value is that day's own close.
	for _, s := range []string{"2026-07-03", "2026-07-04", "2026-07-05", "2026-07-06", "2026-07-31"} {
		if got, want := at(with, 2, s), closeOn(full, s); got != want {
			t.Errorf("FULL on %s = %v, want %v", s, got, want)
		}
	}
	// ENDED: drawn up to 5 days after its last close, then a gap.
	if got, want := at(with, 1, "2026-07-13"), closeOn(ended, "2026-07-10"); got != want {
		t.Errorf("ENDED on the Monday after its last close = %v, want Friday's %v", got, want)
	}
	for _, s := range []string{"2026-07-16", "2026-07-20", "2026-07-31"} {
		if v := at(with, 1, s); !math.IsNaN(v) {
			t.Errorf("ENDED is drawn on %s (%v) after it ended", s, v)
		}
	}
	// The notes say so.
	notes := strings.Join(seriesNotes(mk(withPeers...), with, chartsLayout{}), " · ")
	if !strings.Contains(notes, "ENDED ends 2026-07-10") || !strings.Contains(notes, "hashprice has no data") {
		t.Errorf("notes %q", notes)
	}
	// GAP over three months: NaN inside its gap, its own closes around it,
	// and a note saying so.
	g3peers := []board.PeerRow{{Ticker: "GAP", Closes: gap}, {Ticker: "FULL", Closes: full}}
	g3 := frame(Range3M, g3peers...)
	if notes := strings.Join(seriesNotes(mk(g3peers...), g3, chartsLayout{}), " · "); !strings.Contains(notes, "GAP has no data 2026-06-11 → 2026-06-21") {
		t.Errorf("notes %q", notes)
	}
	if v := at(g3, 0, "2026-06-17"); !math.IsNaN(v) {
		t.Errorf("GAP is drawn inside its gap: %v", v)
	}
	for _, s := range []string{"2026-06-05", "2026-06-22", "2026-07-31"} {
		if got, want := at(g3, 0, s), closeOn(gap, s); got != want {
			t.Errorf("GAP on %s = %v, want %v", s, got, want)
		}
		if got, want := at(g3, 1, s), closeOn(full, s); got != want {
			t.Errorf("FULL next to GAP on %s = %v, want %v", s, got, want)
		}
	}
}

func TestChartsHiddenPeersLeaveLegend(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	legend := func(ui UI) (string, string) {
		out := ansi.Strip(renderCharts(d, ui, 200, 58, th))
		var l1, strip string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, rebasedUnit) {
				l1 = l
			}
			if strings.HasPrefix(l, "Peers") {
				strip = l
			}
		}
		return l1, strip
	}
	ui := UI{View: ViewCharts, Range: Range1Y}
	l1, _ := legend(ui)
	if !strings.Contains(l1, "━ IREN") || !strings.Contains(l1, "━ BTC") || !strings.Contains(l1, "━ hashprice") {
		t.Fatalf("legend %q", l1)
	}
	ui = chartsKey(ui, d, "space") // hide IREN (the cursor starts on peer 0)
	if ui.ChartHidden != 1 {
		t.Fatalf("space hid %b", ui.ChartHidden)
	}
	l1, strip := legend(ui)
	if strings.Contains(l1, "IREN") {
		t.Errorf("hidden IREN is still in the legend %q", l1)
	}
	if !strings.Contains(strip, "[×IREN]") {
		t.Errorf("the strip does not mark IREN hidden under the cursor: %q", strip)
	}
	// Its place goes to the next peer that did not fit.
	if !strings.Contains(l1, "━ CIFR") {
		t.Errorf("CIFR should take IREN's place: %q", l1)
	}
	ui = chartsKey(ui, d, "a")
	if l1, _ := legend(ui); !strings.Contains(l1, "━ IREN") {
		t.Errorf("a did not show IREN again: %q", l1)
	}
	// Every peer hidden: BTC and hashprice remain, the correlation chart says why it is empty.
	ui.ChartHidden = 1<<len(d.Peers) - 1
	out := ansi.Strip(renderCharts(d, ui, 200, 58, th))
	if l1, _ := legend(ui); strings.Count(l1, "━") != 2 {
		t.Errorf("legend with every peer hidden %q", l1)
	}
	if !strings.Contains(out, "no visible peer") {
		t.Errorf("no explanation for the empty correlation chart:\n%s", out)
	}
}

// TestChartsLegendFits80: at 80 columns the legend is not cut and says how
// many peers did not fit.
func TestChartsLegendFits80(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(Render(d, UI{View: ViewCharts, Range: Range1Y}, 80, 24, th))
	if !strings.Contains(out, "+5 more (space to toggle)") || !strings.Contains(out, "more charts") {
		t.Errorf("80×24 frame:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, rebasedUnit) {
			if strings.Contains(l, "…") || !strings.Contains(l, "━ hashprice") {
				t.Errorf("legend cut: %q", l)
			}
			if n := strings.Count(l, "━"); n != chartMaxPeers+2 {
				t.Errorf("%d series in the legend, want %d: %q", n, chartMaxPeers+2, l)
			}
		}
	}
}

func TestChartsRebasedStartAt100(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	for _, r := range []Range{Range1M, Range1Y, Range3Y, RangeAll} {
		f := newChartsFrame(d, UI{Range: r})
		f.choosePeers(d, chartMaxPeers)
		cols := map[string][]float64{"BTC": f.btc, "hashprice": f.hp}
		for _, i := range f.drawn {
			cols[d.Peers[i].Ticker] = f.peers[i].col
		}
		for name, col := range cols {
			rb := board.Rebase(col)
			for gi, v := range col {
				if math.IsNaN(v) {
					if !math.IsNaN(rb[gi]) {
						t.Errorf("%s %s: rebased value %v on a day without data", r, name, rb[gi])
					}
					continue
				}
				if rb[gi] != 100 {
					t.Errorf("%s %s starts at %v on %s, not 100", r, name, rb[gi], f.grid[gi].Format(time.DateOnly))
				}
				break
			}
		}
	}
	// Over 3 years hashprice starts on its own first day (2024-12-12), at 100.
	f := newChartsFrame(d, UI{Range: Range3Y})
	rb := board.Rebase(f.hp)
	for gi, v := range rb {
		if !math.IsNaN(v) {
			if got := f.grid[gi].Format(time.DateOnly); got != "2024-12-12" || v != 100 {
				t.Errorf("hashprice first drawn on %s at %v", got, v)
			}
			break
		}
	}
}

func TestChartsCorrelation(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	var iren []board.Point
	for _, p := range d.Peers {
		if p.Ticker == "IREN" {
			iren = p.Closes
		}
	}
	// The one-pass rolling correlation equals Correlation taken window by window.
	var slow []board.Point
	for i := board.CorrWindow; i < len(iren); i++ {
		if c, ok := board.Correlation(iren[:i+1], d.BTC.Points, board.CorrWindow, board.CorrMinPairs).Get(); ok {
			slow = append(slow, board.Point{T: iren[i].T, V: c})
		}
	}
	fast := board.RollingCorr(iren, d.BTC.Points, board.CorrWindow, board.CorrMinPairs)
	if len(slow) < 500 {
		t.Fatalf("only %d rolling correlations of IREN", len(slow))
	}
	byDay := make(map[time.Time]float64, len(fast))
	for _, p := range fast {
		byDay[p.T] = p.V
	}
	for _, p := range slow {
		v, ok := byDay[p.T]
		if !ok || math.Abs(v-p.V) > 1e-9 {
			t.Fatalf("on %s: %v (have %v), want %v", p.T.Format(time.DateOnly), v, ok, p.V)
		}
	}
	// Every drawn value lies in −1…+1, and the axis runs from +1 to −1.
	f := newChartsFrame(d, UI{Range: RangeAll})
	f.choosePeers(d, chartMaxPeers)
	f.correlate(d)
	for k, c := range f.corr {
		if !anyKnown(c) {
			t.Errorf("no correlation for %s", d.Peers[f.drawn[k]].Ticker)
		}
		for _, v := range c {
			if v < -1 || v > 1 {
				t.Fatalf("correlation %v", v)
			}
		}
	}
	th, _ := themes.Get("dark", true)
	for _, h := range []int{20, 21} {
		out := ansi.Strip(corrChart(f, d, 100, h, th))
		lines := strings.Split(out, "\n")
		if !strings.HasPrefix(strings.TrimSpace(lines[1]), "+1.00┼") {
			t.Errorf("h=%d: top of the axis %q", h, lines[1])
		}
		var last, axis string
		for _, l := range lines {
			if strings.Contains(l, "┤") || strings.Contains(l, "┼") {
				last = l
			}
			if strings.Contains(l, "2023-01-03") {
				axis = l
			}
		}
		if !strings.HasPrefix(strings.TrimSpace(last), "-1.00┤") {
			t.Errorf("h=%d: bottom of the axis %q", h, last)
		}
		if axis == "" {
			t.Errorf("h=%d: the date axis is missing:\n%s", h, out)
		}
	}
}

func TestChartsKeys(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	n := len(d.Peers)
	ui := UI{View: ViewCharts}
	press := func(keys ...string) {
		for _, k := range keys {
			ui = chartsKey(ui, d, k)
		}
	}
	press("left")
	if ui.ChartCursor != n-1 {
		t.Errorf("left from the first peer: %d, want %d", ui.ChartCursor, n-1)
	}
	press("right")
	if ui.ChartCursor != 0 {
		t.Errorf("right from the last peer: %d", ui.ChartCursor)
	}
	press("l", "l", "h")
	if ui.ChartCursor != 1 {
		t.Errorf("l l h: %d", ui.ChartCursor)
	}
	press("space")
	if ui.ChartHidden != 1<<1 {
		t.Errorf("space hid %b", ui.ChartHidden)
	}
	press("right", "right", "space")
	if ui.ChartHidden != 1<<1|1<<3 {
		t.Errorf("hidden %b", ui.ChartHidden)
	}
	press("space")
	if ui.ChartHidden != 1<<1 {
		t.Errorf("space again did not show the peer: %b", ui.ChartHidden)
	}
	press("a")
	if ui.ChartHidden != 0 {
		t.Errorf("a left %b hidden", ui.ChartHidden)
	}
	before := ui
	press("[", "]", "up", "down", "enter", "x")
	if ui != before {
		t.Errorf("keys that are not the view's changed %+v to %+v", before, ui)
	}
	// A cursor left out of range (fewer peers now) comes back in range.
	ui.ChartCursor = n + 3
	press("right")
	if ui.ChartCursor != 4 {
		t.Errorf("right from a stale cursor: %d", ui.ChartCursor)
	}
	if got := chartsKey(UI{ChartCursor: 2}, &board.Data{}, "right"); got.ChartCursor != 2 {
		t.Errorf("no peers: %+v", got)
	}
	if got := chartsKey(UI{}, nil, "space"); got.ChartHidden != 0 {
		t.Errorf("nil data: %+v", got)
	}
}

// TestChartsEverySize draws every range at many sizes, with peers hidden
// and not, in colour and mono: each frame fits exactly.
func TestChartsEverySize(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	sizes := [][2]int{{80, 24}, {80, 40}, {100, 30}, {119, 40}, {120, 39}, {120, 40}, {120, 60}, {159, 48}, {160, 48}, {200, 60}, {250, 70}}
	hidden := []uint64{0, 0b1010_1010_1010, 1<<12 - 1}
	for _, mono := range []bool{false, true} {
		th, _ := themes.Get("dark", mono)
		for r := Range(0); r < numRanges; r++ {
			for _, sz := range sizes {
				for _, hid := range hidden {
					ui := UI{View: ViewCharts, Range: r, ChartHidden: hid, ChartCursor: 11}
					checkFrame(t, Render(d, ui, sz[0], sz[1], th), sz[0], sz[1])
				}
			}
		}
	}
	// No data at all: the charts say so instead of failing.
	th, _ := themes.Get("dark", true)
	empty := &board.Data{Now: fixedNow, Peers: []board.PeerRow{{Ticker: "NONE"}}}
	for _, sz := range sizes {
		out := Render(empty, UI{View: ViewCharts, Range: Range1Y}, sz[0], sz[1], th)
		checkFrame(t, out, sz[0], sz[1])
		if !strings.Contains(ansi.Strip(out), "no data") {
			t.Errorf("%v: empty data frame:\n%s", sz, ansi.Strip(out))
		}
	}
}

func TestChartsNotesWrap(t *testing.T) {
	th, _ := themes.Get("dark", true)
	var notes []string
	for _, n := range []string{"AAAA", "BBBB", "CCCC", "DDDD", "EEEE", "FFFF", "GGGG", "HHHH", "IIII", "JJJJ"} {
		notes = append(notes, n+" ends 2026-07-10")
	}
	lines := wrapNotes(notes, 80, 2, th)
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), lines)
	}
	shown := 0
	for i, l := range lines {
		l = ansi.Strip(l)
		lines[i] = l
		if ansi.StringWidth(l) > 80 || strings.Contains(l, "…") {
			t.Errorf("line cut or too wide: %q", l)
		}
		shown += strings.Count(l, " ends ")
	}
	last := lines[1]
	want := " · +" + itoa(len(notes)-shown) + " more"
	if !strings.HasSuffix(last, want) {
		t.Errorf("last line %q does not end with %q", last, want)
	}
	if got := wrapNotes(notes[:2], 80, 2, th); len(got) != 1 || !strings.HasPrefix(ansi.Strip(got[0]), "Shorter series: AAAA ends") {
		t.Errorf("two short notes: %q", got)
	}
}

func benchmarkCharts(b *testing.B, w, h int, r Range) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	ui := UI{View: ViewCharts, Range: r}
	b.ReportAllocs()
	for b.Loop() {
		_ = renderCharts(d, ui, w, h-2, th)
	}
}

func BenchmarkCharts160x48(b *testing.B)    { benchmarkCharts(b, 160, 48, Range1Y) }
func BenchmarkCharts250x70(b *testing.B)    { benchmarkCharts(b, 250, 70, Range1Y) }
func BenchmarkCharts250x70All(b *testing.B) { benchmarkCharts(b, 250, 70, RangeAll) }

// BenchmarkChartsAlign is the frame's data work alone: the grid, BTC and
// hashprice aligned, six peers aligned and correlated with BTC.
func BenchmarkChartsAlign(b *testing.B) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	for _, r := range []Range{Range1Y, RangeAll} {
		b.Run(r.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f := newChartsFrame(d, UI{Range: r})
				f.choosePeers(d, chartMaxPeers)
				f.correlate(d)
			}
		})
	}
}

// renderCharts fits its body itself, trusting its charts and titles to be
// w cells wide as drawn: at every size, in every layout and range, each of
// its h lines is exactly w cells.
func TestChartsBodyIsFitted(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	for _, sz := range [][2]int{{80, 22}, {119, 38}, {120, 38}, {120, 58}, {159, 46}, {160, 46}, {200, 58}, {250, 68}, {161, 37}} {
		for _, r := range []Range{Range3M, Range1Y, RangeAll} {
			out := renderCharts(d, UI{View: ViewCharts, Range: r}, sz[0], sz[1], th)
			lines := strings.Split(out, "\n")
			if len(lines) != sz[1] {
				t.Errorf("%dx%d %s: %d lines, want %d", sz[0], sz[1], r, len(lines), sz[1])
			}
			for i, l := range lines {
				if got := ansi.StringWidth(l); got != sz[0] {
					t.Errorf("%dx%d %s: line %d is %d cells, want %d: %q", sz[0], sz[1], r, i+1, got, sz[0], ansi.Strip(l))
				}
			}
		}
	}
}
