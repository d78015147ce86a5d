package provider

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// History fetchers for the backfill (docs/upstreams.md#mempool-history): daily
// network hashrate, difficulty per retarget, daily mean fees per block and
// the daily BTC price, all from mempool.space. Stock closes come from the
// stock providers' FetchHistory (yahoo.go, nasdaq.go).
//
// Every decoder is pure (a body in, a Batch out). Each point is checked
// with CheckValue; a point that fails, or that has no plausible time, is
// refused and counted in Batch.Rejected (one rejection per reason, with how
// many points it covers and the first one's date), never passed on.
//
// Daily values are reported at midnight UTC of the day they summarise (the
// convention of Bar.Day and of the history store's daily buckets), so that
// fetching a day again replaces the stored value for that day instead of
// adding a second point beside it.

// mempool.space history paths; the interval is appended to the first two.
const (
	mempoolHashrateHistoryPath = "/api/v1/mining/hashrate/"
	mempoolFeesHistoryPath     = "/api/v1/mining/blocks/fees/"
	mempoolPriceHistoryPath    = "/api/v1/historical-price"
)

// HistoryMaxBody is the response size limit, in bytes, a client used for
// the history fetchers should allow (HTTPOptions.MaxBody): mempool.space's
// full price history, hourly for recent years with eight currencies per
// row, is several MiB, above the 8 MiB default's comfort.
const HistoryMaxBody = 64 << 20

// ErrNoHistory marks an answer that is well formed but holds no data:
// mempool.space's historical-price sends HTTP 200 with an empty body (or
// null) when its database query fails; the hashrate and fees endpoints send
// empty arrays for a window without data.
var ErrNoHistory = errors.New("the answer holds no history")

// secondsPerDay is the length of a UTC day in seconds.
const secondsPerDay = 86400

// MempoolIntervals lists the interval path segments mempool.space's mining
// history endpoints accept, shortest first. Any other segment makes the
// backend return its whole history, so the fetchers refuse it.
func MempoolIntervals() []string {
	return []string{"24h", "3d", "1w", "1m", "3m", "6m", "1y", "2y", "3y", "4y"}
}

// checkMempoolInterval reports whether iv is one of MempoolIntervals.
func checkMempoolInterval(iv string) error {
	if slices.Contains(MempoolIntervals(), iv) {
		return nil
	}
	return fmt.Errorf("mempool.space interval %q is not one of %s (anything else returns the whole history)",
		Clip(iv, 20), strings.Join(MempoolIntervals(), " "))
}

// FetchMempoolHashrateHistory requests /api/v1/mining/hashrate/{interval}
// (interval one of MempoolIntervals; 1y is about 365 points, 3y about 1100)
// through c and returns what decodeMempoolHashrateHistory accepts: one
// Hashrate observation per UTC day (EH/s, converted from avgHashrate in
// H/s, at midnight UTC of the day) and one Difficulty observation per
// retarget in the window (dimensionless, at the retarget's time). Source is
// "mempool.space". An HTTP failure is the *HTTPError (Retry-After
// included); an answer with no accepted point is an error, returned with
// the batch so that its rejections can be shown.
func FetchMempoolHashrateHistory(ctx context.Context, c *HTTPClient, interval string) (market.Batch, error) {
	if err := checkMempoolInterval(interval); err != nil {
		return market.Batch{}, err
	}
	return onchainFetchOne(ctx, c, MempoolSource, mempoolHashrateHistoryPath+interval, nil,
		func(r *Response) (market.Batch, error) { return decodeMempoolHashrateHistory(r.Body) })
}

