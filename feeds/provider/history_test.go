package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// histDay returns midnight UTC of the date y-m-d.
func histDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// histObs returns b's observations of m, in order.
func histObs(b market.Batch, m market.Metric) []market.Observation {
	var out []market.Observation
	for _, o := range b.Obs {
		if o.Metric == m {
			out = append(out, o)
		}
	}
	return out
}

// histWant checks that obs holds exactly the points want (time → value,
// to 1e-9 relative), oldest first, all from mempool.space.
func histWant(t *testing.T, what string, obs []market.Observation, want []market.Observation) {
	t.Helper()
	if len(obs) != len(want) {
		t.Fatalf("%s: %d points, want %d:\n got %v\nwant %v", what, len(obs), len(want), obs, want)
	}
	for i := range want {
		g, w := obs[i], want[i]
		if !g.At.Equal(w.At) || math.Abs(g.Value-w.Value) > 1e-9*math.Abs(w.Value) || g.Source != MempoolSource {
			t.Errorf("%s[%d] = %v %.12g %q, want %v %.12g %q", what, i, g.At, g.Value, g.Source, w.At, w.Value, MempoolSource)
		}
	}
}

// histPt is an expected point.
func histPt(at time.Time, v float64) market.Observation { return market.Observation{At: at, Value: v} }

// histRejected fails unless a rejection of what has a reason containing s.
func histRejected(t *testing.T, b market.Batch, what, s string) {
	t.Helper()
	for _, r := range b.Rejected {
		if r.What == what && strings.Contains(r.Reason, s) {
			return
		}
	}
	t.Errorf("no rejection of %s containing %q in %+v", what, s, b.Rejected)
}

