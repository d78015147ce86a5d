package tui

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// The costs view: the sector's cost curve (one bar per miner, its layers
// power | direct | cash | all-in against a marker at hashprice), the
// hashprice at which each next miner goes under water, the published
// benchmarks on the same axis, and the AI/HPC pivot (revenue mix and
// contracted megawatts).

// Sorts of the cost curve (UI.CostSort). There is no margin sort: against
// one hashprice it is the cost order.
const (
	costSortCost = iota
	costSortHashrate
	costSortTicker
	numCostSorts
)

var costSortNames = [numCostSorts]string{"cost", "hashrate", "ticker"}

// costGlyphs draw each layer of a bar: distinct in shape, so they read in
// the mono and colour-blind themes too.
var costGlyphs = [econ.NumScopes]string{"█", "▓", "▒", "░"}

// costScope is the scope the curve is drawn at: the UI's choice, else the
// computed headline's, else the widest scope some miner has a recent
// figure in (a benchmark headline has no miners to draw).
func costScope(d *board.Data, ui UI) econ.Scope {
	if ui.CostScopeSet {
		return ui.CostScope
	}
	return d.Board.SectorRule.CurveScope()
}

// costRows is the cost curve at the view's scope in the view's order.
func costRows(d *board.Data, ui UI) []econ.CurveRow {
	b := d.Board
	rows := b.CostCurve(costScope(d, ui))
	by := func(f func(r econ.CurveRow) (float64, bool), desc bool) {
		slices.SortStableFunc(rows, func(a, c econ.CurveRow) int {
			av, aok := f(a)
			cv, cok := f(c)
			switch {
			case aok && cok && desc:
				return cmp.Compare(cv, av)
			case aok && cok:
				return cmp.Compare(av, cv)
			case aok:
				return -1
			case cok:
				return 1
			}
			return 0
		})
	}
	switch ui.CostSort {
	case costSortHashrate:
		by(func(r econ.CurveRow) (float64, bool) { v, ok := r.RealizedEHs.Get(); return float64(v), ok }, true)
	case costSortTicker:
		slices.SortStableFunc(rows, func(a, c econ.CurveRow) int { return cmp.Compare(a.Ticker, c.Ticker) })
	}
	return rows
}

// costsKey handles a key on the costs view (Keys.Costs): c cycles the
// scope, s the sort, up/down select, enter opens the selected miner.
func costsKey(ui UI, d *board.Data, name string) UI {
	k, km := keyName(name), &Keys.Costs
	n := len(d.Peers)
	switch {
	case key.Matches(k, km.Scope):
		ui.CostScope, ui.CostScopeSet = (costScope(d, ui)+1)%econ.NumScopes, true
	case key.Matches(k, km.Sort):
		ui.CostSort = (ui.CostSort + 1) % numCostSorts
	case key.Matches(k, km.Up):
		ui.CostSelected = clampSel(clampSel(ui.CostSelected, n)-1, n)
	case key.Matches(k, km.Down):
		ui.CostSelected = clampSel(clampSel(ui.CostSelected, n)+1, n)
	case key.Matches(k, km.Open):
		rows := costRows(d, ui)
		if len(rows) == 0 {
			return ui
		}
		ui.Detail = rows[clampSel(ui.CostSelected, len(rows))].Ticker
		ui.View = ViewDetail
	}
	return ui
}

