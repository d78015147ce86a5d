package board

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/tui/format"
)

func formatFloat(v float64, decimals int) string { return format.Num(v, decimals) }

// Day truncates t to its UTC calendar day.
func Day(t time.Time) time.Time { return time.Unix(dayNum(t)*86400, 0).UTC() }

// dayNum is t's UTC calendar day as a count of days since 1970-01-01 (floor).
func dayNum(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// Align samples each series on the grid of UTC days: the value of a series
// on a grid day is its last point on or before that day, but only if that
// point is no more than maxGap old (so a weekend carries Friday's close,
// while a series that ended long ago shows a gap, NaN, not a flat line).
// Alignment is by time, never by index. It works in whole days, so it is
// linear in the grid plus the points.
func Align(grid []time.Time, maxGap time.Duration, series ...[]Point) [][]float64 {
	gridDays := make([]int64, len(grid))
	for i, g := range grid {
		gridDays[i] = dayNum(g)
	}
	gap := int64(maxGap / (24 * time.Hour))
	out := make([][]float64, len(series))
	for si, pts := range series {
		col := make([]float64, len(grid))
		j := 0
		var last int64
		for gi, g := range gridDays {
			for j < len(pts) {
				dn := dayNum(pts[j].T)
				if dn > g {
					break
				}
				last = dn
				j++
			}
			col[gi] = math.NaN()
			if j > 0 && g-last <= gap {
				col[gi] = pts[j-1].V
			}
		}
		out[si] = col
	}
	return out
}

// DayGrid returns every UTC day from from to to inclusive.
func DayGrid(from, to time.Time) []time.Time {
	from, to = Day(from), Day(to)
	if to.Before(from) {
		return nil
	}
	n := int(to.Sub(from)/(24*time.Hour)) + 1
	g := make([]time.Time, n)
	for i := range g {
		g[i] = from.AddDate(0, 0, i)
	}
	return g
}

// Rebase scales a column so its first known value is 100 (NaN stays NaN);
// a column with no positive value is all NaN.
func Rebase(col []float64) []float64 {
	out := make([]float64, len(col))
	base := math.NaN()
	for i, v := range col {
		if math.IsNaN(base) && v > 0 {
			base = v
		}
		out[i] = v / base * 100
	}
	return out
}

// maxReturnDays is the longest interval between two closes whose change
// counts as a daily return: a weekend with a holiday beside it. A change
// across a gap in the closes (months without data, then a live quote) is
// not one (found in review: the charts drew a correlation dated the day
// after a 3-month gap).
const maxReturnDays = 5

// dailyReturn reports whether the interval from p0 to p1 is a daily
// return's (maxReturnDays).
func dailyReturn(p0, p1 Point) bool { return dayNum(p1.T)-dayNum(p0.T) <= maxReturnDays }

// Correlation is the Pearson correlation of daily returns of a and b over
// the last window intervals between consecutive points of a that b also
// has (by UTC day). It needs at least minPairs intervals; otherwise it is
// unknown, and so is it when the newest interval ends more than
// maxReturnDays before a's last point. An interval longer than
// maxReturnDays is not a daily return. b is typically BTC (every day), a a
// stock (trading days), so a stock's Friday→Monday return meets BTC's
// Friday→Monday return.
func Correlation(a, b []Point, window, minPairs int) econ.Maybe[float64] {
	idx := make(map[time.Time]float64, len(b))
	for _, p := range b {
		idx[Day(p.T)] = p.V
	}
	var xs, ys []float64
	for i := len(a) - 1; i > 0 && len(xs) < window; i-- {
		b1, ok1 := idx[Day(a[i].T)]
		b0, ok0 := idx[Day(a[i-1].T)]
		if !ok0 || !ok1 || a[i-1].V <= 0 || b0 <= 0 || !dailyReturn(a[i-1], a[i]) {
			continue
		}
		if len(xs) == 0 && !dailyReturn(a[i], a[len(a)-1]) {
			// The newest return ends before a gap: a figure of then, not
			// of the last close (third review: live, IREN's "corr·BTC 90d"
			// came from returns ending four months before its quote).
			return econ.Maybe[float64]{}
		}
		xs = append(xs, a[i].V/a[i-1].V-1)
		ys = append(ys, b1/b0-1)
	}
	if len(xs) < minPairs {
		return econ.Maybe[float64]{}
	}
	return econ.Known(pearson(xs, ys))
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		cov += dx * dy
		vx += dx * dx
		vy += dy * dy
	}
	if vx == 0 || vy == 0 {
		return math.NaN()
	}
	return cov / math.Sqrt(vx*vy)
}

