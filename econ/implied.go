package econ

import (
	"fmt"
	"slices"
	"strings"
)

// PeriodMeans are the network's mean hashvalue and hashprice over one
// period (a quarter), the two network inputs of the implied-cost method.
// The caller computes them from daily network data; each is unknown when
// the data do not cover the whole period.
type PeriodMeans struct {
	Start     Date               `json:"period_start"`
	End       Date               `json:"period_end"`
	Hashvalue Maybe[BTCPerPHDay] `json:"hashvalue_btc_per_ph_day"`
	Hashprice Maybe[USDPerPHDay] `json:"hashprice_usd_per_ph_day"`
}

// MeansFor returns the entry of ps for the period start..end, or one with
// both means unknown when ps has none.
func MeansFor(ps []PeriodMeans, start, end Date) PeriodMeans {
	for _, p := range ps {
		if p.Start == start && p.End == end {
			return p
		}
	}
	return PeriodMeans{Start: start, End: end}
}

// MinShareForProratedCost is the smallest mining share at which a
// company's total cost of revenue may stand in for its mining cost of
// revenue (prorated by the share). Below it the other segments (hosting,
// HPC, ASIC sales) are material and their costs differ too much from
// mining's for a split by revenue.
const MinShareForProratedCost = 0.95

// MiningShare is the part of a quarter's revenue that came from
// self-mining, the fraction by which company-wide overhead, interest and
// depreciation are charged to mining:
//
//	share = self-mining revenue ÷ total revenue   (0 … 1)
//
// measured in quarter From. Carried is set when From is an earlier quarter
// (the company's latest known share, carried forward). Unknown says why the
// share is not known.
type MiningShare struct {
	Value   Maybe[float64] `json:"value"`
	From    string         `json:"from_quarter,omitempty"`
	Carried bool           `json:"carried,omitempty"`
	Unknown string         `json:"unknown_reason,omitempty"`
	Provenance
}

// OwnShare returns the mining share from the quarter's own figures. A
// self-mining revenue above total revenue by at most 1% (two rounded
// figures) counts as a share of 1; more than that is an inconsistency and
// gives an unknown share.
func OwnShare(q Quarter) MiningShare { return ownShare(&q) }

func ownShare(q *Quarter) MiningShare {
	m, okM := q.RevenueMining.Value.Get()
	t, okT := q.RevenueTotal.Value.Get()
	switch {
	case !okM && !okT:
		return MiningShare{Unknown: "no self-mining or total revenue for " + q.Calendar}
	case !okM:
		return MiningShare{Unknown: "no self-mining revenue for " + q.Calendar}
	case !okT:
		return MiningShare{Unknown: "no total revenue for " + q.Calendar}
	case t <= 0 || m < 0:
		return MiningShare{Unknown: "revenue for " + q.Calendar + " is not positive"}
	case m > t*1.01:
		return MiningShare{Unknown: fmt.Sprintf("self-mining revenue %.0f exceeds total revenue %.0f for %s", float64(m), float64(t), q.Calendar)}
	}
	p := DerivedFrom("self-mining revenue ÷ total revenue", q.RevenueMining.Provenance, q.RevenueTotal.Provenance)
	if m > t {
		p.Note += " (capped at 100%: the two figures are rounded differently)"
	}
	return MiningShare{Value: Known(min(1, float64(m/t))), From: q.Calendar, Provenance: p}
}

// ScopeCost is a miner's implied cost in one scope for one quarter, with
// the provenance of a derived figure: the lowest grade of its inputs, the
// latest of their publication dates, Derived set, and the formula in Note.
type ScopeCost struct {
	Scope Scope `json:"scope"`
	// PerPHDay is the cost per PH/s of realized hashrate per day.
	PerPHDay Maybe[USDPerPHDay] `json:"usd_per_ph_day"`
	// PerBTC is PerPHDay at the quarter's mean hashvalue: what a bitcoin
	// cost the company to produce that quarter in this scope.
	PerBTC Maybe[USDPerBTC] `json:"usd_per_btc"`
	// Unknown says why PerPHDay is unknown; empty when it is known.
	Unknown string `json:"unknown_reason,omitempty"`
	Provenance
}

