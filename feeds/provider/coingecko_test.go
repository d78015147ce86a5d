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

// exchTestGeckoAt is last_updated_at in the coingecko/price fixture.
var exchTestGeckoAt = time.Unix(1768314587, 0).UTC() // 2026-01-13 14:29:47 UTC

func TestCoinGeckoPrice(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{coinGeckoPricePath: "coingecko/price"})
	p := NewCoinGecko(srv.URL, "", HTTPOptions{})
	if p.Name() != "coingecko" {
		t.Errorf("Name = %q", p.Name())
	}
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Dated by last_updated_at (18 s before the response), not by the Date.
	exchTestWantPrice(t, b, 97405, exchTestGeckoAt, "coingecko")
	req := srv.LastRequest(coinGeckoPricePath)
	q := req.URL.Query()
	if q.Get("ids") != "bitcoin" || q.Get("vs_currencies") != "usd" || q.Get("include_last_updated_at") != "true" {
		t.Errorf("query = %s", req.URL.RawQuery)
	}
	if len(req.Header.Values(coinGeckoKeyHeader)) > 0 {
		t.Error("a key header was sent without a key")
	}
}

func TestCoinGeckoDemoKey(t *testing.T) {
	const key = "CG-s3cretDemoKey0123456789"
	srv := fixture.NewReplay(t, map[string]string{coinGeckoPricePath: "coingecko/price"})
	headers := map[string]string{"X-Other": "1"}
	p := NewCoinGecko(srv.URL, key, HTTPOptions{Headers: headers})
	if _, err := p.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.LastRequest(coinGeckoPricePath).Header.Get(coinGeckoKeyHeader); got != key {
		t.Errorf("%s = %q", coinGeckoKeyHeader, got)
	}
	if len(headers) != 1 {
		t.Errorf("the caller's header map was changed: %v", headers)
	}
	if strings.Contains(srv.LastRequest(coinGeckoPricePath).URL.RawQuery, key) {
		t.Error("the key went into the query string")
	}
	for _, name := range []string{"coingecko/bad_key", "coingecko/rate_limited", "coingecko/rate_limited_html", "coingecko/unknown_id", "coingecko/negative"} {
		srv.Set(coinGeckoPricePath, name)
		_, err := p.Fetch(context.Background())
		if err == nil || strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error %v (must exist and must not show the key)", name, err)
		}
	}
	// The transport error of an unreachable host quotes the URL: still no key.
	srv.Close()
	if _, err := p.Fetch(context.Background()); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestCoinGeckoFailures(t *testing.T) {
	exchTestFailures(t, coinGeckoPricePath, func(base string) market.Provider { return NewCoinGecko(base, "", HTTPOptions{}) }, []exchTestFailure{
		{fixture: "coingecko/rate_limited", status: 429, retryAfter: 30 * time.Second, contains: "exceeded the Rate Limit"},
		{fixture: "coingecko/rate_limited_html", status: 429, contains: "HTML page: Access denied | api.coingecko.com used Cloudflare"},
		{fixture: "coingecko/rate_limited_plain", status: 429, retryAfter: 45 * time.Second, contains: "Throttled"},
		{fixture: "coingecko/bad_key", status: 401, contains: "API Key Missing"},
		{fixture: "coingecko/server_error", status: 503, retryAfter: 90 * time.Second},
		{fixture: "coingecko/inband_throttle", throttled: true, contains: "exceeded the Rate Limit"},
		{fixture: "coingecko/unknown_id", contains: "no bitcoin in the answer"},
		{fixture: "coingecko/negative", contains: "price refused", rejected: "-97405 is outside the plausible range"},
		{fixture: "coinbase/html_200", contains: "not JSON"},
	})
}