// Window returns the points of s from from onwards (s is sorted by time).
func Window(s []Point, from time.Time) []Point {
	i, _ := slices.BinarySearchFunc(s, from, func(p Point, t time.Time) int { return p.T.Compare(t) })
	return s[i:]
}

// Until returns the points of s up to and including t (all of s for the
// zero time).
func Until(s []Point, t time.Time) []Point {
	if t.IsZero() {
		return s
	}
	i, _ := slices.BinarySearchFunc(s, t, func(p Point, t time.Time) int {
		if p.T.After(t) {
			return 1
		}
		return -1
	})
	return s[:i]
}

const (
	// CorrWindow is the number of daily returns in a rolling correlation;
	// CorrMinPairs the fewest that give one (as RollingCorrelation).
	CorrWindow   = 30
	CorrMinPairs = CorrWindow * 2 / 3
)

// lazyCorr is a peer's rolling correlation with BTC (RollingCorr over
// CorrWindow returns), computed the first time it is read. Only the charts
// view draws it, and a point of it costs as much memory as a close, so a
// dashboard that never shows the charts (or shows them for one range of
// peers) does not hold one for every peer in the Env, the History and each
// board with a live close. The inputs it keeps are the closes and BTC
// points its owner holds anyway; it drops them once computed. Boards are
// shared between sessions, hence the sync.Once.
type lazyCorr struct {
	once sync.Once
	a, b []Point
	pts  []Point
}

func newLazyCorr(a, b []Point) *lazyCorr { return &lazyCorr{a: a, b: b} }

// get returns the correlation, computing it on the first call (nil for a
// nil lazyCorr: no closes).
func (c *lazyCorr) get() []Point {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		c.pts = RollingCorr(c.a, c.b, CorrWindow, CorrMinPairs)
		c.a, c.b = nil, nil
	})
	return c.pts
}

// Corr30 is the rolling correlation of the peer's daily returns with BTC's
// over CorrWindow returns, at every close that has enough of them
// (RollingCorr of Closes and the board's BTC series). It is computed on
// the first call and then shared by every copy of the row.
func (r PeerRow) Corr30() []Point { return r.corr30.get() }

// RollingCorr is Correlation at each point of a, in one pass: the
// correlation of the last window daily returns of a with b's over the same
// days (intervals of at most maxReturnDays between consecutive points of a
// that b has on both days), once there are minPairs of them; no point
// where the last return is more than maxReturnDays old. It reads b by
// merging, so it costs O(len(a)+len(b)) instead of a map per point.
func RollingCorr(a, b []Point, window, minPairs int) []Point {
	if len(a) < 2 {
		return nil
	}
	// bv[i] is b's value on a[i]'s day, NaN when b has none.
	bv := make([]float64, len(a))
	j := 0
	for i, p := range a {
		dn := dayNum(p.T)
		for j < len(b) && dayNum(b[j].T) < dn {
			j++
		}
		bv[i] = math.NaN()
		if j < len(b) && dayNum(b[j].T) == dn {
			bv[i] = b[j].V
		}
	}
	// Prefix sums over the pairs: pre[k] sums the first k.
	type sums struct{ x, y, xx, yy, xy float64 }
	pre := make([]sums, 1, len(a))
	out := make([]Point, 0, len(a))
	last := int64(0) // the day number of the last return
	for i := 1; i < len(a); i++ {
		if a[i-1].V > 0 && bv[i-1] > 0 && !math.IsNaN(bv[i]) && dailyReturn(a[i-1], a[i]) {
			x, y := a[i].V/a[i-1].V-1, bv[i]/bv[i-1]-1
			s := pre[len(pre)-1]
			pre = append(pre, sums{s.x + x, s.y + y, s.xx + x*x, s.yy + y*y, s.xy + x*y})
			last = dayNum(a[i].T)
		}
		k := len(pre) - 1
		if k < minPairs || dayNum(a[i].T)-last > maxReturnDays {
			continue
		}
		lo := max(0, k-window)
		hi, l := pre[k], pre[lo]
		n := float64(k - lo)
		sx, sy := hi.x-l.x, hi.y-l.y
		vx := hi.xx - l.xx - sx*sx/n
		vy := hi.yy - l.yy - sy*sy/n
		cov := hi.xy - l.xy - sx*sy/n
		r := math.NaN()
		if vx > 0 && vy > 0 {
			r = max(-1, min(1, cov/math.Sqrt(vx*vy)))
		}
		out = append(out, Point{T: a[i].T, V: r})
	}
	return out
}
