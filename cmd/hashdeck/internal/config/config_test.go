package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// configEnv returns a getenv reading from vars.
func configEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func mustParseConfig(t *testing.T, src string) Config {
	t.Helper()
	c, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return c
}

func TestConfigDefaultsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if !reflect.DeepEqual(c.Peers.Tickers, market.DefaultSymbols().Peers) {
		t.Errorf("default tickers %v, want market.DefaultSymbols", c.Peers.Tickers)
	}
	if c.Canonical("BITF") != "KEEL" || c.Canonical("IREN") != "IREN" {
		t.Errorf("Canonical(BITF) = %s, Canonical(IREN) = %s", c.Canonical("BITF"), c.Canonical("IREN"))
	}
	// An empty file and a file with only comments are the defaults too.
	for _, src := range []string{"", "# nothing\n", "[alerts]\n"} {
		if got := mustParseConfig(t, src); !reflect.DeepEqual(got, c) {
			t.Errorf("%q: got %+v, want the defaults", src, got)
		}
	}
}

func TestConfigDefaultFileRoundTrips(t *testing.T) {
	src := DefaultFile()
	got := mustParseConfig(t, src)
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("the default file loads as\n%+v\nwant\n%+v", got, want)
	}
	// Every setting is present (the optional ones commented out), and every
	// interval's floor is documented.
	all := Default()
	all.Miners = []MinerOverride{{}}
	n := 0
	all.each(func(key string, f field) {
		n++
		k := key[strings.LastIndexByte(key, '.')+1:]
		if !regexp.MustCompile(`(?m)^(# )?` + regexp.QuoteMeta(k) + ` = `).MatchString(src) {
			t.Errorf("the default file lacks %s", key)
		}
	})
	if n != 40 { // 38 + [providers] sec_url and [sec] user_agent
		t.Errorf("%d keys, want 40", n)
	}
	fl := reflect.ValueOf(floors())
	for i, f := range fields(&IntervalsConfig{}) {
		if !regexp.MustCompile(`(?m)^` + f.name + ` = .*floor ` + fl.Field(i).Interface().(Duration).String() + `\b`).MatchString(src) {
			t.Errorf("the default file does not give the %s floor", f.name)
		}
	}
	// Uncommenting the examples gives a valid file that sets them.
	var b strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		if strings.HasPrefix(line, "# [[miner]]") || regexp.MustCompile(`^# [a-z_]+ = `).MatchString(line) {
			line = strings.TrimPrefix(line, "# ")
		}
		b.WriteString(line)
	}
	ex := mustParseConfig(t, b.String())
	o, ok := ex.Override("IREN")
	if len(ex.Miners) != 1 || !ok || o.Source != "my notes" || o.CostScope == nil || o.CostScope.Scope != econ.ScopeCash {
		t.Errorf("the [[miner]] example loads as %+v", ex.Miners)
	}
	if v, ok := Opt(ex.Alerts.HashpriceBelow).Get(); !ok || v != 35 || ex.Alerts.SectorMarginBelow == nil || ex.Alerts.PeerDailyMove == nil {
		t.Errorf("the [alerts] examples load as %+v", ex.Alerts)
	}
}

func TestConfigFullFixture(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "config", "full.toml"), true, configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"IREN", "CORZ", "BITF", "MARA"}; !reflect.DeepEqual(c.Peers.Tickers, want) {
		t.Errorf("tickers %v, want %v", c.Peers.Tickers, want)
	}
	if c.Canonical("OLD.A") != "MARA" || c.Canonical("BITF") != "KEEL" {
		t.Errorf("aliases %v", c.Peers.Aliases)
	}
	sym, err := c.Symbols()
	if err != nil || !reflect.DeepEqual(sym.List(), []string{"IREN", "CORZ", "KEEL", "MARA"}) {
		t.Errorf("Symbols() = %v, %v", sym.List(), err)
	}
	if len(c.Miners) != 2 {
		t.Fatalf("%d miners, want 2", len(c.Miners))
	}
	m := c.Miners[0]
	cash, hr, eff, pw, cost := econ.ScopeCash, econ.EHs(50), econ.JoulesPerTH(15.3), econ.USDPerKWh(0.038), econ.USDPerBTC(43700)
	want := MinerOverride{
		Ticker: "IREN", Hashrate: &hr, HashrateLabel: "installed", Efficiency: &eff, PowerPrice: &pw,
		Cost: &cost, CostScope: &Scope{Scope: cash}, CostPeriod: "2025-Q3", Source: "my notes",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("miner[1] = %+v\nwant %+v", m, want)
	}
	if o, ok := c.Override("BITF"); !ok || o.Source != "user config" || Opt(o.Efficiency).Or(0) != 19 || o.Hashrate != nil {
		t.Errorf("Override(BITF) = %+v, %t", o, ok)
	}
	if _, ok := c.Override("CORZ"); ok {
		t.Error("Override(CORZ) found an override")
	}
	iv := c.Intervals
	if iv.Network.Duration != 90*time.Second || iv.Fees.Duration != time.Minute || iv.Prices.Duration != 10*time.Second || iv.EquitiesOpen.Duration != time.Minute ||
		iv.EquitiesClosed.Duration != time.Hour || iv.Hashprice.Duration != 5*time.Minute || iv.History.Duration != 6*time.Hour {
		t.Errorf("intervals %+v", iv)
	}
	if c.Display != (DisplayConfig{Theme: ThemeHighContrast, Bell: true}) {
		t.Errorf("display %+v", c.Display)
	}
	if Opt(c.Alerts.SectorMarginBelow).Or(0) != -5 || Opt(c.Alerts.PeerDailyMove).Or(0) != 10 {
		t.Errorf("alerts %+v", c.Alerts)
	}
	if c.Fleet != (FleetConfig{Efficiency: 21.5, PowerPrice: 0.045, PoolFee: 2}) || c.Store != (StoreConfig{RawDays: 14, HourlyDays: 730}) {
		t.Errorf("fleet %+v, store %+v", c.Fleet, c.Store)
	}
	e, err := c.Endpoints(configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if e.Mempool != "http://127.0.0.1:8080" || e.Kraken != "https://kraken.example.com" || e.Coinbase != provider.DefaultEndpoints().Coinbase {
		t.Errorf("endpoints %+v", e)
	}
	if k := c.Keys(configEnv(nil)); k.CoinGecko.Reveal() != "CG-file-key-123" || k.HashrateIndex.IsSet() {
		t.Errorf("keys %v", k)
	}
	if c.Store.RawRetention() != 14*24*time.Hour || c.Store.HourlyRetention() != 730*24*time.Hour {
		t.Errorf("retention %v, %v", c.Store.RawRetention(), c.Store.HourlyRetention())
	}
	// Sources feeds the provider groups.
	src, err := c.Sources(configEnv(map[string]string{"HASHDECK_HASHRATEINDEX_KEY": "hri", "HASHDECK_NASDAQ_URL": "http://nasdaq.test"}))
	if err != nil {
		t.Fatal(err)
	}
	e.Nasdaq = "http://nasdaq.test"
	if src.Endpoints != e || src.CoinGeckoKey != "CG-file-key-123" || src.HashrateIndexKey != "hri" || src.Intervals != c.Intervals.Feeds() ||
		!reflect.DeepEqual(src.Symbols.List(), []string{"IREN", "CORZ", "KEEL", "MARA"}) {
		t.Errorf("Sources: endpoints %+v, intervals %+v, symbols %v", src.Endpoints, src.Intervals, src.Symbols.List())
	}
	if groups, err := feeds.Groups(src); err != nil || len(groups) != 5 {
		t.Errorf("feeds.Groups: %d groups, %v", len(groups), err)
	}
	if _, err := c.Sources(configEnv(map[string]string{"HASHDECK_YAHOO_URL": "yahoo"})); err == nil {
		t.Error("Sources with a bad environment URL: no error")
	}
}

