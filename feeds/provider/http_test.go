package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
)

func TestHTTPClientAndReplay(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{"/ok": "replay/ok", "/busy": "replay/throttled"})
	c := NewHTTPClient("test", srv.URL, HTTPOptions{Headers: map[string]string{"X-Key": "secret"}})
	var v struct{ OK bool }
	resp, err := c.GetJSON(context.Background(), "/ok", nil, nil, &v)
	if err != nil || !v.OK {
		t.Fatalf("GetJSON = %v, %+v", err, v)
	}
	if want := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC); !resp.Date.Equal(want) {
		t.Errorf("Date = %v, want the server's %v", resp.Date, want)
	}
	if got := srv.LastRequest("/ok").Header.Get("X-Key"); got != "secret" {
		t.Errorf("header not sent: %q", got)
	}
	_, err = c.GetJSON(context.Background(), "/busy", nil, nil, &v)
	var he *HTTPError
	if !errors.As(err, &he) || !he.Throttled() || he.RetryAfter != 30*time.Second {
		t.Fatalf("429: %v", err)
	}
	if !strings.Contains(err.Error(), "HTML page: 429 Too Many Requests") || strings.Contains(err.Error(), "secret") {
		t.Errorf("error text: %v", err)
	}
	if d, ok := RetryAfter(err); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	if srv.Hits("/busy") != 1 {
		t.Errorf("the client retried on its own: %d requests", srv.Hits("/busy"))
	}
	if _, err := c.Get(context.Background(), "/missing", nil, nil); err == nil {
		t.Error("404 is not an error")
	}
}

func TestDecodeJSONRejectsNonJSON(t *testing.T) {
	for _, body := range []string{"", "  ", "Too Many Requests", "<html><title>Will be right back</title></html>", "907123"} {
		var v any
		if err := DecodeJSON([]byte(body), &v); !errors.Is(err, ErrNotJSON) {
			t.Errorf("DecodeJSON(%q) = %v, want ErrNotJSON", body, err)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		"0":                             0,
		"-5":                            0,
		"junk":                          0,
		"999999":                        time.Hour,
		"Mon, 12 Jan 2026 12:01:30 GMT": 90 * time.Second,
		"Mon, 12 Jan 2026 11:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestNumAndParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		v    float64
		ok   bool
		fail bool
	}{
		{`108123.45`, 108123.45, true, false},
		{`"108123.45"`, 108123.45, true, false},
		{`"$1,234.50"`, 1234.5, true, false},
		{`"+2.98%"`, 2.98, true, false},
		{`"-0.42"`, -0.42, true, false},
		{`"1.264E14"`, 1.264e14, true, false},
		{`null`, 0, false, false},
		{`"N/A"`, 0, false, false},
		{`"--"`, 0, false, false},
		{`""`, 0, false, false},
		{`"abc"`, 0, false, true},
		{`true`, 0, false, true},
	}
	for _, tt := range tests {
		var n Num
		err := n.UnmarshalJSON([]byte(tt.in))
		if (err != nil) != tt.fail || n.OK != tt.ok || n.V != tt.v {
			t.Errorf("Num(%s) = %+v, %v", tt.in, n, err)
		}
	}
}

func TestEndpointsWithEnv(t *testing.T) {
	env := map[string]string{"HASHDECK_MEMPOOL_URL": "http://127.0.0.1:8080/", "HASHDECK_YAHOO_URL": " "}
	e, err := DefaultEndpoints().WithEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if e.Mempool != "http://127.0.0.1:8080" || e.Yahoo != DefaultEndpoints().Yahoo {
		t.Errorf("endpoints = %+v", e)
	}
	for _, bad := range []string{"ftp://x", "http://", "http://host/api", "not a url", "http://host?x=1"} {
		env["HASHDECK_KRAKEN_URL"] = bad
		if _, err := DefaultEndpoints().WithEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "HASHDECK_KRAKEN_URL") {
			t.Errorf("%q: err %v, want one naming HASHDECK_KRAKEN_URL", bad, err)
		}
	}
}

func TestBatchAddRejects(t *testing.T) {
	var b market.Batch
	now := time.Now()
	if b.Add(market.Difficulty, 0, now, "x") || b.Add(market.PriceUSD, -1, now, "x") || b.Add(market.Height, 1.5, now, "x") || b.Add("nope", 1, now, "x") {
		t.Error("accepted an impossible value")
	}
	if !b.Add(market.Difficulty, 148.26e12, now, "x") || len(b.Obs) != 1 || len(b.Rejected) != 4 {
		t.Errorf("batch = %+v", b)
	}
	if !b.AddQuote(market.Quote{Symbol: "IREN", Price: 14.5, PrevClose: -3}) || b.Quotes[0].PrevClose != 0 {
		t.Errorf("a bad previous close should be dropped, not kept: %+v", b.Quotes)
	}
	if b.AddQuote(market.Quote{Symbol: "IREN", Price: 0}) {
		t.Error("a zero share price was accepted")
	}
	if err := b.Check(); err != nil {
		t.Errorf("Check = %v", err)
	}
}

func TestRetryAfterSearchesJoinedErrors(t *testing.T) {
	plain := &HTTPError{Status: 500}
	slow := &HTTPError{Status: 503, RetryAfter: 90 * time.Second}
	fast := &ThrottleError{RetryAfter: 20 * time.Second}
	if d, ok := RetryAfter(errors.Join(plain, fmt.Errorf("wrapped: %w", slow))); !ok || d != 90*time.Second {
		t.Errorf("a wait behind an error without one: %v %v", d, ok)
	}
	if d, _ := RetryAfter(errors.Join(slow, fast)); d != 20*time.Second {
		t.Errorf("the shortest wait should win: %v", d)
	}
	if _, ok := RetryAfter(errors.Join(plain, errors.New("x"))); ok {
		t.Error("a wait from errors that ask for none")
	}
	if _, ok := RetryAfter(nil); ok {
		t.Error("a wait from nil")
	}
}
