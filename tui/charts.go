package tui

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// The charts view: over the range ui.Range, ending on the latest stock
// close, every series sampled on one daily grid (by time, never by index):
//
//  1. the visible peers, BTC and hashprice rebased to 100;
//  2. hashprice against the sector's median cost, with the published
//     reference points listed under it;
//  3. each drawn peer's rolling correlation of daily returns with BTC.
//
// Charts 1 and 3 draw the same peers in the same colours as the peer strip.

const (
	// chartGap is the oldest a point may be and still stand for a grid day:
	// a long weekend carries Friday's close, a series that ended shows a gap.
	chartGap = 5 * 24 * time.Hour
	// corrLookback is how far before the range the correlation reads
	// closes, so that it has a full window on the range's first day.
	corrLookback = 75 * 24 * time.Hour
	// chartMaxPeers is the most peers one chart draws: with BTC and
	// hashprice that is the theme's eight series colours, each used once.
	chartMaxPeers = 6
	// Colour slots (theme series index) of the non-peer lines.
	btcSlot       = 1
	hashpriceSlot = 7
	scaleSlot     = 7
)

// Chart units (the legend's first word) and legend names.
const (
	rebasedUnit = "start=100"
	corrUnit    = "ρ"
	scaleName   = "±1 scale"
)

// peerSlot is the theme colour of the k-th drawn peer: 0, 2, 3, 4, 5, 6
// (1 is BTC's and 7 hashprice's).
func peerSlot(k int) int {
	if k == 0 {
		return 0
	}
	return k + 1
}

// chartPeer is one peer's state in a frame.
type chartPeer struct {
	hidden bool
	// inRange is set when the peer is visible and has a value on the grid;
	// col is its closes aligned on the grid when it is drawn.
	col     []float64
	inRange bool
	// slot is the drawn peer's colour; -1 when the peer is not drawn.
	slot int
}

// chartsFrame is what the charts share: the grid and the aligned series.
type chartsFrame struct {
	grid  []time.Time
	peers []chartPeer
	// drawn are the indices (into d.Peers) of the peers drawn, in order;
	// more is how many visible peers with data did not fit.
	drawn []int
	more  int
	// btc and hp are BTC and hashprice aligned on the grid; corr[k] is the
	// k-th drawn peer's rolling correlation with BTC (when it is drawn).
	btc, hp []float64
	corr    [][]float64
}

// chartEnd is the last day of every chart: the latest stock close, or the
// latest BTC or hashprice day when there are no closes, never after now.
func chartEnd(d *board.Data) time.Time {
	var end time.Time
	for _, p := range d.Peers {
		if n := len(p.Closes); n > 0 && p.Closes[n-1].T.After(end) {
			end = p.Closes[n-1].T
		}
	}
	if end.IsZero() {
		for _, s := range []board.Series{d.BTC, d.Hashprice} {
			if n := len(s.Points); n > 0 && s.Points[n-1].T.After(end) {
				end = s.Points[n-1].T
			}
		}
	}
	if now := board.Day(d.Now); end.IsZero() || end.After(now) {
		end = now
	}
	return board.Day(end)
}

// chartStart is the first day of range r ending at end; for "all", the
// first day any visible series has.
func chartStart(d *board.Data, ui UI, end time.Time) time.Time {
	if ui.Range != RangeAll {
		return board.Day(ui.Range.Start(end))
	}
	start := end
	first := func(pts []board.Point) {
		if len(pts) > 0 && pts[0].T.Before(start) {
			start = pts[0].T
		}
	}
	for i, p := range d.Peers {
		if !peerHidden(ui, i) {
			first(p.Closes)
		}
	}
	first(d.BTC.Points)
	first(d.Hashprice.Points)
	return board.Day(start)
}

func peerHidden(ui UI, i int) bool { return i < 64 && ui.ChartHidden&(1<<uint(i)) != 0 }

// alignOne aligns one series on the grid, reading only the points that can
// stand for a grid day.
func alignOne(grid []time.Time, pts []board.Point) []float64 {
	return board.Align(grid, chartGap, board.Window(pts, grid[0].Add(-chartGap)))[0]
}

