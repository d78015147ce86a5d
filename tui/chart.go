package tui

import (
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"github.com/hashdeck/hashdeck/themes"
)

// Line is one chart series already aligned on a chart's grid.
type Line struct {
	Name   string
	Values []float64 // NaN where unknown
	// Series picks the theme colour (0–7).
	Series int
}

// Chart draws lines on one y axis in exactly w×h cells: a legend line on
// top naming each series in its colour, the plot, and an x-axis line with
// the first and last dates of grid. yfmt formats the axis labels (with
// their unit). Lines with no known value are left out of the legend; with
// nothing to draw the chart says so.
//
// A chart is drawn once for its inputs: drawn again with the same lines,
// grid, size, unit, labels and theme it comes from plots (see plotCache).
func Chart(lines []Line, grid []time.Time, w, h int, unit string, yfmt func(v float64, decimals int) string, th themes.Theme) string {
	key := plotKeyOf(lines, grid, w, h, unit, yfmt, th)
	if s, ok := plots.get(key); ok {
		return s
	}
	s := drawChart(lines, grid, w, h, unit, yfmt, th)
	plots.put(key, s)
	return s
}

// minChartH is the fewest lines a chart is drawn in: the legend, the x
// axis, asciigraph's extra row and five rows of plot.
const minChartH = 8

// drawChart is Chart without the cache.
func drawChart(lines []Line, grid []time.Time, w, h int, unit string, yfmt func(v float64, decimals int) string, th themes.Theme) string {
	var data [][]float64
	var legend []string
	var colors []asciigraph.AnsiColor
	for _, l := range lines {
		if !anyKnown(l.Values) {
			continue
		}
		data = append(data, l.Values)
		legend = append(legend, styled.render(&th, styleSeries(l.Series), "━ "+l.Name))
		if th.SeriesIndex != nil {
			colors = append(colors, asciigraph.AnsiColor(th.SeriesIndex[l.Series%8]))
		}
	}
	switch {
	case len(data) == 0 || len(grid) < 2:
		return fit(th.Muted.Render("no data for this range"), w, h)
	case h < minChartH:
		// Three rows drew a 4× range as two flat lines (found in review):
		// say why there is no chart rather than draw a wrong one.
		return fit(th.Muted.Render("too short for a chart: a taller terminal shows it"), w, h)
	case w < 20:
		return fit(th.Muted.Render("too narrow for a chart"), w, h)
	}
	head := padRight(styled.render(&th, styleMuted, unit)+"  "+strings.Join(legend, "  "), w)
	plotH := h - 3 // legend, x axis, and asciigraph's extra row
	// Offset 2 puts each y label in the first cell and the axis in the
	// second; the plot then takes the width left. The y range is that of
	// the points drawn, resampled to the plot's width: the whole data's
	// would leave rows empty above a peak that resampling smooths away
	// (found in review: the rebased chart's top two rows, 13% above its
	// highest drawn value).
	draw := func(pts [][]float64) string {
		lo, hi := bounds(pts)
		lo, hi, step := fitBounds(lo, hi, plotH)
		dec := stepDecimals(step)
		opts := []asciigraph.Option{
			asciigraph.Height(plotH), asciigraph.Offset(2),
			asciigraph.YAxisValueFormatter(func(v float64) string { return yfmt(v, dec) }),
			asciigraph.LowerBound(lo), asciigraph.UpperBound(hi),
		}
		if colors != nil {
			opts = append(opts, asciigraph.SeriesColors(colors...), asciigraph.AxisColor(asciigraph.AnsiColor(th.BorderIndex)),
				asciigraph.LabelColor(asciigraph.AnsiColor(th.MutedIndex)))
		}
		return asciigraph.PlotMany(pts, opts...)
	}
	// The labels' width, from the whole data's range (the drawn range is
	// within it); a label wider than that shrinks the plot once below.
	lo, hi := bounds(data)
	lo, hi, step := fitBounds(lo, hi, plotH)
	dec := stepDecimals(step)
	labelW := max(cellWidth(yfmt(lo, dec)), cellWidth(yfmt(hi, dec))) + 1
	plotW := w - labelW - 2
	if plotW < 10 {
		return fit(th.Muted.Render("too narrow for a chart"), w, h)
	}
	plot := draw(resample(data, plotW))
	rows, widths, widest := measureLines(plot)
	if over := widest - w; over > 0 && plotW-over >= 10 {
		plotW -= over
		plot = draw(resample(data, plotW))
		rows, widths, _ = measureLines(plot)
	}
	// The x axis: first and last dates under the plot's first and last columns.
	top := ansi.Strip(rows[0])
	axisCol := cellWidth(top[:max(strings.IndexAny(top, "┤┼"), 0)])
	first, last := grid[0].Format("2006-01-02"), grid[len(grid)-1].Format("2006-01-02")
	axis := strings.Repeat(" ", axisCol+1) + first
	// The last date ends under the plot's last column (its first is the
	// axis's own, where asciigraph draws the first value: ┼):
	// not at the end of its widest row, which asciigraph cuts after the
	// last known value (found in review: lines that stop in April read as
	// ending on the axis's last date).
	if pad := min(w, axisCol+plotW) - cellWidth(axis) - len(last); pad > 0 {
		axis += strings.Repeat(" ", pad) + last
	}
	// The chart is the legend, the plot and the axis, fitted to w×h: the
	// plot's rows were measured above, so fitLines measures only the other
	// two lines (each of which Render could have split, hence the split).
	out := append(strings.Split(head, "\n"), rows...)
	known := make([]int, len(out)-len(rows), len(out))
	for i := range known {
		known[i] = -1
	}
	known = append(known, widths...)
	out = append(out, strings.Split(th.Muted.Render(axis), "\n")...)
	return fitLines(out, known, w, h)
}