func TestDecodeMempoolHashrateHistory(t *testing.T) {
	b, err := decodeMempoolHashrateHistory(fixture.Body(t, "history/mempool-hashrate-3y"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	var want []market.Observation
	for i := range 10 { // Jan 5 .. Jan 14, 1040 + 4i EH/s, stamped midnight UTC
		want = append(want, histPt(histDay(2026, 1, 5+i), float64(1040+4*i)))
	}
	histWant(t, "hashrate", histObs(b, market.Hashrate), want)
	histWant(t, "difficulty", histObs(b, market.Difficulty), []market.Observation{
		histPt(time.Date(2025, 12, 30, 3, 20, 34, 0, time.UTC), 141964215307284.7),
		histPt(time.Date(2026, 1, 11, 17, 5, 21, 0, time.UTC), 146472570619930.8),
	})
	if len(b.Rejected) != 0 {
		t.Errorf("rejections on a clean answer: %+v", b.Rejected)
	}
}

func TestDecodeMempoolHashrateHistoryNulls(t *testing.T) {
	b, err := decodeMempoolHashrateHistory(fixture.Body(t, "history/mempool-hashrate-nulls"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	// Kept: Jan 10 (number) and Jan 14 (a numeric string); the retarget of
	// Jan 11 once (sent twice). Everything else is refused with a reason.
	histWant(t, "hashrate", histObs(b, market.Hashrate), []market.Observation{histPt(histDay(2026, 1, 10), 1050), histPt(histDay(2026, 1, 14), 1070)})
	histWant(t, "difficulty", histObs(b, market.Difficulty), []market.Observation{histPt(time.Date(2026, 1, 11, 17, 5, 21, 0, time.UTC), 146472570619930.8)})
	histRejected(t, b, string(market.Hashrate), "null item")
	histRejected(t, b, string(market.Hashrate), "avgHashrate missing, null or a placeholder (2026-01-11)")
	histRejected(t, b, string(market.Hashrate), "outside the plausible range")
	histRejected(t, b, string(market.Hashrate), "timestamp is not a plausible Unix time in seconds") // ms
	histRejected(t, b, string(market.Hashrate), "timestamp missing")
	histRejected(t, b, string(market.Difficulty), "time missing") // "timestamp" instead of "time"
	histRejected(t, b, string(market.Difficulty), "difficulty missing, null or a placeholder (2025-12-30)")
	histRejected(t, b, string(market.Difficulty), "difficulty: -1 is outside")
}

func TestDecodeMempoolHashrateHistoryErrors(t *testing.T) {
	for _, c := range []struct {
		fixture, body string
		noData        bool
		want          string
	}{
		{fixture: "history/mempool-hashrate-empty", noData: true},
		{fixture: "mempool/error-200", want: "upstream error"},
		{fixture: "mempool/html-200", want: "not JSON"},
		{fixture: "history/mempool-429", want: "not JSON"},
		{body: `{"currentHashrate":0}`, want: "no hashrates or difficulty"},
		{body: `{"hashrates":null,"difficulty":[]}`, noData: true},
		{body: `[]`, want: "decoding JSON"},
	} {
		body := []byte(c.body)
		if c.fixture != "" {
			body = fixture.Body(t, c.fixture)
		}
		b, err := decodeMempoolHashrateHistory(body)
		name := c.fixture + c.body
		switch {
		case err == nil:
			t.Errorf("%s: no error, batch %+v", name, b)
		case c.noData && !errors.Is(err, ErrNoHistory):
			t.Errorf("%s: %v, want ErrNoHistory", name, err)
		case !c.noData && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
		if len(b.Obs) != 0 {
			t.Errorf("%s: values with an error: %+v", name, b.Obs)
		}
	}
}

func TestDecodeMempoolFeesHistory(t *testing.T) {
	// 8 h buckets (1y): three per day, averaged per UTC day; the day's
	// last bucket gives the price.
	b, err := decodeMempoolFeesHistory(fixture.Body(t, "history/mempool-fees-1y"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	histWant(t, "fees", histObs(b, market.FeesPerBlock), []market.Observation{
		histPt(histDay(2026, 1, 11), 0.03),                 // (3 + 2 + 4) M sats / 3
		histPt(histDay(2026, 1, 12), (0.01+0.015+0.026)/3), // 1, 1.5, 2.6 M sats
		histPt(histDay(2026, 1, 13), 0.033),                // one bucket so far
	})
	histWant(t, "price", histObs(b, market.PriceUSD), []market.Observation{
		histPt(histDay(2026, 1, 11), 95200), histPt(histDay(2026, 1, 12), 96300), histPt(histDay(2026, 1, 13), 97000),
	})

	// 12 h buckets (3y): today has one bucket only.
	b, err = decodeMempoolFeesHistory(fixture.Body(t, "history/mempool-fees-3y"))
	if err != nil {
		t.Fatal(err)
	}
	fees := histObs(b, market.FeesPerBlock)
	if len(fees) != 10 || !fees[0].At.Equal(histDay(2026, 1, 5)) || !fees[9].At.Equal(histDay(2026, 1, 14)) {
		t.Fatalf("3y fees: %v", fees)
	}
	if math.Abs(fees[0].Value-0.026) > 1e-12 || math.Abs(fees[9].Value-0.0259) > 1e-12 {
		t.Errorf("3y fees first %v last %v, want 0.026 and 0.0259", fees[0].Value, fees[9].Value)
	}
}

func TestDecodeMempoolFeesHistoryNulls(t *testing.T) {
	b, err := decodeMempoolFeesHistory(fixture.Body(t, "history/mempool-fees-nulls"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	// Jan 12: buckets of 2 M and 4 M sats (the one with null fees is
	// refused); Jan 13: 3 M and the string "5000000" (−5 refused).
	histWant(t, "fees", histObs(b, market.FeesPerBlock), []market.Observation{histPt(histDay(2026, 1, 12), 0.03), histPt(histDay(2026, 1, 13), 0.04)})
	// Jan 12's last bucket has USD −1: the day's price is the last known one.
	histWant(t, "price", histObs(b, market.PriceUSD), []market.Observation{histPt(histDay(2026, 1, 12), 95100), histPt(histDay(2026, 1, 13), 96200)})
	histRejected(t, b, string(market.FeesPerBlock), "null item")
	histRejected(t, b, string(market.FeesPerBlock), "timestamp missing")
	histRejected(t, b, string(market.FeesPerBlock), "avgFees missing")
	histRejected(t, b, string(market.FeesPerBlock), "-5e-08 is outside")
	histRejected(t, b, string(market.FeesPerBlock), "not a plausible Unix time")
	histRejected(t, b, string(market.PriceUSD), "USD is -1: unknown")
	histRejected(t, b, string(market.PriceUSD), "USD is 0: unknown")

	for _, c := range []struct{ fixture, want string }{
		{"history/mempool-fees-empty", "holds no history"},
		{"mempool/error-200", "upstream error"},
		{"history/mempool-429", "not JSON"},
	} {
		b, err := decodeMempoolFeesHistory(fixture.Body(t, c.fixture))
		if err == nil || !strings.Contains(err.Error(), c.want) || len(b.Obs) != 0 {
			t.Errorf("%s: %v, %+v; want an error containing %q", c.fixture, err, b.Obs, c.want)
		}
	}
}

func TestDecodeMempoolPriceHistory(t *testing.T) {
	b, err := decodeMempoolPriceHistory(fixture.Body(t, "history/mempool-price"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	// Newest first and irregular (weekly in 2013, daily, then hourly):
	// sorted, one point per day, the day's last.
	want := []market.Observation{
		histPt(histDay(2013, 9, 12), 124), histPt(histDay(2013, 9, 19), 126), histPt(histDay(2013, 9, 26), 133),
		histPt(histDay(2024, 6, 1), 67500), histPt(histDay(2024, 6, 2), 67800), histPt(histDay(2024, 6, 3), 69300),
	}
	for i := range 8 { // Jan 5 .. 12 daily
		want = append(want, histPt(histDay(2026, 1, 5+i), float64(94000+100*i)))
	}
	want = append(want, histPt(histDay(2026, 1, 13), 95600), histPt(histDay(2026, 1, 14), 96850))
	histWant(t, "price", histObs(b, market.PriceUSD), want)
	histRejected(t, b, string(market.PriceUSD), "USD is -1: unknown (2013-09-05)")
}

func TestDecodeMempoolPriceHistoryNulls(t *testing.T) {
	b, err := decodeMempoolPriceHistory(fixture.Body(t, "history/mempool-price-nulls"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	// Jan 14 15:00 and Jan 12 06:00 (a numeric string) survive; Jan 14
	// 14:00 has USD null, so 15:00 is still the day's last.
	histWant(t, "price", histObs(b, market.PriceUSD), []market.Observation{histPt(histDay(2026, 1, 12), 94800), histPt(histDay(2026, 1, 14), 96850)})
	histRejected(t, b, string(market.PriceUSD), "null row")
	histRejected(t, b, string(market.PriceUSD), "USD missing")
	histRejected(t, b, string(market.PriceUSD), "time missing")
	histRejected(t, b, string(market.PriceUSD), "USD is 0: unknown")
	histRejected(t, b, string(market.PriceUSD), "not a plausible Unix time") // ms
	histRejected(t, b, string(market.PriceUSD), "1e+09 is outside")
}

func TestDecodeMempoolPriceHistoryNoData(t *testing.T) {
	for _, body := range []string{"", "  \n", "null", `{"prices":[],"exchangeRates":{}}`} {
		b, err := decodeMempoolPriceHistory([]byte(body))
		if !errors.Is(err, ErrNoHistory) || len(b.Obs) != 0 {
			t.Errorf("%q: %v %+v, want ErrNoHistory", body, err, b.Obs)
		}
	}
	if _, err := decodeMempoolPriceHistory(fixture.Body(t, "history/mempool-price-empty")); !errors.Is(err, ErrNoHistory) {
		t.Errorf("empty-body fixture: %v, want ErrNoHistory", err)
	}
	for _, body := range []string{`{"error":"db down"}`, `{"exchangeRates":{}}`, "<html>busy</html>"} {
		if _, err := decodeMempoolPriceHistory([]byte(body)); err == nil || errors.Is(err, ErrNoHistory) {
			t.Errorf("%q: %v, want a failure other than ErrNoHistory", body, err)
		}
	}
}

func TestFetchMempoolHistory(t *testing.T) {
	r := fixture.NewReplay(t, map[string]string{
		"/api/v1/mining/hashrate/1y":    "history/mempool-hashrate-3y",
		"/api/v1/mining/blocks/fees/1y": "history/mempool-fees-1y",
		"/api/v1/historical-price":      "history/mempool-price",
		"/api/v1/mining/hashrate/3y":    "history/mempool-429",
		"/api/v1/mining/blocks/fees/3y": "history/mempool-fees-empty",
	})
	c := NewHTTPClient(MempoolSource, r.URL, HTTPOptions{MaxBody: HistoryMaxBody})
	ctx := context.Background()
	b, err := FetchMempoolHashrateHistory(ctx, c, "1y")
	if err != nil || len(histObs(b, market.Hashrate)) != 10 || len(histObs(b, market.Difficulty)) != 2 {
		t.Errorf("hashrate 1y: %v, %d obs", err, len(b.Obs))
	}
	b, err = FetchMempoolFeesHistory(ctx, c, "1y")
	if err != nil || len(histObs(b, market.FeesPerBlock)) != 3 || len(histObs(b, market.PriceUSD)) != 3 {
		t.Errorf("fees 1y: %v, %d obs", err, len(b.Obs))
	}
	b, err = FetchMempoolPriceHistory(ctx, c)
	if err != nil || len(b.Obs) != 16 {
		t.Errorf("price: %v, %d obs", err, len(b.Obs))
	}

	// The nginx 429 page: an *HTTPError carrying Retry-After.
	_, err = FetchMempoolHashrateHistory(ctx, c, "3y")
	var he *HTTPError
	if !errors.As(err, &he) || !he.Throttled() {
		t.Fatalf("429: %v, want a throttled *HTTPError", err)
	}
	if ra, ok := RetryAfter(err); !ok || ra != time.Second {
		t.Errorf("429: RetryAfter = %v %v, want 1s", ra, ok)
	}
	if !strings.Contains(err.Error(), "429 Too Many Requests") {
		t.Errorf("429 error does not name the page: %v", err)
	}
	if _, err := FetchMempoolFeesHistory(ctx, c, "3y"); !errors.Is(err, ErrNoHistory) {
		t.Errorf("empty fees: %v, want ErrNoHistory", err)
	}

	// An empty body with HTTP 200 means "no data".
	r.Set("/api/v1/historical-price", "history/mempool-price-empty")
	if _, err := FetchMempoolPriceHistory(ctx, c); !errors.Is(err, ErrNoHistory) {
		t.Errorf("empty price body: %v, want ErrNoHistory", err)
	}

	// An interval mempool does not know would return all history: refused
	// before any request.
	before := r.Hits("")
	for _, iv := range []string{"all", "", "5y", "1y/../3y"} {
		if _, err := FetchMempoolHashrateHistory(ctx, c, iv); err == nil {
			t.Errorf("interval %q accepted", iv)
		}
		if _, err := FetchMempoolFeesHistory(ctx, c, iv); err == nil {
			t.Errorf("fees interval %q accepted", iv)
		}
	}
	if n := r.Hits("") - before; n != 0 {
		t.Errorf("%d requests for refused intervals", n)
	}
}

// historyErrorFixtures returns answers every history decoder must refuse cleanly.
func historyErrorFixtures() []string {
	return []string{"history/mempool-429", "history/mempool-price-empty", "mempool/error-200", "mempool/html-200", "mempool/503"}
}

func FuzzDecodeMempoolHashrateHistory(f *testing.F) {
	onchainFuzz(f, append([]string{"history/mempool-hashrate-3y", "history/mempool-hashrate-1w", "history/mempool-hashrate-nulls", "history/mempool-hashrate-empty"}, historyErrorFixtures()...),
		[]string{`{"hashrates":[{"timestamp":"1e400","avgHashrate":"NaN"}],"difficulty":[{"time":4102444800,"difficulty":1e20}]}`,
			`{"hashrates":[{"timestamp":-1e18,"avgHashrate":1e300}],"difficulty":[null,{}]}`},
		decodeMempoolHashrateHistory)
}

func FuzzDecodeMempoolFeesHistory(f *testing.F) {
	onchainFuzz(f, append([]string{"history/mempool-fees-1y", "history/mempool-fees-3y", "history/mempool-fees-nulls", "history/mempool-fees-empty"}, historyErrorFixtures()...),
		[]string{`[{"timestamp":1231006505,"avgFees":1e11,"USD":1e8},{"timestamp":1231006505,"avgFees":1e11,"USD":"1e8"}]`, `[{"timestamp":4102444800,"avgFees":"Inf","USD":"-0"}]`},
		decodeMempoolFeesHistory)
}

func FuzzDecodeMempoolPriceHistory(f *testing.F) {
	onchainFuzz(f, append([]string{"history/mempool-price", "history/mempool-price-nulls"}, historyErrorFixtures()...),
		[]string{`{"prices":[{"time":4102444800,"USD":1e8},{"time":4102444800,"USD":0.01}]}`, `{"prices":null}`, `null`},
		decodeMempoolPriceHistory)
}

// Benchmarks decode bodies of the real sizes: 3 years of daily hashrate
// (~1100 points, ~78 retargets), 3 years of 12 h fee buckets (~2200) and a
// full price history (weekly 2010–2013, daily to 2023, hourly since: ~30k
// rows of eight currencies, ~4 MB).

func benchHistory(b *testing.B, body []byte, decode func([]byte) (market.Batch, error)) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeMempoolHashrateHistory3y(b *testing.B) {
	var s strings.Builder
	start := histDay(2023, 1, 15).Unix()
	s.WriteString(`{"hashrates":[`)
	for i := range 1095 {
		if i > 0 {
			s.WriteByte(',')
		}
		fmt.Fprintf(&s, `{"timestamp":%d,"avgHashrate":%g}`, start+int64(i)*secondsPerDay+600, 3e20+float64(i)*7e17)
	}
	s.WriteString(`],"difficulty":[`)
	for i := range 78 {
		if i > 0 {
			s.WriteByte(',')
		}
		fmt.Fprintf(&s, `{"time":%d,"height":%d,"difficulty":%g,"adjustment":1.0213}`, start+int64(i)*14*secondsPerDay, 774144+2016*i, 3.5e13+float64(i)*1.4e12)
	}
	s.WriteString(`],"currentHashrate":1.0667231654e21,"currentDifficulty":146472570619930.8}`)
	benchHistory(b, []byte(s.String()), decodeMempoolHashrateHistory)
}

func BenchmarkDecodeMempoolFeesHistory3y(b *testing.B) {
	var s strings.Builder
	start := histDay(2023, 1, 15).Unix()
	s.WriteByte('[')
	for i := range 2190 {
		if i > 0 {
			s.WriteByte(',')
		}
		fmt.Fprintf(&s, `{"avgHeight":%d,"timestamp":%d,"avgFees":%d,"USD":%d}`, 774144+72*i, start+int64(i)*43200+21600, 2000000+i*37, 20000+i*35)
	}
	s.WriteByte(']')
	benchHistory(b, []byte(s.String()), decodeMempoolFeesHistory)
}

func BenchmarkDecodeMempoolPriceHistoryFull(b *testing.B) {
	// Newest first: hourly for 2.5 years, daily for 10, weekly before.
	var s strings.Builder
	s.WriteString(`{"prices":[`)
	t := histDay(2026, 1, 14).Unix() + 15*3600
	n := 0
	row := func(t int64) {
		if n > 0 {
			s.WriteByte(',')
		}
		usd := 100 + n%90000
		fmt.Fprintf(&s, `{"time":%d,"USD":%d,"EUR":%d,"GBP":%d,"CAD":%d,"CHF":%d,"AUD":%d,"JPY":%d}`, t, usd, usd*86/100, usd*74/100, usd*139/100, usd*80/100, usd*149/100, usd*158)
		n++
	}
	for range 22000 {
		row(t)
		t -= 3600
	}
	for range 3650 {
		row(t)
		t -= secondsPerDay
	}
	for t > 1279497600 {
		row(t)
		t -= 7 * secondsPerDay
	}
	s.WriteString(`],"exchangeRates":{"USDEUR":0.86,"USDGBP":0.74,"USDCAD":1.39,"USDCHF":0.8,"USDAUD":1.49,"USDJPY":158.4}}`)
	benchHistory(b, []byte(s.String()), decodeMempoolPriceHistory)
}

func BenchmarkDecodeMempoolPriceHistoryFixture(b *testing.B) {
	benchHistory(b, fixture.Body(b, "history/mempool-price"), decodeMempoolPriceHistory)
}
