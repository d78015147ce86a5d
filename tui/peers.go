package tui

import (
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

// The peers table's columns, in display order. Their indices are the
// values of UI.SortCol (see peerColumns); sortConfig is the configured
// order, which is the zero UI's order.
//
// The order is also the order columns are dropped in from the right when
// the terminal is narrow: the columns that matter at 80 cells come first,
// so a column is either absent or at the same x whatever the width (which
// lets peersClick map a click to a column without knowing the width).
const (
	sortConfig = iota
	colTicker
	colPrice
	colDay
	colCost
	colScope
	colMargin
	colAIMW
	colAIParty
	colMonth
	colYear
	colCap
	colHash
	colEff
	colPerBTC
	colCorr
	numPeerCols
)

// colHashLabel is the hashrate's label, drawn right of the hashrate; it
// sorts with the hashrate.
const colHashLabel = numPeerCols

// peerCol describes one sortable column of the peers table.
type peerCol struct {
	// Name is the header: the column's name and unit.
	Name string
	// Desc is the direction a column starts in when it is picked: largest
	// first for most numbers, smallest first for costs and J/TH, A–Z for text.
	Desc bool
	// Left aligns the column left (text); numbers are right-aligned.
	Left bool
}

// peerColumns are the sortable columns, in order (s and S step through
// them; index 0 is the configured order and has no header).
var peerColumns = [numPeerCols]peerCol{
	sortConfig: {Name: "config order"},
	colTicker:  {Name: "Ticker", Left: true},
	colPrice:   {Name: "Price $", Desc: true},
	colDay:     {Name: "Day %", Desc: true},
	colCost:    {Name: "Cost $/PH/d"},
	colScope:   {Name: "Scope", Left: true},
	colMargin:  {Name: "Margin $/PH/d", Desc: true},
	colAIMW:    {Name: "AI MW", Desc: true},
	colAIParty: {Name: "AI counterparty", Left: true},
	colMonth:   {Name: "1M %", Desc: true},
	colYear:    {Name: "1Y %", Desc: true},
	colCap:     {Name: "Mkt cap $", Desc: true},
	colHash:    {Name: "Hashrate EH/s", Desc: true},
	colEff:     {Name: "J/TH"},
	colPerBTC:  {Name: "$/BTC now"},
	colCorr:    {Name: "BTC corr 90d", Desc: true},
}

// peerDisplay lists the drawn columns left to right: every sortable column
// and the hashrate label after the hashrate.
var peerDisplay = [...]int{colTicker, colPrice, colDay, colCost, colScope, colMargin, colAIMW, colAIParty,
	colMonth, colYear, colCap, colHash, colHashLabel, colEff, colPerBTC, colCorr}

const (
	peerIndent  = 1  // the left margin, where the selected row's › goes
	peerGap     = 2  // cells between columns
	peerMinText = 16 // narrowest a cut text column may be
)

// peerGapBefore is the gap left of display column c: the scope and the
// hashrate label sit close to the number they qualify.
// peerLeft reports whether display column c is left-aligned text.
func peerLeft(c int) bool { return c == colHashLabel || peerColumns[c].Left }

func peerGapBefore(c int) int {
	if c == colScope || c == colHashLabel {
		return 1
	}
	return peerGap
}

// peerSortKey is row r's value in sortable column c, and whether it is known.
func peerSortKey(r *board.PeerRow, c int) (num float64, str string, ok bool) {
	m := &r.Miner
	cost := func(f func(econ.MinerCost) (float64, bool)) (float64, string, bool) {
		if !m.HasCost {
			return 0, "", false
		}
		v, ok := f(m.Costs[m.Headline])
		return v, "", ok
	}
	switch c {
	case sortConfig:
		return 0, "", true
	case colTicker:
		return 0, r.Ticker, true
	case colPrice:
		return r.Price.V, "", r.Price.OK
	case colDay:
		return pct(r.DayPct)
	case colMonth:
		return pct(r.MonthPct)
	case colYear:
		return pct(r.YearPct)
	case colCap:
		v, ok := r.MarketCap.Get()
		return float64(v), "", ok
	case colHash:
		v, ok := m.Hashrate.Get()
		return float64(v), "", ok
	case colEff:
		v, ok := m.Efficiency.Get()
		return float64(v), "", ok
	case colCost:
		return cost(func(c econ.MinerCost) (float64, bool) { v, ok := c.PerPHDay.Get(); return float64(v), ok })
	case colPerBTC:
		return cost(func(c econ.MinerCost) (float64, bool) { v, ok := c.PerBTC.Get(); return float64(v), ok })
	case colMargin:
		return cost(func(c econ.MinerCost) (float64, bool) { v, ok := c.Margin.Get(); return float64(v), ok })
	case colScope:
		return float64(m.Headline), "", m.HasCost
	case colAIMW:
		v, ok := r.AIMW.Get()
		return v, "", ok
	case colAIParty:
		return 0, strings.ToLower(r.AICounterparty), r.AICounterparty != ""
	case colCorr:
		v, ok := r.Corr90.Get()
		return v, "", ok
	}
	return 0, "", false
}

func pct(m econ.Maybe[econ.Percent]) (float64, string, bool) {
	v, ok := m.Get()
	return float64(v), "", ok
}

// peerSortGroup is the group of row r when sorting by column c: for the
// cost, $/BTC and margin columns, its headline scope, widest first, and
// within a scope current costs before old ones (a cost before the sector
// rule's window), so that costs of different scopes or dates are never
// ranked against each other (a power-only cost is not "cheaper" than an
// all-in one); 0 otherwise.
func peerSortGroup(r *board.PeerRow, c int) int {
	switch c {
	case colCost, colPerBTC, colMargin:
		g := 2 * (econ.NumScopes - 1 - int(r.Miner.Headline))
		if r.Miner.HasCost && r.Miner.Costs[r.Miner.Headline].OutsideWindow {
			g++
		}
		return g
	}
	return 0
}

// peerOrder returns indices into d.Peers in display order: sorted by
// ui.SortCol in ui.SortDesc's direction within each group (peerSortGroup,
// in the same order in either direction), ties in configured order, and
// rows whose value is unknown last in either direction.
func peerOrder(d *board.Data, ui UI) []int {
	order := make([]int, len(d.Peers))
	for i := range order {
		order[i] = i
	}
	col := ui.SortCol
	if col <= sortConfig || col >= numPeerCols {
		if ui.SortDesc {
			slices.Reverse(order)
		}
		return order
	}
	type key struct {
		num   float64
		str   string
		ok    bool
		group int
	}
	keys := make([]key, len(d.Peers))
	for i := range d.Peers {
		n, s, ok := peerSortKey(&d.Peers[i], col)
		keys[i] = key{n, s, ok, peerSortGroup(&d.Peers[i], col)}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := keys[a], keys[b]
		switch {
		case !ka.ok && !kb.ok:
			return 0
		case !ka.ok:
			return 1
		case !kb.ok:
			return -1
		case ka.group != kb.group: // in either direction
			return ka.group - kb.group
		}
		c := strings.Compare(ka.str, kb.str)
		if c == 0 {
			switch {
			case ka.num < kb.num:
				c = -1
			case ka.num > kb.num:
				c = 1
			}
		}
		if ui.SortDesc {
			c = -c
		}
		return c
	})
	return order
}