// renderCosts draws the costs view in exactly w×h cells.
func renderCosts(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	rows := costRows(d, ui)
	scope := costScope(d, ui)
	hp, hpOK := d.Board.Network.HashpriceNet.Get()
	var b []string
	title := th.Title.Render(" Cost curve") + th.Muted.Render("  "+scope.String()+" scope · $/PH/day · hashprice "+
		format.Maybe(d.Board.Network.HashpriceNet, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })+" ┃ · sorted by "+costSortNames[ui.CostSort])
	if c := d.Computed; c.Stale {
		// The hashprice, and so every margin, is of an old day: say which
		// right after it, where a narrow screen still shows it.
		title = th.Title.Render(" Cost curve") + th.Muted.Render("  "+scope.String()+" scope · $/PH/day · hashprice "+
			format.Maybe(d.Board.Network.HashpriceNet, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })+" ┃ ") +
			th.Warning.Render("STALE "+c.At.Format(time.DateOnly)) + th.Muted.Render(" · sorted by "+costSortNames[ui.CostSort])
	}
	b = append(b, ansi.Truncate(title, w, "…"))
	legend := " "
	for s, g := range costGlyphs {
		legend += costInk(th, econ.Scope(s)).Render(g+g) + th.Muted.Render(" "+econ.Scope(s).String()+"  ")
	}
	b = append(b, ansi.Truncate(legend+th.Muted.Render("♦ benchmark"), w, "…"))
	if note := scenPowerNote(d.Board.SectorRule); note != "" {
		b = append(b, th.Muted.Render(ansi.Truncate(" "+note, w, "…")))
	}

	// The bar's scale: the widest cost, hashprice and the benchmarks.
	top := float64(hp)
	for _, r := range rows {
		for s := range econ.NumScopes {
			top = math.Max(top, float64(r.Layer(econ.Scope(s)).Or(0)))
		}
	}
	benches := d.Board.SectorRule.Benchmarks
	for _, bm := range benches {
		top = math.Max(top, float64(bm.USDPerPHDay.Or(0)))
	}
	top *= 1.08
	const nameW, qW, ehW, costW = 6, 8, 6, 9
	// The bars take what the reasons after them leave, down to half the
	// room: a reason cut short can say the opposite ("no direct: no
	// mining …", found in review at 200 columns with room to spare).
	fixed, minBar := 1+nameW+1+qW+1+ehW+2+costW+2, 16
	if w < 100 {
		fixed, minBar = 1+nameW+1+ehW+2+costW+2, 12
	}
	whyW, whys := 0, make([]string, len(rows))
	for i, r := range rows {
		whys[i] = costWhy(d, r, scope, w)
		whyW = max(whyW, cellWidth(whys[i]))
	}
	barW := max(w-fixed-min(whyW, (w-fixed)/2), minBar)
	col := func(v float64) int { return min(int(math.Round(v/top*float64(barW))), barW) }
	hpCol := -1
	if hpOK {
		hpCol = col(float64(hp))
	}
	benchCols := map[int]bool{}
	for _, bm := range benches {
		if bm.Scope == scope {
			if v, ok := bm.USDPerPHDay.Get(); ok {
				benchCols[col(float64(v))] = true
			}
		}
	}
	head := " " + padRight("miner", nameW) + " "
	if w >= 100 {
		head += padRight("quarter", qW) + " "
	}
	head += padLeft("EH/s", ehW) + "  " + padRight("", barW) + "  " + padLeft(scope.String(), costW)
	b = append(b, th.Header.Render(ansi.Truncate(head, w, "")))

	room := h - len(b) - 4 // the under-water line, the benchmarks line, the pivot title and one pivot row at least
	sel := clampSel(ui.CostSelected, len(rows))
	off := 0
	if room > 0 && sel >= room {
		off = sel - room + 1
	}
	shown := 0
	for i := off; i < len(rows) && shown < room; i, shown = i+1, shown+1 {
		b = append(b, costLine(rows[i], whys[i], i == sel, scope, w, nameW, qW, ehW, costW, barW, col, hpCol, benchCols, th))
	}
	if left := len(rows) - shown; left > 0 {
		b = append(b, th.Muted.Render(ansi.Truncate(" … "+format.Num(float64(left), 0)+" more (↑↓ to scroll)", w, "…")))
	}
	b = append(b, wholeItems(" "+nextUnderWater(rows, hpOK, th), w))
	b = append(b, ansi.Truncate(" "+benchLine(benches, th), w, "…"))
	b = append(b, costPivot(d, w, max(h-len(b), 0), th)...)
	return fit(strings.Join(b, "\n"), w, h)
}

// costInk is the style of scope s's layer: the theme's series colours.
func costInk(th themes.Theme, s econ.Scope) lipgloss.Style {
	return th.Series[[...]int{0, 2, 1, 4}[s]]
}