// FetchMempoolFeesHistory requests /api/v1/mining/blocks/fees/{interval}
// through c and returns one FeesPerBlock observation per UTC day (BTC per
// block: the mean of the day's buckets' avgFees in sats, / 1e8) and one
// PriceUSD observation per UTC day (USD per BTC: the USD field of the day's
// last bucket, the backend's price joined to the blocks), both at midnight
// UTC. The price is meant as a fallback for FetchMempoolPriceHistory.
// Buckets are 8 h for 1y and 2y, 12 h for 3y and 4y, finer for shorter
// windows; any size works. Errors as FetchMempoolHashrateHistory.
func FetchMempoolFeesHistory(ctx context.Context, c *HTTPClient, interval string) (market.Batch, error) {
	if err := checkMempoolInterval(interval); err != nil {
		return market.Batch{}, err
	}
	return onchainFetchOne(ctx, c, MempoolSource, mempoolFeesHistoryPath+interval, nil,
		func(r *Response) (market.Batch, error) { return decodeMempoolFeesHistory(r.Body) })
}

// FetchMempoolPriceHistory requests /api/v1/historical-price (no
// parameters: the backend's whole price history, newest first, weekly in
// the early years, then daily, then hourly) through c and returns one
// PriceUSD observation per UTC day (USD per BTC: the day's last point, at
// midnight UTC). The endpoint has no window: the caller keeps the days it
// needs. HTTP 200 with an empty body is an error wrapping ErrNoHistory. The
// body is several MiB: give c a MaxBody of HistoryMaxBody.
func FetchMempoolPriceHistory(ctx context.Context, c *HTTPClient) (market.Batch, error) {
	return onchainFetchOne(ctx, c, MempoolSource, mempoolPriceHistoryPath, nil,
		func(r *Response) (market.Batch, error) { return decodeMempoolPriceHistory(r.Body) })
}

// ---------------------------------------------------------------------------
// Decoders

// mempoolHashrateHistoryWire is /api/v1/mining/hashrate/{interval}
// (currentHashrate and currentDifficulty are not read). The arrays are
// pointers so that an absent key (not this endpoint's answer) differs from
// an empty one (no data in the window); items are pointers because the
// arrays may hold null.
type mempoolHashrateHistoryWire struct {
	Error      json.RawMessage              `json:"error"`
	Hashrates  *[]*mempoolHashratePointWire `json:"hashrates"`
	Difficulty *[]*mempoolRetargetWire      `json:"difficulty"`
}

// mempoolHashratePointWire is one item of hashrates[]: one per day.
type mempoolHashratePointWire struct {
	Timestamp   Num `json:"timestamp"`   // Unix s, the mean of the day's sample times
	AvgHashrate Num `json:"avgHashrate"` // H/s
}

// mempoolRetargetWire is one item of difficulty[]: one per retarget. Its
// time field is "time", not "timestamp" (mempool's docs example is wrong).
// Adjustment is a ratio (new/old, 1.0445 = +4.45 %) and is not stored:
// AdjustmentPct means upstream's estimate of the next retarget, not a past one.
type mempoolRetargetWire struct {
	Time       Num `json:"time"` // Unix s
	Height     Num `json:"height"`
	Difficulty Num `json:"difficulty"`
	Adjustment Num `json:"adjustment"` // ratio
}