func TestConfigOverrideApply(t *testing.T) {
	c := mustParseConfig(t, `
[[miner]]
ticker = "BITF"
hashrate_ehs = 20
hashrate_label = "operating"
cost_usd_per_btc = 50000
cost_scope = "all-in"
cost_period = "2025-Q3"
`)
	o, ok := c.Override("KEEL")
	if !ok {
		t.Fatal("no override for KEEL (given as BITF)")
	}
	old := econ.ReportedCost{Scope: econ.ScopeAllIn, PerBTC: 90000, Period: "2025-Q2", Source: "filing"}
	m := econ.Miner{Ticker: "KEEL", Hashrate: econ.Known[econ.EHs](18), HashrateLabel: "installed", Efficiency: econ.Known[econ.JoulesPerTH](20), Reported: []econ.ReportedCost{old}}
	var asked dataset.Period
	hv := func(p dataset.Period) econ.Maybe[econ.BTCPerPHDay] {
		asked = p
		return econ.Known[econ.BTCPerPHDay](0.0005)
	}
	got := o.Apply(m, hv)
	if got.Hashrate.Or(0) != 20 || got.HashrateLabel != "operating" || got.Efficiency.Or(0) != 20 {
		t.Errorf("Apply: %+v", got)
	}
	if len(got.Reported) != 2 || got.Reported[1] != old || len(m.Reported) != 1 {
		t.Fatalf("Apply reported costs: %+v (input now %+v)", got.Reported, m.Reported)
	}
	r := got.Reported[0]
	if r.Scope != econ.ScopeAllIn || r.PerBTC != 50000 || r.Source != "user config" || r.Period != "2025-Q3" || r.PeriodHashvalue.Or(0) != 0.0005 {
		t.Errorf("Apply cost: %+v", r)
	}
	if want := econ.DateOf(time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); r.End != want {
		t.Errorf("Apply cost ends %v, want %v", r.End, want)
	}
	if asked.From != time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC) || asked.To != time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC) {
		t.Errorf("period hashvalue asked for %v .. %v", asked.From, asked.To)
	}
	if v := got.Reported[0].PerPHDay(); v.Or(0) != 25 {
		t.Errorf("restated cost %v USD/PH/day, want 25", v)
	}
	if got := o.Apply(m, nil); got.Reported[0].PeriodHashvalue.OK() {
		t.Error("Apply with no hashvalue source restated the cost")
	}
}

