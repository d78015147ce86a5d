package provider

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// Fixture values are representative of early 2026, not recorded; every
// fixture's Date header is this instant.
var onchainFixtureDate = time.Date(2026, 1, 14, 15, 0, 0, 0, time.UTC)

// onchainObs returns the observation of m in b, failing the test when there
// is not exactly one.
func onchainObs(t *testing.T, b market.Batch, m market.Metric) market.Observation {
	t.Helper()
	var found []market.Observation
	for _, o := range b.Obs {
		if o.Metric == m {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d observations of %s in %+v", len(found), m, b)
	}
	return found[0]
}

// onchainWant checks one observation's value (to 1e-12 relative), time and source.
func onchainWant(t *testing.T, b market.Batch, m market.Metric, v float64, at time.Time, source string) {
	t.Helper()
	o := onchainObs(t, b, m)
	if math.Abs(o.Value-v) > 1e-12*math.Abs(v) {
		t.Errorf("%s = %.15g, want %.15g", m, o.Value, v)
	}
	if !o.At.Equal(at) {
		t.Errorf("%s at %v, want %v", m, o.At, at)
	}
	if o.Source != source {
		t.Errorf("%s source %q, want %q", m, o.Source, source)
	}
}

// onchainNoObs fails when b holds an observation of m.
func onchainNoObs(t *testing.T, b market.Batch, m market.Metric) {
	t.Helper()
	for _, o := range b.Obs {
		if o.Metric == m {
			t.Errorf("%s passed on: %+v", m, o)
		}
	}
}

// onchainRejected fails unless some rejection's What is what and its reason contains reason.
func onchainRejected(t *testing.T, b market.Batch, what, reason string) {
	t.Helper()
	for _, r := range b.Rejected {
		if r.What == what && strings.Contains(r.Reason, reason) {
			return
		}
	}
	t.Errorf("no rejection of %q mentioning %q in %+v", what, reason, b.Rejected)
}

// onchainWantHTTP fails unless err is an *HTTPError with the status and Retry-After.
func onchainWantHTTP(t *testing.T, err error, status int, retry time.Duration, detail string) {
	t.Helper()
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error %v is not an *HTTPError", err)
	}
	if he.Status != status || he.RetryAfter != retry {
		t.Errorf("HTTP %d retry after %v, want %d and %v (%v)", he.Status, he.RetryAfter, status, retry, err)
	}
	if !strings.Contains(he.Detail, detail) {
		t.Errorf("detail %q does not mention %q", he.Detail, detail)
	}
	if d, _ := RetryAfter(err); d != retry {
		t.Errorf("RetryAfter(err) = %v, want %v", d, retry)
	}
}

// onchainFetch runs one Fetch against a replay server.
func onchainFetch(t *testing.T, newP func(string, HTTPOptions) market.Provider, routes map[string]string) (market.Batch, error, *fixture.Replay) {
	t.Helper()
	srv := fixture.NewReplay(t, routes)
	b, err := newP(srv.URL, HTTPOptions{Timeout: 5 * time.Second}).Fetch(context.Background())
	if cerr := b.Check(); cerr != nil {
		t.Errorf("batch fails Check: %v", cerr)
	}
	return b, err, srv
}

var mempoolNetworkOK = map[string]string{
	mempoolDifficultyPath: "mempool/difficulty-adjustment",
	mempoolTipHeightPath:  "mempool/tip-height",
	mempoolHashratePath:   "mempool/hashrate-3d",
}

func mempoolNetworkRoutes(over map[string]string) map[string]string {
	r := map[string]string{}
	for k, v := range mempoolNetworkOK {
		r[k] = v
	}
	for k, v := range over {
		r[k] = v
	}
	return r
}

