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

// hriTestKey is the key the forbidden_key fixture quotes back.
const hriTestKey = "hi_live_7QzK2mRw9xT4vB8nL3pD"

func newHRITest(t *testing.T, routes map[string]string) (*fixture.Replay, *hashrateIndex) {
	t.Helper()
	srv := fixture.NewReplay(t, routes)
	return srv, NewHashrateIndex(srv.URL, hriTestKey, HTTPOptions{}).(*hashrateIndex)
}

func hriFindObs(b market.Batch, m market.Metric) (market.Observation, bool) {
	for _, o := range b.Obs {
		if o.Metric == m {
			return o, true
		}
	}
	return market.Observation{}, false
}

func TestHashrateIndexCurrent(t *testing.T) {
	srv, p := newHRITest(t, map[string]string{hriCurrentPath: "hashrateindex/current"})
	if p.Name() != "hashrateindex" {
		t.Errorf("Name = %q", p.Name())
	}
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC)
	want := []market.Observation{
		{Metric: market.HashpriceUSD, Value: 41.23, At: at, Source: "hashrateindex"},      // USD per PH/s per day
		{Metric: market.HashpriceBTC, Value: 0.00044137, At: at, Source: "hashrateindex"}, // BTC per PH/s per day
	}
	if len(b.Obs) != len(want) || len(b.Rejected) != 0 {
		t.Fatalf("batch %+v", b)
	}
	for i := range want {
		if got := b.Obs[i]; got.Metric != want[i].Metric || got.Value != want[i].Value || !got.At.Equal(want[i].At) || got.Source != want[i].Source {
			t.Errorf("obs %d = %+v, want %+v", i, got, want[i])
		}
	}
	req := srv.LastRequest(hriCurrentPath)
	if req.Header.Get("X-Hi-Api-Key") != hriTestKey || req.URL.Query().Get("hashunit") != "PHS" {
		t.Errorf("request %v %v", req.Header, req.URL)
	}
}

func TestHashrateIndexForbiddenFallsBack(t *testing.T) {
	srv, p := newHRITest(t, map[string]string{
		hriCurrentPath: "hashrateindex/forbidden",
		hriSeriesPath:  "hashrateindex/series",
	})
	now := time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The series is served unsorted: the newest point is not the last one.
	o, ok := hriFindObs(b, market.HashpriceUSD)
	if !ok || o.Value != 41.18 || !o.At.Equal(time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC)) || len(b.Obs) != 1 {
		t.Errorf("batch %+v", b)
	}
	q := srv.LastRequest(hriSeriesPath).URL.Query()
	for k, want := range map[string]string{"span": "1D", "bucket": "5m", "currency": "USD", "hashunit": "PHS"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if srv.LastRequest(hriSeriesPath).Header.Get("X-Hi-Api-Key") != hriTestKey {
		t.Error("no key on the fallback request")
	}
	// The next poll goes straight to the series: one request, not two.
	if _, err := p.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.Hits(hriCurrentPath) != 1 || srv.Hits(hriSeriesPath) != 2 {
		t.Errorf("current %d, series %d", srv.Hits(hriCurrentPath), srv.Hits(hriSeriesPath))
	}
	// An hour later /current is tried again.
	now = now.Add(hriForbiddenFor)
	srv.Set(hriCurrentPath, "hashrateindex/current")
	b, err = p.Fetch(context.Background())
	if err != nil || len(b.Obs) != 2 || srv.Hits(hriCurrentPath) != 2 {
		t.Errorf("after an hour: err %v, batch %+v, current hits %d", err, b, srv.Hits(hriCurrentPath))
	}
}

func TestHashrateIndexKeyNeverShown(t *testing.T) {
	srv, p := newHRITest(t, map[string]string{
		hriCurrentPath: "hashrateindex/forbidden_key",
		hriSeriesPath:  "hashrateindex/forbidden_key",
	})
	if strings.Contains(p.Name(), hriTestKey[:6]) {
		t.Error("key in Name")
	}
	b, err := p.Fetch(context.Background())
	if err == nil {
		t.Fatal("403 twice but no error")
	}
	if strings.Contains(err.Error(), hriTestKey[:6]) {
		t.Errorf("the key leaks: %v", err)
	}
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 403 || strings.Contains(he.Error(), hriTestKey[:6]) {
		t.Errorf("HTTPError %v", he)
	}
	for _, r := range b.Rejected {
		if strings.Contains(r.What+r.Reason, hriTestKey[:6]) {
			t.Errorf("key in rejection %+v", r)
		}
	}
	if srv.Hits(hriSeriesPath) != 1 {
		t.Error("no fallback after 403")
	}
	// A body served with 200 that quotes the key (clipped or not) is withheld too.
	for _, body := range []string{
		"Invalid key " + hriTestKey,
		`{"error":"key ` + hriTestKey + ` revoked"}`,
		`{"data":{"priceUSD":"` + hriTestKey + `"}}`,
	} {
		_, err := decodeHashpriceCurrent([]byte(body), time.Time{})
		if err == nil {
			t.Fatalf("%q decoded", body)
		}
		if red := p.redact(err); strings.Contains(red.Error(), hriTestKey[:6]) {
			t.Errorf("redact(%v) = %v", err, red)
		}
	}
}