func TestConfigBadInput(t *testing.T) {
	tests := []struct {
		name, src string
		key, msg  string // the problem's key and a part of its message
	}{
		// Types.
		{"duration as integer", "[intervals]\nnetwork = 60", "intervals.network", `want a duration in quotes, like "90s", "5m" or "1h", got integer 60`},
		{"duration without unit", `[intervals]` + "\n" + `network = "60"`, "intervals.network", `"60" is not a duration`},
		{"number as string", "[fleet]\nefficiency_j_per_th = \"17.5\"", "fleet.efficiency_j_per_th", `want a number, got string "17.5"`},
		{"nan", "[fleet]\npower_usd_per_kwh = nan", "fleet.power_usd_per_kwh", "must be a finite number"},
		{"bool as string", "[display]\nbell = \"yes\"", "display.bell", `want true or false, got string "yes"`},
		{"fractional days", "[store]\nraw_days = 1.5", "store.raw_days", "want a whole number, got float 1.5"},
		{"days out of range", "[store]\nhourly_days = 99999999999", "store.hourly_days", "must be between 1 and 36500 (got 99999999999)"},
		{"tickers not an array", "[peers]\ntickers = \"IREN\"", "peers.tickers", `want an array, got string "IREN"`},
		{"ticker not a string", "[peers]\ntickers = [\"IREN\", 5]", "peers.tickers[2]", "want a string, got integer 5"},
		{"aliases not a table", "[peers]\naliases = [\"BITF\"]", "peers.aliases", "want a table, got an array"},
		{"section not a table", "peers = 5", "peers", "want a table, got integer 5"},
		{"miner as a table", "[miner]\nticker = \"IREN\"", "miner", "write [[miner]] (two brackets"},
		{"url not a string", "[providers]\nkraken_url = 1", "providers.kraken_url", "want a string, got integer 1"},
		// Intervals.
		{"below floor", `[intervals]` + "\n" + `network = "5s"`, "intervals.network", `"5s" is below the 30s floor`},
		{"negative interval", `[intervals]` + "\n" + `btc_price = "-30s"`, "intervals.btc_price", `"-30s" must be positive`},
		{"zero interval", `[intervals]` + "\n" + `history = "0s"`, "intervals.history", `"0s" must be positive`},
		{"closed below floor", `[intervals]` + "\n" + `equities_closed = "4m59s"`, "intervals.equities_closed", `"4m59s" is below the 5m floor`},
		{"fees below floor", `[intervals]` + "\n" + `fees = "29s"`, "intervals.fees", `"29s" is below the 30s floor`},
		{"hashprice below floor", `[intervals]` + "\n" + `hashprice = "15s"`, "intervals.hashprice", `"15s" is below the 1m floor`},
		// Fleet, store, display, alerts.
		{"zero efficiency", "[fleet]\nefficiency_j_per_th = 0", "fleet.efficiency_j_per_th", "must be positive"},
		{"negative power", "[fleet]\npower_usd_per_kwh = -0.01", "fleet.power_usd_per_kwh", "must be between 0 and 1 (got -0.01)"},
		{"power in USD/MWh", "[fleet]\npower_usd_per_kwh = 45", "fleet.power_usd_per_kwh", "must be between 0 and 1 (got 45)"},
		{"pool fee 100", "[fleet]\npool_fee_pct = 100", "fleet.pool_fee_pct", "below 100"},
		{"no raw days", "[store]\nraw_days = 0", "store.raw_days", "between 1 and 36500"},
		{"hourly shorter than raw", "[store]\nraw_days = 60\nhourly_days = 30", "store.hourly_days", "at least store.raw_days (60)"},
		{"unknown theme", "[display]\ntheme = \"neon\"", "display.theme", `"neon" is not a theme`},
		{"alert at zero", "[alerts]\nhashprice_below_usd_per_ph_day = 0", "alerts.hashprice_below_usd_per_ph_day", "must be positive"},
		{"negative move", "[alerts]\npeer_daily_move_pct = -3", "alerts.peer_daily_move_pct", "must be positive"},
		{"margin 100", "[alerts]\nsector_margin_below_pct = 100", "alerts.sector_margin_below_pct", "below 100"},
		// Providers.
		{"url scheme", "[providers]\nkraken_url = \"ftp://kraken.example\"", "providers.kraken_url", "the scheme must be http or https"},
		{"url path", "[providers]\nyahoo_url = \"https://example.com/v8\"", "providers.yahoo_url", "give only scheme://host[:port]"},
		{"url empty", "[providers]\nnasdaq_url = \"\"", "providers.nasdaq_url", "scheme must be http or https"},
		{"key with space", "[providers]\ncoingecko_key = \"abc def\"", "providers.coingecko_key", "contains a space"},
		// Peers.
		{"lower-case ticker", "[peers]\ntickers = [\"iren\"]", "peers.tickers[1]", `"iren" is not a ticker: 1 to 10 of A-Z, 0-9, '.' and '-' (write "IREN")`},
		{"long ticker", "[peers]\ntickers = [\"ABCDEFGHIJK\"]", "peers.tickers[1]", "is not a ticker"},
		{"ticker with slash", "[peers]\ntickers = [\"BRK/B\"]", "peers.tickers[1]", "is not a ticker"},
		{"empty ticker", "[peers]\ntickers = [\"IREN\", \"\"]", "peers.tickers[2]", `"" is not a ticker`},
		{"no tickers", "[peers]\ntickers = []", "peers.tickers", "at least one ticker"},
		{"duplicate ticker", "[peers]\ntickers = [\"IREN\", \"MARA\", \"IREN\"]", "peers.tickers[3]", "IREN is listed twice (first as peers.tickers[1])"},
		{"duplicate after alias", "[peers]\ntickers = [\"KEEL\", \"BITF\"]", "peers.tickers[2]", "BITF and KEEL (peers.tickers[1]) are the same peer, KEEL"},
		{"alias to itself", "[peers]\naliases = { KEEL = \"KEEL\" }", "peers.aliases.KEEL", "maps KEEL to itself"},
		{"alias cycle", "[peers]\naliases = { AAA = \"BBB\", BBB = \"AAA\" }", "peers.aliases.AAA", "the aliases form a cycle: AAA → BBB → AAA"},
		{"bad alias", "[peers]\naliases = { bitf = \"KEEL\" }", "peers.aliases.bitf", "the former ticker \"bitf\" is not a ticker"},
		// Miners.
		{"miner without ticker", "[[miner]]\nhashrate_ehs = 5", "miner[1].ticker", "missing"},
		{"miner not a peer", "[[miner]]\nticker = \"XYZ\"\nhashrate_ehs = 5", "miner[1].ticker", "XYZ is not in peers.tickers"},
		{"miner twice", "[[miner]]\nticker = \"KEEL\"\nhashrate_ehs = 5\n[[miner]]\nticker = \"BITF\"\nhashrate_ehs = 6", "miner[2].ticker", "KEEL already has an override (miner[1])"},
		{"miner sets nothing", "[[miner]]\nticker = \"IREN\"", "miner[1]", "sets nothing"},
		{"miner hashrate in PH/s", "[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 50000", "miner[1].hashrate_ehs", "must be positive and at most 2000 (got 50000)"},
		{"miner zero efficiency", "[[miner]]\nticker = \"IREN\"\nefficiency_j_per_th = 0", "miner[1].efficiency_j_per_th", "must be positive"},
		{"miner unknown scope", "[[miner]]\nticker = \"IREN\"\ncost_usd_per_btc = 40000\ncost_scope = \"total\"\ncost_period = \"2025-Q3\"", "miner[1].cost_scope", `unknown cost scope "total" (want power, direct, cash or all-in)`},
		{"miner cost without scope", "[[miner]]\nticker = \"IREN\"\ncost_usd_per_btc = 40000\ncost_period = \"2025-Q3\"", "miner[1].cost_scope", "missing"},
		{"miner cost without period", "[[miner]]\nticker = \"IREN\"\ncost_usd_per_btc = 40000\ncost_scope = \"cash\"", "miner[1].cost_period", "missing"},
		{"miner bad period", "[[miner]]\nticker = \"IREN\"\ncost_usd_per_btc = 40000\ncost_scope = \"cash\"\ncost_period = \"Q3 2025\"", "miner[1].cost_period", `"Q3 2025"`},
		{"miner scope without cost", "[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 5\ncost_scope = \"cash\"", "miner[1].cost_scope", "only used with cost_usd_per_btc"},
		{"miner label without hashrate", "[[miner]]\nticker = \"IREN\"\nhashrate_label = \"installed\"", "miner[1].hashrate_label", "hashrate_ehs, which is not given"},
		{"miner empty source", "[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 5\nsource = \" \"", "miner[1].source", "must not be blank"},
		{"miner not a table", "miner = [{ ticker = \"IREN\", hashrate_ehs = 5 }, 3]", "miner[2]", "want a table, got integer 3"},
		{"miner long label", "[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 5\nhashrate_label = \"" + strings.Repeat("x", 41) + "\"", "miner[1].hashrate_label", "longer than 40 characters"},
		{"miner source with newline", "[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 5\nsource = \"a\\nb\"", "miner[1].source", "control character"},
		{"miner unknown key", "[[miner]]\nticker = \"IREN\"\nhashrate = 5", "miner[1].hashrate", `unknown key (did you mean "hashrate_ehs"?)`},
		// Unknown keys.
		{"unknown table", "[extras]\nfoo = 1", "extras", "unknown table; the tables are peers, miner"},
		{"renamed key", "[intervals]\nnetwork = \"60s\"\nprices = \"30s\"", "intervals.prices", `unknown key (did you mean "btc_price"?)`},
		{"unknown key", "[display]\ncolour = \"red\"", "display.colour", "unknown key; the keys in [display] are theme, bell"},
		{"misspelt key", "[intervals]\nnetwrok = \"60s\"", "intervals.netwrok", `unknown key (did you mean "network"?)`},
		{"key in another case", "[display]\nTheme = \"dark\"", "display.Theme", `unknown key (did you mean "theme"?)`},
		{"unknown top-level key", "theme = \"dark\"", "theme", "unknown key"},
		// Names in another case: the library matches them whatever their
		// case, so they used to pass (found in review).
		{"array table in another case", "[[miner]]\nticker = \"IREN\"\nhashrate_ehs = 5\n[[Miner]]\nticker = \"CIFR\"\nhashrate_ehs = 6", "Miner[1]", `unknown table (did you mean "miner"?)`},
		{"table in another case", "[Peers]\ntickers = [\"CIFR\"]", "Peers", `unknown table (did you mean "peers"?)`},
		{"intervals in another case", "[Intervals]\nnetwork = 60", "Intervals", `unknown table (did you mean "intervals"?)`},
		{"inline key in another case", "display = { Theme = \"dark\" }", "display.Theme", `unknown key (did you mean "theme"?)`},
		// Inside inline tables.
		{"inline key not a string", "providers = { coingecko_key = 5 }", "providers.coingecko_key", "want a string, got integer (value not shown)"},
		{"inline duration not quoted", "intervals = { network = 60 }", "intervals.network", "want a duration in quotes"},
		{"CRLF", "[peers]\r\ntickers = [\"IREN\", 5]\r\n", "peers.tickers[2]", "want a string, got integer 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("test.toml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error for\n%s", tt.src)
			}
			var found bool
			for _, p := range Errors(err) {
				if p.Key == tt.key && strings.Contains(p.Msg, tt.msg) {
					found = true
					if want := "test.toml:"; !strings.HasPrefix(p.Error(), want) {
						t.Errorf("%q does not start with %q", p.Error(), want)
					}
					if !strings.Contains(p.Error(), tt.key+": ") {
						t.Errorf("%q does not name %s", p.Error(), tt.key)
					}
				}
			}
			if !found {
				t.Errorf("no problem %s: ...%s...; got:\n%v", tt.key, tt.msg, err)
			}
		})
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	c := Default()
	c.Intervals.Network.Duration = 5 * time.Second
	c.Intervals.Hashprice.Duration = -time.Minute
	c.Fleet.Efficiency = 0
	c.Display.Theme = "neon"
	c.Providers.Kraken = "kraken.com"
	err := c.Validate()
	want := []string{
		`intervals.network: "5s" is below the 30s floor`,
		`intervals.hashprice: "-1m" must be positive`,
		"fleet.efficiency_j_per_th: must be positive",
		`display.theme: "neon" is not a theme`,
		"providers.kraken_url: ",
	}
	if got := len(Errors(err)); got != len(want) {
		t.Errorf("%d problems, want %d:\n%v", got, len(want), err)
	}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate() does not report %q:\n%v", w, err)
		}
	}
	if _, err := c.Endpoints(nil); err == nil || !strings.Contains(err.Error(), "providers.kraken_url") {
		t.Errorf("Endpoints with a bad file URL: %v", err)
	}
}

