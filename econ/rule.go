package econ

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MinHeadlineN is the fewest miners a computed median needs to be the
// sector's headline.
const MinHeadlineN = 5

// WindowQuarters is how many calendar quarters before the board's own a
// figure's quarter may have ended and still count.
const WindowQuarters = 2

// InWindow reports whether a quarter that ended on end counts on a board
// dated d: it ended by d, in d's calendar quarter or one of the
// WindowQuarters before it. On 2025-12-29 that is 2025-Q2 and 2025-Q3.
func InWindow(end, d Date) bool {
	return !end.IsZero() && !d.IsZero() && !end.After(d) && quarterIndex(end) >= quarterIndex(d)-WindowQuarters
}

// MinerImplied is one miner's implied costs per quarter, oldest first.
type MinerImplied struct {
	Ticker   string        `json:"ticker"`
	Quarters []ImpliedCost `json:"quarters"`
}

// RuleMember is one miner's figure in a scope's median.
type RuleMember struct {
	Ticker      string      `json:"ticker"`
	Quarter     string      `json:"quarter"`
	USDPerPHDay USDPerPHDay `json:"usd_per_ph_day"`
	Grade       Grade       `json:"grade"`
	Published   Date        `json:"published"`
	// PublishedEstimated: some input's publication date is an estimate.
	PublishedEstimated bool `json:"published_estimated,omitempty"`
	// UnderWater: the cost is above the board's hashprice (after pool fee).
	UnderWater bool `json:"under_water"`
	// Under a power-price what-if ([Scenario.PowerPrice]), WhatIf is
	// USDPerPHDay moved by the miner's power cost at that price (as its
	// row is): the median and UnderWater use it. NotAdjusted says the
	// figure could not follow (no efficiency or no own power price) and is
	// used as reported.
	WhatIf      Maybe[USDPerPHDay] `json:"what_if_usd_per_ph_day,omitzero"`
	NotAdjusted bool               `json:"not_adjusted_to_what_if,omitempty"`
}

// RuleScope is the sector median of one scope under the rule: over the
// miners whose newest figure in that scope comes from a quarter in the
// window ([InWindow]) and was public by the board's date.
type RuleScope struct {
	Scope   Scope        `json:"scope"`
	N       int          `json:"n"`
	Tickers []string     `json:"tickers"`
	Members []RuleMember `json:"members"`
	// Median is the members' median cost; Margin the board's hashprice
	// (after pool fee) less it; UnderWater how many members are above
	// hashprice (unknown without one).
	Median     Maybe[USDPerPHDay] `json:"median_usd_per_ph_day"`
	Margin     Maybe[USDPerPHDay] `json:"margin_usd_per_ph_day"`
	UnderWater Maybe[int]         `json:"under_water"`
}

// Headline is the one sector cost the overview leads with, and its margin
// against the board's hashprice (after pool fee).
type Headline struct {
	// Scope is the headline's scope (meaningless when Source is "").
	Scope Scope `json:"scope"`
	// N is the number of miners in a computed median; 0 for a published
	// benchmark (its sample is the publisher's).
	N int `json:"n"`
	// Median is the cost per PH/s per day; MedianPerBTC the same at the
	// board's hashvalue (today's network), not a publisher's per-BTC figure.
	Median       Maybe[USDPerPHDay] `json:"median_usd_per_ph_day"`
	MedianPerBTC Maybe[USDPerBTC]   `json:"median_usd_per_btc_at_today_network"`
	Hashprice    Maybe[USDPerPHDay] `json:"hashprice_usd_per_ph_day"`
	Margin       Maybe[USDPerPHDay] `json:"margin_usd_per_ph_day"`
	MarginPct    Maybe[Percent]     `json:"margin_pct"`
	// Source is "computed", the benchmark's publisher, or "" when there is
	// no headline; Metric names a benchmark's figure.
	Source string `json:"source"`
	Metric string `json:"metric,omitempty"`
	// Period is the quarter (or "first..last" quarters) the figure is for.
	Period string `json:"period,omitempty"`
	// Published is the latest publication date of the figure's inputs (a
	// benchmark's own date); Grade the lowest grade among them.
	Published          Date  `json:"published,omitzero"`
	PublishedEstimated bool  `json:"published_estimated,omitempty"`
	Grade              Grade `json:"grade,omitempty"`
	// Why explains the choice, or why there is no headline.
	Why string `json:"why"`
}

