// Package config is hashdeck's configuration: the settings, their defaults,
// reading and checking the TOML file, and the commented default file.
//
// Each setting is defined once, as a field tagged with its TOML key
// (toml), the comment written beside it in [DefaultFile] (help), for an
// optional one the example written commented out (example), and for a
// number the range it must be in (check: ">0", ">=0 <=1"). The TOML
// library decodes the file into these types and reports unknown keys and
// wrong types with their lines; [Config.Validate] enforces the checks; the
// default file and the help read the same tags.
package config

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/themes"
)

// Config is hashdeck's configuration: the defaults ([Default]) with
// whatever the TOML file sets on top ([Load]). Every setting has a
// default, so hashdeck runs with no file at all. Optional values are
// pointers: unset is not zero ([Opt] reads one as an econ.Maybe).
//
// Printing a Config (any verb) or encoding it never shows the API keys:
// they are [Secret]s.
type Config struct {
	Peers PeersConfig `toml:"peers"`
	// Miners are the [[miner]] tables, in file order.
	Miners    []MinerOverride `toml:"miner" help:"Your own figures for a listed miner, replacing the built-in data set's; hashdeck names 'source' as where they come from. One [[miner]] table per miner; each field left out keeps the data set's value. To use one, remove the leading '# ' from the lines of the table."`
	Providers ProvidersConfig `toml:"providers" help:"Base URL of each upstream: scheme://host[:port], no path (the paths are fixed by each provider). API keys are optional: empty means none. They are never printed ('hashdeck config check' says only set or unset). The environment variable named beside each setting wins when set."`
	Intervals IntervalsConfig `toml:"intervals" help:"How often each group of upstreams is polled: a Go duration in quotes (\"90s\", \"5m\", \"1h30m\"). A value below its floor is an error: the floors keep hashdeck within the upstreams' rate limits."`
	Display   DisplayConfig   `toml:"display"`
	Alerts    AlertsConfig    `toml:"alerts" help:"Each alert is off unless set: remove the leading '# ' to turn one on."`
	Fleet     FleetConfig     `toml:"fleet" help:"'My fleet' on the scenario view."`
	Store     StoreConfig     `toml:"store" help:"How long history is kept."`
	SEC       SECConfig       `toml:"sec" help:"SEC EDGAR: the listed miners' quarterly filings (10-Q, 10-K), fetched once a day per company. The SEC requires a User-Agent naming you and your email address; without one hashdeck does not ask. The environment variable HASHDECK_SEC_USER_AGENT wins over the file."`
}

// SECConfig is the [sec] table.
type SECConfig struct {
	// UserAgent is the contact the SEC requires ("Name email"); empty
	// leaves SEC EDGAR off.
	UserAgent string `toml:"user_agent" example:"Jane Doe jane@example.org" help:"your name and email, sent to the SEC with every request"`
}

// SECUserAgent is the User-Agent to send to SEC EDGAR: HASHDECK_SEC_USER_AGENT
// when set, else the file's [sec] user_agent; "" when neither is.
func (c Config) SECUserAgent(getenv func(string) string) string {
	if getenv != nil {
		if ua := strings.TrimSpace(getenv(provider.SECUserAgentEnv)); ua != "" {
			return ua
		}
	}
	return strings.TrimSpace(c.SEC.UserAgent)
}

// PeersConfig is the [peers] table: which listed miners are on the board.
type PeersConfig struct {
	// Tickers are the peers in display order.
	Tickers []string `toml:"tickers" help:"The listed miners on the board, in display order: each 1 to 10 of A-Z, 0-9, '.' and '-' (Yahoo spelling: BRK-B)."`
	// Aliases maps a former ticker to the current one (BITF → KEEL).
	Aliases map[string]string `toml:"aliases" help:"Former ticker = current ticker. Either name finds the same peer, shown under the current one. A peer listed under both names is an error."`
}

