package feeds_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/feeds/store"
)

// The filings tests replay the SEC fixtures (feeds/testdata/sec). The
// first round happens at flT0, a few days after the newest fixture filing.

const flUA = "Jane Doe jane.doe@hashdeck.dev"

func flT0() time.Time { return time.Date(2026, 2, 10, 15, 0, 0, 0, time.UTC) }

// Company-facts paths of the three filers the tests follow.
const (
	flCLSK    = "/api/xbrl/companyfacts/CIK0000827876.json"
	flIREN    = "/api/xbrl/companyfacts/CIK0001878848.json"
	flMARA    = "/api/xbrl/companyfacts/CIK0001507605.json"
	flTickers = "/files/company_tickers.json"
)

func flRoutes() map[string]string {
	return map[string]string{
		flCLSK:    "sec/companyfacts-clsk",
		flIREN:    "sec/companyfacts-iren",
		flMARA:    "sec/companyfacts-mara",
		flTickers: "sec/company-tickers",
	}
}

// flFilers are CLSK, IREN and MARA, in that order, and HIVE (skipped).
func flFilers(t testing.TB) []provider.SECFiler {
	t.Helper()
	var out []provider.SECFiler
	for _, tk := range []string{"CLSK", "IREN", "MARA", "HIVE"} {
		for _, f := range provider.SECFilers() {
			if f.Ticker == tk {
				out = append(out, f)
			}
		}
	}
	if len(out) != 4 {
		t.Fatal("filers missing from the table")
	}
	return out
}

// flClock is a settable clock.
type flClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *flClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *flClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// flLimiter counts the requests it lets through, recording the server's
// request count at each, and never sleeps.
type flLimiter struct {
	mu    sync.Mutex
	srv   *fixture.Replay
	waits []int
}

func (l *flLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waits = append(l.waits, l.srv.Hits(""))
	return ctx.Err()
}

type flEnv struct {
	srv   *fixture.Replay
	clock *flClock
	lim   *flLimiter
	path  string
}

func newFlEnv(t *testing.T) *flEnv {
	t.Helper()
	srv := fixture.NewReplay(t, flRoutes())
	return &flEnv{srv: srv, clock: &flClock{now: flT0()}, lim: &flLimiter{srv: srv}, path: filepath.Join(t.TempDir(), "history.db")}
}

