package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// blockchain.info providers (docs/upstreams.md#blockchaininfo). The query API (/q/…) and the
// ticker live on blockchain.info, the charts on api.blockchain.info; a local
// stand-in given as Endpoints.BlockchainInfo serves both sets of paths.

const blockchainSource = "blockchain.info"

// blockchain.info paths.
const (
	blockchainDifficultyPath = "/q/getdifficulty"
	blockchainBlockCountPath = "/q/getblockcount"
	blockchainHashratePath   = "/q/hashrate"
	blockchainFeesChartPath  = "/charts/transaction-fees"
	blockchainTickerPath     = "/ticker"
)

// The public hosts: the charts are served by api.blockchain.info.
const (
	blockchainPublicBase = "https://blockchain.info"
	blockchainChartsBase = "https://api.blockchain.info"
)

// nominalBlocksPerDay converts blockchain.info's daily fee total into a
// per-block mean (the real count varies day to day by ±10% or more).
const nominalBlocksPerDay = 144

// blockchainFeesSource is the Source of the fee observation, saying that it
// is a daily total divided by 144 nominal blocks, not a per-block mean.
const blockchainFeesSource = "blockchain.info (÷144)"

// ---------------------------------------------------------------------------
// blockchain.info network

type blockchainNetwork struct{ c *HTTPClient }

// NewBlockchainNetwork returns the provider "blockchain.info network". Each
// poll makes three plain-text requests concurrently to base:
// /q/getdifficulty, /q/getblockcount and /q/hashrate. It emits Difficulty
// (dimensionless), Height (blocks) and Hashrate (EH/s, from GH/s), all at
// the response's Date. As with NewMempoolNetwork, a failed request is listed
// in Rejected and only a poll with nothing usable is an error.
func NewBlockchainNetwork(base string, o HTTPOptions) market.Provider {
	return &blockchainNetwork{c: NewHTTPClient(blockchainSource, base, o)}
}

// Name implements Provider.
func (p *blockchainNetwork) Name() string { return "blockchain.info network" }

// Fetch implements Provider.
func (p *blockchainNetwork) Fetch(ctx context.Context) (market.Batch, error) {
	part := func(path string, m market.Metric, scale float64) onchainPart {
		return onchainPart{path: path, decode: func(r *Response) (market.Batch, error) {
			return decodeBlockchainQuery(r.Body, m, scale, r.Date)
		}}
	}
	return onchainFetchParts(ctx, p.c, blockchainSource, []onchainPart{
		part(blockchainDifficultyPath, market.Difficulty, 1),
		part(blockchainBlockCountPath, market.Height, 1),
		part(blockchainHashratePath, market.Hashrate, 1/ghsPerEHs),
	})
}

// decodeBlockchainQuery decodes a query-API answer, a text/plain number that
// may be in scientific notation ("1.464725706199308E14"), into metric m at
// at, multiplying it by scale first (1/1e9 turns /q/hashrate's GH/s into
// EH/s). 0 is rejected as unknown (for a height too: the tip is never the
// genesis block); HTML or error text served with HTTP 200
// is an error.
func decodeBlockchainQuery(body []byte, m market.Metric, scale float64, at time.Time) (market.Batch, error) {
	v, err := onchainPlainNumber(body)
	if err != nil {
		return market.Batch{}, err
	}
	var b market.Batch
	if v == 0 {
		b.Reject(string(m), "0: unknown (the upstream has no value)")
		return b, nil
	}
	b.Add(m, v*scale, at, blockchainSource)
	return b, nil
}

// ---------------------------------------------------------------------------
// blockchain.info fees (daily chart)

type blockchainFees struct{ c *HTTPClient }

// NewBlockchainFees returns the provider "blockchain.info fees": one request
// to /charts/transaction-fees (the last 5 days, daily, in BTC per day),
// emitting FeesPerBlock (BTC per block) as the newest complete day's total
// divided by 144 nominal blocks, with Source "blockchain.info (÷144)" and At
// the end of that day (midnight UTC). The charts live on api.blockchain.info:
// when base is exactly the public https://blockchain.info that host is used,
// otherwise base itself (a stand-in serving both hosts' paths).
func NewBlockchainFees(base string, o HTTPOptions) market.Provider {
	if base == blockchainPublicBase {
		base = blockchainChartsBase
	}
	return &blockchainFees{c: NewHTTPClient(blockchainSource, base, o)}
}

// Name implements Provider.
func (p *blockchainFees) Name() string { return "blockchain.info fees" }

