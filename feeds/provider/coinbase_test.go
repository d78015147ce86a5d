package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// exchTestDate is the Date header of the exchange fixtures.
var exchTestDate = time.Date(2026, 1, 13, 14, 30, 5, 0, time.UTC)

func TestCoinbaseSpot(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{coinbaseSpotPath: "coinbase/spot"})
	p := NewCoinbase(srv.URL, HTTPOptions{})
	if p.Name() != "coinbase" {
		t.Errorf("Name = %q", p.Name())
	}
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exchTestWantPrice(t, b, 97412.35, exchTestDate, "coinbase")
	if srv.Hits("") != 1 {
		t.Errorf("%d requests, want 1", srv.Hits(""))
	}
}

func TestCoinbaseFailures(t *testing.T) {
	exchTestFailures(t, coinbaseSpotPath, func(base string) market.Provider { return NewCoinbase(base, HTTPOptions{}) }, []exchTestFailure{
		{fixture: "coinbase/rate_limited_json", status: 429, retryAfter: time.Minute, contains: "Too many requests"},
		{fixture: "coinbase/rate_limited_html", status: 429, contains: "HTML page: Access denied"},
		{fixture: "coinbase/rate_limited_plain", status: 429, retryAfter: 15 * time.Second, contains: "Too Many Requests"},
		{fixture: "coinbase/not_found", status: 404, contains: "Invalid currency"},
		{fixture: "coinbase/server_error", status: 500},
		{fixture: "coinbase/inband_throttle", throttled: true, contains: "rate_limit_exceeded"},
		{fixture: "coinbase/inband_error", contains: "Currency is invalid (invalid_request)"},
		{fixture: "coinbase/data_null", contains: "no data"},
		{fixture: "coinbase/html_200", contains: "Scheduled maintenance"},
		{fixture: "coinbase/wrong_pair", contains: "ETH-USD, not BTC-USD"},
		{fixture: "coinbase/nan", contains: "no amount"},
		{fixture: "coinbase/negative", contains: "price refused", rejected: "-97412.35 is outside the plausible range"},
		{fixture: "coinbase/zero", contains: "price refused", rejected: "0 is outside the plausible range"},
	})
}

func TestDecodeCoinbaseNumbers(t *testing.T) {
	for body, want := range map[string]float64{
		`{"data":{"amount":"97412.35","base":"BTC","currency":"USD"}}`:  97412.35,
		`{"data":{"amount":97412.35}}`:                                  97412.35, // a number works too
		`{"data":{"amount":"97,412.35","base":"btc","currency":"usd"}}`: 97412.35,
		`{"data":{"amount":"1.0E5","base":"BTC","currency":"USD"}}`:     100000,
	} {
		b, err := decodeCoinbase([]byte(body), exchTestDate)
		if err != nil || len(b.Obs) != 1 || b.Obs[0].Value != want {
			t.Errorf("%s: %+v, %v", body, b, err)
		}
	}
	for _, body := range []string{
		`{"data":{"amount":"Infinity"}}`,
		`{"data":{"amount":"1e999"}}`,
		`{"data":{"amount":"abc"}}`,
		`{"data":{"amount":null}}`,
		`{"data":{}}`,
		`{"data":{"amount":"97412.35","base":"BTC","currency":"EUR"}}`,
		`{"errors":[]}`,
		`[]`,
		``,
	} {
		b, err := decodeCoinbase([]byte(body), exchTestDate)
		if err == nil || len(b.Obs) != 0 {
			t.Errorf("%s: accepted %+v", body, b)
		}
	}
}

func FuzzDecodeCoinbase(f *testing.F) {
	for _, name := range []string{"spot", "inband_error", "inband_throttle", "data_null", "negative", "nan", "wrong_pair", "html_200"} {
		f.Add(fixture.Body(f, "coinbase/"+name))
	}
	f.Add([]byte(`{"data":{"amount":"Infinity"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeCoinbase(body, exchTestDate)
		exchTestFuzzCheck(t, b, err)
	})
}

func BenchmarkDecodeCoinbase(b *testing.B) {
	body := fixture.Body(b, "coinbase/spot")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeCoinbase(body, exchTestDate); err != nil {
			b.Fatal(err)
		}
	}
}
