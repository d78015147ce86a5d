package provider

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// nasdaqWatchKey is the replay route of a watchlist request for syms.
func nasdaqWatchKey(syms ...string) string {
	q := url.Values{}
	for _, s := range syms {
		q.Add("symbol", strings.ToLower(s)+"|stocks")
	}
	return nasdaqWatchlistPath + "?" + q.Encode()
}

func newNasdaqTest(t *testing.T, routes map[string]string, peers ...string) (*fixture.Replay, *nasdaq) {
	t.Helper()
	srv := fixture.NewReplay(t, routes)
	p := NewNasdaq(srv.URL, yahooTestSyms(peers...), HTTPOptions{Headers: map[string]string{"X-Test": "1"}}).(*nasdaq)
	return srv, p
}

func TestNasdaqFetchQuotes(t *testing.T) {
	srv, p := newNasdaqTest(t, map[string]string{
		nasdaqWatchKey("IREN", "CORZ", "WULF", "KEEL"): "nasdaq/watchlist",
		nasdaqWatchKey("BITF"):                         "nasdaq/watchlist_bitf",
	}, "IREN", "CORZ", "WULF", "KEEL")
	if p.Name() != "nasdaq" {
		t.Errorf("Name = %q", p.Name())
	}
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	if len(b.Quotes) != 4 || len(b.Rejected) != 0 {
		t.Fatalf("quotes %+v, rejected %+v", b.Quotes, b.Rejected)
	}
	// "$45.62" strings; the trade time with seven fractional digits and an offset.
	stockCheckQuote(t, b.Quotes[0], market.Quote{Symbol: "IREN", Price: 45.62, PrevClose: 43.88, Currency: "USD",
		At: time.Date(2026, 11, 20, 19, 4, 58, 123456700, time.UTC), Source: "nasdaq"})
	// No offset: New York wall time (EST in November).
	stockCheckQuote(t, b.Quotes[1], market.Quote{Symbol: "CORZ", Price: 16.41, PrevClose: 15.94, Currency: "USD",
		At: time.Date(2026, 11, 20, 19, 4, 0, 0, time.UTC), Source: "nasdaq"})
	// previousClosePrice as a bare number.
	stockCheckQuote(t, b.Quotes[2], market.Quote{Symbol: "WULF", Price: 13.48, PrevClose: 13.15, Currency: "USD",
		At: time.Date(2026, 11, 20, 19, 4, 51, 0, time.UTC), Source: "nasdaq"})
	// KEEL missing from the answer: asked again as BITF.
	stockCheckQuote(t, b.Quotes[3], market.Quote{Symbol: "KEEL", Requested: "BITF", Price: 2.87, PrevClose: 2.8, Currency: "USD",
		At: time.Date(2026, 11, 20, 19, 3, 12, 0, time.UTC), Source: "nasdaq"})

	req := srv.LastRequest(nasdaqWatchlistPath)
	for h, want := range map[string]string{
		"User-Agent": BrowserUserAgent, "Accept": "application/json",
		"Origin": "https://www.nasdaq.com", "Referer": "https://www.nasdaq.com/", "X-Test": "1",
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if srv.Hits(nasdaqWatchlistPath) != 2 {
		t.Errorf("%d watchlist requests, want 2", srv.Hits(nasdaqWatchlistPath))
	}
}

func TestNasdaqReverseConfig(t *testing.T) {
	// Configured as BITF: asked as KEEL first, labelled KEEL either way.
	_, p := newNasdaqTest(t, map[string]string{
		nasdaqWatchKey("IREN", "KEEL"): "nasdaq/watchlist",
		nasdaqWatchKey("BITF"):         "nasdaq/watchlist_bitf",
	}, "IREN", "BITF")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if q := stockFindQuote(t, b, "KEEL"); q.Requested != "BITF" || q.Price != 2.87 {
		t.Errorf("KEEL quote %+v", q)
	}
}

func TestNasdaqChunks(t *testing.T) {
	// 25 peers: two requests of at most 20 symbols.
	var peers []string
	for i := range 25 {
		peers = append(peers, "T"+string(rune('A'+i)))
	}
	srv := fixture.NewReplay(t, map[string]string{nasdaqWatchlistPath: "nasdaq/watchlist"})
	p := NewNasdaq(srv.URL, market.Symbols{Peers: peers}, HTTPOptions{})
	b, err := p.Fetch(context.Background())
	if err == nil || len(b.Rejected) != 25 {
		t.Fatalf("err %v, rejected %d", err, len(b.Rejected))
	}
	if srv.Hits(nasdaqWatchlistPath) != 2 {
		t.Errorf("%d requests, want 2", srv.Hits(nasdaqWatchlistPath))
	}
	if n := len(srv.LastRequest(nasdaqWatchlistPath).URL.Query()["symbol"]); n != 5 {
		t.Errorf("last request carries %d symbols, want 5", n)
	}
}

func TestNasdaqAfterHours(t *testing.T) {
	_, p := newNasdaqTest(t, map[string]string{nasdaqWatchlistPath: "nasdaq/watchlist_afterhours"}, "IREN", "CORZ", "WULF")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	close := time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC) // 16:00 EST
	// lastSalePrice $46.05 is an after-hours trade, +0.30 from today's close.
	stockCheckQuote(t, b.Quotes[0], market.Quote{Symbol: "IREN", Price: 45.75, PrevClose: 43.88, Currency: "USD", At: close, Source: "nasdaq"})
	stockCheckQuote(t, b.Quotes[1], market.Quote{Symbol: "WULF", Price: 13.35, PrevClose: 13.15, Currency: "USD", At: close, Source: "nasdaq"})
	if len(b.Quotes) != 2 || !stockHasRejection(b, "CORZ", "after-hours row without a net change") {
		t.Errorf("quotes %+v, rejected %+v", b.Quotes, b.Rejected)
	}
}

