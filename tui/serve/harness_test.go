package serve

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/serve/servetest"
)

// offlineEnv is the board over the embedded data only, with the default
// peers, as `hashdeck serve --offline` builds it.
func offlineEnv(t testing.TB) *board.Env {
	t.Helper()
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := board.NewEnv(ds, dataset.DefaultPeers())
	env.Offline = true
	return env
}

// testServer is a running server on loopback.
type testServer struct {
	servetest.Client // dials it with key (authorised unless AllowAnyone)
	srv              *Server
	logs             *servetest.Buffer
	key              servetest.Key
	keys             string // authorized_keys path
}

// startTest runs a server for env and hub (nil offline) with o (an
// authorized keys file with one fresh key unless o.AllowAnyone or
// o.AuthorizedKeys is set); setup, if any, adjusts the server before it
// serves (a fake clock, a panicking dashboard).
func startTest(t *testing.T, env *board.Env, hub *feeds.Hub, o Options, setup ...func(*Server)) *testServer {
	t.Helper()
	st := &testServer{logs: &servetest.Buffer{}, key: servetest.NewKey(t)}
	dir := t.TempDir()
	if !o.AllowAnyone && o.AuthorizedKeys == "" {
		o.AuthorizedKeys = filepath.Join(dir, "authorized_keys")
		if err := os.WriteFile(o.AuthorizedKeys, st.key.Line, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st.keys = o.AuthorizedKeys
	if o.HostKey == "" {
		o.HostKey = filepath.Join(dir, "host_key")
	}
	log := slog.New(slog.NewTextHandler(st.logs, nil))
	srv, err := New(env, hub, o, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st.srv = srv
	st.Client = servetest.Client{Addr: ln.Addr().String(), HostKey: srv.HostKey(), Key: st.key}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	srv.logStart(ln.Addr())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", st.logs.String())
		}
	})
	return st
}

// startOffline is startTest over the embedded data.
func startOffline(t *testing.T, o Options, setup ...func(*Server)) *testServer {
	t.Helper()
	return startTest(t, offlineEnv(t), nil, o, setup...)
}

// openSessions lists the open sessions, oldest first.
func (st *testServer) openSessions() []*session {
	st.srv.mu.Lock()
	defer st.srv.mu.Unlock()
	var out []*session
	for _, ss := range st.srv.sessions {
		out = append(out, ss)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// count reads a counter.
func count(t testing.TB, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// rejects is how many connections or sessions were turned away for r.
func (st *testServer) rejects(t testing.TB, r rejectReason) float64 {
	return count(t, st.srv.metrics.rejects[r])
}

// waitGoroutines waits for the goroutine count to fall to at most n.
func waitGoroutines(n int, d time.Duration) (int, bool) {
	got := runtime.NumGoroutine()
	ok := servetest.Wait(d, func() bool { got = runtime.NumGoroutine(); return got <= n })
	return got, ok
}

// stableGoroutines waits until the goroutine count has not changed for
// 300 ms and returns it.
func stableGoroutines(t *testing.T) int {
	t.Helper()
	n, since := runtime.NumGoroutine(), time.Now()
	if !servetest.Wait(5*time.Second, func() bool {
		if m := runtime.NumGoroutine(); m != n {
			n, since = m, time.Now()
		}
		return time.Since(since) > 300*time.Millisecond
	}) {
		t.Fatalf("goroutine count never settled (%d)", n)
	}
	return n
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	t.arm(d)
	return t
}

// Advance moves the clock on by d and fires the timers due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		t.fireIfDue()
	}
}

// armed counts the timers waiting to fire: those not stopped and not fired
// since they were last set.
func (c *fakeClock) armed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.armed {
			n++
		}
	}
	return n
}

// fakeTimer is a timer of a fakeClock; like a *time.Timer since Go 1.23,
// Stop and Reset drop a value fired but not received.
type fakeTimer struct {
	c     *fakeClock
	ch    chan time.Time
	at    time.Time
	armed bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

// arm sets the timer; call with t.c.mu held.
func (t *fakeTimer) arm(d time.Duration) {
	select {
	case <-t.ch:
	default:
	}
	t.at, t.armed = t.c.now.Add(d), true
	t.fireIfDue()
}

func (t *fakeTimer) fireIfDue() {
	if t.armed && !t.at.After(t.c.now) {
		t.armed = false
		select {
		case t.ch <- t.c.now:
		default:
		}
	}
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.arm(d)
	return was
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.armed = false
	select {
	case <-t.ch:
	default:
	}
	return was
}
