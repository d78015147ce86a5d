package econ

// Benchmark is a published sector cost figure for listed miners, e.g.
// TheMinerMag's median total hashcost for 2025-Q3 or CoinShares'
// weighted-average cash cost per BTC for 2025-Q4, in one cost scope and for
// one calendar quarter.
type Benchmark struct {
	// Source is the publisher ("TheMinerMag", "CoinShares"); Metric the
	// figure's name in its own terms.
	Source string `json:"source"`
	Metric string `json:"metric"`
	// Period is the quarter's label ("2025-Q3"); Start and End its days.
	Period string `json:"period"`
	Start  Date   `json:"period_start"`
	End    Date   `json:"period_end"`
	Scope  Scope  `json:"scope"`
	// USDPerPHDay is the figure per PH/s per day: as published, or a
	// published USDPerBTC restated with the quarter's mean Hashvalue
	// ([RestatePerBTC]); unknown when neither is possible.
	USDPerPHDay Maybe[USDPerPHDay] `json:"usd_per_ph_day"`
	USDPerBTC   Maybe[USDPerBTC]   `json:"usd_per_btc"`
	Hashvalue   Maybe[BTCPerPHDay] `json:"period_hashvalue_btc_per_ph_day"`
	// Published is when the figure became public (estimated when
	// PublishedEstimated); Grade and URL its source's quality and address.
	Published          Date   `json:"published"`
	PublishedEstimated bool   `json:"published_estimated,omitempty"`
	Grade              Grade  `json:"grade"`
	URL                string `json:"url,omitempty"`
	Note               string `json:"note,omitempty"`
	// Unusable says why the figure may never be a headline (undated,
	// quarter unverified, a forecast, a network-wide model rather than
	// listed miners); empty when it may.
	Unusable string `json:"unusable,omitempty"`
}

// PublishedBy reports whether the benchmark was public on day d.
func (b Benchmark) PublishedBy(d Date) bool { return !b.Published.IsZero() && !b.Published.After(d) }

// Usable reports whether the benchmark may be a headline: nothing makes it
// unusable, and it has a quarter and a figure per PH/s per day.
func (b Benchmark) Usable() bool {
	return b.Unusable == "" && !b.End.IsZero() && b.USDPerPHDay.OK()
}

// Restated returns the benchmark with a cost per BTC restated per PH/s per
// day at hv, the mean hashvalue of its quarter: USD/BTC × BTC/PH/day. A
// benchmark published per PH/day is returned as is.
func (b Benchmark) Restated(hv Maybe[BTCPerPHDay]) Benchmark {
	if b.USDPerPHDay.OK() {
		return b
	}
	b.Hashvalue = hv
	b.USDPerPHDay = Map2(b.USDPerBTC, hv, RestatePerBTC)
	return b
}
