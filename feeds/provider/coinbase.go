package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Coinbase's keyless v2 spot price (docs/upstreams.md#coinbase).

const (
	coinbaseSource   = "coinbase"
	coinbaseSpotPath = "/v2/prices/BTC-USD/spot"
)

type coinbase struct{ c *HTTPClient }

// NewCoinbase returns the provider "coinbase": one keyless request to
// GET /v2/prices/BTC-USD/spot at base (Endpoints.Coinbase, scheme://host[:port])
// per poll. It emits one PriceUSD observation (USD per BTC, sent by Coinbase
// as a string) dated by the response's Date header, since the spot price
// refers to "now" and carries no time of its own.
//
// HTTP failures come back as *HTTPError; an in-band rate limit (HTTP 200
// carrying {"errors":[{"id":"rate_limit_exceeded",…}]}) as *ThrottleError;
// other in-band errors, data:null, an answer for another pair and a refused
// price (zero, negative, not finite) as plain errors naming the problem, the
// refused price also listed in the batch's Rejected.
func NewCoinbase(base string, o HTTPOptions) market.Provider {
	return &coinbase{c: NewHTTPClient(coinbaseSource, base, o)}
}

// Name implements Provider.
func (p *coinbase) Name() string { return coinbaseSource }

// Fetch implements Provider.
func (p *coinbase) Fetch(ctx context.Context) (market.Batch, error) {
	resp, err := p.c.Get(ctx, coinbaseSpotPath, nil, nil)
	if err != nil {
		return market.Batch{}, err
	}
	b, err := decodeCoinbase(resp.Body, resp.Date)
	if err != nil {
		return b, fmt.Errorf("%s %s: %w", coinbaseSource, coinbaseSpotPath, err)
	}
	return b, nil
}

// coinbaseSpotWire is the v2 spot answer: {"data":{"amount":"97412.35",
// "base":"BTC","currency":"USD"}} or {"errors":[{"id":…,"message":…}]}.
type coinbaseSpotWire struct {
	Data *struct {
		Amount   Num    `json:"amount"`
		Base     string `json:"base"`
		Currency string `json:"currency"`
	} `json:"data"`
	Errors []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"errors"`
}

// decodeCoinbase decodes a v2 spot answer; date is the response's Date, the
// time the price refers to. The error does not name the source (Fetch adds
// it), except a *ThrottleError, which carries it.
func decodeCoinbase(body []byte, date time.Time) (market.Batch, error) {
	var w coinbaseSpotWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if len(w.Errors) > 0 {
		msgs := make([]string, 0, len(w.Errors))
		throttled := false
		for _, e := range w.Errors {
			m := strings.TrimSpace(e.Message)
			if e.ID != "" {
				m = fmt.Sprintf("%s (%s)", m, e.ID)
			}
			msgs = append(msgs, m)
			if e.ID == "rate_limit_exceeded" || exchangeSaysThrottled(e.Message) {
				throttled = true
			}
		}
		msg := Clip(strings.Join(msgs, "; "), 200)
		if throttled {
			return market.Batch{}, &ThrottleError{Source: coinbaseSource, Message: msg}
		}
		return market.Batch{}, fmt.Errorf("upstream error: %s", msg)
	}
	if w.Data == nil {
		return market.Batch{}, errors.New("no data in the answer")
	}
	if (w.Data.Base != "" && !strings.EqualFold(w.Data.Base, "BTC")) ||
		(w.Data.Currency != "" && !strings.EqualFold(w.Data.Currency, "USD")) {
		return market.Batch{}, fmt.Errorf("the answer is for %s-%s, not BTC-USD", Clip(w.Data.Base, 10), Clip(w.Data.Currency, 10))
	}
	if !w.Data.Amount.OK {
		return market.Batch{}, errors.New("no amount in the answer")
	}
	var b market.Batch
	if !b.Add(market.PriceUSD, w.Data.Amount.V, date, coinbaseSource) {
		return b, fmt.Errorf("price refused: %s", b.Rejected[len(b.Rejected)-1].Reason)
	}
	return b, nil
}

// exchangeSaysThrottled reports whether an upstream's in-band error message
// is a rate limit.
func exchangeSaysThrottled(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "too many requests") || strings.Contains(m, "rate limit") ||
		strings.Contains(m, "temporary lockout")
}