// peersKey handles a key pressed on the peers view (Keys.Peers): it moves
// the selection, sorts by the next / previous column, reverses the sort or
// opens the selected miner's detail.
func peersKey(ui UI, d *board.Data, name string) UI {
	k, km := keyName(name), &Keys.Peers
	n := len(d.Peers)
	switch {
	case key.Matches(k, km.Up):
		ui.Selected = clampSel(clampSel(ui.Selected, n)-1, n)
	case key.Matches(k, km.Down):
		ui.Selected = clampSel(clampSel(ui.Selected, n)+1, n)
	case key.Matches(k, km.SortNext):
		ui = peersSortBy(ui, d, (clampCol(ui.SortCol)+1)%numPeerCols)
	case key.Matches(k, km.SortPrev):
		ui = peersSortBy(ui, d, (clampCol(ui.SortCol)+numPeerCols-1)%numPeerCols)
	case key.Matches(k, km.Reverse):
		ticker := selectedTicker(d, ui)
		ui.SortDesc = !ui.SortDesc
		ui = reselect(ui, d, ticker)
	case key.Matches(k, km.Open):
		if n == 0 {
			return ui
		}
		ui.Selected = clampSel(ui.Selected, n)
		ui.Detail = selectedTicker(d, ui)
		ui.View = ViewDetail
	}
	return ui
}