func TestMempoolNames(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range []market.Provider{
		NewMempoolNetwork("http://x", HTTPOptions{}), NewMempoolFees("http://x", HTTPOptions{}),
		NewMempoolFees24h("http://x", HTTPOptions{}), NewMempoolPrice("http://x", HTTPOptions{}),
		NewBlockchainNetwork("http://x", HTTPOptions{}), NewBlockchainFees("http://x", HTTPOptions{}),
		NewBlockchainTicker("http://x", HTTPOptions{}),
	} {
		if p.Name() == "" || seen[p.Name()] {
			t.Errorf("name %q empty or repeated", p.Name())
		}
		seen[p.Name()] = true
	}
}

func TestMempoolNetworkFetch(t *testing.T) {
	b, err, srv := onchainFetch(t, NewMempoolNetwork, mempoolNetworkOK)
	if err != nil {
		t.Fatal(err)
	}
	d := onchainFixtureDate
	onchainWant(t, b, market.Height, 930512, d, "mempool.space")
	onchainWant(t, b, market.Difficulty, 146472570619930.8, d, "mempool.space")
	onchainWant(t, b, market.EpochStart, 1767732842, d, "mempool.space") // previousTime is in seconds
	onchainWant(t, b, market.MeanBlockTime, 589.752, d, "mempool.space") // timeAvg 589752 ms
	onchainWant(t, b, market.AdjustmentPct, 1.7376913, d, "mempool.space")
	onchainWant(t, b, market.Hashrate, 1066.7231654, d, "mempool.space")       // 1.0667231654e+21 H/s
	onchainWant(t, b, market.RetargetDate, 1768921781.760, d, "mempool.space") // estimatedRetargetDate is in ms
	if len(b.Obs) != 7 || len(b.Rejected) != 0 {
		t.Errorf("want 7 observations and no rejection: %+v", b)
	}
	for p := range mempoolNetworkOK {
		if srv.Hits(p) != 1 {
			t.Errorf("%s requested %d times", p, srv.Hits(p))
		}
	}
}

func TestMempoolNetworkPartial(t *testing.T) {
	// The difficulty-adjustment endpoint answers 503 while the backend warms up.
	b, err, _ := onchainFetch(t, NewMempoolNetwork, mempoolNetworkRoutes(map[string]string{mempoolDifficultyPath: "mempool/503"}))
	if err != nil {
		t.Fatalf("partial success is an error: %v", err)
	}
	onchainWant(t, b, market.Height, 930512, onchainFixtureDate, "mempool.space")
	onchainObs(t, b, market.Difficulty)
	onchainObs(t, b, market.Hashrate)
	for _, m := range []market.Metric{market.EpochStart, market.MeanBlockTime, market.AdjustmentPct} {
		onchainNoObs(t, b, m)
	}
	onchainRejected(t, b, mempoolDifficultyPath, "HTTP 503")
	onchainRejected(t, b, mempoolDifficultyPath, "Service Temporarily Unavailable")

	// The tip height served as an HTML page with HTTP 200.
	b, err, _ = onchainFetch(t, NewMempoolNetwork, mempoolNetworkRoutes(map[string]string{mempoolTipHeightPath: "mempool/html-200"}))
	if err != nil {
		t.Fatal(err)
	}
	onchainNoObs(t, b, market.Height)
	onchainRejected(t, b, mempoolTipHeightPath, "HTML served with HTTP 200 (HTML page: mempool - Bitcoin Explorer)")
}

func TestMempoolNetworkZeroHashrate(t *testing.T) {
	b, err, _ := onchainFetch(t, NewMempoolNetwork, mempoolNetworkRoutes(map[string]string{mempoolHashratePath: "mempool/hashrate-3d-zero"}))
	if err != nil {
		t.Fatal(err)
	}
	onchainNoObs(t, b, market.Difficulty)
	onchainNoObs(t, b, market.Hashrate)
	onchainRejected(t, b, string(market.Difficulty), "currentDifficulty is 0: unknown")
	onchainRejected(t, b, string(market.Hashrate), "currentHashrate is 0: unknown")
	onchainObs(t, b, market.Height)
	onchainObs(t, b, market.EpochStart)

	// With only the zero answer usable, the poll has nothing: an error that
	// carries the rejections in its batch.
	b, err, _ = onchainFetch(t, NewMempoolNetwork, map[string]string{mempoolHashratePath: "mempool/hashrate-3d-zero"})
	if err == nil || !strings.Contains(err.Error(), "nothing usable") {
		t.Fatalf("err = %v", err)
	}
	onchainRejected(t, b, string(market.Hashrate), "unknown")
}

