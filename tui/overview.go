package tui

import (
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// renderOverview draws the network, hashprice and sector panels, the chart
// of hashprice against the sector's median cost, and the feed-health line.
func renderOverview(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	net := overviewNetwork(d, th)
	hpW := w // the hashprice panel's width in the layouts below
	switch {
	case w >= 200:
		hpW = (w - 4) / 3
	case w >= 120:
		hpW = (w - 2) / 2
	}
	hp := overviewHashprice(d, hpW, th)
	health := overviewHealth(d, w, th)

	var top string
	switch {
	case w >= 200:
		cw := (w - 4) / 3
		top = columns(2, []string{net, hp, overviewSector(d, w-4-2*cw, th)}, []int{cw, cw, w - 4 - 2*cw})
	case w >= 120:
		cw := (w - 2) / 2
		top = columns(2, []string{net + "\n" + hp, overviewSector(d, w-2-cw, th)}, []int{cw, w - 2 - cw})
	default:
		top = net + "\n" + hp + "\n" + overviewSector(d, w, th)
	}
	topH := strings.Count(top, "\n") + 1
	chartH := h - topH - 2 // a blank line and the health line
	if chartH < 6 {
		// Too little room for a chart: a one-line sparkline of the range
		// instead, and with no room for that either, the feeds line (it
		// names the data's sources and licence) keeps its place.
		if topH+2 > h {
			return fit(top+"\n"+health, w, h)
		}
		return fit(top+"\n"+overviewSparkline(d, ui, w, th)+"\n"+health, w, h)
	}
	return fit(top+"\n"+overviewChart(d, ui, w, chartH, th)+"\n"+health, w, h)
}

// row formats "label  value  note" with a fixed label width.
func row(th themes.Theme, label, value, note string) string {
	s := " " + th.Muted.Render(padRight(label, 11)) + " " + value
	if note != "" {
		s += "  " + th.Muted.Render(note)
	}
	return s
}

// sourcedNote says where a value comes from when it is not fresh live data.
func sourcedNote(s board.Sourced, now time.Time) string {
	switch {
	case !s.OK:
		return ""
	case s.Layer == board.LayerEmbedded && s.Stale:
		// The board is dated well after the embedded data end.
		return "STALE embedded " + s.At.Format("2006-01-02")
	case s.Layer == board.LayerEmbedded:
		return "embedded " + s.At.Format("2006-01-02")
	case s.Stale:
		return "STALE " + format.Age(now.Sub(s.At))
	}
	return ""
}

// staleTitle is the mark a section's title carries when the network values
// it shows are stale ("  STALE embedded 2025-12-29"), or "".
func staleTitle(d *board.Data, th themes.Theme) string {
	if c := d.Computed; c.Stale {
		return "  " + th.Warning.Render(sourcedNote(c, d.Now))
	}
	return ""
}

func overviewNetwork(d *board.Data, th themes.Theme) string {
	n := d.Board.Network
	if !d.Scenario.IsZero() {
		n = d.Base.Network
	}
	var b []string
	// A stale network marks its section, every row of which it feeds
	// (found in review: hashrate, fees, epoch and halving had no mark).
	b = append(b, th.Title.Render(" Network")+staleTitle(d, th))
	price := format.Maybe(n.Price, func(v econ.USDPerBTC) string { return format.USD(float64(v), 0) })
	note := sourcedNote(d.Price, d.Now)
	if d.PriceSources.OK {
		note = strings.TrimSpace(format.Num(d.PriceSources.V, 0) + " exchanges · spread " + format.Num(d.PriceSpread.V, 2) + "% " + note)
	}
	b = append(b, row(th, "BTC", price, note))
	b = append(b, row(th, "difficulty", format.Maybe(n.Difficulty, func(v econ.Difficulty) string { return format.SI(float64(v), 2) }), sourcedNote(d.Difficulty, d.Now)))
	// The hashrate and the halving's pace come from the mean block time:
	// as stale as it when the title does not say so already (found in
	// review: live, with the poll's block time refused, "at 580 s blocks"
	// was the embedded 2025-12-29 figure, unmarked).
	blockNote := ""
	if note := sourcedNote(d.BlockTime, d.Now); d.BlockTime.Stale && (!d.Computed.Stale || note != sourcedNote(d.Computed, d.Now)) {
		// Unless the title says the same (review: a title "STALE 2h" of a
		// stale poll hid a block time of the embedded day's).
		blockNote = th.Warning.Render(note)
	}
	b = append(b, row(th, "hashrate", format.Maybe(n.Hashrate, func(v econ.EHs) string { return format.Num(float64(v), 0) + " EH/s" }),
		strings.TrimSpace("at "+format.Num(n.MeanBlockTime, 0)+" s blocks  "+blockNote)))
	fees := format.Maybe(n.FeesPerBlock, func(v econ.BTC) string { return format.Num(float64(v), 4) + " BTC/block" })
	share := format.Maybe(n.FeeShare, func(v econ.Percent) string { return format.Num(float64(v), 2) + "% of reward" })
	b = append(b, row(th, "fees", fees, share))
	b = append(b, row(th, "epoch", epochLine(n, th), adjustmentNote(d)))
	halving := format.Maybe(n.BlocksToHalving, func(v int64) string { return format.Num(float64(v), 0) + " blocks" })
	hnote := ""
	if !n.HalvingETA.IsZero() {
		// At the 600 s target, with the date at the observed pace beside it.
		hnote = "≈" + n.HalvingETA.Format("2006-01-02")
		if o := n.HalvingETAObserved; !o.IsZero() && o.Format(time.DateOnly) != n.HalvingETA.Format(time.DateOnly) {
			if blockNote != "" {
				hnote += " (pace " + o.Format("2006-01-02") + " " + th.Warning.Render("STALE") + ")"
			} else {
				hnote += " (pace " + o.Format("2006-01-02") + ")"
			}
		}
	}
	b = append(b, row(th, "halving", halving, hnote))
	return strings.Join(b, "\n")
}

// epochLine is a progress bar of the retarget epoch with the estimate.
func epochLine(n econ.NetworkView, th themes.Theme) string {
	h, ok := n.Height.Get()
	if !ok {
		return format.Unknown
	}
	in := h % econ.EpochBlocks
	const barW = 8
	filled := int(float64(in) / econ.EpochBlocks * barW)
	bar := th.Accent.Render(strings.Repeat("█", filled)) + th.Muted.Render(strings.Repeat("░", barW-filled))
	s := bar + " " + format.Num(float64(in)/econ.EpochBlocks*100, 0) + "%"
	if a := n.Adjustment; a != nil && a.ChangePct.OK() {
		c := float64(a.ChangePct.Or(0))
		s += " " + th.Sign(-c, arrow(c)+format.Signed(c, 2)+"%") + " " + a.ETA.UTC().Format("2006-01-02 15:04Z")
	} else {
		s += " next " + format.Unknown
	}
	return s
}

// adjustmentNote says whose next-difficulty estimate the epoch line shows:
// "est." for hashdeck's (from the epoch's mean block time so far), else the
// upstream that sent it ("mempool"); when the change and the date come from
// different places, both ("mempool, date est.").
func adjustmentNote(d *board.Data) string {
	short := func(src string) string {
		if strings.HasPrefix(src, "hashdeck") {
			return "est."
		}
		return strings.TrimSuffix(strings.Fields(src)[0], ".space")
	}
	change, date := d.AdjustmentSource, d.RetargetDateSource
	switch {
	case change == "":
		return ""
	case date == "" || short(date) == short(change):
		return short(change)
	}
	return short(change) + ", date " + short(date)
}

// arrow returns ▲ for a rise, ▼ for a fall and nothing for zero.
func arrow(v float64) string {
	switch {
	case v > 0:
		return "▲"
	case v < 0:
		return "▼"
	}
	return ""
}

// signedPct formats a known percentage with its sign, arrow and colour.
func signedPct(m econ.Maybe[econ.Percent], th themes.Theme) string {
	v, ok := m.Get()
	if !ok {
		return format.Unknown
	}
	return th.Sign(float64(v), arrow(float64(v))+format.Signed(float64(v), 1)+"%")
}

func overviewHashprice(d *board.Data, w int, th themes.Theme) string {
	n := d.Board.Network
	var b []string
	title := " Hashprice"
	if !d.Scenario.IsZero() {
		title += th.Warning.Render("  (scenario)")
	}
	b = append(b, th.Title.Render(title))
	usd := format.Maybe(n.Hashprice, func(v econ.USDPerPHDay) string {
		return th.Accent.Bold(true).Render(format.USD(float64(v), 2)) + " /PH/day"
	})
	btc := format.Maybe(n.Hashvalue, func(v econ.BTCPerPHDay) string { return format.Num(float64(v), 8) + " BTC/PH/day" })
	note := format.Maybe(n.HashpriceTH, func(v econ.USDPerTHDay) string { return format.USD(float64(v), 4) + " /TH/day" })
	if c := d.Computed; c.Stale {
		// As stale as its stalest input (issue 13 row 4); the per-TH/s
		// figure gives way when both do not fit, rather than lose its unit
		// (found in the second review: "$0.0372 …" at 200 columns).
		stale := th.Warning.Render(sourcedNote(c, d.Now))
		if cellWidth(row(th, "USD", usd, stale+"  "+note)) <= w {
			note = stale + "  " + note
		} else {
			note = stale
		}
	}
	b = append(b, row(th, "USD", usd, note))
	b = append(b, row(th, "BTC", btc, ""))
	change := "24h " + signedPct(d.Change24h, th) + "   7d " + signedPct(d.Change7d, th)
	b = append(b, row(th, "change", change, ""))
	if d.HasRecord {
		low := d.RecordLow.USDPerPHDay.Or(0)
		dist := format.Unknown
		if hp, ok := n.Hashprice.Get(); ok && low > 0 {
			dist = format.Signed((float64(hp)/float64(low)-1)*100, 1) + "% from it"
		}
		note := d.RecordLow.Period.Label + " · " + dist
		if c := d.Computed; c.Stale {
			// Known up to the stale hashprice's day, not up to now: a
			// later record may exist (found in review: $35.06 of
			// 2025-11-22 offline in 2026, under a record of 2026-02-02).
			mark := " · " + th.Warning.Render("to "+c.At.Format("2006-01-02"))
			if cellWidth(row(th, "record low", format.USD(float64(low), 2), note+mark)) > w {
				mark = " · " + th.Warning.Render("STALE")
			}
			note += mark
		}
		b = append(b, row(th, "record low", format.USD(float64(low), 2), note))
	}
	if d.Published.OK {
		gap := format.Unknown
		if hp, ok := n.Hashprice.Get(); ok && d.Published.V > 0 {
			gap = format.Signed((float64(hp)/d.Published.V-1)*100, 1) + "% ours vs theirs"
		}
		b = append(b, row(th, "published", format.USD(d.Published.V, 2), "Hashrate Index · "+gap))
	}
	return strings.Join(b, "\n")
}

// overviewSector states the sector headline of the sector rule in words,
// at one scope with its n or the published benchmark it falls back to,
// then each scope's median with its n and margin, then the under-water
// count at one scope. No statement mixes scopes. w is the panel's width.
func overviewSector(d *board.Data, w int, th themes.Theme) string {
	r := d.Board.SectorRule
	title := th.Title.Render(" Sector")
	if c := d.Computed; c.Stale {
		// The margins are hashprice less cost: as stale as the hashprice
		// (first, so a narrow panel keeps it).
		title += "  " + th.Warning.Render("margins "+sourcedNote(c, d.Now))
	}
	// The subtitle whole or shorter, never cut: "listed miners' median…"
	// at 200 columns (found in review) read as if it were about to say more.
	for _, sub := range []string{"  listed miners' median cost, $/PH/day", "  median cost, $/PH/day", "  $/PH/day"} {
		if cellWidth(title)+len(sub) <= w {
			title += th.Muted.Render(sub)
			break
		}
	}
	b := []string{title}
	for _, l := range headlineLines(r.Headline, w-3) {
		b = append(b, "  "+sectorPaint(r.Headline, l, th))
	}
	for _, s := range econ.Scopes() {
		sc := r.Scopes[s]
		med := format.Maybe(sc.Median, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })
		margin := ""
		if m, ok := sc.Margin.Get(); ok {
			margin = "margin " + th.Sign(float64(m), arrow(float64(m))+format.Signed(float64(m), 2))
		}
		line := " " + th.Muted.Render(padRight(s.String(), 7)) + padLeft(med, 8) + th.Muted.Render("  n "+padRight(format.Num(float64(sc.N), 0), 3)) + margin
		if len(sc.Tickers) > 0 && cellWidth(line)+2 < w {
			line += th.Muted.Render("  " + ansi.Truncate(strings.Join(sc.Tickers, " "), w-cellWidth(line)-3, "…"))
		}
		b = append(b, line)
	}
	u := r.UnderWater
	if u.Of > 0 {
		count := format.Maybe(u.Count, func(v int) string { return format.Num(float64(v), 0) })
		cst := th.Muted // a count of 0 is no alarm
		if c, ok := u.Count.Get(); ok && c > 0 {
			cst = th.Negative.Bold(true)
		}
		line := " " + cst.Render(count) + " of " + format.Num(float64(u.Of), 0) + " under water at " + u.Scope.String()
		if hint := " · a computed median leads from n " + format.Num(econ.MinHeadlineN, 0); cellWidth(line)+cellWidth(hint) <= w {
			line += th.Muted.Render(hint)
		}
		b = append(b, line)
	} else {
		b = append(b, th.Muted.Render(" no miner has a recent cost at any scope"))
	}
	return strings.Join(b, "\n")
}