// costLine is one miner's bar: its layers from 0 to its widest known
// scope, the hashprice marker ┃, benchmark marks ♦, its cost at the
// view's scope, and what it lacks.
func costLine(r econ.CurveRow, why string, selected bool, scope econ.Scope, w, nameW, qW, ehW, costW, barW int,
	col func(float64) int, hpCol int, benchCols map[int]bool, th themes.Theme) string {
	name := padRight(r.Ticker, nameW)
	switch {
	case r.UnderWater == econ.FlagYes:
		name = th.Negative.Bold(true).Render(padRight("▼"+r.Ticker, nameW))
	case selected:
		name = th.Selected.Render(name)
	}
	cur := " "
	if selected {
		cur = th.Key.Render("›")
	}
	line := cur + name + " "
	if w >= 100 {
		line += th.Muted.Render(padRight(cmp.Or(r.Quarter, "—"), qW)) + " "
	}
	line += padLeft(format.Maybe(r.RealizedEHs, func(v econ.EHs) string { return format.Num(float64(v), 1) }), ehW) + "  "
	// Cells: each the layer it falls in, the hashprice marker, benchmark
	// marks, a dot elsewhere; runs of one kind are painted at once (one
	// Render per run, not per cell: the view stays well under a millisecond).
	kind := make([]int8, barW) // -1 gap, 0..3 a layer, 4 hashprice, 5 benchmark
	for c := range kind {
		kind[c] = -1
	}
	from := 0
	for s := range econ.NumScopes {
		v, ok := r.Layer(econ.Scope(s)).Get()
		if !ok {
			continue
		}
		to := col(float64(v))
		for c := from; c < to; c++ {
			kind[c] = int8(s)
		}
		from = max(from, to)
	}
	for c := range kind {
		switch {
		case c == hpCol:
			kind[c] = 4
		case benchCols[c] && kind[c] == -1:
			kind[c] = 5
		}
	}
	var bar strings.Builder
	for c := 0; c < barW; {
		k, n := kind[c], 1
		for c+n < barW && kind[c+n] == k {
			n++
		}
		switch {
		case k >= 0 && k < 4:
			bar.WriteString(costInk(th, econ.Scope(k)).Render(strings.Repeat(costGlyphs[k], n)))
		case k == 4:
			bar.WriteString(th.Accent.Bold(true).Render(strings.Repeat("┃", n)))
		case k == 5:
			bar.WriteString(th.Warning.Render(strings.Repeat("♦", n)))
		default:
			bar.WriteString(th.Muted.Render(strings.Repeat("·", n)))
		}
		c += n
	}
	line += bar.String() + "  "
	cost := format.Maybe(r.Layer(scope), func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })
	line += padLeft(cost, costW)
	if why != "" {
		line += th.Muted.Render(why)
	}
	return ansi.Truncate(line, w, "…")
}

// costWhy is what follows a row's cost: what it lacks, or that it has no
// recent line items; "" when it lacks nothing.
func costWhy(d *board.Data, r econ.CurveRow, scope econ.Scope, w int) string {
	if r.Quarter == "" {
		// A published per-BTC figure (Peers' "rep") is not a line item:
		// say it exists, or the row reads as if nothing were reported
		// (found in review: CIFR and RIOT).
		for _, m := range d.Board.Miners {
			if m.Ticker == r.Ticker && slices.ContainsFunc(m.Costs[:], func(c econ.MinerCost) bool { return c.Basis == econ.BasisReported }) {
				if w < 160 {
					return "  published cost only"
				}
				return "  no recent line items; a published cost (rep), not counted"
			}
		}
		return "  no recent line items"
	}
	if why := costMissing(r, scope); why != "" {
		return "  " + why
	}
	return ""
}

// costMissing says which layers up to scope the row lacks, and why the
// one at scope is unknown: a bar never stops short silently.
func costMissing(r econ.CurveRow, scope econ.Scope) string {
	var no []string
	for s := econ.ScopePower; s <= scope; s++ {
		if !r.Layer(s).OK() {
			no = append(no, s.String())
		}
	}
	if len(no) == 0 {
		return ""
	}
	s := "no " + strings.Join(no, ", ")
	if why := r.Missing[scope]; why != "" && !r.Layer(scope).OK() {
		s += ": " + why
	}
	return s
}

// nextUnderWater counts the miners under water at the view's scope (each
// row's own flag, so "—" while the hashprice is unknown or no row has a
// figure; red only when some are) and lists the hashprice at which each miner still above water
// goes under, highest first: "at $31.79 MARA, at $28.75 HIVE, …".
func nextUnderWater(rows []econ.CurveRow, hpOK bool, th themes.Theme) string {
	type at struct {
		v econ.USDPerPHDay
		t string
	}
	var next []at
	under, known := 0, 0
	for _, r := range rows {
		v, ok := r.UnderBelow.Get()
		if r.UnderWater != econ.FlagUnknown {
			known++
		}
		switch {
		case r.UnderWater == econ.FlagYes:
			under++
		case ok:
			next = append(next, at{v, r.Ticker})
		}
	}
	slices.SortFunc(next, func(a, b at) int { return cmp.Compare(b.v, a.v) })
	count, cst := "—", th.Muted
	if hpOK && known > 0 { // no miner with a figure: unknown, not "0 under water"
		count = format.Num(float64(under), 0)
		if under > 0 {
			cst = th.Negative
		}
	}
	s := cst.Render(count+" under water") + th.Muted.Render(" · next under water: ")
	if len(next) == 0 {
		return s + th.Muted.Render("none with a figure at this scope")
	}
	var parts []string
	for _, n := range next {
		parts = append(parts, "at "+format.USD(float64(n.v), 2)+" "+n.t)
	}
	return s + strings.Join(parts, ", ")
}

