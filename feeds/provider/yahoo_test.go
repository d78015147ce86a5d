package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// yahooTestSyms is a peer list with the default rename.
func yahooTestSyms(peers ...string) market.Symbols {
	return market.Symbols{Peers: peers, Renames: []market.Rename{{Old: "BITF", New: "KEEL"}}}
}

// newYahooTest serves routes ("IREN" → "yahoo/iren") under the chart path
// and returns an unpaced provider for peers.
func newYahooTest(t *testing.T, routes map[string]string, peers ...string) (*fixture.Replay, market.HistoryProvider) {
	t.Helper()
	r := map[string]string{}
	for sym, fx := range routes {
		r[yahooChartPath+sym] = fx
	}
	srv := fixture.NewReplay(t, r)
	return srv, NewYahooPaced(srv.URL, yahooTestSyms(peers...), HTTPOptions{}, YahooPacing{Concurrency: 3})
}

func stockFindQuote(t *testing.T, b market.Batch, sym string) market.Quote {
	t.Helper()
	for _, q := range b.Quotes {
		if q.Symbol == sym {
			return q
		}
	}
	t.Fatalf("no quote for %s in %+v", sym, b)
	return market.Quote{}
}

func stockCheckQuote(t *testing.T, got, want market.Quote) {
	t.Helper()
	if got.Symbol != want.Symbol || got.Requested != want.Requested || got.Price != want.Price ||
		got.PrevClose != want.PrevClose || got.Currency != want.Currency || !got.At.Equal(want.At) || got.Source != want.Source {
		t.Errorf("quote\n got %+v\nwant %+v", got, want)
	}
}

func stockHasRejection(b market.Batch, what, reason string) bool {
	for _, r := range b.Rejected {
		if strings.Contains(r.What, what) && strings.Contains(r.Reason, reason) {
			return true
		}
	}
	return false
}

var yahooMarketTime = time.Date(2026, 11, 20, 19, 4, 58, 0, time.UTC)

