package main

// The tests of `hashdeck serve` as a command: flags, the child process and
// its signals, and the wiring of one poller for every session. The server
// itself is tested in tui/serve.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/tui/serve"
	"github.com/hashdeck/hashdeck/tui/serve/servetest"
)

// serveTestEnv points the configuration and data directories at temporary
// ones so that no user file is read or written.
func serveTestEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("NO_COLOR", "")
	return dir
}

// startServe runs a server for a on loopback with one authorised key and
// returns a client of it.
func startServe(t *testing.T, a *app.App) servetest.Client {
	t.Helper()
	key := servetest.NewKey(t)
	dir := t.TempDir()
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, key.Line, 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &servetest.Buffer{}
	srv, err := serve.New(a.Env, a.Hub, serve.Options{AuthorizedKeys: keys, HostKey: filepath.Join(dir, "host_key"), Notice: a.Notice},
		slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return servetest.Client{Addr: ln.Addr().String(), HostKey: srv.HostKey(), Key: key}
}

// --- flags, data directory ----------------------------------------------------

func TestServeFlags(t *testing.T) {
	serveTestEnv(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, servetest.NewKey(t).Line, 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--offline"}, exitUsage, "refusing to start without --authorized-keys"},
		{[]string{"--offline", "--allow-anyone", "--authorized-keys", keys}, exitUsage, "contradict"},
		{[]string{"--offline", "--allow-anyone", "--max-sessions", "0"}, exitUsage, "--max-sessions"},
		{[]string{"--offline", "--allow-anyone", "--listen", "2222"}, exitUsage, "--listen"},
		{[]string{"--offline", "--allow-anyone", "--theme", "neon"}, exitUsage, "unknown theme"},
		{[]string{"--offline", "--authorized-keys", keys + ".missing"}, exitUsage, "--authorized-keys"},
		{[]string{"--bogus"}, exitUsage, "Run 'hashdeck serve --help'"},
		{[]string{"extra"}, exitUsage, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		code := serveMain(context.Background(), tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if code := serveMain(context.Background(), []string{"--help"}, &out, &errb); code != exitOK {
		t.Errorf("--help: exit %d", code)
	}
	for _, want := range []string{"--authorized-keys", "-allow-anyone", "-max-sessions", "-idle", "-max-session", "-metrics", "-offline", "-data-dir", "-rate-limit", "127.0.0.1:2222"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestServeDataDir(t *testing.T) {
	dir := serveTestEnv(t)
	for flag, want := range map[string]string{"": filepath.Join(dir, "data", "hashdeck"), "/srv/hashdeck": "/srv/hashdeck"} {
		d, err := app.New(context.Background(), app.Options{Offline: true, DataDir: flag})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.DataDir(); err != nil || got != want {
			t.Errorf("--data-dir %q: data directory %q, %v", flag, got, err)
		}
	}
}

// --- the real binary path: signals ------------------------------------------

// TestServeHelperProcess runs `hashdeck serve` in a child process for the
// tests below; it is skipped otherwise.
func TestServeHelperProcess(t *testing.T) {
	args := os.Getenv("HASHDECK_SERVE_HELPER_ARGS")
	if args == "" {
		t.Skip("helper process for the serve tests")
	}
	os.Exit(runServe(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// serveChild is `hashdeck serve` in a child process.
type serveChild struct {
	cmd     *exec.Cmd
	stderr  *servetest.Buffer
	addr    string // SSH
	metrics string // http://…/metrics, when asked for
	exited  chan struct{}
}

// startServeChild runs serve with args in a child process and waits for it to listen.
func startServeChild(t *testing.T, env []string, args ...string) *serveChild {
	t.Helper()
	c := &serveChild{stderr: &servetest.Buffer{}, exited: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$", "-test.count=1")
	c.cmd.Env = append(append(os.Environ(), env...), "HASHDECK_SERVE_HELPER_ARGS="+strings.Join(args, "\x1f"))
	c.cmd.Stdout, c.cmd.Stderr = io.Discard, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			c.cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("child stderr:\n%s", servetest.Tail(c.stderr.String(), 5000))
		}
	})
	addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
	metricsRE := regexp.MustCompile(`url=(http://\S+/metrics)`)
	wantMetrics := strings.Contains(strings.Join(args, " "), "--metrics")
	if !servetest.Wait(30*time.Second, func() bool {
		s := c.stderr.String()
		if m := addrRE.FindStringSubmatch(s); m != nil {
			c.addr = m[1]
		}
		if m := metricsRE.FindStringSubmatch(s); m != nil {
			c.metrics = m[1]
		}
		select {
		case <-c.exited:
			return true
		default:
		}
		return c.addr != "" && (!wantMetrics || c.metrics != "")
	}) || c.addr == "" {
		t.Fatalf("serve did not start:\n%s", c.stderr.String())
	}
	return c
}

func TestServeSIGTERMWithSessionsOpen(t *testing.T) {
	dir := serveTestEnv(t)
	key := servetest.NewKey(t)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, key.Line, 0o600)
	child := startServeChild(t, nil, "--offline", "--listen", "127.0.0.1:0", "--authorized-keys", keys,
		"--data-dir", filepath.Join(dir, "data"), "--metrics", "127.0.0.1:0")

	// The host key was created under --data-dir, mode 0600.
	if info, err := os.Stat(filepath.Join(dir, "data", serve.HostKeyName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v %v", info, err)
	}
	client := servetest.Client{Addr: child.addr, Key: key,
		HostKey: servetest.ReadHostPub(t, filepath.Join(dir, "data", serve.HostKeyName+".pub"))}
	var ptys []*servetest.PTY
	for range 3 {
		p := servetest.OpenPTY(t, client.MustDial(t), 120, 40, "")
		p.WaitText(t, 10*time.Second, "Overview")
		ptys = append(ptys, p)
	}
	if body := servetest.Scrape(t, child.metrics); !strings.Contains(body, "hashdeck_ssh_sessions_open 3") {
		t.Errorf("metrics do not count 3 sessions:\n%s", body)
	}

	start := time.Now()
	if err := child.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-child.exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("still running 5 s after SIGTERM")
	}
	t.Logf("exited %v after SIGTERM with 3 sessions open", time.Since(start).Round(time.Millisecond))
	if code := child.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	for i, p := range ptys {
		p.WaitEnd(t, 2*time.Second)
		if !strings.Contains(p.Text(), "the server is shutting down. Bye.") {
			t.Errorf("session %d got no goodbye", i)
		}
	}
	if logs := child.stderr.String(); !strings.Contains(logs, "msg=stopped") || !strings.Contains(logs, "reason=\"the server is shutting down\"") {
		t.Errorf("log:\n%s", logs)
	}
}

// --- upstream requests are shared ------------------------------------------

// serveCountingUpstream serves the recorded upstream fixtures and counts requests.
func serveCountingUpstream(t *testing.T) (base string, count *atomic.Int64) {
	t.Helper()
	fixtures := standIn(t, liveRoutes())
	target, err := url.Parse(fixtures.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = serveLiveFixture
	count = &atomic.Int64{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	// One connection per request: idle keep-alive connections (two
	// goroutines each in the client) would blur the goroutine counts.
	srv.Config.SetKeepAlivesEnabled(false)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, count
}

// serveLiveFixture makes a recorded answer look live: dated now, and the
// BTC price (every number of five or six digits in the price answers)
// moving ±0.2% over a few minutes, the same at every exchange at a given
// second so that they agree. An idle dashboard then changes as it would
// with the real upstreams: the price's age every second, the price and
// hashprice at every poll.
func serveLiveFixture(r *http.Response) error {
	now := time.Now()
	r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	switch r.Request.URL.Path {
	case "/v2/prices/BTC-USD/spot", "/0/public/Ticker", "/api/v3/simple/price":
	default:
		return nil
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return err
	}
	factor := 1 + 0.002*math.Sin(float64(now.Unix())/97)
	body = regexp.MustCompile(`\b\d{5,6}(\.\d+)?\b`).ReplaceAllFunc(body, func(b []byte) []byte {
		v, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return b
		}
		prec := 0
		if i := bytes.IndexByte(b, '.'); i >= 0 {
			prec = len(b) - i - 1
		}
		return []byte(strconv.FormatFloat(v*factor, 'f', prec, 64))
	})
	body = regexp.MustCompile(`"last_updated_at":\d+`).ReplaceAll(body, []byte(`"last_updated_at":`+strconv.FormatInt(now.Unix(), 10)))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

func TestServeSessionsShareOnePoller(t *testing.T) {
	dir := serveTestEnv(t)
	upstream, requests := serveCountingUpstream(t)
	setStandIn(t, upstream)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	a, err := app.New(context.Background(), app.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a.Poller.Poll(ctx) // one poll, by hand: no timer runs in this test
	perPoll := requests.Load()
	if perPoll == 0 || a.Hub.Current() == nil {
		t.Fatal("the poll made no request")
	}

	client := startServe(t, a)
	const n = 5
	var ptys []*servetest.PTY
	for range n {
		p := servetest.OpenPTY(t, client.MustDial(t), 120, 40, "")
		p.WaitText(t, 10*time.Second, "Overview", "mempool")
		ptys = append(ptys, p)
	}
	if got := a.Hub.Subscribers(); got != n {
		t.Errorf("hub subscribers = %d, want %d (one per session)", got, n)
	}
	// A few one-second ticks in every session: each redraws (the data's
	// age in its status bar) twice.
	for range 2 {
		marks := make([]int, n)
		for i, p := range ptys {
			marks[i] = p.Out.Len()
		}
		for i, p := range ptys {
			if !servetest.Wait(5*time.Second, func() bool { return p.Out.Len() > marks[i] }) {
				t.Fatalf("session %d did not redraw on its own", i)
			}
		}
	}
	if got := requests.Load(); got != perPoll {
		t.Errorf("upstream requests = %d with %d sessions, want %d (one poller for all)", got, n, perPoll)
	}
	for _, p := range ptys {
		p.Stdin.Write([]byte("q"))
		p.WaitEnd(t, 5*time.Second)
	}
	if !servetest.Wait(2*time.Second, func() bool { return a.Hub.Subscribers() == 0 }) {
		t.Errorf("hub subscribers = %d after every session ended", a.Hub.Subscribers())
	}
}
