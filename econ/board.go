package econ

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"
)

// NetworkInputs are the network facts a board is computed from. Any of them
// may be unknown; what depends on an unknown input is unknown in turn.
type NetworkInputs struct {
	Price      Maybe[USDPerBTC]
	Difficulty Maybe[Difficulty]
	Height     Maybe[int64]
	// FeesPerBlock is the mean fee per block (Luxor uses a 144-block SMA).
	FeesPerBlock Maybe[BTC]
	// FeeShare is used only when FeesPerBlock is unknown: fees as a percent
	// of the total reward.
	FeeShare Maybe[Percent]
	// PoolFee is a haircut on revenue in percent (0 matches Hashrate Index).
	PoolFee Percent
	// MeanBlockTime is the observed mean interval; ≤ 0 means the 600 s target.
	MeanBlockTime time.Duration
	// EpochStart is the time of the current epoch's first block; zero means
	// no next-difficulty estimate.
	EpochStart time.Time
	// Now is the time the network figures are estimated at (retarget,
	// halving). It also dates the sector rule ([BoardDate]) unless AsOf is
	// set: only figures published by that day are used, from quarters in
	// the window ([InWindow]).
	Now time.Time
	// AsOf, when set, dates the sector rule instead of Now: a live board
	// whose network figures are an older day's still judges costs as of
	// today.
	AsOf time.Time
	// Periods are the network's mean hashvalue and hashprice per quarter,
	// for the miners' implied costs (the caller computes them from daily
	// network data; a quarter without an entry has unknown means).
	Periods []PeriodMeans
	// Benchmarks are published sector costs for the sector rule.
	Benchmarks []Benchmark
}

// NetworkView is the network half of the board.
type NetworkView struct {
	Price        Maybe[USDPerBTC]  `json:"btc_price_usd"`
	Difficulty   Maybe[Difficulty] `json:"difficulty"`
	Height       Maybe[int64]      `json:"height"`
	Subsidy      Maybe[BTC]        `json:"subsidy_btc"`
	FeesPerBlock Maybe[BTC]        `json:"fees_btc_per_block"`
	FeeShare     Maybe[Percent]    `json:"fee_share_pct"`
	Reward       Maybe[BTC]        `json:"reward_btc_per_block"`
	// Hashrate is D·2^32 / MeanBlockTime.
	Hashrate      Maybe[EHs] `json:"network_hashrate_ehs"`
	MeanBlockTime float64    `json:"mean_block_time_s"`
	// Hashvalue and Hashprice are gross; HashpriceNet is after the pool fee
	// and is what margins are measured against.
	Hashvalue    Maybe[BTCPerPHDay] `json:"hashvalue_btc_per_ph_day"`
	Hashprice    Maybe[USDPerPHDay] `json:"hashprice_usd_per_ph_day"`
	HashpriceTH  Maybe[USDPerTHDay] `json:"hashprice_usd_per_th_day"`
	PoolFee      Percent            `json:"pool_fee_pct"`
	HashpriceNet Maybe[USDPerPHDay] `json:"hashprice_net_usd_per_ph_day"`
	// NextHalvingHeight, BlocksToHalving and HalvingETA are unknown (zero
	// time) when the height is.
	NextHalvingHeight Maybe[int64] `json:"next_halving_height"`
	BlocksToHalving   Maybe[int64] `json:"blocks_to_halving"`
	HalvingETA        time.Time    `json:"halving_eta,omitzero"`
	// HalvingETA is at the 600 s target, as calc and the published
	// calendars give it; HalvingETAObserved at the observed mean block
	// time, the other end of the range the halving is likely in.
	HalvingETAObserved time.Time `json:"halving_eta_observed,omitzero"`
	// Adjustment is the next-difficulty estimate; nil without height and a
	// plausible epoch start ([CheckEpochStart]).
	Adjustment *DifficultyEstimate `json:"adjustment,omitempty"`
}