func TestNasdaqPlaceholdersAndImplausible(t *testing.T) {
	_, p := newNasdaqTest(t, map[string]string{nasdaqWatchlistPath: "nasdaq/watchlist_placeholders"}, "IREN", "CORZ", "WULF", "MARA")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	if len(b.Quotes) != 2 {
		t.Fatalf("quotes %+v", b.Quotes)
	}
	if q := b.Quotes[0]; q.Symbol != "WULF" || q.Price != 13.48 || q.PrevClose != 0 {
		t.Errorf("WULF with a -- previous close: %+v", q)
	}
	if q := b.Quotes[1]; q.Symbol != "MARA" || q.Price != 15.02 || q.PrevClose != 0 {
		t.Errorf("MARA with a negative previous close: %+v", q)
	}
	for what, reason := range map[string]string{
		"IREN":                "no last sale price",
		"CORZ price":          "not a plausible share price",
		"MARA previous close": "not a plausible share price",
	} {
		if !stockHasRejection(b, what, reason) {
			t.Errorf("no rejection %q / %q in %+v", what, reason, b.Rejected)
		}
	}
}

func TestNasdaqWeekendDateOnly(t *testing.T) {
	_, p := newNasdaqTest(t, map[string]string{nasdaqWatchlistPath: "nasdaq/watchlist_weekend"}, "IREN")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// "2026-11-20T00:00:00" is a date: Friday's close.
	if q := b.Quotes[0]; !q.At.Equal(time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)) || q.Price != 45.75 {
		t.Errorf("quote %+v", q)
	}
}

