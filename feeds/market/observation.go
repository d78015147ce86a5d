package market

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Metric names a network or market value the dashboard tracks. Its unit is
// part of its name.
type Metric string

// The metrics providers supply.
const (
	Difficulty     Metric = "difficulty"           // dimensionless
	Height         Metric = "height"               // blocks
	EpochStart     Metric = "epoch_start_unix_s"   // Unix seconds of the current epoch's first block
	AdjustmentPct  Metric = "adjustment_pct"       // upstream's estimate of the next retarget, percent
	RetargetDate   Metric = "retarget_date_unix_s" // upstream's estimate of when the next retarget block is mined, Unix seconds
	MeanBlockTime  Metric = "mean_block_time_s"    // mean block interval in the current epoch, seconds
	Hashrate       Metric = "hashrate_ehs"         // upstream's network hashrate estimate, EH/s
	FeesPerBlock   Metric = "fees_btc_per_block"   // mean fees per block over the last ~144 blocks, BTC
	PriceUSD       Metric = "btc_usd"              // BTC price, USD
	PriceSources   Metric = "btc_usd_sources"      // how many exchanges the price averages
	PriceSpreadPct Metric = "btc_usd_spread_pct"   // (max − min) / mean of those exchanges, percent
	HashpriceUSD   Metric = "hashprice_published_usd_per_ph_day"
	HashpriceBTC   Metric = "hashprice_published_btc_per_ph_day"
)

// Bounds returns the plausible range of a metric, inclusive, and false for
// an unknown metric. A value outside it is rejected with a reason, never
// passed on.
func Bounds(m Metric) (lo, hi float64, ok bool) {
	switch m {
	case Difficulty:
		return 1, 1e20, true
	case Height:
		return 0, 1e8, true
	case EpochStart, RetargetDate:
		return 1231006505, 4102444800, true // genesis .. 2100-01-01
	case AdjustmentPct:
		return -75, 300, true
	case MeanBlockTime:
		return 1, 86400, true
	case Hashrate:
		return 1e-9, 1e7, true
	case FeesPerBlock:
		return 0, 1000, true
	case PriceUSD:
		return 0.01, 1e8, true
	case PriceSources:
		return 1, 16, true
	case PriceSpreadPct:
		return 0, 100, true
	case HashpriceUSD:
		return 0.01, 1e6, true
	case HashpriceBTC:
		return 1e-12, 1, true
	}
	return 0, 0, false
}

// CheckValue reports why v is not an acceptable value of m, or nil.
func CheckValue(m Metric, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %v is not a finite number", m, v)
	}
	lo, hi, ok := Bounds(m)
	if !ok {
		return fmt.Errorf("unknown metric %q", m)
	}
	if v < lo || v > hi {
		return fmt.Errorf("%s: %v is outside the plausible range [%g, %g]", m, v, lo, hi)
	}
	if m == Height && v != math.Trunc(v) {
		return fmt.Errorf("%s: %v is not a whole number", m, v)
	}
	return nil
}

// Observation is one accepted value: what it measures, when it refers to
// (not when it was fetched) and where it came from.
type Observation struct {
	Metric Metric    `json:"metric"`
	Value  float64   `json:"value"`
	At     time.Time `json:"at"`
	Source string    `json:"source"`
}

// Quote is the latest price of one listed stock.
type Quote struct {
	// Symbol is the current ticker (KEEL); Requested is the one asked for
	// (BITF) when it differs.
	Symbol    string `json:"symbol"`
	Requested string `json:"requested,omitempty"`
	// Price is the last regular-session price; PrevClose the previous
	// session's close (unknown when 0 — never a guess). USD unless Currency says otherwise.
	Price     float64   `json:"price"`
	PrevClose float64   `json:"prev_close"`
	Currency  string    `json:"currency"`
	At        time.Time `json:"at"`
	Source    string    `json:"source"`
}

// Bar is one daily close; Day is midnight UTC of the trading day.
type Bar struct {
	Day   time.Time `json:"day"`
	Close float64   `json:"close"`
}

