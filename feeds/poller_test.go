package feeds

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// fakeClock is a settable clock for deterministic backoff tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// priceProvider reads {"price": USD, "time": unix_s} from a test server
// through the real HTTP client, so status codes, HTML bodies and
// Retry-After reach the poller exactly as a real provider's would.
type priceProvider struct {
	name string
	c    *provider.HTTPClient
}

func newPriceProvider(name, base string) *priceProvider {
	return &priceProvider{name: name, c: provider.NewHTTPClient(name, base, provider.HTTPOptions{Timeout: 2 * time.Second})}
}

func (p *priceProvider) Name() string { return p.name }

func (p *priceProvider) Fetch(ctx context.Context) (market.Batch, error) {
	var v struct {
		Price provider.Num `json:"price"`
		Time  int64        `json:"time"`
	}
	if _, err := p.c.GetJSON(ctx, "/"+p.name, nil, nil, &v); err != nil {
		return market.Batch{}, err
	}
	var b market.Batch
	b.Add(market.PriceUSD, v.Price.V, time.Unix(v.Time, 0).UTC(), p.name)
	return b, nil
}

func newTestPoller(t *testing.T, clock *fakeClock, groups ...Group) (*Poller, *Hub) {
	t.Helper()
	hub := NewHub(nil)
	p, err := NewPoller(hub, groups, PollerOptions{Now: clock.Now, BackoffBase: 5 * time.Second, BackoffMax: 40 * time.Second, Jitter: -1})
	if err != nil {
		t.Fatal(err)
	}
	return p, hub
}

func healthOf(st *market.State, name string) market.Health {
	for _, h := range st.Health {
		if h.Name == name {
			return h
		}
	}
	return market.Health{}
}

func TestFallbackAndRecovery(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{"/primary": "replay/throttled", "/secondary": "replay/price-99"})
	clock := newFakeClock()
	p, hub := newTestPoller(t, clock, Group{Name: "price", Providers: []market.Provider{
		newPriceProvider("primary", srv.URL), newPriceProvider("secondary", srv.URL),
	}})
	ctx := context.Background()

	// The primary answers 429 with an HTML page: the secondary is live after this one poll.
	p.Poll(ctx)
	st := hub.Current()
	v, ok := st.Value(market.PriceUSD)
	if !ok || v.V != 99000 || v.Source != "secondary" || v.Stale || st.Live["price"] != "secondary" {
		t.Fatalf("after one poll: value %+v, live %q", v, st.Live["price"])
	}
	ph := healthOf(st, "primary")
	if ph.Failures != 1 || !strings.Contains(ph.LastError, "429") || ph.Live || !healthOf(st, "secondary").Live {
		t.Errorf("primary health %+v", ph)
	}
	// Retry-After: 30 beats the 5 s backoff: the primary is not asked again before then.
	if got := ph.NextAttempt.Sub(clock.Now()); got != 30*time.Second {
		t.Errorf("primary retries in %v, want the 30 s Retry-After", got)
	}
	clock.Advance(10 * time.Second)
	p.Poll(ctx)
	if srv.Hits("/primary") != 1 || srv.Hits("/secondary") != 2 {
		t.Errorf("during Retry-After: %d primary, %d secondary requests", srv.Hits("/primary"), srv.Hits("/secondary"))
	}

	// The primary recovers: once its wait is over it takes over again.
	srv.Set("/primary", "replay/price-100")
	clock.Advance(25 * time.Second)
	p.Poll(ctx)
	st = hub.Current()
	if v, _ := st.Value(market.PriceUSD); v.V != 100000 || v.Source != "primary" || st.Live["price"] != "primary" {
		t.Fatalf("after recovery: %+v, live %q", v, st.Live["price"])
	}
	if h := healthOf(st, "primary"); h.Failures != 0 || h.Circuit != market.CircuitClosed || h.LastError != "" {
		t.Errorf("recovered primary health %+v", h)
	}
	if srv.Hits("/secondary") != 2 {
		t.Errorf("the secondary was asked although the primary answered: %d", srv.Hits("/secondary"))
	}
}

