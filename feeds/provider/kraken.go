package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Kraken's keyless public ticker (docs/upstreams.md#kraken).

const (
	krakenSource     = "kraken"
	krakenTickerPath = "/0/public/Ticker"
)

type kraken struct{ c *HTTPClient }

// NewKraken returns the provider "kraken": one keyless request to
// GET /0/public/Ticker?pair=XBTUSD at base (Endpoints.Kraken,
// scheme://host[:port]) per poll. It emits one PriceUSD observation (USD per
// BTC): the last trade price c[0], sent as a string, of the only pair in the
// result (Kraken names it XXBTZUSD; the key is not hard-coded). The ticker
// carries no time, so the value is dated by the response's Date header.
//
// Kraken reports errors as HTTP 200 with a non-empty "error" array:
// "EGeneral:Too many requests" (and "EAPI:Rate limit exceeded") come back as
// *ThrottleError, any other error ("EQuery:Unknown asset pair", "EService:
// Unavailable") as a plain error quoting it; warnings ("W…") are ignored.
// HTTP failures come back as *HTTPError. A refused price (zero, negative,
// not finite) is an error and is listed in the batch's Rejected.
func NewKraken(base string, o HTTPOptions) market.Provider {
	return &kraken{c: NewHTTPClient(krakenSource, base, o)}
}

// Name implements Provider.
func (p *kraken) Name() string { return krakenSource }

// Fetch implements Provider.
func (p *kraken) Fetch(ctx context.Context) (market.Batch, error) {
	resp, err := p.c.Get(ctx, krakenTickerPath, url.Values{"pair": {"XBTUSD"}}, nil)
	if err != nil {
		return market.Batch{}, err
	}
	b, err := decodeKraken(resp.Body, resp.Date)
	if err != nil {
		return b, fmt.Errorf("%s %s: %w", krakenSource, krakenTickerPath, err)
	}
	return b, nil
}

// krakenTickerWire is the Ticker answer: {"error":[],"result":{"XXBTZUSD":
// {"a":[…],"b":[…],"c":["97398.60000","0.00150000"],…}}}.
type krakenTickerWire struct {
	Error  []string `json:"error"`
	Result map[string]struct {
		// C is the last trade, [price, lot volume]; only the price is decoded.
		C []json.RawMessage `json:"c"`
	} `json:"result"`
}

// decodeKraken decodes a Ticker answer; date is the response's Date. The
// error does not name the source (Fetch adds it), except a *ThrottleError,
// which carries it.
func decodeKraken(body []byte, date time.Time) (market.Batch, error) {
	var w krakenTickerWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	// Each entry is "<severity><category>:<type>[:<extra>]"; severity E is
	// an error, W a warning.
	var errs []string
	throttled := false
	for _, e := range w.Error {
		e = strings.TrimSpace(e)
		if e == "" || strings.HasPrefix(e, "W") {
			continue
		}
		errs = append(errs, e)
		if exchangeSaysThrottled(e) {
			throttled = true
		}
	}
	if len(errs) > 0 {
		msg := Clip(strings.Join(errs, "; "), 200)
		if throttled {
			return market.Batch{}, &ThrottleError{Source: krakenSource, Message: msg}
		}
		return market.Batch{}, fmt.Errorf("upstream error: %s", msg)
	}
	switch len(w.Result) {
	case 0:
		return market.Batch{}, errors.New("no pair in the result")
	case 1:
	default:
		keys := make([]string, 0, len(w.Result))
		for k := range w.Result {
			keys = append(keys, Clip(k, 20))
		}
		slices.Sort(keys)
		return market.Batch{}, fmt.Errorf("%d pairs in the result (%s), want only BTC/USD", len(keys), Clip(strings.Join(keys, ", "), 100))
	}
	var pair string
	for k := range w.Result {
		pair = k
	}
	t := w.Result[pair]
	if !krakenIsBTCUSD(pair) {
		return market.Batch{}, fmt.Errorf("the result is for %q, not BTC/USD", Clip(pair, 20))
	}
	var last Num
	if len(t.C) > 0 {
		if err := last.UnmarshalJSON(t.C[0]); err != nil {
			return market.Batch{}, fmt.Errorf("%s last trade price (c[0]): %w", Clip(pair, 20), err)
		}
	}
	if !last.OK {
		return market.Batch{}, fmt.Errorf("%s has no last trade price (c[0])", Clip(pair, 20))
	}
	var b market.Batch
	if !b.Add(market.PriceUSD, last.V, date, krakenSource) {
		return b, fmt.Errorf("price refused: %s", b.Rejected[len(b.Rejected)-1].Reason)
	}
	return b, nil
}

// krakenIsBTCUSD reports whether a result key names BTC against USD in any
// of Kraken's spellings (XXBTZUSD, XBTUSD, BTC/USD, XBT/USD).
func krakenIsBTCUSD(pair string) bool {
	p := strings.ToUpper(pair)
	return (strings.Contains(p, "XBT") || strings.Contains(p, "BTC")) && strings.HasSuffix(p, "USD")
}
