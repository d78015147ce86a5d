package econ

import (
	"cmp"
	"slices"
)

// CurveRow is one miner on the sector's cost curve: its newest recent
// quarter (ended within the rule's window and published by the board's
// date) with the cost of each scope as a layer, its realized hashrate, and
// where it stands against hashprice at one scope.
type CurveRow struct {
	Ticker  string `json:"ticker"`
	Quarter string `json:"quarter,omitempty"`
	// Scope is the scope the row is judged at (the headline's).
	Scope Scope `json:"scope"`
	// Layers are the cost per PH/s per day in each scope (nested: power ⊂
	// direct ⊂ cash ⊂ all-in); Missing says why a layer is unknown.
	Power   Maybe[USDPerPHDay] `json:"power"`
	Direct  Maybe[USDPerPHDay] `json:"direct"`
	Cash    Maybe[USDPerPHDay] `json:"cash"`
	AllIn   Maybe[USDPerPHDay] `json:"all_in"`
	Missing [NumScopes]string  `json:"-"`
	// RealizedEHs is the quarter's realized hashrate: PH·days ÷ days ÷ 1000.
	RealizedEHs Maybe[EHs] `json:"realized_ehs"`
	// UnderWater is whether the cost at Scope exceeds the board's hashprice
	// (after pool fee); unknown without either.
	UnderWater Flag `json:"under_water"`
	// UnderBelow is the hashprice below which the miner is under water at
	// Scope: its cost there.
	UnderBelow Maybe[USDPerPHDay] `json:"under_water_below_usd_per_ph_day"`
	Published  Date               `json:"published,omitzero"`
	Grade      Grade              `json:"grade,omitempty"`
	// NotAdjusted: under a power-price what-if, the costs could not follow
	// it (no efficiency or own power price) and are as reported.
	NotAdjusted bool `json:"not_adjusted_to_what_if,omitempty"`
}

// Layer returns the row's cost in scope s.
func (r CurveRow) Layer(s Scope) Maybe[USDPerPHDay] {
	return [...]Maybe[USDPerPHDay]{r.Power, r.Direct, r.Cash, r.AllIn}[s]
}

// CostCurve lays the miners out as the sector's supply curve at scope:
// one row per miner with a recent quarter (see [InWindow]), its layers,
// realized hashrate and the hashprice at which it goes under water, sorted
// by its cost at scope (unknown last, then by ticker). Miners without a
// recent quarter get a row with no layers, so the curve says who is left out.
func CostCurve(implied []MinerImplied, asOf Date, scope Scope, hp Maybe[USDPerPHDay]) []CurveRow {
	return costCurve(implied, asOf, scope, hp, nil)
}

// CostCurve is the board's cost curve at scope: [CostCurve] over its
// implied costs and hashprice, each miner's layers moved by a power-price
// what-if as its row and its sector-rule figure are.
func (b *Board) CostCurve(scope Scope) []CurveRow {
	return costCurve(b.Implied, b.SectorRule.AsOf, scope, b.Network.HashpriceNet, b.powerShift)
}

// costCurve is CostCurve with the power what-if's shift by ticker (nil
// without one).
func costCurve(implied []MinerImplied, asOf Date, scope Scope, hp Maybe[USDPerPHDay], shift map[string]Maybe[USDPerPHDay]) []CurveRow {
	rows := make([]CurveRow, 0, len(implied))
	for _, m := range implied {
		r := CurveRow{Ticker: m.Ticker, Scope: scope}
		for i := len(m.Quarters) - 1; i >= 0; i-- {
			q := m.Quarters[i]
			if !InWindow(q.End, asOf) || !slices.ContainsFunc(q.Costs[:], func(c ScopeCost) bool { return c.PerPHDay.OK() }) {
				continue
			}
			r.Quarter = q.Calendar
			r.Power, r.Direct, r.Cash, r.AllIn = q.Costs[ScopePower].PerPHDay, q.Costs[ScopeDirect].PerPHDay, q.Costs[ScopeCash].PerPHDay, q.Costs[ScopeAllIn].PerPHDay
			for s := range q.Costs {
				r.Missing[s] = q.Costs[s].Unknown
			}
			if ph, ok := q.PHDays.Get(); ok {
				if days := q.End.Time().Sub(q.Start.Time()).Hours()/24 + 1; days > 0 {
					r.RealizedEHs = Known(EHs(float64(ph) / days / 1000))
				}
			}
			c := q.Costs[scope]
			r.UnderBelow, r.Published, r.Grade = c.PerPHDay, c.Published, c.Grade
			if shift != nil {
				d, ok := shift[m.Ticker].Get()
				r.NotAdjusted = !ok
				move := func(v Maybe[USDPerPHDay]) Maybe[USDPerPHDay] {
					return Map(v, func(x USDPerPHDay) USDPerPHDay { return x + d })
				}
				if ok {
					r.Power, r.Direct, r.Cash, r.AllIn, r.UnderBelow = move(r.Power), move(r.Direct), move(r.Cash), move(r.AllIn), move(r.UnderBelow)
				}
			}
			break
		}
		if c, ok := r.UnderBelow.Get(); ok {
			if p, ok := hp.Get(); ok {
				r.UnderWater = FlagOf(c > p)
			}
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b CurveRow) int {
		av, aok := a.UnderBelow.Get()
		bv, bok := b.UnderBelow.Get()
		switch {
		case aok && bok:
			return cmp.Or(cmp.Compare(av, bv), cmp.Compare(a.Ticker, b.Ticker))
		case aok:
			return -1
		case bok:
			return 1
		}
		return cmp.Compare(a.Ticker, b.Ticker)
	})
	return rows
}