// newChartsFrame builds the grid and aligns BTC and hashprice on it, and
// finds the visible peers with data in the range. The drawn peers are
// chosen (and aligned) later, once the layout knows how many fit.
func newChartsFrame(d *board.Data, ui UI) *chartsFrame {
	end := chartEnd(d)
	f := &chartsFrame{grid: board.DayGrid(chartStart(d, ui, end), end), peers: make([]chartPeer, len(d.Peers))}
	if len(f.grid) == 0 {
		f.grid = []time.Time{end}
	}
	for i, p := range d.Peers {
		cp := chartPeer{hidden: peerHidden(ui, i), slot: -1}
		cp.inRange = !cp.hidden && hasDataIn(f.grid, p.Closes)
		f.peers[i] = cp
	}
	f.btc = alignOne(f.grid, d.BTC.Points)
	f.hp = alignOne(f.grid, d.Hashprice.Points)
	return f
}

// hasDataIn reports whether Align would give pts a value on some grid day:
// whether a point lies between chartGap before the first day and the last.
func hasDataIn(grid []time.Time, pts []board.Point) bool {
	w := board.Window(pts, grid[0].Add(-chartGap))
	return len(w) > 0 && !board.Day(w[0].T).After(grid[len(grid)-1])
}

// choosePeers draws the first k visible peers that have data in the range
// and aligns their closes on the grid.
func (f *chartsFrame) choosePeers(d *board.Data, k int) {
	for i := range f.peers {
		p := &f.peers[i]
		if p.hidden || !p.inRange {
			continue
		}
		if len(f.drawn) < k {
			p.slot = peerSlot(len(f.drawn))
			p.col = alignOne(f.grid, d.Peers[i].Closes)
			f.drawn = append(f.drawn, i)
		} else {
			f.more++
		}
	}
}

// legendWidth is the width of a Chart legend line with these names.
func legendWidth(unit string, names ...string) int {
	w := cellWidth(unit)
	for _, n := range names {
		w += 4 + cellWidth(n) // "  ━ name"
	}
	return w
}

// peersThatFit is how many of the candidate peers (in order) fit a legend
// of width w after the fixed names.
func peersThatFit(d *board.Data, f *chartsFrame, w int, unit string, fixed ...string) int {
	used := legendWidth(unit, fixed...)
	k := 0
	for i, p := range f.peers {
		if p.hidden || !p.inRange {
			continue
		}
		used += 4 + cellWidth(d.Peers[i].Ticker)
		if used > w || k == chartMaxPeers {
			break
		}
		k++
	}
	return k
}

// chartsLayout says which charts a size shows and how.
type chartsLayout struct {
	// corr and hashprice say whether charts 3 and 2 are shown; twoCol puts
	// charts 2 and 3 side by side under chart 1.
	corr, hashprice, twoCol bool
	// hint says where the charts not shown appear.
	hint string
}

// layoutFor picks the layout for a body of w×h cells. The thresholds are
// the terminal sizes the hints name less three lines (tab bar, status bar
// and an alert banner), so the hints hold with a banner too.
func layoutFor(w, h int) chartsLayout {
	switch {
	case w >= 160 && h >= 37:
		return chartsLayout{corr: true, hashprice: true, twoCol: true}
	case w >= 120 && h >= 57:
		return chartsLayout{corr: true, hashprice: true}
	case w >= 120 && h >= 37:
		return chartsLayout{corr: true, hint: "hashprice vs cost chart at ≥ 160×40 (or 120×60)"}
	}
	return chartsLayout{hint: "more charts (hashprice vs cost, correlation with BTC) at ≥ 120×40"}
}