func TestYahooFetchQuotes(t *testing.T) {
	srv, p := newYahooTest(t, map[string]string{
		"IREN": "yahoo/iren", "CORZ": "yahoo/corz_null_prev", "WULF": "yahoo/wulf_live", "KEEL": "yahoo/keel",
	}, "IREN", "CORZ", "WULF", "KEEL")
	if p.Name() != "yahoo" {
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
	for i, sym := range []string{"IREN", "CORZ", "WULF", "KEEL"} {
		if b.Quotes[i].Symbol != sym {
			t.Errorf("quote %d is %s, want %s (peer order)", i, b.Quotes[i].Symbol, sym)
		}
	}
	// Float32 artefacts rounded to priceHint; the previous close is the
	// session before today's, not chartPreviousClose (41.95, five sessions ago).
	stockCheckQuote(t, stockFindQuote(t, b, "IREN"), market.Quote{Symbol: "IREN", Price: 45.62, PrevClose: 43.88, Currency: "USD", At: yahooMarketTime, Source: "yahoo"})
	// A null in the last-but-one position: the previous close is the one before it.
	stockCheckQuote(t, stockFindQuote(t, b, "CORZ"), market.Quote{Symbol: "CORZ", Price: 16.41, PrevClose: 15.94, Currency: "USD", At: yahooMarketTime, Source: "yahoo"})
	// The live bar stamped with the current minute is still today's bar.
	stockCheckQuote(t, stockFindQuote(t, b, "WULF"), market.Quote{Symbol: "WULF", Price: 13.48, PrevClose: 13.15, Currency: "USD", At: yahooMarketTime, Source: "yahoo"})
	stockCheckQuote(t, stockFindQuote(t, b, "KEEL"), market.Quote{Symbol: "KEEL", Price: 2.87, PrevClose: 2.8, Currency: "USD", At: yahooMarketTime, Source: "yahoo"})

	req := srv.LastRequest(yahooChartPath + "IREN")
	if ua := req.Header.Get("User-Agent"); ua != BrowserUserAgent {
		t.Errorf("User-Agent = %q, want the browser one", ua)
	}
	if q := req.URL.Query(); q.Get("range") != "5d" || q.Get("interval") != "1d" {
		t.Errorf("query = %v", q)
	}
	if srv.Hits(yahooChartPath+"BITF") != 0 {
		t.Error("asked for BITF although KEEL answered")
	}
}

func TestYahooUserAgentOption(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{yahooChartPath + "IREN": "yahoo/iren"})
	mine := "Mozilla/5.0 (X11; Linux x86_64) Firefox/145.0"
	for ua, want := range map[string]string{"hashdeck/1.0": BrowserUserAgent, mine: mine} {
		p := NewYahooPaced(srv.URL, yahooTestSyms("IREN"), HTTPOptions{UserAgent: ua}, YahooPacing{})
		if _, err := p.Fetch(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := srv.LastRequest(yahooChartPath + "IREN").Header.Get("User-Agent"); got != want {
			t.Errorf("UserAgent %q: sent %q, want %q", ua, got, want)
		}
	}
}

func TestYahooRenameOldNameAnswers(t *testing.T) {
	// KEEL is unknown (404): BITF answers, and the quote is KEEL's.
	for _, peer := range []string{"KEEL", "BITF"} { // the user may configure either name
		t.Run(peer, func(t *testing.T) {
			srv, p := newYahooTest(t, map[string]string{"IREN": "yahoo/iren", "KEEL": "yahoo/notfound", "BITF": "yahoo/bitf"}, "IREN", peer)
			b, err := p.Fetch(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Quotes) != 2 || len(b.Rejected) != 0 {
				t.Fatalf("quotes %+v, rejected %+v", b.Quotes, b.Rejected)
			}
			stockCheckQuote(t, b.Quotes[1], market.Quote{Symbol: "KEEL", Requested: "BITF", Price: 2.87, PrevClose: 2.8, Currency: "USD", At: yahooMarketTime, Source: "yahoo"})
			if srv.Hits(yahooChartPath+"KEEL") != 1 || srv.Hits(yahooChartPath+"BITF") != 1 {
				t.Errorf("requests: KEEL %d, BITF %d; want the current name first, then the old one",
					srv.Hits(yahooChartPath+"KEEL"), srv.Hits(yahooChartPath+"BITF"))
			}
		})
	}
}

func TestYahooRenameReverseConfig(t *testing.T) {
	// Configured as BITF, answered under KEEL: no Requested, BITF never asked.
	srv, p := newYahooTest(t, map[string]string{"KEEL": "yahoo/keel", "BITF": "yahoo/bitf"}, "BITF")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stockCheckQuote(t, stockFindQuote(t, b, "KEEL"), market.Quote{Symbol: "KEEL", Price: 2.87, PrevClose: 2.8, Currency: "USD", At: yahooMarketTime, Source: "yahoo"})
	if srv.Hits(yahooChartPath+"BITF") != 0 {
		t.Error("BITF asked although KEEL answered")
	}
}

func TestYahooRenameNoBarsFallsBack(t *testing.T) {
	// An answer without bars ("no data") also sends the provider to the old name.
	_, p := newYahooTest(t, map[string]string{"KEEL": "yahoo/nodata", "BITF": "yahoo/bitf"}, "KEEL")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if q := stockFindQuote(t, b, "KEEL"); q.Requested != "BITF" {
		t.Errorf("Requested = %q", q.Requested)
	}
}

func TestYahooAnswerForAnotherSymbolIsRefused(t *testing.T) {
	_, p := newYahooTest(t, map[string]string{"IREN": "yahoo/iren", "CORZ": "yahoo/keel"}, "IREN", "CORZ")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Quotes) != 1 || !stockHasRejection(b, "CORZ", "answer is for KEEL") {
		t.Errorf("quotes %+v, rejected %+v", b.Quotes, b.Rejected)
	}
}

