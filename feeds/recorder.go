package feeds

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// HistoryWriter stores observations and daily closes. The history store
// (*store.Store in feeds/store) implements it; feeds cannot name that type
// because the store package imports feeds.
type HistoryWriter interface {
	// Add stores observations in one transaction, keyed by (metric, time,
	// source): an identical one changes nothing, a different value for the
	// same key replaces the stored one.
	Add(ctx context.Context, obs ...market.Observation) error
	// AddBars stores daily closes of symbol (its current ticker) from
	// source, keyed by (symbol, day, source) in the same way.
	AddBars(ctx context.Context, symbol, source string, bars []market.Bar) error
}

// RecorderFlushTimeout bounds, in wall-clock time, the final write of the
// batches still pending when the recorder stops.
const RecorderFlushTimeout = 5 * time.Second

// RecorderStats counts what a Recorder did since it was created. All
// counts are of batches unless named otherwise.
type RecorderStats struct {
	// Received counts batches handed to OnBatch that carried observations
	// or closes (quote-only batches are not stored and not counted).
	Received int `json:"received"`
	// Pending is how many wait to be written now (at most the buffer size).
	Pending int `json:"pending"`
	// Dropped counts batches never written: the oldest pending one when a
	// new one arrived to a full buffer, and any arriving after Close.
	Dropped int `json:"dropped"`
	// Written counts batches stored completely; Failed those of which a
	// write failed (LastError says why).
	Written int `json:"written"`
	Failed  int `json:"failed"`
	// Observations and Bars count the values stored (observations, and
	// daily closes).
	Observations int `json:"observations"`
	Bars         int `json:"bars"`
	// Invalid counts values skipped before writing because the store would
	// refuse them (no time or source, a non-finite value, a bar whose day
	// is not midnight UTC or whose close is not positive).
	Invalid   int    `json:"invalid"`
	LastError string `json:"last_error,omitempty"`
	// Failing is set while history is not being saved: the last write
	// failed (disk full, read-only, locked). The next write that succeeds
	// clears it; LastError keeps the last failure for the record.
	Failing bool `json:"failing"`
}

// Recorder writes what the poller delivers to the history store. OnBatch
// (for PollerOptions.OnBatch) only queues; Run, on its own goroutine,
// writes. A Recorder is safe for concurrent use.
//
// Ordering guarantee. The store keeps one entry per (metric, time, source)
// — (symbol, day, source) for closes — and never drops another source's
// entry or another time's. Every observation is written at the time it
// refers to, so an observation older than one already stored can never
// overwrite it: it lands at its own, older time beside it, and queries and
// Latest order by time. The only replacement the store makes is of the same
// (metric, time, source) by a different value, which it takes as the
// source's correction; the recorder writes batches from one goroutine in
// the order OnBatch received them, so for such a key the value delivered
// last is the one kept. When the buffer is full the oldest pending batch is
// dropped, never the newest. Which source wins between sources at the same
// time is decided when reading (store.Options.SourceOrder), not here.
type Recorder struct {
	w   HistoryWriter
	buf int

	mu      sync.Mutex
	queue   []recorded // FIFO of pending batches, len ≤ buf
	closed  bool
	running bool
	done    chan struct{} // closed when the current Run returns
	stats   RecorderStats

	wake chan struct{} // capacity 1: a batch is pending
	stop chan struct{} // closed by Close
	once sync.Once

	notify func(RecorderStats) // see Notify
}

// Notify sets f to be called, from Run's goroutine, each time writing
// starts failing or recovers (RecorderStats.Failing flips), so that the
// screen can say "history not saved" once and clear it. Call it before Run.
func (r *Recorder) Notify(f func(RecorderStats)) {
	r.mu.Lock()
	r.notify = f
	r.mu.Unlock()
}

// recorded is one queued batch.
type recorded struct {
	group, provider string
	obs             []market.Observation
	hist            []market.History
}