// renderCharts draws the charts view fitted to exactly w×h: Render does
// not fit it again.
func renderCharts(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	f := newChartsFrame(d, ui)
	lay := layoutFor(w, h)
	corrW := w
	if lay.twoCol {
		corrW = w - 2 - (w-2)/2
	}
	k := peersThatFit(d, f, w, rebasedUnit, "BTC", "hashprice")
	if lay.corr {
		k = min(k, peersThatFit(d, f, corrW, corrUnit, scaleName))
	}
	f.choosePeers(d, k)
	if lay.corr {
		f.correlate(d)
	}

	header := chartsHeader(f, ui, w, th)
	strip := peerStrip(d, f, ui, w, th)
	notes := wrapNotes(seriesNotes(d, f, lay), w, 2, th)
	fixed := 2 + len(notes)
	if lay.hint != "" {
		fixed++
	}
	avail := max(h-fixed, 6)

	title1 := "Rebased to 100 at first day: peers, BTC, hashprice"
	if f.more > 0 {
		title1 += styled.render(&th, styleMuted, " · +"+format.Num(float64(f.more), 0)+" more ("+Keys.Charts.Toggle.Help().Key+" to toggle)")
	}
	// The body is fitted here, not by Render: the charts and titles are
	// w cells wide as drawn (Chart, chartTitle and sideBySide make them
	// so), and measuring their styled lines again took 6% of a frame.
	var lines []string
	var widths []int
	add := func(wide bool, blocks ...string) {
		for _, b := range blocks {
			for l := range strings.SplitSeq(b, "\n") {
				lines = append(lines, l)
				if wide {
					widths = append(widths, w)
				} else {
					widths = append(widths, -1)
				}
			}
		}
	}
	add(false, header, strip)
	switch {
	case !lay.corr:
		add(true, chartTitle(title1, w, th), rebasedChart(d, f, w, avail-1, th))
	case !lay.hashprice:
		h3 := corrHeight((avail - 2) / 2)
		h1 := avail - 2 - h3
		add(true,
			chartTitle(title1, w, th), rebasedChart(d, f, w, h1, th),
			chartTitle(corrTitle, w, th), corrChart(f, d, w, h3, th))
	case lay.twoCol:
		top := avail * 45 / 100
		bottom := avail - top
		lw, rw := (w-2)/2, w-2-(w-2)/2
		left := []string{hashpriceBlock(d, f, lw, bottom, th)}
		right := []string{chartTitle(corrTitle, rw, th), corrChart(f, d, rw, bottom-1, th)}
		add(true, chartTitle(title1, w, th), rebasedChart(d, f, w, top-1, th),
			sideBySide(left, right, lw, rw, 2))
	default:
		h1 := avail * 3 / 10
		h3 := corrHeight(avail*3/10-1) + 1
		h2 := avail - h1 - h3
		add(true,
			chartTitle(title1, w, th), rebasedChart(d, f, w, h1-1, th),
			hashpriceBlock(d, f, w, h2, th),
			chartTitle(corrTitle, w, th), corrChart(f, d, w, h3-1, th))
	}
	add(false, notes...)
	if lay.hint != "" {
		add(false, th.Muted.Render(ansi.Truncate(lay.hint, w, "…")))
	}
	return fitLines(lines, widths, w, h)
}

const corrTitle = "Correlation with BTC: rolling 30 daily returns"

// chartTitle is a title line of exactly w cells.
func chartTitle(s string, w int, th themes.Theme) string {
	return padRight(styled.render(&th, styleTitle, s), w)
}

// sideBySide joins two columns, each the lines of its blocks in order,
// whose lines are exactly lw and rw cells wide (as Chart and the blocks
// here draw them), with gap spaces between: the cheap form of columns,
// which measures every cell again. The columns come as blocks, not one
// string each, and the result is sized before it is written: a 250×70
// charts frame copied each chart's ~100 KB of styled text once more per
// concatenation.
func sideBySide(left, right []string, lw, rw, gap int) string {
	var l, r []string
	size := 0
	for _, b := range left {
		l = append(l, strings.Split(b, "\n")...)
		size += len(b) + 1
	}
	for _, b := range right {
		r = append(r, strings.Split(b, "\n")...)
		size += len(b) + 1
	}
	n := max(len(l), len(r))
	size += n*gap + (n-len(l))*lw + (n-len(r))*rw
	var b strings.Builder
	b.Grow(size)
	for i := range n {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(l) {
			b.WriteString(l[i])
		} else {
			writeSpaces(&b, lw)
		}
		writeSpaces(&b, gap)
		if i < len(r) {
			b.WriteString(r[i])
		} else {
			writeSpaces(&b, rw)
		}
	}
	return b.String()
}

