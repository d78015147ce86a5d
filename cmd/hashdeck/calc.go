package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/report"
	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// numFlag is a float flag that remembers whether it was given, so that a
// missing input is told apart from a zero.
type numFlag struct {
	v     float64
	set   bool
	parse func(string) (float64, error)
}

func (f *numFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return strconv.FormatFloat(f.v, 'g', -1, 64)
}

func (f *numFlag) Set(s string) error {
	parse := f.parse
	if parse == nil {
		parse = parseFloat
	}
	v, err := parse(s)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

// parseFloat accepts a finite decimal number; "_" may group digits (91_132).
func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}

// parseSI accepts a number with an optional metric suffix: 148.26T, 1.4826e14, 95P.
func parseSI(s string) (float64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	if n := len(t); n > 0 {
		if m, ok := map[byte]float64{'k': 1e3, 'K': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18}[t[n-1]]; ok {
			t, mult = strings.TrimSpace(t[:n-1]), m
		}
	}
	v, err := parseFloat(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number (a metric suffix like 148.26T is allowed)", s)
	}
	return v * mult, nil
}

// calcInputs are the parsed flags of hashdeck calc.
type calcInputs struct {
	price, difficulty, height, fees, feeShare, poolFee numFlag
	efficiency, power, capex, blockTime, growth        numFlag
	at                                                 string
	json, asics                                        bool
}

func newCalcFlags(stderr io.Writer) (*flag.FlagSet, *calcInputs) {
	in := &calcInputs{difficulty: numFlag{parse: parseSI}}
	fs := flag.NewFlagSet("hashdeck calc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&in.price, "price", "BTC price in `USD` (required)")
	fs.Var(&in.difficulty, "difficulty", "network difficulty, dimensionless; a suffix is allowed: 148.26T (required)")
	fs.Var(&in.height, "height", "block `height`, for the subsidy and the halving countdown (required)")
	fs.Var(&in.fees, "fees", "mean fees per block in `BTC` (e.g. a 144-block average); give this or --fee-share")
	fs.Var(&in.feeShare, "fee-share", "fees as a `percent` of the whole block reward, 0 to <100; give this or --fees")
	fs.Var(&in.poolFee, "pool-fee", "pool fee in `percent`, taken off revenue (default 0: gross, as Hashrate Index publishes)")
	fs.Var(&in.efficiency, "efficiency", "fleet or machine efficiency in `J/TH` (with --power: costs and break-evens)")
	fs.Var(&in.power, "power", "electricity price in `USD/kWh` (with --efficiency)")
	fs.Var(&in.capex, "capex", "machine price in `USD per TH/s` (with --efficiency and --power: payback)")
	fs.Var(&in.blockTime, "block-time", "mean block interval in `seconds`, for hashrate and dates (default 600)")
	fs.Var(&in.growth, "difficulty-growth", "difficulty change per 2016-block epoch in `percent`, for the dynamic payback (default 0)")
	fs.StringVar(&in.at, "at", "", "the `time` (RFC 3339) the halving date is estimated from (default now)")
	fs.BoolVar(&in.json, "json", false, "print JSON (snake_case keys with units in their names) instead of a table")
	fs.BoolVar(&in.asics, "asics", false, "add the break-evens of common ASIC models at --power (and --capex)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: hashdeck calc --price USD --difficulty D --height H (--fees BTC | --fee-share %) [flags]")
		fmt.Fprintln(w, "\nComputes hashvalue, hashprice and network hashrate from the inputs; with")
		fmt.Fprintln(w, "--efficiency and --power also the power cost, margin and break-evens; with --capex the payback.")
		fmt.Fprintln(w, "Hashprice is gross (subsidy + fees) in USD per PH/s per day; costs are power only.")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(w, "\nExample (Hashrate Index roundup of 2026-01-12):")
		fmt.Fprintln(w, "  hashdeck calc --price 91132 --difficulty 148.26T --height 931000 --fee-share 0.55 --efficiency 17.5 --power 0.05")
	}
	return fs, in
}