// headlineLines wraps the sector headline to w columns: two lines, or
// three when there is no headline (the reason is the news then, and the
// scopes' lines below are all unknown). A reason that needs more ends in
// "…": it is not cut mid-sentence without a sign.
func headlineLines(h econ.Headline, w int) []string {
	lines, most := wrapWords(sectorHeadline(h), w), 2
	if h.Source == "" {
		most = 3
	}
	if len(lines) > most {
		lines = lines[:most]
		last := ansi.Truncate(lines[most-1], w-2, "")
		lines[most-1] = strings.TrimRight(last, " ") + " …"
	}
	return lines
}

// sectorHeadline is the sector headline in words, e.g. "median listed
// miner under water at cash: cost $44.00 vs hashprice $37.16 (TheMinerMag
// 2025-Q3, pub 2025-11-14~)", or why there is none.
func sectorHeadline(h econ.Headline) string {
	if h.Source == "" {
		return "no sector headline: " + h.Why
	}
	// Without a margin (no hashprice) the line names no water state.
	state := ""
	if m, ok := h.Margin.Get(); ok {
		state = " above water"
		if m < 0 {
			state = " under water"
		}
	}
	s := "median listed miner" + state + " at " + h.Scope.String() + ": cost " +
		format.Maybe(h.Median, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) }) + " vs hashprice " +
		format.Maybe(h.Hashprice, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })
	pub := ""
	if !h.Published.IsZero() {
		pub = ", pub " + h.Published.String()
		if h.PublishedEstimated {
			pub += "~" // the publication day is an estimate
		}
	}
	if h.Source == "computed" {
		return s + " (n " + format.Num(float64(h.N), 0) + ", " + h.Period + pub + ")"
	}
	return s + " (" + h.Source + " " + h.Period + pub + ")"
}