func TestConfigBadFileLines(t *testing.T) {
	path := filepath.Join("testdata", "config", "bad.toml")
	_, err := Load(path, true, configEnv(nil))
	want := []string{
		path + `:3: peers.tickers[2]: "iren" is not a ticker`,
		path + ":3: peers.tickers[4]: BITF and KEEL (peers.tickers[3]) are the same peer",
		path + ":4: peers.aliases.SAME: maps SAME to itself",
		path + ":7: miner[1].ticker: NOPE is not in peers.tickers",
		path + ":8: miner[1].hashrate_ehs: must be positive and at most 2000 (got 50000)",
		path + `:11: intervals.network: "5s" is below the 30s floor`,
		path + ":12: intervals.hashprice: want a duration in quotes",
		path + `:15: display.Theme: unknown key (did you mean "theme"?)`,
		path + `:16: display.theme: "neon" is not a theme`,
		path + ":19: fleet.efficiency_j_per_th: must be positive",
		path + ":20: fleet.power_usd_per_kwh: must be between 0 and 1 (got 38)",
		path + ":22: extras: unknown table",
	}
	probs := Errors(err)
	if len(probs) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(probs), len(want), err)
	}
	for i, p := range probs {
		if i < len(want) && !strings.HasPrefix(p.Error(), want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s...", i+1, p, want[i])
		}
	}
}

