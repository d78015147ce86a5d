package tui

import (
	"math"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// The miner detail view: one listed miner's price line, its cost stack
// against hashprice, its price against BTC, its sourced facts and its AI/HPC
// contracts. Helpers here are prefixed det; the scenario view shares a few.

// renderDetail draws the miner named by ui.Detail, or the peer selected in
// the peers table when it is empty.
func renderDetail(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	i := detailIndex(d, ui)
	if i < 0 {
		return fit(th.Muted.Render(" No miner to show: the peers list is empty."), w, h)
	}
	// PeerRow does not carry the miner's dataset.Fundamentals yet, so the
	// facts come from the board row and the costs' provenance.
	src := detSourcesFromFundamentals(&d.Peers[i].Fundamentals)
	src.Facts = append(detQuarterFacts(d, d.Peers[i].Ticker), src.Facts...)
	return renderDetailWith(d, ui, i, src, w, h, th)
}

// detUnitValue writes a company's cost figure the way the rest of the
// screen writes money: $46,497/BTC, $31.30/PH/d; other units as a number
// with the unit.
func detUnitValue(v float64, unit string) string {
	switch unit {
	case "USD/BTC":
		return format.USD(v, 0) + "/BTC"
	case "USD/PH/day":
		return format.USD(v, 2) + "/PH/d"
	}
	return format.Num(v, 2) + " " + unit
}

// detQuarterFacts are the miner's quarterly financials as facts, newest
// quarter first (the last four public by the board's date): the implied
// cost of each known scope per PH/day and per BTC, the mining share (and
// whether it is carried), the company's own metrics beside them, and every
// line item whose sources conflict — each with its grade, publication date
// ("~" when estimated) and source.
func detQuarterFacts(d *board.Data, ticker string) []detFact {
	var out []detFact
	pub := func(p econ.Provenance) string {
		s := "pub " + p.Published.String()
		if p.PublishedEstimated {
			s += "~"
		}
		return s
	}
	firstSource := func(p econ.Provenance) string { src, _, _ := strings.Cut(p.Source, " + "); return src }
	for _, m := range d.Board.Implied {
		if m.Ticker != ticker {
			continue
		}
		qs := m.Quarters[max(len(m.Quarters)-4, 0):]
		for i := len(qs) - 1; i >= 0; i-- {
			q := qs[i]
			for _, c := range q.Costs {
				if v, ok := c.PerPHDay.Get(); ok {
					val := format.USD(float64(v), 2) + "/PH/d · " + format.Maybe(c.PerBTC, func(b econ.USDPerBTC) string { return format.USD(float64(b), 0) }) + "/BTC"
					out = append(out, detFact{Label: q.Calendar + " " + c.Scope.String() + " (implied)", Value: val, AsOf: pub(c.Provenance), Quality: c.Grade.String(), URL: firstSource(c.Provenance)})
				}
			}
			if sh, ok := q.Share.Value.Get(); ok {
				val := format.Num(sh*100, 1) + "% of revenue"
				if q.Share.Carried {
					// Say so first: cut, "(carried fro…" read as the quarter's
					// own share, published before the quarter ended (review).
					val = "carried: " + q.Share.From + "'s " + format.Num(sh*100, 1) + "%"
				}
				out = append(out, detFact{Label: q.Calendar + " mining share", Value: val, AsOf: pub(q.Share.Provenance), Quality: q.Share.Grade.String(), URL: firstSource(q.Share.Provenance)})
			}
			for _, cm := range q.Metrics {
				// The scope goes in the label's head, which a narrow column
				// keeps: after the value, "$82,400/BTC (cash)" lost it at
				// 80 columns (found in review).
				out = append(out, detFact{Label: q.Calendar + " own " + cm.Scope.String() + ": " + cm.Name, Value: detUnitValue(cm.Value, cm.Unit), AsOf: pub(cm.Provenance), Quality: cm.Grade.String(), URL: cm.Source})
			}
		}
	}
	// Conflicts between sources, from the quarters the miner carries.
	for i, p := range d.Peers {
		if p.Ticker != ticker || i >= len(d.Miners) {
			continue
		}
		for _, q := range econ.QuartersAsOf(d.Miners[i].Quarters, d.Board.SectorRule.AsOf) {
			for _, x := range []struct {
				name string
				it   econ.Item[econ.USD]
			}{{"mining revenue", q.RevenueMining}, {"total revenue", q.RevenueTotal}, {"mining cost", q.CostMining}, {"power cost", q.CostPower}, {"SG&A", q.SGA}, {"D&A", q.DA}, {"interest", q.Interest}} {
				name, it := x.name, x.it
				for _, c := range it.Conflicts {
					if c.Value != float64(it.Value.Or(0)) {
						out = append(out, detFact{Label: q.Calendar + " " + name + " CONFLICT", Value: format.USD(float64(it.Value.Or(0))/1e6, 1) + "M used vs " + format.USD(c.Value/1e6, 1) + "M", AsOf: pub(c.Provenance), Quality: c.Grade.String(), URL: c.Source})
					}
				}
			}
		}
	}
	return out
}

// detailKey moves to the previous / next miner in the peers table's order
// and returns to the peers table (Keys.Detail).
func detailKey(ui UI, d *board.Data, name string) UI {
	k, km := keyName(name), &Keys.Detail
	step := 0
	switch {
	case key.Matches(k, km.Back):
		ui.View = ViewPeers
		ui.Detail = "" // the peers table's selection (kept in step below) names it
		return ui
	case key.Matches(k, km.Prev):
		step = -1
	case key.Matches(k, km.Next):
		step = 1
	default:
		return ui
	}
	order := detailOrder(d, ui)
	if len(order) == 0 {
		return ui
	}
	pos := 0
	if i := detailIndex(d, ui); i >= 0 {
		for p, j := range order {
			if j == i {
				pos = p
				break
			}
		}
	}
	pos = min(max(pos+step, 0), len(order)-1)
	ui.Detail = d.Peers[order[pos]].Ticker
	ui.Selected = pos
	return ui
}

// detailOrder is the peers table's row order (indices into d.Peers), so
// up/down walk the miners as the table lists them.
func detailOrder(d *board.Data, ui UI) []int { return peerOrder(d, ui) }

// detailIndex returns the index in d.Peers of the miner to show, or -1.
func detailIndex(d *board.Data, ui UI) int {
	if ui.Detail != "" {
		for i := range d.Peers {
			if d.Peers[i].Ticker == ui.Detail {
				return i
			}
		}
	}
	order := detailOrder(d, ui)
	if len(order) == 0 {
		return -1
	}
	return order[min(max(ui.Selected, 0), len(order)-1)]
}

// detFact is one sourced fact as shown: what, value, as-of, publication
// (detPub), quality, source.
type detFact struct{ Label, Value, AsOf, Pub, Quality, URL string }

// detPub is " pub 11-14~" for a fact made public on another day than its
// as-of ("~" when the day is estimated; the year when it differs from the
// as-of's), or "": a board as of a date uses a fact only from its
// publication, so the page says when that is where there is room (found
// in review: only the JSON had it).
func detPub(asOf string, pub econ.Date, estimated bool) string {
	p := pub.String()
	if pub.IsZero() || p == asOf {
		return ""
	}
	if strings.HasPrefix(asOf, p[:4]) {
		p = p[5:]
	}
	if estimated {
		p += "~"
	}
	return " pub " + p
}

// detContract is one AI/HPC contract as shown.
type detContract struct{ Counterparty, MW, Headline, AsOf, Quality, URL string }

// detSources are the facts and contracts of one miner.
type detSources struct {
	Facts     []detFact
	Contracts []detContract
	// Partial is set when they come from the board row rather than the
	// dataset's fundamentals (quality and some dates are then unknown).
	Partial bool
}

// detSourcesFromFundamentals lists every fact of f with its as-of, quality
// and source URL: the figures the board uses first (hashrate, efficiency,
// power price, shares, costs), then the others in file order; contracts
// separately.
func detSourcesFromFundamentals(f *dataset.Fundamentals) detSources {
	var s detSources
	seen := make(map[int]bool, len(f.Facts))
	add := func(x *dataset.Fact) {
		if x == nil || seen[x.Line] || strings.HasPrefix(x.Field, "ai_contract_") {
			return
		}
		seen[x.Line] = true
		v := x.Value
		if n, ok := x.Number.Get(); ok && (x.Unit == "USD/BTC" || x.Unit == "USD/PH/day") {
			v = detUnitValue(n, x.Unit)
		} else if x.Unit != "" {
			v += " " + x.Unit
		}
		s.Facts = append(s.Facts, detFact{Label: strings.ReplaceAll(x.Field, "_", " "), Value: v, AsOf: x.AsOf, Pub: detPub(x.AsOf, x.PublishedOn, x.PublishedEstimated),
			Quality: string(x.Quality), URL: x.SourceURL})
	}
	add(f.Hashrate.Fact)
	add(f.Efficiency.Fact)
	add(f.PowerPrice.Fact)
	add(f.Shares.Fact)
	for _, c := range f.Costs {
		add(c.Fact)
	}
	for i := range f.Facts {
		add(&f.Facts[i])
	}
	for _, c := range f.Contracts {
		mw := c.MWText
		if mw == "" {
			mw = format.Unknown
		}
		head := c.Headline
		if head == "" {
			head = format.Unknown
		}
		cp := c.Counterparty
		if cp == "" {
			cp = format.Unknown
		}
		s.Contracts = append(s.Contracts, detContract{Counterparty: cp, MW: mw, Headline: head, AsOf: c.AsOf, Quality: string(c.Quality), URL: c.SourceURL})
	}
	return s
}

// renderDetailWith lays the view out for peer idx with the given sources.
func renderDetailWith(d *board.Data, ui UI, idx int, src detSources, w, h int, th themes.Theme) string {
	pal := detPaletteOf(th)
	r := &d.Peers[idx]
	head := detHeader(d, ui, r, w, pal)
	avail := h - 1
	factsTitle := " " + pal.title.paint("Facts") + pal.muted.paint("  as of, pub(lished; ~ estimated) · quality A/B/C · source")
	if src.Partial {
		factsTitle = " " + pal.title.paint("Facts") + pal.muted.paint("  from the board (quality not carried) · as of · source")
	}
	contractsTitle := " " + pal.title.paint("AI/HPC contracts")
	nContracts := max(len(src.Contracts), 1)

	factsNeed := 2 + max(len(src.Facts), 1)
	conNeed := 1 + nContracts
	if len(src.Contracts) > 0 {
		conNeed++ // the column header
	}
	if w < 120 {
		// One column: costs, chart, facts, contracts.
		costH := 5
		if avail >= 30 {
			costH = 10 // two lines per scope and the scale
		}
		conH := min(conNeed, 4)
		factsH := max(min(factsNeed, avail-costH-conH-minChartH-1), 3) // the chart's title and plot
		chartH := avail - costH - conH - factsH
		var b strings.Builder
		b.WriteString(head + "\n")
		b.WriteString(detCosts(d, r, w, costH, pal) + "\n")
		b.WriteString(detChart(d, ui, r, w, chartH, pal) + "\n")
		b.WriteString(detFactsTable(factsTitle, src.Facts, w, factsH, pal) + "\n")
		b.WriteString(detContractsTable(contractsTitle, src.Contracts, w, conH, pal))
		return fit(b.String(), w, h)
	}
	cw := min(w/2, 90)
	if w >= 180 {
		cw = min(w*2/5, 100)
	}
	bottomNeed := factsNeed + conNeed
	if w >= 180 {
		bottomNeed = max(factsNeed, conNeed)
	}
	topH := min(max(avail-1-bottomNeed, 10), avail*3/5, 20)
	top := columns(1, []string{detCosts(d, r, cw, topH, pal), detChart(d, ui, r, w-cw-1, topH, pal)}, []int{cw, w - cw - 1})
	rest := avail - topH - 1 // a blank line under the top band
	var bottom string
	if w >= 180 {
		fw := w * 3 / 5
		bottom = columns(1, []string{detFactsTable(factsTitle, src.Facts, fw, rest, pal), detContractsTable(contractsTitle, src.Contracts, w-fw-1, rest, pal)}, []int{fw, w - fw - 1})
	} else {
		conH := min(conNeed, max(rest/3, 2))
		bottom = detFactsTable(factsTitle, src.Facts, w, min(factsNeed, rest-conH), pal) + "\n" + detContractsTable(contractsTitle, src.Contracts, w, conH, pal)
	}
	return fit(head+"\n"+top+"\n\n"+bottom, w, h)
}

// detHeader is the ticker, its price with source, its returns, market cap,
// correlation with BTC and where it is in the peers order; what does not
// fit is left out from the end, the price's provenance shortened first.
func detHeader(d *board.Data, ui UI, r *board.PeerRow, w int, pal *detPal) string {
	price, short := "price "+format.Unknown, ""
	if r.Price.OK {
		p := pal.accentBold.paint(format.USD(r.Price.V, 2))
		note := r.Price.Source + " " + r.Price.At.Format(time.DateOnly)
		switch {
		case r.Price.Layer == board.LayerEmbedded:
			note = "close " + r.Price.At.Format(time.DateOnly) + ", embedded"
		case r.Price.Stale:
			note = r.Price.Source + ", STALE " + format.Age(d.Now.Sub(r.Price.At))
		}
		short = p + " " + pal.muted.paint(r.Price.At.Format(time.DateOnly))
		price = p + " " + pal.muted.paint("("+note+")")
	}
	ret := func(label string, m econ.Maybe[econ.Percent]) string {
		return pal.muted.paint(label) + " " + detPct(m, 1, pal)
	}
	rest := []string{
		ret("day", r.DayPct), ret("1M", r.MonthPct), ret("1Y", r.YearPct),
		pal.muted.paint("cap") + " " + format.Maybe(r.MarketCap, func(v econ.USD) string { return format.CompactUSD(float64(v)) }),
		pal.muted.paint("corr·BTC 90d") + " " + format.Maybe(r.Corr90, func(v float64) string { return format.Num(v, 2) }),
	}
	order := detailOrder(d, ui)
	pos := 0
	for p, j := range order {
		if d.Peers[j].Ticker == r.Ticker {
			pos = p
		}
	}
	hint := pal.muted.paint(format.Num(float64(pos+1), 0) + "/" + format.Num(float64(len(order)), 0) + " · ↑↓ miner · " + Keys.Detail.Back.Help().Key + " back ")
	join := func(p string, n int) string {
		return strings.Join(append([]string{pal.title.paint(" " + r.Ticker), p}, rest[:n]...), "  ")
	}
	for n := len(rest); n >= 0; n-- {
		for _, p := range []string{price, short} {
			if p == "" {
				continue
			}
			line := join(p, n)
			if gap := w - ansi.StringWidth(line) - ansi.StringWidth(hint); gap >= 2 {
				return line + strings.Repeat(" ", gap) + hint
			}
		}
		for _, p := range []string{price, short} {
			if line := join(p, n); p != "" && ansi.StringWidth(line) <= w {
				return line
			}
		}
	}
	return ansi.Truncate(join(price, len(rest)), w, "…")
}

// detCosts draws the cost stack: one bar per scope on a common $/PH/day
// scale with hashprice marked ┃; a bar reaching past the mark is a cost
// above hashprice (under water, ▼ and a negative margin).
func detCosts(d *board.Data, r *board.PeerRow, w, h int, pal *detPal) string {
	hpM := d.Board.Network.HashpriceNet
	hp, hpOK := hpM.Get()
	head := " " + pal.title.paint("Cost stack")
	tail := pal.muted.paint("  $/PH/day · ┃ hashprice " + format.Maybe(hpM, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) }))
	title := head + tail
	if c := d.Computed; c.Stale {
		// The margins are hashprice less cost: as stale as the hashprice
		// (found in review: the miner view alone had no mark). The mark
		// comes first, shorter when the hashprice would not fit after it.
		note := sourcedNote(c, d.Now)
		for _, mark := range []string{"margins " + note, note, strings.Replace(note, "embedded ", "", 1), "STALE"} {
			if title = head + "  " + pal.warn.paint(mark) + tail; cellWidth(title) <= w {
				break
			}
		}
	}
	if !d.Scenario.IsZero() {
		title += pal.warn.paint(" (scenario)")
	}
	lines := []string{ansi.Truncate(title, w, "…")}
	scale := float64(hp)
	for _, c := range r.Miner.Costs {
		scale = math.Max(scale, float64(c.PerPHDay.Or(0)))
	}
	scale *= 1.12
	two := h >= 10
	const labelW, valW, marginW = 7, 8, 17
	barW := w - labelW - valW - marginW - 3
	if !two {
		barW -= 19 // room for the basis at the end of the line
	}
	barW = max(barW, 6)
	for _, s := range econ.Scopes() {
		c := r.Miner.Costs[s]
		cost, ok := c.PerPHDay.Get()
		val := format.Maybe(c.PerPHDay, func(v econ.USDPerPHDay) string { return format.Num(float64(v), 2) })
		margin := format.Unknown
		if m, ok := c.Margin.Get(); ok {
			pct := format.Maybe(c.MarginPct, func(v econ.Percent) string { return format.Signed(float64(v), 1) + "%" })
			margin = pal.sign(float64(m), detArrow(float64(m))+" "+format.Signed(float64(m), 2)+" "+pct)
			if c.OutsideWindow {
				margin = pal.muted.paint(format.Signed(float64(m), 2) + " old") // see oldMarginString
			}
		}
		bar := detBar(float64(cost), ok, float64(hp), hpOK, scale, barW, pal)
		basis := detBasis(c)
		line := " " + pal.muted.paint(padRight(s.String(), labelW-1)) + padLeft(val, valW) + " " + bar + " " + padRight(margin, marginW)
		if !two {
			lines = append(lines, line+" "+pal.muted.paint(basis))
			continue
		}
		lines = append(lines, line)
		extra := basis
		if v, ok := c.PerBTC.Get(); ok {
			// At the board's hashvalue: today's, or a stale network's day.
			when := "today"
			if c := d.Computed; c.Stale {
				when = "on " + c.At.Format("2006-01-02")
			}
			extra += " · " + format.USD(float64(v), 0) + "/BTC " + when
		}
		lines = append(lines, strings.Repeat(" ", labelW+valW+1)+pal.muted.paint(ansi.Truncate(extra, w-labelW-valW-1, "…")))
	}
	if two && hpOK {
		// The scale under the bars: 0, hashprice at its mark, the top.
		axis := []rune(strings.Repeat(" ", barW))
		put := func(at int, s string) {
			for i, c := range []rune(s) {
				if at+i >= 0 && at+i < len(axis) {
					axis[at+i] = c
				}
			}
		}
		put(0, "0")
		top := format.Num(scale, 0)
		put(barW-len(top), top)
		lines = append(lines, strings.Repeat(" ", labelW+valW+1)+pal.muted.paint(string(axis)))
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

// detBar draws a cost of value v (ok when known) as a bar of width cells on
// [0, scale], with hashprice hp marked ┃. Cells past the mark are negative.
func detBar(v float64, ok bool, hp float64, hpOK bool, scale float64, width int, pal *detPal) string {
	mark := -1
	if hpOK && scale > 0 {
		mark = min(int(math.Round(hp/scale*float64(width))), width-1)
	}
	n := 0
	if ok && scale > 0 {
		n = min(int(math.Round(v/scale*float64(width))), width)
		// Rounding must not move a bar across the mark: a cost above
		// hashprice shows at least one cell past it, one below none.
		if mark >= 0 && v > hp {
			n = min(max(n, mark+2), width)
		} else if mark >= 0 {
			n = min(n, mark)
		}
	}
	var below, above, empty strings.Builder
	var b strings.Builder
	flush := func() {
		if below.Len() > 0 {
			b.WriteString(pal.pos.paint(below.String()))
			below.Reset()
		}
		if above.Len() > 0 {
			b.WriteString(pal.neg.paint(above.String()))
			above.Reset()
		}
		if empty.Len() > 0 {
			b.WriteString(pal.muted.paint(empty.String()))
			empty.Reset()
		}
	}
	for i := range width {
		switch {
		case i == mark:
			flush()
			b.WriteString(pal.accentBold.paint("┃"))
		case i < n && (mark < 0 || i < mark):
			below.WriteString("█")
		case i < n:
			above.WriteString("█")
		default:
			empty.WriteString("·")
		}
	}
	flush()
	return b.String()
}

// detBasis says where a cost figure comes from.
func detBasis(c econ.MinerCost) string {
	switch c.Basis {
	case econ.BasisNone:
		return "no figure"
	case econ.BasisModel:
		return "model: J/TH × $/kWh × 24"
	}
	s := c.Basis.String()
	if c.Period != "" {
		s += " " + c.Period
	}
	return s
}

// detChart draws the miner's closes and BTC, rebased to 100 at the start
// of the range, on one day grid ending at the newest point of either.
func detChart(d *board.Data, ui UI, r *board.PeerRow, w, h int, pal *detPal) string {
	// The grid ends on the last day both series have (so the two changes
	// cover the same days), or on the last day of the one that exists.
	btc := d.BTC.Points
	var end, first time.Time
	for _, s := range [][]board.Point{r.Closes, btc} {
		if len(s) == 0 {
			continue
		}
		if t := s[len(s)-1].T; end.IsZero() || t.Before(end) {
			end = t
		}
		if t := s[0].T; first.IsZero() || t.Before(first) {
			first = t
		}
	}
	title := " " + r.Ticker + " vs BTC · " + ui.Range.String()
	if end.IsZero() {
		return fit(pal.title.paint(title)+"\n"+pal.muted.paint(" no price history"), w, h)
	}
	if end.After(d.Now) {
		end = d.Now
	}
	// Each series' last point at or before that day: the later of the two
	// comes back to the earlier, so that both changes in the title cover the
	// same days (found in the second review: live, IREN's closes stop at
	// 2026-07-31 before its live quote of 11-20, and its +128.4% ran to
	// 07-31 under a title "to 2026-08-21" whose BTC change ran to 08-21).
	if len(r.Closes) > 0 && len(btc) > 0 {
		for range 2 {
			for _, s := range [][]board.Point{r.Closes, btc} {
				if i := sort.Search(len(s), func(i int) bool { return s[i].T.After(end) }); i > 0 && s[i-1].T.Before(end) {
					end = s[i-1].T
				}
			}
		}
	}
	if n := len(r.Closes); n > 0 && board.Day(end).Before(board.Day(r.Closes[n-1].T)) && board.Day(end).Before(board.Day(d.Now)) {
		// The header's returns run to the peer's newest price; the
		// chart's to the last day both series have, which BTC's history
		// can end before (live, against a store still backfilling): say
		// so, or two "1Y" figures on one screen disagree without a word
		// (+4.9% and +128.4%).
		title += " to " + end.UTC().Format("2006-01-02")
	}
	start := ui.Range.Start(end)
	if start.Before(first) {
		start = first
	}
	// A column of the plot is the finest detail it shows: sample about one
	// day per column, always keeping the first and last days, so the range's
	// changes do not depend on the terminal's width.
	grid := board.DayGrid(start, end)
	if m := max(w-8, 10); len(grid) > m {
		sub := make([]time.Time, m)
		for j := range sub {
			sub[j] = grid[j*(len(grid)-1)/(m-1)]
		}
		grid = sub
	}
	cols := board.Align(grid, 5*24*time.Hour, board.Window(r.Closes, grid[0]), board.Window(btc, grid[0]))
	a, b := board.Rebase(cols[0]), board.Rebase(cols[1])
	// The changes in the title are the period returns of the header and the
	// peers table (board.PeriodReturn) up to the chart's last day; the whole
	// history has no period, so its change is the rebased line's.
	change := func(name string, s []board.Point, v []float64) string {
		c, ok := math.NaN(), false
		if m := ui.Range.Months(); m > 0 {
			var p econ.Maybe[econ.Percent]
			p, _ = board.PeriodReturn(board.Until(s, end), m)
			if x, has := p.Get(); has {
				c, ok = float64(x), true
			}
		} else {
			for i := len(v) - 1; i >= 0 && !ok; i-- {
				if !math.IsNaN(v[i]) {
					c, ok = v[i]-100, true
				}
			}
		}
		if !ok {
			return pal.muted.paint(name + " " + format.Unknown)
		}
		return pal.muted.paint(name+" ") + pal.sign(c, detArrow(c)+format.Signed(c, 1)+"%")
	}
	title = pal.title.paint(title) + "  " + change(r.Ticker, r.Closes, a) + "  " + change("BTC", btc, b)
	lines := []Line{{Name: r.Ticker, Values: a, Series: 0}, {Name: "BTC", Values: b, Series: 1}}
	chart := Chart(lines, grid, w, h-1, "rebased to 100", func(v float64, d int) string { return format.Num(v, d) }, pal.th)
	return ansi.Truncate(title, w, "…") + "\n" + chart
}

// detFactsTable lists facts with as-of, quality and source in h lines.
func detFactsTable(title string, facts []detFact, w, h int, pal *detPal) string {
	lines := []string{ansi.Truncate(title, w, "…")}
	if len(facts) == 0 {
		lines = append(lines, pal.muted.paint(" no facts in the dataset for this miner"))
		return fit(strings.Join(lines, "\n"), w, h)
	}
	// Column widths: label, value, as-of, quality, source (the rest). At
	// the narrowest the label keeps "2025-Q2 own direct:" whole: the
	// scope of a company's own figure (the source's domain gives way).
	labelW, valW, asOfW := 20, 13, 15
	if w >= 110 {
		labelW, valW, asOfW = 26, 30, 22
	} else if w >= 95 {
		labelW, valW, asOfW = 22, 22, 16
	}
	labelW = min(labelW, detMaxWidth(facts, func(f detFact) string { return f.Label }))
	asOfW = min(asOfW, max(5, detMaxWidth(facts, func(f detFact) string { return f.AsOf + f.Pub })))
	urlW := w - 1 - labelW - valW - asOfW - 1 - 4*2
	// Keep every source's domain whole: take the room from the values.
	domW := 0
	for _, f := range facts {
		domW = max(domW, len(detDomain(f.URL)))
	}
	if urlW < domW+1 {
		take := min(domW+1-urlW, valW-10)
		valW, urlW = valW-max(take, 0), urlW+max(take, 0)
	}
	row := func(label, value, asOf, q, url string) string {
		return " " + padRight(label, labelW) + "  " + padRight(value, valW) + "  " + padRight(asOf, asOfW) + "  " + padRight(q, 1) + "  " + url
	}
	lines = append(lines, pal.header.paint(row("fact", "value", "as of", "Q", "source")))
	room := h - 2
	show := len(facts)
	if show > room {
		show = max(room-1, 0)
	}
	for _, f := range facts[:show] {
		asOf := f.AsOf
		if cellWidth(asOf+f.Pub) <= asOfW {
			asOf += f.Pub // the as-of whole first, the publication where it fits
		}
		lines = append(lines, row(f.Label, f.Value, asOf, f.Quality, pal.muted.paint(detShortURL(f.URL, urlW))))
	}
	if show < len(facts) {
		lines = append(lines, pal.muted.paint(" +"+format.Num(float64(len(facts)-show), 0)+" more facts · a taller terminal shows them all"))
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

// detContractsTable lists the AI/HPC contracts in h lines.
func detContractsTable(title string, cs []detContract, w, h int, pal *detPal) string {
	lines := []string{ansi.Truncate(title, w, "…")}
	if len(cs) == 0 {
		lines = append(lines, pal.muted.paint(" none recorded"))
		return fit(strings.Join(lines, "\n"), w, h)
	}
	cpW := min(18, max(12, detMaxWidth2(cs)))
	const mwW, headW, asOfW = 10, 8, 10
	urlW := w - 1 - cpW - mwW - headW - asOfW - 1 - 5*2
	domW := 0
	for _, c := range cs {
		domW = max(domW, len(detDomain(c.URL)))
	}
	if take := min(domW+1-urlW, cpW-10); take > 0 {
		cpW, urlW = cpW-take, urlW+take
	}
	row := func(cp, mw, head, asOf, q, url string) string {
		return " " + padRight(cp, cpW) + "  " + padLeft(mw, mwW) + "  " + padLeft(head, headW) + "  " + padRight(asOf, asOfW) + "  " + padRight(q, 1) + "  " + url
	}
	if h >= len(cs)+2 {
		lines = append(lines, pal.header.paint(row("counterparty", "capacity", "value", "as of", "Q", "source")))
	}
	room := h - len(lines)
	show := len(cs)
	if show > room {
		show = max(room-1, 0)
	}
	for _, c := range cs[:show] {
		lines = append(lines, row(c.Counterparty, c.MW, c.Headline, c.AsOf, c.Quality, pal.muted.paint(detShortURL(c.URL, max(urlW, 8)))))
	}
	if show < len(cs) {
		lines = append(lines, pal.muted.paint(" +"+format.Num(float64(len(cs)-show), 0)+" more"))
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

func detMaxWidth(facts []detFact, f func(detFact) string) int {
	n := 0
	for _, x := range facts {
		n = max(n, ansi.StringWidth(f(x)))
	}
	return n
}

func detMaxWidth2(cs []detContract) int {
	n := 0
	for _, c := range cs {
		n = max(n, ansi.StringWidth(c.Counterparty))
	}
	return n
}

// detShortURL fits a source URL in w cells: without the scheme and "www.",
// and when still too long cut at the end with "…", so the domain — the part
// that says who published it — stays visible.
func detShortURL(u string, w int) string {
	s := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, max(w, 2), "…")
}

// detDomain is the host of a URL without scheme and "www.".
func detDomain(u string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i]
	}
	return s
}

// detArrow returns ▲ for a positive value, ▼ for a negative one.
func detArrow(v float64) string {
	switch {
	case v > 0:
		return "▲"
	case v < 0:
		return "▼"
	}
	return "="
}

// detPct formats a percentage with arrow, sign and colour, or —.
func detPct(m econ.Maybe[econ.Percent], dec int, pal *detPal) string {
	v, ok := m.Get()
	if !ok {
		return format.Unknown
	}
	return pal.sign(float64(v), detArrow(float64(v))+format.Signed(float64(v), dec)+"%")
}

// detInk is a style's escape codes around a text, taken once per frame:
// rendering hundreds of table cells through lipgloss costs more than the
// frame may.
type detInk struct{ pre, post string }

// detInkOf takes the codes style s puts around one line of text.
func detInkOf(s lipgloss.Style) detInk {
	const mark = "\ue000"
	r := s.Render(mark)
	i := strings.Index(r, mark)
	if i < 0 {
		return detInk{}
	}
	return detInk{r[:i], r[i+len(mark):]}
}

// paint styles one line of text.
func (k detInk) paint(s string) string {
	if s == "" || k.pre == "" && k.post == "" {
		return s
	}
	return k.pre + s + k.post
}

// detPal is a theme's roles as inks, built once per frame.
type detPal struct {
	th                                                               themes.Theme
	text, muted, accentBold, title, key, pos, neg, warn, sel, header detInk
}

func detPaletteOf(th themes.Theme) *detPal {
	return &detPal{
		th: th, text: detInkOf(th.Text), muted: detInkOf(th.Muted), accentBold: detInkOf(th.Accent.Bold(true)),
		title: detInkOf(th.Title), key: detInkOf(th.Key), pos: detInkOf(th.Positive), neg: detInkOf(th.Negative),
		warn: detInkOf(th.Warning), sel: detInkOf(th.Selected), header: detInkOf(th.Header),
	}
}

// sign styles s by the sign of v, as themes.Theme.Sign does.
func (pal *detPal) sign(v float64, s string) string {
	switch {
	case v > 0:
		return pal.pos.paint(s)
	case v < 0:
		return pal.neg.paint(s)
	}
	return pal.text.paint(s)
}
