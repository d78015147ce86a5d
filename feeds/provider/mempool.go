package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// mempool.space providers (docs/upstreams.md#mempool). Every value they emit carries
// Source "mempool.space". Self-hosted instances serve the same paths, so the
// base URL comes from Endpoints.Mempool.

// MempoolSource names mempool.space in observations and health.
const MempoolSource = "mempool.space"

// mempool.space paths.
const (
	mempoolDifficultyPath  = "/api/v1/difficulty-adjustment"
	mempoolTipHeightPath   = "/api/blocks/tip/height"
	mempoolHashratePath    = "/api/v1/mining/hashrate/3d"
	mempoolRewardStatsPath = "/api/v1/mining/reward-stats/144"
	mempoolBlockFeesPath   = "/api/v1/mining/blocks/fees/24h"
	mempoolPricesPath      = "/api/v1/prices"
)

// Unit conversions.
const (
	satsPerBTC = 1e8
	hsPerEHs   = 1e18 // H/s in one EH/s
	ghsPerEHs  = 1e9  // GH/s in one EH/s
	msPerS     = 1e3
)

// genesisUnix and year2100Unix bound any Unix-seconds timestamp an upstream
// may send (the same range as EpochStart).
const (
	genesisUnix  = 1231006505
	year2100Unix = 4102444800
)

// ---------------------------------------------------------------------------
// mempool.space network

type mempoolNetwork struct{ c *HTTPClient }

// NewMempoolNetwork returns the provider "mempool.space network". Each poll
// makes three requests concurrently to base (scheme://host[:port]):
// /api/v1/difficulty-adjustment, /api/blocks/tip/height and
// /api/v1/mining/hashrate/3d. It emits Height (blocks), Difficulty
// (dimensionless), EpochStart (Unix s of the last retarget), MeanBlockTime
// (seconds, from the epoch's mean interval sent in ms), AdjustmentPct
// (percent, the upstream's estimate of the next retarget), RetargetDate
// (Unix s, the upstream's estimate of when it comes, sent in ms) and Hashrate
// (EH/s, from H/s). Every value refers to the response's Date.
//
// When one or two requests fail the batch holds what the others gave and
// lists each failure in Rejected (What is the path); only when nothing usable
// arrived does Fetch return an error, the *HTTPError with the longest
// Retry-After when there is one.
func NewMempoolNetwork(base string, o HTTPOptions) market.Provider {
	return &mempoolNetwork{c: NewHTTPClient(MempoolSource, base, o)}
}

// Name implements Provider.
func (p *mempoolNetwork) Name() string { return "mempool.space network" }

// Fetch implements Provider.
func (p *mempoolNetwork) Fetch(ctx context.Context) (market.Batch, error) {
	parts := []onchainPart{
		{path: mempoolDifficultyPath, decode: func(r *Response) (market.Batch, error) { return decodeMempoolDifficulty(r.Body, r.Date) }},
		{path: mempoolTipHeightPath, decode: func(r *Response) (market.Batch, error) { return decodeMempoolTipHeight(r.Body, r.Date) }},
		{path: mempoolHashratePath, decode: func(r *Response) (market.Batch, error) { return decodeMempoolHashrate(r.Body, r.Date) }},
	}
	return onchainFetchParts(ctx, p.c, MempoolSource, parts)
}

// mempoolDifficultyWire is /api/v1/difficulty-adjustment. Only the fields
// hashdeck uses are decoded. Units are mixed: estimatedRetargetDate and
// remainingTime are Unix ms and ms, timeAvg is ms, but previousTime is Unix
// seconds (the public docs' example suggests otherwise; the code does not).
type mempoolDifficultyWire struct {
	Error                 json.RawMessage `json:"error"`
	DifficultyChange      *Num            `json:"difficultyChange"`      // percent
	PreviousTime          *Num            `json:"previousTime"`          // Unix s
	TimeAvg               *Num            `json:"timeAvg"`               // ms
	EstimatedRetargetDate *Num            `json:"estimatedRetargetDate"` // Unix ms
}

