package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// View is one of the dashboard's screens.
type View int

// The views, in tab order (keys 1–6: Keys.Views).
const (
	ViewOverview View = iota
	ViewPeers
	ViewCharts
	ViewDetail
	ViewScenario
	ViewCosts
	numViews
)

// String returns the view's tab label.
func (v View) String() string {
	return [...]string{"Overview", "Peers", "Charts", "Miner", "Scenario", "Costs"}[v]
}

// Range is a chart time range.
type Range int

// The chart ranges, cycled with [ and ].
const (
	Range1M Range = iota
	Range3M
	Range1Y
	Range3Y
	RangeAll
	numRanges
)

// String returns the range label.
func (r Range) String() string { return [...]string{"1M", "3M", "1Y", "3Y", "all"}[r] }

// Start returns the first day of the range ending at end (the zero time for all).
// Months is the range's length in calendar months (0 for the whole history).
func (r Range) Months() int {
	return map[Range]int{Range1M: 1, Range3M: 3, Range1Y: 12, Range3Y: 36}[r]
}

func (r Range) Start(end time.Time) time.Time {
	switch r {
	case Range1M:
		return end.AddDate(0, -1, 0)
	case Range3M:
		return end.AddDate(0, -3, 0)
	case Range1Y:
		return end.AddDate(-1, 0, 0)
	case Range3Y:
		return end.AddDate(-3, 0, 0)
	}
	return time.Time{}
}

// UI is the interface state the model keeps; Render reads it.
type UI struct {
	View View
	// Peers table: sort column (see peerColumns) and direction, selected row
	// (index in the sorted order).
	SortCol  int
	SortDesc bool
	Selected int
	// Range is the chart range; ChartHidden has bit i set when peer i is
	// hidden from the peers chart; ChartCursor is the peer the space key toggles.
	Range       Range
	ChartHidden uint64
	ChartCursor int
	// Detail is the ticker the miner view shows ("" = the selected peer).
	Detail string
	// Scenario is the what-if the scenario view edits; the model rebuilds
	// Data when it changes.
	Scenario econ.Scenario
	// ScenarioField is the scenario input being changed; Editing is set
	// while a value is typed into Input.
	ScenarioField int
	Editing       bool
	Input         string
	// CostScope is the scope the cost curve is drawn at once chosen
	// (CostScopeSet; else the sector headline's), CostSort its order and
	// CostSelected the selected row in that order (its own: the peers
	// table's Selected indexes another order).
	CostScope    econ.Scope
	CostScopeSet bool
	CostSort     int
	CostSelected int
	// ShowHelp shows every key over the view.
	ShowHelp bool
	// Notice is a one-line message (e.g. an input error) shown in the status bar.
	Notice string
	// AgeMinutes shows the status bar's ages in whole minutes (after the
	// dashboard's first minute; see statusAge).
	AgeMinutes bool
}

// MinWidth and MinHeight are the smallest terminal the dashboard draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Render draws one frame of exactly h lines, none wider than w cells.
func Render(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	if w < MinWidth || h < MinHeight {
		msg := "terminal too small: " + format.Num(float64(w), 0) + "×" + format.Num(float64(h), 0) +
			", hashdeck needs " + format.Num(MinWidth, 0) + "×" + format.Num(MinHeight, 0)
		return fit(th.Warning.Render(msg), w, h)
	}
	top := tabBar(ui.View, w, th)
	status := statusBar(d, ui, w, th)
	var banner string
	if len(d.Alerts) > 0 {
		banner = th.Warning.Reverse(true).Render(ansi.Truncate(" ▲ "+strings.Join(d.Alerts, " · ")+" ", w, "…"))
	}
	bodyH := h - 2
	if banner != "" {
		bodyH--
	}
	var body string
	fitted := false // the body is bodyH lines of exactly w cells already
	if ui.ShowHelp {
		body = renderHelp(ui.View, w, bodyH, th)
	} else {
		switch ui.View {
		case ViewOverview:
			body = renderOverview(d, ui, w, bodyH, th)
		case ViewPeers:
			body = renderPeers(d, ui, w, bodyH, th)
		case ViewCharts:
			body, fitted = renderCharts(d, ui, w, bodyH, th), true
		case ViewDetail:
			body = renderDetail(d, ui, w, bodyH, th)
		case ViewScenario:
			body = renderScenario(d, ui, w, bodyH, th)
		case ViewCosts:
			body = renderCosts(d, ui, w, bodyH, th)
		}
	}
	// Each part is fitted on its own, so the whole frame is never measured twice.
	parts := []string{fit(top, w, 1)}
	if banner != "" {
		parts = append(parts, fit(banner, w, 1))
	}
	if !fitted {
		body = fit(body, w, bodyH)
	}
	parts = append(parts, body, fit(status, w, 1))
	return strings.Join(parts, "\n")
}

