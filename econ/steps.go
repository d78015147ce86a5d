package econ

import "slices"

// MedianStep is the sector rule's medians from day From until the next
// step: what a board dated then would have shown (point in time).
type MedianStep struct {
	From    Date                          `json:"from"`
	Medians [NumScopes]Maybe[USDPerPHDay] `json:"medians_usd_per_ph_day"`
	N       [NumScopes]int                `json:"n"`
	// Headline is the rule's headline that day (a benchmark's when no
	// scope beyond power had 5 miners).
	Headline Headline `json:"headline"`
}

// MedianSteps replays the sector rule over [from, to]: a step at from and
// at every day the rule's inputs change — a quarter's or a benchmark's
// publication, or the start of a calendar quarter (the window moves) —
// each with the medians per scope, their n and the headline as of that
// day. Hashprice is left out: the steps are costs. Days before any figure
// give steps with unknown medians.
func MedianSteps(miners []Miner, periods []PeriodMeans, benchmarks []Benchmark, from, to Date) []MedianStep {
	if from.IsZero() || to.Before(from) {
		return nil
	}
	days := []Date{from}
	add := func(d Date) {
		if !d.IsZero() && d.After(from) && !d.After(to) {
			days = append(days, d)
		}
	}
	for _, m := range miners {
		for i := range m.Quarters {
			add(m.Quarters[i].Published)
			m.Quarters[i].eachPublished(add)
		}
	}
	for _, b := range benchmarks {
		add(b.Published)
	}
	for i := quarterIndex(from); !quarterStart(i).After(to); i++ {
		add(quarterStart(i))
	}
	slices.SortFunc(days, func(a, b Date) int { return a.Compare(b) })
	days = slices.Compact(days)
	out := make([]MedianStep, 0, len(days))
	implied := make([]MinerImplied, len(miners))
	for _, d := range days {
		for i := range miners {
			implied[i] = MinerImplied{Ticker: miners[i].Ticker, Quarters: ImpliedCostsAsOf(miners[i].Quarters, periods, d)}
		}
		r := ComputeSectorRule(d, implied, benchmarks, Maybe[USDPerPHDay]{}, Maybe[BTCPerPHDay]{})
		s := MedianStep{From: d, Headline: r.Headline}
		for sc := range r.Scopes {
			s.Medians[sc], s.N[sc] = r.Scopes[sc].Median, r.Scopes[sc].N
		}
		if n := len(out); n > 0 && out[n-1].Medians == s.Medians && out[n-1].N == s.N && out[n-1].Headline.Median == s.Headline.Median {
			continue // nothing changed that day
		}
		out = append(out, s)
	}
	return out
}

// StepAt returns the step in force on day d (the last with From ≤ d), and
// false before the first.
func StepAt(steps []MedianStep, d Date) (MedianStep, bool) {
	i, _ := slices.BinarySearchFunc(steps, d, func(s MedianStep, d Date) int {
		if s.From.After(d) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return MedianStep{}, false
	}
	return steps[i-1], true
}
