package provider

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// Helpers shared by the coinbase, kraken, coingecko and exchanges tests.

// exchTestWantPrice checks that b holds exactly one PriceUSD observation.
func exchTestWantPrice(t *testing.T, b market.Batch, price float64, at time.Time, source string) {
	t.Helper()
	if len(b.Obs) != 1 {
		t.Fatalf("observations = %+v, want one", b.Obs)
	}
	o := b.Obs[0]
	if o.Metric != market.PriceUSD || o.Value != price || !o.At.Equal(at) || o.Source != source {
		t.Errorf("observation = %+v, want %s %v at %v from %s", o, market.PriceUSD, price, at, source)
	}
	if err := b.Check(); err != nil {
		t.Error(err)
	}
}

// exchTestFailure is one failure shape of a single-exchange provider.
type exchTestFailure struct {
	fixture    string
	status     int           // the *HTTPError's status; 0 when the failure is in-band
	throttled  bool          // an in-band rate limit (*ThrottleError)
	retryAfter time.Duration // what RetryAfter(err) must give
	contains   string        // in the error text
	rejected   string        // in a rejection reason of the batch ("" for none)
}

// exchTestFailures serves each case's fixture at path and checks the error.
func exchTestFailures(t *testing.T, urlPath string, newP func(base string) market.Provider, cases []exchTestFailure) {
	for _, c := range cases {
		t.Run(path.Base(c.fixture), func(t *testing.T) {
			srv := fixture.NewReplay(t, map[string]string{urlPath: c.fixture})
			p := newP(srv.URL)
			b, err := p.Fetch(context.Background())
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			if len(b.Obs) != 0 {
				t.Errorf("observations passed on: %+v", b.Obs)
			}
			if !strings.Contains(err.Error(), p.Name()) || !strings.Contains(err.Error(), c.contains) {
				t.Errorf("error %q should name %s and contain %q", err, p.Name(), c.contains)
			}
			var he *HTTPError
			var te *ThrottleError
			isHTTP, isThrottle := errors.As(err, &he), errors.As(err, &te)
			switch {
			case c.status != 0 && (!isHTTP || he.Status != c.status):
				t.Errorf("error %v: want an *HTTPError with status %d", err, c.status)
			case c.throttled && (!isThrottle || isHTTP || te.Source != p.Name()):
				t.Errorf("error %v: want a *ThrottleError from %s", err, p.Name())
			case c.status == 0 && !c.throttled && (isHTTP || isThrottle):
				t.Errorf("error %v: want a plain error", err)
			}
			if d, ok := RetryAfter(err); d != c.retryAfter || ok != (c.retryAfter > 0) {
				t.Errorf("RetryAfter = %v, %v; want %v", d, ok, c.retryAfter)
			}
			if c.rejected != "" && (len(b.Rejected) != 1 || !strings.Contains(b.Rejected[0].Reason, c.rejected)) {
				t.Errorf("rejected = %+v, want one with %q", b.Rejected, c.rejected)
			}
			if c.rejected == "" && len(b.Rejected) != 0 {
				t.Errorf("rejected = %+v, want none", b.Rejected)
			}
			if srv.Hits("") != 1 {
				t.Errorf("%d requests, want 1 (no retry of its own)", srv.Hits(""))
			}
		})
	}
}

// exchTestFuzzCheck is what every exchange decoder must guarantee.
func exchTestFuzzCheck(t *testing.T, b market.Batch, err error) {
	t.Helper()
	if cerr := b.Check(); cerr != nil {
		t.Fatalf("batch fails Check: %v (%+v)", cerr, b)
	}
	if err == nil && (len(b.Obs) != 1 || b.Obs[0].Metric != market.PriceUSD) {
		t.Fatalf("no error but observations %+v", b.Obs)
	}
	if err != nil && len(b.Obs) != 0 {
		t.Fatalf("error %v with observations %+v", err, b.Obs)
	}
}

