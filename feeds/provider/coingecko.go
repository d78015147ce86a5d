package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// CoinGecko's simple price (docs/upstreams.md#coingecko), keyless or with a demo key.

const (
	coinGeckoSource    = "coingecko"
	coinGeckoPricePath = "/api/v3/simple/price"
	// coinGeckoKeyHeader carries a demo key (pro keys use another host and
	// header and are not supported here).
	coinGeckoKeyHeader = "x-cg-demo-api-key"
)

type coinGecko struct{ c *HTTPClient }

// NewCoinGecko returns the provider "coingecko": one request to
// GET /api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true
// at base (Endpoints.CoinGecko, scheme://host[:port]) per poll. It emits one
// PriceUSD observation (USD per BTC) dated by the answer's last_updated_at
// (Unix seconds; CoinGecko caches prices for about a minute), or by the
// response's Date when that is missing or implausible (then listed in
// Rejected).
//
// key is an optional demo API key, sent as the x-cg-demo-api-key header
// ("" for keyless use); it never appears in errors. A 429 (JSON
// {"status":{"error_code":429,…}} with a retry-after header, or a
// Cloudflare HTML page) comes back as *HTTPError; the same status served
// with HTTP 200 as *ThrottleError; an unknown id ({}) and other in-band
// errors as plain errors; a refused price (zero, negative, not finite) as an
// error, also listed in the batch's Rejected.
func NewCoinGecko(base string, key string, o HTTPOptions) market.Provider {
	o.Headers = maps.Clone(o.Headers)
	if key = strings.TrimSpace(key); key != "" {
		if o.Headers == nil {
			o.Headers = map[string]string{}
		}
		o.Headers[coinGeckoKeyHeader] = key
	}
	return &coinGecko{c: NewHTTPClient(coinGeckoSource, base, o)}
}

// Name implements Provider.
func (p *coinGecko) Name() string { return coinGeckoSource }

// Fetch implements Provider.
func (p *coinGecko) Fetch(ctx context.Context) (market.Batch, error) {
	resp, err := p.c.Get(ctx, coinGeckoPricePath, url.Values{
		"ids":                     {"bitcoin"},
		"vs_currencies":           {"usd"},
		"include_last_updated_at": {"true"},
	}, nil)
	if err != nil {
		return market.Batch{}, err
	}
	b, err := decodeCoinGecko(resp.Body, resp.Date)
	if err != nil {
		return b, fmt.Errorf("%s %s: %w", coinGeckoSource, coinGeckoPricePath, err)
	}
	return b, nil
}

// coinGeckoPriceWire is the simple-price answer:
// {"bitcoin":{"usd":97405,"last_updated_at":1768314587}}, or an error
// {"status":{"error_code":429,"error_message":"…"}} or {"error":"…"}.
type coinGeckoPriceWire struct {
	Bitcoin *struct {
		USD           Num `json:"usd"`
		LastUpdatedAt Num `json:"last_updated_at"`
	} `json:"bitcoin"`
	Status *struct {
		ErrorCode    Num    `json:"error_code"`
		ErrorMessage string `json:"error_message"`
	} `json:"status"`
	Error json.RawMessage `json:"error"`
}

// Plausible Unix-second times for last_updated_at: from the genesis block to
// an hour past the response's Date (clock skew).
const (
	coinGeckoMinUnix = 1231006505
	coinGeckoSkew    = time.Hour
)

// decodeCoinGecko decodes a simple-price answer; date is the response's
// Date, used when the answer has no usable last_updated_at. The error does
// not name the source (Fetch adds it), except a *ThrottleError, which
// carries it.
func decodeCoinGecko(body []byte, date time.Time) (market.Batch, error) {
	var w coinGeckoPriceWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if s := w.Status; s != nil && ((s.ErrorCode.OK && s.ErrorCode.V != 0) || strings.TrimSpace(s.ErrorMessage) != "") {
		msg := Clip(strings.Join(strings.Fields(s.ErrorMessage), " "), 200)
		if s.ErrorCode.V == 429 || exchangeSaysThrottled(msg) {
			return market.Batch{}, &ThrottleError{Source: coinGeckoSource, Message: msg}
		}
		return market.Batch{}, fmt.Errorf("upstream error %v: %s", s.ErrorCode.V, msg)
	}
	if e := strings.TrimSpace(string(w.Error)); e != "" && e != "null" {
		return market.Batch{}, fmt.Errorf("upstream error: %s", describeBody(w.Error, ""))
	}
	if w.Bitcoin == nil {
		return market.Batch{}, errors.New("no bitcoin in the answer (unknown id?)")
	}
	if !w.Bitcoin.USD.OK {
		return market.Batch{}, errors.New("no usd price in the answer")
	}
	var b market.Batch
	at := date
	if t := w.Bitcoin.LastUpdatedAt; t.OK {
		latest := float64(date.Add(coinGeckoSkew).Unix())
		if t.V >= coinGeckoMinUnix && t.V <= latest && t.V == math.Trunc(t.V) {
			at = time.Unix(int64(t.V), 0).UTC()
		} else {
			b.Reject(string(market.PriceUSD)+" time", fmt.Sprintf("last_updated_at %v is not a plausible Unix time in seconds; using the response's Date", t.V))
		}
	}
	if !b.Add(market.PriceUSD, w.Bitcoin.USD.V, at, coinGeckoSource) {
		return b, fmt.Errorf("price refused: %s", b.Rejected[len(b.Rejected)-1].Reason)
	}
	return b, nil
}