func TestMempoolNetworkAllFailed(t *testing.T) {
	b, err, srv := onchainFetch(t, NewMempoolNetwork, map[string]string{
		mempoolDifficultyPath: "mempool/429-no-retry-after",
		mempoolTipHeightPath:  "mempool/429",
		mempoolHashratePath:   "mempool/503",
	})
	if err == nil {
		t.Fatal("no error when every request failed")
	}
	// The 429 with the Retry-After is the one returned, whatever the order.
	onchainWantHTTP(t, err, 429, 60*time.Second, "HTML page: 429 Too Many Requests")
	for p := range mempoolNetworkOK {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not name %s: %v", p, err)
		}
		if srv.Hits(p) != 1 {
			t.Errorf("%s requested %d times", p, srv.Hits(p))
		}
	}
	if len(b.Rejected) != 3 {
		t.Errorf("rejections: %+v", b.Rejected)
	}

	// No HTTP error at all: every answer was unusable.
	_, err, _ = onchainFetch(t, NewMempoolNetwork, map[string]string{
		mempoolDifficultyPath: "mempool/error-200",
		mempoolTipHeightPath:  "mempool/html-200",
		mempoolHashratePath:   "mempool/html-200",
	})
	var he *HTTPError
	if err == nil || errors.As(err, &he) || !strings.Contains(err.Error(), "upstream error: Error while fetching difficulty adjustment") {
		t.Errorf("err = %v", err)
	}
}

func TestMempoolFeesFetch(t *testing.T) {
	b, err, _ := onchainFetch(t, NewMempoolFees, map[string]string{mempoolRewardStatsPath: "mempool/reward-stats-144"})
	if err != nil {
		t.Fatal(err)
	}
	// totalFee "361234567" sats over blocks 930369..930512 (144).
	onchainWant(t, b, market.FeesPerBlock, 3.61234567/144, onchainFixtureDate, "mempool.space")
}

func TestMempoolFees24hFetch(t *testing.T) {
	b, err, _ := onchainFetch(t, NewMempoolFees24h, map[string]string{mempoolBlockFeesPath: "mempool/blocks-fees-24h"})
	if err != nil {
		t.Fatal(err)
	}
	// 144 blocks summing 421765179 sats; the newest at 1768402531.
	onchainWant(t, b, market.FeesPerBlock, 421765179.0/144/1e8, time.Unix(1768402531, 0), "mempool.space")
	if len(b.Rejected) != 0 {
		t.Errorf("rejections: %+v", b.Rejected)
	}
}

func TestMempoolPriceFetch(t *testing.T) {
	b, err, _ := onchainFetch(t, NewMempoolPrice, map[string]string{mempoolPricesPath: "mempool/prices"})
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.PriceUSD, 96850, time.Unix(1768402204, 0), "mempool.space")
	if len(b.Obs) != 1 || len(b.Rejected) != 0 {
		t.Errorf("batch: %+v", b)
	}
}

// onchainFailure is one failure shape served to a single-request provider.
type onchainFailure struct {
	name    string
	newP    func(string, HTTPOptions) market.Provider
	path    string
	fixture string
	status  int           // an *HTTPError with this status, or 0 for an in-band error
	retry   time.Duration // its Retry-After
	want    string        // in the HTTP error's detail, or in the error text
	reject  string        // when set, a rejection reason must contain it
}

