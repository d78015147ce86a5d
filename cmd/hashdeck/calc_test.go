package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// worked is the Hashrate Index roundup of 2026-01-12
// (docs/economics.md, "Worked example").
var worked = []string{"calc", "--price", "91132", "--difficulty", "148.26T", "--height", "931000", "--fee-share", "0.55", "--at", "2026-01-12T00:00:00Z"}

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func calcJSON(t *testing.T, extra ...string) map[string]any {
	t.Helper()
	code, out, errs := runArgs(t, append(append(append([]string{}, worked...), "--json"), extra...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return m
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%s = %v (%T), want a number", key, m[key], m[key])
	}
	return v
}

func TestCalcJSONNetwork(t *testing.T) {
	m := calcJSON(t)
	checks := []struct {
		key  string
		want float64
		tol  float64 // absolute
	}{
		{"hashprice_usd_per_ph_day", 38.85, 0.005},
		{"hashprice_usd_per_th_day", 0.03885, 0.000005},
		{"hashvalue_btc_per_ph_day", 0.00042636, 0.000000005},
		{"network_hashrate_ehs", 1061.3, 0.05},
		{"subsidy_btc", 3.125, 0},
		{"blocks_to_halving", 119_000, 0},
		{"reward_btc_per_block", 3.1423, 0.00005},
	}
	for _, c := range checks {
		if got := num(t, m, c.key); math.Abs(got-c.want) > c.tol {
			t.Errorf("%s = %v, want %v", c.key, got, c.want)
		}
	}
	if m["halving_eta"] != "2028-04-17T09:20:00Z" { // 119,000 × 600 s = 826 d 9 h 20 m
		t.Errorf("halving_eta = %v", m["halving_eta"])
	}
	// Without efficiency and power there is no cost section at all.
	for _, k := range []string{"hashcost_usd_per_ph_day", "margin_usd_per_ph_day", "payback_days", "cost_per_btc_usd"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present without --efficiency/--power", k)
		}
	}
}

func TestCalcJSONCosts(t *testing.T) {
	// S21 (17.5 J/TH) at $0.05/kWh: hashcost $21.00, break-even $0.0925/kWh,
	// shutdown price $49.3k (docs/economics.md, "Worked example").
	m := calcJSON(t, "--efficiency", "17.5", "--power", "0.05", "--capex", "25.70")
	checks := []struct {
		key       string
		want, tol float64
	}{
		{"hashcost_usd_per_ph_day", 21, 1e-9},
		{"margin_usd_per_ph_day", 38.855 - 21, 0.005},
		{"margin_pct", (38.855 - 21) / 38.855 * 100, 0.02},
		{"breakeven_power_usd_per_kwh", 0.0925, 0.00005},
		{"shutdown_price_usd", 49_254, 1},
		{"cost_per_btc_usd", 49_254, 1},
		{"revenue_per_mwh_usd", 92.51, 0.01},
		// 25.70 $/TH ÷ (0.038855 − 17.5 × 24 × 0.05 / 1000) $/TH/day
		{"payback_days", 25.70 / (0.0388549 - 0.021), 0.5},
	}
	for _, c := range checks {
		if got := num(t, m, c.key); math.Abs(got-c.want) > c.tol {
			t.Errorf("%s = %v, want %v", c.key, got, c.want)
		}
	}
	// The dynamic payback crosses the 2028 halving, after which an S21 at
	// $0.05 loses money: it never pays back.
	if v, ok := m["payback_days_dynamic"]; !ok || v != nil {
		t.Errorf("payback_days_dynamic = %v (present %v), want null", v, ok)
	}
	if d := num(t, m, "payback_halving_day"); math.Abs(d-119_000.0/144) > 0.01 {
		t.Errorf("payback_halving_day = %v, want %v", d, 119_000.0/144)
	}
}

func TestCalcPaybackNeverIsNull(t *testing.T) {
	m := calcJSON(t, "--efficiency", "29.5", "--power", "0.10", "--capex", "10")
	if v, ok := m["payback_days"]; !ok || v != nil {
		t.Errorf("payback_days = %v (present %v), want null for a machine losing money", v, ok)
	}
	if num(t, m, "margin_usd_per_ph_day") >= 0 {
		t.Error("margin is not negative")
	}
}

