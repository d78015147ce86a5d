// Package report computes and writes what the commands print: the calc
// result (econ over the command's inputs) and its table, the feeds listing
// and its SEC EDGAR section, and a snapshot's freshness note, with secrets
// masked. The commands own flags and exit codes;
// this package owns the results and the text.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/tui/format"
)

// Calc is the result of hashdeck calc, its JSON output. Optional sections are
// pointers: absent when their inputs were not given, null when given but
// the value does not exist (a payback that never comes).
type Calc struct {
	PriceUSD          float64 `json:"btc_price_usd"`
	Difficulty        float64 `json:"difficulty"`
	Height            int64   `json:"height"`
	SubsidyBTC        float64 `json:"subsidy_btc"`
	FeesBTCPerBlock   float64 `json:"fees_btc_per_block"`
	FeeSharePct       float64 `json:"fee_share_pct"`
	RewardBTCPerBlock float64 `json:"reward_btc_per_block"`
	PoolFeePct        float64 `json:"pool_fee_pct"`
	MeanBlockTimeS    float64 `json:"mean_block_time_s"`

	NetworkHashrateEHs float64 `json:"network_hashrate_ehs"`
	Hashvalue          float64 `json:"hashvalue_btc_per_ph_day"`
	HashpricePH        float64 `json:"hashprice_usd_per_ph_day"`
	HashpriceTH        float64 `json:"hashprice_usd_per_th_day"`
	HashpriceNetPH     float64 `json:"hashprice_net_usd_per_ph_day"`
	// The next halving; null when there is none (the subsidy is already 0).
	NextHalvingHeight *int64  `json:"next_halving_height"`
	BlocksToHalving   *int64  `json:"blocks_to_halving"`
	HalvingETA        *string `json:"halving_eta"`
	// HalvingETABlockTime is the date at --block-time when it is not 600 s.
	HalvingETABlockTime *string `json:"halving_eta_at_block_time,omitempty"`

	EfficiencyJPerTH *float64                    `json:"efficiency_j_per_th,omitempty"`
	PowerUSDPerKWh   *float64                    `json:"power_usd_per_kwh,omitempty"`
	Hashcost         *float64                    `json:"hashcost_usd_per_ph_day,omitempty"`
	Margin           *float64                    `json:"margin_usd_per_ph_day,omitempty"`
	MarginPct        *econ.Maybe[econ.Percent]   `json:"margin_pct,omitempty"`
	BreakevenPower   *econ.Maybe[econ.USDPerKWh] `json:"breakeven_power_usd_per_kwh,omitempty"`
	ShutdownPrice    *econ.Maybe[econ.USDPerBTC] `json:"shutdown_price_usd,omitempty"`
	CostPerBTC       *econ.Maybe[econ.USDPerBTC] `json:"cost_per_btc_usd,omitempty"`
	RevenuePerMWh    *econ.Maybe[econ.USDPerMWh] `json:"revenue_per_mwh_usd,omitempty"`

	CapexUSDPerTH      *float64               `json:"capex_usd_per_ths,omitempty"`
	PaybackDays        *econ.Maybe[econ.Days] `json:"payback_days,omitempty"`
	GrowthPctPerEpoch  *float64               `json:"difficulty_growth_pct_per_epoch,omitempty"`
	PaybackDynamicDays *econ.Maybe[econ.Days] `json:"payback_days_dynamic,omitempty"`
	HalvingDay         *econ.Maybe[econ.Days] `json:"payback_halving_day,omitempty"`

	ASICs []econ.ASICRow `json:"asics,omitempty"`
}

// Ptr returns a pointer to a copy of v.
func Ptr[T any](v T) *T { return &v }

// CalcInputs are the inputs of hashdeck calc, checked by the command: an
// optional one is nil when not given; one of Fees and FeeShare is set.
type CalcInputs struct {
	Price      float64 // USD per BTC
	Difficulty float64
	Height     float64
	Fees       *float64 // BTC per block
	FeeShare   *float64 // percent of the reward
	PoolFee    float64  // percent
	BlockTime  float64  // mean block interval, seconds
	Efficiency *float64 // J/TH; with Power
	Power      *float64 // USD per kWh
	Capex      *float64 // USD per TH/s; with Efficiency and Power
	Growth     float64  // difficulty change per epoch, percent (the dynamic payback)
	ASICs      bool     // the ASIC table, at Power
	At         time.Time
}