// decodeMempoolDifficulty decodes /api/v1/difficulty-adjustment into
// EpochStart (Unix s), MeanBlockTime (s), AdjustmentPct (percent) and, when
// sent, RetargetDate (Unix s, from estimatedRetargetDate in ms), all
// referring to at (the response's Date). A missing or implausible field is
// rejected with a reason; an in-band error or a body with none of the three
// fields is an error.
func decodeMempoolDifficulty(body []byte, at time.Time) (market.Batch, error) {
	var w mempoolDifficultyWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.DifficultyChange == nil && w.PreviousTime == nil && w.TimeAvg == nil {
		return market.Batch{}, errors.New("no difficultyChange, previousTime or timeAvg in the answer")
	}
	var b market.Batch
	if v, ok := onchainField(&b, market.EpochStart, "previousTime", w.PreviousTime); ok {
		// Seconds on the wire; a value in ms (≈1.7e12) falls outside
		// EpochStart's range and is rejected rather than guessed at.
		b.Add(market.EpochStart, v, at, MempoolSource)
	}
	if v, ok := onchainField(&b, market.MeanBlockTime, "timeAvg", w.TimeAvg); ok {
		if v == 0 {
			b.Reject(string(market.MeanBlockTime), "timeAvg is 0 (no block in the epoch yet)")
		} else {
			b.Add(market.MeanBlockTime, v/msPerS, at, MempoolSource)
		}
	}
	if v, ok := onchainField(&b, market.AdjustmentPct, "difficultyChange", w.DifficultyChange); ok {
		b.Add(market.AdjustmentPct, v, at, MempoolSource)
	}
	if w.EstimatedRetargetDate != nil {
		if v, ok := onchainField(&b, market.RetargetDate, "estimatedRetargetDate", w.EstimatedRetargetDate); ok {
			// Unix ms on the wire; a seconds-sized value (the public docs'
			// example) falls below RetargetDate's range after the division
			// and is rejected rather than guessed at.
			b.Add(market.RetargetDate, v/msPerS, at, MempoolSource)
		}
	}
	return b, nil
}

// decodeMempoolTipHeight decodes /api/blocks/tip/height, a text/plain
// decimal ("930512"), into Height (blocks) at the response's Date.
func decodeMempoolTipHeight(body []byte, at time.Time) (market.Batch, error) {
	v, err := onchainPlainNumber(body)
	if err != nil {
		return market.Batch{}, err
	}
	var b market.Batch
	b.Add(market.Height, v, at, MempoolSource)
	return b, nil
}

// mempoolHashrateWire is /api/v1/mining/hashrate/{interval}. The daily
// hashrates[] and per-retarget difficulty[] arrays are not decoded.
type mempoolHashrateWire struct {
	Error             json.RawMessage `json:"error"`
	CurrentHashrate   *Num            `json:"currentHashrate"`   // H/s, 0 = unknown
	CurrentDifficulty *Num            `json:"currentDifficulty"` // 0 = unknown
}

// decodeMempoolHashrate decodes /api/v1/mining/hashrate/3d into Hashrate
// (EH/s, from currentHashrate in H/s) and Difficulty (currentDifficulty),
// both at the response's Date. The backend sends 0 for both when its
// bitcoind call failed: 0 is rejected as unknown, never passed on.
func decodeMempoolHashrate(body []byte, at time.Time) (market.Batch, error) {
	var w mempoolHashrateWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.CurrentHashrate == nil && w.CurrentDifficulty == nil {
		return market.Batch{}, errors.New("no currentHashrate or currentDifficulty in the answer")
	}
	var b market.Batch
	if v, ok := onchainField(&b, market.Difficulty, "currentDifficulty", w.CurrentDifficulty); ok {
		if v == 0 {
			b.Reject(string(market.Difficulty), "currentDifficulty is 0: unknown (the upstream's node call failed)")
		} else {
			b.Add(market.Difficulty, v, at, MempoolSource)
		}
	}
	if v, ok := onchainField(&b, market.Hashrate, "currentHashrate", w.CurrentHashrate); ok {
		if v == 0 {
			b.Reject(string(market.Hashrate), "currentHashrate is 0: unknown (the upstream's node call failed)")
		} else {
			b.Add(market.Hashrate, v/hsPerEHs, at, MempoolSource)
		}
	}
	return b, nil
}

// ---------------------------------------------------------------------------
// mempool.space fees (reward stats over the last 144 blocks)

type mempoolFees struct{ c *HTTPClient }

// NewMempoolFees returns the provider "mempool.space fees": one request to
// /api/v1/mining/reward-stats/144, emitting FeesPerBlock (BTC per block, the
// mean over the blocks the answer covers) at the response's Date.
func NewMempoolFees(base string, o HTTPOptions) market.Provider {
	return &mempoolFees{c: NewHTTPClient(MempoolSource, base, o)}
}

