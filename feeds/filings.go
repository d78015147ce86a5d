package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/feeds/store"
)

// FilingsStore is the history store as Filings uses it: per SEC filer
// (by CIK), the state of its last fetch and the facts kept. *store.Store
// implements it.
type FilingsStore interface {
	FilingsState(ctx context.Context, cik int64) (store.FilingsState, bool, error)
	FilingFacts(ctx context.Context, cik int64) ([]store.FilingFact, error)
	PutFilings(ctx context.Context, st store.FilingsState, facts []store.FilingFact) error
	PutFilingsState(ctx context.Context, st store.FilingsState) error
}

// Filings defaults; FilingsOptions fields left zero take these.
const (
	// DefaultFilingsInterval is how often one filer's company facts are
	// fetched: once a day (filings come out quarterly; the SEC rebuilds
	// the file when one does).
	DefaultFilingsInterval = 24 * time.Hour
	// DefaultFilingsRetryInterval is the wait after a failed attempt
	// before that filer is tried again.
	DefaultFilingsRetryInterval = time.Hour
	// DefaultFilingsThrottleWait is how long every SEC request waits
	// after a rate-limit answer that does not say how long (the SEC blocks
	// an address for about ten minutes).
	DefaultFilingsThrottleWait = provider.SECBlockedWait
	// filingsStoreTimeout bounds a store write made after the request's
	// context may have ended, so that a file fetched is not lost.
	filingsStoreTimeout = 10 * time.Second
	// filingsMinWait is the shortest pause of Run between two rounds.
	filingsMinWait = time.Minute
)

// FilingsGroup is the Group of the filers' entries in Health.
const FilingsGroup = "filings"

// FilingsOptions configure Filings.
type FilingsOptions struct {
	// Base is the SEC base URL (provider.Endpoints.SEC, which
	// HASHDECK_SEC_URL overrides).
	Base string
	// UserAgent is the declared "Name email" sent to the SEC ([sec]
	// user_agent, or provider.SECUserAgentEnv). Required:
	// NewFilings fails with provider.ErrNoUserAgent without it.
	UserAgent string
	// Filers are the companies to follow (provider.SECFilers() when nil).
	// Those with Skip set are listed in the status, never fetched.
	Filers []provider.SECFiler
	// Interval is the time between two fetches of one filer
	// (DefaultFilingsInterval); RetryInterval the time after a failed
	// attempt (DefaultFilingsRetryInterval).
	Interval, RetryInterval time.Duration
	// ThrottleWait pauses every SEC request after a rate-limit answer
	// without Retry-After (DefaultFilingsThrottleWait).
	ThrottleWait time.Duration
	// Timeout bounds one request, body included (provider.DefaultSECTimeout).
	Timeout time.Duration
	// Limiter paces the requests (provider.NewSECLimiter() when nil):
	// at most 5 a second.
	Limiter provider.SECLimiter
	// Now is the clock that dates fetches and decides what is due
	// (time.Now). Run's pauses use real time.
	Now func() time.Time
	// Logger receives a line per failed fetch and per CIK the SEC's ticker
	// map contradicts (discard).
	Logger *slog.Logger
}

