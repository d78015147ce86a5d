package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Hashrate Index (Luxor) REST v1, keyed (docs/upstreams.md#hashrateindex).
const (
	hriSource      = "hashrateindex"
	hriCurrentPath = "/v1/hashrateindex/hashprice/current"
	hriSeriesPath  = "/v1/hashrateindex/hashprice"
	hriKeyHeader   = "X-Hi-Api-Key"
	// hriForbiddenFor is how long Fetch goes straight to the series
	// endpoint after /current answered 403 (the key's tier lacks it).
	hriForbiddenFor = time.Hour
)

// HashrateIndexMinInterval is the floor on how often the Hashrate Index
// provider may be polled: the API allows a burst of 20 requests, then one
// per 15 s. Each Fetch makes one request (two on the poll that first finds
// /current forbidden). Luxor recommends polling every 5 minutes or more;
// the published hashprice moves on that scale anyway.
const HashrateIndexMinInterval = 15 * time.Second

type hashrateIndex struct {
	c   *HTTPClient
	key string
	now func() time.Time
	// skipCurrentUntil (Unix ns) is set when /current answered 403.
	skipCurrentUntil atomic.Int64
}

// NewHashrateIndex returns the provider "hashrateindex" (construct it only
// when a key is configured; without one Fetch fails without a request). It
// reads GET /v1/hashrateindex/hashprice/current?hashunit=PHS with the key
// in the X-Hi-Api-Key header and emits HashpriceUSD (USD per PH/s per day)
// and HashpriceBTC (BTC per PH/s per day), At = the payload's RFC 3339
// timestamp. Some key tiers get 403 from /current: Fetch then reads
// /hashprice?span=1D&bucket=5m&currency=USD&hashunit=PHS instead and emits
// the newest point's HashpriceUSD only (a BTC figure would cost a second
// request), and keeps using that endpoint for an hour before trying
// /current again. Poll no faster than HashrateIndexMinInterval.
//
// The key never appears in Name, in an error or in a rejection: an error
// body that quotes it is withheld.
func NewHashrateIndex(base, key string, o HTTPOptions) market.Provider {
	return &hashrateIndex{c: NewHTTPClient(hriSource, base, o), key: strings.TrimSpace(key), now: time.Now}
}

// Name implements Provider.
func (p *hashrateIndex) Name() string { return hriSource }

// Fetch implements Provider (see NewHashrateIndex).
func (p *hashrateIndex) Fetch(ctx context.Context) (market.Batch, error) {
	if p.key == "" {
		return market.Batch{}, errors.New("hashrateindex: no API key configured")
	}
	hdr := map[string]string{hriKeyHeader: p.key}
	now := p.now()
	if now.UnixNano() >= p.skipCurrentUntil.Load() {
		resp, err := p.c.Get(ctx, hriCurrentPath, url.Values{"hashunit": {"PHS"}}, hdr)
		err = p.redact(err)
		if err == nil {
			b, err := decodeHashpriceCurrent(resp.Body, resp.Date)
			if err != nil {
				return b, p.redact(fmt.Errorf("hashrateindex %s: %w", hriCurrentPath, err))
			}
			return b, nil
		}
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusForbidden {
			return market.Batch{}, err
		}
		p.skipCurrentUntil.Store(now.Add(hriForbiddenFor).UnixNano())
	}
	q := url.Values{"span": {"1D"}, "bucket": {"5m"}, "currency": {"USD"}, "hashunit": {"PHS"}}
	resp, err := p.c.Get(ctx, hriSeriesPath, q, hdr)
	if err != nil {
		return market.Batch{}, p.redact(err)
	}
	b, err := decodeHashpriceSeries(resp.Body)
	if err != nil {
		return b, p.redact(fmt.Errorf("hashrateindex %s: %w", hriSeriesPath, err))
	}
	return b, nil
}

// keyLeaks reports whether s shows the key, or the start of it (an error
// body quoting the key may have been clipped in the middle of it).
func keyLeaks(s, key string) bool {
	if key == "" {
		return false
	}
	return strings.Contains(s, key[:min(len(key), 6)])
}

// redact makes sure err does not show the API key: an *HTTPError's body
// description is withheld (the error itself, with its status and
// Retry-After, stays reachable); any other error that shows the key is
// replaced by one that does not.
func (p *hashrateIndex) redact(err error) error {
	if err == nil {
		return nil
	}
	var he *HTTPError
	if errors.As(err, &he) {
		if keyLeaks(he.Detail, p.key) {
			he.Detail = "body withheld: it quotes the API key"
		}
		if keyLeaks(he.Path, p.key) {
			he.Path = "(path withheld)"
		}
	}
	if keyLeaks(err.Error(), p.key) {
		return errors.New("hashrateindex: the upstream's error was withheld because it quotes the API key")
	}
	return err
}

// hriInBand returns an error for a body carrying a message and no data
// ({"error":"..."}, {"message":"..."}): a *ThrottleError when it speaks of
// a rate limit.
func hriInBand(msg json.RawMessage, e json.RawMessage) error {
	text := nasdaqMessage(e)
	if text == "" {
		text = nasdaqMessage(msg)
	}
	if text == "" {
		return errors.New("no data in the answer")
	}
	if _, ok := stockThrottleText([]byte(text)); ok {
		return &ThrottleError{Source: hriSource, Message: text}
	}
	return fmt.Errorf("no data in the answer: %s", text)
}

// hriTime reads an RFC 3339 timestamp, or gives date.
func hriTime(s string, date time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
		return t.UTC()
	}
	return date
}