// decodeMempoolHashrateHistory decodes a hashrate history answer into
// daily Hashrate observations (EH/s, the mean of the day's points when the
// backend sends more than one, at midnight UTC) and per-retarget
// Difficulty observations (at the retarget's time; the later height wins
// when two share a time), sorted by metric then time. An in-band error, a
// body that is not this endpoint's answer, or empty arrays (ErrNoHistory)
// are errors.
func decodeMempoolHashrateHistory(body []byte) (market.Batch, error) {
	var w mempoolHashrateHistoryWire
	if err := DecodeJSON(body, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.Hashrates == nil && w.Difficulty == nil {
		return market.Batch{}, errors.New("no hashrates or difficulty array in the answer")
	}
	var hashrates []*mempoolHashratePointWire
	if w.Hashrates != nil {
		hashrates = *w.Hashrates
	}
	var df []*mempoolRetargetWire
	if w.Difficulty != nil {
		df = *w.Difficulty
	}
	if len(hashrates) == 0 && len(df) == 0 {
		return market.Batch{}, fmt.Errorf("%w: empty hashrates and difficulty arrays", ErrNoHistory)
	}
	var b market.Batch
	var rej rejectTally
	days := dailyMeans{}
	for _, it := range hashrates {
		if it == nil {
			rej.add(string(market.Hashrate), "null item", time.Time{})
			continue
		}
		at, ok := historyTime(&rej, market.Hashrate, "timestamp", it.Timestamp)
		if !ok {
			continue
		}
		if !it.AvgHashrate.OK {
			rej.add(string(market.Hashrate), "avgHashrate missing, null or a placeholder", at)
			continue
		}
		v := it.AvgHashrate.V / hsPerEHs
		if err := market.CheckValue(market.Hashrate, v); err != nil {
			rej.add(string(market.Hashrate), err.Error(), at)
			continue
		}
		days.add(at, v)
	}
	for _, d := range days.sorted() {
		b.Add(market.Hashrate, d.mean(), d.day, MempoolSource)
	}
	type retarget struct {
		at     time.Time
		height float64
		v      float64
	}
	var rts []retarget
	for _, it := range df {
		if it == nil {
			rej.add(string(market.Difficulty), "null item", time.Time{})
			continue
		}
		at, ok := historyTime(&rej, market.Difficulty, "time", it.Time)
		if !ok {
			continue
		}
		if !it.Difficulty.OK {
			rej.add(string(market.Difficulty), "difficulty missing, null or a placeholder", at)
			continue
		}
		if err := market.CheckValue(market.Difficulty, it.Difficulty.V); err != nil {
			rej.add(string(market.Difficulty), err.Error(), at)
			continue
		}
		h := -1.0
		if it.Height.OK {
			h = it.Height.V
		}
		rts = append(rts, retarget{at: at, height: h, v: it.Difficulty.V})
	}
	slices.SortStableFunc(rts, func(x, y retarget) int {
		if c := x.at.Compare(y.at); c != 0 {
			return c
		}
		return cmp.Compare(x.height, y.height)
	})
	for i, r := range rts {
		if i+1 < len(rts) && rts[i+1].at.Equal(r.at) {
			continue // the later height of the same time wins
		}
		b.Add(market.Difficulty, r.v, r.at, MempoolSource)
	}
	rej.flush(&b, len(hashrates)+len(df))
	return b, nil
}

// mempoolFeesHistoryItem is one bucket of /api/v1/mining/blocks/fees/{interval}.
type mempoolFeesHistoryItem struct {
	AvgHeight Num `json:"avgHeight"`
	Timestamp Num `json:"timestamp"` // Unix s
	AvgFees   Num `json:"avgFees"`   // sats per block
	USD       Num `json:"USD"`       // USD per BTC; 0 or −1 = unknown
}

// decodeMempoolFeesHistory decodes a fees history answer (an array of
// buckets, oldest first, though order is not relied on) into one
// FeesPerBlock observation per UTC day (BTC per block: the unweighted mean
// of the day's buckets' avgFees / 1e8) and one PriceUSD observation per UTC
// day (the USD of the day's last bucket with a known price), both at
// midnight UTC. USD 0 and −1 mean "unknown" and are refused with that
// reason; the bucket's fees still count. An empty array is ErrNoHistory.
func decodeMempoolFeesHistory(body []byte) (market.Batch, error) {
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
	var items []*mempoolFeesHistoryItem
	if err := DecodeJSON(body, &items); err != nil {
		return market.Batch{}, err
	}
	if len(items) == 0 {
		return market.Batch{}, fmt.Errorf("%w: empty array", ErrNoHistory)
	}
	var rej rejectTally
	fees := dailyMeans{}
	prices := dailyLasts{}
	for _, it := range items {
		if it == nil {
			rej.add(string(market.FeesPerBlock), "null item", time.Time{})
			continue
		}
		at, ok := historyTime(&rej, market.FeesPerBlock, "timestamp", it.Timestamp)
		if !ok {
			continue
		}
		switch {
		case !it.AvgFees.OK:
			rej.add(string(market.FeesPerBlock), "avgFees missing, null or a placeholder", at)
		default:
			v := it.AvgFees.V / satsPerBTC
			if err := market.CheckValue(market.FeesPerBlock, v); err != nil {
				rej.add(string(market.FeesPerBlock), err.Error(), at)
			} else {
				fees.add(at, v)
			}
		}
		switch {
		case !it.USD.OK:
			rej.add(string(market.PriceUSD), "USD missing, null or a placeholder", at)
		case it.USD.V == 0 || it.USD.V == -1:
			rej.add(string(market.PriceUSD), fmt.Sprintf("USD is %g: unknown (no price for these blocks)", it.USD.V), at)
		default:
			if err := market.CheckValue(market.PriceUSD, it.USD.V); err != nil {
				rej.add(string(market.PriceUSD), err.Error(), at)
			} else {
				prices.add(at, it.USD.V)
			}
		}
	}
	var b market.Batch
	for _, d := range fees.sorted() {
		b.Add(market.FeesPerBlock, d.mean(), d.day, MempoolSource)
	}
	for _, d := range prices.sorted() {
		b.Add(market.PriceUSD, d.v, d.day, MempoolSource)
	}
	rej.flush(&b, len(items))
	return b, nil
}

// mempoolPriceHistoryWire is /api/v1/historical-price. Only USD is read
// from each row; exchangeRates is ignored.
type mempoolPriceHistoryWire struct {
	Error  json.RawMessage `json:"error"`
	Prices *[]*struct {
		Time Num `json:"time"` // Unix s
		USD  Num `json:"USD"`  // USD per BTC; 0 or −1 = unknown
	} `json:"prices"`
}

// decodeMempoolPriceHistory decodes a historical-price answer (rows newest
// first at irregular spacing) into one PriceUSD observation per UTC day:
// the value of the day's last row (the one with the latest time), at
// midnight UTC, oldest first. An empty body or null (what the backend
// sends with HTTP 200 when its query fails) and an empty prices array are
// ErrNoHistory. USD 0 and −1 mean "unknown" and are refused.
func decodeMempoolPriceHistory(body []byte) (market.Batch, error) {
	t := onchainTrim(body)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return market.Batch{}, fmt.Errorf("%w: HTTP 200 with an empty body (the backend found no price data)", ErrNoHistory)
	}
	var w mempoolPriceHistoryWire
	if err := DecodeJSON(t, &w); err != nil {
		return market.Batch{}, err
	}
	if err := onchainInBandError(w.Error); err != nil {
		return market.Batch{}, err
	}
	if w.Prices == nil {
		return market.Batch{}, errors.New("no prices array in the answer")
	}
	rows := *w.Prices
	if len(rows) == 0 {
		return market.Batch{}, fmt.Errorf("%w: empty prices array", ErrNoHistory)
	}
	var rej rejectTally
	days := dailyLasts{}
	for _, r := range rows {
		if r == nil {
			rej.add(string(market.PriceUSD), "null row", time.Time{})
			continue
		}
		at, ok := historyTime(&rej, market.PriceUSD, "time", r.Time)
		if !ok {
			continue
		}
		switch {
		case !r.USD.OK:
			rej.add(string(market.PriceUSD), "USD missing, null or a placeholder", at)
		case r.USD.V == 0 || r.USD.V == -1:
			rej.add(string(market.PriceUSD), fmt.Sprintf("USD is %g: unknown", r.USD.V), at)
		default:
			if err := market.CheckValue(market.PriceUSD, r.USD.V); err != nil {
				rej.add(string(market.PriceUSD), err.Error(), at)
				continue
			}
			days.add(at, r.USD.V)
		}
	}
	var b market.Batch
	for _, d := range days.sorted() {
		b.Add(market.PriceUSD, d.v, d.day, MempoolSource)
	}
	rej.flush(&b, len(rows))
	return b, nil
}