// ImpliedCost is one miner's implied cost for one quarter in every scope,
// computed by one method from its line items ([ImpliedQuarter]).
type ImpliedCost struct {
	Ticker   string `json:"ticker"`
	Calendar string `json:"calendar_quarter"`
	Fiscal   string `json:"fiscal,omitempty"`
	Start    Date   `json:"period_start"`
	End      Date   `json:"period_end"`
	// Hashvalue and Hashprice are the network's means over the quarter.
	Hashvalue Maybe[BTCPerPHDay] `json:"hashvalue_btc_per_ph_day"`
	Hashprice Maybe[USDPerPHDay] `json:"hashprice_usd_per_ph_day"`
	// PHDays is the realized PH/s × days of the quarter; PHDaysFrom says
	// which figure it comes from ("btc_mined" or "mining_revenue") and
	// PHDaysUnknown why it is unknown.
	PHDays        Maybe[PHDays] `json:"realized_ph_days"`
	PHDaysFrom    string        `json:"realized_from,omitempty"`
	PHDaysUnknown string        `json:"realized_unknown_reason,omitempty"`
	// Realization cross-checks the two ways to PH·days where both exist:
	// PH·days from self-mining revenue ÷ PH·days from BTC mined, i.e. the
	// company's average realized price per BTC over the quarter's mean
	// price. Near 1 the two figures agree; far from 1 one of them is not
	// what its label says (a segment that is not pure self-mining, BTC
	// mined before pool fees, ...).
	Realization Maybe[float64] `json:"realization_check"`
	// Share is the mining share used for overhead, interest and
	// depreciation (and for a prorated cost of revenue).
	Share MiningShare `json:"mining_share"`
	// Costs holds the cost in each scope, indexed by [Scope].
	Costs [NumScopes]ScopeCost `json:"costs"`
	// Metrics are the company's own cost metrics for the quarter, shown
	// beside Costs and never mixed into them.
	Metrics []CompanyMetric `json:"company_metrics,omitempty"`
}

// ImpliedQuarter computes what a miner paid per PH/s per day in each scope
// in quarter q, given the network's means over the quarter and the mining
// share to use (see [ImpliedCosts] for the share of a series). Every
// formula divides by the realized PH·days:
//
//	PH·days = BTC mined ÷ mean hashvalue                  (BTC ÷ BTC/PH/day)
//	        or self-mining revenue ÷ mean hashprice       (USD ÷ USD/PH/day), without BTC mined
//
// and the scopes, in USD per PH/s per day, nest:
//
//	power  = power cost ÷ PH·days, or J/TH × $/kWh × 24 without a reported power cost
//	direct = mining cost of revenue ex-D&A ÷ PH·days
//	         (or total cost of revenue × share ÷ PH·days when share ≥ MinShareForProratedCost)
//	cash   = direct + ((SG&A − stock comp) + interest) × share ÷ PH·days
//	all-in = cash + (D&A + stock comp) × share ÷ PH·days
//
// Each scope per BTC is its cost per PH/day ÷ the mean hashvalue. A scope
// whose inputs are not all known is unknown with the reasons in Unknown; a
// known one carries the provenance of its inputs (lowest grade, latest
// publication date).
func ImpliedQuarter(q Quarter, net PeriodMeans, share MiningShare) ImpliedCost {
	return impliedQuarter(&q, net, share)
}