func TestConfigSyntaxError(t *testing.T) {
	path := filepath.Join("testdata", "config", "syntax.toml")
	_, err := Load(path, true, configEnv(nil))
	probs := Errors(err)
	if len(probs) != 1 {
		t.Fatalf("got %v, want one syntax error", err)
	}
	p := probs[0]
	if p.Line != 3 || p.Col == 0 || !strings.HasPrefix(p.Error(), fmt.Sprintf("%s:3:%d: TOML syntax: ", path, p.Col)) {
		t.Errorf("syntax error %q (line %d, col %d), want it on line 3", p, p.Line, p.Col)
	}
	if !strings.Contains(p.Msg, `(a duration goes in quotes: network = "60s")`) {
		t.Errorf("no hint to quote the duration: %s", p.Msg)
	}
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		t.Errorf("the error does not wrap a *toml.DecodeError: %#v", err)
	} else if line, _ := de.Position(); line != 3 {
		t.Errorf("the error does not wrap a *toml.DecodeError at line 3: %#v", err)
	}
	// Other syntax errors, each with its line.
	for _, tt := range []struct {
		src  string
		line int
	}{
		{"[peers]\ntickers = [\"IREN\",\n\"MARA\"\n\n[fleet]\n", 5},
		{"[fleet]\nefficiency_j_per_th = 17.5\nefficiency_j_per_th = 18\n", 3},
		{"[display]\n\n\ntheme = \"dark\n", 4},
	} {
		_, err := Parse("x.toml", []byte(tt.src))
		ps := Errors(err)
		if len(ps) != 1 || ps[0].Line != tt.line {
			t.Errorf("%q: got %v, want a syntax error on line %d", tt.src, err, tt.line)
		}
	}
}

// Found in review: a valid inline array of [[miner]] tables was refused
// as "[miner]"; an API key's value appeared in a range error; a repeated
// key was said to need quotes; a CRLF line's value kept its \r.
func TestConfigInlineAndOddValues(t *testing.T) {
	c := mustParseConfig(t, "miner = [ { ticker = \"IREN\", hashrate_ehs = 50 } ]\n")
	if o, ok := c.Override("IREN"); !ok || Opt(o.Hashrate).Or(0) != 50 {
		t.Errorf("inline miner array: %+v", c.Miners)
	}
	_, err := Parse("x.toml", []byte("[providers]\nhashrateindex_key = 1e999\n"))
	if err == nil || strings.Contains(err.Error(), "1e999") || !strings.Contains(err.Error(), "hashrateindex_key") {
		t.Errorf("out-of-range key: %v", err)
	}
	_, err = Parse("x.toml", []byte("[providers]\ncoingecko_key = \"a\"\ncoingecko_key = \"b\"\n"))
	if err == nil || !strings.Contains(err.Error(), "already defined") || strings.Contains(err.Error(), "double quotes") {
		t.Errorf("repeated key: %v", err)
	}
	_, err = Parse("x.toml", []byte("[peers]\r\ntickers = [\"IREN\", 5]\r\n"))
	if err == nil || strings.Contains(err.Error(), "\r") {
		t.Errorf("CRLF: %q", err)
	}
}