// chartsHeader names the range and its days, and the strip's markers.
func chartsHeader(f *chartsFrame, ui UI, w int, th themes.Theme) string {
	first, last := f.grid[0], f.grid[len(f.grid)-1]
	left := styled.render(&th, styleTitle, "Range "+ui.Range.String()) + "  " + first.Format(time.DateOnly) + " → " + last.Format(time.DateOnly)
	key := styled.render(&th, styleMuted, "━ drawn  · no room  × hidden  — no data")
	if long := left + styled.render(&th, styleMuted, " (latest close)"); cellWidth(long)+2+cellWidth(key) <= w {
		left = long
	}
	if gap := w - cellWidth(left) - cellWidth(key); gap >= 2 {
		return left + strings.Repeat(" ", gap) + key
	}
	return left
}

// peerStrip is one line with every peer: its marker and ticker in its
// series colour when drawn, the cursor's peer bracketed and underlined.
func peerStrip(d *board.Data, f *chartsFrame, ui UI, w int, th themes.Theme) string {
	n := len(d.Peers)
	if n == 0 {
		return th.Muted.Render("no peers configured")
	}
	cur := ((ui.ChartCursor % n) + n) % n
	var b strings.Builder
	for i, p := range d.Peers {
		switch {
		case i == cur:
			b.WriteString(styled.render(&th, styleAccent, "["))
		case i == cur+1:
			b.WriteString(styled.render(&th, styleAccent, "]"))
		default:
			b.WriteByte(' ')
		}
		cp := f.peers[i]
		var tok string
		st := styleText
		switch {
		case cp.hidden:
			tok, st = "×"+p.Ticker, styleID{role: roleMuted, strikeout: true}
		case !cp.inRange:
			tok, st = "—"+p.Ticker, styleMuted
		case cp.slot >= 0:
			tok, st = "━"+p.Ticker, styleSeries(cp.slot)
		default:
			tok = "·" + p.Ticker
		}
		st.underline = i == cur
		b.WriteString(styled.render(&th, st, tok))
	}
	if cur == n-1 {
		b.WriteString(styled.render(&th, styleAccent, "]"))
	}
	s := b.String()
	if label := styled.render(&th, styleMuted, "Peers"); cellWidth(s)+cellWidth(label) <= w {
		s = label + s
	}
	return ansi.Truncate(s, w, "…")
}

// rebasedChart is chart 1: the drawn peers, BTC and hashprice, each
// rebased to 100 on its first day in the range.
func rebasedChart(d *board.Data, f *chartsFrame, w, h int, th themes.Theme) string {
	lines := make([]Line, 0, len(f.drawn)+2)
	for _, i := range f.drawn {
		lines = append(lines, Line{Name: d.Peers[i].Ticker, Values: board.Rebase(f.peers[i].col), Series: f.peers[i].slot})
	}
	lines = append(lines,
		Line{Name: "BTC", Values: board.Rebase(f.btc), Series: btcSlot},
		Line{Name: "hashprice", Values: board.Rebase(f.hp), Series: hashpriceSlot})
	return Chart(lines, f.grid, w, h, rebasedUnit, func(v float64, d int) string { return format.Num(v, d) }, th)
}

// correlate picks the drawn peers' rolling correlations with BTC (computed
// once per board, on the first frame that draws them: see PeerRow.Corr30) and aligns them on the grid.
func (f *chartsFrame) correlate(d *board.Data) {
	f.corr = make([][]float64, len(f.drawn))
	for k, i := range f.drawn {
		f.corr[k] = alignOne(f.grid, board.Window(d.Peers[i].Corr30(), f.grid[0]))
	}
}

func corrChart(f *chartsFrame, d *board.Data, w, h int, th themes.Theme) string {
	if len(f.drawn) == 0 {
		return fit(th.Muted.Render("no visible peer with closes in this range ("+Keys.Charts.ShowAll.Help().Key+" shows every peer)"), w, h)
	}
	lines := make([]Line, 0, len(f.drawn)+1)
	for k, i := range f.drawn {
		lines = append(lines, Line{Name: d.Peers[i].Ticker, Values: f.corr[k], Series: f.peers[i].slot})
	}
	lines = append(lines, Line{Name: scaleName, Values: scaleLine(len(f.grid)), Series: scaleSlot})
	// With −1…+1 and an odd plot height asciigraph rounds ±h/2 away from
	// zero and draws one row more than Chart leaves room for, pushing the
	// date axis out: give it an even plot height (h−3) instead.
	out := Chart(lines, f.grid, w, corrHeight(h), corrUnit, func(v float64, d int) string { return format.Signed(v, max(d, 2)) }, th)
	if corrHeight(h) < h {
		out += "\n" + strings.Repeat(" ", w)
	}
	return out
}