func TestNasdaqFailures(t *testing.T) {
	for _, tc := range []struct {
		fixture, want string
		status        int
		retry         time.Duration
	}{
		{"nasdaq/data_null", "rCode 400: Symbol not exists.", 0, 0},
		{"nasdaq/watchlist_empty", "the watchlist is empty", 0, 0},
		{"nasdaq/html_200", "HTML page: Nasdaq | Maintenance", 0, 0},
		{"nasdaq/empty", "empty body", 0, 0},
		{"nasdaq/access_denied", "HTTP 403 Forbidden (HTML page: Access Denied)", 403, 0},
		{"nasdaq/throttled", "HTTP 429", 429, 2 * time.Minute},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			srv, p := newNasdaqTest(t, map[string]string{nasdaqWatchlistPath: tc.fixture}, "IREN", "KEEL")
			b, err := p.Fetch(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var he *HTTPError
			if got := errors.As(err, &he); got != (tc.status != 0) || (got && he.Status != tc.status) {
				t.Errorf("HTTPError reachable: %v (%v)", got, he)
			}
			if d, _ := RetryAfter(err); d != tc.retry {
				t.Errorf("RetryAfter = %v, want %v", d, tc.retry)
			}
			if len(b.Quotes) != 0 || len(b.Rejected) != 2 {
				t.Errorf("batch %+v", b)
			}
			if srv.Hits("") != 1 {
				t.Errorf("%d requests: a failing call was repeated for the former ticker", srv.Hits(""))
			}
		})
	}
}

func TestNasdaqHistory(t *testing.T) {
	srv, p := newNasdaqTest(t, map[string]string{"/api/quote/IREN/historical": "nasdaq/historical_iren"}, "IREN")
	p.now = func() time.Time { return time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC) } // 22:00 EST on the 20th
	h, err := p.FetchHistory(context.Background(), "iren", "1mo")
	if err != nil {
		t.Fatal(err)
	}
	q := srv.LastRequest("/api/quote/IREN/historical").URL.Query()
	for k, want := range map[string]string{"assetclass": "stocks", "fromdate": "2026-10-20", "todate": "2026-11-20", "limit": "9999"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if err := (&market.Batch{Histories: []market.History{h}}).Check(); err != nil {
		t.Fatal(err)
	}
	if h.Symbol != "IREN" || h.Source != "nasdaq" || len(h.Bars) != 23 {
		t.Fatalf("history %s from %s with %d bars", h.Symbol, h.Source, len(h.Bars))
	}
	first, last := h.Bars[0], h.Bars[len(h.Bars)-1]
	if !first.Day.Equal(stockDay(2026, 10, 20)) || first.Close != 38.4 || !last.Day.Equal(stockDay(2026, 11, 20)) || last.Close != 45.75 {
		t.Errorf("first %+v, last %+v (oldest first)", first, last)
	}
	for _, b := range h.Bars {
		if b.Day.Equal(stockDay(2026, 10, 27)) {
			t.Error("the N/A row of 27 Oct became a bar")
		}
	}

	h, err = p.FetchHistory(context.Background(), "IREN", "5d")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Bars) != 5 || !h.Bars[0].Day.Equal(stockDay(2026, 11, 16)) {
		t.Errorf("5d kept %+v", h.Bars)
	}
	if _, err := p.FetchHistory(context.Background(), "IREN", "3w"); err == nil {
		t.Error("bad range accepted")
	}
}

func TestNasdaqHistoryRename(t *testing.T) {
	for _, fx := range []string{"nasdaq/data_null", "nasdaq/historical_norows"} {
		srv, p := newNasdaqTest(t, map[string]string{
			"/api/quote/KEEL/historical": fx,
			"/api/quote/BITF/historical": "nasdaq/historical_bitf",
		}, "KEEL")
		h, err := p.FetchHistory(context.Background(), "KEEL", "1y")
		if err != nil {
			t.Fatal(err)
		}
		if h.Symbol != "KEEL" || len(h.Bars) != 6 || h.Bars[5].Close != 2.87 || !h.Bars[0].Day.Equal(stockDay(2026, 11, 13)) {
			t.Errorf("%s: history %+v", fx, h)
		}
		if srv.Hits("/api/quote/KEEL/historical") != 1 {
			t.Errorf("%s: KEEL not asked first", fx)
		}
	}
	_, p := newNasdaqTest(t, map[string]string{"/api/quote/KEEL/historical": "nasdaq/data_null"}, "KEEL")
	if _, err := p.FetchHistory(context.Background(), "KEEL", "1y"); err == nil || !strings.Contains(err.Error(), "also tried BITF") {
		t.Errorf("err = %v", err)
	}
}

