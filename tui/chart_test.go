package tui

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// fitLines with some widths known gives what fit gives for the joined
// lines: known widths only save measuring.
func TestFitLinesAgreesWithFit(t *testing.T) {
	th, _ := themes.Get("dark", false)
	lines := []string{th.Title.Render("title"), "plain", "┤ ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ too wide", "", th.Muted.Render("axis")}
	for _, h := range []int{1, 3, 5, 8} {
		for _, w := range []int{4, 10, 30} {
			want := fit(strings.Join(lines, "\n"), w, h)
			widths := []int{-1, 5, cellWidth(lines[2])}
			if got := fitLines(append([]string(nil), lines...), widths, w, h); got != want {
				t.Errorf("%dx%d: fitLines = %q, fit = %q", w, h, got, want)
			}
		}
	}
}

// bounds finds what math.Min and math.Max find, −0 below +0 included.
func TestBoundsAsMathMinMax(t *testing.T) {
	nan, negZero := math.NaN(), math.Copysign(0, -1)
	for _, data := range [][][]float64{
		{{nan, 3, -2}, {nan}},
		{{0, negZero}},
		{{negZero, 0}},
		{{negZero}, {nan, 0}},
		{{math.Inf(1), 1}, {math.Inf(-1)}},
		{{nan}},
	} {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range data {
			for _, v := range s {
				if !math.IsNaN(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
		gotLo, gotHi := bounds(data)
		if math.Float64bits(gotLo) != math.Float64bits(lo) || math.Float64bits(gotHi) != math.Float64bits(hi) {
			t.Errorf("bounds(%v) = %v, %v (signs %v %v); math says %v, %v (signs %v %v)", data,
				gotLo, gotHi, math.Signbit(gotLo), math.Signbit(gotHi), lo, hi, math.Signbit(lo), math.Signbit(hi))
		}
	}
}

// A styled text is what the theme's style renders, per theme (the mono
// theme has its own name) and modifier, and kept: the second chart to name
// a series takes the entry the first styled.
func TestStyledTexts(t *testing.T) {
	for _, mono := range []bool{false, true} {
		th, _ := themes.Get("dark", mono)
		for slot := range 8 {
			if got, want := styled.render(&th, styleSeries(slot), "━ IREN"), th.Series[slot].Render("━ IREN"); got != want {
				t.Errorf("mono %v slot %d: %q, want %q", mono, slot, got, want)
			}
		}
		for _, c := range []struct {
			id   styleID
			want string
		}{
			{styleMuted, th.Muted.Render(corrUnit)},
			{styleTitle, th.Title.Render(corrUnit)},
			{styleHeader, th.Header.Render(corrUnit)},
			{styleSelected, th.Selected.Render(corrUnit)},
			{styleAccent, th.Accent.Render(corrUnit)},
			{styleText, th.Text.Render(corrUnit)},
			{styleID{role: roleMuted, strikeout: true, underline: true}, th.Muted.Strikethrough(true).Underline(true).Render(corrUnit)},
			{styleID{role: roleSeries, slot: 3, underline: true}, th.Series[3].Underline(true).Render(corrUnit)},
		} {
			if got := styled.render(&th, c.id, corrUnit); got != c.want {
				t.Errorf("mono %v %+v: %q, want %q", mono, c.id, got, c.want)
			}
		}
	}
	th, _ := themes.Get("dark", false)
	k := styleKey{th.Name, styleSeries(3), "CACHED"}
	styled.mu.Lock()
	if styled.m == nil {
		styled.m = map[styleKey]string{}
	}
	styled.m[k] = "kept"
	styled.mu.Unlock()
	if got := styled.render(&th, styleSeries(3), "CACHED"); got != "kept" {
		t.Errorf("text styled again: %q", got)
	}
}

// A frame whose charts are all drawn again is the frame drawn from plots,
// in every layout (one chart; two; three in one column; three in two).
func TestChartsColdFrameIsWarmFrame(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {120, 60}, {200, 60}} {
		ui := UI{View: ViewCharts, Range: Range1Y}
		plots.clear()
		cold := Render(d, ui, sz[0], sz[1], th)
		if warm := Render(d, ui, sz[0], sz[1], th); warm != cold {
			t.Errorf("%v: the cold frame differs from the warm one", sz)
		}
	}
}

// asciigraph draws the series resample gives it exactly as it draws the
// original series with Width: down and up, with unknown values and −0,
// series of different lengths, colours and a label formatter. (Infinite
// values asciigraph cannot plot at all.)
func TestResampleDrawsAsWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	series := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			switch r := rng.Float64(); {
			case r < 0.1:
				s[i] = math.NaN()
			default:
				s[i] = 100 + rng.NormFloat64()*20
			}
		}
		return s
	}
	yfmt := func(v float64) string { return format.Num(v, 0) }
	for _, c := range []struct{ lens []int }{{[]int{366, 366, 366}}, {[]int{1306, 1306}}, {[]int{31, 31}}, {[]int{366, 200}}, {[]int{2}}, {[]int{1}}} {
		var data [][]float64
		for _, n := range c.lens {
			s := series(n)
			if c.lens[0] > 1 {
				s[1] = math.Copysign(0, -1)
			}
			data = append(data, s)
		}
		data[0][0] = 90 // a known first value, so that the plot has a range
		for _, width := range []int{10, 73, 244, 500} {
			opts := []asciigraph.Option{asciigraph.Height(12), asciigraph.Offset(2), asciigraph.YAxisValueFormatter(yfmt),
				asciigraph.SeriesColors(asciigraph.Red, asciigraph.Blue, asciigraph.Green)}
			want := asciigraph.PlotMany(data, append(opts, asciigraph.Width(width))...)
			if got := asciigraph.PlotMany(resample(data, width), opts...); got != want {
				t.Errorf("lengths %v, width %d: resampled plot differs\n%s\nwant\n%s", c.lens, width, got, want)
			}
		}
	}
}

