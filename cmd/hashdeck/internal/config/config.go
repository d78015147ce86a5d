package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

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
// econ.Maybe or pointers: unset is not zero.
//
// Printing a Config (any verb) or encoding it never shows the API keys:
// they are [Secret]s.
type Config struct {
	Peers PeersConfig
	// Miners are the [[miner]] tables, in file order.
	Miners    []MinerOverride
	Providers ProvidersConfig
	Intervals IntervalsConfig
	Display   DisplayConfig
	Alerts    AlertsConfig
	Fleet     FleetConfig
	Store     StoreConfig
}

// PeersConfig is the [peers] table: which listed miners are on the board.
type PeersConfig struct {
	// Tickers are the peers in display order (1–10 of A–Z, 0–9, '.', '-').
	Tickers []string
	// Aliases maps a former ticker to the current one (BITF → KEEL); both
	// name the same peer, shown under the current ticker.
	Aliases map[string]string
}

// MinerOverride is one [[miner]] table: the user's own figures for a listed
// miner, which replace the data set's. The user is named as the source.
// Unset fields keep the data set's values.
type MinerOverride struct {
	// Ticker is the miner as written; a former ticker resolves through the
	// aliases ([Config.Canonical]).
	Ticker string
	// Hashrate in EH/s, and what it measures (installed, operating, ...).
	Hashrate      econ.Maybe[econ.EHs]
	HashrateLabel string
	// Efficiency of the fleet in J/TH.
	Efficiency econ.Maybe[econ.JoulesPerTH]
	// PowerPrice is what the miner pays for electricity, USD per kWh.
	PowerPrice econ.Maybe[econ.USDPerKWh]
	// Cost is a cost per BTC produced, in USD, covering CostScope over
	// CostPeriod (a reporting period as dataset.ParsePeriod reads it:
	// "2025-Q3", "2025", "2025-08", ...). The three go together.
	Cost       econ.Maybe[econ.USDPerBTC]
	CostScope  *econ.Scope
	CostPeriod string
	// Source names where the figures come from ("user config" by default).
	Source string
}

// ProvidersConfig is the [providers] table: where the upstreams are and
// the API keys. The environment wins over both ([Config.Endpoints],
// [Config.Keys]).
type ProvidersConfig struct {
	// URLs are the base URLs (scheme://host[:port]) from the file, as
	// written; [Config.Endpoints] normalises them.
	URLs provider.Endpoints
	// CoinGeckoKey is a CoinGecko demo API key; HashrateIndexKey a Hashrate
	// Index API key. Unset when empty.
	CoinGeckoKey     Secret
	HashrateIndexKey Secret
}

// IntervalsConfig is the [intervals] table: how often each group of
// upstreams is polled (feeds.Intervals: Network, Fees, Prices,
// EquitiesOpen, EquitiesClosed, Hashprice) and how often daily history is
// backfilled. Each has a floor that protects the upstreams: the feeds'
// from feeds.FloorIntervals ([configIntervals]).
type IntervalsConfig struct {
	feeds.Intervals
	// History is the backfill of daily history.
	History time.Duration
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

// defaultSourceLabel names the user as the source of a [[miner]] override.
const defaultSourceLabel = "user config"

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
	Theme Theme
	// Bell rings the terminal bell when an alert fires.
	Bell bool
}

// AlertsConfig is the [alerts] table. Each alert is off while unknown.
type AlertsConfig struct {
	// HashpriceBelow fires when hashprice falls below it, USD per PH/s per day.
	HashpriceBelow econ.Maybe[econ.USDPerPHDay]
	// SectorMarginBelow fires when the sector's median margin falls below
	// it, in percent of hashprice (may be negative).
	SectorMarginBelow econ.Maybe[econ.Percent]
	// PeerDailyMove fires when a peer's share price moves more than this
	// percentage in a day, either way.
	PeerDailyMove econ.Maybe[econ.Percent]
}

// FleetConfig is the [fleet] table: "my fleet" on the scenario view.
type FleetConfig struct {
	// Efficiency in J/TH; must be positive.
	Efficiency econ.JoulesPerTH
	// PowerPrice in USD per kWh.
	PowerPrice econ.USDPerKWh
	// PoolFee in percent of revenue, 0 to below 100.
	PoolFee econ.Percent
}

// StoreConfig is the [store] table: how long history is kept.
type StoreConfig struct {
	// RawDays is how many days raw samples are kept before they are rolled
	// into hourly rows (at least 1).
	RawDays int
	// HourlyDays is how many days hourly rows are kept before they are
	// rolled into daily rows, kept forever (at least RawDays).
	HourlyDays int
}

// RawRetention is RawDays as a duration (for store.Options.RawRetention).
func (s StoreConfig) RawRetention() time.Duration { return time.Duration(s.RawDays) * 24 * time.Hour }

// HourlyRetention is HourlyDays as a duration (for store.Options.HourlyRetention).
func (s StoreConfig) HourlyRetention() time.Duration {
	return time.Duration(s.HourlyDays) * 24 * time.Hour
}

// Default returns the configuration used when there is no file: the
// peers and renames of market.DefaultSymbols, the public endpoints, no keys,
// the default intervals, the auto theme (following the terminal), no alerts, a 17.5 J/TH fleet at
// $0.05/kWh with no pool fee, and 30 days of raw and 365 of hourly history.
func Default() Config {
	sym := market.DefaultSymbols()
	aliases := make(map[string]string, len(sym.Renames))
	for _, r := range sym.Renames {
		aliases[r.Old] = r.New
	}
	c := Config{
		Peers:     PeersConfig{Tickers: sym.Peers, Aliases: aliases},
		Providers: ProvidersConfig{URLs: provider.DefaultEndpoints()},
		Display:   DisplayConfig{Theme: ThemeAuto},
		Fleet:     FleetConfig{Efficiency: 17.5, PowerPrice: 0.05, PoolFee: 0},
		Store:     StoreConfig{RawDays: 30, HourlyDays: 365},
	}
	for _, iv := range configIntervals(&c.Intervals) {
		*iv.dst = iv.def
	}
	return c
}