// peersSortBy sorts by column col in its starting direction, keeping the
// selected miner selected.
func peersSortBy(ui UI, d *board.Data, col int) UI {
	ticker := selectedTicker(d, ui)
	ui.SortCol = col
	ui.SortDesc = peerColumns[col].Desc
	return reselect(ui, d, ticker)
}

// selectedTicker is the ticker of the selected row ("" with no peers).
func selectedTicker(d *board.Data, ui UI) string {
	if len(d.Peers) == 0 {
		return ""
	}
	return d.Peers[peerOrder(d, ui)[clampSel(ui.Selected, len(d.Peers))]].Ticker
}

// reselect points the selection at ticker in ui's order.
func reselect(ui UI, d *board.Data, ticker string) UI {
	for i, p := range peerOrder(d, ui) {
		if d.Peers[p].Ticker == ticker {
			ui.Selected = i
			return ui
		}
	}
	ui.Selected = clampSel(ui.Selected, len(d.Peers))
	return ui
}

func clampSel(i, n int) int { return max(0, min(i, n-1)) }

func clampCol(c int) int {
	if c < 0 || c >= numPeerCols {
		return sortConfig
	}
	return c
}

// peersClickIn handles a click at cell x of line y of a view body of h
// lines (scrolled as renderPeers scrolls it): a click on a header sorts by
// that column (again: reverses it), a click on a row selects it.
func peersClickIn(ui UI, d *board.Data, x, y, h int) UI {
	n := len(d.Peers)
	if n == 0 || y < 0 {
		return ui
	}
	if y == 0 {
		t := newPeerTable(d, ui, peerOrder(d, ui))
		for i, c := range t.layout(math.MaxInt32) {
			if x >= t.x[i] && x < t.x[i]+t.w[i] {
				if c == colHashLabel {
					c = colHash
				}
				if c == ui.SortCol {
					ticker := selectedTicker(d, ui)
					ui.SortDesc = !ui.SortDesc
					return reselect(ui, d, ticker)
				}
				return peersSortBy(ui, d, c)
			}
		}
		return ui
	}
	off, vis := peerScroll(clampSel(ui.Selected, n), n, h-1)
	if row := off + y - 1; y-1 < vis && row < n {
		ui.Selected = row
	}
	return ui
}

// peerScroll returns the first row shown and how many rows show in room
// lines, so that the selected row sel of n is visible.
func peerScroll(sel, n, room int) (off, vis int) {
	vis = max(1, min(n, room))
	off = max(0, min(sel-vis+1, n-vis))
	return off, vis
}

// Text styles a cell can take; painted without lipgloss per cell.
const (
	stPlain uint8 = iota
	stMuted
	stPos
	stNeg
	stWarn
	stAccent
	numSt
)

// painter wraps text in a theme role's escape codes: each role is rendered
// once per frame and its prefix and suffix reused.
type painter struct{ pre, suf [numSt]string }

func newPainter(th themes.Theme) *painter {
	p := &painter{}
	styles := [numSt]lipgloss.Style{stMuted: th.Muted, stPos: th.Positive, stNeg: th.Negative, stWarn: th.Warning, stAccent: th.Accent}
	for i := stMuted; i < numSt; i++ {
		out := styles[i].Render("X")
		if j := strings.IndexByte(out, 'X'); j >= 0 {
			p.pre[i], p.suf[i] = out[:j], out[j+1:]
		}
	}
	return p
}

// peerCell is one cell: text in a style, and an optional suffix in another
// (the price's stale marker).
type peerCell struct {
	s, suf    string
	st, sufSt uint8
	width     int
}

func cell(s string, st uint8) peerCell {
	if s == format.Unknown {
		st = stMuted
	}
	return peerCell{s: s, st: st, width: cellWidth(s)}
}

// signCell colours s by its printed sign, so colour never says more than the text.
func signCell(s string) peerCell {
	st := stPlain
	switch {
	case strings.HasPrefix(s, "+"), strings.HasPrefix(s, "▲"):
		st = stPos
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "▼"):
		st = stNeg
	}
	return cell(s, st)
}

// peerTable holds every cell of the table in display order, the column
// widths and, after layout, the columns that fit and where.
type peerTable struct {
	ui    UI
	order []int
	cells [][numPeerCols + 1]peerCell
	width [numPeerCols + 1]int
	// x and w are the visible columns' start and width (after layout).
	x, w []int
}