// UnderWaterCount is how many miners cost more than hashprice, at one
// scope, out of the Of miners with a figure at that scope.
type UnderWaterCount struct {
	Scope Scope      `json:"scope"`
	Count Maybe[int] `json:"count"`
	Of    int        `json:"of"`
}

// BenchmarkComparison is a published benchmark with the computed median of
// the same scope over the same quarter beside it.
type BenchmarkComparison struct {
	Benchmark
	// ComputedN and ComputedMedian are over the miners with a figure in the
	// benchmark's scope for the benchmark's quarter, public by the board's
	// date; Difference is computed − published.
	ComputedN       int                `json:"computed_n"`
	ComputedTickers []string           `json:"computed_tickers"`
	ComputedMedian  Maybe[USDPerPHDay] `json:"computed_median_usd_per_ph_day"`
	Difference      Maybe[USDPerPHDay] `json:"difference_usd_per_ph_day"`
}

// SectorRule is the sector's cost picture by one rule, as of one date:
// per scope, the median over miners with a recent figure in that scope; the
// headline at the widest scope with at least [MinHeadlineN] miners, else
// the best recent published benchmark; the under-water count at one scope.
type SectorRule struct {
	// AsOf is the board's date; Window the quarters a figure may come from
	// ("2025-Q2..2025-Q4").
	AsOf       Date                 `json:"as_of"`
	Window     string               `json:"window"`
	Scopes     [NumScopes]RuleScope `json:"scopes"`
	Headline   Headline             `json:"headline"`
	UnderWater UnderWaterCount      `json:"under_water"`
	// Benchmarks are the usable benchmarks for quarters in the window,
	// public by AsOf, in the order the headline prefers them.
	Benchmarks []BenchmarkComparison `json:"benchmarks"`
	// PowerWhatIf: the board is under a power-price what-if; members'
	// figures follow it where they can (RuleMember.WhatIf), benchmarks
	// do not.
	PowerWhatIf bool `json:"power_what_if,omitempty"`
}

// ComputeSectorRule applies the sector rule on day asOf to the miners'
// implied costs (computed from quarters as of asOf) and the published
// benchmarks, against hashprice hp (after pool fee) and hashvalue hv:
//
//  1. For each scope, each miner's figure is its newest quarter in the
//     window with that scope known and public by asOf; the scope's median,
//     n and tickers are over those figures.
//  2. The headline is the widest scope beyond power with n ≥ MinHeadlineN.
//     Without one, it is the usable benchmark for a quarter in the window,
//     public by asOf, of the widest scope, then the newest quarter, then
//     the better grade, then one published per PH/day before one restated
//     from per BTC, then the latest published.
//  3. The under-water count is at the headline's scope when any miner has
//     a figure there, else at the widest scope that has one.
//  4. Each listed benchmark has the computed median of its scope over its
//     own quarter beside it, and the difference.
func ComputeSectorRule(asOf Date, miners []MinerImplied, benchmarks []Benchmark, hp Maybe[USDPerPHDay], hv Maybe[BTCPerPHDay]) SectorRule {
	return computeSectorRule(asOf, miners, benchmarks, hp, hv, nil)
}