// exchTestRoutes serve all three exchanges from one replay server.
func exchTestRoutes(coinbaseFx, krakenFx, geckoFx string) map[string]string {
	return map[string]string{
		coinbaseSpotPath:   "coinbase/" + coinbaseFx,
		krakenTickerPath:   "kraken/" + krakenFx,
		coinGeckoPricePath: "coingecko/" + geckoFx,
	}
}

// exchTestAverage averages coinbase, kraken and coingecko served at base.
func exchTestAverage(base string) *exchangeAverage {
	return NewExchangeAverage(
		NewCoinbase(base, HTTPOptions{}),
		NewKraken(base, HTTPOptions{}),
		NewCoinGecko(base, "", HTTPOptions{}),
	).(*exchangeAverage)
}

// exchTestWant is the expected output of an average.
type exchTestWant struct {
	price, spread float64
	sources       int
	at            time.Time
	source        string
}

func exchTestCheckAverage(t *testing.T, b market.Batch, w exchTestWant) {
	t.Helper()
	if err := b.Check(); err != nil {
		t.Error(err)
	}
	got := map[market.Metric]market.Observation{}
	for _, o := range b.Obs {
		got[o.Metric] = o
		if !o.At.Equal(w.at) || o.Source != w.source {
			t.Errorf("%s at %v from %q, want at %v from %q", o.Metric, o.At, o.Source, w.at, w.source)
		}
	}
	if len(b.Obs) != 3 {
		t.Fatalf("observations = %+v", b.Obs)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	if o := got[market.PriceUSD]; !near(o.Value, w.price) {
		t.Errorf("price = %.6f, want %.6f", o.Value, w.price)
	}
	if o := got[market.PriceSources]; o.Value != float64(w.sources) {
		t.Errorf("sources = %v, want %d", o.Value, w.sources)
	}
	if o := got[market.PriceSpreadPct]; !near(o.Value, w.spread) {
		t.Errorf("spread = %.6f%%, want %.6f%%", o.Value, w.spread)
	}
}

// The fixture prices: coinbase 97412.35 and kraken 97398.60 at the Date
// 14:30:05; coingecko 97405 last updated 14:29:47; kraken's stale quote
// 92530.90.

func TestExchangeAverageAgreeing(t *testing.T) {
	srv := fixture.NewReplay(t, exchTestRoutes("spot", "ticker", "price"))
	a := exchTestAverage(srv.URL)
	if a.Name() != "exchanges" {
		t.Errorf("Name = %q", a.Name())
	}
	b, err := a.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mean := (97412.35 + 97398.60 + 97405) / 3
	exchTestCheckAverage(t, b, exchTestWant{
		price: mean, sources: 3, spread: (97412.35 - 97398.60) / mean * 100,
		at: exchTestDate, source: "coinbase+kraken+coingecko",
	})
	if len(b.Rejected) != 0 {
		t.Errorf("rejected = %+v", b.Rejected)
	}
}

func TestExchangeAverageOutlier(t *testing.T) {
	srv := fixture.NewReplay(t, exchTestRoutes("spot", "ticker_stale", "price"))
	b, err := exchTestAverage(srv.URL).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mean := (97412.35 + 97405) / 2
	exchTestCheckAverage(t, b, exchTestWant{
		price: mean, sources: 2, spread: (97412.35 - 97405) / mean * 100,
		at: exchTestDate, source: "coinbase+coingecko",
	})
	if len(b.Rejected) != 1 || b.Rejected[0].What != "kraken btc_usd" ||
		!strings.Contains(b.Rejected[0].Reason, "92530.90 is 5.00% below the median 97405.00 of 3 exchanges") {
		t.Errorf("rejected = %+v", b.Rejected)
	}
}

func TestExchangeAverageOnePartDown(t *testing.T) {
	srv := fixture.NewReplay(t, exchTestRoutes("server_error", "ticker", "price"))
	b, err := exchTestAverage(srv.URL).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mean := (97398.60 + 97405) / 2
	exchTestCheckAverage(t, b, exchTestWant{
		price: mean, sources: 2, spread: (97405 - 97398.60) / mean * 100,
		at: exchTestDate, source: "kraken+coingecko",
	})
	if len(b.Rejected) != 1 || b.Rejected[0].What != "coinbase" || !strings.Contains(b.Rejected[0].Reason, "HTTP 500") {
		t.Errorf("rejected = %+v", b.Rejected)
	}
	// Only coingecko left: its own time, spread 0.
	srv.Set(krakenTickerPath, "kraken/unknown_pair")
	b, err = exchTestAverage(srv.URL).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exchTestCheckAverage(t, b, exchTestWant{price: 97405, sources: 1, spread: 0, at: exchTestGeckoAt, source: "coingecko"})
}

func TestExchangeAverageCarriesRejections(t *testing.T) {
	srv := fixture.NewReplay(t, exchTestRoutes("negative", "ticker", "price_ms_time"))
	b, err := exchTestAverage(srv.URL).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mean := (97398.60 + 97405) / 2
	exchTestCheckAverage(t, b, exchTestWant{
		price: mean, sources: 2, spread: (97405 - 97398.60) / mean * 100,
		at: exchTestDate, source: "kraken+coingecko",
	})
	// The negative price once (not again as coinbase's error), and coingecko's refused time.
	if len(b.Rejected) != 2 || b.Rejected[0].What != "coinbase btc_usd" || b.Rejected[1].What != "coingecko btc_usd time" {
		t.Errorf("rejected = %+v", b.Rejected)
	}
}

func TestExchangeAverageAllDown(t *testing.T) {
	tests := []struct {
		name                        string
		coinbase, kraken, coingecko string
		wait                        time.Duration
		httpFrom, throttleFrom      string // what errors.As finds
	}{
		// Three waits asked for (60 s, none in-band, 30 s): the smallest.
		{"two 429s and an in-band throttle", "rate_limited_json", "throttled", "rate_limited", 30 * time.Second, "coingecko", "kraken"},
		{"three 429s", "rate_limited_plain", "rate_limited_html", "rate_limited", 15 * time.Second, "coinbase", ""},
		// A 500 first, without Retry-After, must not hide coingecko's 90 s.
		{"500, throttle and 503", "server_error", "throttled", "server_error", 90 * time.Second, "coingecko", "kraken"},
		{"no wait asked", "server_error", "unknown_pair", "unknown_id", 0, "coinbase", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fixture.NewReplay(t, exchTestRoutes(tt.coinbase, tt.kraken, tt.coingecko))
			b, err := exchTestAverage(srv.URL).Fetch(context.Background())
			if err == nil || len(b.Obs) != 0 {
				t.Fatalf("batch %+v, error %v", b, err)
			}
			for _, name := range []string{"exchanges", "coinbase", "kraken", "coingecko"} {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if d, ok := RetryAfter(err); d != tt.wait || ok != (tt.wait > 0) {
				t.Errorf("RetryAfter = %v, %v; want %v", d, ok, tt.wait)
			}
			var he *HTTPError
			if ok := errors.As(err, &he); ok != (tt.httpFrom != "") || (ok && he.Source != tt.httpFrom) {
				t.Errorf("errors.As *HTTPError = %v %+v, want from %q", ok, he, tt.httpFrom)
			}
			var te *ThrottleError
			if ok := errors.As(err, &te); ok != (tt.throttleFrom != "") || (ok && te.Source != tt.throttleFrom) {
				t.Errorf("errors.As *ThrottleError = %v %+v, want from %q", ok, te, tt.throttleFrom)
			}
			if len(b.Rejected) != 3 {
				t.Errorf("rejected = %+v, want each failed part", b.Rejected)
			}
		})
	}
}

// A plain errors.Join would hide a later part's Retry-After behind an
// earlier *HTTPError that has none: the reason for exchangeError.As.
func TestExchangeErrorRetryAfterJoin(t *testing.T) {
	errs := []error{
		&HTTPError{Source: "coinbase", Status: 500},
		&ThrottleError{Source: "kraken", Message: "EGeneral:Too many requests"},
		&HTTPError{Source: "coingecko", Status: 429, RetryAfter: 30 * time.Second},
		&HTTPError{Source: "other", Status: 429, RetryAfter: 2 * time.Minute},
	}
	if _, ok := RetryAfter(errors.Join(errs...)); ok {
		t.Log("RetryAfter now looks past the first *HTTPError of a join; exchangeError.As may be simplified")
	}
	if d, ok := RetryAfter(&exchangeError{errs: errs}); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 30s", d, ok)
	}
	// Throttle errors with waits (from other kinds of parts): the smallest.
	e := &exchangeError{errs: []error{
		&ThrottleError{Source: "a", RetryAfter: time.Minute},
		context.DeadlineExceeded,
		&ThrottleError{Source: "b", RetryAfter: 10 * time.Second},
	}}
	if d, ok := RetryAfter(e); !ok || d != 10*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 10s", d, ok)
	}
	if !errors.Is(e, context.DeadlineExceeded) {
		t.Error("errors.Is does not reach the parts")
	}
}

