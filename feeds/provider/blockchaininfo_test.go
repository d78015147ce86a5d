package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

var blockchainNetworkOK = map[string]string{
	blockchainDifficultyPath: "blockchaininfo/getdifficulty",
	blockchainBlockCountPath: "blockchaininfo/getblockcount",
	blockchainHashratePath:   "blockchaininfo/hashrate",
}

func blockchainNetworkRoutes(over map[string]string) map[string]string {
	r := map[string]string{}
	for k, v := range blockchainNetworkOK {
		r[k] = v
	}
	for k, v := range over {
		r[k] = v
	}
	return r
}

func TestBlockchainNetworkFetch(t *testing.T) {
	b, err, srv := onchainFetch(t, NewBlockchainNetwork, blockchainNetworkOK)
	if err != nil {
		t.Fatal(err)
	}
	d := onchainFixtureDate
	onchainWant(t, b, market.Difficulty, 146472570619930.8, d, "blockchain.info")
	onchainWant(t, b, market.Height, 930512, d, "blockchain.info")
	onchainWant(t, b, market.Hashrate, 1058.312456789123, d, "blockchain.info") // 1058312456789.123 GH/s
	if len(b.Obs) != 3 || len(b.Rejected) != 0 {
		t.Errorf("batch: %+v", b)
	}
	for p := range blockchainNetworkOK {
		if srv.Hits(p) != 1 {
			t.Errorf("%s requested %d times", p, srv.Hits(p))
		}
	}
}

func TestBlockchainNetworkShapes(t *testing.T) {
	// Scientific notation.
	b, err, _ := onchainFetch(t, NewBlockchainNetwork, blockchainNetworkRoutes(map[string]string{blockchainDifficultyPath: "blockchaininfo/getdifficulty-sci"}))
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.Difficulty, 146472570619930.8, onchainFixtureDate, "blockchain.info")

	// Difficulty 0 is refused as unknown; the rest still arrives.
	b, err, _ = onchainFetch(t, NewBlockchainNetwork, blockchainNetworkRoutes(map[string]string{blockchainDifficultyPath: "blockchaininfo/getdifficulty-zero"}))
	if err != nil {
		t.Fatal(err)
	}
	onchainNoObs(t, b, market.Difficulty)
	onchainRejected(t, b, string(market.Difficulty), "0: unknown")
	onchainObs(t, b, market.Height)

	// The optional hashrate failing (HTML with 200, error text with 200, a
	// 500 page) leaves a rejection naming the path.
	for fixture, reason := range map[string]string{
		"blockchaininfo/html-200":       "HTML served with HTTP 200 (HTML page: Just a moment...)",
		"blockchaininfo/text-error-200": `got "Error: Unknown Exception"`,
		"blockchaininfo/500-html":       "HTTP 500 Internal Server Error (HTML page: Blockchain.com | Error)",
	} {
		b, err, _ = onchainFetch(t, NewBlockchainNetwork, blockchainNetworkRoutes(map[string]string{blockchainHashratePath: fixture}))
		if err != nil {
			t.Fatal(err)
		}
		onchainNoObs(t, b, market.Hashrate)
		onchainRejected(t, b, blockchainHashratePath, reason)
		if len(b.Obs) != 2 {
			t.Errorf("%s: batch %+v", fixture, b)
		}
	}
}

func TestBlockchainNetworkAllFailed(t *testing.T) {
	_, err, _ := onchainFetch(t, NewBlockchainNetwork, map[string]string{
		blockchainDifficultyPath: "blockchaininfo/500-html",
		blockchainBlockCountPath: "blockchaininfo/429",
		blockchainHashratePath:   "blockchaininfo/html-200",
	})
	onchainWantHTTP(t, err, 429, 20*time.Second, "Too Many Requests")
	for p := range blockchainNetworkOK {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not name %s: %v", p, err)
		}
	}
}

func TestBlockchainFeesFetch(t *testing.T) {
	b, err, srv := onchainFetch(t, NewBlockchainFees, map[string]string{blockchainFeesChartPath: "blockchaininfo/transaction-fees"})
	if err != nil {
		t.Fatal(err)
	}
	// Date is 2026-01-14 15:00 UTC: the 14th is not over, so the 13th
	// (3.71842016 BTC) is used, divided by 144 and dated the end of that day.
	onchainWant(t, b, market.FeesPerBlock, 3.71842016/144, time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC), "blockchain.info (÷144)")
	q := srv.LastRequest(blockchainFeesChartPath).URL.Query()
	if q.Get("timespan") != "5days" || q.Get("format") != "json" || q.Get("sampled") != "false" {
		t.Errorf("query %v", q)
	}
}

