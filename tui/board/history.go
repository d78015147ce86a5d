package board

import (
	"slices"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// History is what the history store adds to the embedded data: daily
// closes per peer and the daily BTC price, merged with the embedded series
// (the store wins on a day both have) and with the correlations recomputed.
// It is built off the UI goroutine by [NewHistory] and delivered to the
// model in a message; once built it is never modified.
type History struct {
	closes map[string][]Point
	corr30 map[string]*lazyCorr
	corr90 map[string]econ.Maybe[float64]
	btc    Series
	// hashprice is the embedded daily hashprice followed by the days the
	// store can price (USD/PH/day).
	hashprice Series
	// Through is the newest day the store added.
	Through time.Time
	// quarters are each peer's quarterly financials with the filed ones
	// (SEC EDGAR) merged in (see WithFiled); nil without filings.
	quarters    map[string][]econ.Quarter
	filedHealth []market.Health
	steps       *stepCache // with the filings; nil without
}

// WithFiled returns a copy of h whose peers' quarterly financials merge the
// filed quarters (per current ticker, from SEC EDGAR) into the embedded
// ones with econ.MergeQuarters: a filing's figure wins an item both have,
// the research value stays beside it as a conflict.
//
// health is the filings' feed health, shown beside the poller's.
func (h *History) WithFiled(env *Env, filed map[string][]econ.Quarter, health []market.Health) *History {
	c := *h
	c.filedHealth = health
	c.quarters = make(map[string][]econ.Quarter, len(filed))
	for _, p := range env.Peers {
		if f := filed[p]; len(f) > 0 {
			c.quarters[p] = econ.MergeQuarters(f, env.Miners[p].Quarters)
		}
	}
	c.steps = nil // the Env's, unless filings change the quarters
	if len(c.quarters) > 0 {
		c.steps = &stepCache{}
	}
	return &c
}

// Network is the store's daily network history used to extend the
// hashprice series: difficulty (one point per retarget or poll), mean fees
// per block (BTC) and BTC price (USD), each as daily points.
type Network struct {
	Difficulty, Fees, Price []Point
}

// NewHistory merges stored daily closes (per current ticker) and the
// store's network history with the embedded series of env.
func NewHistory(env *Env, closes map[string][]Point, net Network) *History {
	btc := net.Price
	h := &History{
		closes: make(map[string][]Point, len(env.Peers)),
		corr30: make(map[string]*lazyCorr, len(env.Peers)),
		corr90: make(map[string]econ.Maybe[float64], len(env.Peers)),
	}
	h.btc = env.btc
	if len(btc) > 0 {
		h.btc = Series{Name: env.btc.Name, Unit: env.btc.Unit, Points: mergeDaily(env.btc.Points, btc)}
		h.Through = Day(btc[len(btc)-1].T)
	}
	h.hashprice = env.hashprice
	if stored := storedHashprice(net); len(stored) > 0 {
		// The embedded days (Coin Metrics: realised fees) stay; the store adds the days after them.
		var after []Point
		if n := len(env.hashprice.Points); n > 0 {
			after = Window(stored, env.hashprice.Points[n-1].T.Add(24*time.Hour))
		} else {
			after = stored
		}
		h.hashprice = Series{Name: env.hashprice.Name, Unit: env.hashprice.Unit, Points: append(slices.Clip(env.hashprice.Points), after...)}
	}
	for _, p := range env.Peers {
		merged := mergeDaily(env.closes[p], closes[p])
		h.closes[p] = merged
		if len(closes[p]) == 0 && len(btc) == 0 {
			// The store adds nothing to this peer's closes or to the BTC
			// price: the correlations are the Env's, so share them
			// rather than hold a second copy of the same numbers.
			h.corr30[p], h.corr90[p] = env.corr30[p], env.corr90[p]
		} else {
			h.corr30[p] = newLazyCorr(merged, h.btc.Points)
			h.corr90[p] = Correlation(merged, h.btc.Points, 90, 60)
		}
		if n := len(closes[p]); n > 0 && closes[p][n-1].T.After(h.Through) {
			h.Through = Day(closes[p][n-1].T)
		}
	}
	return h
}

// mergeDaily unions two daily series by UTC day, oldest first; on a day
// both have, newer (the store's) wins.
func mergeDaily(base, newer []Point) []Point {
	if len(newer) == 0 {
		return base
	}
	byDay := make(map[int64]Point, len(base)+len(newer))
	for _, p := range base {
		byDay[dayNum(p.T)] = Point{T: Day(p.T), V: p.V}
	}
	for _, p := range newer {
		if p.V > 0 {
			byDay[dayNum(p.T)] = Point{T: Day(p.T), V: p.V}
		}
	}
	out := make([]Point, 0, len(byDay))
	for _, p := range byDay {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Point) int { return a.T.Compare(b.T) })
	return out
}

// halving840k is when block 840,000 was mined (2024-04-20 00:09 UTC): the
// subsidy is 3.125 BTC from then until block 1,050,000, which the store's
// history does not reach. Days before it are not priced here.
var halving840k = time.Date(2024, 4, 20, 0, 9, 27, 0, time.UTC)

// storedHashprice computes the daily hashprice (USD/PH/day) on every day the
// store has a price and fees, with the difficulty in force that day (the
// last difficulty point on or before it), from the 2024 halving on.
func storedHashprice(net Network) []Point {
	if len(net.Price) == 0 || len(net.Fees) == 0 || len(net.Difficulty) == 0 {
		return nil
	}
	fees := make(map[int64]float64, len(net.Fees))
	for _, f := range net.Fees {
		fees[dayNum(f.T)] = f.V
	}
	var out []Point
	j := 0
	for _, p := range net.Price {
		if p.T.Before(halving840k) {
			continue
		}
		for j < len(net.Difficulty) && !Day(net.Difficulty[j].T).After(Day(p.T)) {
			j++
		}
		f, ok := fees[dayNum(p.T)]
		if j == 0 || !ok || p.V <= 0 {
			continue
		}
		hp := econ.HashpriceAt(econ.Difficulty(net.Difficulty[j-1].V), econ.Subsidy(840_000)+econ.BTC(f), econ.USDPerBTC(p.V))
		out = append(out, Point{T: Day(p.T), V: float64(hp)})
	}
	return out
}

// filedQuarters returns peer p's quarters with the filings merged in, and
// false when h is nil or has no filings for p.
func (h *History) filedQuarters(p string) ([]econ.Quarter, bool) {
	if h == nil {
		return nil, false
	}
	q, ok := h.quarters[p]
	return q, ok
}