// newPeerTable computes the cells of d's peers in order and the column widths.
func newPeerTable(d *board.Data, ui UI, order []int) *peerTable {
	t := &peerTable{ui: ui, order: order, cells: make([][numPeerCols + 1]peerCell, len(order))}
	for i, pi := range order {
		r := &d.Peers[pi]
		t.cells[i] = peerCells(r)
	}
	for _, c := range peerDisplay {
		w := cellWidth(t.header(c))
		if c == colHashLabel {
			w = 0
		}
		for i := range t.cells {
			w = max(w, t.cells[i][c].width)
		}
		t.width[c] = w
	}
	return t
}

// header is display column c's header, with ▲/▼ when the table is sorted by it.
func (t *peerTable) header(c int) string {
	if c == colHashLabel {
		return ""
	}
	h := peerColumns[c].Name
	if c == t.ui.SortCol {
		if t.ui.SortDesc {
			h += " ▼"
		} else {
			h += " ▲"
		}
	}
	return h
}

// layout picks the columns that fit in w cells, left to right, and returns
// them; a text column that does not fit whole is cut if enough room is left.
func (t *peerTable) layout(w int) []int {
	t.x, t.w = t.x[:0], t.w[:0]
	var cols []int
	x := peerIndent
	for _, c := range peerDisplay {
		cw := t.width[c]
		if cw == 0 {
			continue // a label column with nothing to say
		}
		start := x
		if len(cols) > 0 {
			start += peerGapBefore(c)
		}
		if start+cw > w {
			if peerLeft(c) && c != colHashLabel && w-start >= peerMinText {
				cols = append(cols, c)
				t.x, t.w = append(t.x, start), append(t.w, w-start)
			}
			break
		}
		cols = append(cols, c)
		t.x, t.w = append(t.x, start), append(t.w, cw)
		x = start + cw
	}
	return cols
}

// peerCells formats one row's cells.
func peerCells(r *board.PeerRow) [numPeerCols + 1]peerCell {
	var c [numPeerCols + 1]peerCell
	m := &r.Miner
	c[colTicker] = cell(r.Ticker, stAccent)
	if r.Price.OK {
		c[colPrice] = cell(format.USD(r.Price.V, 2), stPlain)
		if peerNotLive(r) {
			c[colPrice].suf, c[colPrice].sufSt = "*", stWarn
		} else {
			c[colPrice].suf = " "
		}
		c[colPrice].width++
	} else {
		c[colPrice] = cell(format.Unknown, stMuted)
	}
	c[colDay] = signCell(pctString(r.DayPct, 1))
	c[colMonth] = signCell(pctString(r.MonthPct, 1))
	c[colYear] = signCell(pctString(r.YearPct, 0))
	c[colCap] = cell(format.Maybe(r.MarketCap, func(v econ.USD) string { return format.CompactUSD(float64(v)) }), stPlain)
	c[colHash] = cell(format.Maybe(m.Hashrate, func(v econ.EHs) string { return format.Num(float64(v), 1) }), stPlain)
	if m.Hashrate.OK() && m.HashrateLabel != "" {
		c[colHashLabel] = cell(abbrevLabel(m.HashrateLabel), stMuted)
	}
	c[colEff] = cell(format.Maybe(m.Efficiency, func(v econ.JoulesPerTH) string { return format.Num(float64(v), 1) }), stPlain)
	c[colCost], c[colScope], c[colPerBTC], c[colMargin] = cell(format.Unknown, stMuted), cell(format.Unknown, stMuted),
		cell(format.Unknown, stMuted), cell(format.Unknown, stMuted)
	if m.HasCost {
		mc := m.Costs[m.Headline]
		c[colCost] = cell(format.Maybe(mc.PerPHDay, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) }), stPlain)
		scope := m.Headline.String() + " " + costBasis(mc)
		if mc.Basis == econ.BasisReported {
			scope += " rep" // a published figure, not the sector rule's (see peerFooter)
		}
		c[colScope] = cell(scope, stMuted)
		c[colPerBTC] = cell(format.Maybe(mc.PerBTC, func(v econ.USDPerBTC) string { return format.USD(float64(v), 0) }), stPlain)
		c[colMargin] = signCell(format.Maybe(mc.Margin, marginString))
		if mc.OutsideWindow {
			c[colMargin] = cell(format.Maybe(mc.Margin, oldMarginString), stMuted)
		}
	}
	c[colAIMW] = cell(format.Maybe(r.AIMW, func(v float64) string {
		if v == math.Trunc(v) {
			return format.Num(v, 0)
		}
		return format.Num(v, 1)
	}), stPlain)
	party := r.AICounterparty
	if party == "" {
		party = format.Unknown
	}
	c[colAIParty] = cell(party, stPlain)
	c[colCorr] = cell(format.Maybe(r.Corr90, func(v float64) string { return format.Signed(v, 2) }), stPlain)
	return c
}