// Found in the second review: keys below a value panicked the reader;
// quoted keys with a dot passed unread; an API key inside an inline table
// and a URL's password showed in messages; a type error under a
// [table.sub] header was called a syntax error; a date where a string goes
// showed Go type names.
func TestConfigKeysBelowValuesAndOddNames(t *testing.T) {
	for _, tt := range []struct {
		src, key, msg, hidden string
	}{
		{"[intervals]\nnetwork.x = \"5m\"", "intervals.network.x", "unknown key: intervals.network is a value, not a table", ""},
		{"[intervals.network]\nx = 5", "intervals.network.x", "unknown key", ""},
		{"intervals = { network = { x = 1 } }", "intervals.network.x", "unknown key", ""},
		{"[intervals]\n\"network.x\" = 1", `intervals."network.x"`, "unknown key", ""},
		{"\"peers.tickers\" = [\"IREN\"]", `"peers.tickers"`, "unknown key", ""},
		{"[providers]\n\"coingecko_key.x\" = \"CG-x\"", `providers."coingecko_key.x"`, "unknown key", ""},
		{"providers = { coingecko_key = 1e999 }", "", "", "1e999"},
		{"[peers.aliases]\nOLD = 5", "peers.aliases.OLD", "want a string, got integer 5", ""},
		{"peers = { tickers = [\"IREN\"], aliases = { OLD = 5 } }", "peers.aliases.OLD", "want a string, got integer 5", ""},
		{"[peers]\ntickers = [\n  \"IREN\",\n  5,\n]", "peers.tickers[2]", "want a string, got integer 5", ""},
		{"[display]\ntheme = 2024-01-01", "display.theme", "want a string, got local date", ""},
		{"[providers]\nhashrateindex_url = \"https://user:SECRETPW@api.example.com/path?key=SECRET2\"", "providers.hashrateindex_url", "give no user or password", "SECRET"},
	} {
		_, err := Parse("x.toml", []byte(tt.src))
		if err == nil {
			t.Errorf("%q: no error", tt.src)
			continue
		}
		if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
			t.Errorf("%q: the error shows %q: %v", tt.src, tt.hidden, err)
		}
		if tt.key == "" {
			continue
		}
		found := false
		for _, p := range Errors(err) {
			found = found || p.Key == tt.key && strings.Contains(p.Msg, tt.msg) && p.Line > 0
		}
		if !found {
			t.Errorf("%q: want %s: ...%s... with a line; got %v", tt.src, tt.key, tt.msg, err)
		}
	}
}

// Parse never panics, whatever the file.
func FuzzConfigParse(f *testing.F) {
	for _, s := range []string{DefaultFile(), "[intervals]\nnetwork.x = 1", "miner = [{ticker=\"IREN\"}]", "[[miner]]\n[miner.x]\n", "a.\"b.c\".d = 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = Parse("f.toml", []byte(src))
	})
}

func TestConfigSyntaxErrorHidesKey(t *testing.T) {
	const key = "CG-sekrit-4242"
	for _, src := range []string{
		"[providers]\ncoingecko_key = " + key + "\n",
		"[providers]\nhashrateindex_key = \"" + key + "\n",
		"[providers]\nhashrateindex_key = 42\n",
		"providers.coingecko_key = " + key + "\n",
	} {
		_, err := Parse("x.toml", []byte(src))
		if err == nil {
			t.Fatalf("no error for %q", src)
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "42") {
			t.Errorf("the error shows the key: %v", err)
		}
		if !strings.Contains(err.Error(), "_key") {
			t.Errorf("the error does not name the key: %v", err)
		}
	}
}

func TestLoadConfigFiles(t *testing.T) {
	dir := t.TempDir()
	env := configEnv(map[string]string{"XDG_CONFIG_HOME": dir})
	// No file at the default path: the defaults.
	c, err := Load("", false, env)
	if err != nil || !reflect.DeepEqual(c, Default()) {
		t.Errorf("no default file: %v, %+v", err, c)
	}
	// A missing file named explicitly: an error naming it.
	missing := filepath.Join(dir, "nope.toml")
	_, err = Load(missing, true, env)
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("explicit missing file: %v", err)
	}
	// The same path, not explicit: fine.
	if _, err := Load(missing, false, env); err != nil {
		t.Errorf("missing non-explicit file: %v", err)
	}
	// A directory is not a file.
	if _, err := Load(dir, true, env); err == nil || !strings.Contains(err.Error(), dir+": cannot read") {
		t.Errorf("directory: %v", err)
	}
	// The default path is read when present.
	p := filepath.Join(dir, "hashdeck", "config.toml")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("[display]\ntheme = \"light\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := Load("", false, env); err != nil || c.Display.Theme != ThemeLight {
		t.Errorf("default file: %v, theme %q", err, c.Display.Theme)
	}
	if _, err := Load("", true, env); err == nil {
		t.Error("explicit empty path: no error")
	}
}