// ComputeNetwork derives the network view from its inputs.
func ComputeNetwork(in NetworkInputs) NetworkView {
	v := NetworkView{Price: in.Price, Difficulty: in.Difficulty, Height: in.Height, PoolFee: in.PoolFee}
	mean := in.MeanBlockTime
	if mean <= 0 {
		mean = TargetBlockTime
	}
	v.MeanBlockTime = mean.Seconds()
	if d, ok := in.Difficulty.Get(); ok && d > 0 {
		v.Hashrate = Known(NetworkHashrate(d, mean).EHs())
	} else {
		v.Difficulty = Maybe[Difficulty]{}
	}
	if h, ok := in.Height.Get(); ok && h >= 0 {
		sub := Subsidy(h)
		v.Subsidy = Known(sub)
		v.NextHalvingHeight = Known(NextHalvingHeight(h))
		v.BlocksToHalving = Known(BlocksToHalving(h))
		if !in.Now.IsZero() {
			v.HalvingETA = HalvingETA(h, in.Now, TargetBlockTime)
			v.HalvingETAObserved = HalvingETA(h, in.Now, mean)
		}
		switch fees, ok := in.FeesPerBlock.Get(); {
		case ok && fees >= 0:
			v.FeesPerBlock = Known(fees)
			v.Reward = Known(Reward(sub, fees))
			v.FeeShare = FeeShare(sub, fees)
		case in.FeeShare.OK():
			if r, err := RewardFromFeeShare(sub, in.FeeShare.Or(0)); err == nil {
				v.Reward = Known(r)
				v.FeesPerBlock = Known(r - sub)
				v.FeeShare = in.FeeShare
			}
		}
		// An epoch start the blocks mined make impossible (a last good
		// value kept from an earlier epoch, say) gives no estimate.
		if !in.EpochStart.IsZero() && !in.Now.IsZero() && CheckEpochStart(h, in.EpochStart, in.Now) == nil {
			est := EstimateNextDifficulty(Epoch{Height: h, Start: in.EpochStart, Now: in.Now, Difficulty: v.Difficulty}, EstimateMinBlocks)
			v.Adjustment = &est
		}
	} else {
		v.Height = Maybe[int64]{}
	}
	v.Hashvalue = Map2(v.Difficulty, v.Reward, Hashvalue)
	v.Hashprice = Map2(v.Hashvalue, v.Price, Hashprice)
	v.HashpriceTH = Map(v.Hashprice, USDPerPHDay.PerTH)
	v.HashpriceNet = Map(v.Hashprice, func(p USDPerPHDay) USDPerPHDay { return AfterPoolFee(p, in.PoolFee) })
	return v
}

// Miner is what the board knows about one listed miner. Unknown fields are
// unknown, not zero.
type Miner struct {
	Ticker string
	// Hashrate and its label (installed, operating, realized, ...).
	Hashrate      Maybe[EHs]
	HashrateLabel string
	// Efficiency is the fleet's J/TH; PowerPrice what it pays per kWh.
	Efficiency Maybe[JoulesPerTH]
	PowerPrice Maybe[USDPerKWh]
	// Period holds line items from a filing, if any.
	Period PeriodCosts
	// Reported holds published per-BTC costs, newest first; the first one
	// of each scope is used.
	Reported []ReportedCost
	// Quarters holds the miner's quarterly financials, oldest first, as
	// known today; the board uses each as of its own date ([Quarter.AsOf])
	// to compute implied costs and the sector rule.
	Quarters []Quarter
}

// Basis says where a miner's cost figure comes from.
type Basis uint8

const (
	// BasisNone: no figure.
	BasisNone Basis = iota
	// BasisFilings: period line items spread over realized PH·days.
	BasisFilings
	// BasisReported: a published cost per BTC restated per PH/day at its period's hashvalue.
	BasisReported
	// BasisModel: J/TH × $/kWh × 24 (power scope only).
	BasisModel
	// BasisImplied: the miner's figure in the sector rule — its newest
	// recent quarter's implied cost ([ImpliedQuarter]), the same method
	// for every miner. It wins over the others where it exists.
	BasisImplied
)

// String returns the basis label.
func (b Basis) String() string {
	return [...]string{"none", "filings", "reported", "model", "implied"}[min(int(b), 4)]
}