func TestYahooOneSymbolFails(t *testing.T) {
	_, p := newYahooTest(t, map[string]string{"IREN": "yahoo/iren", "MARA": "yahoo/notfound", "CORZ": "yahoo/corz_null_prev"}, "IREN", "MARA", "CORZ")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatalf("one symbol failing failed the batch: %v", err)
	}
	if len(b.Quotes) != 2 || b.Quotes[0].Symbol != "IREN" || b.Quotes[1].Symbol != "CORZ" {
		t.Errorf("quotes %+v", b.Quotes)
	}
	if len(b.Rejected) != 1 || !stockHasRejection(b, "MARA", "HTTP 404") {
		t.Errorf("rejected %+v", b.Rejected)
	}
}

func TestYahooThrottled(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		retry   time.Duration
	}{{"yahoo/throttled_plain", time.Minute}, {"yahoo/throttled_edge", 0}} {
		t.Run(tc.fixture, func(t *testing.T) {
			peers := []string{"IREN", "CORZ", "WULF", "MARA", "RIOT"}
			routes := map[string]string{}
			for _, s := range peers {
				routes[s] = tc.fixture
			}
			srv, p := newYahooTest(t, routes, peers...)
			b, err := p.Fetch(context.Background())
			var he *HTTPError
			if !errors.As(err, &he) || !he.Throttled() {
				t.Fatalf("err = %v, want a reachable 429", err)
			}
			if d, _ := RetryAfter(err); d != tc.retry {
				t.Errorf("RetryAfter = %v, want %v", d, tc.retry)
			}
			if !strings.Contains(err.Error(), "Too Many Requests") {
				t.Errorf("error text: %v", err)
			}
			// The first batch of three got 429: the rest were not requested.
			if n := srv.Hits(""); n != 3 {
				t.Errorf("%d requests, want 3 (stop after a 429)", n)
			}
			if len(b.Rejected) != 5 || !stockHasRejection(b, "RIOT", "not requested") {
				t.Errorf("rejected %+v", b.Rejected)
			}
		})
	}
}

func TestYahooInBandFailures(t *testing.T) {
	for fixture, want := range map[string]string{
		"yahoo/outage":          "Will be right back",
		"yahoo/chart_error_200": "Bad Request: Invalid input",
		"yahoo/empty":           "empty body",
		"yahoo/nodata":          "no bars",
		"yahoo/notfound":        "HTTP 404",
	} {
		t.Run(fixture, func(t *testing.T) {
			_, p := newYahooTest(t, map[string]string{"IREN": fixture}, "IREN")
			b, err := p.Fetch(context.Background())
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want it to mention %q", err, want)
			}
			if len(b.Quotes) != 0 || len(b.Rejected) != 1 {
				t.Errorf("batch %+v", b)
			}
		})
	}
}

func TestYahooInBandThrottle(t *testing.T) {
	b, err := decodeYahooQuote([]byte("Too Many Requests\n"), "IREN", time.Time{})
	var te *ThrottleError
	if !errors.As(err, &te) || !b.Empty() {
		t.Fatalf("err = %v, want a *ThrottleError", err)
	}
}

func TestYahooRejectsImplausiblePrice(t *testing.T) {
	_, p := newYahooTest(t, map[string]string{"IREN": "yahoo/iren", "MARA": "yahoo/zero_price"}, "IREN", "MARA")
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Quotes) != 1 || !stockHasRejection(b, "MARA price", "not a plausible share price") {
		t.Errorf("quotes %+v, rejected %+v", b.Quotes, b.Rejected)
	}
	// Every quote implausible: nothing usable, an error.
	_, p = newYahooTest(t, map[string]string{"MARA": "yahoo/zero_price"}, "MARA")
	if _, err := p.Fetch(context.Background()); err == nil {
		t.Error("no usable quote but no error")
	}
}