// computeSectorRule is ComputeSectorRule under a power-price what-if:
// shift holds, by ticker, how much each miner's costs per PH/day move
// (unknown: they cannot); nil without a what-if. Benchmarks, published
// figures, do not move.
func computeSectorRule(asOf Date, miners []MinerImplied, benchmarks []Benchmark, hp Maybe[USDPerPHDay], hv Maybe[BTCPerPHDay], shift map[string]Maybe[USDPerPHDay]) SectorRule {
	r := SectorRule{AsOf: asOf, PowerWhatIf: shift != nil}
	if asOf.IsZero() {
		r.Headline.Why = "no board date, so no figure can be placed in time"
		return r
	}
	r.Window = CalendarQuarter(quarterStart(quarterIndex(asOf)-WindowQuarters)) + ".." + CalendarQuarter(asOf)
	for _, s := range Scopes() {
		r.Scopes[s] = ruleScope(s, asOf, miners, hp, shift)
	}

	for _, b := range benchmarks {
		if b.Usable() && InWindow(b.End, asOf) && b.PublishedBy(asOf) {
			r.Benchmarks = append(r.Benchmarks, compare(b, asOf, miners))
		}
	}
	slices.SortStableFunc(r.Benchmarks, func(a, b BenchmarkComparison) int {
		switch {
		case a.Scope != b.Scope:
			return int(b.Scope) - int(a.Scope)
		case a.End != b.End:
			return b.End.Compare(a.End)
		case a.Grade != b.Grade:
			if a.Grade.Better(b.Grade) {
				return -1
			}
			return 1
		case a.Hashvalue.OK() != b.Hashvalue.OK(): // published per PH/day before restated from per BTC
			if b.Hashvalue.OK() {
				return -1
			}
			return 1
		}
		return b.Published.Compare(a.Published)
	})
	var noValue []string
	for _, b := range benchmarks {
		if b.Unusable == "" && !b.USDPerPHDay.OK() && InWindow(b.End, asOf) && b.PublishedBy(asOf) {
			noValue = append(noValue, b.Source+" "+b.Period+" "+b.Scope.String())
		}
	}

	r.Headline = headline(&r, hp, hv)
	if len(noValue) > 0 && r.Headline.Source == "" {
		r.Headline.Why += "; " + strings.Join(noValue, ", ") + " cannot be restated per PH/day (no network data for the whole quarter)"
	}
	r.UnderWater = underWater(&r)
	return r
}

// quarterStart returns the first day of the quarter numbered i (see quarterIndex).
func quarterStart(i int) Date { return NewDate(i/4, time.Month(i%4*3+1), 1) }

// ruleScope gathers scope s's members and statistics.
func ruleScope(s Scope, asOf Date, miners []MinerImplied, hp Maybe[USDPerPHDay], shift map[string]Maybe[USDPerPHDay]) RuleScope {
	rs := RuleScope{Scope: s, Tickers: []string{}, Members: []RuleMember{}}
	var buf [32]USDPerPHDay
	costs := buf[:0]
	p, hpOK := hp.Get()
	for _, m := range miners {
		for i := len(m.Quarters) - 1; i >= 0; i-- {
			q := &m.Quarters[i]
			c := q.Costs[s]
			v, ok := c.PerPHDay.Get()
			if !ok || !InWindow(q.End, asOf) || !c.PublishedBy(asOf) {
				continue
			}
			mb := RuleMember{Ticker: m.Ticker, Quarter: q.Calendar, USDPerPHDay: v,
				Grade: c.Grade, Published: c.Published, PublishedEstimated: c.PublishedEstimated}
			if shift != nil {
				d, ok := shift[m.Ticker].Get()
				if ok {
					v += d
					mb.WhatIf = Known(v)
				}
				mb.NotAdjusted = !ok
			}
			mb.UnderWater = hpOK && v > p
			rs.Members = append(rs.Members, mb)
			rs.Tickers = append(rs.Tickers, m.Ticker)
			costs = append(costs, v)
			break
		}
	}
	rs.N = len(costs)
	if q, ok := QuartilesOf(costs); ok {
		rs.Median = Known(q.Median)
		rs.Margin = Map2(hp, rs.Median, Margin)
	}
	if hpOK && rs.N > 0 { // with no member the count is unknown, not 0
		n := 0
		for _, m := range rs.Members {
			if m.UnderWater {
				n++
			}
		}
		rs.UnderWater = Known(n)
	}
	return rs
}

