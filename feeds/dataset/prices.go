package dataset

import (
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// PriceSource says where a BTC/USD point comes from.
type PriceSource uint8

const (
	// SourceCoinMetrics is Coin Metrics' reference rate at 00:00 UTC of the
	// next day (the day's close).
	SourceCoinMetrics PriceSource = iota + 1
	// SourceCoinGecko is the CoinGecko-origin series, labelled by Berlin
	// date and captured between 00:00 and 02:00 Berlin time: approximate,
	// sometimes an end-of-day and sometimes a start-of-day price.
	SourceCoinGecko
)

// String returns "coinmetrics", "coingecko" or "unknown".
func (s PriceSource) String() string {
	switch s {
	case SourceCoinMetrics:
		return "coinmetrics"
	case SourceCoinGecko:
		return "coingecko"
	}
	return "unknown"
}

// MarshalText encodes the source as its label.
func (s PriceSource) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Approximate reports whether points from this source have only an
// approximate time of day (CoinGecko).
func (s PriceSource) Approximate() bool { return s != SourceCoinMetrics }

// PricePoint is one day's BTC price.
type PricePoint struct {
	// Date is the day the price is labelled with (UTC for Coin Metrics,
	// Berlin calendar date for CoinGecko).
	Date time.Time `json:"date"`
	// Price is in USD per BTC.
	Price  econ.USDPerBTC `json:"price_usd"`
	Source PriceSource    `json:"source"`
}

func (d *Dataset) loadCoinGecko(fsys fs.FS) error {
	t, err := openTable(fsys, fileCoinGecko, false, "date_berlin", "time_berlin", "price_usd", "price_eur")
	if err != nil {
		return err
	}
	cDate, cUSD := t.col("date_berlin"), t.col("price_usd")
	d.cg = make([]PricePoint, 0, 970)
	for t.next() {
		p := PricePoint{Date: t.date(cDate, "date_berlin"), Price: econ.USDPerBTC(t.positive(cUSD, "price_usd")), Source: SourceCoinGecko}
		if !t.ok() {
			break
		}
		if n := len(d.cg); n > 0 && !p.Date.After(d.cg[n-1].Date) {
			t.failf("date %s does not follow %s (dates must be ascending and unique)", p.Date.Format(time.DateOnly), d.cg[n-1].Date.Format(time.DateOnly))
			break
		}
		d.cg = append(d.cg, p)
	}
	if err := t.close(); err != nil {
		return err
	}
	d.addFile(t, "CoinGecko via Cimera311/Tagesgenaue-Preise (4 of 50 columns kept, decimal commas converted)", "none stated; CoinGecko asks for attribution")
	return nil
}

// mergeBTCUSD builds the daily series: CoinGecko before the first Coin
// Metrics day, Coin Metrics inside its window, CoinGecko after it.
func (d *Dataset) mergeBTCUSD() {
	d.btcusd = make([]PricePoint, 0, len(d.cg)+len(d.days))
	if len(d.days) == 0 {
		d.btcusd = append(d.btcusd, d.cg...)
		return
	}
	first, last := d.days[0].Date, d.days[len(d.days)-1].Date
	for _, p := range d.cg {
		if p.Date.Before(first) {
			d.btcusd = append(d.btcusd, p)
		}
	}
	for _, n := range d.days {
		d.btcusd = append(d.btcusd, PricePoint{Date: n.Date, Price: n.Price, Source: SourceCoinMetrics})
	}
	for _, p := range d.cg {
		if p.Date.After(last) {
			d.btcusd = append(d.btcusd, p)
		}
	}
}

// BTCUSD returns the daily BTC/USD series, ascending: Coin Metrics closes
// where they exist (2024-12-12 … 2025-12-29) and the approximate CoinGecko
// series before (from 2024-01-01) and after (to 2026-08-21), each point
// tagged with its source.
func (d *Dataset) BTCUSD() []PricePoint { return d.btcusd }

// BTCUSDOn returns the BTC/USD point labelled with t's UTC date.
func (d *Dataset) BTCUSDOn(t time.Time) (PricePoint, bool) {
	day := utcDay(t)
	i, ok := slices.BinarySearchFunc(d.btcusd, day, func(p PricePoint, t time.Time) int { return p.Date.Compare(t) })
	if !ok {
		return PricePoint{}, false
	}
	return d.btcusd[i], true
}

// Close is one trading day's closing share price.
type Close struct {
	// Date is the US exchange trading day.
	Date time.Time `json:"date"`
	// Price is the split-adjusted close in USD per share, as published
	// (float32 artefacts such as 24.450000762939453 included).
	Price econ.USD `json:"close_usd"`
}

// Stock is one ticker's daily closes.
type Stock struct {
	// Symbol is the current ticker (KEEL for Bitfarms); TradedAs the ticker
	// the closes were recorded under (BITF), equal to Symbol otherwise.
	Symbol   string `json:"symbol"`
	TradedAs string `json:"traded_as"`
	// Source names where the closes come from.
	Source string  `json:"source"`
	Closes []Close `json:"closes"`
}

// stockFile is one embedded closes file.
type stockFile struct {
	symbol, tradedAs, path, origin string
}

func stockFiles() []stockFile {
	const dsturdy = "Yahoo Finance closes via dsturdy/Factor_Attribution"
	out := make([]stockFile, 0, 11)
	for _, s := range []string{"IREN", "CORZ", "WULF", "MARA", "RIOT", "CLSK", "CIFR", "HUT", "BTDR", "HIVE"} {
		out = append(out, stockFile{s, s, "data/yahoo-via-dsturdy/" + s + ".csv", dsturdy})
	}
	return append(out, stockFile{"KEEL", "BITF", "data/yahoo-via-stell0/BITF.csv", "Yahoo Finance closes via Stell0/financealerts2 (traded as BITF; transcribed, rounded to 4 decimals)"})
}

// stock is one ticker's closes as the Dataset holds them: a day number and
// a price per close (12 bytes) rather than []Close (32 bytes: a time.Time
// is 24). Only the board's Env reads them, once, into its own series, so
// the Dataset need not keep them in the form Closes returns.
type stock struct {
	symbol, tradedAs, source string
	days                     []int32   // UTC days since 1970-01-01
	prices                   []float64 // USD per share
}

// closes returns the closes in the form of the API: a new slice.
func (s *stock) closes() []Close {
	if len(s.days) == 0 {
		return nil
	}
	out := make([]Close, len(s.days))
	for i, dn := range s.days {
		out[i] = Close{Date: time.Unix(int64(dn)*86400, 0).UTC(), Price: econ.USD(s.prices[i])}
	}
	return out
}

// last returns the newest close's day.
func (s *stock) last() time.Time {
	return time.Unix(int64(s.days[len(s.days)-1])*86400, 0).UTC()
}

func (d *Dataset) loadStocks(fsys fs.FS) error {
	d.stocks = make(map[string]*stock, 11)
	for _, sf := range stockFiles() {
		t, err := openTable(fsys, sf.path, false, "Date", "Close")
		if err != nil {
			return err
		}
		cDate, cClose := t.col("Date"), t.col("Close")
		st := &stock{symbol: sf.symbol, tradedAs: sf.tradedAs, source: sf.origin,
			days: make([]int32, 0, 900), prices: make([]float64, 0, 900)}
		var prev time.Time
		for t.next() {
			// Some files hold closes that went through float32
			// (10.520000457763672): a share price has at most 4 decimals.
			c := Close{Date: t.date(cDate, "Date"), Price: econ.USD(math.Round(t.positive(cClose, "Close")*1e4) / 1e4)}
			if !t.ok() {
				break
			}
			if n := len(st.days); n > 0 && !c.Date.After(prev) {
				t.failf("date %s does not follow %s (dates must be ascending and unique)", c.Date.Format(time.DateOnly), prev.Format(time.DateOnly))
				break
			}
			prev = c.Date
			st.days = append(st.days, int32(dayNumber(c.Date)))
			st.prices = append(st.prices, float64(c.Price))
		}
		if err := t.close(); err != nil {
			return err
		}
		if len(st.days) == 0 {
			return &ParseError{File: sf.path, Err: fmt.Errorf("no rows")}
		}
		st.days, st.prices = slices.Clip(st.days), slices.Clip(st.prices)
		d.stocks[sf.symbol] = st
		d.addFile(t, sf.origin, "none stated; Yahoo Finance terms restrict redistribution")
	}
	return nil
}

// CurrentSymbol returns the current ticker for s, upper-cased: a former
// ticker maps to its successor by the renames of market.DefaultSymbols (one
// table for live and embedded data: BITF → KEEL); any other symbol is
// returned as is.
func CurrentSymbol(s string) string {
	return market.DefaultSymbols().Canonical(strings.ToUpper(strings.TrimSpace(s)))
}

// FormerSymbols returns the former tickers of a current ticker (["BITF"] for KEEL).
func FormerSymbols(symbol string) []string {
	a := market.DefaultSymbols().Aliases(CurrentSymbol(symbol))
	if len(a) < 2 {
		return nil
	}
	return a[1:]
}

// DefaultPeers returns the default peer list, by current ticker: IREN,
// CORZ, WULF, MARA, RIOT, CLSK, CIFR, HUT, KEEL (ex-BITF), BTDR, HIVE, APLD.
func DefaultPeers() []string { return market.DefaultSymbols().List() }

// Closes returns the daily closes of symbol (current or former ticker, any
// case), ascending; nil when the dataset has none (e.g. APLD). Each call
// returns a new slice (see stock).
func (d *Dataset) Closes(symbol string) []Close {
	s, ok := d.stocks[CurrentSymbol(symbol)]
	if !ok {
		return nil
	}
	return s.closes()
}

// Stock returns the closes of symbol with their provenance.
func (d *Dataset) Stock(symbol string) (Stock, bool) {
	s, ok := d.stocks[CurrentSymbol(symbol)]
	if !ok {
		return Stock{}, false
	}
	return Stock{Symbol: s.symbol, TradedAs: s.tradedAs, Source: s.source, Closes: s.closes()}, true
}

// Symbols returns the current tickers that have closes, sorted.
func (d *Dataset) Symbols() []string {
	out := make([]string, 0, len(d.stocks))
	for s := range d.stocks {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
