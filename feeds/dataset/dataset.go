// Package dataset is hashdeck's embedded offline dataset: real third-party
// data compiled into the binary so the dashboard has something true to show
// with no network at all.
//
// What it holds (see data/SOURCES.md for origin, licence and caveats):
//
//   - Bitcoin network days 2024-12-12 … 2025-12-29 from Coin Metrics
//     Community Data (CC BY-NC 4.0): BTC/USD close, blocks, fees, subsidy
//     and hashrate, with the daily hashvalue and hashprice computed here by
//     the econ package;
//   - the difficulty of every retarget epoch from the genesis block to
//     height 929,376 (2025-12-25), each with its source;
//   - a daily BTC/USD series that is Coin Metrics where it exists and the
//     approximate CoinGecko series before and after it (to 2026-08-21);
//   - daily closes of the listed miners (Yahoo Finance origin);
//   - the miner fact sheet (one sourced fact per row) and typed
//     fundamentals built from it;
//   - the listed miners' quarterly financials as econ.Quarter values, each
//     line item with its source, grade and publication date
//     ([Dataset.Quarters]), and published sector cost benchmarks
//     ([Dataset.Benchmarks]) for the sector rule;
//   - published sector reference points (Hashrate Index, TheMinerMag,
//     CoinShares) for reference lines on charts.
//
// [Load] parses everything on each call and keeps no package-level state;
// callers load once and share the *Dataset, which is never modified after
// Load returns and is safe for concurrent use. Slices returned by its
// methods are shared with the Dataset (Closes and Stock build new ones):
// do not modify them.
//
// Dates are UTC calendar days represented as time.Time at 00:00 UTC.
// Unknown values are econ.Maybe in the unknown state, never zero.
package dataset

import (
	"embed"
	"fmt"
	"io/fs"
	"time"
)

// data holds the embedded files; it is read-only.
//
//go:embed data/*.csv data/*/*.csv
var data embed.FS

// Paths of the embedded files.
const (
	fileCoinMetrics = "data/coinmetrics/btc_daily_2024-12-12_2025-12-29.csv"
	fileEpochs      = "data/derived/btc_difficulty_epochs_0_to_931392.csv"
	fileCoinGecko   = "data/coingecko-via-tagesgenaue/btc_price_daily_2024-01-01_2026-08-21.csv"
	fileFacts       = "data/miners-facts.csv"
)

// Dataset is the parsed embedded data. Build it with [Load]; the zero
// Dataset is empty (every series empty, every figure unknown).
type Dataset struct {
	days   []NetworkDay
	epochs []Epoch
	cg     []PricePoint // the CoinGecko file as is
	btcusd []PricePoint // Coin Metrics + CoinGecko before/after
	stocks map[string]*stock
	facts  []Fact
	// fyes are the fiscal year ends the fact sheet states, by current ticker.
	fyes    map[string]fiscalYearEnd
	refs    []ReferencePoint
	fin     financials // quarters and benchmarks (financials.go)
	files   []File
	asOf    AsOf
	heights bool // whether per-day heights could be derived
}

// File describes one embedded file.
type File struct {
	// Path is the path inside the package, e.g. "data/miners-facts.csv".
	Path string `json:"path"`
	// Bytes is the file's size; Rows its number of data rows (header excluded).
	Bytes int `json:"bytes"`
	Rows  int `json:"rows"`
	// Origin and Licence summarise data/SOURCES.md.
	Origin  string `json:"origin"`
	Licence string `json:"licence"`
}

// AsOf gives the last date each part of the dataset covers.
type AsOf struct {
	// Network is the last Coin Metrics day (2025-12-29).
	Network time.Time `json:"network"`
	// EpochHeight and EpochDate are the last retarget in the epoch file
	// (929,376 on 2025-12-25).
	EpochHeight int64     `json:"epoch_height"`
	EpochDate   time.Time `json:"epoch_date"`
	// BTCUSD is the last day of the BTC/USD series (CoinGecko, 2026-08-21).
	BTCUSD time.Time `json:"btc_usd"`
	// Stocks is the latest close of any ticker (2026-07-31).
	Stocks time.Time `json:"stocks"`
	// Facts is the latest fact as-of written as a full date (months,
	// quarters and approximate as-ofs are ignored).
	Facts time.Time `json:"facts"`
}

// Load parses every embedded file and derives the computed series. It
// returns a *ParseError naming the file and line for any malformed record.
// Each call parses afresh; callers should load once and share the result.
func Load() (*Dataset, error) { return load(data) }