func TestBlockchainFeesChartsHost(t *testing.T) {
	if got := NewBlockchainFees("https://blockchain.info", HTTPOptions{}).(*blockchainFees).c.r.BaseURL; got != "https://api.blockchain.info" {
		t.Errorf("public base: charts from %q", got)
	}
	if got := NewBlockchainFees("http://127.0.0.1:8080", HTTPOptions{}).(*blockchainFees).c.r.BaseURL; got != "http://127.0.0.1:8080" {
		t.Errorf("stand-in base: charts from %q", got)
	}
}

func TestBlockchainTickerFetch(t *testing.T) {
	b, err, _ := onchainFetch(t, NewBlockchainTicker, map[string]string{blockchainTickerPath: "blockchaininfo/ticker"})
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.PriceUSD, 96843.21, onchainFixtureDate, "blockchain.info")
	if len(b.Obs) != 1 {
		t.Errorf("batch: %+v", b)
	}
	b, err, _ = onchainFetch(t, NewBlockchainTicker, map[string]string{blockchainTickerPath: "blockchaininfo/ticker-15m-only"})
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.PriceUSD, 96843.21, onchainFixtureDate, "blockchain.info")
}

func TestBlockchainFailures(t *testing.T) {
	runOnchainFailures(t, []onchainFailure{
		{"fees 429", NewBlockchainFees, blockchainFeesChartPath, "blockchaininfo/429", 429, 20 * time.Second, "Too Many Requests", ""},
		{"fees 500 HTML", NewBlockchainFees, blockchainFeesChartPath, "blockchaininfo/500-html", 500, 0, "HTML page: Blockchain.com | Error", ""},
		{"fees HTML with 200", NewBlockchainFees, blockchainFeesChartPath, "blockchaininfo/html-200", 0, 0, "not JSON: HTML page: Just a moment...", ""},
		{"fees status not ok", NewBlockchainFees, blockchainFeesChartPath, "blockchaininfo/transaction-fees-error", 0, 0, "upstream error: Unknown chart name", ""},
		{"fees empty values", NewBlockchainFees, blockchainFeesChartPath, "blockchaininfo/transaction-fees-empty", 0, 0, "empty values", ""},
		{"ticker 429", NewBlockchainTicker, blockchainTickerPath, "blockchaininfo/429", 429, 20 * time.Second, "Too Many Requests", ""},
		{"ticker HTML with 200", NewBlockchainTicker, blockchainTickerPath, "blockchaininfo/html-200", 0, 0, "not JSON", ""},
		{"ticker text with 200", NewBlockchainTicker, blockchainTickerPath, "blockchaininfo/text-error-200", 0, 0, "not JSON: Error: Unknown Exception", ""},
		{"ticker 404", NewBlockchainTicker, blockchainTickerPath, "", 404, 0, "no fixture", ""},
	})
}

func TestDecodeBlockchainQuery(t *testing.T) {
	for body, want := range map[string]float64{"146472570619930.8": 146472570619930.8, "1.464725706199308E14\n": 146472570619930.8, "1.4647e+14": 1.4647e14} {
		b, err := decodeBlockchainQuery([]byte(body), market.Difficulty, 1, onchainFixtureDate)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		onchainWant(t, b, market.Difficulty, want, onchainFixtureDate, "blockchain.info")
	}
	for body, reason := range map[string]string{"0": "0: unknown", "-1": "outside the plausible range", "NaN": "not a finite number", "1e21": "outside"} {
		b, err := decodeBlockchainQuery([]byte(body), market.Difficulty, 1, onchainFixtureDate)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		onchainNoObs(t, b, market.Difficulty)
		onchainRejected(t, b, string(market.Difficulty), reason)
	}
	b, _ := decodeBlockchainQuery([]byte("0"), market.Height, 1, onchainFixtureDate)
	onchainRejected(t, b, string(market.Height), "0: unknown")
	b, _ = decodeBlockchainQuery([]byte("930512.25"), market.Height, 1, onchainFixtureDate)
	onchainRejected(t, b, string(market.Height), "not a whole number")
	// Hashrate mistaken for H/s would be 1e-6 EH/s: the GH/s scale is applied.
	b, _ = decodeBlockchainQuery([]byte("1058312456789.123"), market.Hashrate, 1/ghsPerEHs, onchainFixtureDate)
	onchainWant(t, b, market.Hashrate, 1058.312456789123, onchainFixtureDate, "blockchain.info")
}