// Name implements Provider.
func (p *mempoolFees) Name() string { return "mempool.space fees" }

// Fetch implements Provider.
func (p *mempoolFees) Fetch(ctx context.Context) (market.Batch, error) {
	return onchainFetchOne(ctx, p.c, MempoolSource, mempoolRewardStatsPath, nil, func(r *Response) (market.Batch, error) {
		return decodeMempoolRewardStats(r.Body, r.Date)
	})
}

// mempoolRewardStatsWire is /api/v1/mining/reward-stats/{n}. The sums are
// MySQL DECIMALs and arrive as JSON strings ("361234567"), in sats.
type mempoolRewardStatsWire struct {
	Error      json.RawMessage `json:"error"`
	StartBlock Num             `json:"startBlock"`
	EndBlock   Num             `json:"endBlock"`
	TotalFee   Num             `json:"totalFee"` // sats, usually a string
}

// maxRewardStatsBlocks bounds the block count a reward-stats answer may
// cover (the path asks for 144).
const maxRewardStatsBlocks = 10000

// decodeMempoolRewardStats decodes /api/v1/mining/reward-stats/144 into
// FeesPerBlock: totalFee (sats, string or number) / 1e8 divided by the
// number of blocks covered (endBlock − startBlock + 1), at the response's
// Date.
func decodeMempoolRewardStats(body []byte, at time.Time) (market.Batch, error) {
	var w mempoolRewardStatsWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if !w.StartBlock.OK || !w.EndBlock.OK {
		return market.Batch{}, errors.New("startBlock or endBlock missing")
	}
	n := w.EndBlock.V - w.StartBlock.V + 1
	if !(n >= 1 && n <= maxRewardStatsBlocks) || n != math.Trunc(n) {
		return market.Batch{}, fmt.Errorf("startBlock %v and endBlock %v do not make a block range", w.StartBlock.V, w.EndBlock.V)
	}
	if !w.TotalFee.OK {
		return market.Batch{}, errors.New("totalFee missing")
	}
	var b market.Batch
	b.Add(market.FeesPerBlock, w.TotalFee.V/satsPerBTC/n, at, MempoolSource)
	return b, nil
}

// ---------------------------------------------------------------------------
// mempool.space fees over 24 h (per block)

type mempoolFees24h struct{ c *HTTPClient }

// NewMempoolFees24h returns the provider "mempool.space fees-24h": one
// request to /api/v1/mining/blocks/fees/24h (every block of the last day),
// emitting FeesPerBlock (BTC per block, the mean of the blocks' fees) at the
// newest block's timestamp.
func NewMempoolFees24h(base string, o HTTPOptions) market.Provider {
	return &mempoolFees24h{c: NewHTTPClient(MempoolSource, base, o)}
}

// Name implements Provider.
func (p *mempoolFees24h) Name() string { return "mempool.space fees-24h" }

// Fetch implements Provider.
func (p *mempoolFees24h) Fetch(ctx context.Context) (market.Batch, error) {
	return onchainFetchOne(ctx, p.c, MempoolSource, mempoolBlockFeesPath, nil, func(r *Response) (market.Batch, error) {
		return decodeMempoolBlockFees(r.Body)
	})
}

// mempoolBlockFeeWire is one item of /api/v1/mining/blocks/fees/{interval}.
// USD (the joined BTC price) and avgHeight are not used.
type mempoolBlockFeeWire struct {
	Timestamp Num `json:"timestamp"` // Unix s
	AvgFees   Num `json:"avgFees"`   // sats per block
}