// load parses the files of fsys, which has the layout of data/.
func load(fsys fs.FS) (*Dataset, error) {
	d := &Dataset{}
	if err := d.loadNetwork(fsys); err != nil {
		return nil, err
	}
	if err := d.loadEpochs(fsys); err != nil {
		return nil, err
	}
	d.deriveHeights()
	if err := d.loadCoinGecko(fsys); err != nil {
		return nil, err
	}
	d.mergeBTCUSD()
	if err := d.loadStocks(fsys); err != nil {
		return nil, err
	}
	if err := d.loadFacts(fsys); err != nil {
		return nil, err
	}
	if err := d.loadFinancials(fsys); err != nil {
		return nil, err
	}
	if err := d.loadBenchmarks(fsys); err != nil {
		return nil, err
	}
	d.refs = d.referencePoints()
	d.computeAsOf()
	return d, nil
}

// addFile records an embedded file's size and row count.
func (d *Dataset) addFile(t *table, origin, licence string) {
	d.files = append(d.files, File{Path: t.file, Bytes: t.size, Rows: t.rows, Origin: origin, Licence: licence})
}

// Files lists the embedded files that Load parsed, with their sizes and row counts.
func (d *Dataset) Files() []File { return d.files }

// EmbeddedBytes is the total size of the embedded data files in bytes.
func (d *Dataset) EmbeddedBytes() int {
	n := 0
	for _, f := range d.files {
		n += f.Bytes
	}
	return n
}

// AsOf returns the last date each part of the dataset covers.
func (d *Dataset) AsOf() AsOf { return d.asOf }

func (d *Dataset) computeAsOf() { d.asOf = d.AsOfAt(time.Time{}) }

// AsOfAt is AsOf as of time t: each part's last date on or before t's UTC
// day (the facts' among those published by then), so that a board as of t
// names no data it could not have used; zero where a part has nothing by
// then. The zero time gives AsOf.
func (d *Dataset) AsOfAt(t time.Time) AsOf {
	by := func(x time.Time) bool { return true }
	if !t.IsZero() {
		y, m, dd := t.UTC().Date()
		day := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		by = func(x time.Time) bool { return !x.After(day) }
	}
	a := AsOf{}
	for i := len(d.days) - 1; i >= 0; i-- {
		if by(d.days[i].Date) {
			a.Network = d.days[i].Date
			break
		}
	}
	for i := len(d.epochs) - 1; i >= 0; i-- {
		if by(d.epochs[i].Date) {
			a.EpochHeight, a.EpochDate = d.epochs[i].Height, d.epochs[i].Date
			break
		}
	}
	for i := len(d.btcusd) - 1; i >= 0; i-- {
		if by(d.btcusd[i].Date) {
			a.BTCUSD = d.btcusd[i].Date
			break
		}
	}
	for _, s := range d.stocks {
		for i := len(s.days) - 1; i >= 0; i-- {
			if last := time.Unix(int64(s.days[i])*86400, 0).UTC(); by(last) {
				if last.After(a.Stocks) {
					a.Stocks = last
				}
				break
			}
		}
	}
	for i := range d.facts {
		f := &d.facts[i]
		if pub, ok := f.Published(); !t.IsZero() && (!ok || pub.After(t)) {
			continue
		}
		if at, err := time.Parse(time.DateOnly, f.AsOf); err == nil && at.After(a.Facts) {
			a.Facts = at
		}
	}
	return a
}

// Attribution is the one-line credit for the embedded data, short enough
// for a status bar.
func (d *Dataset) Attribution() string { return AttributionShort }

// AttributionLong is the full credit and licence notice for an About screen.
func (d *Dataset) AttributionLong() string { return attributionLong }

// AttributionShort is the one-line credit returned by [Dataset.Attribution].
const AttributionShort = "Coin Metrics Community Data (CC BY-NC 4.0), mempool.space, Yahoo Finance, CoinGecko, filings"

const attributionLong = `Network data: Source: Coin Metrics Community Data (daily BTC price, blocks,
fees, issuance and hashrate, 2024-12-12 to 2025-12-29), licensed CC BY-NC 4.0:
non-commercial use only; hashprice and hashvalue are computed from it and
carry the same licence.
Difficulty history: public block headers (decoded from the bitcoin-wallet
checkpoint file), mempool.space API data to height 887,040, and 21 epochs
derived from the Coin Metrics data.
BTC/USD outside the Coin Metrics window: CoinGecko (approximate daily
timestamps; no licence stated).
Miner share prices: Yahoo Finance daily closes (no licence stated;
redistribution may need permission).
Miner facts: company press releases and filings and news reports that
restate them, each with its source URL, as-of date and quality grade.
Reference points: Hashrate Index (Luxor), TheMinerMag and CoinShares as
reported in the press.`

// String summarises the dataset for logs.
func (d *Dataset) String() string {
	return fmt.Sprintf("dataset: %d network days to %s, %d epochs, %d BTC/USD days, %d tickers, %d facts",
		len(d.days), d.asOf.Network.Format(time.DateOnly), len(d.epochs), len(d.btcusd), len(d.stocks), len(d.facts))
}