func impliedQuarter(q *Quarter, net PeriodMeans, share MiningShare) ImpliedCost {
	c := ImpliedCost{
		Ticker: q.Ticker, Calendar: q.Calendar, Fiscal: q.Fiscal, Start: q.Start, End: q.End,
		Hashvalue: net.Hashvalue, Hashprice: net.Hashprice, Share: share, Metrics: q.Metrics,
	}
	for s := range c.Costs {
		c.Costs[s].Scope = Scope(s)
	}
	hv, hvOK := net.Hashvalue.Get()
	hvOK = hvOK && hv > 0
	hp, hpOK := net.Hashprice.Get()
	hpOK = hpOK && hp > 0

	// Realized PH·days.
	var fromBTC, fromRev float64
	if btc, ok := q.BTCMined.Value.Get(); ok && btc > 0 && hvOK {
		fromBTC = float64(btc) / float64(hv)
	}
	if rev, ok := q.RevenueMining.Value.Get(); ok && rev > 0 && hpOK {
		fromRev = float64(rev) / float64(hp)
	}
	var phProv Provenance
	switch {
	case fromBTC > 0:
		c.PHDays, c.PHDaysFrom, phProv = Known(PHDays(fromBTC)), "btc_mined", q.BTCMined.Provenance
	case fromRev > 0:
		c.PHDays, c.PHDaysFrom, phProv = Known(PHDays(fromRev)), "mining_revenue", q.RevenueMining.Provenance
	case q.BTCMined.OK() && !hvOK, q.RevenueMining.OK() && !hpOK:
		c.PHDaysUnknown = "the network's mean hashvalue or hashprice for " + q.Calendar + " is unknown"
	default:
		c.PHDaysUnknown = "no line item for " + q.Calendar + " gives bitcoin mined or self-mining revenue"
	}
	if fromBTC > 0 && fromRev > 0 {
		c.Realization = Known(fromRev / fromBTC)
	}
	phd, phOK := c.PHDays.Get()
	spread := func(u USD) USDPerPHDay { return USDPerPHDay(float64(u) / float64(phd)) }
	shareV, shareOK := share.Value.Get()

	set := func(s Scope, v USDPerPHDay, p Provenance) {
		c.Costs[s].PerPHDay, c.Costs[s].Provenance = Known(v), p
		if hvOK {
			c.Costs[s].PerBTC = CostPerBTC(v, hv)
		}
	}
	var why []string
	need := func(ok bool, reason string) {
		if !ok {
			why = append(why, reason)
		}
	}
	fail := func(s Scope) { c.Costs[s].Unknown = strings.Join(why, "; ") }

	// Power.
	switch power, eff, price := q.CostPower, q.Efficiency, q.PowerPrice; {
	case power.OK() && phOK:
		set(ScopePower, spread(power.Value.Or(0)), DerivedFrom("power cost ÷ realized PH·days", power.Provenance, phProv))
	case power.OK():
		c.Costs[ScopePower].Unknown = "power cost known but realized PH·days not: " + c.PHDaysUnknown
	case eff.OK() && price.OK():
		set(ScopePower, PowerCost(eff.Value.Or(0), price.Value.Or(0)), DerivedFrom("J/TH × $/kWh × 24", eff.Provenance, price.Provenance))
	default:
		why := "no power-cost line item"
		switch {
		case !eff.OK() && !price.OK():
			why += " or J/TH and power price to model it"
		case !eff.OK():
			why += " or J/TH to model it"
		default:
			why += " or power price to model it"
		}
		c.Costs[ScopePower].Unknown = ownMetricNote(q, ScopePower) + why
	}

	// Direct.
	var direct USD
	var directIn []Provenance
	directNote := "mining cost of revenue ÷ realized PH·days"
	switch {
	case q.CostMining.OK():
		direct, directIn = q.CostMining.Value.Or(0), []Provenance{q.CostMining.Provenance}
	case q.CostTotal.OK() && shareOK && shareV >= MinShareForProratedCost:
		direct, directIn = q.CostTotal.Value.Or(0)*USD(shareV), []Provenance{q.CostTotal.Provenance, share.Provenance}
		directNote = "total cost of revenue × mining share ÷ realized PH·days"
	case q.CostTotal.OK() && shareOK:
		why = append(why, fmt.Sprintf("only total cost of revenue is known and self-mining is %.0f%% of revenue (under %.0f%%), so mining's part of it is not known", shareV*100, MinShareForProratedCost*100))
	case q.CostTotal.OK():
		why = append(why, "only total cost of revenue is known and the mining share is not ("+share.Unknown+")")
	default:
		why = append(why, ownMetricNote(q, ScopeDirect)+"no mining-cost line item")
	}
	need(phOK, c.PHDaysUnknown)
	directOK := len(why) == 0
	var directPer USDPerPHDay
	if directOK {
		directPer = spread(direct)
		set(ScopeDirect, directPer, DerivedFrom(directNote, append(directIn, phProv)...))
	} else {
		fail(ScopeDirect)
	}

	// Cash: overhead without stock comp, and interest, at the mining share.
	// The reasons accumulate: a wider scope lists everything it lacks.
	if !directOK {
		why = why[:0]
		need(false, "direct cost unknown")
	}
	sga, sgaProv, sgaOK := cashSGA(q)
	need(shareOK, "mining share unknown: "+share.Unknown)
	switch {
	case sgaOK:
	case q.SGA.OK():
		why = append(why, "stock-based compensation unknown (SG&A includes it)")
	default:
		why = append(why, "SG&A unknown")
	}
	need(q.Interest.OK(), "interest expense unknown")
	cashOK := len(why) == 0
	var cashPer USDPerPHDay
	if cashOK {
		cashPer = directPer + spread((sga+q.Interest.Value.Or(0))*USD(shareV))
		set(ScopeCash, cashPer, DerivedFrom("direct + (SG&A − stock comp + interest) × mining share ÷ realized PH·days",
			c.Costs[ScopeDirect].Provenance, share.Provenance, sgaProv, q.Interest.Provenance))
	} else {
		fail(ScopeCash)
	}

	// All-in: depreciation and stock comp at the mining share.
	sbc, sbcProv, sbcOK := stockComp(q)
	need(q.DA.OK(), "depreciation and amortisation unknown")
	if sgaOK { // otherwise its absence is already listed
		need(sbcOK, "stock-based compensation unknown")
	}
	if len(why) > 0 {
		fail(ScopeAllIn)
		return c
	}
	set(ScopeAllIn, cashPer+spread((q.DA.Value.Or(0)+sbc)*USD(shareV)),
		DerivedFrom("cash + (D&A + stock comp) × mining share ÷ realized PH·days", c.Costs[ScopeCash].Provenance, q.DA.Provenance, sbcProv))
	return c
}