// Below two columns resample leaves the series as they are, rather than
// panic (n = 0) or draw one point where asciigraph's Width(1) draws two.
func TestResampleNarrowerThanTwo(t *testing.T) {
	data := [][]float64{{1, 2, 3, 4, 5}}
	for _, n := range []int{-1, 0, 1} {
		if got := resample(data, n); len(got) != 1 || len(got[0]) != 5 {
			t.Errorf("resample(data, %d) = %v, want the series as they are", n, got)
		}
	}
}

// The x axis's last date sits under the plot's last column whether or not
// the lines reach it: asciigraph ends a row at its last drawn value, and
// the date placed at the widest row's end dated the lines' last value
// with the range's last day (found in review: sector medians that stop in
// April under "2026-07-31").
func TestChartAxisEndsAtTheGridsLastDay(t *testing.T) {
	th, _ := themes.Get("dark", true)
	grid := board.DayGrid(fixedNow.AddDate(-1, 0, 0), fixedNow)
	full, early := make([]float64, len(grid)), make([]float64, len(grid))
	for i := range grid {
		full[i] = 20 + float64(i%30)
		early[i] = math.NaN()
		if i < len(grid)/2 {
			early[i] = full[i]
		}
	}
	axis := func(v []float64) string {
		out := drawChart([]Line{{Name: "a", Values: v}}, grid, 120, 16, "$", func(x float64, d int) string { return format.Num(x, d) }, th)
		lines := strings.Split(out, "\n")
		return strings.TrimRight(lines[len(lines)-1], " ")
	}
	if a, b := axis(full), axis(early); a != b {
		t.Errorf("the axis moves with the lines' end:\nfull  %q\nearly %q", a, b)
	}
	// The full line's last column is where its last date ends.
	out := strings.Split(drawChart([]Line{{Name: "a", Values: full}}, grid, 120, 16, "$", func(x float64, d int) string { return format.Num(x, d) }, th), "\n")
	plotEnd := 0
	for _, l := range out[1 : len(out)-1] {
		plotEnd = max(plotEnd, cellWidth(strings.TrimRight(l, " ")))
	}
	if got := cellWidth(axis(full)); got != plotEnd {
		t.Errorf("the last date ends at column %d, the plot at %d", got, plotEnd)
	}
}

// The median lines stop at the day the board's rule is dated: offline,
// the embedded network's day, though the chart's range runs on to the
// last stock close.
func TestMedianLinesStopAtTheRulesDay(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	if d.StepsTo.IsZero() {
		t.Fatal("the board has no rule day")
	}
	grid := board.DayGrid(d.StepsTo.Time().AddDate(0, -6, 0), d.StepsTo.Time().AddDate(0, 6, 0))
	lines := medianStepLines(d, grid)
	if len(lines) == 0 {
		t.Fatal("no median line")
	}
	for _, l := range lines {
		before, after := 0, 0
		for i, v := range l.Values {
			if math.IsNaN(v) {
				continue
			}
			if econ.DateOf(grid[i]).After(d.StepsTo) {
				after++
			} else {
				before++
			}
		}
		if before == 0 || after > 0 {
			t.Errorf("%s: %d values up to %s, %d after it (want some, none)", l.Name, before, d.StepsTo, after)
		}
	}
}