// decodeMempoolBlockFees decodes /api/v1/mining/blocks/fees/24h (an array,
// oldest first, though order is not relied on) into FeesPerBlock: the mean
// avgFees (sats per block) / 1e8, at the newest item's timestamp. Null items
// and items without a plausible timestamp or fee are skipped (counted in one
// rejection); an empty array, or one with no usable item, is an error.
func decodeMempoolBlockFees(body []byte) (market.Batch, error) {
	t := onchainTrim(body)
	if len(t) > 0 && t[0] == '{' {
		var e struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(t, &e) == nil {
			if err := onchainInBandError(e.Error); err != nil {
				return market.Batch{}, err
			}
		}
	}
	var items []mempoolBlockFeeWire // a null item decodes as the zero value
	if err := DecodeJSON(body, &items); err != nil {
		return market.Batch{}, err
	}
	if len(items) == 0 {
		return market.Batch{}, errors.New("empty array: no block in the window")
	}
	var (
		sum    float64
		n, bad int
		newest float64
	)
	for _, it := range items {
		if !it.AvgFees.OK || !it.Timestamp.OK ||
			!(it.AvgFees.V >= 0 && it.AvgFees.V <= 1000*satsPerBTC) ||
			!(it.Timestamp.V >= genesisUnix && it.Timestamp.V <= year2100Unix) {
			bad++
			continue
		}
		sum += it.AvgFees.V
		n++
		newest = max(newest, it.Timestamp.V)
	}
	if n == 0 {
		return market.Batch{}, fmt.Errorf("none of the %d items has a usable timestamp and avgFees", len(items))
	}
	var b market.Batch
	if bad > 0 {
		b.Reject(string(market.FeesPerBlock), fmt.Sprintf("%d of %d blocks skipped: null, or no plausible timestamp or avgFees", bad, len(items)))
	}
	b.Add(market.FeesPerBlock, sum/float64(n)/satsPerBTC, time.Unix(int64(newest), 0).UTC(), MempoolSource)
	return b, nil
}

// ---------------------------------------------------------------------------
// mempool.space price

type mempoolPrice struct{ c *HTTPClient }

// NewMempoolPrice returns the provider "mempool.space price": one request to
// /api/v1/prices, emitting PriceUSD (USD per BTC) at the answer's time.
func NewMempoolPrice(base string, o HTTPOptions) market.Provider {
	return &mempoolPrice{c: NewHTTPClient(MempoolSource, base, o)}
}

// Name implements Provider.
func (p *mempoolPrice) Name() string { return "mempool.space price" }

// Fetch implements Provider.
func (p *mempoolPrice) Fetch(ctx context.Context) (market.Batch, error) {
	return onchainFetchOne(ctx, p.c, MempoolSource, mempoolPricesPath, nil, func(r *Response) (market.Batch, error) {
		return decodeMempoolPrices(r.Body, r.Date)
	})
}

// mempoolPricesWire is /api/v1/prices; the other currencies are ignored.
type mempoolPricesWire struct {
	Error json.RawMessage `json:"error"`
	Time  Num             `json:"time"` // Unix s
	USD   *Num            `json:"USD"`  // -1 = unknown
}

// decodeMempoolPrices decodes /api/v1/prices into PriceUSD (USD per BTC).
// The value refers to the answer's time (Unix s), or to date (the response's
// Date) when that is missing or implausible. USD −1 is the backend's
// "unknown" placeholder and is rejected with that reason.
func decodeMempoolPrices(body []byte, date time.Time) (market.Batch, error) {
	var w mempoolPricesWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.USD == nil {
		return market.Batch{}, errors.New("USD missing or null")
	}
	var b market.Batch
	at := date
	if w.Time.OK && w.Time.V >= genesisUnix && w.Time.V <= year2100Unix {
		at = time.Unix(int64(w.Time.V), 0).UTC()
	} else {
		b.Reject(string(market.PriceUSD)+" time", fmt.Sprintf("time %v is not a plausible Unix time in seconds; using the response's Date", w.Time.V))
	}
	switch {
	case !w.USD.OK:
		b.Reject(string(market.PriceUSD), "USD is a placeholder, not a number")
	case w.USD.V == -1:
		b.Reject(string(market.PriceUSD), "USD is -1: unknown (the upstream has no price feed yet)")
	default:
		b.Add(market.PriceUSD, w.USD.V, at, MempoolSource)
	}
	return b, nil
}

// ---------------------------------------------------------------------------
// Helpers shared by the mempool.space and blockchain.info providers.

// onchainPart is one request of a multi-request provider.
type onchainPart struct {
	path   string
	query  url.Values
	decode func(*Response) (market.Batch, error)
}

// onchainFetchOne makes one request and decodes it, wrapping decode errors
// with the source and path. An answer with no accepted value is an error;
// the batch is returned with it so its rejections are shown.
func onchainFetchOne(ctx context.Context, c *HTTPClient, source, path string, query url.Values, decode func(*Response) (market.Batch, error)) (market.Batch, error) {
	resp, err := c.Get(ctx, path, query, nil)
	if err != nil {
		return market.Batch{}, err
	}
	b, err := decode(resp)
	if err != nil {
		return b, fmt.Errorf("%s %s: %w", source, path, err)
	}
	if b.Empty() {
		return b, fmt.Errorf("%s %s: %w: %s", source, path, errOnchainNoValue, onchainRejections(b))
	}
	return b, nil
}