func TestAllDownKeepsLastGoodValues(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{"/a": "replay/price-100", "/b": "replay/price-99"})
	clock := newFakeClock()
	p, hub := newTestPoller(t, clock, Group{Name: "price", Providers: []market.Provider{newPriceProvider("a", srv.URL), newPriceProvider("b", srv.URL)}})
	ctx := context.Background()
	p.Poll(ctx)
	good, _ := hub.Current().Value(market.PriceUSD)

	srv.Set("/a", "replay/error-500")
	srv.Set("/b", "replay/throttled")
	var waits []time.Duration
	for range 7 {
		clock.Advance(time.Hour) // every provider is due again
		p.Poll(ctx)
		st := hub.Current()
		waits = append(waits, healthOf(st, "a").NextAttempt.Sub(clock.Now()))
		v, ok := st.Value(market.PriceUSD)
		if !ok || v.V != good.V || v.At != good.At || !v.Stale {
			t.Fatalf("all down: value %+v (ok %v), want the last good one marked stale", v, ok)
		}
		if got, want := v.Age(clock.Now()), clock.Now().Sub(good.At); got != want {
			t.Errorf("age %v, want %v", got, want)
		}
		if st.Live["price"] != "" || !st.AllDown() {
			t.Errorf("live %q, AllDown %v", st.Live["price"], st.AllDown())
		}
	}
	// Backoff doubles from 5 s and is capped at 40 s.
	want := []time.Duration{5, 10, 20, 40, 40, 40, 40}
	for i := range want {
		if waits[i] != want[i]*time.Second {
			t.Errorf("backoff after %d failures = %v, want %v", i+1, waits[i], want[i]*time.Second)
		}
	}
	st := hub.Current()
	if h := healthOf(st, "a"); h.Circuit != market.CircuitOpen || h.Failures != 7 || !strings.Contains(h.LastError, "500") {
		t.Errorf("health of a: %+v", h)
	}
	// b's 429 asks for 30 s, more than its early backoff.
	if h := healthOf(st, "b"); h.Failures != 7 {
		t.Errorf("health of b: %+v", h)
	}

	// While the circuit is open and the wait not over, nobody is asked.
	before := srv.Hits("")
	clock.Advance(time.Second)
	p.Poll(ctx)
	if srv.Hits("") != before {
		t.Errorf("open circuits were called: %d requests", srv.Hits("")-before)
	}
	// Half-open after the wait: one trial; success closes the circuit.
	srv.Set("/a", "replay/price-100")
	clock.Advance(time.Minute)
	p.Poll(ctx)
	st = hub.Current()
	if v, _ := st.Value(market.PriceUSD); v.Stale || st.Live["price"] != "a" {
		t.Errorf("after the trial: %+v live %q", v, st.Live["price"])
	}
}

func TestOlderPointDoesNotReplaceNewer(t *testing.T) {
	clock := newFakeClock()
	at := clock.Now()
	fresh := &funcProvider{name: "fresh", fn: func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.PriceUSD, 100, at, "fresh")
		return b, nil
	}}
	p, hub := newTestPoller(t, clock, Group{Name: "price", Providers: []market.Provider{fresh}})
	p.Poll(context.Background())
	fresh.fn = func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.PriceUSD, 90, at.Add(-time.Minute), "fresh") // an older point arrives later
		return b, nil
	}
	p.Poll(context.Background())
	if v, _ := hub.Current().Value(market.PriceUSD); v.V != 100 {
		t.Errorf("an older point replaced a newer one: %+v", v)
	}
}

