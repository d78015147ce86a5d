package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Yahoo Finance's keyless v8 chart API (docs/upstreams.md#yahoo).
const (
	yahooSource    = "yahoo"
	yahooChartPath = "/v8/finance/chart/"
	// yahooDefaultHint is the number of decimals prices are rounded to when
	// the payload carries no usable priceHint.
	yahooDefaultHint = 4
)

// errYahooNotFound marks an answer that says Yahoo has no data for the
// symbol (chart.error "Not Found", or a result without any bar): the
// provider then tries the symbol's former ticker.
var errYahooNotFound = errors.New("no data for this symbol")

// YahooPacing spaces Yahoo's per-symbol requests so a poll of a dozen
// tickers does not look like a burst.
type YahooPacing struct {
	// Concurrency is how many symbols are fetched at once (at least 1).
	Concurrency int
	// Gap is the pause between two batches of symbols (0: none).
	Gap time.Duration
}

// DefaultYahooPacing returns the pacing NewYahoo uses: 3 symbols at a time,
// 300 ms between batches (12 symbols take about 1 s plus request time).
func DefaultYahooPacing() YahooPacing {
	return YahooPacing{Concurrency: 3, Gap: 300 * time.Millisecond}
}

type yahoo struct {
	c    *HTTPClient
	syms market.Symbols
	pace YahooPacing
}

// NewYahoo returns the provider "yahoo": one quote per peer of syms from
// GET /v8/finance/chart/{SYM}?range=5d&interval=1d, paced by
// DefaultYahooPacing, and daily close history through FetchHistory.
//
// Each Quote carries Price = meta.regularMarketPrice and At =
// meta.regularMarketTime (the last regular-session trade), PrevClose = the
// close of the last session before the one regularMarketTime belongs to
// (the second-to-last non-null daily close in the usual case; never
// chartPreviousClose, which with range=5d is the close of five sessions
// ago), and Currency from meta (USD for every default peer). Prices are
// rounded to meta.priceHint decimals, which removes Yahoo's float32
// artefacts. A request goes out with a browser User-Agent (o.UserAgent if
// it is one), since Yahoo answers 429 to anything else.
//
// A renamed peer is asked for under its current ticker first and under its
// former ones when Yahoo does not know it (HTTP 404, or an answer without
// bars); the quote is always labelled with the current ticker, with
// Requested naming the former one when that is what answered. A symbol
// that fails is listed in Batch.Rejected and the others still count. After
// an HTTP 429 the remaining symbols are not requested in that poll. Fetch
// fails only when no symbol gave a quote, with an error that wraps the
// first 429 (else the first *HTTPError) so Retry-After reaches the poller.
func NewYahoo(base string, syms market.Symbols, o HTTPOptions) market.HistoryProvider {
	return NewYahooPaced(base, syms, o, DefaultYahooPacing())
}

// NewYahooPaced is NewYahoo with explicit pacing (tests use a zero Gap).
func NewYahooPaced(base string, syms market.Symbols, o HTTPOptions, p YahooPacing) market.HistoryProvider {
	o.UserAgent = stockUserAgent(o.UserAgent)
	p.Concurrency = max(p.Concurrency, 1)
	p.Gap = max(p.Gap, 0)
	return &yahoo{c: NewHTTPClient(yahooSource, base, o), syms: syms, pace: p}
}

// Name implements Provider.
func (p *yahoo) Name() string { return yahooSource }