func TestConfigEndpointsEnv(t *testing.T) {
	c := mustParseConfig(t, "[providers]\nkraken_url = \"https://kraken.file.example/\"\nmempool_url = \"http://localhost:3000\"\n")
	e, err := c.Endpoints(configEnv(map[string]string{"HASHDECK_MEMPOOL_URL": "http://127.0.0.1:9999/", "HASHDECK_YAHOO_URL": "  "}))
	if err != nil {
		t.Fatal(err)
	}
	want := provider.DefaultEndpoints()
	want.Kraken = "https://kraken.file.example" // file, normalised
	want.Mempool = "http://127.0.0.1:9999"      // env wins over file
	if e != want {
		t.Errorf("Endpoints:\n got %+v\nwant %+v", e, want)
	}
	// Every *_url key has the variable that feeds reads, and it wins.
	for _, u := range fields(&ProvidersConfig{}) {
		if !strings.HasSuffix(u.name, "_url") {
			continue
		}
		got, err := Default().Endpoints(configEnv(map[string]string{envVar(u.name): "http://env.example:1"}))
		if err != nil {
			t.Fatal(err)
		}
		c := Default()
		c.Providers.Endpoints = got
		n := 0
		for _, g := range fields(&c.Providers) {
			if g.v.Kind() == reflect.String && g.v.String() == "http://env.example:1" {
				n++
				if g.name != u.name {
					t.Errorf("%s set %s", envVar(u.name), g.name)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s is not the variable of %s", envVar(u.name), u.name)
		}
	}
	// A bad variable is an error naming it.
	_, err = c.Endpoints(configEnv(map[string]string{"HASHDECK_KRAKEN_URL": "kraken"}))
	if err == nil || !strings.Contains(err.Error(), "HASHDECK_KRAKEN_URL") {
		t.Errorf("bad env URL: %v", err)
	}
}

func TestConfigKeysEnv(t *testing.T) {
	c := mustParseConfig(t, "[providers]\ncoingecko_key = \"file-cg\"\nhashrateindex_key = \"file-hri\"\n")
	k := c.Keys(configEnv(map[string]string{"HASHDECK_COINGECKO_KEY": " env-cg ", "HASHDECK_HASHRATEINDEX_KEY": " "}))
	if k.CoinGecko.Reveal() != "env-cg" || k.HashrateIndex.Reveal() != "file-hri" {
		t.Errorf("keys: coingecko %q, hashrateindex %q", k.CoinGecko.Reveal(), k.HashrateIndex.Reveal())
	}
	k = Default().Keys(configEnv(map[string]string{"HASHDECK_HASHRATEINDEX_KEY": "env-hri"}))
	if k.CoinGecko.IsSet() || k.HashrateIndex.Reveal() != "env-hri" || k.String() != "coingecko unset, hashrateindex set" {
		t.Errorf("keys %v", k)
	}
	if k := Default().Keys(nil); k.CoinGecko.IsSet() || k.HashrateIndex.IsSet() {
		t.Errorf("keys with no environment: %v", k)
	}
	if c := mustParseConfig(t, "[providers]\ncoingecko_key = \"\"\n"); c.Providers.CoinGeckoKey.IsSet() {
		t.Error(`coingecko_key = "" is set`)
	}
}

func TestKeyLines(t *testing.T) {
	src := "\uFEFF" + `# comment with [brackets] and key = value
top = 1
[peers]
tickers = [
  "A]", # ] in a string and a comment [
  'B#',
]
aliases = { X = "Y", Z = "W" }
"quoted key" = """
not.a = key
[not.a.table]
"""
literal = '''
x = 1'''
[ intervals ]
network = "60s" # trailing
dotted.sub.key = 2
[[miner]]
ticker = "A"
[[miner]]

ticker = "B"
[miner.extra]
note = 'a'
[[miner]]
ticker = "C"
[fleet]
pool_fee_pct = 1
`
	lines := keyLines([]byte(strings.TrimPrefix(src, "\uFEFF")))
	for key, want := range map[string]int{
		"top": 2, "peers": 3, "peers.tickers": 4, "peers.aliases": 8, "peers.quoted key": 9, "peers.literal": 13,
		"intervals": 15, "intervals.network": 16, "intervals.dotted.sub.key": 17,
		"miner[1]": 18, "miner[1].ticker": 19, "miner[2]": 20, "miner[2].ticker": 22, "miner[2].extra": 23, "miner[2].extra.note": 24,
		"miner[3]": 25, "miner[3].ticker": 26, "fleet": 27, "fleet.pool_fee_pct": 28,
	} {
		if got := lines.line[key]; got != want {
			t.Errorf("%s: line %d, want %d", key, got, want)
		}
	}
	for _, k := range []string{"not.a", "peers.not.a", "peers.x", "not", "miner", "miner[4]"} {
		if n, ok := lines.line[k]; ok {
			t.Errorf("%q recorded at line %d", k, n)
		}
	}
	for key, want := range map[string]int{"peers.tickers[2]": 6, "peers.aliases.Q": 8, "peers.aliases.Z": 8, "miner[2].nope": 20, "intervals.dotted": 15, "nothing.here": 0} {
		if got := lines.lookup(key); got != want {
			t.Errorf("lookup(%s) = %d, want %d", key, got, want)
		}
	}
	// A problem in the first of three [[miner]] tables is on its line.
	_, err := Parse("m.toml", []byte("[[miner]]\nticker = \"IREN\"\nhashrate_ehs = -1\n\n[[miner]]\nticker = \"MARA\"\nhashrate_ehs = 2\n\n[[miner]]\nticker = \"CORZ\"\nhashrate_ehs = -3\n"))
	if ps := Errors(err); len(ps) != 2 || ps[0].Line != 3 || ps[0].Key != "miner[1].hashrate_ehs" || ps[1].Line != 11 || ps[1].Key != "miner[3].hashrate_ehs" {
		t.Errorf("got %v, want miner[1].hashrate_ehs on line 3 and miner[3].hashrate_ehs on line 11", err)
	}
}

// Issue 13 row 8: a configuration file is read only when it is a regular
// file of at most 1 MiB; /dev/zero (endless) is refused before any read.
func TestLoadRefusesHugeAndSpecialFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load("/dev/zero", true, nil)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "/dev/zero: cannot read: not a regular file") {
			t.Errorf("Load(/dev/zero) = %v", err)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
			t.Errorf("Load(/dev/zero) allocated %d bytes", grown)
		}
	}
	big := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", maxFileSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big, true, nil); err == nil || !strings.Contains(err.Error(), "cannot read: larger than 1024 KiB") {
		t.Errorf("Load(a file over 1 MiB) = %v", err)
	}
	// Just under the limit is read.
	ok := filepath.Join(t.TempDir(), "ok.toml")
	if err := os.WriteFile(ok, []byte("# "+strings.Repeat("x", maxFileSize-3)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ok, true, nil); err != nil {
		t.Errorf("Load(a 1 MiB file) = %v", err)
	}
}

// Issue 13 row 9: a table header missing its ] is reported on its own
// line, not on the next one.
func TestConfigSyntaxErrorOnHeaderLine(t *testing.T) {
	for _, tt := range []struct {
		src  string
		line int
	}{
		{"[fleet\nefficiency_j_per_th = 17.5\n", 1},
		{"[fleet", 1},
		{"[fleet]\npool_fee_pct = 1\n[store\nraw_days = 3\n", 3},
		{"[[miner]\nticker = \"IREN\"\n", 1},
	} {
		ps := Errors(func() error { _, err := Parse("x.toml", []byte(tt.src)); return err }())
		if len(ps) != 1 || ps[0].Line != tt.line || !strings.HasPrefix(ps[0].Error(), fmt.Sprintf("x.toml:%d:", tt.line)) {
			t.Errorf("%q: got %v, want a syntax error on line %d", tt.src, ps, tt.line)
		}
	}
}

