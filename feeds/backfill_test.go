package feeds_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/feeds/store"
)

// These tests are in package feeds_test: they use the history store, which
// imports feeds. Fixture dates: the cold run happens at bfT0 (the fixtures'
// Date), the stale run a day and an hour later.

func bfT0() time.Time { return time.Date(2026, 1, 14, 15, 0, 0, 0, time.UTC) }

func bfDay(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

// bfClock is a settable clock.
type bfClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *bfClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *bfClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Sleep is a sleeper for BackfillOptions.Sleep: it records each positive
// wait and moves the clock on by it at once.
func (c *bfClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	c.mu.Unlock()
	return ctx.Err()
}

// Slept returns the waits Sleep recorded.
func (c *bfClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.slept)
}

// openStore opens a history store in a temporary directory.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "history.db"), store.Options{SkipIntegrityCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// bfRoutes answer a cold run: CORZ is rate-limited at Yahoo (no
// Retry-After) and comes from Nasdaq; BITF is configured and must be asked
// for as KEEL.
func bfRoutes() map[string]string {
	return map[string]string{
		"/api/v1/mining/hashrate/3y":    "history/mempool-hashrate-3y",
		"/api/v1/mining/hashrate/1w":    "history/mempool-hashrate-1w",
		"/api/v1/mining/blocks/fees/3y": "history/mempool-fees-3y",
		"/api/v1/mining/blocks/fees/1w": "history/mempool-fees-1w",
		"/api/v1/historical-price":      "history/mempool-price",
		"/v8/finance/chart/IREN":        "history/yahoo-iren-1y",
		"/v8/finance/chart/KEEL":        "history/yahoo-keel-1y",
		"/v8/finance/chart/CORZ":        "history/yahoo-429",
		"/api/quote/CORZ/historical":    "history/nasdaq-corz-1y",
	}
}

func bfSymbols() market.Symbols {
	return market.Symbols{Peers: []string{"IREN", "BITF", "CORZ"}, Renames: []market.Rename{{Old: "BITF", New: "KEEL"}}}
}

// bfOptions points every upstream at base, with no pauses.
func bfOptions(base string, clock func() time.Time) feeds.BackfillOptions {
	return feeds.BackfillOptions{
		Endpoints:  provider.Endpoints{Mempool: base, Yahoo: base, Nasdaq: base},
		Symbols:    bfSymbols(),
		MempoolGap: -1, YahooGap: -1, NasdaqGap: -1,
		Now: clock,
	}
}

func newBackfill(t *testing.T, st *store.Store, o feeds.BackfillOptions) *feeds.Backfill {
	t.Helper()
	bf, err := feeds.NewBackfill(st, store.MetricKey, o)
	if err != nil {
		t.Fatal(err)
	}
	return bf
}

// waitFinished reads progress until a finished run shows up.
func waitFinished(t *testing.T, bf *feeds.Backfill) feeds.BackfillProgress {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-bf.Progress():
			if p.Finished {
				return p
			}
		case <-timeout:
			t.Fatalf("no finished run; latest %+v", bf.Latest())
		}
	}
}

// wantPoints compares a series with want (time → value, 1e-9 relative).
func wantPoints(t *testing.T, what string, got []store.Point, want map[time.Time]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d points, want %d: %v", what, len(got), len(want), got)
	}
	for _, p := range got {
		w, ok := want[p.At]
		if !ok {
			t.Errorf("%s: unexpected point %v = %v", what, p.At, p.Value)
			continue
		}
		if math.Abs(p.Value-w) > 1e-9*math.Abs(w) {
			t.Errorf("%s at %s = %.10g, want %.10g", what, p.At.Format(time.DateTime), p.Value, w)
		}
	}
}