func TestCoinGeckoTimes(t *testing.T) {
	// Milliseconds where seconds belong: refused with a reason, the Date used.
	b, err := decodeCoinGecko(fixture.Body(t, "coingecko/price_ms_time"), exchTestDate)
	if err != nil {
		t.Fatal(err)
	}
	exchTestWantPrice(t, b, 97405, exchTestDate, "coingecko")
	if len(b.Rejected) != 1 || !strings.Contains(b.Rejected[0].Reason, "1.768314587e+12 is not a plausible Unix time") {
		t.Errorf("rejected = %+v", b.Rejected)
	}
	// No time at all: the Date, silently.
	b, err = decodeCoinGecko(fixture.Body(t, "coingecko/price_no_time"), exchTestDate)
	if err != nil {
		t.Fatal(err)
	}
	exchTestWantPrice(t, b, 97405.18, exchTestDate, "coingecko")
	if len(b.Rejected) != 0 {
		t.Errorf("rejected = %+v", b.Rejected)
	}
	// A time in the future (beyond an hour of skew), before Bitcoin, or fractional.
	for _, at := range []string{"1768400000", "1000000000", "1768314587.5", "-1"} {
		b, err := decodeCoinGecko([]byte(`{"bitcoin":{"usd":97405,"last_updated_at":`+at+`}}`), exchTestDate)
		if err != nil || len(b.Obs) != 1 || !b.Obs[0].At.Equal(exchTestDate) || len(b.Rejected) != 1 {
			t.Errorf("last_updated_at %s: %+v, %v", at, b, err)
		}
	}
}

func TestDecodeCoinGeckoShapes(t *testing.T) {
	if b, err := decodeCoinGecko([]byte(`{"bitcoin":{"usd":"97405.18","last_updated_at":"1768314587"}}`), exchTestDate); err != nil || b.Obs[0].Value != 97405.18 || !b.Obs[0].At.Equal(exchTestGeckoAt) {
		t.Errorf("string numbers: %+v, %v", b, err)
	}
	bad := map[string]string{
		`{"bitcoin":{}}`:                     "no usd price",
		`{"bitcoin":{"usd":null}}`:           "no usd price",
		`{"bitcoin":{"eur":90000}}`:          "no usd price",
		`{"bitcoin":{"usd":0}}`:              "price refused",
		`{"bitcoin":{"usd":"Infinity"}}`:     "price refused",
		`{"bitcoin":{"usd":"NaN"}}`:          "no usd price",
		`{"error":"invalid vs_currency"}`:    "invalid vs_currency",
		`{"status":{"error_code":10010}}`:    "upstream error 10010",
		`{"status":{"error_message":"x"}}`:   "upstream error 0: x",
		`{"ethereum":{"usd":3301.1}}`:        "no bitcoin",
		`[]`:                                 "decoding JSON",
		`{"bitcoin":{"usd":"ninety grand"}}`: "not a number",
	}
	for body, want := range bad {
		b, err := decodeCoinGecko([]byte(body), exchTestDate)
		if err == nil || !strings.Contains(err.Error(), want) || len(b.Obs) != 0 {
			t.Errorf("%s: %+v, %v; want an error containing %q", body, b, err, want)
		}
	}
	var te *ThrottleError
	if _, err := decodeCoinGecko([]byte(`{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}`), exchTestDate); !errors.As(err, &te) || te.Source != "coingecko" {
		t.Errorf("in-band 429: %v", err)
	}
}

func FuzzDecodeCoinGecko(f *testing.F) {
	for _, name := range []string{"price", "price_ms_time", "price_no_time", "negative", "unknown_id", "inband_throttle", "rate_limited", "bad_key"} {
		f.Add(fixture.Body(f, "coingecko/"+name))
	}
	f.Add([]byte(`{"bitcoin":{"usd":"1e308","last_updated_at":1e308}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeCoinGecko(body, exchTestDate)
		exchTestFuzzCheck(t, b, err)
		for _, o := range b.Obs {
			if o.At.Before(time.Unix(coinGeckoMinUnix, 0)) || o.At.After(exchTestDate.Add(coinGeckoSkew)) {
				t.Errorf("implausible time %v", o.At)
			}
		}
	})
}

func BenchmarkDecodeCoinGecko(b *testing.B) {
	body := fixture.Body(b, "coingecko/price")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeCoinGecko(body, exchTestDate); err != nil {
			b.Fatal(err)
		}
	}
}