func (o *FilingsOptions) defaults() {
	if o.Filers == nil {
		o.Filers = provider.SECFilers()
	}
	if o.Interval <= 0 {
		o.Interval = DefaultFilingsInterval
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = DefaultFilingsRetryInterval
	}
	if o.ThrottleWait <= 0 {
		o.ThrottleWait = DefaultFilingsThrottleWait
	}
	if o.Limiter == nil {
		o.Limiter = provider.NewSECLimiter()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// FilerStatus is one filer's line for the feed-health display and
// `hashdeck feeds`.
type FilerStatus struct {
	Ticker string `json:"ticker"`
	// CIK is zero-padded to 10 digits.
	CIK string `json:"cik"`
	// Skipped says why the filer is not fetched ("" when it is).
	Skipped string `json:"skipped,omitempty"`
	// LastFetch is when the SEC last answered with the file or with "not
	// modified" (kept across restarts by the store); LastAttempt when a
	// fetch was last tried.
	LastFetch   time.Time `json:"last_fetch,omitzero"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// LastError is the last attempt's error ("" when it succeeded).
	LastError string `json:"last_error,omitempty"`
	// NotModified is set when the last fetch (this run) was a 304.
	NotModified bool `json:"not_modified,omitempty"`
	// Quarters counts the quarters held; Latest is the newest one's
	// fiscal label and LatestEnd its last day.
	Quarters  int       `json:"quarters"`
	Latest    string    `json:"latest,omitempty"`
	LatestEnd time.Time `json:"latest_end,omitzero"`
	// Next is when the filer is due again (zero for a skipped one).
	Next time.Time `json:"next,omitzero"`
	// Warning notes a CIK the SEC's ticker map contradicts.
	Warning string `json:"warning,omitempty"`
	// Failures counts consecutive failed attempts in this process;
	// Requests the requests made for this filer.
	Failures int `json:"consecutive_failures"`
	Requests int `json:"requests"`
}

// OK reports whether the filer is skipped, or its facts are current: the
// last attempt succeeded.
func (s FilerStatus) OK() bool {
	return s.Skipped != "" || (s.LastError == "" && !s.LastFetch.IsZero())
}

// FilingsStatus is the state of every filer, in the order of the filers.
type FilingsStatus struct {
	Filers []FilerStatus `json:"filers"`
	// PausedUntil is set while the SEC's rate limit holds every request.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// TickerMapError is the last failure to read the SEC's ticker map
	// (CIKs then go unconfirmed).
	TickerMapError string `json:"ticker_map_error,omitempty"`
}

// filerState is what Filings holds for one filer.
type filerState struct {
	f           provider.SECFiler
	st          store.FilingsState // Ticker empty until known
	hasFacts    bool               // facts are cached (in the store, or fetched this run)
	quarters    []econ.Quarter
	notModified bool
	warning     string
	failures    int
	requests    int
}

// Filings follows the SEC company facts of the listed miners that file
// 10-Q and 10-K: each filer is fetched at most once per Interval (the
// store's record of the last fetch counts, so a restart refetches
// nothing fetched today), with a conditional request when its facts are
// cached (a 304 keeps them), at most five requests a second. The facts
// are written to the store and turned into fiscal quarters
// (provider.SECQuarters), which Quarters and AllQuarters expose; Status
// and Health say how each filer's fetch went.
//
// A rate-limit answer (429, or the SEC's 403 "Request Rate Threshold
// Exceeded" page) pauses every SEC request for its Retry-After
// (ThrottleWait when it gives none) and ends the round; a 403 "undeclared
// tool" page ends the round too (ErrSECBlocked: check the User-Agent), as
// every other request would get it. Either failure, like any other, is
// retried after RetryInterval. A 404 is an answer: the filer is tried
// again after Interval.
//
// Filings is safe for concurrent use.
type Filings struct {
	o  FilingsOptions
	st FilingsStore // nil: nothing is cached
	c  *provider.SECClient

	runMu sync.Mutex // one round at a time

	mu          sync.Mutex // guards the fields below
	loaded      bool
	filers      []*filerState
	pausedUntil time.Time
	tickersAt   time.Time // when the ticker map was last read
	tickersErr  string
	updates     chan struct{}
}

// NewFilings returns a fetcher that caches in st (a *store.Store; nil
// keeps nothing across restarts):
//
//	f, err := feeds.NewFilings(st, feeds.FilingsOptions{Base: endpoints.SEC, UserAgent: cfg.SEC.UserAgent})
//	go f.Run(ctx)
//
// It fails, before any request, with an error wrapping
// provider.ErrNoUserAgent when UserAgent is not a name and an email
// address, and when Base is not a base URL. It makes no request until
// Run or FetchOnce.
func NewFilings(st FilingsStore, o FilingsOptions) (*Filings, error) {
	o.defaults()
	if s, ok := st.(*store.Store); ok && s == nil {
		st = nil // a nil *store.Store means no store
	}
	c, err := provider.NewSECClient(o.Base, provider.SECOptions{UserAgent: o.UserAgent, Timeout: o.Timeout, Limiter: o.Limiter})
	if err != nil {
		return nil, fmt.Errorf("filings: %w", err)
	}
	f := &Filings{o: o, st: st, c: c, updates: make(chan struct{}, 1)}
	seen := map[string]bool{}
	for _, x := range o.Filers {
		if x.Ticker == "" || seen[x.Ticker] || (x.Skip == "" && x.CIK <= 0) {
			return nil, fmt.Errorf("filings: filer %q (CIK %d) is unnamed, repeated or has no CIK", x.Ticker, x.CIK)
		}
		seen[x.Ticker] = true
		f.filers = append(f.filers, &filerState{f: x})
	}
	return f, nil
}

// Updates returns a channel that receives (without ever blocking
// Filings) after quarters or status changed; it holds one signal at most.
func (f *Filings) Updates() <-chan struct{} { return f.updates }

func (f *Filings) signal() {
	select {
	case f.updates <- struct{}{}:
	default:
	}
}

// Load reads the cached facts and fetch states from the store, once (the
// later calls, and FetchOnce's, do nothing), so that the quarters are
// there before any request. A filer the store cannot read is left empty
// and named in the error.
func (f *Filings) Load(ctx context.Context) error {
	f.mu.Lock()
	if f.loaded || f.st == nil {
		f.loaded = true
		f.mu.Unlock()
		return nil
	}
	f.mu.Unlock()
	var errs []error
	type loadedFiler struct {
		fs       *filerState
		st       store.FilingsState
		quarters []econ.Quarter
		facts    bool
	}
	var got []loadedFiler
	for _, fs := range f.filers {
		if fs.f.Skip != "" {
			continue
		}
		st, ok, err := f.st.FilingsState(ctx, fs.f.CIK)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", fs.f.Ticker, err))
			continue
		}
		if !ok {
			continue
		}
		facts, err := f.st.FilingFacts(ctx, fs.f.CIK)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", fs.f.Ticker, err))
			continue
		}
		got = append(got, loadedFiler{fs: fs, st: st, quarters: provider.SECQuarters(fs.f, fromStoreFacts(facts)), facts: len(facts) > 0})
	}
	f.mu.Lock()
	if !f.loaded {
		for _, l := range got {
			l.fs.st, l.fs.quarters, l.fs.hasFacts = l.st, l.quarters, l.facts
		}
		f.loaded = true
	}
	f.mu.Unlock()
	f.signal()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("filings: reading the cache: %w", err)
	}
	return nil
}

// next returns when fs is due (zero: now). Caller holds f.mu.
func (f *Filings) next(fs *filerState) time.Time {
	st := fs.st
	if st.Attempted.IsZero() || (fs.hasFacts && st.Parser != provider.SECParserVersion) {
		return time.Time{}
	}
	due := time.Time{}
	if !st.Fetched.IsZero() {
		due = st.Fetched.Add(f.o.Interval)
	}
	if st.Error != "" {
		if retry := st.Attempted.Add(f.o.RetryInterval); retry.After(due) {
			due = retry
		}
	}
	return due
}

// FetchOnce loads the cache (Load) and fetches, one after the other, the
// filers that are due, then returns: with nil when nothing was due or
// every fetch succeeded (304 included), else with the errors joined, each
// naming its ticker. While the SEC's rate limit holds (Status
// PausedUntil) it makes no request and says so. Call it within a timeout
// from one-shot commands; a fetch cut short by ctx is not recorded as a
// failed attempt.
func (f *Filings) FetchOnce(ctx context.Context) error {
	f.runMu.Lock()
	defer f.runMu.Unlock()
	var errs []error
	if err := f.Load(ctx); err != nil {
		errs = append(errs, err)
		f.o.Logger.Warn("filings: cache unreadable", "err", err)
	}
	now := f.o.Now()
	f.mu.Lock()
	paused := f.pausedUntil
	var due []*filerState
	for _, fs := range f.filers {
		if fs.f.Skip == "" && !now.Before(f.next(fs)) {
			due = append(due, fs)
		}
	}
	checkTickers := f.tickersAt.IsZero() || now.Sub(f.tickersAt) >= f.o.Interval
	f.mu.Unlock()
	if len(due) == 0 {
		return errors.Join(errs...)
	}
	if now.Before(paused) {
		return errors.Join(append(errs, fmt.Errorf("filings: %w: paused until %s", provider.ErrSECRateLimited, paused.UTC().Format(time.RFC3339)))...)
	}
	for _, fs := range due {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if f.fetchedElsewhere(ctx, fs) {
			continue
		}
		// The ticker map is read (at most once per Interval) before the
		// first company-facts request of a round, not when none is made.
		if checkTickers {
			checkTickers = false
			if err := f.checkTickers(ctx); err != nil {
				errs = append(errs, err)
				if filingsRoundOver(err) || ctx.Err() != nil {
					break
				}
			}
		}
		if err := f.fetch(ctx, fs); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", fs.f.Ticker, err))
			if filingsRoundOver(err) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// filingsRoundOver reports whether err means that every other request of
// the round would fail the same way.
func filingsRoundOver(err error) bool {
	return errors.Is(err, provider.ErrSECRateLimited) || errors.Is(err, provider.ErrSECBlocked)
}

// throttled pauses every request after a rate-limit answer. Caller holds f.mu.
func (f *Filings) throttled(err error, now time.Time) {
	if !errors.Is(err, provider.ErrSECRateLimited) {
		return
	}
	wait, ok := provider.RetryAfter(err)
	if !ok {
		wait = f.o.ThrottleWait
	}
	if until := now.Add(wait); until.After(f.pausedUntil) {
		f.pausedUntil = until
	}
}

// checkTickers reads the SEC's ticker map and notes, per filer, a ticker
// it lacks or a CIK it contradicts.
func (f *Filings) checkTickers(ctx context.Context) error {
	m, err := f.c.Tickers(ctx)
	now := f.o.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.signal()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("filings: ticker map: %w", ctx.Err())
		}
		f.throttled(err, now)
		f.tickersErr = err.Error()
		// Not retried before the next round that is due anyway.
		f.tickersAt = now.Add(f.o.RetryInterval - f.o.Interval)
		f.o.Logger.Warn("filings: SEC ticker map unavailable", "err", err)
		return fmt.Errorf("filings: ticker map: %w", err)
	}
	f.tickersAt, f.tickersErr = now, ""
	for _, fs := range f.filers {
		e, ok := m[fs.f.Ticker]
		switch {
		case !ok:
			fs.warning = "not in the SEC ticker map"
		case e.CIK != fs.f.CIK:
			fs.warning = fmt.Sprintf("the SEC ticker map gives CIK %010d (%s), not %s", e.CIK, e.Title, fs.f.CIK10())
		default:
			fs.warning = ""
		}
		if fs.warning != "" {
			f.o.Logger.Warn("filings: CIK not confirmed", "ticker", fs.f.Ticker, "warning", fs.warning)
		}
	}
	return nil
}

// fetchedElsewhere re-reads fs's state from the store and reports whether
// another process sharing the store (hashdeck serve beside a dashboard)
// attempted it since this one last did, making it no longer due; its
// facts then replace the quarters held. A store that cannot be read is
// ignored here (the fetch goes ahead).
func (f *Filings) fetchedElsewhere(ctx context.Context, fs *filerState) bool {
	if f.st == nil {
		return false
	}
	st, ok, err := f.st.FilingsState(ctx, fs.f.CIK)
	f.mu.Lock()
	newer := err == nil && ok && st.Attempted.After(fs.st.Attempted)
	f.mu.Unlock()
	if !newer {
		return false
	}
	facts, err := f.st.FilingFacts(ctx, fs.f.CIK)
	if err != nil {
		return false
	}
	quarters := provider.SECQuarters(fs.f, fromStoreFacts(facts))
	f.mu.Lock()
	fs.st = st
	if len(facts) > 0 {
		fs.quarters, fs.hasFacts = quarters, true
	}
	due := !f.o.Now().Before(f.next(fs))
	f.mu.Unlock()
	f.signal()
	return !due
}

// fetch fetches one filer, stores the outcome and updates its quarters.
func (f *Filings) fetch(ctx context.Context, fs *filerState) error {
	f.mu.Lock()
	var v provider.SECValidators
	if fs.hasFacts && fs.st.Parser == provider.SECParserVersion {
		v = provider.SECValidators{ETag: fs.st.ETag, LastModified: fs.st.LastModified}
	}
	fs.requests++
	f.mu.Unlock()

	res, err := f.c.CompanyFacts(ctx, fs.f, v)
	if err != nil && ctx.Err() != nil {
		return err // cut short: not an attempt worth recording
	}
	now := f.o.Now()
	f.mu.Lock()
	st := fs.st
	st.CIK, st.Ticker, st.Attempted = fs.f.CIK, fs.f.Ticker, now
	var (
		quarters []econ.Quarter
		facts    []store.FilingFact
		replace  bool
	)
	switch {
	case err == nil && res.NotModified:
		st.Fetched, st.Error = now, ""
		if !res.Validators.IsZero() {
			st.ETag, st.LastModified = res.Validators.ETag, res.Validators.LastModified
		}
	case err == nil:
		st.Fetched, st.Error, st.Parser = now, "", provider.SECParserVersion
		st.ETag, st.LastModified, st.Entity = res.Validators.ETag, res.Validators.LastModified, res.EntityName
		quarters = provider.SECQuarters(fs.f, res.Facts)
		facts, replace = toStoreFacts(res.Facts), true
	case errors.Is(err, provider.ErrSECNotFound):
		// An answer: nothing to fetch for a day.
		st.Fetched, st.Error = now, err.Error()
	default:
		st.Error = err.Error()
		f.throttled(err, now)
	}
	fs.st = st
	fs.notModified = err == nil && res.NotModified
	if err != nil {
		fs.failures++
		f.o.Logger.Warn("filings: fetch failed", "ticker", fs.f.Ticker, "err", err)
	} else {
		fs.failures = 0
	}
	if replace {
		fs.quarters, fs.hasFacts = quarters, true
	}
	f.mu.Unlock()
	f.signal()

	if f.st != nil {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), filingsStoreTimeout)
		defer cancel()
		var serr error
		if replace {
			serr = f.st.PutFilings(wctx, st, facts)
		} else {
			serr = f.st.PutFilingsState(wctx, st)
		}
		if serr != nil {
			f.o.Logger.Warn("filings: storing failed", "ticker", fs.f.Ticker, "err", serr)
			err = errors.Join(err, fmt.Errorf("storing: %w", serr))
		}
	}
	return err
}

// Run fetches what is due at once and then whenever a filer falls due
// (a day after its last fetch, an hour after a failure, after the SEC's
// rate-limit pause), until ctx is done; it then returns ctx's error, like
// the poller. Failures are in Status and Health, and logged.
func (f *Filings) Run(ctx context.Context) error {
	for {
		if err := f.FetchOnce(ctx); err != nil && ctx.Err() == nil {
			f.o.Logger.Info("filings: round over with errors", "err", err)
		}
		if err := provider.SleepCtx(ctx, f.nextWait()); err != nil {
			return err
		}
	}
}

// nextWait is how long Run sleeps: until the first filer is due and any
// pause is over, at least filingsMinWait, at most Interval.
func (f *Filings) nextWait() time.Duration {
	now := f.o.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	first := now.Add(f.o.Interval)
	for _, fs := range f.filers {
		if fs.f.Skip != "" {
			continue
		}
		if n := f.next(fs); n.Before(first) {
			first = n
		}
	}
	if f.pausedUntil.After(first) {
		first = f.pausedUntil
	}
	return min(max(first.Sub(now), filingsMinWait), f.o.Interval)
}

// Quarters returns the quarters held for ticker, oldest first (nil when
// none). The slice is the caller's; the items' Conflicts are shared and
// must not be modified.
func (f *Filings) Quarters(ticker string) []econ.Quarter {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fs := range f.filers {
		if fs.f.Ticker == ticker {
			return slices.Clone(fs.quarters)
		}
	}
	return nil
}

// AllQuarters returns the quarters held for every filer that has any, by
// ticker (see Quarters).
func (f *Filings) AllQuarters() map[string][]econ.Quarter {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]econ.Quarter{}
	for _, fs := range f.filers {
		if len(fs.quarters) > 0 {
			out[fs.f.Ticker] = slices.Clone(fs.quarters)
		}
	}
	return out
}

// Status returns every filer's status, in the order of the filers.
func (f *Filings) Status() FilingsStatus {
	now := f.o.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := FilingsStatus{TickerMapError: f.tickersErr}
	if now.Before(f.pausedUntil) {
		out.PausedUntil = f.pausedUntil
	}
	for _, fs := range f.filers {
		s := FilerStatus{
			Ticker:      fs.f.Ticker,
			CIK:         fs.f.CIK10(),
			Skipped:     fs.f.Skip,
			LastFetch:   fs.st.Fetched,
			LastAttempt: fs.st.Attempted,
			LastError:   fs.st.Error,
			NotModified: fs.notModified,
			Quarters:    len(fs.quarters),
			Warning:     fs.warning,
			Failures:    fs.failures,
			Requests:    fs.requests,
		}
		if n := len(fs.quarters); n > 0 {
			s.Latest, s.LatestEnd = fs.quarters[n-1].Fiscal, fs.quarters[n-1].End.Time()
		}
		if fs.f.Skip == "" {
			s.Next = f.next(fs)
			if s.Next.IsZero() {
				s.Next = now
			}
			if f.pausedUntil.After(s.Next) {
				s.Next = f.pausedUntil
			}
		}
		out.Filers = append(out.Filers, s)
	}
	return out
}

// Health returns one market.Health per fetched filer (Group
// FilingsGroup, Name "SEC EDGAR <ticker>") for the feed-health line: Live
// when its last attempt succeeded, the circuit open while it waits after
// a failure.
func (f *Filings) Health() []market.Health {
	st := struct {
		FilingsStatus
		now time.Time
	}{f.Status(), f.o.Now()}
	var out []market.Health
	for _, s := range st.Filers {
		if s.Skipped != "" {
			continue
		}
		h := market.Health{
			Name:        provider.SECSource + " " + s.Ticker,
			Group:       FilingsGroup,
			Live:        s.OK(),
			LastAttempt: s.LastAttempt,
			LastError:   s.LastError,
			Failures:    s.Failures,
			Requests:    s.Requests,
			Circuit:     market.CircuitClosed,
			NextAttempt: s.Next,
		}
		h.LastSuccess = s.LastFetch
		if s.LastError != "" {
			// Waiting out RetryInterval; a trial once it is over.
			h.Circuit = market.CircuitOpen
			if !st.now.Before(s.Next) {
				h.Circuit = market.CircuitHalfOpen
			}
		}
		out = append(out, h)
	}
	return out
}

// toStoreFacts and fromStoreFacts convert between the provider's facts
// and the store's rows: the same fields, so a conversion (which stops
// compiling if the two ever differ).
func toStoreFacts(fs []provider.SECFact) []store.FilingFact {
	out := make([]store.FilingFact, len(fs))
	for i, x := range fs {
		out[i] = store.FilingFact(x)
	}
	return out
}

func fromStoreFacts(fs []store.FilingFact) []provider.SECFact {
	out := make([]provider.SECFact, len(fs))
	for i, x := range fs {
		out[i] = provider.SECFact(x)
	}
	return out
}
