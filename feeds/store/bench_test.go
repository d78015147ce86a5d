package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// benchNow is "now" in the benchmarks: three years of daily history end
// here.
var benchNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// benchStore returns a store holding three years of one point a day for 9
// metrics and 3 symbols' closes, compacted as of benchNow (so the metrics
// span the raw, hourly and daily levels), and the 12 keys.
func benchStore(b *testing.B) (*Store, []Key) {
	b.Helper()
	s := openTest(b, Options{})
	ctx := context.Background()
	start := benchNow.AddDate(-3, 0, 0)
	var keys []Key
	for k := range 9 {
		m := market.Metric(fmt.Sprintf("metric_%d", k))
		keys = append(keys, MetricKey(m))
		var batch []market.Observation
		for d := start; d.Before(benchNow); d = d.AddDate(0, 0, 1) {
			batch = append(batch, obs(m, d.Add(12*time.Hour), float64(d.Unix()%1000+int64(k)), "bench"))
		}
		mustAdd(b, s, batch...)
	}
	for k := range 3 {
		sym := fmt.Sprintf("SYM%d", k)
		keys = append(keys, CloseKey(sym))
		var bars []market.Bar
		for d := start; d.Before(benchNow); d = d.AddDate(0, 0, 1) {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				bars = append(bars, market.Bar{Day: d, Close: float64(10 + k)})
			}
		}
		if err := s.AddBars(ctx, sym, "bench", bars); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Compact(ctx, benchNow); err != nil {
		b.Fatal(err)
	}
	return s, keys
}

// BenchmarkAligned: 12 series × 3 years of daily points on one daily grid.
func BenchmarkAligned(b *testing.B) {
	s, keys := benchStore(b)
	ctx := context.Background()
	from := benchNow.AddDate(-3, 0, 0)
	grid, _, err := s.Aligned(ctx, keys, from, benchNow, Daily)
	if err != nil || len(grid) < 1090 {
		b.Fatalf("grid of %d, %v", len(grid), err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := s.Aligned(ctx, keys, from, benchNow, Daily); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeriesDaily: one metric, 3 years, daily.
func BenchmarkSeriesDaily(b *testing.B) {
	s, keys := benchStore(b)
	ctx := context.Background()
	from := benchNow.AddDate(-3, 0, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Series(ctx, keys[0].Metric, from, benchNow, Daily); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdd1000: one Add of 1,000 new observations (12 metrics, one
// transaction).
func BenchmarkAdd1000(b *testing.B) {
	s := openTest(b, Options{})
	ctx := context.Background()
	metrics := []market.Metric{market.Difficulty, market.Height, market.EpochStart, market.AdjustmentPct, market.MeanBlockTime, market.Hashrate,
		market.FeesPerBlock, market.PriceUSD, market.PriceSources, market.PriceSpreadPct, market.HashpriceUSD, market.HashpriceBTC}
	batch := make([]market.Observation, 1000)
	at := t0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range batch {
			batch[i] = obs(metrics[i%len(metrics)], at, float64(i), "bench")
			if i%len(metrics) == len(metrics)-1 {
				at = at.Add(time.Minute)
			}
		}
		if err := s.Add(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeriesHourlyDense: one metric observed every minute for 30
// days (43,200 raw observations), read back hourly.
func BenchmarkSeriesHourlyDense(b *testing.B) {
	s := openTest(b, Options{})
	ctx := context.Background()
	start := benchNow.AddDate(0, 0, -30)
	var batch []market.Observation
	for at := start; at.Before(benchNow); at = at.Add(time.Minute) {
		batch = append(batch, obs(market.PriceUSD, at, float64(at.Unix()%5000), "kraken"))
	}
	mustAdd(b, s, batch...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ps, err := s.Series(ctx, market.PriceUSD, start, benchNow, Hourly)
		if err != nil || len(ps) != 720 {
			b.Fatal(len(ps), err)
		}
	}
}

// BenchmarkOpen: opening an existing database with three years of data
// (with and without the integrity check).
func BenchmarkOpen(b *testing.B) {
	s, _ := benchStore(b)
	path := s.Path()
	s.Close()
	for _, skip := range []bool{false, true} {
		b.Run(fmt.Sprint("SkipIntegrityCheck=", skip), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := Open(path, Options{SkipIntegrityCheck: skip})
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}