// MarshalText encodes the basis as its label.
func (b Basis) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// MinerCost is one miner's cost in one scope, at today's network.
type MinerCost struct {
	PerPHDay Maybe[USDPerPHDay] `json:"usd_per_ph_day"`
	// PerBTC is PerPHDay at today's hashvalue: what a bitcoin would cost
	// at today's network, not the figure the company reported.
	PerBTC Maybe[USDPerBTC] `json:"usd_per_btc_at_today_network"`
	// ReportedPerBTC is the per-BTC figure as published, for a reported
	// cost (its period's network, not today's).
	ReportedPerBTC Maybe[USDPerBTC] `json:"reported_usd_per_btc"`
	// Margin is hashprice (net of pool fee) less PerPHDay; MarginPct as a share of hashprice.
	Margin    Maybe[USDPerPHDay] `json:"margin_usd_per_ph_day"`
	MarginPct Maybe[Percent]     `json:"margin_pct"`
	Basis     Basis              `json:"basis"`
	// Period, Source, AsOf and Published carry the provenance of a
	// reported or implied figure; an implied one also its grade and
	// whether its publication date is an estimate.
	Period string `json:"period,omitempty"`
	// End is the period's last day (zero when not known or not dated, as
	// for a model cost). OutsideWindow says it ended before the quarters
	// the sector rule counts on the board's date ([InWindow]): its margin
	// is today's hashprice less a cost of an older period, no current
	// margin, and the row's UnderWater is unknown when it is the headline's.
	End                Date   `json:"period_end,omitzero"`
	OutsideWindow      bool   `json:"outside_window,omitempty"`
	Source             string `json:"source,omitempty"`
	AsOf               string `json:"as_of,omitempty"`
	Published          Date   `json:"published,omitzero"`
	PublishedEstimated bool   `json:"published_estimated,omitempty"`
	Grade              Grade  `json:"grade,omitempty"`
}

// MinerCosts holds a miner's cost in every scope, indexed by [Scope].
type MinerCosts [NumScopes]MinerCost

// Widest returns the widest scope with a figure, and false when there is none.
func (c MinerCosts) Widest() (Scope, bool) {
	for s := ScopeAllIn; ; s-- {
		if c[s].PerPHDay.OK() {
			return s, true
		}
		if s == ScopePower {
			return 0, false
		}
	}
}

// MarshalJSON encodes the costs as an object keyed by scope label, leaving out scopes without a figure.
func (c MinerCosts) MarshalJSON() ([]byte, error) {
	m := make(map[string]MinerCost, NumScopes)
	for _, s := range Scopes() {
		if c[s].Basis != BasisNone {
			m[s.String()] = c[s]
		}
	}
	return json.Marshal(m)
}

// MinerRow is one miner's line on the board.
type MinerRow struct {
	Ticker        string             `json:"ticker"`
	Hashrate      Maybe[EHs]         `json:"hashrate_ehs"`
	HashrateLabel string             `json:"hashrate_label,omitempty"`
	Efficiency    Maybe[JoulesPerTH] `json:"efficiency_j_per_th"`
	PowerPrice    Maybe[USDPerKWh]   `json:"power_price_usd_per_kwh"`
	Costs         MinerCosts         `json:"costs"`
	// Headline is the widest scope with a figure; HasCost is false when there is none.
	Headline Scope `json:"headline_scope"`
	HasCost  bool  `json:"has_cost"`
	// UnderWater reports whether the headline cost exceeds hashprice
	// (unknown when either is).
	UnderWater Flag `json:"under_water"`
	// BreakevenPowerPrice and RevenuePerMWh use the fleet's efficiency at
	// today's hashprice; ShutdownPrice is the reported power cost per BTC
	// at today's hashvalue when there is one, else the efficiency model's.
	BreakevenPowerPrice Maybe[USDPerKWh] `json:"breakeven_power_usd_per_kwh"`
	ShutdownPrice       Maybe[USDPerBTC] `json:"shutdown_price_usd"`
	RevenuePerMWh       Maybe[USDPerMWh] `json:"revenue_per_mwh_usd"`
	// PowerNotAdjusted is set when a scenario changed the power price but
	// this miner's costs could not follow (efficiency or own power price unknown).
	PowerNotAdjusted bool `json:"power_not_adjusted,omitempty"`
}