// onchainFetchParts makes the requests of parts concurrently and merges what
// they gave in the order of parts. A failed part becomes a rejection named by
// its path; when nothing usable arrived the error returned wraps the
// *HTTPError with the longest Retry-After (else the first HTTP error, else
// the first failure), and names every failure.
func onchainFetchParts(ctx context.Context, c *HTTPClient, source string, parts []onchainPart) (market.Batch, error) {
	batches := make([]market.Batch, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() {
			batches[i], errs[i] = onchainFetchOne(ctx, c, source, part.path, part.query, part.decode)
		})
	}
	wg.Wait()
	var out market.Batch
	for i, part := range parts {
		out.Obs = append(out.Obs, batches[i].Obs...)
		out.Rejected = append(out.Rejected, batches[i].Rejected...)
		// A part that answered with only refused values is explained by
		// its rejections already.
		if errs[i] != nil && !errors.Is(errs[i], errOnchainNoValue) {
			out.Reject(part.path, errs[i].Error())
		}
	}
	if !out.Empty() {
		return out, nil
	}
	best := -1
	var bestHE *HTTPError
	for i, err := range errs {
		var he *HTTPError
		switch {
		case err == nil:
		case errors.As(err, &he) && (bestHE == nil || he.RetryAfter > bestHE.RetryAfter):
			best, bestHE = i, he
		case best < 0:
			best = i
		}
	}
	if best < 0 { // no parts
		return out, fmt.Errorf("%s: nothing requested", source)
	}
	var others []string
	for i, err := range errs {
		if err != nil && i != best {
			others = append(others, err.Error())
		}
	}
	if len(others) == 0 {
		return out, fmt.Errorf("%s: nothing usable: %w", source, errs[best])
	}
	return out, fmt.Errorf("%s: nothing usable: %w; also %s", source, errs[best], strings.Join(others, "; "))
}

// errOnchainNoValue marks an answer that held values, all refused.
var errOnchainNoValue = errors.New("no usable value")

// onchainRejections joins a batch's rejection reasons for an error message.
func onchainRejections(b market.Batch) string {
	if len(b.Rejected) == 0 {
		return "the answer held no value"
	}
	r := make([]string, len(b.Rejected))
	for i, x := range b.Rejected {
		r[i] = x.Reason
	}
	return strings.Join(r, "; ")
}

// onchainInBandError turns a JSON "error" field (mempool.space's
// {"error":"…"} shape) into an error; null or absent is no error.
func onchainInBandError(raw json.RawMessage) error {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil
	}
	var msg string
	if json.Unmarshal(raw, &msg) != nil {
		msg = s
	}
	return fmt.Errorf("upstream error: %s", Clip(strings.Join(strings.Fields(msg), " "), 100))
}

// onchainField reads an optional numeric field: it rejects a missing, null
// or placeholder ("N/A") one (named by its wire name) and reports whether v may be checked further.
func onchainField(b *market.Batch, m market.Metric, wire string, n *Num) (float64, bool) {
	if n == nil { // encoding/json leaves a pointer nil for null too
		b.Reject(string(m), wire+" missing or null")
		return 0, false
	}
	if !n.OK {
		b.Reject(string(m), wire+" is a placeholder, not a number")
		return 0, false
	}
	return n.V, true
}

// onchainTrim trims ASCII whitespace and a UTF-8 byte-order mark.
func onchainTrim(body []byte) []byte {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(body)), "\uFEFF"))
	return []byte(s)
}

// onchainPlainNumber parses a text/plain number body ("930512",
// "146472570619930.8", "1.464725706199308E14"). An empty body, an HTML page
// or JSON error, or text that is not one number is an error quoting it.
func onchainPlainNumber(body []byte) (float64, error) {
	t := onchainTrim(body)
	switch {
	case len(t) == 0:
		return 0, errors.New("empty body")
	case t[0] == '<':
		return 0, fmt.Errorf("HTML served with HTTP 200 (%s)", describeBody(t, "text/html"))
	case t[0] == '{':
		var e struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(t, &e) == nil {
			if err := onchainInBandError(e.Error); err != nil {
				return 0, err
			}
		}
		return 0, fmt.Errorf("expected a plain-text number, got JSON (%s)", describeBody(t, ""))
	}
	v, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return 0, fmt.Errorf("expected a plain-text number, got %q", Clip(strings.Join(strings.Fields(string(t)), " "), 60))
	}
	return v, nil
}
