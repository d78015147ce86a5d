package econ

import "fmt"

// Scope says which costs a cost figure includes. Scopes nest: each one
// includes everything in the ones before it.
type Scope uint8

const (
	// ScopePower is electricity only: J/TH × $/kWh × 24 per PH/s per day,
	// or a company's reported power cost per BTC.
	ScopePower Scope = iota
	// ScopeDirect adds other direct site costs (hosting, site opex) to
	// power: TheMinerMag's "fleet hashcost" and "cost of production", and
	// companies' "cost to mine excluding depreciation".
	ScopeDirect
	// ScopeCash adds cash SG&A (stock-based compensation removed) and
	// interest: TheMinerMag's "total hashcost" / "all-in cost", CoinShares'
	// cash cost. Depreciation is excluded.
	ScopeCash
	// ScopeAllIn adds the non-cash costs to the cash scope: depreciation
	// and amortisation, and stock-based compensation (CoinShares' "total
	// cost including depreciation and stock-based compensation").
	ScopeAllIn
	// NumScopes is the number of scopes.
	NumScopes = 4
)

// Scopes lists every scope from the narrowest to the widest.
func Scopes() [NumScopes]Scope {
	return [NumScopes]Scope{ScopePower, ScopeDirect, ScopeCash, ScopeAllIn}
}

// String returns the scope's short label: power, direct, cash or all-in.
func (s Scope) String() string {
	switch s {
	case ScopePower:
		return "power"
	case ScopeDirect:
		return "direct"
	case ScopeCash:
		return "cash"
	case ScopeAllIn:
		return "all-in"
	}
	return fmt.Sprintf("scope(%d)", uint8(s))
}