func runOnchainFailures(t *testing.T, cases []onchainFailure) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			routes := map[string]string{}
			if c.fixture != "" { // else the server answers 404
				routes[c.path] = c.fixture
			}
			b, err, _ := onchainFetch(t, c.newP, routes)
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			if len(b.Obs) != 0 {
				t.Errorf("values passed on with an error: %+v", b.Obs)
			}
			if c.status != 0 {
				onchainWantHTTP(t, err, c.status, c.retry, c.want)
				return
			}
			var he *HTTPError
			if errors.As(err, &he) {
				t.Errorf("in-band failure reported as HTTP: %v", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("error %q does not mention %q and the path", err, c.want)
			}
			if c.reject != "" {
				found := false
				for _, r := range b.Rejected {
					found = found || strings.Contains(r.Reason, c.reject)
				}
				if !found {
					t.Errorf("no rejection mentioning %q: %+v", c.reject, b.Rejected)
				}
			}
		})
	}
}

func TestMempoolFailures(t *testing.T) {
	const nginx = "HTML page: 429 Too Many Requests"
	runOnchainFailures(t, []onchainFailure{
		{"fees 429", NewMempoolFees, mempoolRewardStatsPath, "mempool/429", 429, 60 * time.Second, nginx, ""},
		{"fees 429 without Retry-After", NewMempoolFees, mempoolRewardStatsPath, "mempool/429-no-retry-after", 429, 0, nginx, ""},
		{"fees 503 JSON", NewMempoolFees, mempoolRewardStatsPath, "mempool/503", 503, 0, "Service Temporarily Unavailable", ""},
		{"fees error with 200", NewMempoolFees, mempoolRewardStatsPath, "mempool/error-200", 0, 0, "upstream error: Error while fetching", ""},
		{"fees HTML with 200", NewMempoolFees, mempoolRewardStatsPath, "mempool/html-200", 0, 0, "not JSON: HTML page: mempool - Bitcoin Explorer", ""},
		{"fees-24h 429", NewMempoolFees24h, mempoolBlockFeesPath, "mempool/429", 429, 60 * time.Second, nginx, ""},
		{"fees-24h empty array", NewMempoolFees24h, mempoolBlockFeesPath, "mempool/blocks-fees-24h-empty", 0, 0, "empty array", ""},
		{"fees-24h error with 200", NewMempoolFees24h, mempoolBlockFeesPath, "mempool/error-200", 0, 0, "upstream error", ""},
		{"fees-24h HTML with 200", NewMempoolFees24h, mempoolBlockFeesPath, "mempool/html-200", 0, 0, "not JSON", ""},
		{"price 429", NewMempoolPrice, mempoolPricesPath, "mempool/429-no-retry-after", 429, 0, nginx, ""},
		{"price 503 JSON", NewMempoolPrice, mempoolPricesPath, "mempool/503", 503, 0, "Service Temporarily Unavailable", ""},
		{"price unknown (-1)", NewMempoolPrice, mempoolPricesPath, "mempool/prices-unknown", 0, 0, "no usable value", "USD is -1: unknown"},
		{"price HTML with 200", NewMempoolPrice, mempoolPricesPath, "mempool/html-200", 0, 0, "not JSON", ""},
		{"price missing", NewMempoolPrice, mempoolPricesPath, "", 404, 0, "no fixture", ""},
	})
}