// [sec] user_agent turns SEC EDGAR on; HASHDECK_SEC_USER_AGENT wins over it.
func TestConfigSECUserAgent(t *testing.T) {
	c, err := Parse("t.toml", []byte("[sec]\nuser_agent = \"Jane Doe jane@example.org\"\n[providers]\nsec_url = \"http://127.0.0.1:8080\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ua := c.SECUserAgent(func(string) string { return "" }); ua != "Jane Doe jane@example.org" {
		t.Errorf("file user agent %q", ua)
	}
	env := map[string]string{"HASHDECK_SEC_USER_AGENT": "Ops Team ops@example.net"}
	if ua := c.SECUserAgent(func(k string) string { return env[k] }); ua != "Ops Team ops@example.net" {
		t.Errorf("env user agent %q", ua)
	}
	e, err := c.Endpoints(func(string) string { return "" })
	if err != nil || e.SEC != "http://127.0.0.1:8080" {
		t.Errorf("sec_url: %q %v", e.SEC, err)
	}
	if Default().SECUserAgent(func(string) string { return "" }) != "" {
		t.Error("SEC EDGAR is on by default: it must stay off without a declared contact")
	}
}

// BenchmarkParseDefaultFile reads the file 'config init' writes: what
// every command pays at start.
func BenchmarkParseDefaultFile(b *testing.B) {
	src := []byte(DefaultFile())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("config.toml", src); err != nil {
			b.Fatal(err)
		}
	}
}

// Every value of the wrong type is reported, not only the first the
// decoder meets; an unknown array is one problem, not one per element; and
// no message names the Go types behind the settings.
func TestConfigReportsEveryWrongType(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want []string // each problem, as "line key"
	}{
		{"[fleet]\nefficiency_j_per_th = \"x\"\n[display]\nbell = \"yes\"\ntheme = 3\n", []string{"2 fleet.efficiency_j_per_th", "4 display.bell", "5 display.theme"}},
		{"tickers = [\"IREN\", \"MARA\"]\n[peers]\ntickers = [1, \"IREN\", true]\n", []string{"1 tickers", "3 peers.tickers[1]", "3 peers.tickers[3]"}},
		{"[Peers]\ntickers = [\"IREN\", 5]\n", []string{"1 Peers", "2 Peers.tickers"}},
		// An unknown scope no longer ends the reading (found in review:
		// 'config check' showed 2 of 18 problems, then 16 more once fixed).
		{"[[miner]]\nticker = \"IREN\"\ncost_usd_per_btc = 40000\ncost_scope = \"total\"\ncost_period = \"2025-Q3\"\n[fleet]\nefficiency_j_per_th = 0\n",
			[]string{"4 miner[1].cost_scope", "7 fleet.efficiency_j_per_th"}},
	} {
		_, err := Parse("x.toml", []byte(tt.src))
		var got []string
		for _, p := range Errors(err) {
			got = append(got, fmt.Sprint(p.Line, " ", p.Key))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %q\nwant %q\n%v", tt.src, got, tt.want, err)
		}
		if err != nil && regexp.MustCompile(`config\.|struct field|\[\]string|int64`).MatchString(err.Error()) {
			t.Errorf("%q: a message names Go types: %v", tt.src, err)
		}
	}
}

// Found in the final review of the one-walk reader: a header where a value
// goes was accepted ([miner.cost_scope] became the zero scope, power); a
// wrong type before a syntax error hid it, or the syntax error was called
// by a later type's message; "cannot store" messages named Go types; an
// element of a nested array had the wrong line; a comment naming an API
// key, or a key in another case, decided whether the value is hidden.
func TestConfigFinalReviewCases(t *testing.T) {
	for _, tt := range []struct {
		src       string
		key, msg  string
		line      int
		notInMsgs string
	}{
		{"[[miner]]\nticker = \"IREN\"\ncost_usd_per_btc = 40000.0\ncost_period = \"2025-Q3\"\n[miner.cost_scope]\n", "miner[1].cost_scope", "want a string, got a table", 5, ""},
		{"[intervals.network]\n", "intervals.network", "want a duration in quotes", 1, ""},
		{"[display]\ntheme = 1\n[store]\nraw_days = = 2\n", "", "TOML syntax", 4, ""},
		{"[[sec]]\n[store]\nraw_days = = 2\n", "", "TOML syntax", 3, "struct"},
		{"[[fleet.efficiency_j_per_th]]\n", "fleet.efficiency_j_per_th[1]", "got an array of tables", 1, "float64"},
		{"[display.theme]\n", "display.theme", "want a string, got a table", 1, "in a string"},
		{"[peers]\ntickers = [\n  \"A\",\n  \"B\",\n  [2]]\n", "peers.tickers[3]", "want a string, got an array", 5, ""},
		{"[[miner.x]]\nticker = \"IREN\"\n", "miner", "comes after a [[miner]] table", 1, "write [[miner]]"},
		{"[intervals]\nnetwork = 60s # coingecko_key\n", "", "a duration goes in quotes", 2, "API key"},
		{"[providers]\nCoinGecko_Key = CG-secret\n", "", "not shown: it is an API key", 2, "CG-secret"},
	} {
		_, err := Parse("x.toml", []byte(tt.src))
		found := false
		for _, p := range Errors(err) {
			found = found || p.Key == tt.key && strings.Contains(p.Msg, tt.msg) && p.Line == tt.line
			if tt.notInMsgs != "" && strings.Contains(p.Msg, tt.notInMsgs) {
				t.Errorf("%q: %q in %v", tt.src, tt.notInMsgs, p)
			}
		}
		if !found {
			t.Errorf("%q: want %s:%d …%s…; got %v", tt.src, tt.key, tt.line, tt.msg, err)
		}
	}
}