// medianStepLines are the sector's medians over the grid's days as
// quarterly steps, point in time (a quarter's step starts when its figures
// were published): one line per scope that has a median in the range,
// named with the scope and today's n, and the published benchmark the
// headline falls back to as a step from its publication day.
func medianStepLines(d *board.Data, grid []time.Time) []Line {
	var out []Line
	// The step in force on each day (econ.StepAt), found in one walk: the
	// grid and the steps are in order.
	at := make([]*econ.MedianStep, len(grid))
	for i, j := 0, 0; i < len(grid); i++ {
		day := econ.DateOf(grid[i])
		if !d.StepsTo.IsZero() && day.After(d.StepsTo) {
			break // the rule was not evaluated past its own day
		}
		for j < len(d.MedianSteps) && !d.MedianSteps[j].From.After(day) {
			j++
		}
		if j > 0 {
			at[i] = &d.MedianSteps[j-1]
		}
	}
	slots := [econ.NumScopes]int{2, 3, 4, 5}
	for _, s := range econ.Scopes() {
		vals := make([]float64, len(grid))
		any := false
		for i := range grid {
			vals[i] = math.NaN()
			if st := at[i]; st != nil {
				if v, ok := st.Medians[s].Get(); ok {
					vals[i], any = float64(v), true
				}
			}
		}
		if any {
			n := d.Board.SectorRule.Scopes[s].N
			out = append(out, Line{Name: "median " + s.String() + " (n " + format.Num(float64(n), 0) + " now)", Values: vals, Series: slots[s]})
		}
	}
	if hl := d.Board.SectorRule.Headline; hl.Source != "" && hl.Source != "computed" {
		vals := make([]float64, len(grid))
		any := false
		for i := range grid {
			vals[i] = math.NaN()
			if st := at[i]; st != nil && st.Headline.Source == hl.Source && st.Headline.Metric == hl.Metric {
				if v, ok := st.Headline.Median.Get(); ok {
					vals[i], any = float64(v), true
				}
			}
		}
		if any {
			out = append(out, Line{Name: hl.Source + " " + hl.Scope.String() + " " + hl.Period, Values: vals, Series: 6})
		}
	}
	return out
}