// ---------------------------------------------------------------------------
// Helpers

// historyTime reads a Unix-seconds field, refusing (in rej, for metric m) a
// missing one or one outside genesis..2100 (a value in milliseconds falls
// outside and is refused rather than guessed at).
func historyTime(rej *rejectTally, m market.Metric, wire string, n Num) (time.Time, bool) {
	if !n.OK {
		rej.add(string(m), wire+" missing, null or a placeholder", time.Time{})
		return time.Time{}, false
	}
	if !(n.V >= genesisUnix && n.V <= year2100Unix) {
		rej.add(string(m), wire+" is not a plausible Unix time in seconds", time.Time{})
		return time.Time{}, false
	}
	return time.Unix(int64(n.V), 0).UTC(), true
}

// dayMean is the running mean of one UTC day.
type dayMean struct {
	day time.Time
	sum float64
	n   int
}

func (d dayMean) mean() float64 { return d.sum / float64(d.n) }

// dailyMeans averages values per UTC day.
type dailyMeans map[int64]*dayMean

func (m dailyMeans) add(at time.Time, v float64) {
	day := market.UTCDay(at)
	d := m[day.Unix()]
	if d == nil {
		d = &dayMean{day: day}
		m[day.Unix()] = d
	}
	d.sum += v
	d.n++
}