func TestNasdaqWindow(t *testing.T) {
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) // 22:00 EDT on 9 March (DST began on the 8th)
	for _, tc := range []struct {
		rng, from, to string
		keep          int
	}{
		{"1d", "2026-03-02", "2026-03-09", 1},
		{"5d", "2026-02-23", "2026-03-09", 5},
		{"1mo", "2026-02-09", "2026-03-09", 0},
		{"6mo", "2025-09-09", "2026-03-09", 0},
		{"1y", "2025-03-09", "2026-03-09", 0},
		{"ytd", "2026-01-01", "2026-03-09", 0},
		{"10y", "2016-03-09", "2026-03-09", 0},
		{"max", "2016-03-09", "2026-03-09", 0},
	} {
		from, to, keep := nasdaqWindow(tc.rng, now)
		if from.Format(time.DateOnly) != tc.from || to.Format(time.DateOnly) != tc.to || keep != tc.keep {
			t.Errorf("%s: %s..%s keep %d, want %s..%s keep %d", tc.rng, from.Format(time.DateOnly), to.Format(time.DateOnly), keep, tc.from, tc.to, tc.keep)
		}
	}
}

func TestNasdaqTradeTime(t *testing.T) {
	date := time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-11-20T14:04:58.1234567-05:00": time.Date(2026, 11, 20, 19, 4, 58, 123456700, time.UTC),
		"2026-11-20T14:04:00":               time.Date(2026, 11, 20, 19, 4, 0, 0, time.UTC),
		"2026-09-25T14:40:00":               time.Date(2026, 9, 25, 18, 40, 0, 0, time.UTC),
		"2026-11-19T00:00:00":               time.Date(2026, 11, 19, 21, 0, 0, 0, time.UTC),
		"":                                  date,
		"Nov 20, 2026":                      date,
		"2027-01-01T10:00:00-05:00":         date, // in the future: not believed
	} {
		if got := nasdaqTradeTime(in, date); !got.Equal(want) {
			t.Errorf("nasdaqTradeTime(%q) = %v, want %v", in, got, want)
		}
	}
}

func nasdaqSeeds(f *testing.F) [][]byte {
	return fixture.Bodies(f, "nasdaq")
}

func FuzzDecodeNasdaqWatchlist(f *testing.F) {
	for _, s := range nasdaqSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeNasdaqWatchlist(body, time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC))
		if err != nil {
			return
		}
		if err := b.Check(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDecodeNasdaqHistory(f *testing.F) {
	for _, s := range nasdaqSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := decodeNasdaqHistory(body, "IREN")
		if err != nil {
			return
		}
		if len(h.Bars) == 0 {
			t.Fatal("no bars and no error")
		}
		if err := (&market.Batch{Histories: []market.History{h}}).Check(); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkDecodeNasdaqWatchlist(b *testing.B) {
	body := fixture.Body(b, "nasdaq/watchlist")
	date := time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeNasdaqWatchlist(body, date); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeNasdaqHistory(b *testing.B) {
	body := fixture.Body(b, "nasdaq/historical_iren")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeNasdaqHistory(body, "IREN"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNasdaqInvalidTickerNotRequested(t *testing.T) {
	srv, p := newNasdaqTest(t, map[string]string{nasdaqWatchlistPath: "nasdaq/watchlist"}, "IREN", "A/B")
	b, err := p.Fetch(context.Background())
	if err != nil || len(b.Quotes) != 1 || !stockHasRejection(b, "A/B", "not a valid ticker") {
		t.Fatalf("err %v, batch %+v", err, b)
	}
	if got := srv.LastRequest(nasdaqWatchlistPath).URL.Query()["symbol"]; len(got) != 1 || got[0] != "iren|stocks" {
		t.Errorf("symbols sent: %v", got)
	}
}
