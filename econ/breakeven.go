package econ

import (
	"math"
	"time"
)

// Margin returns hashprice less cost, in USD per PH/s per day (negative when
// under water).
func Margin(hp, cost USDPerPHDay) USDPerPHDay { return hp - cost }

// MarginPct returns the margin as a percentage of revenue:
// (hp − cost) / hp × 100. Unknown when hp ≤ 0.
func MarginPct(hp, cost USDPerPHDay) Maybe[Percent] {
	if hp <= 0 {
		return Maybe[Percent]{}
	}
	return Known(Percent((hp - cost) / hp * 100))
}

// BreakevenPowerPrice returns the electricity price at which a fleet of
// efficiency eff earns exactly its power cost at hashprice hp:
// hp / (J/TH × 24), in USD per kWh. Unknown when eff ≤ 0.
func BreakevenPowerPrice(hp USDPerPHDay, eff JoulesPerTH) Maybe[USDPerKWh] {
	if eff <= 0 {
		return Maybe[USDPerKWh]{}
	}
	return Known(USDPerKWh(float64(hp) / (float64(eff) * 24)))
}

// ShutdownPrice returns the BTC price at which a fleet's power cost equals
// its revenue: J/TH × $/kWh × 24 / hashvalue, in USD per BTC. It equals the
// power-scope cost per BTC. Unknown when hv ≤ 0.
func ShutdownPrice(eff JoulesPerTH, power USDPerKWh, hv BTCPerPHDay) Maybe[USDPerBTC] {
	return CostPerBTC(PowerCost(eff, power), hv)
}

// BreakevenHashprice returns the hashprice at which an operator with the
// given cost (in any scope) breaks even: the cost itself, in USD per PH/s per
// day. It exists to name the concept; the scope of cost is the scope of the
// break-even.
func BreakevenHashprice(cost USDPerPHDay) USDPerPHDay { return cost }

// Machine is one mining machine (or a fleet treated as one): its hashrate,
// its power draw at the wall and its purchase price.
type Machine struct {
	Name     string `json:"name"`
	Hashrate THs    `json:"hashrate_ths"`
	Power    Watts  `json:"power_w"`
	// Capex is the purchase price in USD (unknown if not given).
	Capex Maybe[USD] `json:"capex_usd"`
}

// Efficiency returns the machine's J/TH (W ÷ TH/s); unknown when its hashrate is not positive.
func (m Machine) Efficiency() Maybe[JoulesPerTH] {
	if m.Hashrate <= 0 {
		return Maybe[JoulesPerTH]{}
	}
	return Known(JoulesPerTH(float64(m.Power) / float64(m.Hashrate)))
}

// MachineDay is a machine's economics for one day, in USD.
type MachineDay struct {
	Revenue   USD `json:"revenue_usd_per_day"`
	PowerCost USD `json:"power_cost_usd_per_day"`
	Margin    USD `json:"margin_usd_per_day"`
}

// Daily returns the machine's revenue (hashprice × TH/s ÷ 1000), power cost
// (W ÷ 1000 × 24 h × $/kWh) and margin for one day.
func (m Machine) Daily(hp USDPerPHDay, power USDPerKWh) MachineDay {
	rev := USD(float64(hp) * float64(m.Hashrate) / 1e3)
	cost := USD(float64(m.Power) / 1e3 * 24 * float64(power))
	return MachineDay{Revenue: rev, PowerCost: cost, Margin: rev - cost}
}

// StaticPayback returns capex ÷ daily margin in days, at today's hashprice
// forever. Unknown ("never") when the margin is not positive.
func StaticPayback(capex USD, marginPerDay USD) Maybe[Days] {
	if marginPerDay <= 0 || capex < 0 {
		return Maybe[Days]{}
	}
	return Known(Days(capex / marginPerDay))
}