// open opens the store (closed at the end of the test) and a Filings on it.
func (e *flEnv) open(t *testing.T) (*feeds.Filings, *store.Store) {
	t.Helper()
	st, err := store.Open(e.path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := feeds.NewFilings(st, feeds.FilingsOptions{
		Base: e.srv.URL, UserAgent: flUA, Filers: flFilers(t), Now: e.clock.Now, Limiter: e.lim, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f, st
}

func flStatus(t *testing.T, f *feeds.Filings, ticker string) feeds.FilerStatus {
	t.Helper()
	for _, s := range f.Status().Filers {
		if s.Ticker == ticker {
			return s
		}
	}
	t.Fatalf("no status for %s", ticker)
	return feeds.FilerStatus{}
}

// flHits returns the requests per path, for error messages and checks.
func flHits(srv *fixture.Replay) string {
	return fmt.Sprintf("tickers %d, CLSK %d, IREN %d, MARA %d", srv.Hits(flTickers), srv.Hits(flCLSK), srv.Hits(flIREN), srv.Hits(flMARA))
}

// flSummary renders quarters for comparison.
func flSummary(qs []econ.Quarter) string {
	var b strings.Builder
	for _, q := range qs {
		fmt.Fprintf(&b, "%s %v %v %v %s|", q.Fiscal, q.RevenueTotal.Value, q.StockComp.Value, q.SGA.Value, q.Published.String())
	}
	return b.String()
}

func TestFilingsNeedsUserAgent(t *testing.T) {
	srv := fixture.NewReplay(t, flRoutes())
	for _, ua := range []string{"", "hashdeck/1.0", "Your Name you@example.com"} {
		f, err := feeds.NewFilings(nil, feeds.FilingsOptions{Base: srv.URL, UserAgent: ua})
		if !errors.Is(err, provider.ErrNoUserAgent) || f != nil {
			t.Fatalf("%q: %v, want ErrNoUserAgent", ua, err)
		}
		for _, want := range []string{`[sec] user_agent = "Your Name you@example.com"`, "HASHDECK_SEC_USER_AGENT"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	}
	if srv.Hits("") != 0 {
		t.Errorf("%d requests without a User-Agent", srv.Hits(""))
	}
}

// TestFilingsOnceADay: the first round fetches every filer (and the ticker
// map) and stores the facts; later rounds the same day make no request,
// even after a restart, whose quarters come from the store; the next day
// each filer is asked with its validators, and a 304 keeps its quarters.
func TestFilingsOnceADay(t *testing.T) {
	e := newFlEnv(t)
	f, st := e.open(t)
	ctx := context.Background()
	if err := f.FetchOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := flHits(e.srv); got != "tickers 1, CLSK 1, IREN 1, MARA 1" {
		t.Fatalf("first round: %s", got)
	}
	clsk := f.Quarters("CLSK")
	if len(clsk) != 6 || clsk[5].Fiscal != "FY2026 Q1" || len(f.Quarters("IREN")) != 4 || len(f.Quarters("MARA")) != 2 || f.Quarters("HIVE") != nil {
		t.Fatalf("quarters: CLSK %d, IREN %d, MARA %d, HIVE %d", len(clsk), len(f.Quarters("IREN")), len(f.Quarters("MARA")), len(f.Quarters("HIVE")))
	}
	if all := f.AllQuarters(); len(all) != 3 || flSummary(all["CLSK"]) != flSummary(clsk) {
		t.Errorf("AllQuarters: %d tickers", len(all))
	}
	s := flStatus(t, f, "CLSK")
	if !s.OK() || !s.LastFetch.Equal(flT0()) || s.Latest != "FY2026 Q1" || s.Quarters != 6 || s.CIK != "0000827876" ||
		!s.Next.Equal(flT0().Add(24*time.Hour)) || s.NotModified || s.Warning != "" || s.Requests != 1 {
		t.Errorf("CLSK status %+v", s)
	}
	// A skipped filer is listed, never asked for.
	if h := flStatus(t, f, "HIVE"); h.Skipped == "" || !h.Next.IsZero() || h.Requests != 0 {
		t.Errorf("HIVE status %+v", h)
	}
	state, ok, err := st.FilingsState(ctx, 827876)
	if err != nil || !ok || !state.Fetched.Equal(flT0()) || state.ETag != `"clsk-2026-02-06"` || state.Parser != provider.SECParserVersion || state.Entity != "CLEANSPARK, INC." {
		t.Fatalf("stored state %+v %v %v", state, ok, err)
	}
	if facts, _ := st.FilingFacts(ctx, 827876); len(facts) != 41 {
		t.Errorf("%d facts stored for CLSK, want 41", len(facts))
	}

	// Later the same day: nothing is due, nothing is asked.
	e.clock.Set(flT0().Add(23 * time.Hour))
	if err := f.FetchOnce(ctx); err != nil || e.srv.Hits("") != 4 {
		t.Fatalf("same day: %v, %s", err, flHits(e.srv))
	}

	// A restart the same day reads the store and asks nothing either.
	st.Close()
	f2, _ := e.open(t)
	if err := f2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := flSummary(f2.Quarters("CLSK")); got != flSummary(clsk) {
		t.Errorf("quarters after restart\n got %s\nwant %s", got, flSummary(clsk))
	}
	if err := f2.FetchOnce(ctx); err != nil || e.srv.Hits("") != 4 {
		t.Fatalf("after restart: %v, %s", err, flHits(e.srv))
	}
	if s := flStatus(t, f2, "CLSK"); !s.LastFetch.Equal(flT0()) || s.Requests != 0 {
		t.Errorf("status after restart %+v", s)
	}

	// The next day: conditional requests; CLSK has not changed (304).
	t1 := flT0().Add(24*time.Hour + time.Minute)
	e.clock.Set(t1)
	e.srv.Set(flCLSK, "sec/304")
	if err := f2.FetchOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := flHits(e.srv); got != "tickers 2, CLSK 2, IREN 2, MARA 2" {
		t.Fatalf("next day: %s", got)
	}
	for path, etag := range map[string]string{flCLSK: `"clsk-2026-02-06"`, flIREN: `"iren-2026-02-06"`, flMARA: `"mara-2026-02-06"`} {
		req := e.srv.LastRequest(path)
		if req.Header.Get("If-None-Match") != etag || req.Header.Get("If-Modified-Since") != "Fri, 06 Feb 2026 03:12:44 GMT" {
			t.Errorf("%s: conditional headers %q %q", path, req.Header.Get("If-None-Match"), req.Header.Get("If-Modified-Since"))
		}
	}
	if got := flSummary(f2.Quarters("CLSK")); got != flSummary(clsk) {
		t.Errorf("quarters after 304\n got %s\nwant %s", got, flSummary(clsk))
	}
	if s := flStatus(t, f2, "CLSK"); !s.NotModified || !s.LastFetch.Equal(t1) || !s.OK() {
		t.Errorf("status after 304 %+v", s)
	}
	state, _, _ = e.storeState(t, f2, 827876)
	if !state.Fetched.Equal(t1) || state.ETag != `"clsk-2026-02-06"` {
		t.Errorf("stored state after 304 %+v", state)
	}
}

// storeState reads a filer's state from a fresh store handle.
func (e *flEnv) storeState(t *testing.T, _ *feeds.Filings, cik int64) (store.FilingsState, bool, error) {
	t.Helper()
	st, err := store.Open(e.path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return st.FilingsState(context.Background(), cik)
}

// TestFilingsTickerMap: a CIK the SEC's ticker map contradicts is
// reported; a ticker map that fails does not stop the filers.
func TestFilingsTickerMap(t *testing.T) {
	e := newFlEnv(t)
	filers := flFilers(t)
	filers[1].CIK = 1878849 // IREN with a wrong CIK (no route: 404)
	f, err := feeds.NewFilings(nil, feeds.FilingsOptions{Base: e.srv.URL, UserAgent: flUA, Filers: filers, Now: e.clock.Now, Limiter: e.lim})
	if err != nil {
		t.Fatal(err)
	}
	err = f.FetchOnce(context.Background())
	if !errors.Is(err, provider.ErrSECNotFound) || !strings.Contains(err.Error(), "IREN: ") {
		t.Errorf("err %v, want IREN's 404", err)
	}
	s := flStatus(t, f, "IREN")
	if !strings.Contains(s.Warning, "CIK 0001878848") || !strings.Contains(s.LastError, "no XBRL company facts") || s.OK() {
		t.Errorf("IREN status %+v", s)
	}
	// A 404 is an answer: tried again in a day, not an hour.
	if !s.Next.Equal(flT0().Add(24 * time.Hour)) {
		t.Errorf("IREN next %v", s.Next)
	}
	if len(f.Quarters("CLSK")) != 6 || len(f.Quarters("MARA")) != 2 {
		t.Error("the other filers were not fetched")
	}

	e2 := newFlEnv(t)
	e2.srv.Set(flTickers, "sec/html-200")
	f2, _ := e2.open(t)
	if err := f2.FetchOnce(context.Background()); !errors.Is(err, provider.ErrNotJSON) {
		t.Errorf("err %v, want the ticker map's", err)
	}
	if st := f2.Status(); !strings.Contains(st.TickerMapError, "HTML page") || len(f2.Quarters("CLSK")) != 6 {
		t.Errorf("status %+v", st)
	}
}

// TestFilingsBlocked: a 403 page ends the round (every request would get
// it), says to check the User-Agent, and is retried after an hour.
func TestFilingsBlocked(t *testing.T) {
	e := newFlEnv(t)
	e.srv.Set(flCLSK, "sec/403-undeclared")
	f, st := e.open(t)
	err := f.FetchOnce(context.Background())
	if !errors.Is(err, provider.ErrSECBlocked) || !strings.Contains(err.Error(), "check the User-Agent") {
		t.Fatalf("err %v", err)
	}
	if got := flHits(e.srv); got != "tickers 1, CLSK 1, IREN 0, MARA 0" {
		t.Errorf("requests %s: the round went on", got)
	}
	s := flStatus(t, f, "CLSK")
	if s.OK() || !strings.Contains(s.LastError, "Undeclared Automated Tool") || !s.Next.Equal(flT0().Add(time.Hour)) || s.Failures != 1 {
		t.Errorf("status %+v", s)
	}
	if h := f.Health(); len(h) != 3 || h[0].Name != "SEC EDGAR CLSK" || h[0].Group != feeds.FilingsGroup || h[0].Live || h[0].Circuit != market.CircuitOpen {
		t.Errorf("health %+v", h)
	}
	state, ok, _ := st.FilingsState(context.Background(), 827876)
	if !ok || !state.Attempted.Equal(flT0()) || !state.Fetched.IsZero() || !strings.Contains(state.Error, "blocked") {
		t.Errorf("stored state %+v", state)
	}
	// Mended: an hour later CLSK is due again, and the others with it.
	e.srv.Set(flCLSK, "sec/companyfacts-clsk")
	e.clock.Set(flT0().Add(time.Hour))
	if err := f.FetchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := flHits(e.srv); got != "tickers 1, CLSK 2, IREN 1, MARA 1" {
		t.Errorf("after the hour: %s", got)
	}
	if h := f.Health(); !h[0].Live || h[0].Circuit != market.CircuitClosed || !h[0].LastSuccess.Equal(flT0().Add(time.Hour)) {
		t.Errorf("health %+v", h[0])
	}
}

// TestFilingsRateLimited: a 429 pauses every SEC request for its
// Retry-After; the SEC's 403 rate page for ten minutes.
func TestFilingsRateLimited(t *testing.T) {
	for _, c := range []struct {
		fixture string
		pause   time.Duration
	}{
		{"sec/429", 120 * time.Second},
		{"sec/403-rate", 10 * time.Minute},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			e := newFlEnv(t)
			e.srv.Set(flCLSK, c.fixture)
			f, _ := e.open(t)
			ctx := context.Background()
			if err := f.FetchOnce(ctx); !errors.Is(err, provider.ErrSECRateLimited) {
				t.Fatalf("err %v", err)
			}
			if got := flHits(e.srv); got != "tickers 1, CLSK 1, IREN 0, MARA 0" {
				t.Errorf("requests %s", got)
			}
			if p := f.Status().PausedUntil; !p.Equal(flT0().Add(c.pause)) {
				t.Errorf("paused until %v, want %v", p, flT0().Add(c.pause))
			}
			// During the pause: no request at all.
			e.clock.Set(flT0().Add(c.pause - time.Second))
			if err := f.FetchOnce(ctx); !errors.Is(err, provider.ErrSECRateLimited) || e.srv.Hits("") != 2 {
				t.Errorf("during the pause: %v, %s", err, flHits(e.srv))
			}
			if s := flStatus(t, f, "IREN"); !s.Next.Equal(flT0().Add(c.pause)) {
				t.Errorf("IREN next %v during the pause", s.Next)
			}
			// After it: the others; CLSK waits out its retry interval.
			e.clock.Set(flT0().Add(c.pause))
			if err := f.FetchOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if got := flHits(e.srv); got != "tickers 1, CLSK 1, IREN 1, MARA 1" {
				t.Errorf("after the pause: %s", got)
			}
			if s := flStatus(t, f, "CLSK"); !s.Next.Equal(flT0().Add(time.Hour)) {
				t.Errorf("CLSK next %v", s.Next)
			}
		})
	}
}

// TestFilingsEveryRequestPaced: every request, the ticker map included,
// went through the limiter first.
func TestFilingsEveryRequestPaced(t *testing.T) {
	e := newFlEnv(t)
	f, _ := e.open(t)
	if err := f.FetchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(e.lim.waits) != "[0 1 2 3]" || e.srv.Hits("") != 4 {
		t.Errorf("limiter waits at hits %v, %d requests", e.lim.waits, e.srv.Hits(""))
	}
	for _, p := range []string{flTickers, flCLSK, flIREN, flMARA} {
		if ua := e.srv.LastRequest(p).Header.Values("User-Agent"); len(ua) != 1 || ua[0] != flUA {
			t.Errorf("%s: User-Agent %q", p, ua)
		}
	}
}

// TestFilingsCancelled: a round cut short records no failed attempt.
func TestFilingsCancelled(t *testing.T) {
	e := newFlEnv(t)
	f, st := e.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.FetchOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	if s := flStatus(t, f, "CLSK"); !s.LastAttempt.IsZero() || s.LastError != "" || !s.Next.Equal(flT0()) {
		t.Errorf("status %+v", s)
	}
	if _, ok, _ := st.FilingsState(context.Background(), 827876); ok {
		t.Error("a cancelled round stored a state")
	}
}

// TestFilingsParserVersion: facts kept by another parser version are
// refetched at once, without validators.
func TestFilingsParserVersion(t *testing.T) {
	e := newFlEnv(t)
	st, err := store.Open(e.path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := store.FilingsState{CIK: 827876, Ticker: "CLSK", Fetched: flT0().Add(-time.Hour), Attempted: flT0().Add(-time.Hour),
		ETag: `"old"`, Parser: provider.SECParserVersion - 1}
	fact := store.FilingFact{Concept: "us-gaap:Revenues", Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC),
		Value: 1, Accession: "x", Form: "10-Q", Filed: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)}
	if err := st.PutFilings(context.Background(), old, []store.FilingFact{fact}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	f, _ := e.open(t)
	if err := f.FetchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.srv.Hits(flCLSK) != 1 || e.srv.LastRequest(flCLSK).Header.Get("If-None-Match") != "" {
		t.Errorf("CLSK requests %d, If-None-Match %q", e.srv.Hits(flCLSK), e.srv.LastRequest(flCLSK).Header.Get("If-None-Match"))
	}
	if len(f.Quarters("CLSK")) != 6 {
		t.Errorf("%d quarters", len(f.Quarters("CLSK")))
	}
}

// TestFilingsRun: Run fetches at once, then blocks until its context ends.
func TestFilingsRun(t *testing.T) {
	e := newFlEnv(t)
	f, err := feeds.NewFilings(nil, feeds.FilingsOptions{Base: e.srv.URL, UserAgent: flUA, Filers: flFilers(t), Now: e.clock.Now, Limiter: e.lim})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	for len(f.AllQuarters()) < 3 {
		select {
		case <-f.Updates():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("Run fetched %s in 10 s", flHits(e.srv))
		}
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned %v before its context ended", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if got := flHits(e.srv); got != "tickers 1, CLSK 1, IREN 1, MARA 1" {
		t.Errorf("requests %s", got)
	}
}

// TestFilingsSharedStore: two processes on one store fetch each filer
// once a day between them; the one that did not fetch takes the quarters
// from the store.
func TestFilingsSharedStore(t *testing.T) {
	e := newFlEnv(t)
	a, _ := e.open(t)
	b, _ := e.open(t)
	ctx := context.Background()
	if err := b.Load(ctx); err != nil { // b starts first, with an empty cache
		t.Fatal(err)
	}
	if err := a.FetchOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(flT0().Add(time.Hour))
	if err := b.FetchOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := flHits(e.srv); got != "tickers 1, CLSK 1, IREN 1, MARA 1" {
		t.Errorf("requests %s", got)
	}
	if qs := b.Quarters("CLSK"); len(qs) == 0 || qs[len(qs)-1].Fiscal != "FY2026 Q1" || flSummary(qs) != flSummary(a.Quarters("CLSK")) {
		t.Errorf("b's CLSK quarters: %s", flSummary(qs))
	}
	if s := flStatus(t, b, "CLSK"); !s.LastFetch.Equal(flT0()) || s.Requests != 0 {
		t.Errorf("b's status %+v", s)
	}
}
