package feeds_test

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/feeds/store"
)

// closesProvider is a provider that delivers a fixed daily-close history
// (no provider of the default groups emits histories yet).
type closesProvider struct{ h market.History }

func (p closesProvider) Name() string { return "test closes" }

func (p closesProvider) Fetch(context.Context) (market.Batch, error) {
	return market.Batch{Histories: []market.History{p.h}}, nil
}

// runRecorder starts rec.Run and returns a function that closes the
// recorder and returns Run's result.
func runRecorder(t *testing.T, rec *feeds.Recorder, ctx context.Context) func() error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- rec.Run(ctx) }()
	return func() error {
		rec.Close()
		select {
		case err := <-errc:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after Close")
			return nil
		}
	}
}

func TestRecorderWritesWhatThePollerDelivered(t *testing.T) {
	st := openStore(t)
	r := fixture.NewReplay(t, map[string]string{
		"/api/v1/difficulty-adjustment": "mempool/difficulty-adjustment",
		"/api/blocks/tip/height":        "mempool/tip-height",
		"/api/v1/mining/hashrate/3d":    "mempool/hashrate-3d",
	})
	keel := market.History{Symbol: "KEEL", Source: "yahoo", Bars: []market.Bar{
		{Day: bfDay(1, 12), Close: 2.22}, {Day: bfDay(1, 13), Close: 2.19}, {Day: bfDay(1, 14), Close: 2.25},
	}}
	rec := feeds.NewRecorder(st, 8)
	hub := feeds.NewHub(nil)
	poller, err := feeds.NewPoller(hub, []feeds.Group{
		{Name: "network", Providers: []market.Provider{provider.NewMempoolNetwork(r.URL, provider.HTTPOptions{})}},
		{Name: "closes", Providers: []market.Provider{closesProvider{keel}}},
	}, feeds.PollerOptions{OnBatch: rec.OnBatch})
	if err != nil {
		t.Fatal(err)
	}
	stop := runRecorder(t, rec, context.Background())
	poller.Poll(context.Background())
	if err := stop(); err != nil {
		t.Fatalf("Run after Close: %v", err)
	}

	// Every value the poller accepted is in the store, at the time it
	// refers to and from its source.
	state := hub.Current()
	if len(state.Values) != 7 {
		t.Fatalf("the poller has %d values, want 7: %v", len(state.Values), state.Values)
	}
	ctx := context.Background()
	for m, v := range state.Values {
		p, ok, err := st.Latest(ctx, m)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", m, ok, err)
		}
		if !p.At.Equal(v.At) || p.Value != v.V || p.Source != v.Source {
			t.Errorf("%s stored %v %v %q, the poller had %v %v %q", m, p.At, p.Value, p.Source, v.At, v.V, v.Source)
		}
	}
	bars, err := st.Closes(ctx, "KEEL", bfDay(1, 1), bfDay(2, 1))
	if err != nil || len(bars) != 3 || bars[2].Close != 2.25 || !bars[2].Day.Equal(bfDay(1, 14)) {
		t.Errorf("KEEL closes: %v %v", bars, err)
	}
	s := rec.Stats()
	if s.Received != 2 || s.Written != 2 || s.Dropped != 0 || s.Failed != 0 || s.Observations != 7 || s.Bars != 3 || s.Pending != 0 {
		t.Errorf("stats: %+v", s)
	}
}

// priceBatch is a batch with one BTC price observation.
func priceBatch(at time.Time, v float64) market.Batch {
	return market.Batch{Obs: []market.Observation{{Metric: market.PriceUSD, Value: v, At: at, Source: "kraken"}}}
}

func TestRecorderDropsTheOldestWhenFull(t *testing.T) {
	st := openStore(t)
	rec := feeds.NewRecorder(st, 3)
	// Run is not started: nothing drains the buffer.
	for i := range 5 {
		rec.OnBatch("price", "kraken", priceBatch(bfT0().Add(time.Duration(i)*time.Minute), float64(100+i)))
	}
	rec.OnBatch("equities", "yahoo", market.Batch{Quotes: []market.Quote{{Symbol: "IREN", Price: 44}}}) // nothing to store
	if s := rec.Stats(); s.Received != 5 || s.Dropped != 2 || s.Pending != 3 {
		t.Fatalf("stats before Run: %+v", s)
	}
	if err := runRecorder(t, rec, context.Background())(); err != nil {
		t.Fatal(err)
	}
	pts := series(t, st, market.PriceUSD, bfT0(), bfT0().Add(time.Hour), store.Raw)
	if len(pts) != 3 || pts[0].Value != 102 || pts[2].Value != 104 {
		t.Errorf("stored %v, want the three newest (102, 103, 104)", pts)
	}
	// After Close, batches are dropped, not queued.
	rec.OnBatch("price", "kraken", priceBatch(bfT0().Add(time.Hour), 1))
	if s := rec.Stats(); s.Dropped != 3 || s.Written != 3 || s.Pending != 0 {
		t.Errorf("stats after Close: %+v", s)
	}
}