func TestExchangeAverageHonoursPartWaits(t *testing.T) {
	srv := fixture.NewReplay(t, exchTestRoutes("rate_limited_json", "ticker", "price")) // coinbase: 429, Retry-After 60
	a := exchTestAverage(srv.URL)
	now := time.Date(2026, 1, 13, 14, 30, 5, 0, time.UTC)
	a.now = func() time.Time { return now }

	b, err := a.Fetch(context.Background())
	if err != nil || len(b.Rejected) != 1 || !strings.Contains(b.Rejected[0].Reason, "HTTP 429") {
		t.Fatalf("batch %+v, error %v", b, err)
	}
	// 10 s later the average still works, without asking coinbase.
	now = now.Add(10 * time.Second)
	b, err = a.Fetch(context.Background())
	if err != nil || srv.Hits(coinbaseSpotPath) != 1 || srv.Hits(krakenTickerPath) != 2 {
		t.Fatalf("error %v; coinbase asked %d times, kraken %d", err, srv.Hits(coinbaseSpotPath), srv.Hits(krakenTickerPath))
	}
	if len(b.Rejected) != 1 || !strings.Contains(b.Rejected[0].Reason, "not asked: it asked to wait, 50s left") {
		t.Errorf("rejected = %+v", b.Rejected)
	}
	// Everyone else down too: the poller is told the wait that remains.
	srv.Set(krakenTickerPath, "kraken/server_error")
	srv.Set(coinGeckoPricePath, "coingecko/server_error") // Retry-After 90
	_, err = a.Fetch(context.Background())
	if d, ok := RetryAfter(err); !ok || d != 50*time.Second {
		t.Errorf("RetryAfter = %v, %v; want coinbase's 50s left (%v)", d, ok, err)
	}
	// Once the wait is over coinbase is asked again; coingecko still waits.
	srv.Set(coinbaseSpotPath, "coinbase/spot")
	srv.Set(krakenTickerPath, "kraken/ticker")
	now = now.Add(50 * time.Second)
	b, err = a.Fetch(context.Background())
	if err != nil || srv.Hits(coinbaseSpotPath) != 2 || srv.Hits(coinGeckoPricePath) != 3 {
		t.Fatalf("error %v; coinbase asked %d times, coingecko %d", err, srv.Hits(coinbaseSpotPath), srv.Hits(coinGeckoPricePath))
	}
	mean := (97412.35 + 97398.60) / 2
	exchTestCheckAverage(t, b, exchTestWant{price: mean, sources: 2, spread: 13.75 / mean * 100, at: exchTestDate, source: "coinbase+kraken"})
	now = now.Add(40 * time.Second)
	srv.Set(coinGeckoPricePath, "coingecko/price")
	if b, err = a.Fetch(context.Background()); err != nil || len(b.Obs) != 3 || b.Obs[0].Source != "coinbase+kraken+coingecko" {
		t.Errorf("after every wait: %+v, %v", b, err)
	}
}