// MinerOverride is one [[miner]] table: the user's own figures for a listed
// miner, which replace the data set's. The user is named as the source.
// Unset fields keep the data set's values.
type MinerOverride struct {
	// Ticker is the miner as written; a former ticker resolves through the
	// aliases ([Config.Canonical]).
	Ticker        string            `toml:"ticker" example:"IREN" help:"a ticker of [peers] (a former one works too)"`
	Hashrate      *econ.EHs         `toml:"hashrate_ehs" example:"50.0" check:">0 <=2000" help:"EH/s (1 EH/s = 1,000 PH/s)"`
	HashrateLabel string            `toml:"hashrate_label" example:"installed" help:"what the hashrate measures: installed, operating, ..."`
	Efficiency    *econ.JoulesPerTH `toml:"efficiency_j_per_th" example:"15.3" check:">0" help:"J/TH (= W per TH/s)"`
	PowerPrice    *econ.USDPerKWh   `toml:"power_usd_per_kwh" example:"0.038" check:">=0 <=1" help:"USD per kWh (USD/MWh ÷ 1000)"`
	// Cost is a cost per BTC produced covering CostScope over CostPeriod (as
	// dataset.ParsePeriod reads it). The three go together.
	Cost       *econ.USDPerBTC `toml:"cost_usd_per_btc" example:"43700.0" check:">0" help:"USD per BTC produced; needs the next two"`
	CostScope  *Scope          `toml:"cost_scope" example:"cash" help:"what it covers: power | direct | cash | all-in"`
	CostPeriod string          `toml:"cost_period" example:"2025-Q3" help:"the period it covers: 2025-Q3, 2025-08 or 2025"`
	// Source names where the figures come from (defaultSource unless set).
	Source string `toml:"source" example:"my notes" help:"default: user config"`
}

// Scope is a [[miner]] cost_scope: an econ.Scope. What is wrong with the
// text is kept for [Config.Validate] to report with every other problem, as
// [Duration] does: an error returned to the decoder would end the reading
// there and hide the rest of the file's problems.
type Scope struct {
	econ.Scope
	problem string
}

// UnmarshalText parses a scope label (econ.ParseScope).
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := econ.ParseScope(string(b))
	if *s = (Scope{Scope: v}); err != nil {
		s.problem = err.Error()
	}
	return nil
}

// Opt returns what p points to as an econ.Maybe: unknown when p is nil.
func Opt[T econ.Number](p *T) econ.Maybe[T] {
	if p == nil {
		return econ.Unknown[T]()
	}
	return econ.Known(*p)
}

// defaultSource names the user as the source of a [[miner]] override.
const defaultSource = "user config"

// ProvidersConfig is the [providers] table: where the upstreams are and
// the API keys. The environment wins over both ([Config.Endpoints],
// [Config.Keys]): each key's variable is HASHDECK_ and the key in capitals.
type ProvidersConfig struct {
	// Endpoints are the base URLs from the file, as written (the keys are
	// the fields' toml tags); [Config.Endpoints] normalises them.
	provider.Endpoints
	CoinGeckoKey     Secret `toml:"coingecko_key" help:"CoinGecko demo API key"`
	HashrateIndexKey Secret `toml:"hashrateindex_key" help:"Hashrate Index API key"`
}

// envVar is the environment variable that overrides key of [providers]:
// HASHDECK_MEMPOOL_URL for mempool_url, as provider.Endpoints.WithEnv reads.
func envVar(key string) string { return "HASHDECK_" + strings.ToUpper(key) }

// IntervalsConfig is the [intervals] table: how often each group of
// upstreams is polled (feeds.Intervals) and how often daily history is
// backfilled. Each has a floor that protects the upstreams ([floors]).
type IntervalsConfig struct {
	Network        Duration `toml:"network" help:"difficulty, height and hashrate"`
	Fees           Duration `toml:"fees" help:"mean fees per block"`
	Prices         Duration `toml:"btc_price" help:"the bitcoin price"`
	EquitiesOpen   Duration `toml:"equities_open" help:"peer share prices in US market hours"`
	EquitiesClosed Duration `toml:"equities_closed" help:"peer share prices outside market hours"`
	Hashprice      Duration `toml:"hashprice" help:"Hashrate Index (1 request / 15 s after a burst)"`
	History        Duration `toml:"history" help:"backfill of daily history"`
}

// intervals returns f and history as an IntervalsConfig.
func intervals(f feeds.Intervals, history time.Duration) IntervalsConfig {
	return IntervalsConfig{Duration{f.Network, ""}, Duration{f.Fees, ""}, Duration{f.Prices, ""}, Duration{f.EquitiesOpen, ""},
		Duration{f.EquitiesClosed, ""}, Duration{f.Hashprice, ""}, Duration{history, ""}}
}

// floors are the shortest intervals allowed: feeds.FloorIntervals, and an
// hour between backfills.
func floors() IntervalsConfig { return intervals(feeds.FloorIntervals(), time.Hour) }

