package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// KeyedStore is the history store as Backfill uses it: writes, and the
// time of the newest value stored under a key of the store's own key type
// K. *store.Store implements KeyedStore[store.Key] (feeds cannot name the
// store's types: the store package imports feeds).
type KeyedStore[K any] interface {
	HistoryWriter
	// LastTime returns the time of the newest value stored for key, from
	// any source, and false when there is none.
	LastTime(ctx context.Context, key K) (time.Time, bool, error)
}

// BackfillCheckpointPrefix begins the name of the metrics under which
// Backfill records that it completed a key: "backfill:network",
// "backfill:fees", "backfill:price", "backfill:close:IREN". One checkpoint
// observation is written per completed key and run, at the run's start
// time, with Source BackfillSource and as Value the number of values that
// run stored for the key (a count). Charts should ignore these metrics.
//
// Resuming reads the checkpoints, not the data: the recorder stores a live
// hashrate, difficulty, fee and price every minute, so the newest data point
// of those metrics says nothing about whether their history was fetched.
const BackfillCheckpointPrefix = "backfill:"

// BackfillSource is the Source of checkpoint observations.
const BackfillSource = "hashdeck backfill"

// Backfill defaults; BackfillOptions fields left zero take these.
const (
	// DefaultBackfillInterval is the time between two runs: a day.
	DefaultBackfillInterval = 24 * time.Hour
	// DefaultBackfillRetryInterval is the time until the next run after a
	// run in which a key failed: an hour.
	DefaultBackfillRetryInterval = time.Hour
	// DefaultBackfillFreshAge is how recently a key must have been
	// completed to be skipped: a day.
	DefaultBackfillFreshAge = 24 * time.Hour
	// DefaultMempoolGap is the pause between two requests to mempool.space: 1 s.
	DefaultMempoolGap = time.Second
	// DefaultStockGap is the pause between two requests to Yahoo, and
	// between two requests to Nasdaq: 2 s.
	DefaultStockGap = 2 * time.Second
	// DefaultBackfillAttempts is how many times a key's request is tried
	// in one run when the upstream asks to retry (Retry-After): 3.
	DefaultBackfillAttempts = 3
	// DefaultBackfillMaxRetryWait is the longest Retry-After a run waits
	// for; a key asked to wait longer fails this run: 5 min.
	DefaultBackfillMaxRetryWait = 5 * time.Minute
	// DefaultBackfillTimeout bounds one history request: 60 s (the price
	// history is several MiB).
	DefaultBackfillTimeout = time.Minute
)

// backfillMaxErrors caps BackfillProgress.Errors.
const backfillMaxErrors = 50

// BackfillOptions configure a Backfill. Zero values take the defaults.
type BackfillOptions struct {
	// Endpoints gives the base URLs of mempool.space, Yahoo and Nasdaq
	// (the others are not used).
	Endpoints provider.Endpoints
	// Symbols are the peers whose daily closes are fetched, under their
	// current tickers (KEEL, not BITF).
	Symbols market.Symbols
	// Interval is the time between runs (DefaultBackfillInterval);
	// RetryInterval replaces it after a run in which a key failed
	// (DefaultBackfillRetryInterval).
	Interval, RetryInterval time.Duration
	// FreshAge: a key completed less than FreshAge before a run starts is
	// skipped without a request (DefaultBackfillFreshAge).
	FreshAge time.Duration
	// MempoolGap, YahooGap and NasdaqGap are the pauses between two
	// requests to each upstream (DefaultMempoolGap, DefaultStockGap); a
	// negative value means no pause. Requests to one host never overlap;
	// upstreams that share a host share the longest of their gaps.
	MempoolGap, YahooGap, NasdaqGap time.Duration
	// MaxAttempts is how many times one key's request is tried in a run
	// when the upstream answers with a Retry-After (DefaultBackfillAttempts).
	MaxAttempts int
	// MaxRetryWait is the longest Retry-After waited for within a run
	// (DefaultBackfillMaxRetryWait); only the key that was told to wait
	// waits, the others go on.
	MaxRetryWait time.Duration
	// Timeout bounds each request (DefaultBackfillTimeout).
	Timeout time.Duration
	// Now is the clock that dates checkpoints and windows and spaces the
	// requests to a host (time.Now); Sleep waits between runs, for a
	// host's gap and for a Retry-After (provider.SleepCtx). Tests inject
	// both to run the schedule without waiting.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives a line per failed key and per refused value (discard).
	Logger *slog.Logger
}