// peerNotLive reports whether a row's price is not a fresh live quote.
func peerNotLive(r *board.PeerRow) bool {
	return r.Price.OK && (r.Price.Stale || r.Price.Layer != board.LayerLive)
}

func pctString(m econ.Maybe[econ.Percent], decimals int) string {
	return format.Maybe(m, func(v econ.Percent) string { return format.Signed(float64(v), decimals) + "%" })
}

// marginString is a margin with its arrow and sign: "▲ +$18.11", "▼ -$3.19".
func marginString(v econ.USDPerPHDay) string {
	s := format.Signed(float64(v), 2)
	switch {
	case strings.HasPrefix(s, "+"):
		return "▲ +$" + s[1:]
	case strings.HasPrefix(s, "-"):
		return "▼ -$" + s[1:]
	}
	return "$" + s
}

// abbrevLabel shortens a hashrate label ("avg operating" → "avg op").
func abbrevLabel(l string) string {
	words := strings.Fields(strings.ToLower(l))
	out := make([]string, 0, len(words))
	for _, w := range words {
		switch w {
		case "average":
			w = "avg"
		case "operating", "operational":
			w = "op"
		case "installed":
			w = "inst"
		case "energized", "energised":
			w = "enrg"
		case "deployed":
			w = "depl"
		case "realized", "realised":
			w = "real"
		case "target":
			w = "tgt"
		case "mining":
			if len(words) > 1 {
				continue
			}
		}
		out = append(out, w)
	}
	s := strings.Join(out, " ")
	if cellWidth(s) > 10 {
		s = ansi.Truncate(s, 10, "…")
	}
	return s
}

// renderPeers draws the peers table: a header naming each column and its
// unit (the sorted one marked ▲/▼), one row per miner (the selected one
// highlighted and marked ›, scrolled into view), and under it, room
// permitting, what * means, the scope legend and the under-water count.
func renderPeers(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	n := len(d.Peers)
	if n == 0 {
		return fit(th.Muted.Render(" no miners configured"), w, h)
	}
	p := newPainter(th)
	order := peerOrder(d, ui)
	sel := clampSel(ui.Selected, n)
	t := newPeerTable(d, ui, order)
	off, vis := peerScroll(sel, n, h-1)
	// Which rows show, when they do not all fit: the columns leave it room.
	span := ""
	if vis < n {
		span = format.Num(float64(off+1), 0) + "–" + format.Num(float64(off+vis), 0) + " of " + format.Num(float64(n), 0)
	}
	cols := t.layout(w - cellWidth(span) - peerGap*min(len(span), 1))

	footer, show := peerFooter(d, w, th)
	priority := [...]int{3, 2, 1, 0}
	if c := clampCol(ui.SortCol); c != sortConfig && !slices.Contains(cols, c) {
		// Sorted by a column this width hides: say which, before the
		// legends (the blank line's place).
		dir := "▲"
		if ui.SortDesc {
			dir = "▼"
		}
		footer[0], show[0] = " "+th.Accent.Render("sorted by "+peerColumns[clampCol(ui.SortCol)].Name+" "+dir)+th.Muted.Render(" (hidden at this width)"), true
		priority = [...]int{3, 0, 2, 1}
	}
	room := h - 1 - vis
	// Footer lines by priority (under water, the * note, scopes, blank),
	// drawn in their own order.
	for _, i := range priority {
		if show[i] && room > 0 {
			room--
		} else {
			show[i] = false
		}
	}

	var b strings.Builder
	b.Grow((vis + 6) * (w + 32))
	// Header.
	var hdr strings.Builder
	hdr.WriteString(strings.Repeat(" ", peerIndent))
	pos := peerIndent
	for i, c := range cols {
		hdr.WriteString(strings.Repeat(" ", t.x[i]-pos))
		hs := t.header(c)
		if peerLeft(c) {
			hdr.WriteString(padRight(hs, t.w[i]))
		} else {
			hdr.WriteString(padLeft(hs, t.w[i]))
		}
		pos = t.x[i] + t.w[i]
	}
	b.WriteString(th.Header.Render(hdr.String()))
	if span != "" {
		if gap := w - pos - cellWidth(span); gap >= peerGap {
			b.WriteString(strings.Repeat(" ", gap) + th.Muted.Render(span))
		}
	}
	// Rows.
	var line strings.Builder
	for ri := off; ri < off+vis; ri++ {
		selected := ri == sel
		line.Reset()
		if selected {
			line.WriteString("›")
		} else {
			line.WriteString(" ")
		}
		pos := peerIndent
		for i, c := range cols {
			line.WriteString(strings.Repeat(" ", t.x[i]-pos))
			writeCell(&line, t.cells[ri][c], t.w[i], peerLeft(c), selected, p)
			pos = t.x[i] + t.w[i]
		}
		b.WriteByte('\n')
		if selected {
			s := line.String()
			if sw := cellWidth(s); sw < w {
				s += strings.Repeat(" ", w-sw)
			}
			b.WriteString(th.Selected.Render(s))
		} else {
			b.WriteString(line.String())
		}
	}
	for i, l := range footer {
		if show[i] {
			b.WriteByte('\n')
			b.WriteString(l)
		}
	}
	return fit(b.String(), w, h)
}