func TestRejectionsReachTheState(t *testing.T) {
	clock := newFakeClock()
	bad := &funcProvider{name: "liar", fn: func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.Difficulty, 0, clock.Now(), "liar")
		b.Add(market.PriceUSD, -5, clock.Now(), "liar")
		return b, nil
	}}
	p, hub := newTestPoller(t, clock, Group{Name: "x", Providers: []market.Provider{bad}})
	p.Poll(context.Background())
	st := hub.Current()
	if len(st.Values) != 0 || len(st.Rejected) != 2 {
		t.Fatalf("values %v, rejected %v", st.Values, st.Rejected)
	}
	if h := healthOf(st, "liar"); h.Failures != 1 || !strings.Contains(h.LastError, "no usable data") {
		t.Errorf("a provider whose every value was refused did not fail: %+v", h)
	}
}

func TestNewPollerRejectsDuplicates(t *testing.T) {
	a := &funcProvider{name: "a"}
	if _, err := NewPoller(NewHub(nil), []Group{{Name: "g", Providers: []market.Provider{a}}, {Name: "h", Providers: []market.Provider{a}}}, PollerOptions{}); err == nil {
		t.Error("a provider in two groups was accepted")
	}
	if _, err := NewPoller(NewHub(nil), []Group{{Name: "g"}, {Name: "g"}}, PollerOptions{}); err == nil {
		t.Error("a duplicate group was accepted")
	}
}

type funcProvider struct {
	name  string
	calls atomic.Int64
	fn    func(context.Context) (market.Batch, error)
}

func (f *funcProvider) Name() string { return f.name }

func (f *funcProvider) Fetch(ctx context.Context) (market.Batch, error) {
	f.calls.Add(1)
	if f.fn == nil {
		return market.Batch{}, errors.New("no data")
	}
	return f.fn(ctx)
}

// TestFanOutDoesNotMultiplyRequests runs the same polls with one subscriber
// and with 200 (one of which never reads): the upstream sees the same number
// of requests, every reader gets the newest state, and nothing leaks.
func TestFanOutDoesNotMultiplyRequests(t *testing.T) {
	baseline := runtime.NumGoroutine()
	requests := func(subscribers int) (int, []*market.State) {
		srv := fixture.NewReplay(t, map[string]string{"/a": "replay/price-100"})
		clock := newFakeClock()
		p, hub := newTestPoller(t, clock, Group{Name: "price", Providers: []market.Provider{newPriceProvider("a", srv.URL)}})
		subs := make([]*Subscription, subscribers)
		for i := range subs {
			subs[i] = hub.Subscribe()
		}
		var wg sync.WaitGroup
		last := make([]*market.State, subscribers)
		for i := 1; i < subscribers; i++ { // subscriber 0 is slow: it never reads
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for st := range subs[i].C() {
					last[i] = st
				}
			}(i)
		}
		for range 5 {
			clock.Advance(time.Minute)
			p.Poll(context.Background())
		}
		final := hub.Current()
		for _, s := range subs {
			s.Close()
		}
		wg.Wait()
		for i := 1; i < subscribers; i++ {
			if last[i] != final {
				t.Errorf("subscriber %d ended on version %d, want %d", i, last[i].Version, final.Version)
				break
			}
		}
		if hub.Subscribers() != 0 {
			t.Errorf("%d subscriptions left open", hub.Subscribers())
		}
		srv.Close()
		return srv.Hits(""), last
	}
	one, _ := requests(1)
	many, _ := requests(200)
	if one != 5 || many != one {
		t.Errorf("upstream requests: %d with 1 subscriber, %d with 200; want 5 and 5", one, many)
	}
	waitGoroutines(t, baseline)
}