// wholeItems is s, a comma-separated list after a head, cut to w cells at
// an item's end with ", …" (not inside a ticker: "at $23.67 WU…", found in
// the second review); s itself when it fits.
func wholeItems(s string, w int) string {
	if cellWidth(s) <= w {
		return s
	}
	for i := len(s); i > 0; i-- {
		if strings.HasPrefix(s[i:], ", ") && cellWidth(s[:i]+", …") <= w {
			return s[:i] + ", …"
		}
	}
	return ansi.Truncate(s, w, "…")
}

// benchLine names the published benchmarks (♦ on the bars when of the
// view's scope), each with its publication day ("~" when estimated).
func benchLine(bs []econ.BenchmarkComparison, th themes.Theme) string {
	if len(bs) == 0 {
		return th.Muted.Render("no published benchmark for a recent quarter")
	}
	var parts []string
	for _, b := range bs {
		pub := b.Published.String()
		if b.PublishedEstimated {
			pub += "~" // the publication day is an estimate
		}
		parts = append(parts, b.Source+" "+b.Period+" "+b.Scope.String()+" "+
			format.Maybe(b.USDPerPHDay, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })+" pub "+pub)
	}
	return th.Warning.Render("♦ ") + th.Muted.Render(strings.Join(parts, " · "))
}

// costPivot is the AI/HPC pivot in h lines: per miner, the self-mining
// share of revenue in each of the last four calendar quarters any miner
// has (as of the board's date; one quarter per column for every miner, so
// a column compares one period), and its contracted AI/HPC MW with the
// counterparties; the miners furthest into the pivot in the newest
// quarter first (those with no share then after them).
func costPivot(d *board.Data, w, h int, th themes.Theme) []string {
	if h <= 0 {
		return nil
	}
	type pivot struct {
		ticker string
		shares map[string]float64 // calendar quarter → share, where known
		seen   map[string]bool    // calendar quarters the miner reported
		mw     string
		who    string
	}
	var ps []pivot
	quarters := map[string]bool{}
	for i, m := range d.Miners {
		p := pivot{ticker: m.Ticker, shares: map[string]float64{}, seen: map[string]bool{}}
		for _, q := range econ.QuartersAsOf(m.Quarters, d.Board.SectorRule.AsOf) {
			quarters[q.Calendar], p.seen[q.Calendar] = true, true
			if share, ok := econ.OwnShare(q).Value.Get(); ok {
				p.shares[q.Calendar] = share
			}
		}
		if i < len(d.Peers) {
			r := d.Peers[i]
			p.mw = format.Maybe(r.AIMW, func(v float64) string { return format.Num(v, 0) + " MW" })
			// Each counterparty with the date of its contract.
			var who []string
			for _, c := range r.Fundamentals.Contracts {
				if c.Counterparty != "" {
					who = append(who, c.Counterparty+" "+c.AsOf)
				}
			}
			p.who = strings.Join(who, ", ")
		}
		ps = append(ps, p)
	}
	cols := slices.Sorted(maps.Keys(quarters))
	cols = cols[max(len(cols)-4, 0):]
	newest := func(p pivot) (float64, bool) {
		if len(cols) == 0 {
			return 0, false
		}
		v, ok := p.shares[cols[len(cols)-1]]
		return v, ok
	}
	slices.SortStableFunc(ps, func(a, b pivot) int {
		va, oka := newest(a)
		vb, okb := newest(b)
		switch {
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		case oka && va != vb:
			return cmp.Compare(va, vb)
		}
		return cmp.Compare(len(b.who), len(a.who))
	})
	const cell = 5 // "Q3'25", "100%"
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = padLeft(costBasis(econ.MinerCost{Period: c}), cell)
	}
	out := []string{th.Title.Render(" AI/HPC pivot") + th.Muted.Render("  self-mining share of revenue by quarter · contracts with dates")}
	if h > 1 {
		out = append(out, th.Muted.Render(" "+padRight("", 6)+" "+padRight(strings.Join(head, " "), 4*(cell+1))))
	}
	for _, p := range ps[:min(len(ps), max(h-2, 0))] {
		shares := make([]string, len(cols))
		for i, c := range cols {
			v, ok := p.shares[c]
			switch {
			case ok:
				shares[i] = padLeft(format.Num(v*100, 0)+"%", cell)
			case p.seen[c]:
				shares[i] = padLeft(format.Unknown, cell) // a quarter without both revenues
			default:
				shares[i] = padLeft("", cell) // no quarter filed
			}
		}
		line := " " + padRight(p.ticker, 6) + " " + padRight(strings.Join(shares, " "), 4*(cell+1)) + " " + padLeft(p.mw, 8) + "  " + th.Muted.Render(p.who)
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	return out
}