// exchTestServeFixture writes a fixture as the answer.
func exchTestServeFixture(t *testing.T, w http.ResponseWriter, name string) {
	status, header, body := fixture.Load(t, name)
	for k, vs := range header {
		if !strings.EqualFold(k, "Content-Length") {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}

func TestExchangeAverageConcurrent(t *testing.T) {
	routes := exchTestRoutes("spot", "ticker", "price")
	var (
		mu      sync.Mutex
		arrived int
		all     = make(chan struct{})
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if arrived++; arrived == 3 {
			close(all)
		}
		mu.Unlock()
		// Each request waits for the other two: fetched one after another,
		// the first would wait alone and time out.
		select {
		case <-all:
		case <-time.After(5 * time.Second):
			http.Error(w, "the other requests never came: fetched one by one", http.StatusGatewayTimeout)
			return
		case <-r.Context().Done():
			return
		}
		exchTestServeFixture(t, w, routes[r.URL.Path])
	}))
	t.Cleanup(srv.Close)
	b, err := exchTestAverage(srv.URL).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Obs) != 3 || b.Obs[1].Value != 3 {
		t.Errorf("batch = %+v", b)
	}
}

// exchTestPart is a stand-in exchange.
type exchTestPart struct {
	name  string
	fetch func(context.Context) (market.Batch, error)
}