// configInterval describes one key of [intervals].
type configInterval struct {
	key        string
	dst        *time.Duration
	def, floor time.Duration
	doc        string
}

// configIntervals lists the keys of [intervals] with their defaults and
// floors (feeds.DefaultIntervals and feeds.FloorIntervals for the feeds),
// pointing into iv.
func configIntervals(iv *IntervalsConfig) []configInterval {
	def, floor := feeds.DefaultIntervals(), feeds.FloorIntervals()
	return []configInterval{
		{"network", &iv.Network, def.Network, floor.Network, "difficulty, height and hashrate"},
		{"fees", &iv.Fees, def.Fees, floor.Fees, "mean fees per block"},
		{"btc_price", &iv.Prices, def.Prices, floor.Prices, "the bitcoin price"},
		{"equities_open", &iv.EquitiesOpen, def.EquitiesOpen, floor.EquitiesOpen, "peer share prices in US market hours"},
		{"equities_closed", &iv.EquitiesClosed, def.EquitiesClosed, floor.EquitiesClosed, "peer share prices outside market hours"},
		{"hashprice", &iv.Hashprice, def.Hashprice, floor.Hashprice, "Hashrate Index (1 request / 15 s after a burst)"},
		{"history", &iv.History, 24 * time.Hour, time.Hour, "backfill of daily history"},
	}
}

// configURL describes one *_url key of [providers].
type configURL struct {
	key string
	dst *string
}

// env returns the environment variable that overrides the URL
// (HASHDECK_MEMPOOL_URL for mempool_url), as provider.Endpoints.WithEnv reads it.
func (u configURL) env() string {
	return "HASHDECK_" + strings.ToUpper(strings.TrimSuffix(u.key, "_url")) + "_URL"
}

// configURLs lists the *_url keys of [providers], pointing into e.
func configURLs(e *provider.Endpoints) []configURL {
	return []configURL{
		{"mempool_url", &e.Mempool},
		{"blockchaininfo_url", &e.BlockchainInfo},
		{"coinbase_url", &e.Coinbase},
		{"kraken_url", &e.Kraken},
		{"coingecko_url", &e.CoinGecko},
		{"yahoo_url", &e.Yahoo},
		{"nasdaq_url", &e.Nasdaq},
		{"hashrateindex_url", &e.HashrateIndex},
	}
}

// Environment variables holding the API keys; they win over the file.
const (
	envCoinGeckoKey     = "HASHDECK_COINGECKO_KEY"
	envHashrateIndexKey = "HASHDECK_HASHRATEINDEX_KEY"
)

// Sanity bounds that catch a value given in the wrong unit.
const (
	maxMinerHashrateEHs = 2000 // more than the whole network
	maxPowerUSDPerKWh   = 1.0  // a price in USD/MWh typed as USD/kWh
	maxTickerLength     = 10
	maxLabelLength      = 40
	maxSourceLength     = 120
)

// ---------------------------------------------------------------------------
// Secrets

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

// ---------------------------------------------------------------------------
// Resolution helpers

// Endpoints returns the base URL of every upstream: the file's value
// (normalised by provider.ParseBaseURL), overridden by HASHDECK_<NAME>_URL
// from getenv (provider.Endpoints.WithEnv). The error names the key or the
// variable. A nil getenv reads no environment.
func (c Config) Endpoints(getenv func(string) string) (provider.Endpoints, error) {
	e := c.Providers.URLs
	var errs []error
	for _, u := range configURLs(&e) {
		base, err := provider.ParseBaseURL(*u.dst)
		if err != nil {
			errs = append(errs, &Error{Key: "providers." + u.key, Msg: err.Error()})
			continue
		}
		*u.dst = base
	}
	if len(errs) > 0 {
		return provider.Endpoints{}, errors.Join(errs...)
	}
	if getenv == nil {
		return e, nil
	}
	return e.WithEnv(getenv)
}

// Keys returns the API keys: HASHDECK_COINGECKO_KEY and
// HASHDECK_HASHRATEINDEX_KEY from getenv when set (not blank), else the
// file's. A nil getenv reads no environment.
func (c Config) Keys(getenv func(string) string) APIKeys {
	k := APIKeys{CoinGecko: c.Providers.CoinGeckoKey, HashrateIndex: c.Providers.HashrateIndexKey}
	if getenv == nil {
		return k
	}
	if s := NewSecret(getenv(envCoinGeckoKey)); s.IsSet() {
		k.CoinGecko = s
	}
	if s := NewSecret(getenv(envHashrateIndexKey)); s.IsSet() {
		k.HashrateIndex = s
	}
	return k
}

// Sources returns what feeds.Groups needs: [Config.Endpoints] and
// [Config.Keys] with the environment from getenv, [Config.Symbols] and the
// intervals. NewYork and Timeout are left for the caller. The result holds
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
		Endpoints: e, Symbols: sym, Intervals: c.Intervals.Intervals,
		CoinGeckoKey: k.CoinGecko.Reveal(), HashrateIndexKey: k.HashrateIndex.Reveal(),
	}, nil
}

// Symbols returns the peers and their renames as market.Symbols, for the
// stock providers.
func (c Config) Symbols() (market.Symbols, error) {
	return market.NewSymbols(c.Peers.Tickers, c.Peers.Aliases)
}

