package econ

import "slices"

// Quartiles are the first quartile, median and third quartile of a sample,
// by linear interpolation between order statistics (the "inclusive" method:
// numpy's default, Excel's QUARTILE.INC). The median of an even-sized sample
// is the mean of the two middle values.
type Quartiles[T ~float64] struct {
	Q1, Median, Q3 T
}

// QuartilesOf returns the quartiles of values, and false for an empty
// sample. The input is not modified; the result does not depend on its order.
func QuartilesOf[T ~float64](values []T) (Quartiles[T], bool) {
	if len(values) == 0 {
		return Quartiles[T]{}, false
	}
	var buf [32]T
	s := append(buf[:0], values...)
	slices.Sort(s)
	return Quartiles[T]{Q1: quantileSorted(s, 0.25), Median: quantileSorted(s, 0.5), Q3: quantileSorted(s, 0.75)}, true
}

// quantileSorted returns the q-quantile (0 ≤ q ≤ 1) of a sorted, non-empty
// sample by linear interpolation at position q·(n−1).
func quantileSorted[T ~float64](s []T, q float64) T {
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := T(pos - float64(i))
	return s[i] + (s[i+1]-s[i])*frac
}

// SectorScope summarises one cost scope across the miners on the board.
type SectorScope struct {
	Scope Scope `json:"scope"`
	// Have is how many miners have a cost in this scope; Missing how many do
	// not (they are left out of the statistics, never counted as zero).
	Have    int `json:"miners_with_data"`
	Missing int `json:"miners_without_data"`
	// Q1, Median and Q3 are the quartiles of the miners' costs.
	Q1     Maybe[USDPerPHDay] `json:"q1_usd_per_ph_day"`
	Median Maybe[USDPerPHDay] `json:"median_usd_per_ph_day"`
	Q3     Maybe[USDPerPHDay] `json:"q3_usd_per_ph_day"`
	// MedianPerBTC is the median restated per BTC at today's hashvalue.
	MedianPerBTC Maybe[USDPerBTC] `json:"median_usd_per_btc"`
	// Margin is hashprice (after pool fee) less the median, and MarginPct
	// that margin as a percentage of hashprice.
	Margin    Maybe[USDPerPHDay] `json:"margin_usd_per_ph_day"`
	MarginPct Maybe[Percent]     `json:"margin_pct"`
	// UnderWater is how many of the Have miners have a cost above hashprice;
	// unknown when hashprice is.
	UnderWater Maybe[int] `json:"miners_under_water"`
}

// summarizeScope computes the statistics of scope s over rows at hashprice
// hp and hashvalue hv. costs is scratch space with capacity for len(rows).
func summarizeScope(s Scope, rows []MinerRow, hp Maybe[USDPerPHDay], hv Maybe[BTCPerPHDay], costs []USDPerPHDay) SectorScope {
	out := SectorScope{Scope: s}
	costs = costs[:0]
	under := 0
	for i := range rows {
		c, ok := rows[i].Costs[s].PerPHDay.Get()
		if !ok {
			out.Missing++
			continue
		}
		costs = append(costs, c)
		if p, ok := hp.Get(); ok && c > p {
			under++
		}
	}
	out.Have = len(costs)
	if hp.OK() {
		out.UnderWater = Known(under)
	}
	q, ok := QuartilesOf(costs)
	if !ok {
		return out
	}
	out.Q1, out.Median, out.Q3 = Known(q.Q1), Known(q.Median), Known(q.Q3)
	out.MedianPerBTC = Bind2(out.Median, hv, CostPerBTC)
	out.Margin = Map2(hp, out.Median, Margin)
	out.MarginPct = Bind2(hp, out.Median, MarginPct)
	return out
}