func TestYahooPacingHonoursContext(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{yahooChartPath + "IREN": "yahoo/iren", yahooChartPath + "CORZ": "yahoo/corz_null_prev"})
	p := NewYahooPaced(srv.URL, yahooTestSyms("IREN", "CORZ"), HTTPOptions{}, YahooPacing{Concurrency: 1, Gap: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	b, err := p.Fetch(ctx)
	if time.Since(start) > 10*time.Second {
		t.Fatal("the gap between batches ignored the context")
	}
	if err != nil || len(b.Quotes) != 1 || !stockHasRejection(b, "CORZ", "not requested") {
		t.Errorf("err %v, batch %+v", err, b)
	}
	if srv.Hits(yahooChartPath+"CORZ") != 0 {
		t.Error("CORZ requested after the deadline")
	}
}

func TestYahooNoSymbols(t *testing.T) {
	p := NewYahoo("http://127.0.0.1:1", market.Symbols{}, HTTPOptions{})
	if _, err := p.Fetch(context.Background()); err == nil {
		t.Error("no error without symbols")
	}
}

func stockDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestYahooHistoryAcrossDST(t *testing.T) {
	// 1mo ending Fri 20 Nov 2026: bars before Sun 1 Nov are stamped 13:30
	// UTC (09:30 EDT), after it 14:30 UTC (09:30 EST); gmtoffset is EST's.
	srv, p := newYahooTest(t, map[string]string{"IREN": "yahoo/history_iren_1mo"}, "IREN")
	h, err := p.FetchHistory(context.Background(), "IREN", "1mo")
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.LastRequest(yahooChartPath + "IREN").URL.Query(); q.Get("range") != "1mo" || q.Get("interval") != "1d" {
		t.Errorf("query = %v", q)
	}
	if h.Symbol != "IREN" || h.Source != "yahoo" {
		t.Errorf("history labelled %q from %q", h.Symbol, h.Source)
	}
	if err := (&market.Batch{Histories: []market.History{h}}).Check(); err != nil {
		t.Fatal(err)
	}
	// 24 sessions, one null close (27 Oct), the live bar merged into 20 Nov.
	if len(h.Bars) != 23 {
		t.Fatalf("%d bars: %+v", len(h.Bars), h.Bars)
	}
	want := map[time.Time]float64{
		stockDay(2026, 10, 20): 38.4,
		stockDay(2026, 10, 26): 39.09,
		stockDay(2026, 10, 28): 40.48,
		stockDay(2026, 10, 30): 40.82, // Friday, EDT
		stockDay(2026, 11, 2):  41.7,  // Monday, EST
		stockDay(2026, 11, 19): 43.88,
		stockDay(2026, 11, 20): 45.62, // the live bar (current minute) wins over the 09:30 one
	}
	got := map[time.Time]float64{}
	for _, b := range h.Bars {
		if b.Day.Hour() != 0 || b.Day.Location() != time.UTC {
			t.Errorf("Day %v is not midnight UTC", b.Day)
		}
		if b.Day.Weekday() == time.Saturday || b.Day.Weekday() == time.Sunday {
			t.Errorf("bar on a weekend: %v", b.Day)
		}
		got[b.Day] = b.Close
	}
	for d, c := range want {
		if got[d] != c {
			t.Errorf("%s: close %v, want %v", d.Format(time.DateOnly), got[d], c)
		}
	}
	if _, ok := got[stockDay(2026, 10, 27)]; ok {
		t.Error("the null close of 27 Oct became a bar")
	}
	if !h.Bars[0].Day.Equal(stockDay(2026, 10, 20)) || !h.Bars[len(h.Bars)-1].Day.Equal(stockDay(2026, 11, 20)) {
		t.Errorf("first %v, last %v", h.Bars[0].Day, h.Bars[len(h.Bars)-1].Day)
	}
}

func TestYahooHistorySpringDST(t *testing.T) {
	// DST starts Sun 8 Mar 2026; the answer's gmtoffset is EDT's.
	_, p := newYahooTest(t, map[string]string{"CORZ": "yahoo/history_corz_march"}, "CORZ")
	h, err := p.FetchHistory(context.Background(), "corz", "5d")
	if err != nil {
		t.Fatal(err)
	}
	want := []market.Bar{{Day: stockDay(2026, 3, 4), Close: 16.48}, {Day: stockDay(2026, 3, 5), Close: 16.91}, {Day: stockDay(2026, 3, 6), Close: 16.33}, {Day: stockDay(2026, 3, 9), Close: 16.72}, {Day: stockDay(2026, 3, 10), Close: 17.05}}
	if len(h.Bars) != len(want) {
		t.Fatalf("bars %+v", h.Bars)
	}
	for i := range want {
		if !h.Bars[i].Day.Equal(want[i].Day) || h.Bars[i].Close != want[i].Close {
			t.Errorf("bar %d = %+v, want %+v", i, h.Bars[i], want[i])
		}
	}
}

func TestYahooDayNearMidnight(t *testing.T) {
	// 03:30 UTC on 9 March is 23:30 EDT on 8 March: the exchange's date.
	if got := yahooDay(time.Date(2026, 3, 9, 3, 30, 0, 0, time.UTC).Unix(), -14400); !got.Equal(stockDay(2026, 3, 8)) {
		t.Errorf("yahooDay = %v", got)
	}
}

func TestYahooPrevCloseRule(t *testing.T) {
	bars := []yahooBar{
		{day: stockDay(2026, 11, 18), close: 45.03},
		{day: stockDay(2026, 11, 19), close: 43.88},
		{day: stockDay(2026, 11, 20), close: 45.62},
	}
	off := int64(-18000)
	for _, tc := range []struct {
		name string
		bars []yahooBar
		mt   time.Time
		want float64
	}{
		{"in session", bars, time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC), 43.88},
		{"today's bar missing", bars[:2], time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC), 43.88},
		{"before the open: the price is yesterday's close", bars[:2], time.Date(2026, 11, 19, 21, 0, 0, 0, time.UTC), 45.03},
		{"no market time: second-to-last", bars, time.Time{}, 43.88},
		{"one bar", bars[2:], time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC), 0},
	} {
		var mt int64
		if !tc.mt.IsZero() {
			mt = tc.mt.Unix()
		}
		if got := yahooPrevClose(tc.bars, mt, off); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestYahooHistoryRenameAndErrors(t *testing.T) {
	srv, p := newYahooTest(t, map[string]string{"KEEL": "yahoo/notfound", "BITF": "yahoo/bitf", "HIVE": "yahoo/nodata"}, "KEEL")
	h, err := p.FetchHistory(context.Background(), "BITF", "5d")
	if err != nil {
		t.Fatal(err)
	}
	if h.Symbol != "KEEL" || len(h.Bars) != 5 || h.Bars[4].Close != 2.87 {
		t.Errorf("history %+v", h)
	}
	n := srv.Hits("")
	if _, err := p.FetchHistory(context.Background(), "IREN", "7y"); err == nil || srv.Hits("") != n {
		t.Errorf("bad range: err %v, %d requests", err, srv.Hits("")-n)
	}
	if _, err := p.FetchHistory(context.Background(), "HIVE", "1y"); err == nil || !strings.Contains(err.Error(), "no bars") {
		t.Errorf("no data: %v", err)
	}
	if _, err := p.FetchHistory(context.Background(), "../x", "1y"); err == nil {
		t.Error("invalid ticker accepted")
	}
}

// yahooSeeds are every Yahoo fixture body.
func yahooSeeds(f *testing.F) [][]byte {
	return fixture.Bodies(f, "yahoo")
}

func FuzzDecodeYahooQuote(f *testing.F) {
	for _, s := range yahooSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeYahooQuote(body, "IREN", time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC))
		if err != nil {
			return
		}
		if err := b.Check(); err != nil {
			t.Fatal(err)
		}
		if len(b.Quotes)+len(b.Rejected) != 1 {
			t.Fatalf("one answer gave %+v", b)
		}
	})
}

func FuzzDecodeYahooHistory(f *testing.F) {
	for _, s := range yahooSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := decodeYahooHistory(body, "IREN")
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

func BenchmarkDecodeYahooQuote(b *testing.B) {
	body := fixture.Body(b, "yahoo/iren")
	date := time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeYahooQuote(body, "IREN", date); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeYahooHistory(b *testing.B) {
	body := fixture.Body(b, "yahoo/history_iren_1mo")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeYahooHistory(body, "IREN"); err != nil {
			b.Fatal(err)
		}
	}
}