// Canonical returns the current ticker of t, following peers.aliases
// (KEEL for BITF); t itself when it was never renamed.
func (c Config) Canonical(t string) string { return configCanonical(c.Peers.Aliases, t) }

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
	if o.Hashrate.OK() {
		m.Hashrate, m.HashrateLabel = o.Hashrate, o.HashrateLabel
	}
	if o.Efficiency.OK() {
		m.Efficiency = o.Efficiency
	}
	if o.PowerPrice.OK() {
		m.PowerPrice = o.PowerPrice
	}
	if cost, ok := o.Cost.Get(); ok && o.CostScope != nil {
		r := econ.ReportedCost{Scope: *o.CostScope, PerBTC: cost, Period: o.CostPeriod, Source: o.Source}
		if p, err := dataset.ParsePeriod(o.CostPeriod); err == nil && periodHashvalue != nil {
			r.PeriodHashvalue = periodHashvalue(p)
		}
		m.Reported = append([]econ.ReportedCost{r}, m.Reported...)
	}
	return m
}

// ---------------------------------------------------------------------------
// Errors

// Error is one problem with the configuration: the key it concerns,
// what is wrong and, when known, the file and the line.
type Error struct {
	// Path is the file ("" for a Config that did not come from one).
	Path string
	// Line and Col are 1-based; 0 when not known.
	Line, Col int
	// Key names the setting: "intervals.network", "miner[2].cost_scope",
	// "peers.tickers[3]" ([N] counts from 1); "" for the file as a whole.
	Key string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any (a toml.ParseError, an fs error).
	Err error
}

// Error returns "path:line:col: key: message", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Path != "" && e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", e.Path, e.Line, e.Col)
	case e.Path != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Path, e.Line)
	case e.Path != "":
		b.WriteString(e.Path + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errors returns the problems in err (as returned by [Load] or
// [Config.Validate]) one by one; an error that is not a *Error is
// wrapped in one.
func Errors(err error) []*Error {
	if err == nil {
		return nil
	}
	if ce, ok := err.(*Error); ok {
		return []*Error{ce}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, Errors(e)...)
		}
		return out
	}
	return []*Error{{Msg: err.Error(), Err: err}}
}

// configProblems collects Errors.
type configProblems []*Error

func (p *configProblems) add(key, format string, args ...any) {
	*p = append(*p, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p configProblems) err() error {
	if len(p) == 0 {
		return nil
	}
	errs := make([]error, len(p))
	for i, e := range p {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// ---------------------------------------------------------------------------
// Paths and loading

// DefaultPath returns $XDG_CONFIG_HOME/hashdeck/config.toml when
// XDG_CONFIG_HOME is an absolute path (the XDG spec ignores a relative
// one), else $HOME/.config/hashdeck/config.toml, reading the variables
// with getenv. It fails when neither is usable.
func DefaultPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "hashdeck", "config.toml"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "hashdeck", "config.toml"), nil
	}
	return "", &Error{Msg: "cannot find the configuration file: neither XDG_CONFIG_HOME (absolute) nor HOME is set; give --config PATH"}
}

// Load reads the configuration file at path (or, when path is "",
// at [DefaultPath] from getenv), lays it over [Default] and
// validates the result. A missing file is fine when it was not named
// explicitly (the defaults are returned); a missing file given with
// --config (explicit) is an error naming it.
//
// Every problem is reported at once (errors.Join of *Error, in file
// order; see [Errors]), each naming its key and, when it is in the
// file, its line. The Config returned with an error holds what could be
// read and must not be used. The environment is not applied here: see
// [Config.Endpoints] and [Config.Keys].
func Load(path string, explicit bool, getenv func(string) string) (Config, error) {
	if path == "" {
		if explicit {
			return Default(), &Error{Key: "--config", Msg: "give the path of the file"}
		}
		p, err := DefaultPath(getenv)
		if err != nil {
			return Default(), err
		}
		path = p
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if !explicit {
				return Default(), nil
			}
			return Default(), &Error{Path: path, Msg: "no such file (create one with 'hashdeck config init --config " + path + "')", Err: err}
		}
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return Default(), &Error{Path: path, Msg: "cannot read: " + msg, Err: err}
	}
	return Parse(path, data)
}

// Parse is [Load] for a file already read: name is used in
// error messages.
func Parse(name string, data []byte) (Config, error) {
	c := Default()
	src := string(data)
	var doc map[string]any
	if _, err := toml.Decode(src, &doc); err != nil {
		return c, configSyntaxError(name, src, err)
	}
	probs := decodeConfig(doc, &c)
	probs = append(probs, Errors(c.Validate())...)
	lines := scanConfigKeys(src)
	for _, p := range probs {
		p.Path = name
		if p.Line == 0 {
			p.Line = lines.lookup(p.Key)
		}
	}
	slices.SortStableFunc(probs, func(a, b *Error) int {
		la, lb := a.Line, b.Line
		if la == 0 {
			la = math.MaxInt
		}
		if lb == 0 {
			lb = math.MaxInt
		}
		return la - lb
	})
	return c, probs.err()
}

// configSyntaxError turns a TOML error into a Error with its position.
// A syntax error in the value of an API key does not quote the value.
func configSyntaxError(name, src string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Path: name, Msg: err.Error(), Err: err}
	}
	msg := "TOML syntax: " + pe.Message
	lines := strings.Split(src, "\n")
	if l := pe.Position.Line; l >= 1 && l <= len(lines) {
		text := strings.TrimLeft(lines[l-1], " \t")
		name, _, _ := strings.Cut(text, "=")
		for _, k := range []string{"coingecko_key", "hashrateindex_key"} {
			if strings.Contains(name, k) {
				msg = "TOML syntax error in the value of providers." + k + " (not shown: it is an API key); write it in double quotes"
			}
		}
		// A common slip: an interval without quotes (network = 60s).
		for _, iv := range configIntervals(&IntervalsConfig{}) {
			rest, ok := strings.CutPrefix(text, iv.key)
			rest = strings.TrimLeft(rest, " \t")
			if ok && strings.HasPrefix(rest, "=") && !strings.ContainsAny(rest, `"'`) {
				msg += fmt.Sprintf(` (a duration goes in quotes: %s = "60s")`, iv.key)
			}
		}
	}
	return &Error{Path: name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: msg, Err: err}
}