func (o *BackfillOptions) defaults() {
	if o.Interval <= 0 {
		o.Interval = DefaultBackfillInterval
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = DefaultBackfillRetryInterval
	}
	if o.FreshAge <= 0 {
		o.FreshAge = DefaultBackfillFreshAge
	}
	gap := func(d *time.Duration, def time.Duration) {
		switch {
		case *d == 0:
			*d = def
		case *d < 0:
			*d = 0
		}
	}
	gap(&o.MempoolGap, DefaultMempoolGap)
	gap(&o.YahooGap, DefaultStockGap)
	gap(&o.NasdaqGap, DefaultStockGap)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultBackfillAttempts
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = DefaultBackfillMaxRetryWait
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultBackfillTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = provider.SleepCtx
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// BackfillProgress is the state of a backfill run, as a value a UI can
// show. Keys are "network" (hashrate and difficulty), "fees", "price" and
// "close SYM" per peer.
type BackfillProgress struct {
	// Done counts keys finished in this run (fetched, skipped or failed)
	// out of Total; Skipped counts those skipped because fresh.
	Done, Total int
	Skipped     int
	// Current names the keys whose request is in flight, comma-separated
	// ("" between requests).
	Current string
	// Errors holds one line per failed key ("close IREN: …"), at most 50.
	Errors []string
	// Finished is set when the run is over (all keys done, or ctx ended).
	Finished bool
	// Started and Updated are when the run began and when this value was
	// published (Backfill's clock); Next is when the next run is due, once
	// the periodic loop has scheduled it (zero otherwise).
	Started, Updated, Next time.Time
}

// clone returns p with its own Errors slice.
func (p BackfillProgress) Clone() BackfillProgress {
	p.Errors = append([]string(nil), p.Errors...)
	return p
}

// Backfill fills the history store from upstream history endpoints: at
// start and then once a day (Run), or once (RunOnce). Per run it handles
// these keys, each independently (one failing does not stop the others):
//
//	network      mempool.space /api/v1/mining/hashrate/{interval}: daily
//	             Hashrate (EH/s, midnight UTC) and Difficulty per retarget
//	fees         mempool.space /api/v1/mining/blocks/fees/{interval}: daily
//	             mean FeesPerBlock (BTC per block, midnight UTC)
//	price        mempool.space /api/v1/historical-price: daily PriceUSD
//	             (USD per BTC, the day's last point, midnight UTC); days it
//	             lacks (or all, when it answers with no data) come from the
//	             fees answer's USD field
//	close SYM    Yahoo /v8/finance/chart/SYM?range=…&interval=1d, else
//	             Nasdaq /api/quote/SYM/historical: daily closes (USD)
//	             stored with AddBars under the current ticker
//
// Resuming: a key whose checkpoint (see BackfillCheckpointPrefix) is
// younger than FreshAge is skipped with no request. A key never completed
// is fetched cold: 3 years for network and fees (interval 3y), price days
// from 3 years back, 1 year of closes (range 1y). A key completed before
// is fetched from the day before its checkpoint's day: the shortest
// interval (1w 1m 3m 6m 1y 2y 3y) or range (5d 1mo 3mo 6mo 1y 2y 5y) that
// covers it, and only values from that day on are written (the
// historical-price endpoint has no window: it is fetched whole and cut).
// Older stored values are never rewritten by a resumed run.
//
// Rate limits: requests to one host go one at a time with a pause between
// them (MempoolGap, YahooGap, NasdaqGap); an answer with Retry-After (an
// HTTP 429, a 503, or an in-band throttle) makes that key, and only that
// key, wait and try again (MaxAttempts, MaxRetryWait), while the other keys
// go on. A 429 without Retry-After fails the key for this run (a close then
// falls back to Nasdaq); the next run comes after RetryInterval.
//
// Progress is published on a channel that never blocks the backfill: it
// holds the latest value only (Progress, Latest).
type Backfill struct {
	o      BackfillOptions
	w      HistoryWriter
	last   func(context.Context, market.Metric) (time.Time, bool, error)
	mp     *provider.HTTPClient
	yahoo  market.HistoryProvider
	nasdaq market.HistoryProvider
	// Pacers by upstream; two share one when their hosts are the same.
	mempoolPace, yahooPace, nasdaqPace *hostPacer

	runMu sync.Mutex // one run at a time

	mu       sync.Mutex // guards prog, active
	prog     BackfillProgress
	active   []string
	progress chan BackfillProgress
}

// NewBackfill returns a backfill writing to st (a *store.Store) whose keys
// metricKey builds (store.MetricKey):
//
//	bf, err := feeds.NewBackfill(st, store.MetricKey, feeds.BackfillOptions{Endpoints: e, Symbols: syms})
//
// It makes no request until Run or RunOnce. It fails when an endpoint it
// uses is not a base URL.
func NewBackfill[K any](st KeyedStore[K], metricKey func(market.Metric) K, o BackfillOptions) (*Backfill, error) {
	if st == nil || metricKey == nil {
		return nil, errors.New("backfill: a store and its metric key function are required")
	}
	o.defaults()
	hosts := map[string]string{}
	for name, base := range map[string]string{"mempool": o.Endpoints.Mempool, "yahoo": o.Endpoints.Yahoo, "nasdaq": o.Endpoints.Nasdaq} {
		b, err := provider.ParseBaseURL(base)
		if err != nil {
			return nil, fmt.Errorf("backfill: %s endpoint: %w", name, err)
		}
		u, _ := url.Parse(b)
		hosts[name] = u.Host
	}
	// One pacer per host, with the longest gap of the upstreams on it.
	gaps := map[string]time.Duration{}
	for name, gap := range map[string]time.Duration{"mempool": o.MempoolGap, "yahoo": o.YahooGap, "nasdaq": o.NasdaqGap} {
		gaps[hosts[name]] = max(gaps[hosts[name]], gap)
	}
	pacers := map[string]*hostPacer{}
	for host, gap := range gaps {
		pacers[host] = &hostPacer{gap: gap, turn: make(chan struct{}, 1), now: o.Now, sleep: o.Sleep}
	}
	plain := provider.HTTPOptions{Timeout: o.Timeout, MaxBody: provider.HistoryMaxBody}
	browser := provider.HTTPOptions{Timeout: o.Timeout, UserAgent: provider.BrowserUserAgent}
	nq := provider.NewNasdaq(o.Endpoints.Nasdaq, o.Symbols, provider.HTTPOptions{Timeout: o.Timeout, UserAgent: provider.BrowserUserAgent, Now: o.Now})
	return &Backfill{
		o: o,
		w: st,
		last: func(ctx context.Context, m market.Metric) (time.Time, bool, error) {
			return st.LastTime(ctx, metricKey(m))
		},
		mp:          provider.NewHTTPClient(provider.MempoolSource, o.Endpoints.Mempool, plain),
		yahoo:       provider.NewYahooPaced(o.Endpoints.Yahoo, o.Symbols, browser, provider.DefaultYahooPacing()),
		nasdaq:      nq,
		mempoolPace: pacers[hosts["mempool"]],
		yahooPace:   pacers[hosts["yahoo"]],
		nasdaqPace:  pacers[hosts["nasdaq"]],
		progress:    make(chan BackfillProgress, 1),
	}, nil
}

// Progress returns the channel on which every change of progress is
// published. It holds at most one value, the latest: a reader that falls
// behind gets the newest state, never a queue, and the backfill never
// waits for it.
func (b *Backfill) Progress() <-chan BackfillProgress { return b.progress }

// Latest returns the current progress (the zero value before any run).
func (b *Backfill) Latest() BackfillProgress {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.prog.Clone()
}

// Run runs the backfill until ctx is done: a run now, then one every
// Interval (RetryInterval after a run with a failed key). It blocks, like
// Poller.Run; run it on a goroutine of its own.
func (b *Backfill) Run(ctx context.Context) {
	for {
		p := b.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := b.o.Interval
		if len(p.Errors) > 0 {
			wait = b.o.RetryInterval
		}
		next := b.o.Now().Add(wait)
		b.publish(func(p *BackfillProgress) { p.Next = next })
		if b.o.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// RunOnce runs every key once, on the calling goroutine (the keys'
// requests run concurrently, paced per host), and returns the final
// progress. Runs do not overlap: a second call waits for the first.
func (b *Backfill) RunOnce(ctx context.Context) BackfillProgress {
	b.runMu.Lock()
	defer b.runMu.Unlock()
	now := b.o.Now()
	jobs := b.jobs()
	b.mu.Lock()
	b.prog = BackfillProgress{Total: len(jobs), Started: now}
	b.active = nil
	b.mu.Unlock()
	b.publish(func(*BackfillProgress) {})
	run := &backfillRun{now: now, feesDone: make(chan struct{})}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { b.runJob(ctx, run, j) })
	}
	wg.Wait()
	b.publish(func(p *BackfillProgress) { p.Finished = true })
	return b.Latest()
}

// backfillRun is what the keys of one run share.
type backfillRun struct {
	now time.Time // the run's start: dates checkpoints and windows
	// feesDone is closed when the fees key is over; feesPrices then holds
	// the daily prices its answer carried (the price key's fallback).
	feesDone   chan struct{}
	feesPrices []market.Observation
}

// backfillJob is one key of a run.
type backfillJob struct {
	name  string // progress label and checkpoint suffix
	fetch func(ctx context.Context, run *backfillRun, w backfillWindow) (backfillResult, error)
}

// backfillWindow says what a key fetches: cold (never completed) or from
// since (midnight UTC) on.
type backfillWindow struct {
	cold  bool
	since time.Time
}

// backfillResult is what a key writes.
type backfillResult struct {
	obs  []market.Observation
	hist *market.History
}

// checkpoint returns the metric of job's checkpoint.
func (j backfillJob) checkpoint() market.Metric {
	return market.Metric(BackfillCheckpointPrefix + strings.ReplaceAll(j.name, " ", ":"))
}

// jobs returns the keys of a run, in display order.
func (b *Backfill) jobs() []backfillJob {
	jobs := []backfillJob{
		{name: "network", fetch: b.fetchNetwork},
		{name: "fees", fetch: b.fetchFees},
		{name: "price", fetch: b.fetchPrice},
	}
	for _, sym := range b.o.Symbols.List() {
		jobs = append(jobs, backfillJob{name: "close " + sym, fetch: func(ctx context.Context, run *backfillRun, w backfillWindow) (backfillResult, error) {
			return b.fetchCloses(ctx, run, w, sym)
		}})
	}
	return jobs
}

// runJob runs one key: reads its checkpoint, skips it when fresh, else
// fetches and writes its values and its new checkpoint.
func (b *Backfill) runJob(ctx context.Context, run *backfillRun, j backfillJob) {
	if j.name == "fees" {
		defer close(run.feesDone)
	}
	skipped, err := b.doJob(ctx, run, j)
	b.publish(func(p *BackfillProgress) {
		p.Done++
		if skipped {
			p.Skipped++
		}
		if err != nil && len(p.Errors) < backfillMaxErrors {
			p.Errors = append(p.Errors, provider.Clip(j.name+": "+err.Error(), 300))
		}
	})
	if err != nil {
		b.o.Logger.Warn("backfill failed", "key", j.name, "err", err)
	}
}

func (b *Backfill) doJob(ctx context.Context, run *backfillRun, j backfillJob) (skipped bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	cp := j.checkpoint()
	last, ok, err := b.last(ctx, cp)
	if err != nil {
		return false, fmt.Errorf("reading its checkpoint: %w", err)
	}
	if ok && run.now.Sub(last) < b.o.FreshAge {
		return true, nil
	}
	w := backfillWindow{cold: !ok}
	if ok {
		w.since = market.UTCDay(last).AddDate(0, 0, -1)
	}
	res, err := j.fetch(ctx, run, w)
	if err != nil {
		return false, err
	}
	n := len(res.obs)
	if res.hist != nil && len(res.hist.Bars) > 0 {
		if err := b.w.AddBars(ctx, res.hist.Symbol, res.hist.Source, res.hist.Bars); err != nil {
			return false, fmt.Errorf("storing closes: %w", err)
		}
		n += len(res.hist.Bars)
	}
	obs := append(res.obs, market.Observation{Metric: cp, Value: float64(n), At: run.now, Source: BackfillSource})
	if err := b.w.Add(ctx, obs...); err != nil {
		return false, fmt.Errorf("storing: %w", err)
	}
	return false, nil
}

// coldYears is how far back network, fees and price go on a first run.
const coldYears = 3

// mempoolInterval returns the interval a key of mempool.space fetches: 3y
// cold, else the shortest that reaches back to w.since.
func mempoolInterval(w backfillWindow, now time.Time) string {
	if w.cold {
		return "3y"
	}
	for _, c := range []struct {
		iv    string
		start time.Time
	}{
		{"1w", now.AddDate(0, 0, -7)},
		{"1m", now.AddDate(0, -1, 0)},
		{"3m", now.AddDate(0, -3, 0)},
		{"6m", now.AddDate(0, -6, 0)},
		{"1y", now.AddDate(-1, 0, 0)},
		{"2y", now.AddDate(-2, 0, 0)},
	} {
		if !c.start.After(w.since) {
			return c.iv
		}
	}
	return "3y"
}

// stockRange returns the Yahoo-style range a close key fetches: 1y cold,
// else the shortest that reaches back to w.since (5d counted as 4 calendar
// days: five sessions span at least that).
func stockRange(w backfillWindow, now time.Time) string {
	if w.cold {
		return "1y"
	}
	for _, c := range []struct {
		rng   string
		start time.Time
	}{
		{"5d", now.AddDate(0, 0, -4)},
		{"1mo", now.AddDate(0, -1, 0)},
		{"3mo", now.AddDate(0, -3, 0)},
		{"6mo", now.AddDate(0, -6, 0)},
		{"1y", now.AddDate(-1, 0, 0)},
		{"2y", now.AddDate(-2, 0, 0)},
	} {
		if !c.start.After(w.since) {
			return c.rng
		}
	}
	return "5y"
}

// keepSince returns the observations of metric m (any metric when m is "") at
// or after since.
func keepSince(obs []market.Observation, m market.Metric, since time.Time) []market.Observation {
	var out []market.Observation
	for _, o := range obs {
		if (m == "" || o.Metric == m) && !o.At.Before(since) {
			out = append(out, o)
		}
	}
	return out
}

// mempoolSince is the first day a mempool.space key writes: 3 years back
// when cold, else w.since.
func mempoolSince(w backfillWindow, now time.Time) time.Time {
	if w.cold {
		return market.UTCDay(now.AddDate(-coldYears, 0, 0))
	}
	return w.since
}

// logRejected logs the values an answer refused.
func (b *Backfill) logRejected(key string, rs []market.Rejection) {
	for _, r := range rs {
		b.o.Logger.Warn("backfill refused values", "key", key, "what", r.What, "reason", r.Reason)
	}
}

func (b *Backfill) fetchNetwork(ctx context.Context, run *backfillRun, w backfillWindow) (backfillResult, error) {
	iv := mempoolInterval(w, run.now)
	var batch market.Batch
	err := b.try(ctx, b.mempoolPace, "network", func(ctx context.Context) error {
		var err error
		batch, err = provider.FetchMempoolHashrateHistory(ctx, b.mp, iv)
		return err
	})
	b.logRejected("network", batch.Rejected)
	if err != nil {
		return backfillResult{}, err
	}
	return backfillResult{obs: keepSince(batch.Obs, "", mempoolSince(w, run.now))}, nil
}

func (b *Backfill) fetchFees(ctx context.Context, run *backfillRun, w backfillWindow) (backfillResult, error) {
	iv := mempoolInterval(w, run.now)
	var batch market.Batch
	err := b.try(ctx, b.mempoolPace, "fees", func(ctx context.Context) error {
		var err error
		batch, err = provider.FetchMempoolFeesHistory(ctx, b.mp, iv)
		return err
	})
	b.logRejected("fees", batch.Rejected)
	// The fees answer's prices are the price key's fallback, even when no
	// fee was usable (the error then concerns the fees only).
	run.feesPrices = keepSince(batch.Obs, market.PriceUSD, time.Time{})
	if err != nil {
		return backfillResult{}, err
	}
	return backfillResult{obs: keepSince(batch.Obs, market.FeesPerBlock, mempoolSince(w, run.now))}, nil
}

func (b *Backfill) fetchPrice(ctx context.Context, run *backfillRun, w backfillWindow) (backfillResult, error) {
	since := mempoolSince(w, run.now)
	var batch market.Batch
	err := b.try(ctx, b.mempoolPace, "price", func(ctx context.Context) error {
		var err error
		batch, err = provider.FetchMempoolPriceHistory(ctx, b.mp)
		return err
	})
	b.logRejected("price", batch.Rejected)
	prices := keepSince(batch.Obs, market.PriceUSD, since)
	// Days the price history lacks come from the fees answer, once the
	// fees key is over (its request goes first on the same host anyway).
	select {
	case <-run.feesDone:
	case <-ctx.Done():
		return backfillResult{}, ctx.Err()
	}
	have := map[int64]bool{}
	for _, o := range prices {
		have[o.At.Unix()] = true
	}
	filled := 0
	for _, o := range keepSince(run.feesPrices, market.PriceUSD, since) {
		if !have[o.At.Unix()] {
			prices = append(prices, o)
			filled++
		}
	}
	if err != nil && filled == 0 {
		return backfillResult{}, err
	}
	if err != nil {
		b.o.Logger.Info("backfill: BTC price history unavailable; used the fees answer's USD", "days", filled, "err", err)
	}
	return backfillResult{obs: prices}, nil
}

func (b *Backfill) fetchCloses(ctx context.Context, run *backfillRun, w backfillWindow, sym string) (backfillResult, error) {
	rng := stockRange(w, run.now)
	var h market.History
	errY := b.try(ctx, b.yahooPace, "close "+sym, func(ctx context.Context) error {
		var err error
		h, err = b.yahoo.FetchHistory(ctx, sym, rng)
		return err
	})
	if errY != nil {
		if ctx.Err() != nil {
			return backfillResult{}, errY
		}
		errN := b.try(ctx, b.nasdaqPace, "close "+sym, func(ctx context.Context) error {
			var err error
			h, err = b.nasdaq.FetchHistory(ctx, sym, rng)
			return err
		})
		if errN != nil {
			return backfillResult{}, fmt.Errorf("%w; nasdaq fallback: %w", errY, errN)
		}
		b.o.Logger.Info("backfill: closes from nasdaq", "symbol", sym, "yahoo_err", errY)
	}
	out := market.History{Symbol: b.o.Symbols.Canonical(sym), Source: h.Source}
	for _, bar := range h.Bars {
		if w.cold || !bar.Day.Before(w.since) {
			out.Bars = append(out.Bars, bar)
		}
	}
	return backfillResult{hist: &out}, nil
}

// try runs one request of key on pacer p, again after any Retry-After the
// upstream asks for (up to MaxAttempts tries, waits up to MaxRetryWait).
// The wait holds only this key: the host serves other keys meanwhile.
func (b *Backfill) try(ctx context.Context, p *hostPacer, key string, fn func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := p.do(ctx, func(ctx context.Context) error {
			b.setActive(key, true)
			defer b.setActive(key, false)
			return fn(ctx)
		})
		if err == nil || ctx.Err() != nil {
			return err
		}
		ra, ok := provider.RetryAfter(err)
		if !ok || attempt >= b.o.MaxAttempts {
			return err
		}
		if ra > b.o.MaxRetryWait {
			return fmt.Errorf("%w (not waiting %s here, longer than %s: the next run retries)", err, ra, b.o.MaxRetryWait)
		}
		b.o.Logger.Info("backfill: upstream asked to wait", "key", key, "retry_after", ra, "attempt", attempt)
		if err := b.o.Sleep(ctx, ra); err != nil {
			return err
		}
	}
}