// corrHeight is the largest height up to h with an even plot height.
func corrHeight(h int) int {
	if h > 3 && (h-3)%2 != 0 {
		return h - 1
	}
	return h
}

// scaleLine pins a chart's y axis to −1…+1: +1 on the first grid day and
// −1 on the last, nothing between (Chart has no bounds option; the two
// points show as ticks in the plot's corners).
func scaleLine(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	if n > 1 {
		v[0], v[n-1] = 1, -1
	}
	return v
}

// hashpriceBlock is chart 2 with its title and the published reference
// points under it, in exactly w×h cells.
func hashpriceBlock(d *board.Data, f *chartsFrame, w, h int, th themes.Theme) string {
	title := "Hashprice vs sector median cost"
	hl := d.Board.SectorRule.Headline
	med := hl.Median
	if hl.Source != "" {
		title += styled.render(&th, styleMuted, " · "+headlineLabel(hl))
	}
	refs := chartRefs(d.References)
	nRefs := min(len(refs), max((h-1)/3, 2))
	listH := 0
	if nRefs > 0 {
		listH = nRefs + 1
	}
	chartH := h - 1 - listH
	if chartH < 5 {
		nRefs, chartH = 0, h-1
	}
	var chart string
	if !anyKnown(f.hp) {
		msg := "no hashprice history"
		if n := len(d.Hashprice.Points); n > 0 {
			msg = "no hashprice in this range: the embedded series (Coin Metrics) ends " +
				d.Hashprice.Points[n-1].T.Format(time.DateOnly) + " (] for a longer range)"
		}
		chart = fit(th.Muted.Render(ansi.Truncate(msg, w, "…")), w, chartH)
	} else {
		lines := []Line{{Name: "hashprice", Values: f.hp, Series: hashpriceSlot}}
		lines = append(lines, medianStepLines(d, f.grid)...)
		if !med.OK() {
			title += th.Muted.Render(" · median cost " + format.Unknown + " (" + hl.Why + ")")
		}
		chart = Chart(lines, f.grid, w, chartH, "USD/PH/day", func(v float64, d int) string { return "$" + format.Num(v, d) }, th)
	}
	if nRefs > 0 {
		return strings.Join([]string{chartTitle(title, w, th), chart, refList(refs, nRefs, f, w, th)}, "\n")
	}
	return chartTitle(title, w, th) + "\n" + chart
}

// chartRefs are the reference points with a value per PH/day (published or
// restated from a cost per BTC), newest first.
func chartRefs(all []dataset.ReferencePoint) []dataset.ReferencePoint {
	var out []dataset.ReferencePoint
	for _, r := range all {
		if r.USDPerPHDay.OK() || r.Restated.OK() {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b dataset.ReferencePoint) int { return b.Period.To.Compare(a.Period.To) })
	return out
}

// refList lists n reference points: period, value, what, and the source.
func refList(refs []dataset.ReferencePoint, n int, f *chartsFrame, w int, th themes.Theme) string {
	first, last := f.grid[0], f.grid[len(f.grid)-1]
	head := "Published reference points, USD/PH/day (• inside the chart's range)"
	if n < len(refs) {
		head += " · +" + format.Num(float64(len(refs)-n), 0) + " older"
	}
	lines := []string{padRight(styled.render(&th, styleHeader, head), w)}
	for _, r := range refs[:n] {
		mark := " "
		if !r.Period.To.Before(first) && !r.Period.From.After(last) {
			mark = "•"
		}
		var val, what string
		if v, ok := r.USDPerPHDay.Get(); ok {
			val = format.USD(float64(v), 2)
			if r.Approx {
				val = "~" + val
			}
			what = r.Name
		} else {
			val = format.USD(float64(r.Restated.Or(0)), 2)
			what = r.Name + ", restated from " + format.USD(float64(r.USDPerBTC.Or(0)), 0) + "/BTC"
			if r.Approx {
				what = r.Name + ", restated from ~" + format.USD(float64(r.USDPerBTC.Or(0)), 0) + "/BTC"
			}
		}
		if r.Scoped {
			what += " (" + r.Scope.String() + ")"
		}
		line := mark + " " + padRight(r.Period.Label, 10) + " " + padLeft(val, 7) + "  " + what + styled.render(&th, styleMuted, " — "+r.Source)
		lines = append(lines, padRight(line, w))
	}
	return strings.Join(lines, "\n")
}