// headlineLabel names the headline's figure for a chart legend: scope,
// source and quarter, with n when computed ("median cash cost, TheMinerMag
// 2025-Q3" or "median direct cost, n 6, 2025-Q2..2025-Q3").
func headlineLabel(h econ.Headline) string {
	if h.Source == "computed" {
		return "median " + h.Scope.String() + " cost, n " + format.Num(float64(h.N), 0) + ", " + h.Period
	}
	return "median " + h.Scope.String() + " cost, " + h.Source + " " + h.Period
}

// sectorPaint colours a line of the headline: red when the median miner
// is under water, green above, plain when unknown.
func sectorPaint(h econ.Headline, line string, th themes.Theme) string {
	m, ok := h.Margin.Get()
	if !ok || h.Source == "" {
		return th.Muted.Render(line)
	}
	return th.Sign(float64(m), line)
}

// overviewChart draws hashprice over the range with the sector's median
// cost (headline scope) as a flat line: costs per PH/day do not move with
// price or difficulty.
func overviewChart(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	pts := d.Hashprice.Points
	if len(pts) == 0 {
		return fit(th.Muted.Render(" no hashprice history"), w, h)
	}
	end := pts[len(pts)-1].T
	start := ui.Range.Start(end)
	title := " Hashprice vs sector median cost · " + ui.Range.String()
	if !start.After(pts[0].T) {
		// The range reaches before the history: say what the chart spans
		// ("3Y" over one year of data claimed more than it drew).
		start = pts[0].T
		title += " (history from " + start.Format("2006-01-02") + ")"
	}
	grid := board.DayGrid(start, end)
	cols := board.Align(grid, 5*24*time.Hour, board.Window(pts, grid[0]))
	lines := []Line{{Name: "hashprice", Values: cols[0], Series: 0}}
	lines = append(lines, medianStepLines(d, grid)...)
	switch n := len(pts); {
	case end.Before(d.Now.Add(-48 * time.Hour)):
		title += th.Muted.Render("  history ends " + end.Format("2006-01-02"))
	case n > 1 && end.Sub(pts[n-2].T) > 7*24*time.Hour:
		// A live point after a stale history: the line stops long before
		// the dot at the end (found in review, live: eleven months blank
		// under a title that said nothing).
		title += th.Muted.Render("  history ends " + pts[n-2].T.Format("2006-01-02") + ", then " + end.Format("2006-01-02"))
	}
	chart := Chart(lines, grid, w, h-1, "$/PH/day", func(v float64, d int) string { return "$" + format.Num(v, d) }, th)
	return th.Title.Render(ansi.Truncate(title, w, "…")) + "\n" + chart
}