func TestCalcFeesAndPoolFee(t *testing.T) {
	m := calcJSON(t) // fee share 0.55%
	viaShare := num(t, m, "hashprice_usd_per_ph_day")
	fees := num(t, m, "fees_btc_per_block")
	args := append([]string{}, worked...)
	args[8], args[7] = strconvF(fees), "--fees" // replace --fee-share 0.55 by the same fees in BTC
	code, out, errs := runArgs(t, append(args, "--json", "--pool-fee", "2")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m2 map[string]any
	if err := json.Unmarshal([]byte(out), &m2); err != nil {
		t.Fatal(err)
	}
	if got := num(t, m2, "hashprice_usd_per_ph_day"); math.Abs(got-viaShare) > 1e-9 {
		t.Errorf("--fees %v gives %v, --fee-share 0.55 gives %v", fees, got, viaShare)
	}
	if got := num(t, m2, "hashprice_net_usd_per_ph_day"); math.Abs(got-viaShare*0.98) > 1e-9 {
		t.Errorf("net of 2%% pool fee = %v, want %v", got, viaShare*0.98)
	}
	// With a pool fee a BTC costs more to mine: costs are measured against what the miner keeps.
	code, out, errs = runArgs(t, append(args, "--json", "--pool-fee", "2", "--efficiency", "20", "--power", "0.05")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m3 map[string]any
	if err := json.Unmarshal([]byte(out), &m3); err != nil {
		t.Fatal(err)
	}
	hv := num(t, m3, "hashvalue_btc_per_ph_day")
	if got, want := num(t, m3, "cost_per_btc_usd"), 20*0.05*24/(hv*0.98); math.Abs(got/want-1) > 1e-12 {
		t.Errorf("cost per BTC with a 2%% pool fee = %v, want %v", got, want)
	}
	if got, want := num(t, m3, "shutdown_price_usd"), 20*0.05*24/(hv*0.98); math.Abs(got/want-1) > 1e-12 {
		t.Errorf("shutdown price with a 2%% pool fee = %v, want %v", got, want)
	}
}

func strconvF(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCalcBadInput(t *testing.T) {
	base := func(drop string) []string {
		var out []string
		for i := 1; i < len(worked); i += 2 {
			if worked[i] != drop {
				out = append(out, worked[i], worked[i+1])
			}
		}
		return append([]string{"calc"}, out...)
	}
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"negative price", append(base("--price"), "--price", "-5"), "--price -5: the BTC price must be positive"},
		{"missing price", base("--price"), "missing --price"},
		{"zero difficulty", append(base("--difficulty"), "--difficulty", "0"), "--difficulty 0"},
		{"word difficulty", append(base("--difficulty"), "--difficulty", "lots"), `--difficulty lots: "lots" is not a number`},
		// Issue 13 row 13: a value the flag parser refuses reads like one
		// validate refuses: "--flag value: why".
		{"NaN price", append(base("--price"), "--price", "NaN"), `--price NaN: "NaN" is not a finite number`},
		// Issue 13 row 7: absurd magnitudes are refused, not printed as
		// 300-digit numbers.
		{"absurd price", append(base("--price"), "--price", "1e308"), "--price 1e+308: the BTC price must be between 0.01 and 1e+08"},
		{"absurd difficulty", append(base("--difficulty"), "--difficulty", "1e30"), "--difficulty 1e+30: difficulty must be between"},
		{"absurd fees", append(base("--fee-share"), "--fees", "5000"), "--fees 5000: fees per block in BTC must be between"},
		{"missing height", base("--height"), "missing --height"},
		{"fractional height", append(base("--height"), "--height", "1.5"), "--height 1.5"},
		{"fee share 100", append(base("--fee-share"), "--fee-share", "100"), "--fee-share 100"},
		{"no fees", base("--fee-share"), "missing --fees"},
		{"both fees", append(base(""), "--fees", "0.02"), "give one, not both"},
		{"negative fees", append(base("--fee-share"), "--fees", "-1"), "--fees -1"},
		{"pool fee 100", append(base(""), "--pool-fee", "100"), "--pool-fee 100"},
		{"efficiency alone", append(base(""), "--efficiency", "20"), "--efficiency and --power go together"},
		{"zero efficiency", append(base(""), "--efficiency", "0", "--power", "0.05"), "--efficiency 0"},
		{"negative power", append(base(""), "--efficiency", "20", "--power", "-0.05"), "--power -0.05"},
		{"capex alone", append(base(""), "--capex", "20"), "--capex needs --efficiency and --power"},
		{"bad time", append(base("--at"), "--at", "yesterday"), `--at "yesterday"`},
		{"stray argument", append(base(""), "extra"), `unexpected argument "extra"`},
		{"unknown flag", append(base(""), "--speed", "3"), "flag provided but not defined: --speed"},
		{"asics without power", append(base(""), "--asics"), "--asics needs --power"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runArgs(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr does not mention %q:\n%s", tt.want, errs)
			}
			if out != "" {
				t.Errorf("stdout is not empty on error: %q", out)
			}
		})
	}
}