// wantCloses compares stored closes with want (day of January 2026 → close).
func wantCloses(t *testing.T, st *store.Store, sym string, want map[int]float64) {
	t.Helper()
	bars, err := st.Closes(context.Background(), sym, bfDay(1, 1), bfDay(2, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != len(want) {
		t.Errorf("%s: %d closes, want %d: %v", sym, len(bars), len(want), bars)
	}
	for _, b := range bars {
		if w, ok := want[b.Day.Day()]; !ok || math.Abs(b.Close-w) > 1e-9 {
			t.Errorf("%s %s close %v, want %v (known: %v)", sym, b.Day.Format(time.DateOnly), b.Close, w, ok)
		}
	}
}

func series(t *testing.T, st *store.Store, m market.Metric, from, to time.Time, res store.Resolution) []store.Point {
	t.Helper()
	p, err := st.Series(context.Background(), m, from, to, res)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBackfillColdWarmStale(t *testing.T) {
	st := openStore(t)
	r := fixture.NewReplay(t, bfRoutes())
	clock := &bfClock{t: bfT0()}

	// Cold run, through Run on its own goroutine: it reports on the channel.
	ctx, cancel := context.WithCancel(context.Background())
	bf := newBackfill(t, st, bfOptions(r.URL, clock.Now))
	ran := make(chan struct{})
	go func() { bf.Run(ctx); close(ran) }()
	p := waitFinished(t, bf)
	if p.Done != 6 || p.Total != 6 || p.Skipped != 0 || len(p.Errors) != 0 || !p.Started.Equal(bfT0()) || p.Current != "" {
		t.Errorf("cold progress: %+v", p)
	}
	// The loop then schedules the next run, a day later.
	for deadline := time.Now().Add(5 * time.Second); bf.Latest().Next.IsZero() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if next := bf.Latest().Next; !next.Equal(bfT0().Add(24 * time.Hour)) {
		t.Errorf("next run at %v, want a day later", next)
	}
	cancel()
	<-ran
	cold := map[string]int{
		"/api/v1/mining/hashrate/3y": 1, "/api/v1/mining/blocks/fees/3y": 1, "/api/v1/historical-price": 1,
		"/v8/finance/chart/IREN": 1, "/v8/finance/chart/KEEL": 1, "/v8/finance/chart/CORZ": 1,
		"/api/quote/CORZ/historical": 1,
	}
	for path, n := range cold {
		if got := r.Hits(path); got != n {
			t.Errorf("cold: %d requests to %s, want %d", got, path, n)
		}
	}
	if r.Hits("") != 7 || r.Hits("/v8/finance/chart/BITF") != 0 {
		t.Errorf("cold: %d requests in all (want 7), %d for BITF (want 0)", r.Hits(""), r.Hits("/v8/finance/chart/BITF"))
	}
	if q := r.LastRequest("/v8/finance/chart/IREN").URL.Query(); q.Get("range") != "1y" || q.Get("interval") != "1d" {
		t.Errorf("cold Yahoo query %v, want range=1y interval=1d", q)
	}

	// What the store holds: daily hashrate (EH/s) for Jan 5–14, two
	// retargets, daily fees, daily prices from three years back (2013 is
	// left out), closes under the current tickers.
	from, to := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), bfDay(2, 1)
	hr := map[time.Time]float64{}
	fees := map[time.Time]float64{}
	price := map[time.Time]float64{
		time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC): 67500, time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC): 67800,
		time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC): 69300, bfDay(1, 13): 95600, bfDay(1, 14): 96850,
	}
	for i := range 10 {
		hr[bfDay(1, 5+i)] = float64(1040 + 4*i)
		f := float64(2500000+10000*i) / 1e8
		if i < 9 {
			f = float64(2600000+10000*i) / 1e8 // (2.5 M + 2.7 M) / 2 + 10 k·i sats
		}
		fees[bfDay(1, 5+i)] = f
		if i < 8 {
			price[bfDay(1, 5+i)] = float64(94000 + 100*i)
		}
	}
	wantPoints(t, "hashrate", series(t, st, market.Hashrate, from, to, store.Daily), hr)
	wantPoints(t, "difficulty", series(t, st, market.Difficulty, from, to, store.Raw), map[time.Time]float64{
		time.Date(2025, 12, 30, 3, 20, 34, 0, time.UTC): 141964215307284.7,
		time.Date(2026, 1, 11, 17, 5, 21, 0, time.UTC):  146472570619930.8,
	})
	wantPoints(t, "fees", series(t, st, market.FeesPerBlock, from, to, store.Daily), fees)
	wantPoints(t, "price", series(t, st, market.PriceUSD, from, to, store.Daily), price)
	for _, p := range series(t, st, market.Hashrate, from, to, store.Raw) {
		if p.Source != "mempool.space" {
			t.Errorf("hashrate source %q", p.Source)
		}
	}
	// IREN's Jan 7 and KEEL's Jan 9 are null at Yahoo; CORZ's Jan 9 is N/A at Nasdaq.
	wantCloses(t, st, "IREN", map[int]float64{2: 40.1, 5: 40.6, 6: 41.05, 8: 41.9, 9: 42.45, 12: 43, 13: 43.52, 14: 44.1})
	wantCloses(t, st, "KEEL", map[int]float64{2: 2.01, 5: 2.05, 6: 1.98, 7: 2.1, 8: 2.14, 12: 2.22, 13: 2.19, 14: 2.25})
	wantCloses(t, st, "CORZ", map[int]float64{2: 15.1, 5: 15.32, 6: 15.05, 7: 15.6, 8: 15.81, 9: 16.02, 12: 15.9, 13: 16.25, 14: 16.4})
	wantCloses(t, st, "BITF", map[int]float64{})
	if last, ok, err := st.LastTime(context.Background(), store.MetricKey(feeds.BackfillCheckpointPrefix+"close:KEEL")); err != nil || !ok || !last.Equal(bfT0()) {
		t.Errorf("KEEL checkpoint: %v %v %v, want %v", last, ok, err, bfT0())
	}

	// Warm restart an hour later: every key is fresh, no request at all.
	clock.Set(bfT0().Add(time.Hour))
	bf = newBackfill(t, st, bfOptions(r.URL, clock.Now))
	p = bf.RunOnce(context.Background())
	if n := r.Hits(""); n != 7 {
		t.Errorf("warm run made %d requests", n-7)
	}
	if p.Done != 6 || p.Skipped != 6 || !p.Finished || len(p.Errors) != 0 {
		t.Errorf("warm progress: %+v", p)
	}
	if q := <-bf.Progress(); !q.Finished || q.Skipped != 6 {
		t.Errorf("the channel does not hold the latest progress: %+v", q)
	}

	// A day and an hour later every key is stale: it fetches the shortest
	// window back to the day before its checkpoint (1w, 5d), and writes
	// only from that day (Jan 13) on.
	clock.Set(time.Date(2026, 1, 15, 16, 0, 0, 0, time.UTC))
	r.Set("/v8/finance/chart/IREN", "history/yahoo-iren-5d")
	r.Set("/v8/finance/chart/KEEL", "history/yahoo-keel-5d")
	r.Set("/api/v1/historical-price", "history/mempool-price-jan15")
	p = newBackfill(t, st, bfOptions(r.URL, clock.Now)).RunOnce(context.Background())
	if p.Done != 6 || p.Skipped != 0 || len(p.Errors) != 0 {
		t.Errorf("stale progress: %+v", p)
	}
	for path, n := range map[string]int{
		"/api/v1/mining/hashrate/1w": 1, "/api/v1/mining/blocks/fees/1w": 1, "/api/v1/mining/hashrate/3y": 1,
		"/api/v1/historical-price": 2, "/v8/finance/chart/IREN": 2, "/api/quote/CORZ/historical": 2,
	} {
		if got := r.Hits(path); got != n {
			t.Errorf("stale: %d requests to %s in all, want %d", got, path, n)
		}
	}
	if r.Hits("") != 14 {
		t.Errorf("stale run made %d requests, want 7", r.Hits("")-7)
	}
	if rng := r.LastRequest("/v8/finance/chart/IREN").URL.Query().Get("range"); rng != "5d" {
		t.Errorf("stale Yahoo range %q, want 5d", rng)
	}
	// The 1w answer differs for Jan 8–13 (+100 EH/s): Jan 13 on is
	// rewritten, Jan 12 and before are left as they were.
	hr[bfDay(1, 13)] = 1172
	hr[bfDay(1, 14)] = 1090
	hr[bfDay(1, 15)] = 1095
	wantPoints(t, "stale hashrate", series(t, st, market.Hashrate, from, to, store.Daily), hr)
	fees[bfDay(1, 13)] = 0.02375
	fees[bfDay(1, 14)] = 0.02475
	fees[bfDay(1, 15)] = 0.02325
	wantPoints(t, "stale fees", series(t, st, market.FeesPerBlock, from, to, store.Daily), fees)
	price[bfDay(1, 14)] = 97000
	price[bfDay(1, 15)] = 97100
	wantPoints(t, "stale price", series(t, st, market.PriceUSD, from, to, store.Daily), price)
	wantCloses(t, st, "IREN", map[int]float64{2: 40.1, 5: 40.6, 6: 41.05, 8: 41.9, 9: 42.45, 12: 43, 13: 43.52, 14: 44.25, 15: 44.8})
}

