package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// Group is a set of providers that supply the same metrics, in order of
// preference: the first healthy one wins each poll, the next takes over
// when it fails.
type Group struct {
	// Name identifies the group ("network", "fees", "price", "equities", "hashprice").
	Name      string
	Providers []market.Provider
	// Interval returns the time between polls at now (so equities can poll
	// faster while the US market is open). Nil means one minute.
	Interval func(now time.Time) time.Duration
}

// Every returns an Interval function with a fixed period.
func Every(d time.Duration) func(time.Time) time.Duration {
	return func(time.Time) time.Duration { return d }
}

// MarketHours returns an Interval function that is open during a US
// regular session (market.InUSSession: 09:30–16:00 New York time, 13:00 on
// early-close days, no session on weekends and exchange holidays) and
// closed otherwise.
func MarketHours(open, closed time.Duration) func(time.Time) time.Duration {
	return func(now time.Time) time.Duration {
		if market.InUSSession(now) {
			return open
		}
		return closed
	}
}

// PollerOptions tune the poller. Zero values take the defaults.
type PollerOptions struct {
	// Timeout bounds one provider fetch (default 15 s).
	Timeout time.Duration
	// Jitter spreads polls by up to this fraction of the interval (default 0.1).
	Jitter float64
	// BackoffBase is the wait after a first failure; it doubles with each
	// consecutive failure up to BackoffMax (defaults 5 s and 10 min). A
	// longer Retry-After from the upstream wins.
	BackoffBase, BackoffMax time.Duration
	// CircuitThreshold consecutive failures open a provider's circuit
	// (default 3); it half-opens when its backoff has passed.
	CircuitThreshold int
	// MaxRejected caps the recent rejections kept in the state (default 20).
	MaxRejected int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives one line per provider failure and recovery (default: discard).
	Logger *slog.Logger
	// OnBatch, if set, receives every batch a provider delivered
	// successfully (for the history store). It runs on the polling
	// goroutine: it must return quickly, e.g. by handing the batch to a
	// buffered channel.
	OnBatch func(group, provider string, b market.Batch)
}

func (o *PollerOptions) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Jitter < 0 {
		o.Jitter = 0
	} else if o.Jitter == 0 {
		o.Jitter = 0.1
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 5 * time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 10 * time.Minute
	}
	if o.CircuitThreshold <= 0 {
		o.CircuitThreshold = 3
	}
	if o.MaxRejected <= 0 {
		o.MaxRejected = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Poller runs every group's providers on the group's schedule and publishes
// each resulting State to a Hub. One poller serves any number of viewers:
// it does not know how many subscribe.
type Poller struct {
	hub    *Hub
	groups []Group
	o      PollerOptions

	mu      sync.Mutex // guards state, health and metrics below
	state   *market.State
	health  map[string]*market.Health         // by provider name
	metrics map[string]map[market.Metric]bool // group → metrics it has supplied
	quotes  map[string]bool                   // groups that have supplied quotes
	rng     *rand.Rand
}

// NewPoller returns a poller for groups that publishes to hub. Provider
// names must be unique across groups.
func NewPoller(hub *Hub, groups []Group, o PollerOptions) (*Poller, error) {
	o.defaults()
	p := &Poller{
		hub:     hub,
		groups:  groups,
		o:       o,
		health:  make(map[string]*market.Health),
		metrics: make(map[string]map[market.Metric]bool),
		quotes:  make(map[string]bool),
		rng:     rand.New(rand.NewPCG(uint64(o.Now().UnixNano()), 0x9e3779b97f4a7c15)),
	}
	st := &market.State{Mode: market.ModeLive, Values: map[market.Metric]market.Value{}, Quotes: map[string]market.QuoteValue{}, Histories: map[string]market.History{}, Live: map[string]string{}}
	if cur := hub.Current(); cur != nil {
		st = cur.Clone()
		st.Mode = market.ModeLive
	}
	for _, g := range groups {
		if g.Name == "" {
			return nil, errors.New("feeds: a group without a name")
		}
		if _, dup := p.metrics[g.Name]; dup {
			return nil, fmt.Errorf("feeds: group %q given twice", g.Name)
		}
		p.metrics[g.Name] = map[market.Metric]bool{}
		st.Live[g.Name] = ""
		for _, pr := range g.Providers {
			if _, dup := p.health[pr.Name()]; dup {
				return nil, fmt.Errorf("feeds: provider name %q used twice", pr.Name())
			}
			p.health[pr.Name()] = &market.Health{Name: pr.Name(), Group: g.Name, Circuit: market.CircuitClosed}
		}
	}
	p.state = st
	p.state.Health = p.healthList()
	return p, nil
}

// Run polls every group on its own schedule until ctx is done, then returns
// ctx's error. It publishes the initial state first.
func (p *Poller) Run(ctx context.Context) error {
	p.publish(func(*market.State) {})
	var wg sync.WaitGroup
	for i := range p.groups {
		wg.Add(1)
		go func(g *Group) {
			defer wg.Done()
			p.loop(ctx, g)
		}(&p.groups[i])
	}
	wg.Wait()
	return ctx.Err()
}

// Poll polls every group once, concurrently, and returns when all are done.
// Run uses the same step; tests and one-shot commands call it directly.
func (p *Poller) Poll(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range p.groups {
		wg.Add(1)
		go func(g *Group) {
			defer wg.Done()
			p.pollGroup(ctx, g)
		}(&p.groups[i])
	}
	wg.Wait()
}

func (p *Poller) loop(ctx context.Context, g *Group) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		p.pollGroup(ctx, g)
		timer.Reset(p.nextWait(g))
	}
}

