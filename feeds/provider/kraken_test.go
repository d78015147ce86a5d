package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

func TestKrakenTicker(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{krakenTickerPath: "kraken/ticker"})
	p := NewKraken(srv.URL, HTTPOptions{})
	if p.Name() != "kraken" {
		t.Errorf("Name = %q", p.Name())
	}
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// c[0], the last trade, not the ask (97398.7) or today's open.
	exchTestWantPrice(t, b, 97398.60, exchTestDate, "kraken")
	if q := srv.LastRequest(krakenTickerPath).URL.Query().Get("pair"); q != "XBTUSD" {
		t.Errorf("pair = %q, want XBTUSD", q)
	}
}

func TestKrakenFailures(t *testing.T) {
	exchTestFailures(t, krakenTickerPath, func(base string) market.Provider { return NewKraken(base, HTTPOptions{}) }, []exchTestFailure{
		{fixture: "kraken/throttled", throttled: true, contains: "EGeneral:Too many requests"},
		{fixture: "kraken/unknown_pair", contains: "EQuery:Unknown asset pair"},
		{fixture: "kraken/unavailable", contains: "EService:Unavailable"},
		{fixture: "kraken/empty_result", contains: "no pair in the result"},
		{fixture: "kraken/rate_limited_html", status: 429, retryAfter: 20 * time.Second, contains: "HTML page: Access denied"},
		{fixture: "kraken/rate_limited_plain", status: 429, contains: "Too Many Requests"},
		{fixture: "kraken/server_error", status: 500, contains: "500 Internal Server Error"},
		{fixture: "kraken/zero", contains: "price refused", rejected: "btc_usd: 0 is outside the plausible range"},
		{fixture: "coinbase/html_200", contains: "not JSON"},
	})
}

func TestDecodeKrakenShapes(t *testing.T) {
	ok := map[string]float64{
		// assetVersion=1 names the pair BTC/USD: the key is taken, not hard-coded.
		`{"error":[],"result":{"BTC/USD":{"c":["97398.6","0.1"]}}}`: 97398.6,
		`{"error":[],"result":{"XBTUSD":{"c":[97398.6,0.1]}}}`:      97398.6,
		// A warning is not an error.
		`{"error":["WGeneral:Deprecated"],"result":{"XXBTZUSD":{"c":["97398.60000","0.00150000"]}}}`: 97398.6,
	}
	for body, want := range ok {
		b, err := decodeKraken([]byte(body), exchTestDate)
		if err != nil || len(b.Obs) != 1 || b.Obs[0].Value != want {
			t.Errorf("%s: %+v, %v", body, b, err)
		}
	}
	bad := map[string]string{
		`{"error":[],"result":{"XXBTZUSD":{"c":["97398.6"]},"XXBTZEUR":{"c":["90001.2"]}}}`: "2 pairs in the result (XXBTZEUR, XXBTZUSD)",
		`{"error":[],"result":{"XETHZUSD":{"c":["3301.1","1"]}}}`:                           `"XETHZUSD", not BTC/USD`,
		`{"error":[],"result":{"XXBTZUSD":{"c":[]}}}`:                                       "no last trade price",
		`{"error":[],"result":{"XXBTZUSD":{"c":[null,"1"]}}}`:                               "no last trade price",
		`{"error":[],"result":{"XXBTZUSD":{"a":["97398.7","1","1.000"]}}}`:                  "no last trade price",
		`{"error":[],"result":{"XXBTZUSD":{"c":["-5","1"]}}}`:                               "price refused",
		`{"error":[],"result":{"XXBTZUSD":{"c":["NaN","1"]}}}`:                              "no last trade price",
		`{"error":["EAPI:Rate limit exceeded"]}`:                                            "rate limited",
		`{"error":[]}`:                                                                      "no pair",
	}
	for body, want := range bad {
		b, err := decodeKraken([]byte(body), exchTestDate)
		if err == nil || !strings.Contains(err.Error(), want) || len(b.Obs) != 0 {
			t.Errorf("%s: %+v, %v; want an error containing %q", body, b, err, want)
		}
	}
}

func FuzzDecodeKraken(f *testing.F) {
	for _, name := range []string{"ticker", "ticker_stale", "throttled", "unknown_pair", "unavailable", "empty_result", "zero"} {
		f.Add(fixture.Body(f, "kraken/"+name))
	}
	f.Add([]byte(`{"error":["WGeneral:x"],"result":{"BTC/USD":{"c":[1e300,"1"]}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeKraken(body, exchTestDate)
		exchTestFuzzCheck(t, b, err)
	})
}

func BenchmarkDecodeKraken(b *testing.B) {
	body := fixture.Body(b, "kraken/ticker")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeKraken(body, exchTestDate); err != nil {
			b.Fatal(err)
		}
	}
}