// RenderStatus redraws only the last line of a frame made by Render (the
// status bar, which carries the ages that change every second), so the
// one-second tick costs a line, not a frame.
func RenderStatus(frame string, d *board.Data, ui UI, w, h int, th themes.Theme) string {
	if w < MinWidth || h < MinHeight {
		return frame
	}
	i := strings.LastIndexByte(frame, '\n')
	if i < 0 {
		return frame
	}
	return frame[:i+1] + fit(statusBar(d, ui, w, th), w, 1)
}

// tabBar draws the view tabs and the help hint.
func tabBar(active View, w int, th themes.Theme) string {
	// Its texts are the same in every frame: styled keeps them rendered.
	var b strings.Builder
	b.WriteString(styled.render(&th, styleTitle, "hashdeck") + " ")
	for v := View(0); v < numViews; v++ {
		label := " " + Keys.viewKey(v) + " " + v.String() + " "
		if v == active {
			b.WriteString(styled.render(&th, styleSelected, label))
		} else {
			b.WriteString(styled.render(&th, styleMuted, label))
		}
	}
	line := b.String()
	// The key hint, shortened to "? keys" when the whole does not fit (six
	// tabs at 80 columns): the help key must stay discoverable.
	for _, hint := range []string{Keys.Help.Help().Key + " keys  " + Keys.Quit.Help().Key + " " + Keys.Quit.Help().Desc, Keys.Help.Help().Key + " keys"} {
		if gap := w - cellWidth(line) - cellWidth(hint); gap > 0 {
			return line + strings.Repeat(" ", gap) + styled.render(&th, styleMuted, hint)
		}
	}
	return line
}

// statusBar shows the data mode, provider states, update age and theme.
func statusBar(d *board.Data, ui UI, w int, th themes.Theme) string {
	var mode string
	switch d.Mode {
	case board.ModeLive:
		mode = th.Positive.Reverse(true).Render(" LIVE ")
	case board.ModeStale:
		mode = th.Warning.Reverse(true).Render(" STALE ")
	case board.ModeDown:
		mode = th.Negative.Reverse(true).Render(" NO FEED ") + " " + th.Warning.Render("no source is answering; retrying")
	default:
		mode = th.Warning.Reverse(true).Render(" OFFLINE ")
	}
	parts := []string{mode}
	// A notice (an input error, a one-time message) and a history failure
	// come first: the line is cut at the right edge, and they are what the
	// viewer must read now (issue 14 row 14: never cut mid-word at 80×24).
	if ui.Notice != "" {
		parts = append(parts, th.Warning.Render(ui.Notice))
	}
	if d.HistoryError != "" {
		parts = append(parts, th.Negative.Render("history not saved: "+d.HistoryError))
	}
	if d.AsOf != "" {
		parts = append(parts, th.Muted.Render("embedded data: "+d.AsOf))
	}
	if len(d.Health) > 0 {
		live, failing := 0, 0
		for _, h := range d.Health {
			if h.Live {
				live++
			} else if h.Failures > 0 {
				failing++
			}
		}
		s := format.Num(float64(live), 0) + " sources live"
		if failing > 0 {
			s += ", " + th.Warning.Render(format.Num(float64(failing), 0)+" failing")
		}
		parts = append(parts, s)
	}
	if b := d.Backfill; b != nil {
		switch {
		case !b.Finished:
			cur := ""
			if b.Current != "" {
				cur = " · " + b.Current
			}
			parts = append(parts, th.Accent.Render("history "+format.Num(float64(b.Done), 0)+"/"+format.Num(float64(b.Total), 0)+cur))
		case len(b.Errors) > 0:
			parts = append(parts, th.Warning.Render("history: "+format.Num(float64(len(b.Errors)), 0)+" failed"))
		}
	}
	if d.Price.Layer == board.LayerLive {
		parts = append(parts, th.Muted.Render("price "+statusAge(d.Now.Sub(d.Price.At), ui.AgeMinutes)+" old"))
	}
	line := strings.Join(parts, th.Muted.Render(" │ "))
	right := th.Muted.Render("theme " + th.Name)
	if gap := w - cellWidth(line) - cellWidth(right); gap > 0 {
		line += strings.Repeat(" ", gap) + right
	}
	return line
}

// fit pads or cuts s to exactly h lines of exactly w cells (ANSI-aware), so
// a frame never wraps and a resize never leaves old text behind.
func fit(s string, w, h int) string {
	return fitLines(strings.Split(s, "\n"), nil, w, h)
}

// fitLines is fit of the lines joined with newlines, for a caller that
// already measured some of them: widths[i] is the cell width of lines[i],
// or -1 (as is every line past len(widths)) when not known. It cuts lines
// that are too wide in place. It writes into one buffer of the exact size
// (a frame is tens of kilobytes: growing a builder by doubling copied it
// about twice), and pads from a constant string rather than a new one per
// line.
func fitLines(lines []string, widths []int, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	// The width of each kept line, cut to w, is needed twice: to size the
	// buffer and to pad. A frame has at most a few dozen lines; past the
	// array append moves the slice to the heap, which is only slower.
	var wbuf [128]int
	ws := wbuf[:0]
	size := max(h-1, 0) + (h-len(lines))*w
	for i, l := range lines {
		lw := -1
		if i < len(widths) {
			lw = widths[i]
		}
		if lw < 0 {
			lw = cellWidth(l)
		}
		if lw > w {
			l = ansi.Truncate(l, w, "")
			lines[i] = l
			lw = cellWidth(l)
		}
		ws = append(ws, lw)
		size += len(l) + max(w-lw, 0)
	}
	var b strings.Builder
	b.Grow(size)
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i >= len(lines) {
			writeSpaces(&b, w)
			continue
		}
		b.WriteString(lines[i])
		writeSpaces(&b, w-ws[i])
	}
	return b.String()
}