// nextWait returns the time until the group's next poll: its interval with
// jitter, or sooner when a provider it is waiting for becomes due — but never
// sooner than BackoffBase, so a failing group does not spin.
func (p *Poller) nextWait(g *Group) time.Duration {
	now := p.o.Now()
	interval := time.Minute
	if g.Interval != nil {
		interval = g.Interval(now)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wait := interval + time.Duration(p.rng.Float64()*p.o.Jitter*float64(interval))
	if p.state.Live[g.Name] == "" { // nothing answered: retry on the providers' backoff schedule
		for _, pr := range g.Providers {
			if d := p.health[pr.Name()].NextAttempt.Sub(now); d < wait {
				wait = d
			}
		}
		wait = max(wait, p.o.BackoffBase)
	}
	return wait
}

// pollGroup tries the group's providers in order and applies the first
// batch that succeeds. A provider waiting out its backoff is skipped.
func (p *Poller) pollGroup(ctx context.Context, g *Group) {
	for _, pr := range g.Providers {
		if ctx.Err() != nil {
			return
		}
		if !p.due(pr.Name()) {
			continue
		}
		start := p.o.Now()
		fctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
		batch, err := pr.Fetch(fctx)
		cancel()
		var refused []string
		if err == nil {
			p.mu.Lock()
			refused = p.state.Vet(&batch)
			p.mu.Unlock()
		}
		if err == nil && batch.Empty() {
			err = errors.New("no usable data in the answer")
			if len(refused) > 0 {
				err = errors.New(market.RefusedText(refused))
			}
		}
		if err != nil && ctx.Err() != nil {
			return // shutting down: not the provider's fault
		}
		if err != nil {
			p.fail(g, pr.Name(), err, start, batch.Rejected)
			continue
		}
		p.succeed(g, pr.Name(), batch, start, refused)
		if p.o.OnBatch != nil {
			p.o.OnBatch(g.Name, pr.Name(), batch)
		}
		return
	}
	// Nobody answered: every value of the group stays, marked stale.
	p.publish(func(st *market.State) {
		st.Live[g.Name] = ""
		p.markStale(st, g.Name, nil)
	})
}

// due reports whether a provider may be tried now, moving an open circuit
// whose wait is over to half-open.
func (p *Poller) due(name string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.health[name]
	if p.o.Now().Before(h.NextAttempt) {
		return false
	}
	if h.Circuit == market.CircuitOpen {
		h.Circuit = market.CircuitHalfOpen
	}
	return true
}

func (p *Poller) fail(g *Group, name string, err error, start time.Time, rejected []market.Rejection) {
	now := p.o.Now()
	p.mu.Lock()
	h := p.health[name]
	h.Requests++
	h.Failures++
	h.LastAttempt = start
	h.Latency = now.Sub(start)
	h.LastError = err.Error()
	wait := p.backoff(h.Failures)
	if ra, ok := provider.RetryAfter(err); ok && ra > wait {
		wait = ra
	}
	h.NextAttempt = now.Add(wait)
	if h.Failures >= p.o.CircuitThreshold {
		h.Circuit = market.CircuitOpen
	}
	failures := h.Failures
	p.mu.Unlock()
	p.o.Logger.Warn("feed failed", "provider", name, "group", g.Name, "failures", failures, "retry_in", wait.Round(time.Second), "err", err)
	p.publish(func(st *market.State) { p.addRejected(st, rejected) })
}

// backoff returns the wait after n consecutive failures: BackoffBase·2^(n−1), capped.
func (p *Poller) backoff(n int) time.Duration {
	d := p.o.BackoffBase
	for i := 1; i < n && d < p.o.BackoffMax; i++ {
		d *= 2
	}
	return min(d, p.o.BackoffMax)
}

// succeed applies b; refused are the values Vet took out of it, which the
// provider's health then names (the last good values stay, marked stale).
func (p *Poller) succeed(g *Group, name string, b market.Batch, start time.Time, refused []string) {
	now := p.o.Now()
	p.mu.Lock()
	h := p.health[name]
	recovered := h.Failures > 0
	h.Requests++
	h.Failures = 0
	h.LastAttempt, h.LastSuccess = start, now
	h.Latency = now.Sub(start)
	h.LastError = ""
	if len(refused) > 0 {
		h.LastError = market.RefusedText(refused)
	}
	h.Circuit = market.CircuitClosed
	h.NextAttempt = time.Time{}
	p.mu.Unlock()
	if recovered {
		p.o.Logger.Info("feed recovered", "provider", name, "group", g.Name)
	}
	p.publish(func(st *market.State) {
		st.Live[g.Name] = name
		fresh := map[market.Metric]bool{}
		for _, o := range b.Obs {
			p.metrics[g.Name][o.Metric] = true
			cur, ok := st.Values[o.Metric]
			if ok && o.At.Before(cur.At) && !cur.Stale {
				continue // never replace a newer fresh point with an older one
			}
			st.Values[o.Metric] = market.Value{V: o.Value, At: o.At, Fetched: now, Source: o.Source}
			fresh[o.Metric] = true
		}
		quotes := map[string]bool{}
		if len(b.Quotes) > 0 {
			p.quotes[g.Name] = true
		}
		for _, q := range b.Quotes {
			if cur, ok := st.Quotes[q.Symbol]; ok && q.At.Before(cur.At) && !cur.Stale {
				quotes[q.Symbol] = true
				continue
			}
			st.Quotes[q.Symbol] = market.QuoteValue{Quote: q, Fetched: now}
			quotes[q.Symbol] = true
		}
		for _, hist := range b.Histories {
			st.Histories[hist.Symbol] = hist
		}
		p.markStale(st, g.Name, fresh)
		if len(b.Quotes) > 0 {
			for sym, q := range st.Quotes {
				if !quotes[sym] {
					q.Stale = true
					st.Quotes[sym] = q
				}
			}
		}
		p.addRejected(st, b.Rejected)
	})
}

// markStale marks every metric the group has ever supplied that is not in
// fresh; with fresh nil the group failed and all its values (and, for a
// group that supplies quotes, all quotes) go stale. Called with p.mu held.
func (p *Poller) markStale(st *market.State, group string, fresh map[market.Metric]bool) {
	for m := range p.metrics[group] {
		if v, ok := st.Values[m]; ok && !fresh[m] {
			v.Stale = true
			st.Values[m] = v
		}
	}
	if fresh == nil && p.quotes[group] {
		for sym, q := range st.Quotes {
			q.Stale = true
			st.Quotes[sym] = q
		}
	}
}

func (p *Poller) addRejected(st *market.State, r []market.Rejection) {
	if len(r) == 0 {
		return
	}
	// A source that keeps failing the same way would otherwise fill the list
	// with one message: an identical rejection moves to the end instead.
	for _, x := range r {
		st.Rejected = slices.DeleteFunc(st.Rejected, func(y market.Rejection) bool { return y == x })
		st.Rejected = append(st.Rejected, x)
	}
	if n := len(st.Rejected) - p.o.MaxRejected; n > 0 {
		st.Rejected = st.Rejected[n:]
	}
}

// publish derives the next state with change applied (under p.mu), stamps
// it and hands it to the hub.
func (p *Poller) publish(change func(st *market.State)) {
	p.mu.Lock()
	next := p.state.Clone()
	change(next)
	next.Version = p.state.Version + 1
	next.Updated = p.o.Now()
	ageQuotes(next)
	for name, h := range p.health {
		h.Live = next.Live[h.Group] == name
	}
	next.Health = p.healthList()
	p.state = next
	p.mu.Unlock()
	p.hub.Publish(next)
}

// ageQuotes marks every quote older than the US market allows at st.Updated
// as outdated, and so stale. Every publish does it, whichever group polled,
// so a quote that nothing replaces goes stale on time even between polls of
// the equities group, and a provider that answers with an old quote cannot
// make it live.
func ageQuotes(st *market.State) {
	for sym, q := range st.Quotes {
		if q.Outdated = market.QuoteOutdated(q.At, st.Updated); q.Outdated {
			q.Stale = true
		}
		st.Quotes[sym] = q
	}
}

// healthList returns the health records in group order, then preference
// order. Called with p.mu held.
func (p *Poller) healthList() []market.Health {
	out := make([]market.Health, 0, len(p.health))
	for _, g := range p.groups {
		for _, pr := range g.Providers {
			out = append(out, *p.health[pr.Name()])
		}
	}
	return out
}
