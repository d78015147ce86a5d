package tui

import (
	"slices"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// History is what the history store adds to the embedded data: daily
// closes per peer and the daily BTC price, merged with the embedded series
// (the store wins on a day both have) and with the correlations recomputed.
// It is built off the UI goroutine by [NewHistory] and delivered to the
// model in a [HistoryMsg]; once built it is never modified.
type History struct {
	closes map[string][]Point
	corr30 map[string][]Point
	corr90 map[string]econ.Maybe[float64]
	btc    Series
	// Through is the newest day the store added.
	Through time.Time
}

// HistoryMsg delivers a new History to the model.
type HistoryMsg struct{ H *History }

// NewHistory merges stored daily closes (per current ticker) and daily BTC
// prices (USD) with the embedded series of env.
func NewHistory(env *Env, closes map[string][]Point, btc []Point) *History {
	h := &History{
		closes: make(map[string][]Point, len(env.Peers)),
		corr30: make(map[string][]Point, len(env.Peers)),
		corr90: make(map[string]econ.Maybe[float64], len(env.Peers)),
	}
	h.btc = env.btc
	if len(btc) > 0 {
		h.btc = Series{Name: env.btc.Name, Unit: env.btc.Unit, Points: mergeDaily(env.btc.Points, btc)}
		h.Through = day(btc[len(btc)-1].T)
	}
	for _, p := range env.Peers {
		merged := mergeDaily(env.closes[p], closes[p])
		h.closes[p] = merged
		h.corr30[p] = rollingCorr(merged, h.btc.Points, corrWindow, corrMinPairs)
		h.corr90[p] = Correlation(merged, h.btc.Points, 90, 60)
		if n := len(closes[p]); n > 0 && closes[p][n-1].T.After(h.Through) {
			h.Through = day(closes[p][n-1].T)
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
		byDay[dayNum(p.T)] = Point{T: day(p.T), V: p.V}
	}
	for _, p := range newer {
		if p.V > 0 {
			byDay[dayNum(p.T)] = Point{T: day(p.T), V: p.V}
		}
	}
	out := make([]Point, 0, len(byDay))
	for _, p := range byDay {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Point) int { return a.T.Compare(b.T) })
	return out
}