func TestRecorderNeverReplacesNewerWithOlder(t *testing.T) {
	st := openStore(t)
	rec := feeds.NewRecorder(st, 16)
	stop := runRecorder(t, rec, context.Background())
	t1, t2 := bfT0(), bfT0().Add(time.Minute)
	rec.OnBatch("price", "kraken", priceBatch(t2, 200)) // newer first
	rec.OnBatch("price", "kraken", priceBatch(t1, 100)) // an older point arrives late
	rec.OnBatch("price", "kraken", priceBatch(t2, 201)) // the source corrects t2
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	p, ok, err := st.Latest(context.Background(), market.PriceUSD)
	if err != nil || !ok || !p.At.Equal(t2) || p.Value != 201 {
		t.Errorf("latest %v %v %v, want 201 at %v", p, ok, err, t2)
	}
	pts := series(t, st, market.PriceUSD, t1, t2.Add(time.Second), store.Raw)
	if len(pts) != 2 || pts[0].Value != 100 || pts[1].Value != 201 {
		t.Errorf("stored %v, want 100 at t1 and 201 at t2", pts)
	}
}

// slowWriter blocks every write until release is closed.
type slowWriter struct {
	release chan struct{}
	mu      sync.Mutex
	writes  int
}

func (w *slowWriter) Add(ctx context.Context, obs ...market.Observation) error {
	select {
	case <-w.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	w.mu.Lock()
	w.writes++
	w.mu.Unlock()
	return nil
}

func (w *slowWriter) AddBars(ctx context.Context, symbol, source string, bars []market.Bar) error {
	return w.Add(ctx)
}

func TestRecorderOnBatchNeverBlocks(t *testing.T) {
	w := &slowWriter{release: make(chan struct{})}
	rec := feeds.NewRecorder(w, 4)
	stop := runRecorder(t, rec, context.Background())
	rec.OnBatch("price", "kraken", priceBatch(bfT0(), 1))
	for rec.Stats().Pending != 0 { // Run has taken it and is stuck writing it
		time.Sleep(time.Millisecond)
	}
	began := time.Now()
	for i := range 100 {
		rec.OnBatch("price", "kraken", priceBatch(bfT0().Add(time.Duration(i+1)*time.Second), float64(i)))
	}
	if d := time.Since(began); d > 100*time.Millisecond {
		t.Errorf("100 OnBatch calls took %s while the store was stuck", d)
	}
	if s := rec.Stats(); s.Pending != 4 || s.Dropped != 96 || s.Received != 101 {
		t.Errorf("stats while stuck: %+v", s)
	}
	close(w.release)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s := rec.Stats(); s.Written != 5 || s.Pending != 0 || w.writes != 5 {
		t.Errorf("stats after release: %+v, %d writes", s, w.writes)
	}
}

func TestRecorderSkipsInvalidValuesAndCountsFailures(t *testing.T) {
	st := openStore(t)
	rec := feeds.NewRecorder(st, 8)
	rec.OnBatch("price", "kraken", market.Batch{
		Obs: []market.Observation{
			{Metric: market.PriceUSD, Value: 96000, At: bfT0(), Source: "kraken"},
			{Metric: market.PriceUSD, Value: 1, Source: "kraken"},                      // no time
			{Metric: market.PriceUSD, Value: math.NaN(), At: bfT0(), Source: "kraken"}, // not finite
		},
		Histories: []market.History{{Symbol: "IREN", Source: "yahoo", Bars: []market.Bar{
			{Day: bfDay(1, 14), Close: 44.1},
			{Day: bfDay(1, 15).Add(14 * time.Hour), Close: 44.8}, // not midnight UTC
		}}},
	})
	if err := runRecorder(t, rec, context.Background())(); err != nil {
		t.Fatal(err)
	}
	if s := rec.Stats(); s.Written != 1 || s.Invalid != 3 || s.Observations != 1 || s.Bars != 1 || s.Failed != 0 {
		t.Errorf("stats: %+v", s)
	}

	// A store that fails: the batch is counted as failed, the recorder goes on.
	st2 := openStore(t)
	st2.Close()
	rec = feeds.NewRecorder(st2, 8)
	rec.OnBatch("price", "kraken", priceBatch(bfT0(), 1))
	rec.OnBatch("price", "kraken", priceBatch(bfT0().Add(time.Second), 2))
	if err := runRecorder(t, rec, context.Background())(); err != nil {
		t.Fatal(err)
	}
	if s := rec.Stats(); s.Failed != 2 || s.Written != 0 || s.LastError == "" {
		t.Errorf("stats with a closed store: %+v", s)
	}
}

func TestRecorderFlushesWhenItsContextEnds(t *testing.T) {
	st := openStore(t)
	rec := feeds.NewRecorder(st, 8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec.OnBatch("price", "kraken", priceBatch(bfT0(), 96000))
	if err := rec.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if _, ok, _ := st.Latest(context.Background(), market.PriceUSD); !ok {
		t.Error("the pending batch was not written when Run stopped")
	}
	// Run may run again, but not twice at once: of two concurrent calls
	// one is refused at once, the other runs until Close.
	errc := make(chan error, 2)
	for range 2 {
		go func() { errc <- rec.Run(context.Background()) }()
	}
	first := <-errc
	if first == nil {
		t.Fatal("a second concurrent Run was accepted")
	}
	rec.Close()
	if err := <-errc; err != nil {
		t.Errorf("the running Run returned %v after Close", err)
	}
}

// BenchmarkRecorderOnBatch measures what OnBatch costs the polling
// goroutine: a copy and a queue operation (the buffer is full, so each call
// also drops one).
func BenchmarkRecorderOnBatch(b *testing.B) {
	rec := feeds.NewRecorder(&slowWriter{release: make(chan struct{})}, 64)
	batch := market.Batch{Obs: make([]market.Observation, 6)}
	for i := range batch.Obs {
		batch.Obs[i] = market.Observation{Metric: market.Hashrate, Value: 1000, At: bfT0(), Source: "mempool.space"}
	}
	b.ReportAllocs()
	for b.Loop() {
		rec.OnBatch("network", "mempool.space network", batch)
	}
}

// BenchmarkRecorderWrite measures storing one network poll (six
// observations) through OnBatch and Run into a store on disk, end to end:
// each iteration waits until the batch is written.
func BenchmarkRecorderWrite(b *testing.B) {
	st, err := store.Open(b.TempDir()+"/history.db", store.Options{SkipIntegrityCheck: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rec := feeds.NewRecorder(st, 64)
	errc := make(chan error, 1)
	go func() { errc <- rec.Run(context.Background()) }()
	metrics := []market.Metric{market.Height, market.Difficulty, market.EpochStart, market.MeanBlockTime, market.AdjustmentPct, market.Hashrate}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		at := bfT0().Add(time.Duration(i) * time.Minute)
		batch := market.Batch{}
		for _, m := range metrics {
			batch.Obs = append(batch.Obs, market.Observation{Metric: m, Value: 1 + float64(i%100), At: at, Source: "mempool.space"})
		}
		rec.OnBatch("network", "mempool.space network", batch)
		i++
		for rec.Stats().Written+rec.Stats().Failed < i {
			runtime.Gosched()
		}
	}
	rec.Close()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	if s := rec.Stats(); s.Written != i || s.Failed != 0 {
		b.Fatalf("stats %+v after %d batches", s, i)
	}
}

// diskWriter fails every write while full is set, like a full disk.
type diskWriter struct {
	mu   sync.Mutex
	full bool
}

func (w *diskWriter) Add(context.Context, ...market.Observation) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.full {
		return errors.New("database or disk is full")
	}
	return nil
}

func (w *diskWriter) AddBars(ctx context.Context, _, _ string, _ []market.Bar) error {
	return w.Add(ctx)
}

// Issue 13 row 5: a history directory on a full disk said nothing. The
// recorder now tells once when writes start failing and once when they
// recover, with the reason.
func TestRecorderTellsWhenHistoryIsNotSaved(t *testing.T) {
	w := &diskWriter{full: true}
	rec := feeds.NewRecorder(w, 8)
	var mu sync.Mutex
	var told []feeds.RecorderStats
	rec.Notify(func(s feeds.RecorderStats) {
		mu.Lock()
		told = append(told, s)
		mu.Unlock()
	})
	stop := runRecorder(t, rec, context.Background())
	// waitFor waits until n batches have been handled (written or failed).
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			if s := rec.Stats(); s.Written+s.Failed >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("stats %+v", rec.Stats())
			}
		}
	}
	for i := range 3 { // three failing writes: one notice
		rec.OnBatch("price", "kraken", priceBatch(bfT0().Add(time.Duration(i)*time.Second), 1))
		waitFor(i + 1)
	}
	w.mu.Lock()
	w.full = false
	w.mu.Unlock()
	for i := range 2 { // two good writes: one notice
		rec.OnBatch("price", "kraken", priceBatch(bfT0().Add(time.Minute+time.Duration(i)*time.Second), 1))
		waitFor(4 + i)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 2 || !told[0].Failing || !strings.Contains(told[0].LastError, "disk is full") || told[1].Failing {
		t.Errorf("notices %+v, want one failing (disk full) then one recovered", told)
	}
	if s := rec.Stats(); s.Failing || s.Failed != 3 || s.Written != 2 {
		t.Errorf("stats %+v", s)
	}
}