// Fetch implements Provider.
func (p *blockchainFees) Fetch(ctx context.Context) (market.Batch, error) {
	q := url.Values{"timespan": {"5days"}, "format": {"json"}, "sampled": {"false"}}
	return onchainFetchOne(ctx, p.c, blockchainSource, blockchainFeesChartPath, q, func(r *Response) (market.Batch, error) {
		return decodeBlockchainFeesChart(r.Body, r.Date)
	})
}

// blockchainChartWire is an api.blockchain.info chart.
type blockchainChartWire struct {
	Status string                `json:"status"`
	Error  json.RawMessage       `json:"error"`
	Unit   string                `json:"unit"`
	Values []blockchainPointWire `json:"values"` // a null point decodes as the zero value
}

// blockchainPointWire is one chart point: x is the Unix second of the day's
// start (midnight UTC); y may be written in scientific notation.
type blockchainPointWire struct {
	X Num `json:"x"`
	Y Num `json:"y"`
}

// decodeBlockchainFeesChart decodes the transaction-fees chart (BTC per day)
// into FeesPerBlock: the newest complete day's total — a day whose end is not
// after now (the response's Date) — divided by 144. At is the end of that
// day. A status other than "ok", an empty series or no complete day is an
// error; null or malformed points are skipped.
func decodeBlockchainFeesChart(body []byte, now time.Time) (market.Batch, error) {
	var w blockchainChartWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.Status != "ok" {
		return market.Batch{}, fmt.Errorf("status %q, not \"ok\"", Clip(w.Status, 40))
	}
	if len(w.Values) == 0 {
		return market.Batch{}, errors.New("empty values: no day in the chart")
	}
	if strings.Contains(strings.ToUpper(w.Unit), "USD") {
		return market.Batch{}, fmt.Errorf("unit %q: a USD chart, expected BTC", Clip(w.Unit, 40))
	}
	nowS := float64(now.Unix())
	best := -1
	for i, p := range w.Values {
		if !p.X.OK || !p.Y.OK || !(p.X.V >= genesisUnix && p.X.V <= year2100Unix) {
			continue
		}
		if p.X.V+86400 > nowS { // the day is not over
			continue
		}
		if best < 0 || p.X.V > w.Values[best].X.V {
			best = i
		}
	}
	if best < 0 {
		return market.Batch{}, fmt.Errorf("none of the %d points is a complete day with a value", len(w.Values))
	}
	p := w.Values[best]
	var b market.Batch
	b.Add(market.FeesPerBlock, p.Y.V/nominalBlocksPerDay, time.Unix(int64(p.X.V)+86400, 0).UTC(), blockchainFeesSource)
	return b, nil
}

// ---------------------------------------------------------------------------
// blockchain.info ticker

type blockchainTicker struct{ c *HTTPClient }

// NewBlockchainTicker returns the provider "blockchain.info ticker": one
// request to /ticker, emitting PriceUSD (USD per BTC, USD.last, else the
// 15-minute delayed USD."15m") at the response's Date.
func NewBlockchainTicker(base string, o HTTPOptions) market.Provider {
	return &blockchainTicker{c: NewHTTPClient(blockchainSource, base, o)}
}

// Name implements Provider.
func (p *blockchainTicker) Name() string { return "blockchain.info ticker" }

// Fetch implements Provider.
func (p *blockchainTicker) Fetch(ctx context.Context) (market.Batch, error) {
	return onchainFetchOne(ctx, p.c, blockchainSource, blockchainTickerPath, nil, func(r *Response) (market.Batch, error) {
		return decodeBlockchainTicker(r.Body, r.Date)
	})
}

// blockchainTickerWire is /ticker: currency code → prices. Only USD is read.
type blockchainTickerWire struct {
	Error json.RawMessage `json:"error"`
	USD   *struct {
		Last Num `json:"last"`
		M15  Num `json:"15m"`
	} `json:"USD"`
}

// decodeBlockchainTicker decodes /ticker into PriceUSD (USD per BTC) at at:
// USD.last, or USD."15m" when last is missing or null.
func decodeBlockchainTicker(body []byte, at time.Time) (market.Batch, error) {
	var w blockchainTickerWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.USD == nil {
		return market.Batch{}, errors.New("no USD entry in the ticker")
	}
	v := w.USD.Last
	if !v.OK {
		v = w.USD.M15
	}
	var b market.Batch
	if !v.OK {
		b.Reject(string(market.PriceUSD), "USD.last and USD.15m are both missing or null")
		return b, nil
	}
	b.Add(market.PriceUSD, v.V, at, blockchainSource)
	return b, nil
}
