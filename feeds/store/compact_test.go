package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

func compact(t *testing.T, s *Store, now time.Time) Stats {
	t.Helper()
	st, err := s.Compact(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// levelCounts returns how many entries are stored at each level.
func levelCounts(t *testing.T, s *Store) [3]int {
	t.Helper()
	var c [3]int
	rows, err := s.r.Query(`SELECT level, start_ms, data FROM chunks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var level int
		var start int64
		var data []byte
		if err := rows.Scan(&level, &start, &data); err != nil {
			t.Fatal(err)
		}
		es, err := decodeChunk(nil, start, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			t.Errorf("empty chunk stored at level %d, %d", level, start)
		}
		if start != chunkStart(level, es[0].t) || chunkStart(level, es[len(es)-1].t) != start {
			t.Errorf("chunk at level %d, %d holds entries outside it", level, start)
		}
		c[level] += len(es)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return c
}

// dump returns every table's content as text.
func dump(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT series_id, level, start_ms, hex(data) FROM chunks ORDER BY 1, 2, 3`,
		`SELECT name, value, 0, '' FROM counters`,
		`SELECT id, kind, name, '' FROM series`,
		`SELECT id, name, 0, '' FROM sources`,
	} {
		rows, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b2, c, d string
			if err := rows.Scan(&a, &b2, &c, &d); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, a, b2, c, d)
		}
		rows.Close()
	}
	return b.String()
}

func entryCount(t *testing.T, s *Store) int {
	t.Helper()
	c := levelCounts(t, s)
	return c[0] + c[1] + c[2]
}

func TestCompactBoundaries(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	m := market.Hashrate
	now := time.Date(2026, 3, 10, 12, 34, 56, 0, time.UTC)
	rawCut := time.Date(2026, 2, 8, 12, 0, 0, 0, time.UTC)  // now − 30 days, down to the hour
	hourCut := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC) // now − 365 days, down to the day
	ms := time.Millisecond
	mustAdd(t, s,
		obs(m, rawCut.Add(-time.Hour), 3, "a"),         // rolled into hour 11:00 …
		obs(m, rawCut.Add(-ms), 1, "a"),                // … with this: mean 2
		obs(m, rawCut, 5, "a"),                         // kept raw
		obs(m, hourCut.Add(-23*time.Hour), 20, "a"),    // rolled to hourly, then daily …
		obs(m, hourCut.Add(-ms), 10, "a"),              // … with this: mean 15
		obs(m, hourCut, 30, "a"),                       // rolled to hourly, kept hourly
		obs(m, hourCut.Add(30*time.Minute), 99, "old"), // same time as the next, written first: loses
		obs(m, hourCut.Add(30*time.Minute), 40, "b"),   // same hour, another source: mean 35
	)
	st := compact(t, s, now)
	want := Stats{RawRolled: 7, HourlyWritten: 4, HourlyRolled: 2, DailyWritten: 1, RawBefore: rawCut, HourlyBefore: hourCut}
	if st != want {
		t.Errorf("Compact = %+v\nwant      %+v", st, want)
	}
	if got := levelCounts(t, s); got != [3]int{1, 2, 1} {
		t.Errorf("rows per level = %v, want [1 2 1]", got)
	}
	got := series(t, s, m, hourCut.AddDate(0, 0, -2), now, Raw)
	if want := "03-09T00:00:00.000=15/2/a 03-10T00:00:00.000=35/2/a 02-08T11:00:00.000=2/2/a 02-08T12:00:00.000=5/1/a"; got != want {
		t.Errorf("Raw over all levels =\n  %s\nwant\n  %s", got, want)
	}
	before := dump(t, s)
	if again := compact(t, s, now); again.RawRolled+again.HourlyWritten+again.HourlyRolled+again.DailyWritten != 0 {
		t.Errorf("second Compact did something: %+v", again)
	}
	if after := dump(t, s); after != before {
		t.Errorf("second Compact changed the database:\n%s\n%s", before, after)
	}
	// LastTime reports the newest observation rolled up, not the bucket.
	s.Add(ctx) // no-op
	m2 := market.Difficulty
	mustAdd(t, s, obs(m2, rawCut.Add(-40*time.Minute), 1, "a"), obs(m2, rawCut.Add(-25*time.Minute), 2, "a"))
	compact(t, s, now)
	last, ok, err := s.LastTime(ctx, MetricKey(m2))
	if err != nil || !ok || !last.Equal(rawCut.Add(-25*time.Minute)) {
		t.Errorf("LastTime after compaction = %v, %v, %v; want %v", last, ok, err, rawCut.Add(-25*time.Minute))
	}
	p, ok, err := s.Latest(ctx, m2)
	if err != nil || !ok || p.Value != 1.5 || p.N != 2 || !p.At.Equal(rawCut.Add(-time.Hour)) {
		t.Errorf("Latest after compaction = %+v, %v, %v", p, ok, err)
	}
	// Closes are never rolled.
	if err := s.AddBars(ctx, "CLSK", "y", []market.Bar{{Day: hourCut.AddDate(-3, 0, 0), Close: 9}}); err != nil {
		t.Fatal(err)
	}
	compact(t, s, now.AddDate(5, 0, 0))
	if bars, _ := s.Closes(ctx, "CLSK", hourCut.AddDate(-4, 0, 0), now); len(bars) != 1 || bars[0].Close != 9 {
		t.Errorf("closes after compaction: %v", bars)
	}
}