// NewRecorder returns a recorder writing to w (a *store.Store) that keeps
// at most buf batches pending (at least 1; 64 when buf ≤ 0, about an hour
// of every group's polls).
func NewRecorder(w HistoryWriter, buf int) *Recorder {
	if buf <= 0 {
		buf = 64
	}
	return &Recorder{w: w, buf: buf, wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// OnBatch queues a batch for writing and returns at once: it never blocks
// on the store. When buf batches are already pending the oldest is dropped
// and counted. Its signature is that of PollerOptions.OnBatch. The batch's
// observation and history slices are copied; the bars they point to are
// not, and must not be modified afterwards (the poller does not).
func (r *Recorder) OnBatch(group, provider string, b market.Batch) {
	if len(b.Obs) == 0 && len(b.Histories) == 0 {
		return
	}
	item := recorded{group: group, provider: provider,
		obs: append([]market.Observation(nil), b.Obs...), hist: append([]market.History(nil), b.Histories...)}
	r.mu.Lock()
	r.stats.Received++
	if r.closed {
		r.stats.Dropped++
		r.mu.Unlock()
		return
	}
	if len(r.queue) >= r.buf {
		r.queue[0] = recorded{}
		r.queue = r.queue[1:]
		r.stats.Dropped++
	}
	r.queue = append(r.queue, item)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counts so far.
func (r *Recorder) Stats() RecorderStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Pending = len(r.queue)
	return s
}

// Run writes queued batches, in the order they arrived, until ctx is done
// or Close is called; it then writes what is still pending (for at most
// RecorderFlushTimeout) and returns ctx's error, or nil after Close. A
// failed write is counted (Stats) and the next batch is written; the failed
// batch is not retried. Run must not be called while another Run is running.
func (r *Recorder) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return errors.New("recorder: Run is already running")
	}
	r.running = true
	done := make(chan struct{})
	r.done = done
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
		close(done)
	}()
	for {
		r.drain(ctx)
		select {
		case <-ctx.Done():
			r.flush(ctx)
			return ctx.Err()
		case <-r.stop:
			r.flush(ctx)
			return nil
		case <-r.wake:
		}
	}
}

// Close stops accepting batches (later ones are counted as dropped) and,
// when Run is running, waits until it has written what was pending and
// returned. When Run is not running, pending batches stay queued: a Run
// started later writes them and returns. Closing twice is harmless. It
// returns nil: write failures are in Stats.
func (r *Recorder) Close() error {
	r.once.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		close(r.stop)
	})
	r.mu.Lock()
	running, done := r.running, r.done
	r.mu.Unlock()
	if running {
		<-done
	}
	return nil
}

// flush writes what is pending with a context that outlives ctx by at most
// RecorderFlushTimeout.
func (r *Recorder) flush(ctx context.Context) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RecorderFlushTimeout)
	defer cancel()
	r.drain(fctx)
}

// drain writes pending batches one by one until none is left or ctx ends.
func (r *Recorder) drain(ctx context.Context) {
	for ctx.Err() == nil {
		r.mu.Lock()
		if len(r.queue) == 0 {
			r.mu.Unlock()
			return
		}
		item := r.queue[0]
		r.queue[0] = recorded{}
		r.queue = r.queue[1:]
		r.mu.Unlock()
		r.write(ctx, item)
	}
}

// write stores one batch: its valid observations in one transaction, then
// each history's valid bars in one transaction each.
func (r *Recorder) write(ctx context.Context, it recorded) {
	obs := make([]market.Observation, 0, len(it.obs))
	invalid := 0
	for _, o := range it.obs {
		if o.Metric == "" || o.Source == "" || o.At.IsZero() || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			invalid++
			continue
		}
		obs = append(obs, o)
	}
	var errs []error
	nObs, nBars := 0, 0
	if len(obs) > 0 {
		if err := r.w.Add(ctx, obs...); err != nil {
			errs = append(errs, err)
		} else {
			nObs = len(obs)
		}
	}
	for _, h := range it.hist {
		bars := make([]market.Bar, 0, len(h.Bars))
		for _, b := range h.Bars {
			d := b.Day.UTC()
			if b.Day.IsZero() || !d.Equal(market.UTCDay(d)) || !(b.Close > 0) || math.IsInf(b.Close, 0) {
				invalid++
				continue
			}
			bars = append(bars, b)
		}
		if len(bars) == 0 {
			continue
		}
		if h.Symbol == "" || h.Source == "" {
			invalid += len(bars)
			continue
		}
		if err := r.w.AddBars(ctx, h.Symbol, h.Source, bars); err != nil {
			errs = append(errs, err)
		} else {
			nBars += len(bars)
		}
	}
	r.mu.Lock()
	r.stats.Invalid += invalid
	r.stats.Observations += nObs
	r.stats.Bars += nBars
	was := r.stats.Failing
	if err := errors.Join(errs...); err != nil {
		r.stats.Failed++
		r.stats.LastError = provider.Clip(it.provider+": "+err.Error(), 300)
		r.stats.Failing = true
	} else {
		r.stats.Written++
		r.stats.Failing = false
	}
	stats, notify := r.stats, r.notify
	r.mu.Unlock()
	if notify != nil && stats.Failing != was {
		stats.Pending = 0 // not tracked here; Stats has it
		notify(stats)
	}
}