// ---------------------------------------------------------------------------
// Decoding the TOML document

// decodeConfig lays the document over c, key by key. Wrong types and
// unknown keys are problems; a value with a problem leaves the default.
// Whether values make sense is Validate's job.
func decodeConfig(doc map[string]any, c *Config) configProblems {
	var probs configProblems
	root := &configTable{probs: &probs, m: doc, known: []string{"peers", "miner", "providers", "intervals", "display", "alerts", "fleet", "store"}}

	if t := root.table("peers"); t != nil {
		if v, ok := t.strings("tickers"); ok {
			c.Peers.Tickers = v
		}
		if v, ok := t.stringMap("aliases"); ok {
			c.Peers.Aliases = v
		}
		t.finish()
	}

	for _, t := range root.tables("miner") {
		m := MinerOverride{Source: defaultSourceLabel}
		if v, ok := t.str("ticker"); ok {
			m.Ticker = v
		}
		configMaybe(t, "hashrate_ehs", &m.Hashrate)
		if v, ok := t.str("hashrate_label"); ok {
			m.HashrateLabel = v
		}
		configMaybe(t, "efficiency_j_per_th", &m.Efficiency)
		configMaybe(t, "power_usd_per_kwh", &m.PowerPrice)
		configMaybe(t, "cost_usd_per_btc", &m.Cost)
		if v, ok := t.str("cost_scope"); ok {
			if s, err := econ.ParseScope(v); err != nil {
				probs.add(t.key("cost_scope"), "%q is not a cost scope (power, direct, cash or all-in)", v)
			} else {
				m.CostScope = &s
			}
		}
		if v, ok := t.str("cost_period"); ok {
			m.CostPeriod = v
		}
		if v, ok := t.str("source"); ok {
			m.Source = v
		}
		t.finish()
		c.Miners = append(c.Miners, m)
	}

	if t := root.table("providers"); t != nil {
		for _, u := range configURLs(&c.Providers.URLs) {
			if v, ok := t.str(u.key); ok {
				*u.dst = v
			}
		}
		if v, ok := t.secret("coingecko_key"); ok {
			c.Providers.CoinGeckoKey = v
		}
		if v, ok := t.secret("hashrateindex_key"); ok {
			c.Providers.HashrateIndexKey = v
		}
		t.finish()
	}

	if t := root.table("intervals"); t != nil {
		for _, iv := range configIntervals(&c.Intervals) {
			if v, ok := t.duration(iv.key); ok {
				*iv.dst = v
			}
		}
		t.finish()
	}

	if t := root.table("display"); t != nil {
		if v, ok := t.str("theme"); ok {
			c.Display.Theme = Theme(v)
		}
		if v, ok := t.boolean("bell"); ok {
			c.Display.Bell = v
		}
		t.finish()
	}

	if t := root.table("alerts"); t != nil {
		configMaybe(t, "hashprice_below_usd_per_ph_day", &c.Alerts.HashpriceBelow)
		configMaybe(t, "sector_margin_below_pct", &c.Alerts.SectorMarginBelow)
		configMaybe(t, "peer_daily_move_pct", &c.Alerts.PeerDailyMove)
		t.finish()
	}

	if t := root.table("fleet"); t != nil {
		if v, ok := t.float("efficiency_j_per_th"); ok {
			c.Fleet.Efficiency = econ.JoulesPerTH(v)
		}
		if v, ok := t.float("power_usd_per_kwh"); ok {
			c.Fleet.PowerPrice = econ.USDPerKWh(v)
		}
		if v, ok := t.float("pool_fee_pct"); ok {
			c.Fleet.PoolFee = econ.Percent(v)
		}
		t.finish()
	}

	if t := root.table("store"); t != nil {
		if v, ok := t.integer("raw_days"); ok {
			c.Store.RawDays = v
		}
		if v, ok := t.integer("hourly_days"); ok {
			c.Store.HourlyDays = v
		}
		t.finish()
	}

	root.finish()
	return probs
}

// configTable reads one TOML table, remembering which keys were asked for
// so that finish can report the others as unknown. Keys are case-sensitive.
type configTable struct {
	probs *configProblems
	path  string // "" for the root, "intervals", "miner[2]"
	m     map[string]any
	known []string
}

func (t *configTable) key(k string) string {
	if t.path == "" {
		return k
	}
	return t.path + "." + k
}

func (t *configTable) get(k string) (any, bool) {
	if !slices.Contains(t.known, k) {
		t.known = append(t.known, k)
	}
	v, ok := t.m[k]
	return v, ok
}

// bad records a type problem, quoting the value.
func (t *configTable) bad(k, want string, v any) {
	t.probs.add(t.key(k), "want %s, got %s", want, configDescribe(v, false))
}

func (t *configTable) str(k string) (string, bool) {
	v, ok := t.get(k)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		t.bad(k, "a string", v)
	}
	return s, ok
}

func (t *configTable) secret(k string) (Secret, bool) {
	v, ok := t.get(k)
	if !ok {
		return Secret{}, false
	}
	s, ok := v.(string)
	if !ok {
		t.probs.add(t.key(k), "want a string, got %s (value not shown)", configDescribe(v, true))
		return Secret{}, false
	}
	return NewSecret(s), true
}

