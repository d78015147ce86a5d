package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Nasdaq's keyless site API, api.nasdaq.com (docs/upstreams.md#nasdaq).
const (
	nasdaqSource        = "nasdaq"
	nasdaqWatchlistPath = "/api/quote/watchlist"
	// nasdaqMaxPerCall is how many symbols one watchlist request carries.
	nasdaqMaxPerCall = 20
	// nasdaqOrigin is sent as Origin and Referer: bare clients hang.
	nasdaqOrigin = "https://www.nasdaq.com"
)

// errNasdaqNoData marks an answer with data:null (rCode 400: unknown
// symbol or asset class) or no rows: the provider then tries the symbol's
// former ticker.
var errNasdaqNoData = errors.New("no data")

type nasdaq struct {
	c    *HTTPClient
	syms market.Symbols
	now  func() time.Time // the clock that dates history windows
}

// NewNasdaq returns the provider "nasdaq": one quote per peer of syms from
// GET /api/quote/watchlist?symbol=iren|stocks&symbol=... (at most 20 per
// request), sent with a browser User-Agent, Accept: application/json and
// Origin/Referer www.nasdaq.com; and daily close history through
// FetchHistory. Quotes are in USD; Price and PrevClose come from the
// formatted strings lastSalePrice and previousClosePrice ("$14.52"), At
// from lastTradeTimestampDateTime (New York wall time when it carries no
// offset; a bare date means that day's close, 16:00 New York).
//
// After Hours: Nasdaq's lastSalePrice is then an after-hours trade and
// netChange is measured from today's close, so the provider reports Price =
// lastSalePrice − netChange (today's regular close) at 16:00 New York of the
// trade's date, and PrevClose = previousClosePrice. A row in After Hours
// without a net change is rejected rather than passing an extended-hours
// price off as the session's. Other statuses ("Market Open", "Closed",
// "Pre Market") are taken as sent; in Pre Market the price may therefore be
// a pre-market trade (Nasdaq documents no trap there; Yahoo is the primary
// quote source).
//
// A peer missing from the answer is asked for again under its former
// tickers (KEEL, then BITF), and labelled with the current one (Requested
// names the former one that answered). HTTP 200 with data:null or an rCode
// other than 200 is an error; "N/A" and "--" placeholders leave a value
// unknown (no last price: the row is rejected; no previous close:
// PrevClose 0).
func NewNasdaq(base string, syms market.Symbols, o HTTPOptions) market.HistoryProvider {
	o.UserAgent = stockUserAgent(o.UserAgent)
	h := make(map[string]string, len(o.Headers)+3)
	for k, v := range o.Headers {
		h[k] = v
	}
	h["Accept"] = "application/json"
	h["Origin"] = nasdaqOrigin
	h["Referer"] = nasdaqOrigin + "/"
	o.Headers = h
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &nasdaq{c: NewHTTPClient(nasdaqSource, base, o), syms: syms, now: now}
}

// Name implements Provider.
func (p *nasdaq) Name() string { return nasdaqSource }

// nasdaqTicker spells a (Yahoo-style) ticker the way Nasdaq does: BRK.B.
func nasdaqTicker(sym string) string { return strings.ReplaceAll(sym, "-", ".") }

// fromNasdaqTicker spells a Nasdaq ticker the way Symbols does: BRK-B.
func fromNasdaqTicker(sym string) string { return strings.ReplaceAll(market.NormTicker(sym), ".", "-") }