// History is a daily close series for one stock, oldest first.
type History struct {
	Symbol string `json:"symbol"`
	Bars   []Bar  `json:"bars"`
	Source string `json:"source"`
}

// Rejection is a value a provider received and refused, with the reason.
type Rejection struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
}

// Batch is what one fetch of one provider produced.
type Batch struct {
	Obs       []Observation
	Quotes    []Quote
	Histories []History
	Rejected  []Rejection
}

// Add appends an observation if its value is plausible, and a rejection
// naming the reason otherwise. It reports whether the value was accepted.
func (b *Batch) Add(m Metric, v float64, at time.Time, source string) bool {
	if err := CheckValue(m, v); err != nil {
		b.Reject(string(m), err.Error())
		return false
	}
	b.Obs = append(b.Obs, Observation{Metric: m, Value: v, At: at, Source: source})
	return true
}

// AddQuote appends a quote if its prices are plausible (price in (0, 1e6];
// a previous close of 0 means unknown), and a rejection otherwise.
func (b *Batch) AddQuote(q Quote) bool {
	if err := CheckStockPrice(q.Price); err != nil {
		b.Reject(q.Symbol+" price", err.Error())
		return false
	}
	if q.PrevClose != 0 {
		if err := CheckStockPrice(q.PrevClose); err != nil {
			b.Reject(q.Symbol+" previous close", err.Error())
			q.PrevClose = 0
		}
	}
	b.Quotes = append(b.Quotes, q)
	return true
}

func CheckStockPrice(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > 1e6 {
		return fmt.Errorf("%v is not a plausible share price", v)
	}
	return nil
}

// Reject records a refused value.
func (b *Batch) Reject(what, reason string) {
	b.Rejected = append(b.Rejected, Rejection{What: what, Reason: reason})
}

// Empty reports whether the batch carries no data at all.
func (b *Batch) Empty() bool {
	return len(b.Obs) == 0 && len(b.Quotes) == 0 && len(b.Histories) == 0
}

// Check verifies every value in the batch is in range (decoders must only
// produce such batches; fuzz tests call this).
func (b *Batch) Check() error {
	for _, o := range b.Obs {
		if err := CheckValue(o.Metric, o.Value); err != nil {
			return err
		}
		if o.Source == "" {
			return fmt.Errorf("%s observation without a source", o.Metric)
		}
	}
	for _, q := range b.Quotes {
		if err := CheckStockPrice(q.Price); err != nil {
			return fmt.Errorf("%s: %w", q.Symbol, err)
		}
		if q.PrevClose != 0 {
			if err := CheckStockPrice(q.PrevClose); err != nil {
				return fmt.Errorf("%s previous close: %w", q.Symbol, err)
			}
		}
	}
	for _, h := range b.Histories {
		for i, bar := range h.Bars {
			if err := CheckStockPrice(bar.Close); err != nil {
				return fmt.Errorf("%s %s: %w", h.Symbol, bar.Day.Format(time.DateOnly), err)
			}
			if i > 0 && !bar.Day.After(h.Bars[i-1].Day) {
				return fmt.Errorf("%s: bars out of order at %s", h.Symbol, bar.Day.Format(time.DateOnly))
			}
		}
	}
	return nil
}

// Provider is one upstream API. Fetch makes the requests of one poll and
// returns what it accepted. It returns an error when the upstream gave
// nothing usable (a *HTTPError for HTTP failures, so the poller can honour
// Retry-After); values it refused are listed in the batch, not returned as
// errors.
type Provider interface {
	// Name is the source name shown on screen ("mempool.space", "kraken").
	Name() string
	Fetch(ctx context.Context) (Batch, error)
}

// HistoryProvider is a provider that can also fetch daily close history for
// one stock over a Yahoo-style range ("1y", "2y", "max").
type HistoryProvider interface {
	Provider
	FetchHistory(ctx context.Context, symbol, rng string) (History, error)
}

// UTCDay returns midnight UTC of t's UTC date.
func UTCDay(t time.Time) time.Time {
	const secondsPerDay = 86400
	s := t.Unix()
	s -= ((s % secondsPerDay) + secondsPerDay) % secondsPerDay
	return time.Unix(s, 0).UTC()
}