func (p exchTestPart) Name() string                                    { return p.name }
func (p exchTestPart) Fetch(ctx context.Context) (market.Batch, error) { return p.fetch(ctx) }

func exchTestFixed(name string, price float64, at time.Time) market.Provider {
	return exchTestPart{name, func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.PriceUSD, price, at, name)
		return b, nil
	}}
}

func TestExchangeAverageRespectsContext(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	// deaf ignores ctx entirely; the average must not wait for it.
	deaf := exchTestPart{"deaf", func(context.Context) (market.Batch, error) {
		<-release
		return market.Batch{}, errors.New("too late")
	}}
	polite := exchTestPart{"polite", func(ctx context.Context) (market.Batch, error) {
		<-ctx.Done()
		return market.Batch{}, ctx.Err()
	}}
	a := NewExchangeAverage(exchTestFixed("x", 97400, exchTestDate), deaf, exchTestFixed("y", 97410, exchTestGeckoAt), polite)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	b, err := a.Fetch(ctx)
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Fetch took %v after its context ended", el)
	}
	if err != nil {
		t.Fatal(err)
	}
	exchTestCheckAverage(t, b, exchTestWant{price: 97405, sources: 2, spread: 10.0 / 97405 * 100, at: exchTestDate, source: "x+y"})
	if len(b.Rejected) != 2 || !strings.Contains(b.Rejected[0].Reason, "deaf: no answer in time: context deadline exceeded") {
		t.Errorf("rejected = %+v", b.Rejected)
	}

	// Nobody answers in time: an error the poller recognises as the context's.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	_, err = NewExchangeAverage(deaf, polite).Fetch(ctx2)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want one wrapping context.DeadlineExceeded", err)
	}
}

func TestExchangeAverageOddParts(t *testing.T) {
	panicky := exchTestPart{"panicky", func(context.Context) (market.Batch, error) { panic("boom") }}
	empty := exchTestPart{"empty", func(context.Context) (market.Batch, error) { return market.Batch{}, nil }}
	other := exchTestPart{"other", func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.Difficulty, 1.48e14, exchTestDate, "other")
		return b, nil
	}}
	b, err := NewExchangeAverage(panicky, empty, other, exchTestFixed("x", 97400, exchTestDate)).Fetch(context.Background())
	if err != nil || len(b.Obs) != 3 || b.Obs[0].Value != 97400 || b.Obs[0].Source != "x" {
		t.Fatalf("batch %+v, error %v", b, err)
	}
	want := []string{"panicky: panic: boom", "empty: the answer held no usable BTC/USD price", "other: the answer held no usable"}
	if len(b.Rejected) != 3 {
		t.Fatalf("rejected = %+v", b.Rejected)
	}
	for i, w := range want {
		if !strings.Contains(b.Rejected[i].Reason, w) {
			t.Errorf("rejected[%d] = %+v, want %q", i, b.Rejected[i], w)
		}
	}
	if _, err := NewExchangeAverage().Fetch(context.Background()); err == nil {
		t.Error("an average of nothing did not fail")
	}
}