func (t *configTable) float(k string) (float64, bool) {
	v, ok := t.get(k)
	if !ok {
		return 0, false
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int64:
		f = float64(x)
	default:
		t.bad(k, "a number", v)
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		t.probs.add(t.key(k), "want a finite number, got %v", f)
		return 0, false
	}
	return f, true
}

// configMaybe reads an optional number into dst.
func configMaybe[T econ.Number](t *configTable, k string, dst *econ.Maybe[T]) {
	if v, ok := t.float(k); ok {
		*dst = econ.Known(T(v))
	}
}

func (t *configTable) integer(k string) (int, bool) {
	v, ok := t.get(k)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			t.probs.add(t.key(k), "%d is out of range", x)
			return 0, false
		}
		return int(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= math.MaxInt32 {
			return int(x), true
		}
	}
	t.bad(k, "a whole number", v)
	return 0, false
}

func (t *configTable) boolean(k string) (bool, bool) {
	v, ok := t.get(k)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		t.bad(k, "true or false", v)
	}
	return b, ok
}

func (t *configTable) duration(k string) (time.Duration, bool) {
	v, ok := t.get(k)
	if !ok {
		return 0, false
	}
	s, ok := v.(string)
	if !ok {
		t.bad(k, `a duration in quotes, like "90s", "5m" or "1h"`, v)
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		t.probs.add(t.key(k), `%q is not a duration: write a number with a unit, like "90s", "5m" or "1h30m"`, s)
		return 0, false
	}
	return d, true
}

// strings reads an array of strings; with a bad element the others are kept.
func (t *configTable) strings(k string) ([]string, bool) {
	v, ok := t.get(k)
	if !ok {
		return nil, false
	}
	arr, ok := v.([]any)
	if !ok {
		t.bad(k, "an array of strings", v)
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.probs.add(fmt.Sprintf("%s[%d]", t.key(k), i+1), "want a string, got %s", configDescribe(e, false))
			continue
		}
		out = append(out, s)
	}
	return out, true
}

// stringMap reads a table of strings (an inline table or a [sub.table]).
func (t *configTable) stringMap(k string) (map[string]string, bool) {
	v, ok := t.get(k)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.bad(k, `a table of strings, like { BITF = "KEEL" }`, v)
		return nil, false
	}
	out := make(map[string]string, len(m))
	for name, e := range m {
		s, ok := e.(string)
		if !ok {
			t.probs.add(t.key(k)+"."+name, "want a string, got %s", configDescribe(e, false))
			continue
		}
		out[name] = s
	}
	return out, true
}

// configSectionKeys lists the keys of each table, for unknown-key messages.
func configSectionKeys(section string) []string {
	switch section {
	case "peers":
		return []string{"tickers", "aliases"}
	case "miner":
		return []string{"ticker", "hashrate_ehs", "hashrate_label", "efficiency_j_per_th", "power_usd_per_kwh",
			"cost_usd_per_btc", "cost_scope", "cost_period", "source"}
	case "providers":
		var keys []string
		for _, u := range configURLs(&provider.Endpoints{}) {
			keys = append(keys, u.key)
		}
		return append(keys, "coingecko_key", "hashrateindex_key")
	case "intervals":
		var keys []string
		for _, iv := range configIntervals(&IntervalsConfig{}) {
			keys = append(keys, iv.key)
		}
		return keys
	case "display":
		return []string{"theme", "bell"}
	case "alerts":
		return []string{"hashprice_below_usd_per_ph_day", "sector_margin_below_pct", "peer_daily_move_pct"}
	case "fleet":
		return []string{"efficiency_j_per_th", "power_usd_per_kwh", "pool_fee_pct"}
	case "store":
		return []string{"raw_days", "hourly_days"}
	}
	return nil
}

// table returns the sub-table k, or nil when it is absent or not a table.
func (t *configTable) table(k string) *configTable {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.probs.add(t.key(k), "want a table ([%s]), got %s", k, configDescribe(v, false))
		return nil
	}
	return &configTable{probs: t.probs, path: t.key(k), m: m, known: configSectionKeys(k)}
}

// tables returns the array of tables k ([[k]] or k = [{...}, ...]).
func (t *configTable) tables(k string) []*configTable {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	var maps []map[string]any
	switch x := v.(type) {
	case []map[string]any:
		maps = x
	case []any:
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				t.probs.add(fmt.Sprintf("%s[%d]", t.key(k), i+1), "want a table, got %s", configDescribe(e, false))
				continue
			}
			maps = append(maps, m)
		}
	case map[string]any:
		t.probs.add(t.key(k), "write [[%s]] (two brackets: one table per %s), not [%s]", k, k, k)
		return nil
	default:
		t.bad(k, fmt.Sprintf("[[%s]] tables", k), v)
		return nil
	}
	out := make([]*configTable, len(maps))
	for i, m := range maps {
		out[i] = &configTable{probs: t.probs, path: fmt.Sprintf("%s[%d]", t.key(k), i+1), m: m, known: configSectionKeys(k)}
	}
	return out
}