func TestCalcHelp(t *testing.T) {
	code, out, errs := runArgs(t, "calc", "--help")
	if code != exitOK {
		t.Fatalf("--help exit %d", code)
	}
	if errs != "" {
		t.Errorf("--help wrote to stderr too: %q", errs)
	}
	for _, want := range []string{"-price USD", "-difficulty", "-height height", "-fees BTC", "-fee-share percent", "-pool-fee percent",
		"-efficiency J/TH", "-power USD/kWh", "-capex USD per TH/s", "-json", "-block-time seconds", "per PH/s per day"} {
		if !strings.Contains(out, want) {
			t.Errorf("calc --help does not mention %q", want)
		}
	}
	if code, out2, _ := runArgs(t, "help", "calc"); code != exitOK || out2 != out {
		t.Error("'hashdeck help calc' differs from 'hashdeck calc --help'")
	}
}

func TestCalcTableAndDeterminism(t *testing.T) {
	args := append(append([]string{}, worked...), "--efficiency", "13.5", "--power", "0.05", "--capex", "25.70", "--asics")
	code, out, errs := runArgs(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"$38.85 /PH/day", "$91,132", "1,061.3 EH/s", "$16.20 /PH/day", "$0.1199 /kWh", "Antminer S21 XP", "1,134 d"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	_, again, _ := runArgs(t, args...)
	if again != out {
		t.Error("two runs with --at differ")
	}
}

func TestRootCommand(t *testing.T) {
	code, out, _ := runArgs(t, "--help")
	if code != exitOK || !strings.Contains(out, "calc") || !strings.Contains(out, "-offline") || !strings.Contains(out, "-no-color") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, bad := range [][]string{{"--theme", "neon"}, {"--config", "/nonexistent/hashdeck.toml"}, {"--speed"}} {
		code, _, errs := runArgs(t, bad...)
		if code != exitUsage || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
	code, _, errs := runArgs(t, "frobnicate")
	if code != exitUsage || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %q", code, errs)
	}
}

// Issue 13 row 7: a difficulty without its T suffix is computed (it is a
// valid number) but warned about, naming the likely meaning.
func TestCalcWarnsOnImplausibleInputs(t *testing.T) {
	code, _, errs := runArgs(t, "calc", "--price", "91132", "--difficulty", "148.26", "--height", "931000", "--fees", "0.02")
	if code != exitOK || !strings.Contains(errs, "--difficulty 148.26 is tiny for Bitcoin") || !strings.Contains(errs, "did you mean 148.26T?") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runArgs(t, "calc", "--price", "91", "--difficulty", "148.26T", "--height", "931000", "--fees", "0.02")
	if code != exitOK || !strings.Contains(errs, "did you mean 91k?") {
		t.Errorf("price 91: exit %d, stderr %q", code, errs)
	}
	if _, _, errs = runArgs(t, worked...); strings.Contains(errs, "warning") {
		t.Errorf("the worked example warns: %q", errs)
	}
}

// Issue 14 row 12: past the last halving calc printed a "next halving"
// 140,000 blocks away; the subsidy is already 0, so there is none.
func TestCalcNoFurtherHalvings(t *testing.T) {
	code, out, errs := runArgs(t, "calc", "--price", "91132", "--difficulty", "148.26T", "--height", "7000000", "--fees", "0.1", "--at", "2026-01-12T00:00:00Z")
	if code != exitOK || !strings.Contains(out, "no further halvings") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runArgs(t, "calc", "--price", "91132", "--difficulty", "148.26T", "--height", "7000000", "--fees", "0.1", "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil || code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	for _, k := range []string{"next_halving_height", "blocks_to_halving", "halving_eta"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
}