// Board is every number on the dashboard, computed from network inputs,
// miners and a scenario.
type Board struct {
	Network  NetworkView `json:"network"`
	Scenario Scenario    `json:"scenario"`
	Miners   []MinerRow  `json:"miners"`
	// Total is the number of miners.
	Total int `json:"miners_total"`
	// powerShift is, under a power-price what-if, how much each miner's
	// costs move (unknown: they cannot); nil without one.
	powerShift map[string]Maybe[USDPerPHDay]
	// Implied holds each miner's implied costs per quarter (in Miners
	// order), from its quarters as of the board's date.
	Implied []MinerImplied `json:"implied_costs"`
	// SectorRule is the sector: medians, headline and under-water count,
	// each at one scope with its n ([ComputeSectorRule]).
	SectorRule SectorRule `json:"sector_rule"`
}

// ComputeBoard computes the board for the network inputs and miners under
// scenario s (the zero Scenario leaves the inputs as they are). The sector
// rule's costs are what the miners reported; a scenario moves its margins
// through hashprice, but its power price does not change reported costs.
func ComputeBoard(in NetworkInputs, miners []Miner, s Scenario) Board {
	b := Board{Scenario: s, Network: ComputeNetwork(s.applyNetwork(in)), Total: len(miners)}
	b.Miners = make([]MinerRow, len(miners))
	hp, hv := b.Network.HashpriceNet, b.Network.Hashvalue
	asOf := BoardDate(cmp.Or(in.AsOf, in.Now))
	b.Implied = make([]MinerImplied, len(miners))
	for i := range miners {
		b.Implied[i] = MinerImplied{Ticker: miners[i].Ticker, Quarters: ImpliedCostsAsOf(miners[i].Quarters, in.Periods, asOf)}
	}
	var shift map[string]Maybe[USDPerPHDay]
	if np, ok := s.PowerPrice.Get(); ok {
		// Each miner's power cost before the what-if, as its row would show
		// it: the rule's figures without the shift first.
		rule0 := computeSectorRule(asOf, b.Implied, in.Benchmarks, hp, hv, nil)
		shift = make(map[string]Maybe[USDPerPHDay], len(miners))
		for i := range miners {
			power := minerCostStack(&miners[i], ruleFigures(rule0, miners[i].Ticker), b.Implied[i].Quarters, asOf)[ScopePower]
			shift[miners[i].Ticker] = powerShift(&miners[i], power, np)
		}
	}
	b.SectorRule = computeSectorRule(asOf, b.Implied, in.Benchmarks, hp, hv, shift)
	b.powerShift = shift
	for i := range miners {
		b.Miners[i] = minerRow(&miners[i], hp, hv, s.PowerPrice, shift[miners[i].Ticker], ruleFigures(b.SectorRule, miners[i].Ticker), b.Implied[i].Quarters, asOf)
	}
	return b
}

// ruleFigures returns ticker's figure in each scope of the sector rule
// (nil where it is not a member), so that its row shows the same cost as
// the sector's medians.
func ruleFigures(r SectorRule, ticker string) [NumScopes]*RuleMember {
	var out [NumScopes]*RuleMember
	for s := range r.Scopes {
		for i := range r.Scopes[s].Members {
			if m := &r.Scopes[s].Members[i]; m.Ticker == ticker {
				out[s] = m
			}
		}
	}
	return out
}

// BoardDate is the day a board computed at now is dated for the sector
// rule: now's UTC day, except that exactly 00:00 UTC stands for the end of
// the day before (the embedded snapshot's Now is the end of its day). The
// zero time gives the zero Date.
func BoardDate(now time.Time) Date {
	if now.IsZero() {
		return Date{}
	}
	return DateOf(now.Add(-time.Nanosecond))
}