// timedServer serves fixtures by path and records when each request
// arrived; a path's answers may be a sequence (the last one repeats).
type timedServer struct {
	*httptest.Server
	t      *testing.T
	mu     sync.Mutex
	routes map[string][]string
	hits   []timedHit
	active map[string]int // requests in flight
	most   int            // the most ever in flight at once
}

type timedHit struct {
	path string
	at   time.Time
}

func newTimedServer(t *testing.T, routes map[string][]string) *timedServer {
	s := &timedServer{t: t, routes: routes, active: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *timedServer) serve(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	n := 0
	for _, h := range s.hits {
		if h.path == req.URL.Path {
			n++
		}
	}
	s.hits = append(s.hits, timedHit{req.URL.Path, time.Now()})
	s.active[""]++
	s.most = max(s.most, s.active[""])
	seq := s.routes[req.URL.Path]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active[""]--
		s.mu.Unlock()
	}()
	if len(seq) == 0 {
		http.NotFound(w, req)
		return
	}
	status, header, body := fixture.Load(s.t, seq[min(n, len(seq)-1)])
	time.Sleep(5 * time.Millisecond) // so that overlapping requests would show
	for k, vs := range header {
		if !strings.EqualFold(k, "Content-Length") {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}

func (s *timedServer) times(path string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for _, h := range s.hits {
		if h.path == path {
			out = append(out, h.at)
		}
	}
	return out
}

func timedRoutes() map[string][]string {
	out := map[string][]string{}
	for k, v := range bfRoutes() {
		out[k] = []string{v}
	}
	return out
}

func TestBackfillRetryAfterDelaysOnlyThatKey(t *testing.T) {
	routes := timedRoutes()
	// The hashrate history answers 429 with Retry-After: 1, then succeeds.
	routes["/api/v1/mining/hashrate/3y"] = []string{"history/mempool-429", "history/mempool-hashrate-3y"}
	srv := newTimedServer(t, routes)
	st := openStore(t)
	p := newBackfill(t, st, bfOptions(srv.URL, bfT0)).RunOnce(context.Background())
	if len(p.Errors) != 0 || p.Done != 6 || !p.Finished {
		t.Fatalf("progress: %+v", p)
	}
	hr := srv.times("/api/v1/mining/hashrate/3y")
	if len(hr) != 2 {
		t.Fatalf("%d hashrate requests, want 2", len(hr))
	}
	if d := hr[1].Sub(hr[0]); d < 990*time.Millisecond {
		t.Errorf("retried after %s, before the Retry-After of 1 s", d)
	}
	// Every other key was served while the hashrate waited.
	srv.mu.Lock()
	for _, h := range srv.hits {
		if h.path != "/api/v1/mining/hashrate/3y" && !h.at.Before(hr[1]) {
			t.Errorf("%s was requested at +%s, after the throttled key's retry (+%s): it was held up", h.path, h.at.Sub(hr[0]), hr[1].Sub(hr[0]))
		}
	}
	srv.mu.Unlock()
	if got := series(t, st, market.Hashrate, bfDay(1, 1), bfDay(2, 1), store.Daily); len(got) != 10 {
		t.Errorf("hashrate after the retry: %d days, want 10", len(got))
	}
}

func TestBackfillFailureOfOneKeyAndResume(t *testing.T) {
	routes := bfRoutes()
	routes["/api/v1/mining/hashrate/3y"] = "history/mempool-429-long" // Retry-After: 3600
	r := fixture.NewReplay(t, routes)
	st := openStore(t)
	p := newBackfill(t, st, bfOptions(r.URL, bfT0)).RunOnce(context.Background())
	if p.Done != 6 || !p.Finished || len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0], "network: ") ||
		!strings.Contains(p.Errors[0], "429") || !strings.Contains(p.Errors[0], "next run") {
		t.Fatalf("progress: %+v", p)
	}
	if r.Hits("/api/v1/mining/hashrate/3y") != 1 {
		t.Errorf("%d hashrate requests: a Retry-After of an hour must not be waited for", r.Hits("/api/v1/mining/hashrate/3y"))
	}
	if got := series(t, st, market.FeesPerBlock, bfDay(1, 1), bfDay(2, 1), store.Daily); len(got) != 10 {
		t.Errorf("fees: %d days, want 10 (one key's failure must not stop the others)", len(got))
	}
	// The next run, an hour later, fetches the failed key only.
	r.Set("/api/v1/mining/hashrate/3y", "history/mempool-hashrate-3y")
	before := r.Hits("")
	p = newBackfill(t, st, bfOptions(r.URL, func() time.Time { return bfT0().Add(time.Hour) })).RunOnce(context.Background())
	if len(p.Errors) != 0 || p.Skipped != 5 || p.Done != 6 {
		t.Errorf("resumed progress: %+v", p)
	}
	if n := r.Hits("") - before; n != 1 || r.Hits("/api/v1/mining/hashrate/3y") != 2 {
		t.Errorf("resumed run made %d requests, want 1 (the hashrate, cold: 3y)", n)
	}
	if got := series(t, st, market.Hashrate, bfDay(1, 1), bfDay(2, 1), store.Daily); len(got) != 10 {
		t.Errorf("hashrate after resuming: %d days, want 10", len(got))
	}
}

