package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

func pointsString(ps []Point) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s=%g/%d/%s ", p.At.Format("01-02T15:04:05.000"), p.Value, p.N, p.Source)
	}
	return strings.TrimSpace(b.String())
}

func series(t *testing.T, s *Store, m market.Metric, from, to time.Time, res Resolution) string {
	t.Helper()
	ps, err := s.Series(context.Background(), m, from, to, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.At.Location() != time.UTC {
			t.Fatalf("point time %v is not UTC", p.At)
		}
	}
	return pointsString(ps)
}

func TestAddIdempotent(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	a := obs(market.Hashrate, t0.Add(90*time.Second), 900, "mempool.space")
	b := obs(market.Hashrate, t0.Add(150*time.Second), 910, "mempool.space")
	mustAdd(t, s, a, b)
	before := dump(t, s)
	mustAdd(t, s, a, b)
	mustAdd(t, s, a)
	if after := dump(t, s); after != before {
		t.Errorf("re-adding identical observations changed the database:\n%s\n%s", before, after)
	}
	if n := entryCount(t, s); n != 2 {
		t.Fatalf("%d entries after adding the same observations three times, want 2", n)
	}
	want := "03-10T00:01:30.000=900/1/mempool.space 03-10T00:02:30.000=910/1/mempool.space"
	if got := series(t, s, market.Hashrate, t0, t0.Add(time.Hour), Raw); got != want {
		t.Errorf("Series = %s, want %s", got, want)
	}
	// Sub-millisecond differences are the same key.
	c := a
	c.At = c.At.Add(300 * time.Microsecond)
	mustAdd(t, s, c)
	if got := series(t, s, market.Hashrate, t0, t0.Add(time.Hour), Raw); got != want {
		t.Errorf("after a sub-ms re-add, Series = %s, want %s", got, want)
	}
	// A correction by the same source replaces the value.
	a.Value = 905
	mustAdd(t, s, a)
	want = "03-10T00:01:30.000=905/1/mempool.space 03-10T00:02:30.000=910/1/mempool.space"
	if got := series(t, s, market.Hashrate, t0, t0.Add(time.Hour), Raw); got != want {
		t.Errorf("after a correction, Series = %s, want %s", got, want)
	}
	// Validation refuses the whole batch.
	err := s.Add(ctx, obs(market.Hashrate, t0, 1, "x"), obs(market.Hashrate, t0, math.NaN(), "x"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "observation 1") {
		t.Errorf("Add with a NaN: %v", err)
	}
	for _, bad := range []market.Observation{
		obs("", t0, 1, "x"), obs(market.Height, t0, 1, ""), obs(market.Height, time.Time{}, 1, "x"), obs(market.Height, t0, math.Inf(1), "x"),
	} {
		if err := s.Add(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Add(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if n := entryCount(t, s); n != 2 {
		t.Errorf("%d entries after refused batches, want 2", n)
	}
}

func TestSourceRule(t *testing.T) {
	at := t0.Add(10 * time.Minute)
	window := func(t *testing.T, s *Store) string {
		return series(t, s, market.PriceUSD, t0, t0.Add(time.Hour), Raw)
	}
	t.Run("latest inserted wins", func(t *testing.T) {
		s := openTest(t, Options{})
		mustAdd(t, s, obs(market.PriceUSD, at, 100, "kraken"))
		mustAdd(t, s, obs(market.PriceUSD, at, 101, "coinbase"))
		if got := window(t, s); got != "03-10T00:10:00.000=101/1/coinbase" {
			t.Errorf("got %s, want coinbase's 101", got)
		}
		// Re-adding kraken's identical value is not a new write.
		mustAdd(t, s, obs(market.PriceUSD, at, 100, "kraken"))
		if got := window(t, s); got != "03-10T00:10:00.000=101/1/coinbase" {
			t.Errorf("after an identical re-add, got %s, want coinbase's 101", got)
		}
		// A correction by kraken is.
		mustAdd(t, s, obs(market.PriceUSD, at, 99, "kraken"))
		if got := window(t, s); got != "03-10T00:10:00.000=99/1/kraken" {
			t.Errorf("after kraken's correction, got %s", got)
		}
		// Within one batch, the later one is the latest.
		mustAdd(t, s, obs(market.PriceUSD, at, 1, "a"), obs(market.PriceUSD, at, 2, "b"))
		if got := window(t, s); got != "03-10T00:10:00.000=2/1/b" {
			t.Errorf("after a batch, got %s", got)
		}
		// Both sources' values are kept.
		if n := entryCount(t, s); n != 4 {
			t.Errorf("%d rows, want one per source (4)", n)
		}
	})
	t.Run("source order", func(t *testing.T) {
		s := openTest(t, Options{SourceOrder: []string{"kraken", "coinbase"}})
		mustAdd(t, s, obs(market.PriceUSD, at, 100, "kraken"))
		mustAdd(t, s, obs(market.PriceUSD, at, 101, "coinbase"))
		mustAdd(t, s, obs(market.PriceUSD, at, 102, "unlisted"))
		if got := window(t, s); got != "03-10T00:10:00.000=100/1/kraken" {
			t.Errorf("got %s, want kraken's 100 (preferred)", got)
		}
		// coinbase beats an unlisted source even when older.
		at2 := at.Add(time.Minute)
		mustAdd(t, s, obs(market.PriceUSD, at2, 201, "coinbase"), obs(market.PriceUSD, at2, 202, "unlisted"))
		// Two unlisted sources: the latest inserted.
		at3 := at.Add(2 * time.Minute)
		mustAdd(t, s, obs(market.PriceUSD, at3, 301, "u1"))
		mustAdd(t, s, obs(market.PriceUSD, at3, 302, "u2"))
		want := "03-10T00:10:00.000=100/1/kraken 03-10T00:11:00.000=201/1/coinbase 03-10T00:12:00.000=302/1/u2"
		if got := window(t, s); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		p, ok, err := s.Latest(context.Background(), market.PriceUSD)
		if err != nil || !ok || p.Value != 302 || p.Source != "u2" {
			t.Errorf("Latest = %+v, %v, %v", p, ok, err)
		}
		// The order is the opener's: another Store on the same file
		// with no order sees the latest inserted.
		s2, err := Open(s.Path(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		if got := series(t, s2, market.PriceUSD, at, at.Add(time.Millisecond), Raw); got != "03-10T00:10:00.000=102/1/unlisted" {
			t.Errorf("without an order: %s", got)
		}
	})
}

func TestBucketing(t *testing.T) {
	s := openTest(t, Options{})
	m := market.Difficulty
	// Hour 00: 1, 2, 3 (mean 2); hour 01: 10; hour 23: 100, 200 (150); next day 00:30: 7.
	mustAdd(t, s,
		obs(m, t0.Add(0), 1, "a"),
		obs(m, t0.Add(20*time.Minute), 2, "a"),
		obs(m, t0.Add(59*time.Minute+59*time.Second+999*time.Millisecond), 3, "b"),
		obs(m, t0.Add(time.Hour), 10, "a"),
		obs(m, t0.Add(23*time.Hour+15*time.Minute), 100, "a"),
		obs(m, t0.Add(23*time.Hour+45*time.Minute), 200, "a"),
		obs(m, t0.Add(24*time.Hour+30*time.Minute), 7, "a"),
	)
	day := 24 * time.Hour
	cases := []struct {
		from, to time.Time
		res      Resolution
		want     string
	}{
		{t0, t0.Add(2 * day), Hourly, "03-10T00:00:00.000=2/3/a 03-10T01:00:00.000=10/1/a 03-10T23:00:00.000=150/2/a 03-11T00:00:00.000=7/1/a"},
		{t0, t0.Add(2 * day), Daily, "03-10T00:00:00.000=52.666666666666664/6/a 03-11T00:00:00.000=7/1/a"},
		// from and to are rounded out to whole buckets.
		{t0.Add(30 * time.Minute), t0.Add(90 * time.Minute), Hourly, "03-10T00:00:00.000=2/3/a 03-10T01:00:00.000=10/1/a"},
		{t0.Add(12 * time.Hour), t0.Add(24*time.Hour + time.Minute), Daily, "03-10T00:00:00.000=52.666666666666664/6/a 03-11T00:00:00.000=7/1/a"},
		// to on a boundary excludes the bucket starting there.
		{t0, t0.Add(day), Daily, "03-10T00:00:00.000=52.666666666666664/6/a"},
		// Raw is half-open at millisecond precision.
		{t0.Add(20 * time.Minute), t0.Add(time.Hour), Raw, "03-10T00:20:00.000=2/1/a 03-10T00:59:59.999=3/1/b"},
		{t0.Add(20*time.Minute + time.Nanosecond), t0.Add(time.Hour + time.Nanosecond), Raw, "03-10T00:59:59.999=3/1/b 03-10T01:00:00.000=10/1/a"},
		{t0.Add(day), t0, Daily, ""},
	}
	for _, c := range cases {
		if got := series(t, s, m, c.from, c.to, c.res); got != c.want {
			t.Errorf("Series(%s..%s, %s) =\n  %s\nwant\n  %s", c.from.Format(time.RFC3339), c.to.Format(time.RFC3339), c.res, got, c.want)
		}
	}
	// The bucket's source is the source of most of its points.
	ps, _ := s.Series(context.Background(), m, t0, t0.Add(time.Hour), Hourly)
	if len(ps) != 1 || ps[0].Source != "a" {
		t.Errorf("hour 00 source: %+v", ps)
	}
	// Times in other zones mean the same instants.
	cest := time.FixedZone("CEST", 2*3600)
	if got := series(t, s, m, t0.In(cest), t0.Add(2*time.Hour).In(cest), Hourly); !strings.HasPrefix(got, "03-10T00:00:00.000=2/3/a") {
		t.Errorf("zoned range: %s", got)
	}
	if _, err := s.Series(context.Background(), m, t0, t0.Add(day), Resolution(9)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown resolution: %v", err)
	}
	if ps, err := s.Series(context.Background(), "nothing", t0, t0.Add(day), Daily); err != nil || len(ps) != 0 {
		t.Errorf("unknown metric: %v, %v", ps, err)
	}
}

func TestCloses(t *testing.T) {
	s := openTest(t, Options{SourceOrder: []string{"yahoo"}})
	ctx := context.Background()
	d := func(i int) time.Time { return t0.AddDate(0, 0, i) }
	bars := []market.Bar{{Day: d(0), Close: 10}, {Day: d(1), Close: 11}, {Day: d(4), Close: 14}}
	if err := s.AddBars(ctx, "MARA", "stooq", bars); err != nil {
		t.Fatal(err)
	}
	if err := s.AddBars(ctx, "MARA", "stooq", bars); err != nil {
		t.Fatal(err)
	}
	if err := s.AddBars(ctx, "MARA", "yahoo", []market.Bar{{Day: d(1), Close: 11.5}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Closes(ctx, "MARA", d(0), d(4))
	if err != nil {
		t.Fatal(err)
	}
	want := []market.Bar{{Day: d(0), Close: 10}, {Day: d(1), Close: 11.5}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Closes = %v, want %v", got, want)
	}
	last, ok, err := s.LastTime(ctx, CloseKey("MARA"))
	if err != nil || !ok || !last.Equal(d(4)) {
		t.Errorf("LastTime = %v, %v, %v; want %v", last, ok, err, d(4))
	}
	if _, ok, _ := s.LastTime(ctx, CloseKey("RIOT")); ok {
		t.Error("LastTime of a symbol never stored: ok")
	}
	for _, bad := range [][]market.Bar{
		{{Day: d(0).Add(5 * time.Hour), Close: 1}},
		{{Day: d(0), Close: 0}},
		{{Day: d(0), Close: math.NaN()}},
		{{Day: time.Date(2026, 3, 10, 0, 0, 0, 0, time.FixedZone("EST", -5*3600)), Close: 1}},
	} {
		if err := s.AddBars(ctx, "MARA", "x", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddBars(%v) = %v, want ErrInvalid", bad, err)
		}
	}
	// Midnight UTC expressed in another zone is fine.
	if err := s.AddBars(ctx, "MARA", "x", []market.Bar{{Day: d(9).In(time.FixedZone("EST", -5*3600)), Close: 19}}); err != nil {
		t.Errorf("midnight UTC in EST: %v", err)
	}
	// A metric and a symbol of the same name do not mix.
	mustAdd(t, s, obs("MARA", d(2), 1, "x"))
	if got, _ := s.Closes(ctx, "MARA", d(2), d(3)); len(got) != 0 {
		t.Errorf("closes picked up a metric: %v", got)
	}
}

func TestAligned(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	d := func(i int, h int) time.Time { return t0.AddDate(0, 0, i).Add(time.Duration(h) * time.Hour) }
	// Price every day but day 2; hashrate on days 0, 2, 3 (two points on
	// day 3); MARA closes on days 1, 2 and 5 (past the price data).
	for _, i := range []int{0, 1, 3, 4} {
		mustAdd(t, s, obs(market.PriceUSD, d(i, 12), float64(100+i), "kraken"))
	}
	mustAdd(t, s,
		obs(market.Hashrate, d(0, 6), 800, "m"),
		obs(market.Hashrate, d(2, 6), 820, "m"),
		obs(market.Hashrate, d(3, 1), 830, "m"),
		obs(market.Hashrate, d(3, 23), 840, "m"),
	)
	if err := s.AddBars(ctx, "MARA", "yahoo", []market.Bar{{Day: d(1, 0), Close: 20}, {Day: d(2, 0), Close: 21}, {Day: d(5, 0), Close: 25}}); err != nil {
		t.Fatal(err)
	}
	keys := []Key{MetricKey(market.PriceUSD), MetricKey(market.Hashrate), CloseKey("MARA"), MetricKey("never_stored"), MetricKey(market.PriceUSD)}
	grid, cols, err := s.Aligned(ctx, keys, d(0, 0), d(6, 0), Daily)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	wantGrid := []time.Time{d(0, 0), d(1, 0), d(2, 0), d(3, 0), d(4, 0), d(5, 0)}
	wantCols := [][]float64{
		{100, 101, nan, 103, 104, nan},
		{800, nan, 820, 835, nan, nan},
		{nan, 20, 21, nan, nan, 25},
		{nan, nan, nan, nan, nan, nan},
		{100, 101, nan, 103, 104, nan},
	}
	if fmt.Sprint(grid) != fmt.Sprint(wantGrid) {
		t.Fatalf("grid = %v, want %v", grid, wantGrid)
	}
	if fmt.Sprint(cols) != fmt.Sprint(wantCols) {
		t.Errorf("cols =\n%v\nwant\n%v", cols, wantCols)
	}
	// Hourly: the grid holds every hour anything has a value in.
	grid, cols, err = s.Aligned(ctx, keys[:3], d(2, 0), d(3, 2), Hourly)
	if err != nil {
		t.Fatal(err)
	}
	wantGrid = []time.Time{d(2, 0), d(2, 6), d(3, 1)}
	wantCols = [][]float64{{nan, nan, nan}, {nan, 820, 830}, {21, nan, nan}}
	if fmt.Sprint(grid) != fmt.Sprint(wantGrid) || fmt.Sprint(cols) != fmt.Sprint(wantCols) {
		t.Errorf("hourly: grid %v cols %v; want %v %v", grid, cols, wantGrid, wantCols)
	}
	// Nothing in range: empty grid, one empty column per key.
	grid, cols, err = s.Aligned(ctx, keys, d(10, 0), d(11, 0), Daily)
	if err != nil || len(grid) != 0 || len(cols) != len(keys) {
		t.Errorf("empty range: %v %v %v", grid, cols, err)
	}
	if _, _, err := s.Aligned(ctx, []Key{{}}, d(0, 0), d(1, 0), Daily); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty key: %v", err)
	}
	if _, _, err := s.Aligned(ctx, []Key{{Metric: "x", Symbol: "Y"}}, d(0, 0), d(1, 0), Daily); !errors.Is(err, ErrInvalid) {
		t.Errorf("key with both fields: %v", err)
	}
}

func TestLatestAndLastTime(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	if _, ok, err := s.Latest(ctx, market.Height); ok || err != nil {
		t.Errorf("Latest on empty = %v, %v", ok, err)
	}
	if _, ok, err := s.LastTime(ctx, MetricKey(market.Height)); ok || err != nil {
		t.Errorf("LastTime on empty = %v, %v", ok, err)
	}
	mustAdd(t, s, obs(market.Height, t0.Add(2*time.Minute), 900001, "a"), obs(market.Height, t0.Add(time.Minute), 900000, "a"))
	p, ok, err := s.Latest(ctx, market.Height)
	if err != nil || !ok || p.Value != 900001 || !p.At.Equal(t0.Add(2*time.Minute)) || p.N != 1 || p.Source != "a" {
		t.Errorf("Latest = %+v, %v, %v", p, ok, err)
	}
	last, ok, err := s.LastTime(ctx, MetricKey(market.Height))
	if err != nil || !ok || !last.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("LastTime = %v, %v, %v", last, ok, err)
	}
	if _, _, err := s.LastTime(ctx, Key{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("LastTime(empty key) = %v", err)
	}
}

// TestAccumOutOfOrder: buckets arriving out of order (chunks are read in
// key order, but nothing in SQL promises it) are sorted and combined.
func TestAccumOutOfOrder(t *testing.T) {
	src := &sources{names: []string{"", "a", "b"}, ranks: []int32{0, 1, 0}}
	a := accum{step: 10, sources: true}
	for _, e := range []entry{
		{t: 25, src: 1, v: 1, n: 1}, {t: 27, src: 1, v: 3, n: 1}, // bucket 20
		{t: 5, src: 2, v: 10, n: 2}, // bucket 0
		{t: 21, src: 2, v: 8, n: 2}, // bucket 20 again
	} {
		a.add(levelRaw, e)
	}
	a.add(levelDaily, entry{t: 20, src: 1, v: 100, n: 1})
	bs, counts := a.merged()
	if len(bs) != 2 || bs[0].t != 0 || bs[1].t != 20 {
		t.Fatalf("buckets %v", bs)
	}
	if got := bs[1].sum / float64(bs[1].n); bs[1].n != 5 || got != (1+3+16+100)/5.0 {
		t.Errorf("bucket 20: n %d mean %v", bs[1].n, got)
	}
	// Bucket 20: a has 3 observations, b 2.
	if got := topSource(counts[1], src); got != 1 {
		t.Errorf("main source of bucket 20: %d, want 1", got)
	}
	// A tie goes to the preferred source (b ranks 0).
	if got := topSource([]srcCount{{1, 2}, {2, 2}}, src); got != 2 {
		t.Errorf("tie: %d, want 2", got)
	}
}