// Fetch implements Provider: one quote per peer (see NewNasdaq).
func (p *nasdaq) Fetch(ctx context.Context) (market.Batch, error) {
	names := p.syms.List()
	if len(names) == 0 {
		return market.Batch{}, errors.New("nasdaq: no symbols configured")
	}
	var b market.Batch
	var errs []error
	found := map[string]market.Quote{} // by the ticker that answered
	failed := map[string]string{}      // ticker → why its request failed
	ask := func(list []string) {
		for chunk := range slices.Chunk(list, nasdaqMaxPerCall) {
			q := url.Values{}
			for _, s := range chunk {
				q.Add("symbol", strings.ToLower(nasdaqTicker(s))+"|stocks")
			}
			resp, err := p.c.Get(ctx, nasdaqWatchlistPath, q, nil)
			var got market.Batch
			if err == nil {
				got, err = decodeNasdaqWatchlist(resp.Body, resp.Date)
				if err != nil {
					err = fmt.Errorf("nasdaq watchlist: %w", err)
				}
			}
			if err != nil {
				errs = append(errs, err)
				for _, s := range chunk {
					failed[s] = err.Error()
				}
				continue
			}
			for _, qt := range got.Quotes {
				if _, dup := found[qt.Symbol]; !dup {
					found[qt.Symbol] = qt
				}
			}
			b.Rejected = append(b.Rejected, got.Rejected...)
		}
	}
	var valid []string
	for _, n := range names {
		if market.ValidTicker(n) {
			valid = append(valid, n)
		} else {
			failed[n] = fmt.Sprintf("%q is not a valid ticker", Clip(n, 20))
		}
	}
	ask(valid)
	// Peers Nasdaq did not answer for: try their former tickers, unless
	// their request failed outright (no point asking a failing upstream again).
	var retry []string
	for _, n := range names {
		if _, ok := found[n]; ok || failed[n] != "" {
			continue
		}
		for _, a := range p.syms.Aliases(n)[1:] {
			if market.ValidTicker(a) {
				retry = append(retry, a)
			}
		}
	}
	if len(retry) > 0 && ctx.Err() == nil {
		ask(retry)
	}
	for _, n := range names {
		aliases := p.syms.Aliases(n)
		done := false
		for _, a := range aliases {
			q, ok := found[a]
			if !ok {
				continue
			}
			q.Symbol, q.Requested = n, ""
			if a != n {
				q.Requested = a
			}
			b.AddQuote(q)
			done = true
			break
		}
		if done {
			continue
		}
		why := fmt.Sprintf("nasdaq sent no usable row for %s", strings.Join(aliases, " or "))
		for _, a := range aliases {
			if failed[a] != "" {
				why = failed[a]
				break
			}
		}
		b.Reject(n, why)
	}
	if len(b.Quotes) == 0 {
		if err := stockPreferredError(errs); err != nil {
			return b, fmt.Errorf("nasdaq: no quote for any of %d symbols: %w", len(names), err)
		}
		return b, fmt.Errorf("nasdaq: no usable quote for any of %d symbols", len(names))
	}
	return b, nil
}

// nasdaqEnvelopeWire is the envelope of every api.nasdaq.com answer.
type nasdaqEnvelopeWire struct {
	Data    json.RawMessage `json:"data"`
	Message json.RawMessage `json:"message"`
	Status  struct {
		RCode            Num             `json:"rCode"`
		BCodeMessage     json.RawMessage `json:"bCodeMessage"`
		DeveloperMessage json.RawMessage `json:"developerMessage"`
	} `json:"status"`
}

// decodeNasdaqEnvelope returns the data of an answer, or an error wrapping
// errNasdaqNoData for data:null or an rCode other than 200, naming
// Nasdaq's message when it sent one.
func decodeNasdaqEnvelope(body []byte) (json.RawMessage, error) {
	var w nasdaqEnvelopeWire
	if err := DecodeJSON(body, &w); err != nil {
		return nil, err
	}
	d := bytes.TrimSpace(w.Data)
	bad := w.Status.RCode.OK && w.Status.RCode.V != 200
	if len(d) == 0 || bytes.Equal(d, []byte("null")) || bad {
		msg := nasdaqMessage(w.Status.BCodeMessage)
		if msg == "" {
			msg = nasdaqMessage(w.Message)
		}
		if msg == "" {
			msg = nasdaqMessage(w.Status.DeveloperMessage)
		}
		code := "no rCode"
		if w.Status.RCode.OK {
			code = fmt.Sprintf("rCode %g", w.Status.RCode.V)
		}
		if msg != "" {
			code += ": " + msg
		}
		return nil, fmt.Errorf("%w (data:null, %s)", errNasdaqNoData, code)
	}
	return d, nil
}

// nasdaqMessage renders one of Nasdaq's message fields: a string, or
// bCodeMessage's [{"code":1001,"errorMessage":"..."}].
func nasdaqMessage(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return Clip(strings.TrimSpace(s), 100)
	}
	var list []struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, m := range list {
			if m.ErrorMessage != "" {
				parts = append(parts, m.ErrorMessage)
			}
		}
		return Clip(strings.Join(parts, "; "), 100)
	}
	return Clip(string(raw), 100)
}

// nasdaqWatchRowWire is one watchlist row; every number may be a formatted
// string or a bare number.
type nasdaqWatchRowWire struct {
	Symbol                     string `json:"symbol"`
	LastSalePrice              Num    `json:"lastSalePrice"`
	PreviousClosePrice         Num    `json:"previousClosePrice"`
	NetChange                  Num    `json:"netChange"`
	MarketStatus               string `json:"marketStatus"`
	LastTradeTimestampDateTime string `json:"lastTradeTimestampDateTime"`
}