// resample gives each series n points, as asciigraph's Width(n) option
// would: the first and last points kept, the others linearly interpolated
// at the same positions with the same arithmetic, so the plot is the same
// to the bit. asciigraph given Width copies every series, pads it and
// grows a new slice point by point; given exactly n points and no Width it
// draws them as they are. Like asciigraph, it first pads a series shorter
// than the longest with unknown values (a chart's lines are all one length).
func resample(data [][]float64, n int) [][]float64 {
	if n < 2 {
		// No plot is this narrow (drawChart wants 10 columns); asciigraph's
		// Width(1) draws two points and Width(0) none: leave it to a
		// caller's Width option rather than differ from it.
		return data
	}
	long := 0
	for _, s := range data {
		long = max(long, len(s))
	}
	out := make([][]float64, len(data))
	buf := make([]float64, len(data)*n)
	for k, s := range data {
		if len(s) < long {
			padded := make([]float64, long)
			copy(padded, s)
			for i := len(s); i < long; i++ {
				padded[i] = math.NaN()
			}
			s = padded
		}
		r := buf[k*n : (k+1)*n : (k+1)*n]
		r[0] = s[0]
		step := float64(len(s)-1) / float64(n-1)
		for i := 1; i < n-1; i++ {
			at := float64(i) * step
			before, after := math.Floor(at), math.Ceil(at)
			r[i] = lerp(s[int(before)], s[int(after)], at-before)
		}
		r[n-1] = s[len(s)-1]
		out[k] = r
	}
	return out
}

// lerp is asciigraph's linearInterpolate, written the same way so that the
// compiler does the same float operations (and fuses a multiply-add where
// it fuses theirs).
func lerp(before, after, atPoint float64) float64 {
	return before + (after-before)*atPoint
}

// measureLines splits s into lines and measures each: the lines, their
// cell widths and the widest.
func measureLines(s string) (lines []string, widths []int, widest int) {
	lines = strings.Split(s, "\n")
	widths = make([]int, len(lines))
	for i, l := range lines {
		widths[i] = cellWidth(l)
		widest = max(widest, widths[i])
	}
	return lines, widths, widest
}

// fitBounds returns the y range a plot of n rows is drawn over, and its
// step: n steps from a multiple of the step, the smallest such step that
// covers [lo, hi]. asciigraph puts a value v on the row round(v·ratio) −
// round(lower·ratio), ratio n/(upper − lower), and labels its rows from
// the upper bound down by (upper − lower)/rows, where rows can be n ± 1:
// with the lower bound a whole number of steps, rows is n, the labels are
// the rows' own values, and each value sits on the row whose label is
// nearest to it. Without, a value and its label could be a row apart
// (found in review: a $44 cost drawn on the row labelled $47, the median
// power $18.25 on the $16 row). The smallest step keeps the plot as tall
// as before: at most a step is left below the least value (round steps
// left up to half the plot empty, found in the second review). A flat
// range is left to asciigraph (step 0).
func fitBounds(lo, hi float64, n int) (lower, upper, step float64) {
	if n < 1 || !(hi > lo) || math.IsInf(hi-lo, 0) {
		return lo, hi, 0
	}
	// k·step ≤ lo and (k+n)·step ≥ hi for a whole k: for each k near
	// the ideal one, the least step that meets both.
	step = math.Inf(1)
	ideal := math.Floor(float64(n) * lo / (hi - lo))
	if !(math.Abs(ideal) < 1<<40) {
		return lo, hi, 0 // a range too narrow for its level to count in steps
	}
	for k := ideal - 2; k <= ideal+2; k++ {
		lb, ub := 0.0, math.Inf(1)
		switch {
		case k > 0:
			ub = lo / k
		case k < 0:
			lb = lo / k
		case lo < 0:
			continue
		}
		switch kn := k + float64(n); {
		case kn > 0:
			lb = max(lb, hi/kn)
		case kn < 0:
			ub = min(ub, hi/kn)
		case hi > 0:
			continue
		}
		if lb > 0 && lb <= ub*(1+1e-12) && lb < step {
			step, lower = lb, k*lb
		}
	}
	if math.IsInf(step, 1) {
		return lo, hi, 0
	}
	// Rounding may leave a bound a hair inside the range: asciigraph would
	// then take the data's own, no longer a whole number of steps.
	lower = min(lower, lo)
	return lower, max(lower+float64(n)*step, hi), step
}

// stepDecimals is how many decimals tell labels step apart: none from a
// step of 1 up, one from 0.1, and so on ("$44 $44 $43" at a step of 0.6
// in the second review).
func stepDecimals(step float64) int {
	if !(step > 0) || step >= 1 {
		return 0
	}
	return min(int(math.Ceil(-math.Log10(step)-1e-9)), 6)
}

func anyKnown(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) {
			return true
		}
	}
	return false
}

// bounds is the least and greatest known value of data, as math.Min and
// math.Max would find them (so −0 is less than +0), with plain comparisons:
// on the few thousand values of a frame's charts the calls cost more than
// the rest of the label sizing.
func bounds(data [][]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range data {
		for _, v := range s {
			if v != v { // NaN: unknown
				continue
			}
			if v < lo || v == 0 && lo == 0 && math.Signbit(v) {
				lo = v
			}
			if v > hi || v == 0 && hi == 0 && !math.Signbit(v) {
				hi = v
			}
		}
	}
	return lo, hi
}