// sorted returns the days oldest first.
func (m dailyMeans) sorted() []dayMean {
	out := make([]dayMean, 0, len(m))
	for _, d := range m {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b dayMean) int { return a.day.Compare(b.day) })
	return out
}

// dayLast is the latest value seen in one UTC day.
type dayLast struct {
	day time.Time
	at  time.Time
	v   float64
}

// dailyLasts keeps the value with the latest time per UTC day (the first
// one seen wins a tie).
type dailyLasts map[int64]*dayLast

func (m dailyLasts) add(at time.Time, v float64) {
	day := market.UTCDay(at)
	d := m[day.Unix()]
	if d == nil {
		m[day.Unix()] = &dayLast{day: day, at: at, v: v}
		return
	}
	if at.After(d.at) {
		d.at, d.v = at, v
	}
}

// sorted returns the days oldest first.
func (m dailyLasts) sorted() []dayLast {
	out := make([]dayLast, 0, len(m))
	for _, d := range m {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b dayLast) int { return a.day.Compare(b.day) })
	return out
}

// rejectTally counts refused points by (what, reason), so that a body with
// a thousand bad points gives a few rejections, not a thousand.
type rejectTally struct {
	keys   []rejectKey
	counts map[rejectKey]*rejectCount
}

type rejectKey struct{ what, reason string }

type rejectCount struct {
	n     int
	first time.Time // the first refused point's time, zero when it had none
}

func (r *rejectTally) add(what, reason string, at time.Time) {
	k := rejectKey{what, reason}
	if r.counts == nil {
		r.counts = map[rejectKey]*rejectCount{}
	}
	c := r.counts[k]
	if c == nil {
		c = &rejectCount{first: at}
		r.counts[k] = c
		r.keys = append(r.keys, k)
	}
	c.n++
}

// flush appends one rejection per (what, reason) to b, in first-seen
// order, naming how many of total points it covers and the first one's date.
func (r *rejectTally) flush(b *market.Batch, total int) {
	for _, k := range r.keys {
		c := r.counts[k]
		reason := k.reason
		if !c.first.IsZero() {
			reason += " (" + c.first.Format(time.DateOnly)
			if c.n > 1 {
				reason += fmt.Sprintf(" and %d more", c.n-1)
			}
			reason += ")"
		} else if c.n > 1 {
			reason += fmt.Sprintf(" (%d items)", c.n)
		}
		b.Reject(k.what, fmt.Sprintf("%s; %d of %d refused for this reason", reason, c.n, total))
	}
}