// waitGoroutines waits until the goroutine count is back to baseline
// (http servers and clients wind down asynchronously).
func waitGoroutines(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left behind (baseline %d):\n%s", runtime.NumGoroutine()-baseline, baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunPollsAndStops(t *testing.T) {
	baseline := runtime.NumGoroutine()
	var n atomic.Int64
	prov := &funcProvider{name: "tick", fn: func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.Height, float64(930_000+n.Add(1)), time.Now(), "tick")
		return b, nil
	}}
	hub := NewHub(nil)
	p, err := NewPoller(hub, []Group{{Name: "network", Providers: []market.Provider{prov}, Interval: Every(5 * time.Millisecond)}}, PollerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sub := hub.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	deadline := time.After(5 * time.Second)
	for heights := 0; heights < 3; {
		select {
		case st := <-sub.C():
			if _, ok := st.Value(market.Height); ok {
				heights++
			}
		case <-deadline:
			t.Fatal("the poller did not poll three times in 5 s")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	sub.Close()
	hub.Close()
	waitGoroutines(t, baseline)
}

func TestMarketHours(t *testing.T) {
	f := MarketHours(time.Minute, 15*time.Minute)
	for when, want := range map[string]time.Duration{
		"2026-01-12T14:29:00Z": 15 * time.Minute, // Monday 09:29 EST
		"2026-01-12T14:30:00Z": time.Minute,      // 09:30 EST: open
		"2026-01-12T20:59:00Z": time.Minute,      // 15:59 EST
		"2026-01-12T21:00:00Z": 15 * time.Minute, // 16:00: closed
		"2026-07-13T13:30:00Z": time.Minute,      // Monday 09:30 EDT
		"2026-01-10T15:00:00Z": 15 * time.Minute, // Saturday
		"2026-01-19T15:00:00Z": 15 * time.Minute, // Martin Luther King Jr. Day: no session
		"2026-11-27T18:30:00Z": 15 * time.Minute, // 13:30 EST the day after Thanksgiving: closed at 13:00
	} {
		at, _ := time.Parse(time.RFC3339, when)
		if got := f(at); got != want {
			t.Errorf("%s: %v, want %v", when, got, want)
		}
	}
}

func TestHubLatestWins(t *testing.T) {
	hub := NewHub(&market.State{Version: 1})
	sub := hub.Subscribe()
	if st := <-sub.C(); st.Version != 1 {
		t.Fatalf("first delivery is version %d", st.Version)
	}
	for v := uint64(2); v <= 50; v++ {
		hub.Publish(&market.State{Version: v}) // nobody reads: must not block
	}
	if st := <-sub.C(); st.Version != 50 {
		t.Errorf("a slow subscriber got version %d, want the newest (50)", st.Version)
	}
	hub.Publish(&market.State{Version: 10}) // older than current: ignored
	if hub.Current().Version != 50 {
		t.Errorf("an older version replaced the current one")
	}
	select {
	case st := <-sub.C():
		t.Errorf("got version %d after an ignored publish", st.Version)
	default:
	}
	sub.Close()
	sub.Close() // idempotent
	if _, open := <-sub.C(); open {
		t.Error("channel open after Close")
	}
	other := hub.Subscribe()
	if st := <-other.C(); st.Version != 50 {
		t.Errorf("a new subscriber first gets the current state, got %d", st.Version)
	}
	hub.Close()
	if _, open := <-other.C(); open {
		t.Error("hub Close left a subscription open")
	}
	if _, open := <-hub.Subscribe().C(); open {
		t.Error("subscription on a closed hub is open")
	}
	hub.Publish(&market.State{Version: 99}) // no panic on a closed hub
}

func TestHubConcurrent(t *testing.T) {
	hub := NewHub(nil)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := hub.Subscribe()
			for range i % 5 {
				select {
				case <-s.C():
				case <-time.After(time.Millisecond):
				}
			}
			s.Close()
		}(i)
	}
	for v := uint64(1); v <= 500; v++ {
		hub.Publish(&market.State{Version: v})
	}
	wg.Wait()
	if n := hub.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
}

func BenchmarkHubPublish200(b *testing.B) {
	b.ReportAllocs()
	hub := NewHub(nil)
	subs := make([]*Subscription, 200)
	for i := range subs {
		subs[i] = hub.Subscribe() // nobody reads: every publish replaces the pending state
	}
	st := make([]*market.State, 2)
	for i := range st {
		st[i] = &market.State{}
	}
	v := uint64(0)
	for b.Loop() {
		v++
		s := st[v&1]
		s.Version = v
		hub.Publish(s)
	}
	b.StopTimer()
	for _, s := range subs {
		s.Close()
	}
}