// minerCostStack returns m's cost per PH/day in every scope at its own power
// price, with the basis of each, the first that exists: its figure in the
// sector rule (implied, in the rule's window), filing line items, a
// reported per-BTC figure restated at its period's hashvalue whose period
// is in the window; for a reported figure that ended before the window, the
// miner's newest implied figure when that is newer (both old: marked so,
// [MinerCost.OutsideWindow]); then (power only) J/TH × $/kWh × 24; last
// the newest implied figure, however old. Choosing an old reported figure
// over an old implied one only because it is reported narrowed live rows
// to power ("MARA $19.21 power Q3'25 old" live, "$31.79 direct Q3'25"
// offline).
func minerCostStack(m *Miner, rule [NumScopes]*RuleMember, implied []ImpliedCost, asOf Date) MinerCosts {
	var out MinerCosts
	model := Map2(m.Efficiency, m.PowerPrice, PowerCost)
	filed := m.Period.Stack(model)
	current := func(end Date) bool { return end.IsZero() || asOf.IsZero() || InWindow(end, asOf) }
	for _, s := range Scopes() {
		if f := rule[s]; f != nil {
			out[s] = MinerCost{PerPHDay: Known(f.USDPerPHDay), Basis: BasisImplied, Period: f.Quarter, Source: "implied from the quarter's line items",
				AsOf: f.Published.String(), Published: f.Published, PublishedEstimated: f.PublishedEstimated, Grade: f.Grade}
			continue
		}
		if v := filed.Get(s); v.OK() && m.Period.RealizedPHDays.OK() {
			basis := BasisFilings
			if s == ScopePower && !m.Period.Power.OK() {
				basis = BasisModel
			}
			out[s] = MinerCost{PerPHDay: v, Basis: basis, Period: m.Period.Label}
			continue
		}
		var rep MinerCost
		for _, r := range m.Reported {
			if r.Scope != s {
				continue
			}
			if v := r.PerPHDay(); v.OK() {
				rep = MinerCost{PerPHDay: v, ReportedPerBTC: Known(r.PerBTC), Basis: BasisReported, Period: r.Period, End: r.End, Source: r.Source, AsOf: r.AsOf, Published: r.Published, PublishedEstimated: r.PublishedEstimated}
				break
			}
		}
		switch old, ok := oldImplied(implied, s, asOf); {
		case rep.Basis == BasisReported && (current(rep.End) || !ok || !old.End.After(rep.End)):
			out[s] = rep
		case ok && rep.Basis == BasisReported: // both old: the newer
			out[s] = old
		case s == ScopePower && model.OK():
			out[s] = MinerCost{PerPHDay: model, Basis: BasisModel}
		case ok:
			out[s] = old
		}
	}
	return out
}

// oldImplied is the newest of a miner's implied quarters with a figure at
// scope s published by asOf, as a cost of basis implied with its period's
// end (so that a quarter before the rule's window reads as old).
func oldImplied(implied []ImpliedCost, s Scope, asOf Date) (MinerCost, bool) {
	for i := len(implied) - 1; i >= 0; i-- {
		q, c := &implied[i], implied[i].Costs[s]
		if v, ok := c.PerPHDay.Get(); ok && (asOf.IsZero() || c.PublishedBy(asOf)) {
			return MinerCost{PerPHDay: Known(v), Basis: BasisImplied, Period: q.Calendar, End: q.End, Source: "implied from the quarter's line items",
				AsOf: c.Published.String(), Published: c.Published, PublishedEstimated: c.PublishedEstimated, Grade: c.Grade}, true
		}
	}
	return MinerCost{}, false
}