// Fetch implements Provider: one quote per peer (see NewYahoo).
func (p *yahoo) Fetch(ctx context.Context) (market.Batch, error) {
	names := p.syms.List()
	if len(names) == 0 {
		return market.Batch{}, errors.New("yahoo: no symbols configured")
	}
	type result struct {
		b   market.Batch
		err error
	}
	res := make([]result, len(names))
	var stop error // why the remaining symbols were not requested
	for start := 0; start < len(names); start += p.pace.Concurrency {
		end := min(start+p.pace.Concurrency, len(names))
		if start > 0 && stop == nil {
			if err := SleepCtx(ctx, p.pace.Gap); err != nil {
				stop = fmt.Errorf("not requested: %w", err)
			}
		}
		if stop == nil && ctx.Err() != nil {
			stop = fmt.Errorf("not requested: %w", ctx.Err())
		}
		if stop != nil {
			for i := start; i < end; i++ {
				res[i].err = stop
			}
			continue
		}
		var wg sync.WaitGroup
		for i := start; i < end; i++ {
			wg.Go(func() { res[i].b, res[i].err = p.quote(ctx, names[i]) })
		}
		wg.Wait()
		for i := start; i < end; i++ {
			var he *HTTPError
			var te *ThrottleError
			if (errors.As(res[i].err, &he) && he.Throttled()) || errors.As(res[i].err, &te) {
				stop = errors.New("not requested: yahoo rate-limited an earlier request of this poll")
				break
			}
		}
	}
	var b market.Batch
	var errs []error
	for i, r := range res {
		if r.err != nil {
			b.Reject(names[i], r.err.Error())
			errs = append(errs, r.err)
			continue
		}
		b.Quotes = append(b.Quotes, r.b.Quotes...)
		b.Rejected = append(b.Rejected, r.b.Rejected...)
	}
	if len(b.Quotes) == 0 {
		if err := stockPreferredError(errs); err != nil {
			return b, fmt.Errorf("yahoo: no quote for any of %d symbols: %w", len(names), err)
		}
		return b, fmt.Errorf("yahoo: every one of %d quotes was rejected", len(names))
	}
	return b, nil
}

// yahooNotFound reports whether err says Yahoo does not know the ticker.
func yahooNotFound(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusNotFound
	}
	return errors.Is(err, errYahooNotFound)
}

// eachAlias calls try with the current ticker of sym, then with its former
// ones while try reports the ticker unknown; it returns the first error
// when no ticker worked.
func eachAlias(syms market.Symbols, sym string, notFound func(error) bool, try func(name string) error) error {
	var first error
	var tried []string
	for _, name := range syms.Aliases(sym) {
		if !market.ValidTicker(name) {
			return fmt.Errorf("%q is not a valid ticker", Clip(name, 20))
		}
		err := try(name)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
		if !notFound(err) {
			return err
		}
		tried = append(tried, name)
	}
	if len(tried) > 1 {
		return fmt.Errorf("%w (also tried %s)", first, strings.Join(tried[1:], ", "))
	}
	return first
}

// quote fetches one peer, following its renames.
func (p *yahoo) quote(ctx context.Context, sym string) (market.Batch, error) {
	var out market.Batch
	err := eachAlias(p.syms, sym, yahooNotFound, func(name string) error {
		resp, err := p.c.Get(ctx, yahooChartPath+name, url.Values{"range": {"5d"}, "interval": {"1d"}}, nil)
		if err != nil {
			return err
		}
		b, err := decodeYahooQuote(resp.Body, name, resp.Date)
		if err != nil {
			return fmt.Errorf("yahoo %s: %w", name, err)
		}
		for i := range b.Quotes {
			q := &b.Quotes[i]
			if !p.syms.IsAlias(sym, q.Symbol) {
				return fmt.Errorf("yahoo %s: the answer is for %s", name, Clip(q.Symbol, 20))
			}
			if q.Symbol != sym {
				q.Requested = q.Symbol
			}
			q.Symbol = sym
		}
		out = b
		return nil
	})
	return out, err
}