// writeCell writes c in width w, aligned left or right, painted unless plain.
func writeCell(b *strings.Builder, c peerCell, w int, left, plain bool, p *painter) {
	s, suf := c.s, c.suf
	cw := c.width
	if cw > w {
		// Only text columns are ever cut.
		s, suf, cw = ansi.Truncate(s, w, "…"), "", w
		cw = cellWidth(s)
	}
	pad := strings.Repeat(" ", w-cw)
	if !left {
		b.WriteString(pad)
	}
	paint := func(s string, st uint8) {
		if plain || st == stPlain {
			b.WriteString(s)
			return
		}
		b.WriteString(p.pre[st])
		b.WriteString(s)
		b.WriteString(p.suf[st])
	}
	paint(s, c.st)
	if suf != "" {
		paint(suf, c.sufSt)
	}
	if left {
		b.WriteString(pad)
	}
}

// peerFooter returns the lines under the table, each with whether it has
// anything to say: a blank line, the scope legend, the note on prices that
// are not live and the under-water count.
func peerFooter(d *board.Data, w int, th themes.Theme) ([4]string, [4]bool) {
	scopes := " Scopes nest: power = electricity ⊂ direct = + other site costs ⊂ cash = + cash SG&A and interest ⊂ all-in = + depreciation and stock comp"
	if cellWidth(scopes) > w {
		scopes = " power ⊂ direct (+site) ⊂ cash (+SG&A, interest) ⊂ all-in (+D&A, stock comp)"
	}
	b := d.Board
	u := b.SectorRule.UnderWater
	var under string
	if u.Of == 0 {
		under = "  no miner has a recent cost at any scope"
	} else {
		// One scope, with its n (the sector rule): never a count across
		// scopes, and never of the rows whose cost is a published figure
		// ("rep"), which the rule does not use: say so, so that a fifth
		// direct row on screen does not contradict "of 4".
		under = "  " + format.Maybe(u.Count, func(v int) string { return format.Num(float64(v), 0) }) +
			" of " + format.Num(float64(u.Of), 0) + " miners with a recent " + u.Scope.String() + " cost under water"
	}
	more, stale := "", d.Computed.Stale
	if hp, ok := b.Network.HashpriceNet.Get(); ok {
		more = " · hashprice " + format.USD(float64(hp), 2) + "/PH/day"
		if stale {
			// Margins are hashprice less cost: as stale as the hashprice.
			more += " " + sourcedNote(d.Computed, d.Now)
		}
	}
	// The rule's note ("rep rows not counted") as long as the room allows
	// beside the hashprice; a stale hashprice's mark comes before the note,
	// since it qualifies every margin above.
	tails := []string{" (implied from filings: the sector rule; rep rows are published figures, not counted)",
		" (the sector rule; rep rows not counted)", " (rep rows not counted)", ""}
	if u.Of == 0 {
		tails = []string{""}
	}
	short := ""
	if stale {
		short = " · margins STALE"
	}
pick:
	for _, end := range []string{more, short} {
		for _, tail := range tails {
			if cellWidth(under+tail+end) <= w {
				under += tail + end
				break pick
			}
		}
	}
	if v, ok := u.Count.Get(); ok && v > 0 {
		under = " " + th.Negative.Render("▼"+under[1:])
	}
	note := peerNotLiveNote(d, w, th)
	return [4]string{"", th.Muted.Render(scopes), note, under}, [4]bool{true, true, note != "", true}
}