// decodeHashpriceCurrent decodes /hashprice/current?hashunit=PHS
// ({"data":{"priceBTC":…,"priceUSD":…,"timestamp":"RFC 3339"}}) into
// HashpriceUSD and HashpriceBTC observations (per PH/s per day). date is
// the response's Date, used when the timestamp is missing. Out-of-range
// values are rejections; an answer with neither value is an error.
func decodeHashpriceCurrent(body []byte, date time.Time) (market.Batch, error) {
	var w struct {
		Data *struct {
			PriceBTC  Num    `json:"priceBTC"`
			PriceUSD  Num    `json:"priceUSD"`
			Timestamp string `json:"timestamp"`
		} `json:"data"`
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if w.Data == nil {
		return market.Batch{}, hriInBand(w.Message, w.Error)
	}
	at := hriTime(w.Data.Timestamp, date)
	var b market.Batch
	for _, v := range []struct {
		m market.Metric
		n Num
	}{{market.HashpriceUSD, w.Data.PriceUSD}, {market.HashpriceBTC, w.Data.PriceBTC}} {
		if !v.n.OK {
			b.Reject(string(v.m), "missing from the answer")
			continue
		}
		b.Add(v.m, v.n.V, at, hriSource)
	}
	if len(b.Obs) == 0 {
		return b, errors.New("no usable hashprice in the answer")
	}
	return b, nil
}

// decodeHashpriceSeries decodes /hashprice?…&currency=USD&hashunit=PHS
// ({"data":[{"price":…,"timestamp":"RFC 3339"},…]}, in no promised order)
// into the newest point's HashpriceUSD (USD per PH/s per day). Points with
// a null price or an unreadable timestamp are skipped; an empty series is
// an error.
func decodeHashpriceSeries(body []byte) (market.Batch, error) {
	var w struct {
		Data    json.RawMessage `json:"data"`
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	d := bytes.TrimSpace(w.Data)
	if len(d) == 0 || bytes.Equal(d, []byte("null")) {
		return market.Batch{}, hriInBand(w.Message, w.Error)
	}
	var pts []struct {
		Price     Num    `json:"price"`
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(d, &pts); err != nil {
		return market.Batch{}, fmt.Errorf("decoding data: %w", err)
	}
	var best time.Time
	var price float64
	found := false
	for _, pt := range pts {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(pt.Timestamp))
		if err != nil || !pt.Price.OK {
			continue
		}
		if !found || t.After(best) {
			best, price, found = t, pt.Price.V, true
		}
	}
	if !found {
		return market.Batch{}, fmt.Errorf("no dated price among %d points", len(pts))
	}
	var b market.Batch
	if !b.Add(market.HashpriceUSD, price, best.UTC(), hriSource) {
		return b, errors.New("the newest hashprice is implausible")
	}
	return b, nil
}