// spaces is the source of writeSpaces: wide enough for a line of most
// terminals in one write.
const spaces = "                                                                " +
	"                                                                " +
	"                                                                " +
	"                                                                "

// writeSpaces writes n spaces (none when n <= 0) without making a string of
// them.
func writeSpaces(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}

// padRight pads s with spaces to w cells (ANSI-aware), cutting it if longer.
func padRight(s string, w int) string {
	sw := cellWidth(s)
	if sw > w {
		return padRight(cut(s, w), w)
	}
	return s + strings.Repeat(" ", w-sw)
}

// padLeft right-aligns s in w cells, cutting it if longer.
func padLeft(s string, w int) string {
	sw := cellWidth(s)
	if sw > w {
		return padLeft(cut(s, w), w)
	}
	return strings.Repeat(" ", w-sw) + s
}

// cut shortens s to at most w cells ending in "…", never inside a number:
// "Sweetwater 200…" read as 200 where the text said 2000 (found in
// review), so a number that does not fit whole goes with its tail
// ("Sweetwater …"). A styled text is cut as ansi.Truncate cuts it.
func cut(s string, w int) string {
	t := ansi.Truncate(s, w, "…")
	if strings.IndexByte(s, 0x1b) >= 0 || !strings.HasSuffix(t, "…") {
		return t
	}
	kept := strings.TrimSuffix(t, "…")
	isNum := func(c byte) bool { return c >= '0' && c <= '9' }
	if kept == "" || len(kept) >= len(s) || !isNum(s[len(kept)]) && !(strings.ContainsRune(".,", rune(s[len(kept)])) && len(kept)+1 < len(s) && isNum(s[len(kept)+1])) {
		return t
	}
	// The cut is inside a number (or before its decimal part): drop the
	// number's kept digits, and any sign, currency or separator before them.
	i := len(kept)
	for i > 0 && (isNum(kept[i-1]) || strings.ContainsRune(".,", rune(kept[i-1]))) {
		i--
	}
	for i > 0 && strings.ContainsRune("$+-~", rune(kept[i-1])) {
		i--
	}
	return kept[:i] + "…"
}

// columns places blocks side by side, each padded to its width, with a gap.
func columns(gap int, blocks []string, widths []int) string {
	split := make([][]string, len(blocks))
	n := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		n = max(n, len(split[i]))
	}
	var out strings.Builder
	for row := 0; row < n; row++ {
		if row > 0 {
			out.WriteByte('\n')
		}
		for i := range blocks {
			if i > 0 {
				out.WriteString(strings.Repeat(" ", gap))
			}
			cell := ""
			if row < len(split[i]) {
				cell = split[i][row]
			}
			out.WriteString(padRight(cell, widths[i]))
		}
	}
	return out.String()
}

// panel draws a titled box of exactly w×h cells around body.
func panel(title, body string, w, h int, th themes.Theme) string {
	if w < 4 || h < 2 {
		return fit("", w, h)
	}
	inner := w - 2
	t := " " + title + " "
	if cellWidth(t) > inner {
		t = ansi.Truncate(t, inner, "…")
	}
	var b strings.Builder
	b.WriteString(th.Border.Render("╭") + th.Title.Render(t) + th.Border.Render(strings.Repeat("─", inner-cellWidth(t))+"╮"))
	lines := strings.Split(fit(body, inner, h-2), "\n")
	for _, l := range lines {
		b.WriteString("\n" + th.Border.Render("│") + l + th.Border.Render("│"))
	}
	b.WriteString("\n" + th.Border.Render("╰"+strings.Repeat("─", inner)+"╯"))
	return b.String()
}

// Name names the view ui shows, for a snapshot's JSON and title bar:
// "overview", "miner:IREN", "charts 1Y".
func (ui UI) Name() string {
	switch ui.View {
	case ViewDetail:
		if ui.Detail != "" {
			return "miner:" + ui.Detail
		}
		return "miner"
	case ViewCharts:
		return "charts " + ui.Range.String()
	}
	return strings.ToLower(ui.View.String())
}

// Title is the window title of a framed snapshot of ui over d: the view,
// the as-of time and the data mode.
func (ui UI) Title(d *board.Data) string {
	return "hashdeck · " + ui.Name() + " · as of " + d.Now.UTC().Format("2006-01-02 15:04 UTC") + " · " + d.Mode.String()
}