// finish reports every key of the table that was not asked for.
func (t *configTable) finish() {
	var unknown []string
	for k := range t.m {
		if !slices.Contains(t.known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		what := "key"
		if _, ok := t.m[k].(map[string]any); ok {
			what = "table"
		}
		if s := configSuggest(k, t.known); s != "" {
			t.probs.add(t.key(k), "unknown %s (did you mean %q?)", what, s)
		} else {
			if t.path == "" {
				t.probs.add(t.key(k), "unknown %s; the tables are %s", what, strings.Join(t.known, ", "))
			} else {
				t.probs.add(t.key(k), "unknown %s; the keys in %s are %s", what, configTableName(t.path), strings.Join(t.known, ", "))
			}
		}
	}
}

// configTableName returns "[intervals]" for "intervals" and "[[miner]]" for "miner[2]".
func configTableName(path string) string {
	if i := strings.IndexByte(path, '['); i >= 0 {
		return "[[" + path[:i] + "]]"
	}
	return "[" + path + "]"
}

// configSuggest returns the known key closest to k (same letters in
// another case, at most two edits, one a prefix of the other, or k, less a
// plural s, inside it), or "".
func configSuggest(k string, known []string) string {
	for _, c := range known {
		if strings.EqualFold(c, k) {
			return c
		}
	}
	best, bestD := "", 3
	for _, c := range known {
		d := configEditDistance(strings.ToLower(k), c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" {
		return best
	}
	lk := strings.ToLower(k)
	if len(lk) < 4 {
		return ""
	}
	for _, c := range known {
		if strings.HasPrefix(c, lk) || strings.HasPrefix(lk, c) || strings.Contains(c, strings.TrimSuffix(lk, "s")) {
			return c
		}
	}
	return ""
}

// configEditDistance is the Levenshtein distance between a and b (bytes).
func configEditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// configDescribe names a TOML value's type and, unless secret, the value.
func configDescribe(v any, secret bool) string {
	var typ, val string
	switch x := v.(type) {
	case string:
		typ, val = "string", strconv.Quote(configClip(x, 40))
	case int64:
		typ, val = "integer", strconv.FormatInt(x, 10)
	case float64:
		typ, val = "float", strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		typ, val = "boolean", strconv.FormatBool(x)
	case time.Time:
		typ, val = "date-time", x.Format(time.RFC3339)
	case []any, []map[string]any:
		typ = "an array"
	case map[string]any:
		typ = "a table"
	default:
		typ = fmt.Sprintf("%T", v)
	}
	if secret || val == "" {
		return typ
	}
	return typ + " " + val
}

func configClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ---------------------------------------------------------------------------
// Validation

// Validate checks the configuration and returns every problem at once
// (errors.Join of *Error, see [Errors]), each naming its key.
func (c Config) Validate() error {
	var p configProblems
	c.validatePeers(&p)
	c.validateMiners(&p)
	c.validateProviders(&p)
	for _, iv := range configIntervals(&c.Intervals) {
		d, key := *iv.dst, "intervals."+iv.key
		switch {
		case d <= 0:
			p.add(key, "%q must be positive", configFormatDuration(d))
		case d < iv.floor:
			p.add(key, "%q is below the %s floor", configFormatDuration(d), configFormatDuration(iv.floor))
		}
	}
	if !slices.Contains(Themes(), c.Display.Theme) {
		p.add("display.theme", "%q is not a theme (auto, %s)", string(c.Display.Theme), strings.Join(themes.Names(), ", "))
	}
	if v, ok := c.Alerts.HashpriceBelow.Get(); ok && v <= 0 {
		p.add("alerts.hashprice_below_usd_per_ph_day", "must be positive USD per PH/s per day (got %s); leave it out to turn the alert off", configNum(float64(v)))
	}
	if v, ok := c.Alerts.SectorMarginBelow.Get(); ok && v >= 100 {
		p.add("alerts.sector_margin_below_pct", "must be below 100: a margin is at most 100%% of hashprice (got %s)", configNum(float64(v)))
	}
	if v, ok := c.Alerts.PeerDailyMove.Get(); ok && v <= 0 {
		p.add("alerts.peer_daily_move_pct", "must be positive (got %s); leave it out to turn the alert off", configNum(float64(v)))
	}
	configPositive(&p, "fleet.efficiency_j_per_th", float64(c.Fleet.Efficiency))
	configPowerPrice(&p, "fleet.power_usd_per_kwh", float64(c.Fleet.PowerPrice))
	if f := float64(c.Fleet.PoolFee); !(f >= 0 && f < 100) {
		p.add("fleet.pool_fee_pct", "must be at least 0 and below 100 percent (got %s)", configNum(f))
	}
	if c.Store.RawDays < 1 {
		p.add("store.raw_days", "must be at least 1 day (got %d)", c.Store.RawDays)
	}
	if c.Store.HourlyDays < max(c.Store.RawDays, 1) {
		p.add("store.hourly_days", "must be at least store.raw_days (%d): hourly roll-ups outlive raw samples (got %d)", c.Store.RawDays, c.Store.HourlyDays)
	}
	return p.err()
}

func configNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func configPositive(p *configProblems, key string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		p.add(key, "must be positive (got %s)", configNum(v))
	}
}

func configPowerPrice(p *configProblems, key string, v float64) {
	switch {
	case !(v >= 0) || math.IsInf(v, 0):
		p.add(key, "must be 0 or more USD per kWh (got %s)", configNum(v))
	case v > maxPowerUSDPerKWh:
		p.add(key, "%s USD per kWh is implausible: the unit is USD per kWh (USD per MWh ÷ 1000)", configNum(v))
	}
}

// configValidTicker reports whether t is 1–10 of A–Z, 0–9, '.', '-'.
func configValidTicker(t string) bool {
	if t == "" || len(t) > maxTickerLength {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// configTickerProblem explains why t is not a ticker.
func configTickerProblem(t string) string {
	msg := fmt.Sprintf("%q is not a ticker: 1 to %d of A-Z, 0-9, '.' and '-'", configClip(t, 20), maxTickerLength)
	if u := strings.ToUpper(strings.TrimSpace(t)); u != t && configValidTicker(u) {
		msg += fmt.Sprintf(" (write %q)", u)
	}
	return msg
}

// configCanonical follows aliases from t to its current ticker; on a
// cycle it stops after visiting every alias once.
func configCanonical(aliases map[string]string, t string) string {
	cur := t
	for range len(aliases) {
		next, ok := aliases[cur]
		if !ok || next == cur {
			break
		}
		cur = next
	}
	return cur
}

func (c Config) validatePeers(p *configProblems) {
	if len(c.Peers.Tickers) == 0 {
		p.add("peers.tickers", "list at least one ticker")
	}
	olds := slices.Sorted(func(yield func(string) bool) {
		for k := range c.Peers.Aliases {
			if !yield(k) {
				return
			}
		}
	})
	for _, old := range olds {
		cur, key := c.Peers.Aliases[old], "peers.aliases."+old
		switch {
		case !configValidTicker(old):
			p.add(key, "the former ticker %s", configTickerProblem(old))
		case !configValidTicker(cur):
			p.add(key, "the current ticker %s", configTickerProblem(cur))
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
		if !configValidTicker(t) {
			p.add(key, "%s", configTickerProblem(t))
			continue
		}
		cur := c.Canonical(t)
		if j, dup := seen[cur]; dup {
			first := c.Peers.Tickers[j]
			switch {
			case first == t:
				p.add(key, "%s is listed twice (first as peers.tickers[%d])", t, j+1)
			default:
				p.add(key, "%s and %s (peers.tickers[%d]) are the same peer, %s (see peers.aliases)", t, first, j+1, cur)
			}
			continue
		}
		seen[cur] = i
	}
}

func (c Config) validateMiners(p *configProblems) {
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
		case !configValidTicker(m.Ticker):
			p.add(key("ticker"), "%s", configTickerProblem(m.Ticker))
		case !peers[cur]:
			p.add(key("ticker"), "%s is not in peers.tickers", m.Ticker)
		default:
			if j, dup := seen[cur]; dup {
				p.add(key("ticker"), "%s already has an override (miner[%d]); merge the two", cur, j+1)
			} else {
				seen[cur] = i
			}
		}
		if !m.Hashrate.OK() && !m.Efficiency.OK() && !m.PowerPrice.OK() && !m.Cost.OK() && m.HashrateLabel == "" && m.CostScope == nil && m.CostPeriod == "" {
			p.add(base, "sets nothing: give hashrate_ehs, efficiency_j_per_th, power_usd_per_kwh or cost_usd_per_btc")
		}
		if v, ok := m.Hashrate.Get(); ok {
			switch {
			case v <= 0:
				p.add(key("hashrate_ehs"), "must be positive (got %s)", configNum(float64(v)))
			case v > maxMinerHashrateEHs:
				p.add(key("hashrate_ehs"), "%s EH/s is more than the whole network: the unit is EH/s (1 EH/s = 1,000 PH/s)", configNum(float64(v)))
			}
		}
		if m.HashrateLabel != "" && !m.Hashrate.OK() {
			p.add(key("hashrate_label"), "labels hashrate_ehs, which is not given")
		}
		configText(p, key("hashrate_label"), m.HashrateLabel, maxLabelLength)
		if v, ok := m.Efficiency.Get(); ok {
			configPositive(p, key("efficiency_j_per_th"), float64(v))
		}
		if v, ok := m.PowerPrice.Get(); ok {
			configPowerPrice(p, key("power_usd_per_kwh"), float64(v))
		}
		if v, ok := m.Cost.Get(); ok {
			configPositive(p, key("cost_usd_per_btc"), float64(v))
			if m.CostScope == nil {
				p.add(key("cost_scope"), "missing: say what cost_usd_per_btc covers (power, direct, cash or all-in)")
			}
			if m.CostPeriod == "" {
				p.add(key("cost_period"), `missing: the period cost_usd_per_btc covers, like "2025-Q3" (it is restated at that period's hashvalue)`)
			}
		} else {
			if m.CostScope != nil {
				p.add(key("cost_scope"), "is only used with cost_usd_per_btc, which is not given")
			}
			if m.CostPeriod != "" {
				p.add(key("cost_period"), "is only used with cost_usd_per_btc, which is not given")
			}
		}
		if m.CostScope != nil && *m.CostScope >= econ.NumScopes {
			p.add(key("cost_scope"), "%s is not a cost scope (power, direct, cash or all-in)", m.CostScope)
		}
		if m.CostPeriod != "" {
			if _, err := dataset.ParsePeriod(m.CostPeriod); err != nil {
				p.add(key("cost_period"), "%v (write a quarter like \"2025-Q3\", a month \"2025-08\" or a year \"2025\")", err)
			}
		}
		if strings.TrimSpace(m.Source) == "" {
			p.add(key("source"), "must not be empty (leave it out for %q)", defaultSourceLabel)
		}
		configText(p, key("source"), m.Source, maxSourceLength)
	}
}

// configText checks a free-text value: at most n characters, no control characters.
func configText(p *configProblems, key, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		p.add(key, "is longer than %d characters", n)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		p.add(key, "contains a control character")
	}
}

func (c Config) validateProviders(p *configProblems) {
	e := c.Providers.URLs
	for _, u := range configURLs(&e) {
		if _, err := provider.ParseBaseURL(*u.dst); err != nil {
			p.add("providers."+u.key, "%v", err)
		}
	}
	for _, k := range []struct {
		key string
		s   Secret
	}{{"coingecko_key", c.Providers.CoinGeckoKey}, {"hashrateindex_key", c.Providers.HashrateIndexKey}} {
		if strings.ContainsFunc(k.s.Reveal(), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			p.add("providers."+k.key, "contains a space or a control character (the value is not shown)")
		}
	}
}

// configFormatDuration writes d without zero trailing units: 15m, not 15m0s.
func configFormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ---------------------------------------------------------------------------
// Line numbers

// configKeyLines maps the keys written in a TOML file to their lines:
// "intervals.network", "miner[2].ticker", "miner[2]" (the header).
type configKeyLines map[string]int

// lookup returns the line of key, or of the nearest enclosing key or table
// in the file ("peers.tickers" for "peers.tickers[3]"); 0 when none is.
func (l configKeyLines) lookup(key string) int {
	for key != "" {
		if n, ok := l[key]; ok {
			return n
		}
		if strings.HasSuffix(key, "]") {
			key = key[:strings.LastIndexByte(key, '[')]
			continue
		}
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// scanConfigKeys finds the line of every table header and key/value line
// in src, which must be valid TOML. Keys inside inline tables and values
// inside multi-line arrays take the line of the key that holds them.
func scanConfigKeys(src string) configKeyLines {
	s := &configScanner{src: strings.TrimPrefix(src, "\uFEFF"), line: 1, out: configKeyLines{}, arrays: map[string]int{}}
	for s.i < len(s.src) {
		s.skipBlank()
		if s.i >= len(s.src) {
			break
		}
		switch s.src[s.i] {
		case '\n':
			s.line++
			s.i++
		case '\r':
			s.i++
		case '#':
			s.skipComment()
		case '[':
			s.header()
		default:
			s.keyValue()
		}
	}
	return s.out
}

type configScanner struct {
	src    string
	i      int
	line   int
	table  string
	arrays map[string]int // array-of-tables name → elements so far
	out    configKeyLines
}

func (s *configScanner) record(key string) {
	if _, ok := s.out[key]; !ok && key != "" {
		s.out[key] = s.line
	}
}

func (s *configScanner) skipBlank() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\t') {
		s.i++
	}
}

func (s *configScanner) skipComment() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
}