// A value is drawn on the row whose label is nearest to it: a flat line
// at v, beside a line that sets the range, lands on a row labelled within
// half a row's step of v (found in review: a $44 cost on the row labelled
// $47, the median power $18.25 on the $16 row).
func TestChartValuesSitOnTheirLabels(t *testing.T) {
	th, _ := themes.Get("dark", true)
	rng := rand.New(rand.NewPCG(7, 15))
	grid := board.DayGrid(fixedNow.AddDate(0, -3, 0), fixedNow)
	label := regexp.MustCompile(`^\s*\$(-?[0-9.,]+)[┤┼]`)
	for range 300 {
		lo := rng.Float64() * 60
		hi := lo + 0.5 + rng.Float64()*80
		v := lo + rng.Float64()*(hi-lo)
		h := 8 + rng.IntN(30)
		wavy, flat := make([]float64, len(grid)), make([]float64, len(grid))
		for i := range grid {
			wavy[i] = lo + (hi-lo)*float64(i%7)/6
			flat[i] = math.NaN()
			if i > len(grid)/3 {
				flat[i] = v
			}
		}
		out := ansi.Strip(drawChart([]Line{{Name: "w", Values: wavy}, {Name: "f", Values: flat, Series: 1}}, grid, 120, h, "$",
			func(x float64, d int) string { return "$" + format.Num(x, d) }, th))
		rows := strings.Split(out, "\n")
		var labels []float64
		row := -1
		for i, l := range rows {
			m := label.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			x, _ := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
			labels = append(labels, x)
			if strings.HasSuffix(strings.TrimRight(l, " "), strings.Repeat("─", 20)) {
				row = len(labels) - 1 // the flat line runs to the plot's end on this row
			}
			_ = i
		}
		if row < 0 || len(labels) < 2 {
			t.Fatalf("lo %.2f hi %.2f v %.2f h %d: no flat row found:\n%s", lo, hi, v, h, out)
		}
		span := labels[0] - labels[len(labels)-1]
		step := span / float64(len(labels)-1)
		// A label is printed to the decimals that tell the steps apart.
		unit := math.Pow(10, -float64(stepDecimals(step)))
		if d := math.Abs(labels[row] - v); d > step/2+unit/2 {
			t.Fatalf("lo %.2f hi %.2f h %d: %.2f drawn on the row labelled $%v (rows %.2f apart)\n%s", lo, hi, h, v, labels[row], step, out)
		}
		for i := 1; i < len(labels); i++ {
			if labels[i] >= labels[i-1] {
				t.Fatalf("lo %.2f hi %.2f h %d: labels %v not falling\n%s", lo, hi, h, labels, out)
			}
		}
		// The plot spends its rows on the data: at most a step beyond
		// each end (round steps left half of it empty).
		if span > hi-lo+2*step+unit {
			t.Fatalf("lo %.2f hi %.2f h %d: labels span %v..%v\n%s", lo, hi, h, labels[len(labels)-1], labels[0], out)
		}
	}
}

// fitBounds ends, and gives bounds that hold the range, for any input.
func TestFitBoundsExtremes(t *testing.T) {
	for _, c := range [][2]float64{{0, 47}, {-7.3, -2.1}, {-1, 1}, {1e300, 1.0000000001e300}, {1, 1 + 1e-15}, {5, 5},
		{-math.MaxFloat64 / 2, math.MaxFloat64 / 2}, {math.SmallestNonzeroFloat64, 2 * math.SmallestNonzeroFloat64}, {0, math.Inf(1)}} {
		for _, n := range []int{1, 5, 16, 44} {
			lo, hi, step := fitBounds(c[0], c[1], n)
			if lo > c[0] || hi < c[1] || step < 0 || math.IsNaN(lo+hi+step) && !math.IsInf(c[1], 0) {
				t.Errorf("fitBounds(%g, %g, %d) = %g, %g, %g", c[0], c[1], n, lo, hi, step)
			}
		}
	}
}

// The plot's top row holds a drawn value: the y range is the range of the
// points drawn, not of the data before resampling, whose peaks a narrow
// plot smooths away (third review: two empty rows above the rebased
// chart's highest line). For positive values fitBounds ends the range at
// the greatest (its slack, under a step, is below the least).
func TestChartRangeIsThePointsDrawn(t *testing.T) {
	th, _ := themes.Get("dark", true)
	rng := rand.New(rand.NewPCG(3, 9))
	grid := board.DayGrid(fixedNow.AddDate(-3, 0, 0), fixedNow)
	for range 20 {
		v := make([]float64, len(grid))
		for i := range v {
			v[i] = 100 + rng.NormFloat64()*15
		}
		out := strings.Split(ansi.Strip(drawChart([]Line{{Name: "x", Values: v}}, grid, 70, 14, "u", func(x float64, d int) string { return format.Num(x, d) }, th)), "\n")
		plot := out[1 : len(out)-1]
		i := strings.IndexAny(plot[0], "┤┼")
		if after := plot[0][i:]; strings.TrimSpace(strings.TrimLeft(after, "┤")) == "" {
			t.Fatalf("an empty top row:\n%s", strings.Join(out, "\n"))
		}
	}
}