// seriesNotes says which drawn series start after the range's first day,
// end before its last, miss more than chartGap inside it, or have no data.
func seriesNotes(d *board.Data, f *chartsFrame, lay chartsLayout) []string {
	first, last := f.grid[0], f.grid[len(f.grid)-1]
	var notes []string
	add := func(name string, pts []board.Point, col []float64) {
		if len(pts) == 0 {
			notes = append(notes, name+" has no data")
			return
		}
		s, e := board.Day(pts[0].T), board.Day(pts[len(pts)-1].T)
		late := s.Sub(first) > chartGap
		early := last.Sub(e) > chartGap
		switch {
		case e.Before(first):
			notes = append(notes, name+" ends "+e.Format(time.DateOnly)+", before the range")
			return
		case s.After(last):
			notes = append(notes, name+" starts "+s.Format(time.DateOnly)+", after the range")
			return
		case late && early:
			notes = append(notes, name+" only "+s.Format(time.DateOnly)+" → "+e.Format(time.DateOnly))
		case late:
			notes = append(notes, name+" starts "+s.Format(time.DateOnly))
		case early:
			notes = append(notes, name+" ends "+e.Format(time.DateOnly))
		}
		if from, to, ok := innerGap(col); ok {
			notes = append(notes, name+" has no data "+f.grid[from].Format(time.DateOnly)+" → "+f.grid[to].Format(time.DateOnly))
		}
	}
	for _, i := range f.drawn {
		add(d.Peers[i].Ticker, d.Peers[i].Closes, f.peers[i].col)
	}
	add("BTC", d.BTC.Points, f.btc)
	add("hashprice", d.Hashprice.Points, f.hp)
	// A correlation needs 20 returns with BTC before its first day.
	firstCorr := -1
	for _, c := range f.corr {
		for gi, v := range c {
			if !math.IsNaN(v) {
				if firstCorr < 0 || gi < firstCorr {
					firstCorr = gi
				}
				break
			}
		}
	}
	if firstCorr > 0 && f.grid[firstCorr].Sub(first) > chartGap {
		notes = append(notes, "correlation from "+f.grid[firstCorr].Format(time.DateOnly)+" ("+
			format.Num(board.CorrMinPairs, 0)+" returns with BTC)")
	}
	return notes
}

// innerGap finds the first run of unknown days between known ones in col.
func innerGap(col []float64) (from, to int, ok bool) {
	seen := false
	for i, v := range col {
		switch {
		case !math.IsNaN(v):
			if ok {
				return from, to, true
			}
			seen = true
		case seen:
			if !ok {
				from, ok = i, true
			}
			to = i
		}
	}
	return 0, 0, false
}

// wrapNotes joins notes with " · " into at most maxLines lines of width
// w; notes that do not fit are counted ("+2 more").
func wrapNotes(notes []string, w, maxLines int, th themes.Theme) []string {
	if len(notes) == 0 {
		return nil
	}
	lines, count := []string{"Shorter series: "}, []int{0}
	for i, n := range notes {
		last := len(lines) - 1
		sep := " · "
		if count[last] == 0 {
			sep = ""
		}
		if count[last] > 0 && cellWidth(lines[last]+sep+n) > w {
			if len(lines) < maxLines {
				lines, count = append(lines, "  "), append(count, 0)
				lines[last+1] += n
				count[last+1]++
				continue
			}
			// No line left: count the rest, dropping notes from this line
			// until the count fits.
			rest := len(notes) - i
			for {
				more := " · +" + format.Num(float64(rest), 0) + " more"
				if cellWidth(lines[last]+more) <= w || count[last] <= 1 {
					lines[last] += more
					break
				}
				lines[last] = lines[last][:strings.LastIndex(lines[last], " · ")]
				count[last]--
				rest++
			}
			break
		}
		lines[last] += sep + n
		count[last]++
	}
	for i, l := range lines {
		lines[i] = styled.render(&th, styleMuted, ansi.Truncate(l, w, "…"))
	}
	return lines
}