func ExampleHub() {
	hub := NewHub(nil)
	sub := hub.Subscribe()
	defer sub.Close()
	hub.Publish(&market.State{Version: 1})
	hub.Publish(&market.State{Version: 2}) // replaces version 1, which nobody read
	fmt.Println((<-sub.C()).Version)
	// Output: 2
}

func TestRepeatedRejectionsDoNotCrowdOut(t *testing.T) {
	clock := newFakeClock()
	n := 0
	prov := &funcProvider{name: "p", fn: func(context.Context) (market.Batch, error) {
		n++
		var b market.Batch
		b.Add(market.PriceUSD, 100+float64(n), clock.Now(), "p")
		b.Reject("kraken btc_usd", "HTTP 500") // the same complaint every poll
		if n == 1 {
			b.Reject("coinbase btc_usd", "stale")
		}
		return b, nil
	}}
	p, hub := newTestPoller(t, clock, Group{Name: "price", Providers: []market.Provider{prov}})
	for range 30 {
		clock.Advance(time.Minute)
		p.Poll(context.Background())
	}
	r := hub.Current().Rejected
	if len(r) != 2 || r[0].What != "coinbase btc_usd" || r[1].What != "kraken btc_usd" {
		t.Errorf("rejections = %+v, want each once, the repeated one last", r)
	}
}

func TestOnBatchSeesSuccessfulBatches(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{"/a": "replay/error-500", "/b": "replay/price-99"})
	clock := newFakeClock()
	var got []string
	hub := NewHub(nil)
	p, err := NewPoller(hub, []Group{{Name: "price", Providers: []market.Provider{newPriceProvider("a", srv.URL), newPriceProvider("b", srv.URL)}}},
		PollerOptions{Now: clock.Now, OnBatch: func(group, provider string, b market.Batch) {
			got = append(got, fmt.Sprintf("%s/%s/%d", group, provider, len(b.Obs)))
		}})
	if err != nil {
		t.Fatal(err)
	}
	p.Poll(context.Background())
	if len(got) != 1 || got[0] != "price/b/1" {
		t.Errorf("OnBatch saw %v, want only the successful batch of b", got)
	}
}

// Issue 13 row 2, through the poller: after a good answer, an upstream
// answering height 0 and fees 0 leaves the last good values on screen,
// marked stale, and its health says why; the next provider of the group is
// tried.
func TestImplausibleAnswerKeepsTheLastGoodValue(t *testing.T) {
	clock := newFakeClock()
	good := func(b *market.Batch) {
		b.Add(market.Height, 929_000, clock.Now(), "up")
		b.Add(market.FeesPerBlock, 0.02, clock.Now(), "up")
	}
	up := &funcProvider{name: "up", fn: func(context.Context) (market.Batch, error) {
		var b market.Batch
		good(&b)
		return b, nil
	}}
	p, hub := newTestPoller(t, clock, Group{Name: "network", Providers: []market.Provider{up}})
	p.Poll(context.Background())
	up.fn = func(context.Context) (market.Batch, error) {
		var b market.Batch
		b.Add(market.Height, 0, clock.Now(), "up")
		b.Add(market.FeesPerBlock, 0, clock.Now(), "up")
		return b, nil
	}
	clock.Advance(time.Minute)
	p.Poll(context.Background())
	st := hub.Current()
	for _, m := range []market.Metric{market.Height, market.FeesPerBlock} {
		if v, _ := st.Value(m); v.V == 0 || !v.Stale {
			t.Errorf("%s after an implausible answer: %+v, want the last good value, stale", m, v)
		}
	}
	if h := healthOf(st, "up"); !strings.Contains(h.LastError, "height 0") || !strings.Contains(h.LastError, "exactly 0") {
		t.Errorf("health does not say why: %+v", h)
	}
}