func TestCompactDisabled(t *testing.T) {
	s := openTest(t, Options{RawRetention: -1, HourlyRetention: -1})
	mustAdd(t, s, obs(market.Height, t0.AddDate(-3, 0, 0), 1, "a"))
	st := compact(t, s, t0)
	if st != (Stats{}) {
		t.Errorf("Compact with retention disabled = %+v", st)
	}
	s2 := openTest(t, Options{RawRetention: time.Hour, HourlyRetention: 48 * time.Hour})
	mustAdd(t, s2, obs(market.Height, t0.Add(-30*time.Hour), 1, "a"), obs(market.Height, t0.Add(-90*time.Minute), 2, "a"))
	compact(t, s2, t0)
	if got := levelCounts(t, s2); got != [3]int{0, 2, 0} {
		t.Errorf("short retention: rows per level %v, want [0 2 0]", got)
	}
}

// TestCompactPreservesAnswers fills 14 months of 20-minute data from two
// sources (overlapping at some times, so the source rule matters), compacts
// it in steps, with late observations arriving in between, and checks that
// hourly and daily answers never change.
func TestCompactPreservesAnswers(t *testing.T) {
	s := openTest(t, Options{SourceOrder: []string{"primary"}})
	ctx := context.Background()
	m := market.PriceUSD
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 14, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	var batch []market.Observation
	for at := start; at.Before(end); at = at.Add(20 * time.Minute) {
		batch = append(batch, obs(m, at, 50000+rng.Float64()*1000, "primary"))
		if rng.IntN(4) == 0 {
			batch = append(batch, obs(m, at, 1, "secondary")) // loses to primary
		}
		if rng.IntN(10) == 0 {
			batch = append(batch, obs(m, at.Add(7*time.Minute), 40000+rng.Float64()*1000, "secondary"))
		}
	}
	mustAdd(t, s, batch...)

	// Hourly answers are compared from hourFrom on: hours before the
	// hourly cutoff of the last Compact come back as whole days.
	hourFrom := end.AddDate(0, 1, 0).Add(-DefaultHourlyRetention)
	answers := func() (hourly, daily []Point) {
		var err error
		if hourly, err = s.Series(ctx, m, hourFrom, end, Hourly); err != nil {
			t.Fatal(err)
		}
		if daily, err = s.Series(ctx, m, start, end, Daily); err != nil {
			t.Fatal(err)
		}
		return hourly, daily
	}
	same := func(what string, a, b []Point) {
		t.Helper()
		if len(a) != len(b) {
			t.Fatalf("%s: %d points, then %d", what, len(a), len(b))
		}
		for i := range a {
			if !a[i].At.Equal(b[i].At) || a[i].N != b[i].N || math.Abs(a[i].Value-b[i].Value) > 1e-9*math.Abs(a[i].Value) {
				t.Fatalf("%s: point %d was %+v, now %+v", what, i, a[i], b[i])
			}
		}
	}
	h0, d0 := answers()
	st := compact(t, s, end)
	if st.RawRolled == 0 || st.HourlyRolled == 0 || st.DailyWritten == 0 {
		t.Fatalf("Compact did not roll both levels: %+v", st)
	}
	h1, d1 := answers()
	same("hourly after compaction", h0, h1)
	same("daily after compaction", d0, d1)
	lv := levelCounts(t, s)
	if lv[0] == 0 || lv[1] == 0 || lv[2] == 0 {
		t.Fatalf("expected rows at every level, got %v", lv)
	}

	// Late observations into buckets that are already rolled up.
	late := []market.Observation{
		obs(m, start.Add(10*time.Hour+5*time.Minute), 70000, "primary"),         // a daily bucket
		obs(m, end.AddDate(0, -6, 0).Add(3*time.Hour+1*time.Minute), 1, "late"), // an hourly bucket
	}
	mustAdd(t, s, late...)
	h2, d2 := answers()
	if d2[0].N != d1[0].N+1 {
		t.Errorf("late point not counted in the daily bucket before compaction: N %d → %d", d1[0].N, d2[0].N)
	}
	compact(t, s, end)
	h3, d3 := answers()
	same("hourly after compacting late points", h2, h3)
	same("daily after compacting late points", d2, d3)

	// A month later, more rolls; answers still hold.
	compact(t, s, end.AddDate(0, 1, 0))
	h4, d4 := answers()
	same("hourly a month later", h3, h4)
	same("daily a month later", d3, d4)
	if again := compact(t, s, end.AddDate(0, 1, 0)); again.RawRolled+again.HourlyRolled+again.HourlyWritten+again.DailyWritten != 0 {
		t.Errorf("repeat Compact changed something: %+v", again)
	}
}