func TestBackfillPricesFallBackToFeesUSD(t *testing.T) {
	routes := bfRoutes()
	routes["/api/v1/historical-price"] = "history/mempool-price-empty" // HTTP 200, empty body: no data
	r := fixture.NewReplay(t, routes)
	st := openStore(t)
	p := newBackfill(t, st, bfOptions(r.URL, bfT0)).RunOnce(context.Background())
	if len(p.Errors) != 0 {
		t.Fatalf("errors: %v", p.Errors)
	}
	// The last 12 h bucket of each day: 94050 + 100 i; Jan 14 has only its first.
	want := map[time.Time]float64{bfDay(1, 14): 94900}
	for i := range 9 {
		want[bfDay(1, 5+i)] = float64(94050 + 100*i)
	}
	wantPoints(t, "price from fees", series(t, st, market.PriceUSD, bfDay(1, 1), bfDay(2, 1), store.Daily), want)

	// With neither source there is no price, and the key fails alone.
	routes["/api/v1/mining/blocks/fees/3y"] = "history/mempool-fees-empty"
	r = fixture.NewReplay(t, routes)
	p = newBackfill(t, openStore(t), bfOptions(r.URL, bfT0)).RunOnce(context.Background())
	if all := strings.Join(p.Errors, "|"); len(p.Errors) != 2 || !strings.Contains(all, "price: ") || !strings.Contains(all, "fees: ") {
		t.Errorf("errors: %v, want fees and price", p.Errors)
	}
}