// peerNotLiveNote explains the * next to prices in w cells: the most common
// as-of label without tickers, the others with theirs. A group whose label
// does not fit keeps its tickers, with "…" for the label (found in review:
// cut at 80 columns, the note read as if KEEL's close were of the common
// date).
func peerNotLiveNote(d *board.Data, w int, th themes.Theme) string {
	type group struct {
		label   string
		tickers []string
	}
	var groups []group
	for i := range d.Peers {
		r := &d.Peers[i]
		if !peerNotLive(r) {
			continue
		}
		var label string
		if r.Price.Layer == board.LayerLive {
			// Its date, as a close's: shorter than its age, so that the line
			// fits 80 columns ("stale quote, 14d2h o…" was cut), and still.
			label = "quote of " + r.Price.At.UTC().Format(time.DateOnly)
		} else {
			label = "close of " + r.Price.At.Format(time.DateOnly)
		}
		j := slices.IndexFunc(groups, func(g group) bool { return g.label == label })
		if j < 0 {
			groups = append(groups, group{label: label})
			j = len(groups) - 1
		}
		groups[j].tickers = append(groups[j].tickers, r.Ticker)
	}
	if len(groups) == 0 {
		return ""
	}
	// The biggest group first (stable: ties keep table order).
	slices.SortStableFunc(groups, func(a, b group) int { return len(b.tickers) - len(a.tickers) })
	// Whole, else with dates alone ("KEEL 2025-12-17"), which an 80-column
	// line holds where "… · KEEL …" hid whose close was of which day
	// (found in the second review); else with "…" for what does not fit.
	for _, short := range []bool{false, true} {
		head, label := " not a live quote: ", func(g group) string { return g.label }
		if short {
			head, label = " not live: ", func(g group) string { return g.label[len(g.label)-10:] }
		}
		s := head + label(groups[0])
		for _, g := range groups[1:] {
			s += " · " + strings.Join(g.tickers, ", ") + " " + label(g)
		}
		if cellWidth(s)+2 <= w {
			return " " + th.Warning.Render("*") + th.Muted.Render(s)
		}
	}
	s := " not a live quote: " + groups[0].label
	for i, g := range groups[1:] {
		whole := " · " + strings.Join(g.tickers, ", ") + " " + g.label
		if i+2 < len(groups) {
			whole += " ·" // room for the next group's tickers at least
		}
		if cellWidth(s+whole)+2 <= w {
			s += " · " + strings.Join(g.tickers, ", ") + " " + g.label
		} else {
			s += " · " + strings.Join(g.tickers, ", ") + " …"
		}
	}
	return " " + th.Warning.Render("*") + th.Muted.Render(s)
}

// oldMarginString is a margin from a cost outside the sector rule's
// quarters (econ.MinerCost.OutsideWindow): "+$23.14 old", muted, never a
// current ▲ or ▼.
func oldMarginString(v econ.USDPerPHDay) string {
	s := format.Signed(float64(v), 2)
	if len(s) > 1 && (s[0] == '+' || s[0] == '-') {
		s = s[:1] + "$" + s[1:]
	}
	return s + " old"
}

// costBasis says in a few letters where a cost in the table comes from,
// so that figures of different kinds in one column read as such: the
// quarter of a filed, implied or reported figure ("Q3'25"), or "model"
// for efficiency × power price.
func costBasis(c econ.MinerCost) string {
	if c.Basis == econ.BasisModel {
		return "model"
	}
	if y, q, ok := strings.Cut(c.Period, "-Q"); ok && len(y) == 4 && len(q) == 1 {
		return "Q" + q + "'" + y[2:]
	}
	if c.Period != "" {
		return c.Period
	}
	return c.Basis.String()
}