// Feeds returns the poll intervals.
func (iv IntervalsConfig) Feeds() feeds.Intervals {
	return feeds.Intervals{Network: iv.Network.Duration, Fees: iv.Fees.Duration, Prices: iv.Prices.Duration,
		EquitiesOpen: iv.EquitiesOpen.Duration, EquitiesClosed: iv.EquitiesClosed.Duration, Hashprice: iv.Hashprice.Duration}
}

// Duration is a time.Duration written as a Go duration in quotes ("90s").
// What is wrong with the text read is kept for [Config.Validate] to
// report with every other problem: the library would end the reading at
// an error, and hands a bare number (60) to UnmarshalText as text too.
type Duration struct {
	time.Duration
	problem string
}

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if *d = (Duration{v, ""}); err != nil {
		d.problem = fmt.Sprintf(`%q is not a duration: write a number with a unit, like "90s", "5m" or "1h30m"`, b)
	}
	return nil
}

// MarshalText writes the duration as [Duration.String] does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String writes the duration without zero trailing units: 15m, not 15m0s.
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Theme is a colour theme of the dashboard.
type Theme string

// The themes. ThemeAuto follows the terminal's background (dark or light);
// the others are the palettes of package themes.
const (
	ThemeAuto         Theme = "auto"
	ThemeDark         Theme = "dark"
	ThemeLight        Theme = "light"
	ThemeHighContrast Theme = "high-contrast"
	ThemeColorblind   Theme = "colorblind"
)

// Themes lists every accepted theme: auto, then the palettes.
func Themes() []Theme {
	out := []Theme{ThemeAuto}
	for _, n := range themes.Names() {
		out = append(out, Theme(n))
	}
	return out
}

// DisplayConfig is the [display] table.
type DisplayConfig struct {
	Theme Theme `toml:"theme" help:"auto follows the terminal's background"`
	// Bell rings the terminal bell when an alert fires.
	Bell bool `toml:"bell" help:"ring the terminal bell when an alert fires"`
}

// AlertsConfig is the [alerts] table. Each alert is off while unknown.
type AlertsConfig struct {
	HashpriceBelow    *econ.USDPerPHDay `toml:"hashprice_below_usd_per_ph_day" example:"35.0" check:">0" help:"hashprice below this, USD per PH/s per day"`
	SectorMarginBelow *econ.Percent     `toml:"sector_margin_below_pct" example:"0.0" check:"<100" help:"sector median margin below this, percent of hashprice"`
	PeerDailyMove     *econ.Percent     `toml:"peer_daily_move_pct" example:"10.0" check:">0" help:"a peer's share price moving more than this percent in a day"`
}

// FleetConfig is the [fleet] table: "my fleet" on the scenario view.
type FleetConfig struct {
	Efficiency econ.JoulesPerTH `toml:"efficiency_j_per_th" check:">0" help:"J/TH (= W per TH/s)"`
	PowerPrice econ.USDPerKWh   `toml:"power_usd_per_kwh" check:">=0 <=1" help:"USD per kWh (USD/MWh ÷ 1000)"`
	PoolFee    econ.Percent     `toml:"pool_fee_pct" check:">=0 <100" help:"percent of revenue"`
}

// StoreConfig is the [store] table: how long history is kept.
type StoreConfig struct {
	RawDays    int `toml:"raw_days" check:">=1 <=36500" help:"days raw samples are kept (then hourly)"`
	HourlyDays int `toml:"hourly_days" check:">=1 <=36500" help:"days hourly rows are kept (then daily, forever); at least raw_days"`
}

// RawRetention is RawDays as a duration (for store.Options.RawRetention).
func (s StoreConfig) RawRetention() time.Duration { return time.Duration(s.RawDays) * 24 * time.Hour }

// HourlyRetention is HourlyDays as a duration (for store.Options.HourlyRetention).
func (s StoreConfig) HourlyRetention() time.Duration {
	return time.Duration(s.HourlyDays) * 24 * time.Hour
}

// Default returns the configuration used when there is no file: the
// peers and renames of market.DefaultSymbols, the public endpoints, no keys,
// the default intervals, the auto theme, no alerts, a 17.5 J/TH fleet at
// $0.05/kWh with no pool fee, and 30 days of raw and 365 of hourly history.
func Default() Config {
	sym := market.DefaultSymbols()
	aliases := make(map[string]string, len(sym.Renames))
	for _, r := range sym.Renames {
		aliases[r.Old] = r.New
	}
	c := Config{
		Peers:     PeersConfig{Tickers: sym.Peers, Aliases: aliases},
		Providers: ProvidersConfig{Endpoints: provider.DefaultEndpoints()},
		Intervals: intervals(feeds.DefaultIntervals(), 24*time.Hour),
		Display:   DisplayConfig{Theme: ThemeAuto},
		Fleet:     FleetConfig{Efficiency: 17.5, PowerPrice: 0.05, PoolFee: 0},
		Store:     StoreConfig{RawDays: 30, HourlyDays: 365},
	}
	return c
}