// validate checks the inputs and returns every problem, each naming its flag.
func (in *calcInputs) validate() []string {
	var bad []string
	need := func(f *numFlag, name, what string) bool {
		if !f.set {
			bad = append(bad, fmt.Sprintf("missing --%s (%s)", name, what))
		}
		return f.set
	}
	check := func(f *numFlag, name string, ok bool, rule string) {
		if f.set && !ok {
			bad = append(bad, fmt.Sprintf("--%s %s: %s", name, f.String(), rule))
		}
	}
	// within is the plausible range the feeds accept for a metric: it caps
	// absurd magnitudes (a 300-digit price) as firmly as a live upstream's.
	within := func(f *numFlag, m market.Metric) bool {
		lo, hi, _ := market.Bounds(m)
		return f.v >= lo && f.v <= hi
	}
	bound := func(m market.Metric, what string) string {
		lo, hi, _ := market.Bounds(m)
		return fmt.Sprintf("%s must be between %s and %s", what, strconv.FormatFloat(lo, 'g', -1, 64), strconv.FormatFloat(hi, 'g', -1, 64))
	}
	need(&in.price, "price", "BTC price in USD")
	check(&in.price, "price", in.price.v > 0, "the BTC price must be positive")
	check(&in.price, "price", in.price.v <= 0 || within(&in.price, market.PriceUSD), bound(market.PriceUSD, "the BTC price"))
	need(&in.difficulty, "difficulty", "network difficulty, e.g. 148.26T")
	check(&in.difficulty, "difficulty", within(&in.difficulty, market.Difficulty), bound(market.Difficulty, "difficulty"))
	need(&in.height, "height", "block height")
	check(&in.height, "height", in.height.v >= 0 && in.height.v == math.Trunc(in.height.v) && in.height.v < 1e9, "the height must be a whole number ≥ 0")
	switch {
	case in.fees.set && in.feeShare.set:
		bad = append(bad, "--fees and --fee-share: give one, not both")
	case !in.fees.set && !in.feeShare.set:
		bad = append(bad, "missing --fees (BTC per block) or --fee-share (percent of reward); use --fees 0 to leave fees out")
	}
	check(&in.fees, "fees", in.fees.v >= 0, "fees per block cannot be negative")
	check(&in.fees, "fees", in.fees.v < 0 || within(&in.fees, market.FeesPerBlock), bound(market.FeesPerBlock, "fees per block in BTC"))
	check(&in.feeShare, "fee-share", in.feeShare.v >= 0 && in.feeShare.v < 100, "the fee share must be at least 0 and below 100 percent")
	check(&in.poolFee, "pool-fee", in.poolFee.v >= 0 && in.poolFee.v < 100, "the pool fee must be at least 0 and below 100 percent")
	check(&in.efficiency, "efficiency", in.efficiency.v > 0, "efficiency must be positive J/TH")
	check(&in.power, "power", in.power.v >= 0, "the power price cannot be negative")
	check(&in.capex, "capex", in.capex.v >= 0, "capex cannot be negative")
	check(&in.blockTime, "block-time", in.blockTime.v >= 1, "the mean block time must be at least 1 second")
	check(&in.growth, "difficulty-growth", in.growth.v > -100, "difficulty growth must be above -100 percent per epoch")
	if in.efficiency.set != in.power.set {
		bad = append(bad, "--efficiency and --power go together: give both to get costs and break-evens")
	}
	if in.capex.set && !(in.efficiency.set && in.power.set) {
		bad = append(bad, "--capex needs --efficiency and --power (the payback is capex ÷ margin)")
	}
	if in.growth.set && !in.capex.set {
		bad = append(bad, "--difficulty-growth is only used by the payback: give --capex too")
	}
	if in.asics && !in.power.set {
		bad = append(bad, "--asics needs --power (the ASIC table is computed at that electricity price)")
	}
	if in.at != "" {
		if _, err := time.Parse(time.RFC3339, in.at); err != nil {
			bad = append(bad, fmt.Sprintf("--at %q: not an RFC 3339 time like 2026-01-12T00:00:00Z", in.at))
		}
	}
	return bad
}

// warnings are inputs that are valid but unlikely to be what was meant.
func (in *calcInputs) warnings() []string {
	var out []string
	// Mainnet difficulty has been above 1e12 since 2019: a bare 148.26 is
	// almost surely 148.26T with the suffix forgotten.
	if d := in.difficulty.v; in.difficulty.set && d < 1e9 {
		out = append(out, fmt.Sprintf("--difficulty %s is tiny for Bitcoin (mainnet is in the tens of T) — did you mean %sT?", in.difficulty.String(), in.difficulty.String()))
	}
	if p := in.price.v; in.price.set && p > 0 && p < 100 {
		out = append(out, fmt.Sprintf("--price %s is in USD per BTC — did you mean %sk?", in.price.String(), in.price.String()))
	}
	return out
}