// compare puts the computed median of b's scope over b's quarter beside b.
func compare(b Benchmark, asOf Date, miners []MinerImplied) BenchmarkComparison {
	bc := BenchmarkComparison{Benchmark: b, ComputedTickers: []string{}}
	var buf [32]USDPerPHDay
	costs := buf[:0]
	for _, m := range miners {
		for i := range m.Quarters {
			q := &m.Quarters[i]
			c := q.Costs[b.Scope]
			if v, ok := c.PerPHDay.Get(); ok && q.End == b.End && c.PublishedBy(asOf) {
				costs = append(costs, v)
				bc.ComputedTickers = append(bc.ComputedTickers, m.Ticker)
			}
		}
	}
	bc.ComputedN = len(costs)
	if q, ok := QuartilesOf(costs); ok {
		bc.ComputedMedian = Known(q.Median)
		bc.Difference = Map2(bc.ComputedMedian, b.USDPerPHDay, func(c, p USDPerPHDay) USDPerPHDay { return c - p })
	}
	return bc
}

// headline chooses the headline (step 2 of [ComputeSectorRule]).
func headline(r *SectorRule, hp Maybe[USDPerPHDay], hv Maybe[BTCPerPHDay]) Headline {
	var h Headline
	counts := make([]string, 0, NumScopes-1)
	for s := ScopeAllIn; s > ScopePower; s-- {
		counts = append(counts, fmt.Sprintf("%s %d", s, r.Scopes[s].N))
	}
	for s := ScopeAllIn; s > ScopePower && h.Source == ""; s-- {
		rs := &r.Scopes[s]
		if rs.N < MinHeadlineN {
			continue
		}
		h = Headline{Scope: s, N: rs.N, Median: rs.Median, Source: "computed",
			Why: fmt.Sprintf("the widest scope with at least %d miners (%s)", MinHeadlineN, strings.Join(counts, ", "))}
		from, to := rs.Members[0].Quarter, rs.Members[0].Quarter
		h.Grade, h.Published = rs.Members[0].Grade, rs.Members[0].Published
		for _, m := range rs.Members {
			from, to = min(from, m.Quarter), max(to, m.Quarter)
			h.Grade = h.Grade.Worse(m.Grade)
			if m.Published.After(h.Published) {
				h.Published = m.Published
			}
			h.PublishedEstimated = h.PublishedEstimated || m.PublishedEstimated
		}
		h.Period = from
		if to != from {
			h.Period += ".." + to
		}
	}
	if h.Source == "" && len(r.Benchmarks) > 0 {
		b := r.Benchmarks[0].Benchmark
		h = Headline{Scope: b.Scope, Median: b.USDPerPHDay, Source: b.Source, Metric: b.Metric, Period: b.Period,
			Published: b.Published, PublishedEstimated: b.PublishedEstimated, Grade: b.Grade,
			Why: fmt.Sprintf("no scope beyond power has %d miners (%s); the widest, newest published benchmark", MinHeadlineN, strings.Join(counts, ", "))}
	}
	if h.Source == "" {
		return Headline{Why: fmt.Sprintf("no scope beyond power has %d miners (%s), and no usable benchmark for %s was public by %s",
			MinHeadlineN, strings.Join(counts, ", "), r.Window, r.AsOf)}
	}
	h.Hashprice = hp
	h.MedianPerBTC = Bind2(h.Median, hv, CostPerBTC)
	h.Margin = Map2(hp, h.Median, Margin)
	h.MarginPct = Bind2(hp, h.Median, MarginPct)
	return h
}

// underWater counts at one scope (step 3 of [ComputeSectorRule]).
func underWater(r *SectorRule) UnderWaterCount {
	s := r.Headline.Scope
	if r.Headline.Source == "" || r.Scopes[s].N == 0 { // no headline: the widest scope with a figure
		for w := ScopeAllIn; ; w-- {
			if r.Scopes[w].N > 0 {
				s = w
				break
			}
			if w == ScopePower {
				break
			}
		}
	}
	u := UnderWaterCount{Scope: s, Of: r.Scopes[s].N}
	if u.Of > 0 {
		u.Count = r.Scopes[s].UnderWater
	}
	return u
}

// CurveScope is the scope the board's cost curve is drawn at: the
// headline's when the headline is computed; else the widest scope any
// miner has a figure in (a benchmark headline may be of a scope no listed
// miner reports); else power.
func (r *SectorRule) CurveScope() Scope {
	if r.Headline.Source == "computed" {
		return r.Headline.Scope
	}
	for s := ScopeAllIn; s > ScopePower; s-- {
		if r.Scopes[s].N > 0 {
			return s
		}
	}
	return ScopePower
}