// attributionLine is head, then the data's sources (a comma-separated
// list) whole, as many as fit in w, with "…" for the rest: a source's
// licence is never cut ("CC BY-NC 4.…", found in review at 80 columns).
// short replaces head when the first source and the "…" do not fit
// beside it. Only when w cannot hold the first source is it cut.
func attributionLine(head, short, attribution string, w int) string {
	items := strings.Split(attribution, ", ")
	if cellWidth(head+" · "+items[0]+", …") > w {
		head = short
	}
	s := head + " · " + items[0]
	for i, it := range items[1:] {
		more := ""
		if i+2 < len(items) {
			more = ", …"
		}
		if cellWidth(s+", "+it+more) > w {
			if cellWidth(s+", …") <= w {
				return s + ", …"
			}
			return ansi.Truncate(s, w, "…")
		}
		s += ", " + it
	}
	return ansi.Truncate(s, w, "…")
}

// overviewHealth is one line: each feed group and its live source.
func overviewHealth(d *board.Data, w int, th themes.Theme) string {
	if len(d.Health) == 0 {
		s, short := " feeds: offline — embedded data only", " feeds: offline"
		if d.Mode != board.ModeOffline {
			s, short = " feeds: waiting for the first answer…", " feeds: waiting…"
		}
		return th.Muted.Render(attributionLine(s, short, d.Attribution, w))
	}
	groups := map[string][]string{}
	var order []string
	for _, h := range d.Health {
		if _, ok := groups[h.Group]; !ok {
			order = append(order, h.Group)
		}
		mark := th.Muted.Render("·")
		switch {
		case h.Live:
			mark = th.Positive.Render("✓")
		case h.Failures > 0:
			mark = th.Negative.Render("✗")
		}
		groups[h.Group] = append(groups[h.Group], mark+h.Name)
	}
	parts := make([]string, 0, len(order))
	for _, g := range order {
		parts = append(parts, th.Muted.Render(g+":")+" "+strings.Join(groups[g], " "))
	}
	return ansi.Truncate(" "+strings.Join(parts, "  "), w, "…")
}