// decodeNasdaqWatchlist decodes a watchlist answer into one quote per
// usable row, labelled with the row's ticker (Symbols spelling); rows that
// cannot be used are rejections. date is the response's Date, used when a
// row has no trade time. data:null, rCode ≠ 200 and an empty list are errors.
func decodeNasdaqWatchlist(body []byte, date time.Time) (market.Batch, error) {
	data, err := decodeNasdaqEnvelope(body)
	if err != nil {
		return market.Batch{}, err
	}
	var rows []json.RawMessage
	if data[0] == '{' { // some answers wrap the list: {"rows":[...]}
		var w struct {
			Rows []json.RawMessage `json:"rows"`
		}
		if err := json.Unmarshal(data, &w); err != nil {
			return market.Batch{}, fmt.Errorf("decoding data: %w", err)
		}
		rows = w.Rows
	} else if err := json.Unmarshal(data, &rows); err != nil {
		return market.Batch{}, fmt.Errorf("decoding data: %w", err)
	}
	if len(rows) == 0 {
		return market.Batch{}, errors.New("the watchlist is empty")
	}
	var b market.Batch
	for i, raw := range rows {
		var r nasdaqWatchRowWire
		if err := json.Unmarshal(raw, &r); err != nil {
			b.Reject(fmt.Sprintf("nasdaq row %d", i+1), err.Error())
			continue
		}
		sym := fromNasdaqTicker(r.Symbol)
		if !market.ValidTicker(sym) {
			b.Reject(fmt.Sprintf("nasdaq row %d", i+1), fmt.Sprintf("invalid symbol %q", Clip(r.Symbol, 20)))
			continue
		}
		q, err := nasdaqRowQuote(r, sym, date)
		if err != nil {
			b.Reject(sym, err.Error())
			continue
		}
		b.AddQuote(q)
	}
	return b, nil
}

// nasdaqRowQuote turns one row into a quote (see NewNasdaq for After Hours).
func nasdaqRowQuote(r nasdaqWatchRowWire, sym string, date time.Time) (market.Quote, error) {
	if !r.LastSalePrice.OK {
		return market.Quote{}, errors.New("no last sale price (placeholder)")
	}
	q := market.Quote{Symbol: sym, Price: r.LastSalePrice.V, Currency: "USD", Source: nasdaqSource,
		At: nasdaqTradeTime(r.LastTradeTimestampDateTime, date)}
	if r.PreviousClosePrice.OK {
		q.PrevClose = r.PreviousClosePrice.V
	}
	if strings.Contains(strings.ToLower(r.MarketStatus), "after") {
		if !r.NetChange.OK {
			return market.Quote{}, errors.New("after-hours row without a net change: today's close is unknown")
		}
		q.Price = stockRoundPrice(r.LastSalePrice.V-r.NetChange.V, 4)
		at := q.At.Add(time.Duration(newYorkOffset(q.At)) * time.Second) // New York wall clock
		q.At = newYorkClose(at)
	}
	return q, nil
}

// nasdaqTradeTime reads lastTradeTimestampDateTime: RFC 3339 with an
// offset, or New York wall time without one; a bare midnight is a date
// only and stands for that day's close. Anything else, or a time more than
// an hour after the response, gives date.
func nasdaqTradeTime(s string, date time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return date
	}
	var t time.Time
	if u, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t = u.UTC()
	} else if w, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		if h, m, sec := w.Clock(); h == 0 && m == 0 && sec == 0 && w.Nanosecond() == 0 {
			t = newYorkClose(w)
		} else {
			t = newYorkWall(w)
		}
	} else {
		return date
	}
	if !date.IsZero() && t.After(date.Add(time.Hour)) {
		return date
	}
	return t
}

