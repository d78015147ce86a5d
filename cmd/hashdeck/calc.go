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

// inputs returns the validated flags as report.CalcInputs.
func (in *calcInputs) inputs() report.CalcInputs {
	opt := func(f numFlag) *float64 {
		if !f.set {
			return nil
		}
		return report.Ptr(f.v)
	}
	c := report.CalcInputs{Price: in.price.v, Difficulty: in.difficulty.v, Height: in.height.v, Fees: opt(in.fees), FeeShare: opt(in.feeShare),
		PoolFee: in.poolFee.v, BlockTime: in.blockTime.v, Efficiency: opt(in.efficiency), Power: opt(in.power), Capex: opt(in.capex),
		Growth: in.growth.v, ASICs: in.asics}
	if in.at != "" {
		c.At, _ = time.Parse(time.RFC3339, in.at) // checked by validate
	}
	return c
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
	res := report.ComputeCalc(in.inputs(), time.Now())
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