// chartsKey moves the peer cursor (wrapping), toggles the cursor's peer
// and shows every peer (Keys.Charts). Ranges are the model's.
func chartsKey(ui UI, d *board.Data, name string) UI {
	k, km := keyName(name), &Keys.Charts
	n := 0
	if d != nil {
		n = min(len(d.Peers), 64)
	}
	if n == 0 {
		return ui
	}
	cur := ((ui.ChartCursor % n) + n) % n
	switch {
	case key.Matches(k, km.Left):
		ui.ChartCursor = (cur + n - 1) % n
	case key.Matches(k, km.Right):
		ui.ChartCursor = (cur + 1) % n
	case key.Matches(k, km.Toggle):
		ui.ChartCursor = cur
		ui.ChartHidden ^= 1 << uint(cur)
	case key.Matches(k, km.ShowAll):
		ui.ChartHidden = 0
	}
	return ui
}

// plots keeps the charts drawn last (Chart), for every dashboard of the
// process: a frame drawn again for a key, a tick or another viewer of the
// same data takes its charts from here, and a chart is drawn again only
// when its series, range, size or theme change.
var plots = &plotCache{}

// plotCacheSize is how many charts plots keeps: the charts view's three and
// the overview's and miner view's one each, with room for a second size.
const plotCacheSize = 10

// plotKey identifies a chart by everything it is drawn from: 128 bits of a
// hash, so two charts drawn from different inputs do not share one.
type plotKey [2]uint64

// plotCache is a small least-recently-used set of drawn charts.
type plotCache struct {
	mu      sync.Mutex
	entries []plotEntry // most recently used last
}

type plotEntry struct {
	key  plotKey
	plot string
}

func (c *plotCache) get(k plotKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == k {
			c.entries = append(slices.Delete(c.entries, i, i+1), e)
			return e.plot, true
		}
	}
	return "", false
}

// clear empties the cache (DropCaches; benchmarks of a first frame).
func (c *plotCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}

func (c *plotCache) put(k plotKey, plot string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) == plotCacheSize {
		c.entries = slices.Delete(c.entries, 0, 1)
	}
	c.entries = append(c.entries, plotEntry{k, plot})
}

// plotKeyOf hashes a chart's inputs. The axis labels' formatter is told
// apart by what it makes of two probe values.
func plotKeyOf(lines []Line, grid []time.Time, w, h int, unit string, yfmt func(v float64, decimals int) string, th themes.Theme) plotKey {
	var p plotHasher
	p.str(unit)
	p.str(th.Name)
	p.str(yfmt(1234.5678, 0))
	p.str(yfmt(-0.01234, 2))
	p.u64(uint64(w))
	p.u64(uint64(h))
	p.u64(uint64(len(grid)))
	if n := len(grid); n > 0 {
		p.u64(uint64(grid[0].UnixNano()))
		p.u64(uint64(grid[n-1].UnixNano()))
	}
	for _, l := range lines {
		p.str(l.Name)
		p.u64(uint64(l.Series))
		p.u64(uint64(len(l.Values)))
		for _, v := range l.Values {
			p.u64(math.Float64bits(v))
		}
	}
	return plotKey{p.a, p.b}
}

// plotHasher mixes 64-bit words into two independent lanes.
type plotHasher struct{ a, b uint64 }

func (p *plotHasher) u64(x uint64) {
	p.a = bits.RotateLeft64((p.a^x)*0x9e3779b97f4a7c15, 31)
	p.b = bits.RotateLeft64((p.b+x)*0xc2b2ae3d27d4eb4f, 27) ^ p.a
}

func (p *plotHasher) str(s string) {
	p.u64(uint64(len(s)))
	for len(s) >= 8 {
		p.u64(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	var last uint64
	for i := range len(s) {
		last |= uint64(s[i]) << (8 * i)
	}
	p.u64(last)
}