// ownMetricNote is what an unknown scope's reason starts with when the
// company reports its own figure at that scope for the quarter ("own
// figure reported, not used; "), so that a missing line item does not read
// as nothing reported, even where a narrow column cuts the rest; "" when it
// reports none. The figure itself is in the miner view's facts.
func ownMetricNote(q *Quarter, s Scope) string {
	if !slices.ContainsFunc(q.Metrics, func(m CompanyMetric) bool { return m.Scope == s }) {
		return ""
	}
	return "own figure reported, not used; "
}

// cashSGA returns SG&A without stock-based compensation: the reported
// figure, else SG&A − stock comp.
func cashSGA(q *Quarter) (USD, Provenance, bool) {
	if v, ok := q.SGAExStockComp.Value.Get(); ok {
		return v, q.SGAExStockComp.Provenance, true
	}
	sga, ok1 := q.SGA.Value.Get()
	sbc, ok2 := q.StockComp.Value.Get()
	if !ok1 || !ok2 {
		return 0, Provenance{}, false
	}
	return sga - sbc, DerivedFrom("SG&A − stock comp", q.SGA.Provenance, q.StockComp.Provenance), true
}

// stockComp returns stock-based compensation: the reported figure, else
// SG&A − SG&A without it.
func stockComp(q *Quarter) (USD, Provenance, bool) {
	if v, ok := q.StockComp.Value.Get(); ok {
		return v, q.StockComp.Provenance, true
	}
	sga, ok1 := q.SGA.Value.Get()
	ex, ok2 := q.SGAExStockComp.Value.Get()
	if !ok1 || !ok2 {
		return 0, Provenance{}, false
	}
	return sga - ex, DerivedFrom("SG&A − SG&A ex stock comp", q.SGA.Provenance, q.SGAExStockComp.Provenance), true
}

// ImpliedCosts computes [ImpliedQuarter] for each of one miner's quarters,
// oldest first, with the network means of each quarter taken from means.
// A quarter's mining share is its own ([OwnShare]); without one it is the
// latest earlier quarter's, marked Carried; with neither it is unknown and
// so are the cash and all-in scopes, whatever else the company earns: no
// share is ever assumed to be 100%.
func ImpliedCosts(qs []Quarter, means []PeriodMeans) []ImpliedCost {
	return ImpliedCostsAsOf(qs, means, Date{})
}

// ImpliedCostsAsOf is [ImpliedCosts] over the quarters as a board dated d
// sees them ([Quarter.AsOf]): quarters with nothing public by d are left
// out, and every figure is from a source public by d. The zero d applies
// no filter.
func ImpliedCostsAsOf(qs []Quarter, means []PeriodMeans, d Date) []ImpliedCost {
	if len(qs) == 0 {
		return nil
	}
	if !slices.IsSortedFunc(qs, func(a, b Quarter) int { return a.End.Compare(b.End) }) {
		qs = slices.Clone(qs)
		slices.SortStableFunc(qs, func(a, b Quarter) int { return a.End.Compare(b.End) })
	}
	out := make([]ImpliedCost, 0, len(qs))
	var last MiningShare
	for i := range qs {
		q := &qs[i]
		if !d.IsZero() && q.newerThan(d) {
			v, ok := q.AsOf(d)
			if !ok {
				continue
			}
			q = &v
		}
		share := ownShare(q)
		switch {
		case share.Value.OK():
			last = share
		case last.Value.OK():
			reason := share.Unknown
			share = last
			share.Carried = true
			share.Note = "carried from " + last.From + " (" + reason + "); " + last.Note
		default:
			share.Unknown += ", and no earlier quarter has a mining share"
		}
		out = append(out, impliedQuarter(q, MeansFor(means, q.Start, q.End), share))
	}
	return out
}