// powerShift is how much m's costs per PH/s per day move when it pays np
// per kWh instead of its own power price: its power cost scaled by
// np ÷ own when that cost is a dated figure (implied, reported, filed), so
// that at $0/kWh the power scope is $0 (found in review: 18.25 fell only
// to 4.57, the J/TH × $/kWh model's part); else the model's difference,
// J/TH × (np − own) × 24. Unknown without its own price, or without both a
// dated power cost and its efficiency. Rows and the sector rule's members
// move by it alike.
func powerShift(m *Miner, power MinerCost, np USDPerKWh) Maybe[USDPerPHDay] {
	own, ownOK := m.PowerPrice.Get()
	if !ownOK {
		return Unknown[USDPerPHDay]()
	}
	if v, ok := power.PerPHDay.Get(); ok && own > 0 && power.Basis != BasisModel && power.Basis != BasisNone {
		return Known(v * USDPerPHDay(float64(np)/float64(own)-1))
	}
	eff, effOK := m.Efficiency.Get()
	if !effOK {
		return Unknown[USDPerPHDay]()
	}
	return Known(PowerCost(eff, np) - PowerCost(eff, own))
}

func minerRow(m *Miner, hp Maybe[USDPerPHDay], hv Maybe[BTCPerPHDay], override Maybe[USDPerKWh], shift Maybe[USDPerPHDay], rule [NumScopes]*RuleMember, implied []ImpliedCost, asOf Date) MinerRow {
	r := MinerRow{Ticker: m.Ticker, Hashrate: m.Hashrate, HashrateLabel: m.HashrateLabel, Efficiency: m.Efficiency, PowerPrice: m.PowerPrice}
	r.Costs = minerCostStack(m, rule, implied, asOf)
	if override.OK() {
		if delta, ok := shift.Get(); ok {
			for s := range r.Costs {
				if c, ok := r.Costs[s].PerPHDay.Get(); ok {
					r.Costs[s].PerPHDay = Known(c + delta)
				}
			}
			r.PowerPrice = override
		} else {
			r.PowerNotAdjusted = true
		}
	}
	for s := range r.Costs {
		c := &r.Costs[s]
		c.PerBTC = Bind2(c.PerPHDay, hv, CostPerBTC)
		c.Margin = Map2(hp, c.PerPHDay, Margin)
		c.MarginPct = Bind2(hp, c.PerPHDay, MarginPct)
		c.OutsideWindow = !c.End.IsZero() && !asOf.IsZero() && !InWindow(c.End, asOf)
	}
	// One date per row: with a current dated figure at any scope, the old
	// ones go (found in review: a current direct $30 beside an older, wider
	// cash $25 made the old figure the headline, breaking the scopes'
	// nesting). The J/TH × $/kWh model is not dated by a period, so it
	// does not make a row current.
	if slices.ContainsFunc(r.Costs[:], func(c MinerCost) bool { return c.PerPHDay.OK() && !c.OutsideWindow && c.Basis != BasisModel }) {
		for s := range r.Costs {
			if r.Costs[s].OutsideWindow {
				r.Costs[s] = MinerCost{}
			}
		}
	}
	r.Headline, r.HasCost = r.Costs.Widest()
	if r.HasCost && !r.Costs[r.Headline].OutsideWindow {
		if p, ok := hp.Get(); ok {
			r.UnderWater = FlagOf(r.Costs[r.Headline].PerPHDay.Or(0) > p)
		}
	}
	if eff, ok := r.Efficiency.Get(); ok {
		if p, ok := hp.Get(); ok {
			r.BreakevenPowerPrice = BreakevenPowerPrice(p, eff)
			r.RevenuePerMWh = RevenuePerMWh(p, eff)
		}
		if pp, ok := r.PowerPrice.Get(); ok {
			if v, ok := hv.Get(); ok {
				r.ShutdownPrice = ShutdownPrice(eff, pp, v)
			}
		}
	}
	// One power cost per miner: where the company reported its power cost,
	// the shutdown price (power cost = revenue) is that cost per BTC at
	// today's hashvalue, not the J/TH × $/kWh model's.
	if pc := r.Costs[ScopePower]; (pc.Basis == BasisFilings || pc.Basis == BasisReported || pc.Basis == BasisImplied) && !pc.OutsideWindow {
		r.ShutdownPrice = pc.PerBTC
	} else if pc.OutsideWindow {
		r.ShutdownPrice = Unknown[USDPerBTC]() // from a cost before the rule's window: stale
	}
	return r
}