func TestBackfillPacesEachHost(t *testing.T) {
	// mempool.space on one host with a 100 ms gap, Yahoo and Nasdaq on
	// another with none: each host sees one request at a time, and the
	// pacer waits the gap (on the injected clock) before the second and
	// third mempool requests, and never for the stocks host.
	mp := newTimedServer(t, timedRoutes())
	stocks := newTimedServer(t, timedRoutes())
	clock := &bfClock{t: bfT0()}
	o := bfOptions(mp.URL, clock.Now)
	o.Sleep = clock.Sleep
	o.Endpoints.Yahoo, o.Endpoints.Nasdaq = stocks.URL, stocks.URL
	o.MempoolGap = 100 * time.Millisecond
	p := newBackfill(t, openStore(t), o).RunOnce(context.Background())
	if len(p.Errors) != 0 {
		t.Fatalf("errors: %v", p.Errors)
	}
	mp.mu.Lock()
	n, most := len(mp.hits), mp.most
	mp.mu.Unlock()
	if n != 3 || most != 1 {
		t.Fatalf("mempool: %d requests, at most %d at once; want 3, 1", n, most)
	}
	if got, want := clock.Slept(), []time.Duration{100 * time.Millisecond, 100 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("pacer waits %v, want %v", got, want)
	}
	stocks.mu.Lock()
	n, most = len(stocks.hits), stocks.most
	stocks.mu.Unlock()
	if n != 4 || most != 1 {
		t.Errorf("stocks: %d requests, at most %d at once; want 4, 1", n, most)
	}
}

func TestBackfillStopsWithItsContext(t *testing.T) {
	// An upstream that never answers: Run shows the key in flight and
	// returns when ctx ends. (Every upstream is on one
	// host here, so one request is in flight at a time.)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	o := bfOptions(srv.URL, bfT0)
	ctx, cancel := context.WithCancel(context.Background())
	bf := newBackfill(t, openStore(t), o)
	ran := make(chan struct{})
	go func() { bf.Run(ctx); close(ran) }()
	deadline := time.Now().Add(5 * time.Second)
	for bf.Latest().Current == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if cur := bf.Latest().Current; cur == "" || strings.Contains(cur, ",") {
		t.Errorf("in flight: %q, want one key", cur)
	}
	cancel()
	<-ran
	if p := bf.Latest(); !p.Finished || p.Done != p.Total {
		t.Errorf("after cancel: %+v", p)
	}
}

func TestNewBackfillChecksEndpoints(t *testing.T) {
	st := openStore(t)
	if _, err := feeds.NewBackfill(st, store.MetricKey, feeds.BackfillOptions{}); err == nil {
		t.Error("no endpoints accepted")
	}
	o := bfOptions("http://127.0.0.1:1", bfT0)
	o.Endpoints.Yahoo = "ftp://example.com"
	if _, err := feeds.NewBackfill(st, store.MetricKey, o); err == nil || !strings.Contains(err.Error(), "yahoo") {
		t.Errorf("bad yahoo endpoint: %v", err)
	}
	if _, err := feeds.NewBackfill[store.Key](nil, store.MetricKey, o); err == nil {
		t.Error("nil store accepted")
	}
}