// compute turns validated inputs into the result.
func (in *calcInputs) compute(now time.Time) report.Calc {
	if in.at != "" {
		now, _ = time.Parse(time.RFC3339, in.at)
	}
	mean := time.Duration(in.blockTime.v * float64(time.Second))
	net := econ.NetworkInputs{
		Price:         econ.Known(econ.USDPerBTC(in.price.v)),
		Difficulty:    econ.Known(econ.Difficulty(in.difficulty.v)),
		Height:        econ.Known(int64(in.height.v)),
		PoolFee:       econ.Percent(in.poolFee.v),
		MeanBlockTime: mean,
		Now:           now,
	}
	if in.fees.set {
		net.FeesPerBlock = econ.Known(econ.BTC(in.fees.v))
	} else {
		net.FeeShare = econ.Known(econ.Percent(in.feeShare.v))
	}
	v := econ.ComputeNetwork(net)
	hv := v.Hashvalue.Or(0)
	hpNet := v.HashpriceNet.Or(0)
	r := report.Calc{
		PriceUSD: in.price.v, Difficulty: in.difficulty.v, Height: v.Height.Or(0),
		SubsidyBTC: float64(v.Subsidy.Or(0)), FeesBTCPerBlock: float64(v.FeesPerBlock.Or(0)),
		FeeSharePct: float64(v.FeeShare.Or(0)), RewardBTCPerBlock: float64(v.Reward.Or(0)),
		PoolFeePct: in.poolFee.v, MeanBlockTimeS: v.MeanBlockTime,
		NetworkHashrateEHs: float64(v.Hashrate.Or(0)), Hashvalue: float64(hv),
		HashpricePH: float64(v.Hashprice.Or(0)), HashpriceTH: float64(v.HashpriceTH.Or(0)),
		HashpriceNetPH: float64(hpNet),
	}
	if v.Subsidy.Or(0) > 0 {
		r.NextHalvingHeight, r.BlocksToHalving = report.Ptr(v.NextHalvingHeight.Or(0)), report.Ptr(v.BlocksToHalving.Or(0))
		r.HalvingETA = report.Ptr(v.HalvingETA.UTC().Format(time.RFC3339))
		if o := v.HalvingETAObserved; !o.Equal(v.HalvingETA) {
			r.HalvingETABlockTime = report.Ptr(o.UTC().Format(time.RFC3339))
		}
	}
	if in.efficiency.set && in.power.set {
		eff, power := econ.JoulesPerTH(in.efficiency.v), econ.USDPerKWh(in.power.v)
		cost := econ.PowerCost(eff, power)
		r.EfficiencyJPerTH, r.PowerUSDPerKWh = report.Ptr(in.efficiency.v), report.Ptr(in.power.v)
		r.Hashcost = report.Ptr(float64(cost))
		r.Margin = report.Ptr(float64(econ.Margin(hpNet, cost)))
		r.MarginPct = report.Ptr(econ.MarginPct(hpNet, cost))
		r.BreakevenPower = report.Ptr(econ.BreakevenPowerPrice(hpNet, eff))
		r.ShutdownPrice = report.Ptr(econ.ShutdownPrice(eff, power, econ.AfterPoolFee(hv, net.PoolFee)))
		r.CostPerBTC = report.Ptr(econ.CostPerBTC(cost, econ.AfterPoolFee(hv, net.PoolFee)))
		r.RevenuePerMWh = report.Ptr(econ.RevenuePerMWh(hpNet, eff))
		if in.capex.set {
			// Per TH/s: a 1 TH/s machine drawing eff watts.
			m := econ.Machine{Name: "1 TH/s", Hashrate: 1, Power: econ.Watts(eff), Capex: econ.Known(econ.USD(in.capex.v))}
			r.CapexUSDPerTH = report.Ptr(in.capex.v)
			r.PaybackDays = report.Ptr(econ.StaticPayback(econ.USD(in.capex.v), m.Daily(hpNet, power).Margin))
			dyn := econ.DynamicPayback(econ.PaybackPlan{
				Machine: m, PowerPrice: power, Price: econ.USDPerBTC(in.price.v),
				Difficulty: econ.Difficulty(in.difficulty.v), Height: int64(in.height.v),
				FeesPerBlock: v.FeesPerBlock.Or(0), PoolFee: net.PoolFee,
				DifficultyGrowthPct: econ.Percent(in.growth.v), MeanBlockTime: mean,
			})
			r.GrowthPctPerEpoch = report.Ptr(in.growth.v)
			r.PaybackDynamicDays = report.Ptr(dyn.Days)
			r.HalvingDay = report.Ptr(dyn.HalvingDay)
		}
	}
	if in.asics {
		capex := econ.Maybe[econ.USDPerTHCap]{}
		if in.capex.set {
			capex = econ.Known(econ.USDPerTHCap(in.capex.v))
		}
		r.ASICs = econ.ASICTable(econ.ASICModels(), hpNet, econ.AfterPoolFee(hv, net.PoolFee), econ.USDPerKWh(in.power.v), capex)
	}
	return r
}

func runCalc(args []string, stdout, stderr io.Writer) int {
	fs, in := newCalcFlags(stderr)
	usage := fs.Usage
	if code, done := parseFlags(fs, args, stdout, stderr, func(w io.Writer) { fs.SetOutput(w); usage() }); done {
		return code
	}
	if bad := in.validate(); len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintln(stderr, "hashdeck calc:", b)
		}
		fmt.Fprintln(stderr, "Run 'hashdeck calc --help' for the flags and their units.")
		return exitUsage
	}
	for _, w := range in.warnings() {
		fmt.Fprintln(stderr, "hashdeck calc: warning:", w)
	}
	res := in.compute(time.Now())
	if in.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(stderr, "hashdeck calc:", err)
			return exitError
		}
		return exitOK
	}
	if err := report.WriteCalc(stdout, res); err != nil {
		fmt.Fprintln(stderr, "hashdeck calc:", err)
		return exitError
	}
	return exitOK
}