// overviewSparkline is the hashprice over the range in one line of block
// characters, with its low and high: the chart for small terminals.
func overviewSparkline(d *board.Data, ui UI, w int, th themes.Theme) string {
	pts := d.Hashprice.Points
	if len(pts) == 0 {
		return ""
	}
	end := pts[len(pts)-1].T
	span := " to " + end.Format("2006-01-02")
	if start := ui.Range.Start(end); !start.After(pts[0].T) {
		span = " " + pts[0].T.Format("2006-01-02") + span // the range reaches before the history
	}
	pts = board.Window(pts, ui.Range.Start(end))
	label := " " + th.Muted.Render(padRight("trend "+ui.Range.String(), 11)) + " "
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
	}
	tail := "  $" + format.Num(lo, 0) + "–$" + format.Num(hi, 0) + span
	n := w - cellWidth(label) - len(tail) - 1
	if n < 8 || len(pts) == 0 {
		return ""
	}
	const ticks = "▁▂▃▄▅▆▇█"
	var b strings.Builder
	for i := range n {
		// Mean of the points falling in this cell.
		a, z := i*len(pts)/n, max((i+1)*len(pts)/n, i*len(pts)/n+1)
		var sum float64
		for _, p := range pts[a:min(z, len(pts))] {
			sum += p.V
		}
		v := sum / float64(min(z, len(pts))-a)
		k := 0
		if hi > lo {
			k = int((v - lo) / (hi - lo) * 7.999)
		}
		b.WriteRune([]rune(ticks)[k])
	}
	return label + th.Series[0].Render(b.String()) + th.Muted.Render(tail)
}