// MarshalText encodes the scope as its label.
func (s Scope) MarshalText() ([]byte, error) {
	if s >= NumScopes {
		return nil, fmt.Errorf("invalid scope %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a scope label (power, direct, cash, all-in).
func (s *Scope) UnmarshalText(b []byte) error {
	p, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// ParseScope parses a scope label; "allin" and "all_in" are accepted for "all-in".
func ParseScope(label string) (Scope, error) {
	switch label {
	case "power":
		return ScopePower, nil
	case "direct":
		return ScopeDirect, nil
	case "cash":
		return ScopeCash, nil
	case "all-in", "allin", "all_in":
		return ScopeAllIn, nil
	}
	return 0, fmt.Errorf("unknown cost scope %q (want power, direct, cash or all-in)", label)
}

// CostStack holds a cost per PH/s per day in each scope; any of them may be unknown.
type CostStack struct {
	Power  Maybe[USDPerPHDay] `json:"power_usd_per_ph_day"`
	Direct Maybe[USDPerPHDay] `json:"direct_usd_per_ph_day"`
	Cash   Maybe[USDPerPHDay] `json:"cash_usd_per_ph_day"`
	AllIn  Maybe[USDPerPHDay] `json:"all_in_usd_per_ph_day"`
}

// Get returns the cost in scope s.
func (c CostStack) Get(s Scope) Maybe[USDPerPHDay] {
	switch s {
	case ScopePower:
		return c.Power
	case ScopeDirect:
		return c.Direct
	case ScopeCash:
		return c.Cash
	case ScopeAllIn:
		return c.AllIn
	}
	return Maybe[USDPerPHDay]{}
}

// Set stores v as the cost in scope s.
func (c *CostStack) Set(s Scope, v Maybe[USDPerPHDay]) {
	switch s {
	case ScopePower:
		c.Power = v
	case ScopeDirect:
		c.Direct = v
	case ScopeCash:
		c.Cash = v
	case ScopeAllIn:
		c.AllIn = v
	}
}

// PowerCost returns the electricity cost of 1 PH/s for a day in USD:
// J/TH × $/kWh × 24 (1 J/TH over 1 PH/s draws 1 kW). Equivalently
// J/TH × $/MWh × 0.024. 32 J/TH at $0.05/kWh is $38.40/PH/day.
func PowerCost(eff JoulesPerTH, price USDPerKWh) USDPerPHDay {
	return USDPerPHDay(float64(eff) * float64(price) * 24)
}

// CostPerBTC returns what a bitcoin costs to produce at a cost per PH/s per
// day and a hashvalue: cost / hashvalue, in USD per BTC. Applied to the power
// scope this is the shutdown price. Unknown when hv ≤ 0.
func CostPerBTC(cost USDPerPHDay, hv BTCPerPHDay) Maybe[USDPerBTC] {
	if hv <= 0 {
		return Maybe[USDPerBTC]{}
	}
	return Known(USDPerBTC(float64(cost) / float64(hv)))
}

// RestatePerBTC converts a cost reported per BTC over a period into a cost
// per PH/s per day, using the mean hashvalue of that same period:
// USD/BTC × BTC/PH/day = USD/PH/day. A cost per PH/s per day does not move
// with difficulty or price, so costs from different quarters, restated this
// way, can be compared with today's hashprice or turned back into USD/BTC at
// today's hashvalue with [CostPerBTC].
func RestatePerBTC(cost USDPerBTC, periodHV BTCPerPHDay) USDPerPHDay {
	return USDPerPHDay(float64(cost) * float64(periodHV))
}

// MeanHashvalue returns the arithmetic mean of daily hashvalues, the right
// average for a period in which a miner's hashrate was steady (BTC produced is
// then hashrate × Σ daily hashvalue). Unknown for an empty or non-positive input.
func MeanHashvalue(daily []BTCPerPHDay) Maybe[BTCPerPHDay] {
	if len(daily) == 0 {
		return Maybe[BTCPerPHDay]{}
	}
	var sum float64
	for _, v := range daily {
		if v <= 0 || v != v {
			return Maybe[BTCPerPHDay]{}
		}
		sum += float64(v)
	}
	return Known(BTCPerPHDay(sum / float64(len(daily))))
}

// PeriodCosts are a company's cash costs for one reporting period, in USD,
// with the realized hashrate they bought: PH/s × days actually mined
// (TheMinerMag's realized hashrate, not nameplate).
type PeriodCosts struct {
	// Label names the period, e.g. "2025-Q3".
	Label string `json:"label"`
	// RealizedPHDays is realized PH/s × days in the period.
	RealizedPHDays Maybe[PHDays] `json:"realized_ph_days"`
	// Power is the period's electricity cost; unknown falls back to the
	// engineering estimate J/TH × $/kWh × 24.
	Power Maybe[USD] `json:"power_usd"`
	// OtherDirect is direct site costs other than power (hosting, site opex).
	OtherDirect Maybe[USD] `json:"other_direct_usd"`
	// CashSGA is SG&A with stock-based compensation removed.
	CashSGA Maybe[USD] `json:"cash_sga_usd"`
	// Interest is interest on loans and finance leases.
	Interest Maybe[USD] `json:"interest_usd"`
	// Depreciation is depreciation of mining equipment and sites.
	Depreciation Maybe[USD] `json:"depreciation_usd"`
	// StockComp is stock-based compensation: part of the all-in scope, as
	// in the costs implied from a quarter's line items ([ImpliedQuarter]).
	StockComp Maybe[USD] `json:"stock_comp_usd"`
}

// Stack spreads the period's costs over its realized PH·days and returns the
// cost per PH/s per day in each scope:
//
//	power  = Power / PHdays            (or the engineering estimate power)
//	direct = power + OtherDirect / PHdays
//	cash   = direct + (CashSGA + Interest) / PHdays
//	all-in = cash + (Depreciation + StockComp) / PHdays
//
// A scope is unknown when any of its components is.
func (p PeriodCosts) Stack(power Maybe[USDPerPHDay]) CostStack {
	phd, ok := p.RealizedPHDays.Get()
	if !ok || phd <= 0 {
		return CostStack{Power: power}
	}
	spread := func(u USD) USDPerPHDay { return USDPerPHDay(float64(u) / float64(phd)) }
	add := func(base Maybe[USDPerPHDay], parts ...Maybe[USD]) Maybe[USDPerPHDay] {
		sum, ok := base.Get()
		if !ok {
			return Maybe[USDPerPHDay]{}
		}
		for _, part := range parts {
			v, ok := part.Get()
			if !ok {
				return Maybe[USDPerPHDay]{}
			}
			sum += spread(v)
		}
		return Known(sum)
	}
	var s CostStack
	if p.Power.OK() {
		s.Power = add(Known[USDPerPHDay](0), p.Power)
	} else {
		s.Power = power
	}
	s.Direct = add(s.Power, p.OtherDirect)
	s.Cash = add(s.Direct, p.CashSGA, p.Interest)
	s.AllIn = add(s.Cash, p.Depreciation, p.StockComp)
	return s
}

// ReportedCost is a cost a company (or an analyst) published per BTC for a
// period, with its scope and provenance.
type ReportedCost struct {
	Scope Scope `json:"scope"`
	// PerBTC is the published figure.
	PerBTC USDPerBTC `json:"usd_per_btc"`
	// Period names the period it covers, e.g. "2025-Q3"; End is its last
	// day (zero when not known), against which a board decides whether the
	// figure is recent ([InWindow]).
	Period string `json:"period"`
	End    Date   `json:"period_end,omitzero"`
	// PeriodHashvalue is the network's mean hashvalue over that period;
	// without it the figure cannot be restated and stays unknown per PH/day.
	PeriodHashvalue Maybe[BTCPerPHDay] `json:"period_hashvalue_btc_per_ph_day"`
	// Source is where the figure was published; AsOf is its date as
	// written, Published the day it became public (PublishedEstimated when
	// that day is an estimate, not a date the source states).
	Source             string `json:"source"`
	AsOf               string `json:"as_of"`
	Published          Date   `json:"published,omitzero"`
	PublishedEstimated bool   `json:"published_estimated,omitempty"`
}

// PerPHDay restates the figure per PH/s per day ([RestatePerBTC]); unknown
// when the period's hashvalue is unknown or the figure is not positive.
func (r ReportedCost) PerPHDay() Maybe[USDPerPHDay] {
	if r.PerBTC <= 0 {
		return Maybe[USDPerPHDay]{}
	}
	return Map(r.PeriodHashvalue, func(hv BTCPerPHDay) USDPerPHDay { return RestatePerBTC(r.PerBTC, hv) })
}