func TestDecodeMempoolTipHeight(t *testing.T) {
	for body, want := range map[string]float64{"930512": 930512, " 930512\r\n": 930512, "\uFEFF930512": 930512} {
		b, err := decodeMempoolTipHeight([]byte(body), onchainFixtureDate)
		if err != nil {
			t.Errorf("%q: %v", body, err)
			continue
		}
		onchainWant(t, b, market.Height, want, onchainFixtureDate, "mempool.space")
	}
	for body, reason := range map[string]string{"930512.5": "not a whole number", "-3": "outside the plausible range", "1e9": "outside"} {
		b, err := decodeMempoolTipHeight([]byte(body), onchainFixtureDate)
		if err != nil {
			t.Errorf("%q: %v", body, err)
		}
		onchainRejected(t, b, string(market.Height), reason)
		onchainNoObs(t, b, market.Height)
	}
	for body, msg := range map[string]string{
		"":                  "empty body",
		"Too Many Requests": `got "Too Many Requests"`,
		`{"error":"Service Temporarily Unavailable"}`: "upstream error: Service Temporarily Unavailable",
		`{"height":930512}`:                           "got JSON",
		"<html><title>Oops</title>":                   "HTML page: Oops",
	} {
		if _, err := decodeMempoolTipHeight([]byte(body), onchainFixtureDate); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: err = %v, want it to mention %q", body, err, msg)
		}
	}
}

func TestDecodeMempoolDifficultyTraps(t *testing.T) {
	// previousTime in ms (as the docs' example style suggests) is refused,
	// not divided by a guess; timeAvg 0 is "no block yet"; nulls are named.
	b, err := decodeMempoolDifficulty([]byte(`{"difficultyChange":null,"previousTime":1767732842000,"timeAvg":0}`), onchainFixtureDate)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Obs) != 0 {
		t.Errorf("values passed on: %+v", b.Obs)
	}
	onchainRejected(t, b, string(market.EpochStart), "outside the plausible range")
	onchainRejected(t, b, string(market.MeanBlockTime), "timeAvg is 0")
	onchainRejected(t, b, string(market.AdjustmentPct), "difficultyChange missing or null")

	b, err = decodeMempoolDifficulty([]byte(`{"difficultyChange":412.5,"timeAvg":"589752"}`), onchainFixtureDate)
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.MeanBlockTime, 589.752, onchainFixtureDate, "mempool.space")
	onchainRejected(t, b, string(market.EpochStart), "previousTime missing or null")
	onchainRejected(t, b, string(market.AdjustmentPct), "outside the plausible range")

	for _, body := range []string{`{}`, `{"progressPercent":50}`, `[]`, `null`} {
		if _, err := decodeMempoolDifficulty([]byte(body), onchainFixtureDate); err == nil {
			t.Errorf("%s: no error", body)
		}
	}
}

func TestDecodeMempoolRewardStatsShapes(t *testing.T) {
	// Numbers instead of strings are accepted too.
	b, err := decodeMempoolRewardStats([]byte(`{"startBlock":930369,"endBlock":930512,"totalReward":45361234567,"totalFee":361234567,"totalTx":612345}`), onchainFixtureDate)
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.FeesPerBlock, 3.61234567/144, onchainFixtureDate, "mempool.space")

	// A short window: the mean is over the blocks covered.
	b, err = decodeMempoolRewardStats([]byte(`{"startBlock":930500,"endBlock":930511,"totalFee":"30000000"}`), onchainFixtureDate)
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.FeesPerBlock, 0.025, onchainFixtureDate, "mempool.space")

	b, err = decodeMempoolRewardStats([]byte(`{"startBlock":930369,"endBlock":930512,"totalFee":"-5"}`), onchainFixtureDate)
	if err != nil {
		t.Fatal(err)
	}
	onchainRejected(t, b, string(market.FeesPerBlock), "outside the plausible range")

	for body, msg := range map[string]string{
		`{"startBlock":930512,"endBlock":930369,"totalFee":"1"}`: "block range",
		`{"startBlock":1.5,"endBlock":3,"totalFee":"1"}`:         "block range",
		`{"startBlock":930369,"endBlock":930512}`:                "totalFee missing",
		`{"startBlock":930369,"endBlock":930512,"totalFee":"x"}`: "not a number",
		`{"totalFee":"361234567"}`:                               "startBlock or endBlock missing",
		`{"error":"Internal Server Error"}`:                      "upstream error",
	} {
		if _, err := decodeMempoolRewardStats([]byte(body), onchainFixtureDate); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: err = %v, want %q", body, err, msg)
		}
	}
}