// FetchHistory implements HistoryProvider: the daily closes of symbol
// (either of a renamed peer's tickers) over rng, one of 1d 5d 1mo 3mo 6mo
// 1y 2y 5y 10y ytd max, from GET /v8/finance/chart/{SYM}?range=rng&interval=1d.
// Each Bar's Day is the trading date in the exchange's time zone at
// midnight UTC (Yahoo stamps daily bars with the session open, 09:30 New
// York, not midnight). Closes are unadjusted for dividends (split-adjusted,
// as Yahoo's "close" is) and rounded to priceHint decimals; null closes are
// skipped. During a session the last bar is the live one (its close is the
// latest price, not a close): it is kept, and replaced on the next fetch.
func (p *yahoo) FetchHistory(ctx context.Context, symbol, rng string) (market.History, error) {
	if err := checkStockRange(rng); err != nil {
		return market.History{}, fmt.Errorf("yahoo: %w", err)
	}
	sym := p.syms.Canonical(symbol)
	var h market.History
	err := eachAlias(p.syms, sym, yahooNotFound, func(name string) error {
		resp, err := p.c.Get(ctx, yahooChartPath+name, url.Values{"range": {rng}, "interval": {"1d"}}, nil)
		if err != nil {
			return err
		}
		h, err = decodeYahooHistory(resp.Body, name)
		if err != nil {
			return fmt.Errorf("yahoo %s history: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return market.History{}, err
	}
	h.Symbol = sym
	return h, nil
}

// yahooChartWire is the part of a v8 chart answer the provider reads.
type yahooChartWire struct {
	Chart struct {
		Result []yahooResultWire `json:"result"`
		Error  *struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	} `json:"chart"`
}

type yahooResultWire struct {
	Meta struct {
		Currency           string   `json:"currency"`
		Symbol             string   `json:"symbol"`
		RegularMarketPrice *float64 `json:"regularMarketPrice"`
		RegularMarketTime  int64    `json:"regularMarketTime"`
		GMTOffset          int64    `json:"gmtoffset"`
		PriceHint          *int     `json:"priceHint"`
	} `json:"meta"`
	Timestamp  []int64 `json:"timestamp"`
	Indicators struct {
		Quote []struct {
			Close []*float64 `json:"close"`
		} `json:"quote"`
	} `json:"indicators"`
}

// yahooBar is one non-null daily close with its timestamp and trading day.
type yahooBar struct {
	ts    int64
	day   time.Time
	close float64
}

// decodeYahooChart reads a chart answer down to its single result. In-band
// failures become errors: chart.error (errYahooNotFound for "Not Found"),
// a "Will be right back" outage page, a rate-limit text served with 200
// (*ThrottleError), or a result without any bar (errYahooNotFound).
func decodeYahooChart(body []byte) (*yahooResultWire, error) {
	t := bytes.TrimSpace(body)
	if len(t) > 0 && t[0] != '{' && t[0] != '[' {
		if bytes.Contains(t, []byte("Will be right back")) {
			return nil, errors.New(`Yahoo is down ("Will be right back" page)`)
		}
		if msg, ok := stockThrottleText(t); ok {
			return nil, &ThrottleError{Source: yahooSource, Message: msg}
		}
	}
	var w yahooChartWire
	if err := DecodeJSON(body, &w); err != nil {
		return nil, err
	}
	if e := w.Chart.Error; e != nil {
		msg := Clip(strings.TrimSpace(e.Code+": "+e.Description), 120)
		if strings.EqualFold(e.Code, "Not Found") {
			return nil, fmt.Errorf("%w (%s)", errYahooNotFound, msg)
		}
		return nil, fmt.Errorf("chart error: %s", msg)
	}
	if len(w.Chart.Result) == 0 {
		return nil, fmt.Errorf("%w (empty chart.result)", errYahooNotFound)
	}
	r := &w.Chart.Result[0]
	if len(r.Timestamp) == 0 || len(r.Indicators.Quote) == 0 || len(r.Indicators.Quote[0].Close) == 0 {
		return nil, fmt.Errorf("%w (no bars in the range)", errYahooNotFound)
	}
	return r, nil
}

// priceHint returns the decimals to round to.
func (r *yahooResultWire) priceHint() int {
	if h := r.Meta.PriceHint; h != nil && *h >= 0 && *h <= 8 {
		return *h
	}
	return yahooDefaultHint
}

// offset returns the exchange's UTC offset in seconds (0 if absurd).
func (r *yahooResultWire) offset() int64 {
	if o := r.Meta.GMTOffset; o >= -14*3600 && o <= 14*3600 {
		return o
	}
	return 0
}

// yahooDay returns the trading date of a bar stamped ts (Unix s) on an
// exchange at UTC offset off, as midnight UTC. Daily bars are stamped with
// the session open (09:30 New York), or the current minute for the live
// bar, so meta.gmtoffset (the exchange's offset at the time of the request)
// gives the right date even for bars on the other side of a DST change: a
// one-hour error cannot move 09:30–16:00 across midnight. That keeps the
// decoder pure: loading exchangeTimezoneName from the time-zone database
// would read files and depend on the host's tzdata.
func yahooDay(ts, off int64) time.Time {
	return stockDayUTC(time.Unix(ts+off, 0).UTC())
}

// bars returns the non-null, finite daily closes in time order, rounded.
func (r *yahooResultWire) bars() []yahooBar {
	closes := r.Indicators.Quote[0].Close
	n := min(len(r.Timestamp), len(closes))
	hint, off := r.priceHint(), r.offset()
	out := make([]yahooBar, 0, n)
	for i := range n {
		c := closes[i]
		if c == nil {
			continue
		}
		out = append(out, yahooBar{ts: r.Timestamp[i], day: yahooDay(r.Timestamp[i], off), close: stockRoundPrice(*c, hint)})
	}
	slices.SortStableFunc(out, func(a, b yahooBar) int {
		if c := a.day.Compare(b.day); c != 0 {
			return c
		}
		return yahooCmpInt64(a.ts, b.ts)
	})
	return out
}

func yahooCmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// decodeYahooQuote decodes a range=5d&interval=1d chart answer for the
// ticker asked into a batch holding one quote labelled with the ticker that
// answered (meta.symbol), or a rejection when its price is implausible.
// date is the response's Date, used when meta has no regularMarketTime.
func decodeYahooQuote(body []byte, asked string, date time.Time) (market.Batch, error) {
	r, err := decodeYahooChart(body)
	if err != nil {
		return market.Batch{}, err
	}
	m := &r.Meta
	if m.RegularMarketPrice == nil {
		return market.Batch{}, errors.New("no meta.regularMarketPrice")
	}
	sym := market.NormTicker(m.Symbol)
	if sym == "" {
		sym = market.NormTicker(asked)
	}
	at := date
	if m.RegularMarketTime > 0 {
		at = time.Unix(m.RegularMarketTime, 0).UTC()
	}
	q := market.Quote{
		Symbol:    sym,
		Price:     stockRoundPrice(*m.RegularMarketPrice, r.priceHint()),
		PrevClose: yahooPrevClose(r.bars(), m.RegularMarketTime, r.offset()),
		Currency:  m.Currency,
		At:        at,
		Source:    yahooSource,
	}
	var b market.Batch
	b.AddQuote(q)
	return b, nil
}

// yahooPrevClose returns the close of the last session before the one of
// marketTime (Unix s), from bars in time order, or 0 when unknown. With
// range=5d that is the second-to-last non-null daily close while the last
// bar is today's; it stays right when today's bar is missing or null (the
// close before is then the last one) and before the open, when
// regularMarketTime is still yesterday's close. Without marketTime it is
// the second-to-last non-null close.
func yahooPrevClose(bars []yahooBar, marketTime, off int64) float64 {
	if marketTime <= 0 {
		if len(bars) >= 2 {
			return bars[len(bars)-2].close
		}
		return 0
	}
	cur := yahooDay(marketTime, off)
	for i := len(bars) - 1; i >= 0; i-- {
		if bars[i].day.Before(cur) {
			return bars[i].close
		}
	}
	return 0
}

// decodeYahooHistory decodes an interval=1d chart answer into daily closes,
// oldest first, one per trading day (the later bar wins when Yahoo sends two
// for a day, as it can for the live session). Null and implausible closes
// are skipped. The History is labelled with the ticker that answered.
func decodeYahooHistory(body []byte, asked string) (market.History, error) {
	r, err := decodeYahooChart(body)
	if err != nil {
		return market.History{}, err
	}
	sym := market.NormTicker(r.Meta.Symbol)
	if sym == "" {
		sym = market.NormTicker(asked)
	}
	all := r.bars()
	h := market.History{Symbol: sym, Source: yahooSource, Bars: make([]market.Bar, 0, len(all))}
	skipped := 0
	for _, yb := range all {
		if market.CheckStockPrice(yb.close) != nil {
			skipped++
			continue
		}
		if n := len(h.Bars); n > 0 && h.Bars[n-1].Day.Equal(yb.day) {
			h.Bars[n-1].Close = yb.close
			continue
		}
		h.Bars = append(h.Bars, market.Bar{Day: yb.day, Close: yb.close})
	}
	if len(h.Bars) == 0 {
		return market.History{}, fmt.Errorf("no usable close among %d bars (%d implausible)", len(r.Timestamp), skipped)
	}
	return h, nil
}