// setActive adds key to, or removes it from, the keys in flight.
func (b *Backfill) setActive(key string, on bool) {
	b.mu.Lock()
	if on {
		b.active = append(b.active, key)
	} else {
		for i, k := range b.active {
			if k == key {
				b.active = append(b.active[:i], b.active[i+1:]...)
				break
			}
		}
	}
	b.mu.Unlock()
	b.publish(func(*BackfillProgress) {})
}

// publish applies change to the progress, stamps it and offers it on the
// progress channel, replacing any value not yet read.
func (b *Backfill) publish(change func(p *BackfillProgress)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	change(&b.prog)
	b.prog.Current = strings.Join(b.active, ", ")
	b.prog.Updated = b.o.Now()
	p := b.prog.Clone()
	// Every send happens under b.mu, so once the channel is drained the
	// send finds room; the default cases only guard against a future change.
	select {
	case <-b.progress:
	default:
	}
	select {
	case b.progress <- p:
	default:
	}
}

// hostPacer serialises requests to one host and spaces them by gap.
type hostPacer struct {
	gap   time.Duration
	turn  chan struct{} // capacity 1: holding a token is holding the host
	next  time.Time     // no request before; read and written only by the token holder
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// do waits for the host's turn and the gap since its last request, then
// runs fn.
func (p *hostPacer) do(ctx context.Context, fn func(context.Context) error) error {
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.turn }()
	if err := p.sleep(ctx, p.next.Sub(p.now())); err != nil {
		return err
	}
	err := fn(ctx)
	p.next = p.now().Add(p.gap)
	return err
}