// PaybackPlan are the inputs of a dynamic payback simulation.
type PaybackPlan struct {
	Machine    Machine   // hashrate, power and capex (capex required)
	PowerPrice USDPerKWh // electricity price
	Price      USDPerBTC // BTC price at the start
	Difficulty Difficulty
	Height     int64 // tip height at the start
	// FeesPerBlock is the mean fee per block, held constant.
	FeesPerBlock BTC
	// PoolFee is a haircut on revenue, in percent.
	PoolFee Percent
	// DifficultyGrowthPct and PriceGrowthPct are applied at every retarget
	// (every 2016 blocks), in percent per epoch.
	DifficultyGrowthPct Percent
	PriceGrowthPct      Percent
	// MeanBlockTime is the assumed block interval (TargetBlockTime if ≤ 0).
	MeanBlockTime time.Duration
	// HorizonDays bounds the simulation (3650 days if ≤ 0).
	HorizonDays int
}

// PaybackResult is the outcome of [DynamicPayback].
type PaybackResult struct {
	// Days until the cumulative margin reaches capex; unknown if it never
	// does within the horizon (or capex is unknown).
	Days Maybe[Days] `json:"days"`
	// HalvingDay is when the next halving happens in the simulation, if
	// inside the horizon.
	HalvingDay Maybe[Days] `json:"halving_day"`
	// RevenueBTC and MarginUSD are the cumulative revenue (after pool fee)
	// and margin up to payback, or over the whole horizon.
	RevenueBTC BTC `json:"revenue_btc"`
	MarginUSD  USD `json:"margin_usd"`
	// HorizonDays is the horizon that was simulated.
	HorizonDays int `json:"horizon_days"`
}

// DynamicPayback simulates a machine day by day from the given network
// state: blocks arrive at MeanBlockTime; at every retarget boundary
// difficulty and price grow by their per-epoch rates; the subsidy halves at
// the next halving height. Revenue is hashvalue × PH/s × (1 − pool fee) ×
// price; cost is the machine's power. The machine is switched off on a day
// whose margin would be negative, so the cumulative margin never falls. It
// returns the (fractional) day on which the cumulative margin reaches capex.
// The simulation does not allocate.
func DynamicPayback(p PaybackPlan) PaybackResult {
	horizon := p.HorizonDays
	if horizon <= 0 {
		horizon = 3650
	}
	res := PaybackResult{HorizonDays: horizon}
	capex, haveCapex := p.Machine.Capex.Get()
	mean := p.MeanBlockTime
	if mean <= 0 {
		mean = TargetBlockTime
	}
	blocksPerDay := 86400 / mean.Seconds()
	ph := float64(p.Machine.Hashrate) / 1e3
	powerPerDay := float64(p.Machine.Power) / 1e3 * 24 * float64(p.PowerPrice)
	keep := 1 - float64(p.PoolFee)/100
	dg := 1 + float64(p.DifficultyGrowthPct)/100
	pg := 1 + float64(p.PriceGrowthPct)/100

	h := float64(max(p.Height, 0))
	d := float64(p.Difficulty)
	price := float64(p.Price)
	nextEpoch := math.Floor(h/EpochBlocks+1) * EpochBlocks
	halving := float64(NextHalvingHeight(int64(h)))
	var cum float64
	for day := 0; day < horizon; day++ {
		end := h + blocksPerDay
		for h < end {
			seg := math.Min(end, math.Min(nextEpoch, halving))
			frac := (seg - h) / blocksPerDay // share of the day in this segment
			btc := float64(Hashvalue(Difficulty(d), Subsidy(int64(h))+p.FeesPerBlock)) * ph * keep * frac
			margin := btc*price - powerPerDay*frac
			if margin > 0 {
				if haveCapex && !res.Days.OK() && cum+margin >= float64(capex) {
					t := float64(day) + (1 - (end-h)/blocksPerDay) + frac*(float64(capex)-cum)/margin
					res.Days = Known(Days(t))
					res.RevenueBTC += BTC(btc * (float64(capex) - cum) / margin)
					res.MarginUSD = capex
					return res
				}
				cum += margin
				res.RevenueBTC += BTC(btc)
			}
			h = seg
			if h >= nextEpoch {
				d *= dg
				price *= pg
				nextEpoch += EpochBlocks
			}
			if h >= halving {
				if !res.HalvingDay.OK() {
					res.HalvingDay = Known(Days(float64(day) + 1 - (end-h)/blocksPerDay))
				}
				halving += HalvingInterval
			}
		}
	}
	res.MarginUSD = USD(cum)
	return res
}