// Secret is an API key. It prints (with any fmt verb), logs and encodes
// (JSON, text) as "set" or "unset", never as the key; [Secret.Reveal]
// returns the key. The zero Secret is unset.
type Secret struct {
	// v points to the key so that even a raw print of a struct holding a
	// Secret in an unexported field shows an address, not the key.
	v *string
}

// NewSecret returns s as a Secret, trimmed of surrounding space; an empty
// string gives an unset Secret.
func NewSecret(s string) Secret {
	s = strings.TrimSpace(s)
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// IsSet reports whether the key is set.
func (s Secret) IsSet() bool { return s.v != nil && *s.v != "" }

// Reveal returns the key ("" when unset). Use it only to send the key.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// String returns "set" or "unset".
func (s Secret) String() string {
	if s.IsSet() {
		return "set"
	}
	return "unset"
}

// Format writes "set" or "unset" whatever the verb and flags.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// MarshalJSON encodes the Secret as "set" or "unset".
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalText sets the Secret to the text, as [NewSecret] does.
func (s *Secret) UnmarshalText(text []byte) error {
	*s = NewSecret(string(text))
	return nil
}

// MarshalText encodes the Secret as set or unset.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue logs the Secret as set or unset.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// APIKeys are the upstream API keys after the environment is applied.
// Printing or encoding APIKeys shows only whether each key is set.
type APIKeys struct {
	CoinGecko     Secret `json:"coingecko"`
	HashrateIndex Secret `json:"hashrateindex"`
}

// String returns "coingecko set, hashrateindex unset" and the like.
func (k APIKeys) String() string {
	return "coingecko " + k.CoinGecko.String() + ", hashrateindex " + k.HashrateIndex.String()
}

// Endpoints returns the base URL of every upstream: the file's value
// (normalised by provider.ParseBaseURL), overridden by HASHDECK_<NAME>_URL
// from getenv (provider.Endpoints.WithEnv). The error names the key or the
// variable. A nil getenv reads no environment.
func (c Config) Endpoints(getenv func(string) string) (provider.Endpoints, error) {
	var p problems
	for _, f := range fields(&c.Providers) {
		if strings.HasSuffix(f.name, "_url") {
			base, err := provider.ParseBaseURL(f.v.String())
			if err != nil {
				p.add("providers."+f.name, "%v", err)
			}
			f.v.SetString(base)
		}
	}
	if len(p) > 0 {
		return provider.Endpoints{}, p.err()
	}
	if getenv == nil {
		return c.Providers.Endpoints, nil
	}
	return c.Providers.Endpoints.WithEnv(getenv)
}

// Keys returns the API keys: HASHDECK_COINGECKO_KEY and
// HASHDECK_HASHRATEINDEX_KEY from getenv when set (not blank), else the
// file's. A nil getenv reads no environment.
func (c Config) Keys(getenv func(string) string) APIKeys {
	for _, f := range fields(&c.Providers) {
		if f.v.Type() != reflect.TypeFor[Secret]() || getenv == nil {
			continue
		}
		if s := NewSecret(getenv(envVar(f.name))); s.IsSet() {
			f.v.Set(reflect.ValueOf(s))
		}
	}
	return APIKeys{CoinGecko: c.Providers.CoinGeckoKey, HashrateIndex: c.Providers.HashrateIndexKey}
}

// Sources returns what feeds.Groups needs: [Config.Endpoints] and
// [Config.Keys] with the environment from getenv, [Config.Symbols] and the
// intervals. Timeout is left for the caller. The result holds
// the API keys in clear (feeds.Sources has plain strings): never print it.
func (c Config) Sources(getenv func(string) string) (feeds.Sources, error) {
	e, err := c.Endpoints(getenv)
	if err != nil {
		return feeds.Sources{}, err
	}
	sym, err := c.Symbols()
	if err != nil {
		return feeds.Sources{}, err
	}
	k := c.Keys(getenv)
	return feeds.Sources{
		Endpoints: e, Symbols: sym, Intervals: c.Intervals.Feeds(),
		CoinGeckoKey: k.CoinGecko.Reveal(), HashrateIndexKey: k.HashrateIndex.Reveal(),
	}, nil
}

// Symbols returns the peers and their renames as market.Symbols, for the
// stock providers.
func (c Config) Symbols() (market.Symbols, error) {
	return market.NewSymbols(c.Peers.Tickers, c.Peers.Aliases)
}

// Canonical returns the current ticker of t, following peers.aliases
// (KEEL for BITF); t itself when it was never renamed. On a cycle it stops
// after following every alias once.
func (c Config) Canonical(t string) string {
	for range len(c.Peers.Aliases) {
		next, ok := c.Peers.Aliases[t]
		if !ok || next == t {
			break
		}
		t = next
	}
	return t
}

// Override returns the [[miner]] override for ticker (current or former),
// and false when there is none.
func (c Config) Override(ticker string) (MinerOverride, bool) {
	want := c.Canonical(ticker)
	for _, m := range c.Miners {
		if c.Canonical(m.Ticker) == want {
			return m, true
		}
	}
	return MinerOverride{}, false
}

// Apply returns m with the override's figures in place of its own. A cost
// is put first among m's reported costs (so it wins its scope), with the
// override's source; periodHashvalue (e.g. (*dataset.Dataset).PeriodHashvalue)
// gives the mean hashvalue of its period, to restate it per PH/s per day.
// The cost stays unrestated, and econ then ignores it, when periodHashvalue
// is nil or does not know the period. m's slices are not modified.
func (o MinerOverride) Apply(m econ.Miner, periodHashvalue func(dataset.Period) econ.Maybe[econ.BTCPerPHDay]) econ.Miner {
	if o.Hashrate != nil {
		m.Hashrate, m.HashrateLabel = Opt(o.Hashrate), o.HashrateLabel
	}
	if o.Efficiency != nil {
		m.Efficiency = Opt(o.Efficiency)
	}
	if o.PowerPrice != nil {
		m.PowerPrice = Opt(o.PowerPrice)
	}
	if o.Cost != nil && o.CostScope != nil {
		r := econ.ReportedCost{Scope: o.CostScope.Scope, PerBTC: *o.Cost, Period: o.CostPeriod, Source: o.Source}
		if p, err := dataset.ParsePeriod(o.CostPeriod); err == nil {
			if !p.To.IsZero() {
				r.End = econ.DateOf(p.To)
			}
			if periodHashvalue != nil {
				r.PeriodHashvalue = periodHashvalue(p)
			}
		}
		m.Reported = append([]econ.ReportedCost{r}, m.Reported...)
	}
	return m
}

// field is one key of a table: its name, its tags and the field it fills.
type field struct {
	name, help, example, check string
	v                          reflect.Value
}

// fields lists the keys of the table struct p points to (or p itself, a
// reflect.Value): its tagged fields, and those of a struct embedded in it.
// The help of a key of [providers] names its environment variable, that of
// an interval its floor.
func fields(p any) []field {
	v, ok := p.(reflect.Value)
	if !ok {
		v = reflect.ValueOf(p).Elem()
	}
	infos := typeFields(v.Type())
	out := make([]field, len(infos))
	for i, f := range infos {
		out[i] = field{f.name, f.help, f.example, f.check, v.FieldByIndex(f.index)}
	}
	return out
}

// fieldInfo is a tagged field of a table's type.
type fieldInfo struct {
	index                      []int
	name, help, example, check string
}

// fieldCache holds typeFields' answers: reading the tags (long help texts)
// for every key of every file was most of the time Parse took.
var fieldCache sync.Map // reflect.Type → []fieldInfo

// typeFields lists the tagged fields of the table type t, once per type.
func typeFields(t reflect.Type) []fieldInfo {
	if c, ok := fieldCache.Load(t); ok {
		return c.([]fieldInfo)
	}
	var out []fieldInfo
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && isTableType(sf.Type) {
			for _, f := range typeFields(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
		} else if name := sf.Tag.Get("toml"); name != "" {
			out = append(out, fieldInfo{[]int{i}, name, sf.Tag.Get("help"), sf.Tag.Get("example"), sf.Tag.Get("check")})
		}
	}
	switch t {
	case reflect.TypeFor[ProvidersConfig]():
		for i, f := range out {
			out[i].help = strings.TrimPrefix(f.help+"; "+envVar(f.name), "; ")
		}
	case reflect.TypeFor[IntervalsConfig]():
		fl := reflect.ValueOf(floors())
		for i := range out {
			out[i].help += "; floor " + fl.Field(i).Interface().(Duration).String()
		}
	}
	fieldCache.Store(t, out)
	return out
}
