package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// WriteFile writes data to path with mode 0600, creating its
// directory with mode 0700. Without force an existing file is an error
// wrapping fs.ErrExist; with force the file (or, for a symbolic link, its
// target) is replaced atomically.
func WriteFile(path string, data []byte, force bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, werr := f.Write(data)
		cerr := f.Chmod(0o600) // exactly 0600, whatever the umask
		if err := errors.Join(werr, cerr, f.Close()); err != nil {
			_ = os.Remove(path)
			return err
		}
		return nil
	}
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".config-*.toml")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Chmod(0o600)
	if err := errors.Join(werr, cerr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

// DefaultFile returns the file 'hashdeck config init' writes: every
// setting at its default ([Default]) with its unit, default and
// floor; the optional ones ([[miner]], [alerts]) commented out.
func DefaultFile() string {
	c := Default()
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	q := strconv.Quote
	// kv writes "key = value" with its comment in a column.
	kv := func(key, value, comment string) { w("%-28s # %s\n", key+" = "+value, comment) }

	w(`# hashdeck configuration (TOML): https://toml.io
#
# Every setting is optional: delete a line (or the whole file) and hashdeck
# uses the default written here. Units are in the key names. Unknown keys
# are errors. Check this file with 'hashdeck config check'.

[peers]
# The listed miners on the board, in display order: each 1 to 10 of A-Z,
# 0-9, '.' and '-' (Yahoo spelling: BRK-B).
`)
	quoted := make([]string, len(c.Peers.Tickers))
	for i, t := range c.Peers.Tickers {
		quoted[i] = q(t)
	}
	w("tickers = [%s]\n", strings.Join(quoted, ", "))
	w("# Former ticker = current ticker. Either name finds the same peer, shown under\n# the current one. A peer listed under both names is an error.\n")
	olds := slices.Sorted(func(yield func(string) bool) {
		for k := range c.Peers.Aliases {
			if !yield(k) {
				return
			}
		}
	})
	pairs := make([]string, len(olds))
	for i, o := range olds {
		pairs[i] = fmt.Sprintf("%s = %s", o, q(c.Peers.Aliases[o]))
	}
	w("aliases = { %s }\n", strings.Join(pairs, ", "))

	w(`
# Your own figures for a listed miner, replacing the built-in data set's;
# hashdeck names "source" as where they come from. One [[miner]] table per
# miner, each optional field left out keeps the data set's value. To use
# one, remove the leading "# " from the lines of the table.
#
# [[miner]]
# ticker = "IREN"                # a ticker of [peers] (a former one works too)
# hashrate_ehs = 50.0            # hashrate in EH/s (1 EH/s = 1,000 PH/s)
# hashrate_label = "installed"   # what the hashrate measures: installed, operating, realized, ...
# efficiency_j_per_th = 15.3     # fleet efficiency in J/TH (= W per TH/s); positive
# power_usd_per_kwh = 0.038      # electricity price in USD per kWh (USD/MWh ÷ 1000)
# cost_usd_per_btc = 43700.0     # a cost per BTC produced, in USD; needs the next two
# cost_scope = "cash"            # what it covers: power | direct | cash | all-in
# cost_period = "2025-Q3"        # the period it covers: "2025-Q3", "2025-08" or "2025"
# source = "my notes"            # default "user config"

[providers]
# Base URL of each upstream: scheme://host[:port], no path (the paths are
# fixed by each provider). The environment variable shown wins when set.
`)
	urls := configURLs(&c.Providers.URLs)
	width := 0
	for _, u := range urls {
		width = max(width, len(u.key)+3+len(q(*u.dst)))
	}
	for _, u := range urls {
		line := u.key + " = " + q(*u.dst)
		w("%-*s  # %s\n", width, line, u.env())
	}
	w(`# API keys, optional: empty means none. Never printed ('hashdeck config
# check' says only "set" or "unset"). The environment variable wins when set.
coingecko_key = ""           # CoinGecko demo key; HASHDECK_COINGECKO_KEY
hashrateindex_key = ""       # Hashrate Index key; HASHDECK_HASHRATEINDEX_KEY

[intervals]
# How often each group of upstreams is polled: a Go duration in quotes
# ("90s", "5m", "1h30m"). A value below its floor is an error: the floors
# keep hashdeck within the upstreams' rate limits.
`)
	for _, iv := range configIntervals(&c.Intervals) {
		kv(iv.key, q(configFormatDuration(*iv.dst)), fmt.Sprintf("%s; floor %s", iv.doc, configFormatDuration(iv.floor)))
	}

	w("\n[display]\n")
	kv("theme", q(string(c.Display.Theme)), "auto (follow the terminal's background) | dark | light | high-contrast | colorblind")
	kv("bell", strconv.FormatBool(c.Display.Bell), "ring the terminal bell when an alert fires")

	w(`
[alerts]
# Each alert is off unless set: remove the leading "# " to turn one on.
# hashprice_below_usd_per_ph_day = 35.0   # hashprice below this, USD per PH/s per day; positive
# sector_margin_below_pct = 0.0           # sector median margin below this, percent of hashprice (may be negative)
# peer_daily_move_pct = 10.0              # a peer's share price moving more than this percent in a day; positive
`)

	w("\n[fleet]\n# \"My fleet\" on the scenario view.\n")
	kv("efficiency_j_per_th", configTOMLFloat(float64(c.Fleet.Efficiency)), "J/TH (= W per TH/s); positive")
	kv("power_usd_per_kwh", configTOMLFloat(float64(c.Fleet.PowerPrice)), "USD per kWh (USD/MWh ÷ 1000); 0 to 1")
	kv("pool_fee_pct", configTOMLFloat(float64(c.Fleet.PoolFee)), "percent of revenue; 0 to below 100")

	w("\n[store]\n")
	kv("raw_days", strconv.Itoa(c.Store.RawDays), "days raw samples are kept (then hourly); at least 1")
	kv("hourly_days", strconv.Itoa(c.Store.HourlyDays), "days hourly rows are kept (then daily, forever); at least raw_days")
	return b.String()
}

// configTOMLFloat writes v as a TOML float (always with a decimal point).
func configTOMLFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// IntervalsHelp describes each poll interval setting for the help text:
// "network (1m0s, floor 30s)".
func IntervalsHelp() []string {
	var iv []string
	for _, s := range configIntervals(&IntervalsConfig{}) {
		iv = append(iv, fmt.Sprintf("%s (%s, floor %s)", s.key, configFormatDuration(s.def), configFormatDuration(s.floor)))
	}
	return iv
}