// keyParts reads a dotted key: bare, "basic" or 'literal' parts.
func (s *configScanner) keyParts() []string {
	var parts []string
	for {
		s.skipBlank()
		if s.i >= len(s.src) {
			return parts
		}
		start := s.i
		switch s.src[s.i] {
		case '"':
			s.i++
			for s.i < len(s.src) && s.src[s.i] != '"' && s.src[s.i] != '\n' {
				if s.src[s.i] == '\\' {
					s.i++
				}
				s.i++
			}
			s.i++
			raw := s.src[start:min(s.i, len(s.src))]
			if u, err := strconv.Unquote(raw); err == nil {
				parts = append(parts, u)
			} else {
				parts = append(parts, strings.Trim(raw, `"`))
			}
		case '\'':
			s.i++
			for s.i < len(s.src) && s.src[s.i] != '\'' && s.src[s.i] != '\n' {
				s.i++
			}
			parts = append(parts, s.src[start+1:min(s.i, len(s.src))])
			s.i++
		default:
			for s.i < len(s.src) {
				c := s.src[s.i]
				if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
					break
				}
				s.i++
			}
			if s.i == start {
				return parts
			}
			parts = append(parts, s.src[start:s.i])
		}
		s.skipBlank()
		if s.i >= len(s.src) || s.src[s.i] != '.' {
			return parts
		}
		s.i++
	}
}