// ComputeCalc computes the result of hashdeck calc as of At, else now.
func ComputeCalc(in CalcInputs, now time.Time) Calc {
	if !in.At.IsZero() {
		now = in.At
	}
	mean := time.Duration(in.BlockTime * float64(time.Second))
	net := econ.NetworkInputs{
		Price:         econ.Known(econ.USDPerBTC(in.Price)),
		Difficulty:    econ.Known(econ.Difficulty(in.Difficulty)),
		Height:        econ.Known(int64(in.Height)),
		PoolFee:       econ.Percent(in.PoolFee),
		MeanBlockTime: mean,
		Now:           now,
	}
	if in.Fees != nil {
		net.FeesPerBlock = econ.Known(econ.BTC(*in.Fees))
	} else if in.FeeShare != nil {
		net.FeeShare = econ.Known(econ.Percent(*in.FeeShare))
	}
	v := econ.ComputeNetwork(net)
	hv := v.Hashvalue.Or(0)
	hpNet := v.HashpriceNet.Or(0)
	r := Calc{
		PriceUSD: in.Price, Difficulty: in.Difficulty, Height: v.Height.Or(0),
		SubsidyBTC: float64(v.Subsidy.Or(0)), FeesBTCPerBlock: float64(v.FeesPerBlock.Or(0)),
		FeeSharePct: float64(v.FeeShare.Or(0)), RewardBTCPerBlock: float64(v.Reward.Or(0)),
		PoolFeePct: in.PoolFee, MeanBlockTimeS: v.MeanBlockTime,
		NetworkHashrateEHs: float64(v.Hashrate.Or(0)), Hashvalue: float64(hv),
		HashpricePH: float64(v.Hashprice.Or(0)), HashpriceTH: float64(v.HashpriceTH.Or(0)),
		HashpriceNetPH: float64(hpNet),
	}
	if v.Subsidy.Or(0) > 0 {
		r.NextHalvingHeight, r.BlocksToHalving = Ptr(v.NextHalvingHeight.Or(0)), Ptr(v.BlocksToHalving.Or(0))
		r.HalvingETA = Ptr(v.HalvingETA.UTC().Format(time.RFC3339))
		if o := v.HalvingETAObserved; !o.Equal(v.HalvingETA) {
			r.HalvingETABlockTime = Ptr(o.UTC().Format(time.RFC3339))
		}
	}
	if in.Efficiency != nil && in.Power != nil {
		eff, power := econ.JoulesPerTH(*in.Efficiency), econ.USDPerKWh(*in.Power)
		cost := econ.PowerCost(eff, power)
		r.EfficiencyJPerTH, r.PowerUSDPerKWh = Ptr(*in.Efficiency), Ptr(*in.Power)
		r.Hashcost = Ptr(float64(cost))
		r.Margin = Ptr(float64(econ.Margin(hpNet, cost)))
		r.MarginPct = Ptr(econ.MarginPct(hpNet, cost))
		r.BreakevenPower = Ptr(econ.BreakevenPowerPrice(hpNet, eff))
		r.ShutdownPrice = Ptr(econ.ShutdownPrice(eff, power, econ.AfterPoolFee(hv, net.PoolFee)))
		r.CostPerBTC = Ptr(econ.CostPerBTC(cost, econ.AfterPoolFee(hv, net.PoolFee)))
		r.RevenuePerMWh = Ptr(econ.RevenuePerMWh(hpNet, eff))
		if in.Capex != nil {
			// Per TH/s: a 1 TH/s machine drawing eff watts.
			m := econ.Machine{Name: "1 TH/s", Hashrate: 1, Power: econ.Watts(eff), Capex: econ.Known(econ.USD(*in.Capex))}
			r.CapexUSDPerTH = Ptr(*in.Capex)
			r.PaybackDays = Ptr(econ.StaticPayback(econ.USD(*in.Capex), m.Daily(hpNet, power).Margin))
			dyn := econ.DynamicPayback(econ.PaybackPlan{
				Machine: m, PowerPrice: power, Price: econ.USDPerBTC(in.Price),
				Difficulty: econ.Difficulty(in.Difficulty), Height: int64(in.Height),
				FeesPerBlock: v.FeesPerBlock.Or(0), PoolFee: net.PoolFee,
				DifficultyGrowthPct: econ.Percent(in.Growth), MeanBlockTime: mean,
			})
			r.GrowthPctPerEpoch = Ptr(in.Growth)
			r.PaybackDynamicDays = Ptr(dyn.Days)
			r.HalvingDay = Ptr(dyn.HalvingDay)
		}
	}
	if in.ASICs && in.Power != nil {
		capex := econ.Maybe[econ.USDPerTHCap]{}
		if in.Capex != nil {
			capex = econ.Known(econ.USDPerTHCap(*in.Capex))
		}
		r.ASICs = econ.ASICTable(econ.ASICModels(), hpNet, econ.AfterPoolFee(hv, net.PoolFee), econ.USDPerKWh(*in.Power), capex)
	}
	return r
}

