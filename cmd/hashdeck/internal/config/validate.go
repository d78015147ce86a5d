package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/themes"
)

// Sanity bounds beyond the check tags.
const (
	maxTickerLength = 10
	maxLabelLength  = 40
	maxSourceLength = 120
)

// Validate checks the configuration and returns every problem at once
// (errors.Join of *Error, see [Errors]), each naming its key.
func (c Config) Validate() error {
	var p problems
	c.validatePeers(&p)
	c.validateMiners(&p)
	c.each(func(key string, f field) {
		if v, ok := number(f.v); ok && f.check != "" {
			if in, want := inRange(f.check, v); !in {
				p.add(key, "must be %s (got %s)", want, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
		if s, ok := f.v.Interface().(Secret); ok && strings.ContainsFunc(s.Reveal(), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			p.add(key, "contains a space or a control character (the value is not shown)")
		}
	})
	if _, err := c.Endpoints(nil); err != nil {
		p = append(p, Errors(err)...)
	}
	fl := reflect.ValueOf(floors())
	for i, f := range fields(&c.Intervals) {
		d, floor := f.v.Interface().(Duration), fl.Field(i).Interface().(Duration)
		switch key := "intervals." + f.name; {
		case d.problem != "":
			p.add(key, "%s", d.problem)
		case d.Duration <= 0:
			p.add(key, "%q must be positive", d)
		case d.Duration < floor.Duration:
			p.add(key, "%q is below the %s floor", d, floor)
		}
	}
	if !slices.Contains(Themes(), c.Display.Theme) {
		p.add("display.theme", "%q is not a theme (auto, %s)", string(c.Display.Theme), strings.Join(themes.Names(), ", "))
	}
	if c.Store.HourlyDays < max(c.Store.RawDays, 1) {
		p.add("store.hourly_days", "must be at least store.raw_days (%d): hourly roll-ups outlive raw samples (got %d)", c.Store.RawDays, c.Store.HourlyDays)
	}
	return p.err()
}

// each calls f with every key of c ("fleet.pool_fee_pct",
// "miner[2].ticker") and its field.
func (c *Config) each(f func(key string, fd field)) {
	for _, s := range fields(c) {
		if s.v.Kind() == reflect.Slice {
			for i := range s.v.Len() {
				for _, fd := range fields(s.v.Index(i)) {
					f(fmt.Sprintf("%s[%d].%s", s.name, i+1, fd.name), fd)
				}
			}
			continue
		}
		for _, fd := range fields(s.v) {
			f(s.name+"."+fd.name, fd)
		}
	}
}

// number returns the value of a number field, or of a set optional one.
func number(v reflect.Value) (float64, bool) {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Float64:
		return v.Float(), true
	case reflect.Int:
		return float64(v.Int()), true
	}
	return 0, false
}

// inRange reports whether v is finite and meets check, bounds separated
// by spaces (">0", ">=0 <100"), and says what check wants in words.
func inRange(check string, v float64) (bool, string) {
	in, words := !math.IsNaN(v) && !math.IsInf(v, 0), []string{}
	for _, c := range strings.Fields(check) {
		i := strings.LastIndexAny(c, "<>=") + 1
		b, _ := strconv.ParseFloat(c[i:], 64)
		switch c[:i] {
		case ">":
			in, words = in && v > b, append(words, "more than "+c[i:])
		case ">=":
			in, words = in && v >= b, append(words, "at least "+c[i:])
		case "<":
			in, words = in && v < b, append(words, "below "+c[i:])
		case "<=":
			in, words = in && v <= b, append(words, "at most "+c[i:])
		}
	}
	if len(words) > 0 && words[0] == "more than 0" {
		words[0] = "positive"
	}
	if len(words) == 2 && strings.HasPrefix(words[0], "at least ") && strings.HasPrefix(words[1], "at most ") {
		words = []string{"between " + words[0][9:] + " and " + words[1][8:]}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		words = append([]string{"a finite number"}, words...)
	}
	return in, strings.Join(words, " and ")
}

// validTicker reports whether t is 1–10 of A–Z, 0–9, '.', '-'.
func validTicker(t string) bool {
	return t != "" && len(t) <= maxTickerLength && strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == ""
}

// tickerProblem explains why t is not a ticker.
func tickerProblem(t string) string {
	msg := fmt.Sprintf("%q is not a ticker: 1 to %d of A-Z, 0-9, '.' and '-'", provider.Clip(t, 20), maxTickerLength)
	if u := strings.ToUpper(strings.TrimSpace(t)); u != t && validTicker(u) {
		msg += fmt.Sprintf(" (write %q)", u)
	}
	return msg
}

func (c Config) validatePeers(p *problems) {
	if len(c.Peers.Tickers) == 0 {
		p.add("peers.tickers", "list at least one ticker")
	}
	for _, old := range slices.Sorted(func(yield func(string) bool) {
		for k := range c.Peers.Aliases {
			if !yield(k) {
				return
			}
		}
	}) {
		cur, key := c.Peers.Aliases[old], "peers.aliases."+old
		switch {
		case !validTicker(old):
			p.add(key, "the former ticker %s", tickerProblem(old))
		case !validTicker(cur):
			p.add(key, "the current ticker %s", tickerProblem(cur))
		case old == cur:
			p.add(key, "maps %s to itself", old)
		default:
			// A cycle is reported once, at its smallest ticker.
			chain, t := []string{old}, cur
			for range len(c.Peers.Aliases) {
				if t == old {
					if slices.Min(chain) == old {
						p.add(key, "the aliases form a cycle: %s → %s", strings.Join(chain, " → "), old)
					}
					break
				}
				next, ok := c.Peers.Aliases[t]
				if !ok {
					break
				}
				chain, t = append(chain, t), next
			}
		}
	}
	seen := map[string]int{}
	for i, t := range c.Peers.Tickers {
		key := fmt.Sprintf("peers.tickers[%d]", i+1)
		if !validTicker(t) {
			p.add(key, "%s", tickerProblem(t))
			continue
		}
		cur := c.Canonical(t)
		if j, dup := seen[cur]; dup {
			if first := c.Peers.Tickers[j]; first == t {
				p.add(key, "%s is listed twice (first as peers.tickers[%d])", t, j+1)
			} else {
				p.add(key, "%s and %s (peers.tickers[%d]) are the same peer, %s (see peers.aliases)", t, first, j+1, cur)
			}
			continue
		}
		seen[cur] = i
	}
}

func (c Config) validateMiners(p *problems) {
	peers := map[string]bool{}
	for _, t := range c.Peers.Tickers {
		peers[c.Canonical(t)] = true
	}
	seen := map[string]int{}
	for i, m := range c.Miners {
		base := fmt.Sprintf("miner[%d]", i+1)
		key := func(k string) string { return base + "." + k }
		switch cur := c.Canonical(m.Ticker); {
		case m.Ticker == "":
			p.add(key("ticker"), "missing: say which miner these figures are for")
		case !validTicker(m.Ticker):
			p.add(key("ticker"), "%s", tickerProblem(m.Ticker))
		case !peers[cur]:
			p.add(key("ticker"), "%s is not in peers.tickers", m.Ticker)
		default:
			if j, dup := seen[cur]; dup {
				p.add(key("ticker"), "%s already has an override (miner[%d]); merge the two", cur, j+1)
			} else {
				seen[cur] = i
			}
		}
		if (MinerOverride{Ticker: m.Ticker, Source: m.Source}) == m {
			var figures []string
			for _, f := range fields(&m) {
				if f.check != "" {
					figures = append(figures, f.name)
				}
			}
			p.add(base, "sets nothing: give %s", strings.Join(figures, ", "))
		}
		if m.HashrateLabel != "" && !(m.Hashrate != nil) {
			p.add(key("hashrate_label"), "labels hashrate_ehs, which is not given")
		}
		switch {
		case (m.Cost != nil) && m.CostScope == nil:
			p.add(key("cost_scope"), "missing: say what cost_usd_per_btc covers (power, direct, cash or all-in)")
		case !(m.Cost != nil) && m.CostScope != nil:
			p.add(key("cost_scope"), "is only used with cost_usd_per_btc, which is not given")
		case m.CostScope != nil && m.CostScope.problem != "":
			p.add(key("cost_scope"), "%s", m.CostScope.problem)
		case m.CostScope != nil && m.CostScope.Scope >= econ.NumScopes:
			p.add(key("cost_scope"), "%s is not a cost scope (power, direct, cash or all-in)", m.CostScope)
		}
		switch _, err := dataset.ParsePeriod(m.CostPeriod); {
		case (m.Cost != nil) && m.CostPeriod == "":
			p.add(key("cost_period"), `missing: the period cost_usd_per_btc covers, like "2025-Q3" (it is restated at that period's hashvalue)`)
		case !(m.Cost != nil) && m.CostPeriod != "":
			p.add(key("cost_period"), "is only used with cost_usd_per_btc, which is not given")
		case m.CostPeriod != "" && err != nil:
			p.add(key("cost_period"), "%v (write a quarter like \"2025-Q3\", a month \"2025-08\" or a year \"2025\")", err)
		}
		if strings.TrimSpace(m.Source) == "" {
			p.add(key("source"), "must not be blank (leave it out for %q)", defaultSource)
		}
		for _, t := range []struct {
			k, s string
			n    int
		}{{"hashrate_label", m.HashrateLabel, maxLabelLength}, {"source", m.Source, maxSourceLength}} {
			if utf8.RuneCountInString(t.s) > t.n {
				p.add(key(t.k), "is longer than %d characters", t.n)
			}
			if strings.ContainsFunc(t.s, unicode.IsControl) {
				p.add(key(t.k), "contains a control character")
			}
		}
	}
}