// header reads [table] or [[array]] and the rest of its line.
func (s *configScanner) header() {
	array := strings.HasPrefix(s.src[s.i:], "[[")
	if array {
		s.i += 2
	} else {
		s.i++
	}
	name := strings.Join(s.keyParts(), ".")
	// A sub-table of an array element belongs to its latest element.
	longest := ""
	for a := range s.arrays {
		if strings.HasPrefix(name, a+".") && len(a) > len(longest) {
			longest = a
		}
	}
	if longest != "" {
		name = fmt.Sprintf("%s[%d]%s", longest, s.arrays[longest], name[len(longest):])
	}
	if array {
		s.arrays[name]++
		name = fmt.Sprintf("%s[%d]", name, s.arrays[name])
	}
	s.table = name
	s.record(name)
	s.skipComment()
}

// keyValue reads key = value, the value possibly spanning lines.
func (s *configScanner) keyValue() {
	parts := s.keyParts()
	if len(parts) == 0 { // not a key: skip the line
		s.skipComment()
		return
	}
	for n := 1; n <= len(parts); n++ {
		k := strings.Join(parts[:n], ".")
		if s.table != "" {
			k = s.table + "." + k
		}
		s.record(k)
	}
	s.skipBlank()
	if s.i < len(s.src) && s.src[s.i] == '=' {
		s.i++
	}
	s.skipValue()
}

// skipValue skips a value up to the end of its (last) line, following
// strings, multi-line strings and nested arrays and inline tables.
func (s *configScanner) skipValue() {
	depth := 0
	for s.i < len(s.src) {
		rest := s.src[s.i:]
		switch c := s.src[s.i]; {
		case c == '\n':
			if depth <= 0 {
				return
			}
			s.line++
			s.i++
		case c == '#':
			s.skipComment()
		case strings.HasPrefix(rest, `"""`), strings.HasPrefix(rest, `'''`):
			s.skipMultiline(rest[:3])
		case c == '"' || c == '\'':
			s.i++
			for s.i < len(s.src) && s.src[s.i] != c && s.src[s.i] != '\n' {
				if c == '"' && s.src[s.i] == '\\' {
					s.i++
				}
				s.i++
			}
			s.i++
		case c == '[' || c == '{':
			depth++
			s.i++
		case c == ']' || c == '}':
			depth--
			s.i++
		default:
			s.i++
		}
	}
}

// skipMultiline skips a multi-line string (basic or literal), counting its lines.
func (s *configScanner) skipMultiline(delim string) {
	s.i += 3
	for s.i < len(s.src) {
		if strings.HasPrefix(s.src[s.i:], delim) {
			s.i += 3
			// Up to two more quotes belong to the string's content.
			for n := 0; n < 2 && s.i < len(s.src) && s.src[s.i] == delim[0]; n++ {
				s.i++
			}
			return
		}
		if delim == `"""` && s.src[s.i] == '\\' {
			s.i++
		}
		if s.i < len(s.src) && s.src[s.i] == '\n' {
			s.line++
		}
		s.i++
	}
}