func TestDecodeMempoolBlockFeesNulls(t *testing.T) {
	b, err := decodeMempoolBlockFees(fixture.Body(t, "mempool/blocks-fees-24h-nulls"))
	if err != nil {
		t.Fatal(err)
	}
	// Two usable blocks (3279456 and 2500000 sats); the newest is 1768400600.
	onchainWant(t, b, market.FeesPerBlock, (3279456.0+2500000)/2/1e8, time.Unix(1768400600, 0), "mempool.space")
	onchainRejected(t, b, string(market.FeesPerBlock), "2 of 4 blocks skipped")

	for body, msg := range map[string]string{
		`[null,null]`:                     "none of the 2 items",
		`[{"timestamp":0,"avgFees":100}]`: "none of the 1 items",
		`{"avgFees":100}`:                 "decoding JSON",
		``:                                "empty body",
	} {
		if _, err := decodeMempoolBlockFees([]byte(body)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: err = %v, want %q", body, err, msg)
		}
	}
}

func TestDecodeMempoolPricesTime(t *testing.T) {
	// A missing or implausible time falls back to the response's Date, with a note.
	b, err := decodeMempoolPrices([]byte(`{"time":-1,"USD":96850}`), onchainFixtureDate)
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.PriceUSD, 96850, onchainFixtureDate, "mempool.space")
	onchainRejected(t, b, string(market.PriceUSD)+" time", "not a plausible Unix time")

	b, _ = decodeMempoolPrices([]byte(`{"time":1768402204,"USD":"N/A"}`), onchainFixtureDate)
	onchainRejected(t, b, string(market.PriceUSD), "USD is a placeholder")
	if _, err := decodeMempoolPrices([]byte(`{"time":1768402204,"USD":null}`), onchainFixtureDate); err == nil || !strings.Contains(err.Error(), "USD missing or null") {
		t.Errorf("USD null: %v", err)
	}
	b, _ = decodeMempoolPrices([]byte(`{"time":1768402204,"USD":-250}`), onchainFixtureDate)
	onchainRejected(t, b, string(market.PriceUSD), "outside the plausible range")
	if _, err := decodeMempoolPrices([]byte(`{"time":1768402204,"EUR":83174}`), onchainFixtureDate); err == nil {
		t.Error("no USD: no error")
	}
}

func TestMempoolHeadersAndContext(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{mempoolPricesPath: "mempool/prices"})
	p := NewMempoolPrice(srv.URL, HTTPOptions{UserAgent: "hashdeck-test"})
	if _, err := p.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua := srv.LastRequest(mempoolPricesPath).UserAgent(); ua != "hashdeck-test" {
		t.Errorf("User-Agent %q", ua)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewMempoolNetwork(srv.URL, HTTPOptions{}).Fetch(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fetch: %v", err)
	}
}

// onchainFuzz seeds f with fixture bodies and extra strings and checks that
// decode never panics and only ever returns in-range batches.
func onchainFuzz(f *testing.F, fixtures []string, extra []string, decode func([]byte) (market.Batch, error)) {
	for _, name := range fixtures {
		f.Add(fixture.Body(f, name))
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decode(body)
		if cerr := b.Check(); cerr != nil {
			t.Fatalf("decoded batch fails Check: %v (err %v)", cerr, err)
		}
		if err != nil && len(b.Obs) != 0 {
			t.Fatalf("values returned with an error: %+v, %v", b.Obs, err)
		}
		for _, o := range b.Obs {
			if o.At.IsZero() {
				t.Fatalf("observation without a time: %+v", o)
			}
		}
	})
}

var mempoolErrorFixtures = []string{"mempool/429", "mempool/503", "mempool/error-200", "mempool/html-200", "mempool/blocks-fees-24h-empty"}