// FetchHistory implements HistoryProvider: the daily closes of symbol
// (either of a renamed peer's tickers) from GET
// /api/quote/{SYM}/historical?assetclass=stocks&fromdate=&todate=&limit=9999,
// oldest first, Day = the row's date at midnight UTC.
//
// rng (one of 1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max) becomes a date window
// ending today (New York date of the provider's clock, which the response
// date matches): "1mo" … "10y" go back that many calendar months or years,
// "ytd" to 1 January, and "max" ten years (what nasdaq.com serves). "1d"
// and "5d" mean that many trading sessions, as at Yahoo: the request spans
// a week or two and only the last 1 or 5 rows are kept.
func (p *nasdaq) FetchHistory(ctx context.Context, symbol, rng string) (market.History, error) {
	if err := checkStockRange(rng); err != nil {
		return market.History{}, fmt.Errorf("nasdaq: %w", err)
	}
	from, to, keep := nasdaqWindow(rng, p.now())
	sym := p.syms.Canonical(symbol)
	var h market.History
	notFound := func(err error) bool {
		var he *HTTPError
		if errors.As(err, &he) {
			return he.Status == http.StatusNotFound
		}
		return errors.Is(err, errNasdaqNoData)
	}
	err := eachAlias(p.syms, sym, notFound, func(name string) error {
		path := "/api/quote/" + nasdaqTicker(name) + "/historical"
		q := url.Values{
			"assetclass": {"stocks"},
			"fromdate":   {from.Format(time.DateOnly)},
			"todate":     {to.Format(time.DateOnly)},
			"limit":      {"9999"},
		}
		resp, err := p.c.Get(ctx, path, q, nil)
		if err != nil {
			return err
		}
		h, err = decodeNasdaqHistory(resp.Body, name)
		if err != nil {
			return fmt.Errorf("nasdaq %s history: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return market.History{}, err
	}
	if keep > 0 && len(h.Bars) > keep {
		h.Bars = h.Bars[len(h.Bars)-keep:]
	}
	h.Symbol = sym
	return h, nil
}

// nasdaqWindow turns a Yahoo-style range into the dates to request, ending
// on now's New York date, and how many trailing rows to keep (0: all).
func nasdaqWindow(rng string, now time.Time) (from, to time.Time, keep int) {
	local := now.UTC().Add(time.Duration(newYorkOffset(now)) * time.Second)
	to = stockDayUTC(local)
	switch rng {
	case "1d":
		return to.AddDate(0, 0, -7), to, 1
	case "5d":
		return to.AddDate(0, 0, -14), to, 5
	case "1mo":
		return to.AddDate(0, -1, 0), to, 0
	case "3mo":
		return to.AddDate(0, -3, 0), to, 0
	case "6mo":
		return to.AddDate(0, -6, 0), to, 0
	case "1y":
		return to.AddDate(-1, 0, 0), to, 0
	case "2y":
		return to.AddDate(-2, 0, 0), to, 0
	case "5y":
		return to.AddDate(-5, 0, 0), to, 0
	case "ytd":
		return time.Date(to.Year(), time.January, 1, 0, 0, 0, 0, time.UTC), to, 0
	}
	return to.AddDate(-10, 0, 0), to, 0 // 10y, max
}

// nasdaqHistoryWire is the data of a historical answer.
type nasdaqHistoryWire struct {
	Symbol      string `json:"symbol"`
	TradesTable *struct {
		Rows []json.RawMessage `json:"rows"`
	} `json:"tradesTable"`
}

// decodeNasdaqHistory decodes a historical answer (rows newest first, dates
// MM/DD/YYYY, "$" strings) into daily closes, oldest first, one per date.
// Rows with a placeholder, an unreadable date or an implausible close are
// skipped. The History is labelled with the ticker asked for.
func decodeNasdaqHistory(body []byte, asked string) (market.History, error) {
	data, err := decodeNasdaqEnvelope(body)
	if err != nil {
		return market.History{}, err
	}
	var w nasdaqHistoryWire
	if err := json.Unmarshal(data, &w); err != nil {
		return market.History{}, fmt.Errorf("decoding data: %w", err)
	}
	if w.TradesTable == nil || len(w.TradesTable.Rows) == 0 {
		return market.History{}, fmt.Errorf("%w (no rows)", errNasdaqNoData)
	}
	h := market.History{Symbol: market.NormTicker(asked), Source: nasdaqSource, Bars: make([]market.Bar, 0, len(w.TradesTable.Rows))}
	for _, raw := range w.TradesTable.Rows {
		var r struct {
			Date  string `json:"date"`
			Close Num    `json:"close"`
		}
		if json.Unmarshal(raw, &r) != nil || !r.Close.OK || market.CheckStockPrice(r.Close.V) != nil {
			continue
		}
		day, err := time.Parse("01/02/2006", strings.TrimSpace(r.Date))
		if err != nil {
			continue
		}
		h.Bars = append(h.Bars, market.Bar{Day: day, Close: r.Close.V})
	}
	slices.SortStableFunc(h.Bars, func(a, b market.Bar) int { return a.Day.Compare(b.Day) })
	h.Bars = slices.CompactFunc(h.Bars, func(a, b market.Bar) bool { return a.Day.Equal(b.Day) })
	if len(h.Bars) == 0 {
		return market.History{}, fmt.Errorf("no usable close among %d rows", len(w.TradesTable.Rows))
	}
	return h, nil
}