// WriteCalc prints the result as an aligned, human-readable table.
func WriteCalc(w io.Writer, r Calc) error {
	var b strings.Builder
	row := func(label, value, note string) {
		b.WriteString(strings.TrimRight(fmt.Sprintf("  %-24s %-24s %s", label, value, note), " "))
		b.WriteByte('\n')
	}
	head := func(title string) { b.WriteString(title + "\n") }
	usd := func(v float64, d int) string { return format.USD(v, d) }
	mUSD := func(m *econ.Maybe[econ.USDPerBTC], d int) string {
		return format.Maybe(*m, func(v econ.USDPerBTC) string { return usd(float64(v), d) })
	}
	days := func(m *econ.Maybe[econ.Days]) string {
		return format.Maybe(*m, func(v econ.Days) string { return format.Num(float64(v), 0) + " days" })
	}

	head("NETWORK")
	row("BTC price", usd(r.PriceUSD, 0), "")
	row("difficulty", format.SI(r.Difficulty, 2), "")
	row("block subsidy", format.Num(r.SubsidyBTC, 8)+" BTC", fmt.Sprintf("at height %s", format.Num(float64(r.Height), 0)))
	row("fees per block", format.Num(r.FeesBTCPerBlock, 8)+" BTC", format.Num(r.FeeSharePct, 2)+"% of the reward")
	row("network hashrate", format.Num(r.NetworkHashrateEHs, 1)+" EH/s", fmt.Sprintf("D·2^32 / %s s", format.Num(r.MeanBlockTimeS, 0)))
	if r.NextHalvingHeight != nil {
		note := fmt.Sprintf("height %s, about %s at 600 s blocks", format.Num(float64(*r.NextHalvingHeight), 0), (*r.HalvingETA)[:10])
		if r.HalvingETABlockTime != nil {
			note += fmt.Sprintf(", %s at %s s", (*r.HalvingETABlockTime)[:10], format.Num(r.MeanBlockTimeS, 0))
		}
		row("next halving", format.Num(float64(*r.BlocksToHalving), 0)+" blocks", note)
	} else {
		row("next halving", "none", "no further halvings: the subsidy is already 0")
	}
	head("REVENUE (gross: subsidy + fees)")
	row("hashvalue", format.Num(r.Hashvalue, 8)+" BTC/PH/day", format.Num(r.Hashvalue*1e5, 2)+" sats/TH/day")
	row("hashprice", usd(r.HashpricePH, 2)+" /PH/day", usd(r.HashpriceTH, 4)+" /TH/day")
	if r.PoolFeePct > 0 {
		row("after pool fee", usd(r.HashpriceNetPH, 2)+" /PH/day", format.Num(r.PoolFeePct, 2)+"% pool fee")
	}
	if r.Hashcost != nil {
		head(fmt.Sprintf("COST (power only: %s J/TH at %s/kWh)", format.Num(*r.EfficiencyJPerTH, 2), usd(*r.PowerUSDPerKWh, 4)))
		row("hashcost", usd(*r.Hashcost, 2)+" /PH/day", "J/TH × $/kWh × 24")
		row("margin", usd(*r.Margin, 2)+" /PH/day", format.Maybe(*r.MarginPct, func(v econ.Percent) string { return format.Signed(float64(v), 1) + "% of hashprice" }))
		row("break-even power price", format.Maybe(*r.BreakevenPower, func(v econ.USDPerKWh) string { return usd(float64(v), 4) + " /kWh" }), "hashprice / (J/TH × 24)")
		row("shutdown BTC price", mUSD(r.ShutdownPrice, 0), "power cost = revenue")
		row("cost per BTC", mUSD(r.CostPerBTC, 0), "hashcost / hashvalue")
		row("revenue per MWh", format.Maybe(*r.RevenuePerMWh, func(v econ.USDPerMWh) string { return usd(float64(v), 2) }), "hashprice / (J/TH × 0.024)")
	}
	if r.PaybackDays != nil {
		head(fmt.Sprintf("PAYBACK (capex %s per TH/s)", usd(*r.CapexUSDPerTH, 2)))
		row("static", orNever(days(r.PaybackDays)), "capex / today's margin")
		note := fmt.Sprintf("difficulty %s%% per epoch, halving included", format.Signed(*r.GrowthPctPerEpoch, 2))
		if d, ok := r.HalvingDay.Get(); ok {
			note += fmt.Sprintf(" (day %s)", format.Num(float64(d), 0))
		}
		row("dynamic", orNever(days(r.PaybackDynamicDays)), note)
	}
	if len(r.ASICs) > 0 {
		writeASICTable(&b, r.ASICs)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNever(s string) string {
	if s == format.Unknown {
		return "never"
	}
	return s
}

func writeASICTable(b *strings.Builder, rows []econ.ASICRow) {
	b.WriteString("\nASIC MODELS (nameplate; power cost and break-evens at the hashprice above)\n")
	line := "  %-24s %6s %6s %5s %9s %13s %17s %15s %9s\n"
	fmt.Fprintf(b, line, "model", "TH/s", "W", "J/TH", "$/PH/day", "margin $/day", "break-even $/kWh", "shutdown $/BTC", "payback")
	for _, a := range rows {
		payback := format.Unknown
		if a.Capex.OK() {
			payback = orNever(format.Maybe(a.Payback, func(v econ.Days) string { return format.Num(float64(v), 0) + " d" }))
		}
		fmt.Fprintf(b, line, a.Model,
			format.Num(float64(a.Hashrate), 0), format.Num(float64(a.Power), 0), format.Num(float64(a.Eff), 1),
			format.USD(float64(a.Hashcost), 2), format.USD(float64(a.Day.Margin), 2),
			format.Maybe(a.BreakevenPowerPrice, func(v econ.USDPerKWh) string { return format.USD(float64(v), 4) }),
			format.Maybe(a.ShutdownPrice, func(v econ.USDPerBTC) string { return format.USD(float64(v), 0) }),
			payback)
	}
}