func FuzzDecodeMempoolDifficulty(f *testing.F) {
	onchainFuzz(f, append([]string{"mempool/difficulty-adjustment"}, mempoolErrorFixtures...),
		[]string{`{"difficultyChange":"1e400","previousTime":-1,"timeAvg":"NaN"}`, `{"timeAvg":1e-320}`},
		func(b []byte) (market.Batch, error) { return decodeMempoolDifficulty(b, onchainFixtureDate) })
}

func FuzzDecodeMempoolTipHeight(f *testing.F) {
	onchainFuzz(f, append([]string{"mempool/tip-height"}, mempoolErrorFixtures...),
		[]string{"NaN", "Inf", "-0", "0x1p20", "1_000"},
		func(b []byte) (market.Batch, error) { return decodeMempoolTipHeight(b, onchainFixtureDate) })
}

func FuzzDecodeMempoolHashrate(f *testing.F) {
	onchainFuzz(f, append([]string{"mempool/hashrate-3d", "mempool/hashrate-3d-zero"}, mempoolErrorFixtures...),
		[]string{`{"currentHashrate":"Inf","currentDifficulty":-1}`},
		func(b []byte) (market.Batch, error) { return decodeMempoolHashrate(b, onchainFixtureDate) })
}

func FuzzDecodeMempoolRewardStats(f *testing.F) {
	onchainFuzz(f, append([]string{"mempool/reward-stats-144"}, mempoolErrorFixtures...),
		[]string{`{"startBlock":"1e308","endBlock":"-1e308","totalFee":"inf"}`},
		func(b []byte) (market.Batch, error) { return decodeMempoolRewardStats(b, onchainFixtureDate) })
}

func FuzzDecodeMempoolBlockFees(f *testing.F) {
	onchainFuzz(f, append([]string{"mempool/blocks-fees-24h", "mempool/blocks-fees-24h-nulls"}, mempoolErrorFixtures...),
		[]string{`[{"timestamp":4102444800,"avgFees":1e11},{"timestamp":4102444800,"avgFees":1e11}]`},
		decodeMempoolBlockFees)
}

func FuzzDecodeMempoolPrices(f *testing.F) {
	onchainFuzz(f, append([]string{"mempool/prices", "mempool/prices-unknown"}, mempoolErrorFixtures...),
		[]string{`{"time":"9e18","USD":"$96,850"}`},
		func(b []byte) (market.Batch, error) { return decodeMempoolPrices(b, onchainFixtureDate) })
}

// onchainBench reports the cost of decoding one fixture body.
func onchainBench(b *testing.B, name string, decode func([]byte) (market.Batch, error)) {
	body := fixture.Body(b, name)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeMempoolDifficulty(b *testing.B) {
	onchainBench(b, "mempool/difficulty-adjustment", func(x []byte) (market.Batch, error) { return decodeMempoolDifficulty(x, onchainFixtureDate) })
}

func BenchmarkDecodeMempoolTipHeight(b *testing.B) {
	onchainBench(b, "mempool/tip-height", func(x []byte) (market.Batch, error) { return decodeMempoolTipHeight(x, onchainFixtureDate) })
}

func BenchmarkDecodeMempoolHashrate(b *testing.B) {
	onchainBench(b, "mempool/hashrate-3d", func(x []byte) (market.Batch, error) { return decodeMempoolHashrate(x, onchainFixtureDate) })
}

func BenchmarkDecodeMempoolRewardStats(b *testing.B) {
	onchainBench(b, "mempool/reward-stats-144", func(x []byte) (market.Batch, error) { return decodeMempoolRewardStats(x, onchainFixtureDate) })
}

func BenchmarkDecodeMempoolBlockFees(b *testing.B) {
	onchainBench(b, "mempool/blocks-fees-24h", decodeMempoolBlockFees)
}

func BenchmarkDecodeMempoolPrices(b *testing.B) {
	onchainBench(b, "mempool/prices", func(x []byte) (market.Batch, error) { return decodeMempoolPrices(x, onchainFixtureDate) })
}