func TestHashrateIndexFailures(t *testing.T) {
	for _, tc := range []struct {
		fixture, want string
		retry         time.Duration
		throttle      bool
	}{
		{"hashrateindex/throttled", "HTTP 429", 15 * time.Second, true},
		{"hashrateindex/error_200", "hashunit must be one of PHS, THS", 0, false},
		{"hashrateindex/ratelimit_200", "rate limited", 0, true},
		{"hashrateindex/html_200", "HTML page: Just a moment", 0, false},
		{"hashrateindex/current_nulls", "no usable hashprice", 0, false},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			srv, p := newHRITest(t, map[string]string{hriCurrentPath: tc.fixture})
			_, err := p.Fetch(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if d, _ := RetryAfter(err); d != tc.retry {
				t.Errorf("RetryAfter = %v, want %v", d, tc.retry)
			}
			var he *HTTPError
			var te *ThrottleError
			if got := (errors.As(err, &he) && he.Throttled()) || errors.As(err, &te); got != tc.throttle {
				t.Errorf("throttled = %v, want %v", got, tc.throttle)
			}
			if srv.Hits(hriSeriesPath) != 0 {
				t.Error("fell back on something other than a 403")
			}
		})
	}
	srv, p := newHRITest(t, map[string]string{hriCurrentPath: "hashrateindex/forbidden", hriSeriesPath: "hashrateindex/series_empty"})
	if _, err := p.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "no dated price among 0 points") {
		t.Errorf("empty series: %v", err)
	}
	if srv.Hits("") != 2 {
		t.Errorf("%d requests", srv.Hits(""))
	}
}

func TestHashrateIndexRejectsImplausible(t *testing.T) {
	_, p := newHRITest(t, map[string]string{hriCurrentPath: "hashrateindex/current_negative"})
	b, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Obs) != 1 || b.Obs[0].Metric != market.HashpriceBTC {
		t.Errorf("obs %+v", b.Obs)
	}
	if !stockHasRejection(b, string(market.HashpriceUSD), "outside the plausible range") {
		t.Errorf("rejected %+v", b.Rejected)
	}
	if _, err := decodeHashpriceSeries([]byte(`{"data":[{"price":-1,"timestamp":"2026-11-20T19:00:00Z"},{"price":41,"timestamp":"2026-11-20T18:55:00Z"}]}`)); err == nil {
		t.Error("an implausible newest point passed")
	}
}

func TestHashrateIndexNoKey(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{hriCurrentPath: "hashrateindex/current"})
	p := NewHashrateIndex(srv.URL, "  ", HTTPOptions{})
	if _, err := p.Fetch(context.Background()); err == nil || srv.Hits("") != 0 {
		t.Errorf("no key: err %v, %d requests", err, srv.Hits(""))
	}
}

func hriSeeds(f *testing.F) [][]byte {
	return fixture.Bodies(f, "hashrateindex")
}

func FuzzDecodeHashpriceCurrent(f *testing.F) {
	for _, s := range hriSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeHashpriceCurrent(body, time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC))
		if err != nil {
			return
		}
		if err := b.Check(); err != nil {
			t.Fatal(err)
		}
		if len(b.Obs) == 0 {
			t.Fatal("no observation and no error")
		}
	})
}

func FuzzDecodeHashpriceSeries(f *testing.F) {
	for _, s := range hriSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decodeHashpriceSeries(body)
		if err != nil {
			return
		}
		if err := b.Check(); err != nil {
			t.Fatal(err)
		}
		if len(b.Obs) != 1 {
			t.Fatalf("want one observation, got %+v", b)
		}
	})
}

func BenchmarkDecodeHashpriceCurrent(b *testing.B) {
	body := fixture.Body(b, "hashrateindex/current")
	date := time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeHashpriceCurrent(body, date); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeHashpriceSeries(b *testing.B) {
	body := fixture.Body(b, "hashrateindex/series")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeHashpriceSeries(body); err != nil {
			b.Fatal(err)
		}
	}
}