func TestDecodeBlockchainFeesChart(t *testing.T) {
	now := onchainFixtureDate
	// Nulls and malformed points are skipped; order is not relied on.
	b, err := decodeBlockchainFeesChart([]byte(`{"status":"ok","unit":"BTC","values":[{"x":1768262400,"y":3.7},null,{"x":1768176000,"y":3.9},{"x":1768348800,"y":1.2},{"x":null,"y":4},{"x":1768262400000,"y":9}]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	onchainWant(t, b, market.FeesPerBlock, 3.7/144, time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC), "blockchain.info (÷144)")

	// An implausible day total is refused.
	b, _ = decodeBlockchainFeesChart([]byte(`{"status":"ok","values":[{"x":1768262400,"y":-3}]}`), now)
	onchainRejected(t, b, string(market.FeesPerBlock), "outside the plausible range")

	for body, msg := range map[string]string{
		`{"status":"ok","values":[{"x":1768348800,"y":1.9}]}`:                 "none of the 1 points is a complete day",
		`{"status":"ok","values":[null]}`:                                     "none of the 1 points",
		`{"status":"","values":[{"x":1768262400,"y":3.7}]}`:                   `status ""`,
		`{"status":"ok","unit":"USD","values":[{"x":1768262400,"y":360000}]}`: "a USD chart",
		`{"status":"ok"}`: "empty values",
		`[]`:              "decoding JSON",
	} {
		if _, err := decodeBlockchainFeesChart([]byte(body), now); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: err = %v, want %q", body, err, msg)
		}
	}
}

func TestDecodeBlockchainTicker(t *testing.T) {
	for body, msg := range map[string]string{
		`{"EUR":{"last":83169.8}}`:      "no USD entry",
		`{"USD":null}`:                  "no USD entry",
		`{"USD":{"last":"abc"}}`:        "not a number",
		`{"error":"Too many requests"}`: "upstream error: Too many requests",
		``:                              "empty body",
	} {
		if _, err := decodeBlockchainTicker([]byte(body), onchainFixtureDate); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: err = %v, want %q", body, err, msg)
		}
	}
	b, _ := decodeBlockchainTicker([]byte(`{"USD":{"last":null,"15m":null}}`), onchainFixtureDate)
	onchainRejected(t, b, string(market.PriceUSD), "both missing or null")
	b, _ = decodeBlockchainTicker([]byte(`{"USD":{"last":-5,"15m":96000}}`), onchainFixtureDate)
	onchainRejected(t, b, string(market.PriceUSD), "outside the plausible range")
	onchainNoObs(t, b, market.PriceUSD)
}

var blockchainErrorFixtures = []string{"blockchaininfo/429", "blockchaininfo/500-html", "blockchaininfo/html-200", "blockchaininfo/text-error-200"}

func FuzzDecodeBlockchainQuery(f *testing.F) {
	onchainFuzz(f, append([]string{"blockchaininfo/getdifficulty", "blockchaininfo/getdifficulty-sci", "blockchaininfo/getdifficulty-zero",
		"blockchaininfo/getblockcount", "blockchaininfo/hashrate"}, blockchainErrorFixtures...),
		[]string{"Inf", "-Inf", "1e400", "0x1p-1074", "930512.0000001"},
		func(body []byte) (market.Batch, error) {
			// One fuzz input checked against all three query metrics.
			var all market.Batch
			for _, q := range []struct {
				m     market.Metric
				scale float64
			}{{market.Difficulty, 1}, {market.Height, 1}, {market.Hashrate, 1 / ghsPerEHs}} {
				b, err := decodeBlockchainQuery(body, q.m, q.scale, onchainFixtureDate)
				if err != nil {
					return b, err
				}
				all.Obs = append(all.Obs, b.Obs...)
				all.Rejected = append(all.Rejected, b.Rejected...)
			}
			return all, nil
		})
}

func FuzzDecodeBlockchainFeesChart(f *testing.F) {
	onchainFuzz(f, append([]string{"blockchaininfo/transaction-fees", "blockchaininfo/transaction-fees-empty", "blockchaininfo/transaction-fees-error"}, blockchainErrorFixtures...),
		[]string{`{"status":"ok","values":[{"x":"1768262400","y":"1e308"},{"x":1231006505,"y":0}]}`},
		func(b []byte) (market.Batch, error) { return decodeBlockchainFeesChart(b, onchainFixtureDate) })
}

func FuzzDecodeBlockchainTicker(f *testing.F) {
	onchainFuzz(f, append([]string{"blockchaininfo/ticker", "blockchaininfo/ticker-15m-only"}, blockchainErrorFixtures...),
		[]string{`{"USD":{"last":"1e8","15m":"0.001"}}`},
		func(b []byte) (market.Batch, error) { return decodeBlockchainTicker(b, onchainFixtureDate) })
}

func BenchmarkDecodeBlockchainQuery(b *testing.B) {
	onchainBench(b, "blockchaininfo/getdifficulty", func(x []byte) (market.Batch, error) {
		return decodeBlockchainQuery(x, market.Difficulty, 1, onchainFixtureDate)
	})
}

func BenchmarkDecodeBlockchainFeesChart(b *testing.B) {
	onchainBench(b, "blockchaininfo/transaction-fees", func(x []byte) (market.Batch, error) { return decodeBlockchainFeesChart(x, onchainFixtureDate) })
}

func BenchmarkDecodeBlockchainTicker(b *testing.B) {
	onchainBench(b, "blockchaininfo/ticker", func(x []byte) (market.Batch, error) { return decodeBlockchainTicker(x, onchainFixtureDate) })
}