func TestExchangeAgreement(t *testing.T) {
	tests := []struct {
		prices []float64
		keep   string // one letter per price: k kept, r rejected
		median float64
	}{
		{[]float64{97400}, "k", 97400},
		{[]float64{100, 101}, "kk", 100.5},
		{[]float64{100, 105}, "kk", 102.5},     // two that disagree: no majority, both kept
		{[]float64{100, 100, 106}, "kkr", 100}, // one stale quote
		{[]float64{106, 100, 100.5}, "rkk", 100.5},
		{[]float64{100, 100, 102}, "kkk", 100},        // exactly 2%: agrees
		{[]float64{100, 103, 106}, "kkk", 103},        // only the median agrees: no majority
		{[]float64{100, 100, 130, 130}, "kkkk", 115},  // two camps
		{[]float64{100, 101, 99, 250}, "kkkr", 100.5}, // even count: mean of the middle two
	}
	for _, tt := range tests {
		keep, median := exchangeAgreement(tt.prices)
		var got strings.Builder
		for _, k := range keep {
			got.WriteByte("rk"[map[bool]int{false: 0, true: 1}[k]])
		}
		if got.String() != tt.keep || median != tt.median {
			t.Errorf("%v: keep %s, median %v; want %s, %v", tt.prices, got.String(), median, tt.keep, tt.median)
		}
	}
}

// exchTestParts builds parts from fuzz inputs: bit i of down makes part i
// fail; each price is used as given (even when implausible).
func exchTestParts(prices []float64, down uint8) []exchangePart {
	parts := make([]exchangePart, len(prices))
	names := []string{"coinbase", "kraken", "coingecko", "bitstamp"}
	for i, p := range prices {
		parts[i].name = names[i%len(names)]
		if down&(1<<i) != 0 {
			parts[i].err = &HTTPError{Source: parts[i].name, Status: 429, RetryAfter: time.Duration(i+1) * time.Second}
			continue
		}
		parts[i].batch.Obs = []market.Observation{{Metric: market.PriceUSD, Value: p, At: exchTestDate.Add(time.Duration(i) * time.Second), Source: parts[i].name}}
	}
	return parts
}

func FuzzCombineExchanges(f *testing.F) {
	f.Add(97412.35, 97398.60, 97405.0, 92530.90, uint8(0))
	f.Add(97412.35, 92530.90, 97405.0, 0.0, uint8(8))
	f.Add(100.0, 300.0, 1e8, -1.0, uint8(2))
	f.Add(math.NaN(), math.Inf(1), 0.01, 1e-300, uint8(15))
	f.Fuzz(func(t *testing.T, p1, p2, p3, p4 float64, down uint8) {
		prices := []float64{p1, p2, p3, p4}
		b, err := combineExchanges(exchTestParts(prices, down))
		if cerr := b.Check(); cerr != nil {
			t.Fatalf("batch fails Check: %v (%+v)", cerr, b)
		}
		var valid []float64
		for i, p := range prices {
			if down&(1<<i) == 0 && market.CheckValue(market.PriceUSD, p) == nil {
				valid = append(valid, p)
			}
		}
		if len(valid) == 0 {
			if err == nil || len(b.Obs) != 0 {
				t.Fatalf("no valid price but %+v, %v", b.Obs, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid prices %v but error %v", valid, err)
		}
		lo, hi := valid[0], valid[0]
		for _, p := range valid {
			lo, hi = min(lo, p), max(hi, p)
		}
		for _, o := range b.Obs {
			switch o.Metric {
			case market.PriceUSD:
				if o.Value < lo*(1-1e-12) || o.Value > hi*(1+1e-12) {
					t.Fatalf("mean %v outside [%v, %v]", o.Value, lo, hi)
				}
			case market.PriceSources:
				if o.Value < 1 || o.Value > float64(len(valid)) {
					t.Fatalf("%v sources of %d", o.Value, len(valid))
				}
			}
		}
	})
}

func BenchmarkCombineExchanges(b *testing.B) {
	parts := exchTestParts([]float64{97412.35, 97398.60, 97405, 92530.90}, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := combineExchanges(parts); err != nil {
			b.Fatal(err)
		}
	}
}
