package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
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
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	gossh "golang.org/x/crypto/ssh"
)

// --- harness ---------------------------------------------------------------

// serveTestBuffer is a goroutine-safe buffer (session output, logs).
type serveTestBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *serveTestBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *serveTestBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func (b *serveTestBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// serveWait polls cond until it holds or d passes.
func serveWait(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serveTestKey is a client key pair.
type serveTestKey struct {
	signer gossh.Signer
	line   []byte // authorized_keys line
	pem    []byte // OpenSSH private key, for the ssh binary
}

func newServeTestKey(t testing.TB) serveTestKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	return serveTestKey{signer: signer, line: gossh.MarshalAuthorizedKey(signer.PublicKey()), pem: pem.EncodeToMemory(block)}
}

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

// serveTestDash is the offline dashboard setup (embedded data only).
func serveTestDash(t *testing.T) *app.App {
	t.Helper()
	serveTestEnv(t)
	d, err := app.New(app.Options{Offline: true, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// serveTest is a running server on loopback.
type serveTest struct {
	srv  *serveServer
	addr string
	logs *serveTestBuffer
	key  serveTestKey // authorised (unless allowAnyone)
	keys string       // authorized_keys path
}

// startServeTest runs a server for d with o (an authorized keys file with
// one fresh key unless o.allowAnyone or o.authorizedKeys is set).
func startServeTest(t *testing.T, d *app.App, o serveOptions) *serveTest {
	t.Helper()
	st := &serveTest{logs: &serveTestBuffer{}, key: newServeTestKey(t)}
	dir := t.TempDir()
	if !o.allowAnyone && o.authorizedKeys == "" {
		o.authorizedKeys = filepath.Join(dir, "authorized_keys")
		if err := os.WriteFile(o.authorizedKeys, st.key.line, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st.keys = o.authorizedKeys
	if o.hostKey == "" {
		o.hostKey = filepath.Join(dir, "host_key")
	}
	if o.maxSessions == 0 {
		o.maxSessions = serveDefaultMaxSessions
	}
	if o.idle == 0 {
		o.idle = serveDefaultIdle
	}
	if o.maxSession == 0 {
		o.maxSession = serveDefaultMaxSession
	}
	o.notice = d.Notice
	log := slog.New(slog.NewTextHandler(st.logs, nil))
	srv, err := newServeServer(d.Env, d.Hub, o, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st.srv, st.addr = srv, ln.Addr().String()
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

// dial connects with the given auth methods (the test key by default).
func (st *serveTest) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	if len(auth) == 0 {
		auth = []gossh.AuthMethod{gossh.PublicKeys(st.key.signer)}
	}
	return gossh.Dial("tcp", st.addr, &gossh.ClientConfig{
		User:            "viewer",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(st.srv.hostKey),
		Timeout:         5 * time.Second,
	})
}

func (st *serveTest) mustDial(t *testing.T, auth ...gossh.AuthMethod) *gossh.Client {
	t.Helper()
	c, err := st.dial(auth...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// serveTestPTY is a dashboard session seen from the client.
type serveTestPTY struct {
	sess   *gossh.Session
	stdin  io.WriteCloser
	out    *serveTestBuffer
	errOut *serveTestBuffer
	done   chan error // Wait's result
}

// openPTY starts the dashboard in a w×h terminal.
func openServePTY(t testing.TB, c *gossh.Client, w, h int, cmd string) *serveTestPTY {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	p := &serveTestPTY{sess: sess, out: &serveTestBuffer{}, errOut: &serveTestBuffer{}, done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = p.out, p.errOut
	if p.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatalf("pty: %v", err)
	}
	if cmd == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(cmd)
	}
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	go func() { p.done <- sess.Wait() }()
	return p
}

// text is everything received, without escape sequences.
func (p *serveTestPTY) text() string { return ansi.Strip(p.out.String()) }

func (p *serveTestPTY) waitText(t testing.TB, d time.Duration, want ...string) {
	t.Helper()
	if !serveWait(d, func() bool {
		s := p.text()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("did not see %q within %v; got:\n%s\nstderr: %s", want, d, serveTail(p.text(), 3000), p.errOut.String())
	}
}

func (p *serveTestPTY) waitEnd(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(d):
		t.Fatalf("session still open after %v; output:\n%s", d, serveTail(p.text(), 2000))
		return nil
	}
}

func serveTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// runNoPTY runs cmd without a terminal and returns stdout, stderr and the exit status.
func runServeNoPTY(t *testing.T, c *gossh.Client, cmd string) (stdout, stderr string, status int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	if cmd == "" {
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		err = sess.Wait()
	} else {
		err = sess.Run(cmd)
	}
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitStatus()
	case err != nil:
		t.Fatalf("%q: %v", cmd, err)
	}
	return out.String(), errb.String(), status
}

// --- the dashboard over SSH -------------------------------------------------

func TestServeDashboardOverSSH(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{})
	c := st.mustDial(t)
	p := openServePTY(t, c, 120, 40, "")
	p.waitText(t, 10*time.Second, "hashdeck", "Overview", "OFFLINE")

	// Resize: a too small window says so, a big one draws again.
	if err := p.sess.WindowChange(20, 60); err != nil {
		t.Fatal(err)
	}
	p.waitText(t, 5*time.Second, "terminal too small: 60×20")
	mark := p.out.Len()
	if err := p.sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	if !serveWait(5*time.Second, func() bool {
		return strings.Contains(ansi.Strip(p.out.String()[mark:]), "Overview")
	}) {
		t.Fatal("no redraw after the window grew back")
	}

	// ctrl+s copies the screen (escape sequences stripped) with OSC 52.
	before := p.out.Len()
	if _, err := p.stdin.Write([]byte{0x13}); err != nil {
		t.Fatal(err)
	}
	var clip string
	osc := regexp.MustCompile(`\x1b\]52;c;([A-Za-z0-9+/=]+)(\x07|\x1b\\)`)
	if !serveWait(5*time.Second, func() bool {
		s := p.out.String()
		m := osc.FindStringSubmatch(s[min(before, len(s)):])
		if m == nil {
			return false
		}
		b, err := base64.StdEncoding.DecodeString(m[1])
		clip = string(b)
		return err == nil
	}) {
		t.Fatalf("no OSC 52 after ctrl+s:\n%q", serveTail(p.out.String(), 500))
	}
	if !strings.Contains(clip, "hashdeck") || !strings.Contains(clip, "Overview") || strings.Contains(clip, "\x1b") {
		t.Errorf("clipboard is not the plain frame:\n%s", clip)
	}
	p.waitText(t, 5*time.Second, "screen copied to your clipboard")

	// q quits: exit status 0, no goodbye (the viewer left).
	if _, err := p.stdin.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if err := p.waitEnd(t, 5*time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
	c.Close()
	if !serveWait(2*time.Second, func() bool { return strings.Contains(st.logs.String(), "msg=disconnect") }) {
		t.Fatal("no disconnect in the log")
	}
	logs := st.logs.String()
	fp := gossh.FingerprintSHA256(st.key.signer.PublicKey())
	for _, want := range []string{`msg="auth accepted"`, `msg="session start"`, "fingerprint=" + fp, "kind=dashboard", "term=xterm-256color", "reason=quit", "duration=", `msg="session end"`, "msg=disconnect"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	// The key itself never appears in the log.
	if b64 := strings.Fields(string(st.key.line))[1]; strings.Contains(logs, b64) || strings.Contains(logs, b64[:20]) {
		t.Errorf("the public key is in the log:\n%s", logs)
	}
}

func TestServeRefusals(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{})
	stranger := newServeTestKey(t)
	for name, auth := range map[string]gossh.AuthMethod{
		"unknown key": gossh.PublicKeys(stranger.signer),
		"password":    gossh.Password("hunter2"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		}),
	} {
		c, err := st.dial(auth)
		if err == nil {
			c.Close()
			t.Errorf("%s: logged in", name)
			continue
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !serveWait(2*time.Second, func() bool { return st.srv.metrics.rejects[serveRejectAuth].Load() == 3 }) {
		t.Errorf("auth rejects = %d, want 3", st.srv.metrics.rejects[serveRejectAuth].Load())
	}
	logs := st.logs.String()
	// (A password or keyboard-interactive client is turned away when it asks
	// which methods there are: only publickey is offered.)
	for _, want := range []string{`msg="auth rejected"`, "method=publickey", "fingerprint=" + gossh.FingerprintSHA256(stranger.signer.PublicKey()), "reason=auth"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "hunter2") {
		t.Error("a password reached the log")
	}
}

func TestServeMaxSessions(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{maxSessions: 1})
	first := openServePTY(t, st.mustDial(t), 100, 30, "")
	first.waitText(t, 10*time.Second, "Overview")

	second := openServePTY(t, st.mustDial(t), 100, 30, "")
	err := second.waitEnd(t, 5*time.Second)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("second session: %v, want exit status 1", err)
	}
	if got := second.errOut.String(); !strings.Contains(got, "server full (1 sessions)") || strings.Count(got, "\n") != 1 {
		t.Errorf("second session was told %q", got)
	}
	if n := st.srv.metrics.rejects[serveRejectFull].Load(); n != 1 {
		t.Errorf("server_full rejects = %d", n)
	}
	// The first is untouched; once it leaves, there is room again.
	first.stdin.Write([]byte("q"))
	first.waitEnd(t, 5*time.Second)
	third := openServePTY(t, st.mustDial(t), 100, 30, "")
	third.waitText(t, 10*time.Second, "Overview")
}

func TestServeWithoutTerminal(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{})
	c := st.mustDial(t)
	_, port, _ := net.SplitHostPort(st.addr)

	// No PTY, no command: the help, exit 0.
	out, _, status := runServeNoPTY(t, c, "")
	if status != 0 || !strings.Contains(out, "ssh -t -p "+port+" 127.0.0.1") || !strings.Contains(out, "ctrl+s") || !strings.Contains(out, "no shell") {
		t.Errorf("help (status %d):\n%s", status, out)
	}

	// snapshot --format txt: the overview at 120×40, plain text.
	out, _, status = runServeNoPTY(t, c, "snapshot --format txt")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if status != 0 || len(lines) != 40 || strings.ContainsRune(out, '\x1b') {
		t.Fatalf("snapshot: status %d, %d lines:\n%s", status, len(lines), out)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 120 {
			t.Errorf("line %d is %d cells wide", i+1, w)
		}
	}
	if !strings.HasPrefix(lines[0], "hashdeck") || !strings.Contains(lines[0], "Overview") || !strings.Contains(out, "OFFLINE") {
		t.Errorf("snapshot is not the overview:\n%s", out)
	}
	if out2, _, _ := runServeNoPTY(t, c, "snapshot"); out2 != out {
		t.Error("snapshot without --format differs from --format txt")
	}

	// Anything else: no exec, no SCP; exit 2 with the help.
	for _, cmd := range []string{"sh -c id", "scp -t /tmp", "snapshot --format png", "dash"} {
		out, _, status := runServeNoPTY(t, c, cmd)
		if status != 2 || !strings.Contains(out, "hashdeck: ") || !strings.Contains(out, "ssh -t") {
			t.Errorf("%q: status %d:\n%s", cmd, status, out)
		}
	}

	// No SFTP subsystem, no port forwarding either way.
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp subsystem accepted")
	}
	sess.Close()
	if conn, err := c.Dial("tcp", st.addr); err == nil {
		conn.Close()
		t.Error("local port forwarding accepted")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("remote port forwarding accepted")
	}
	if n := st.srv.metrics.sessions[serveKindSnapshot].Load(); n != 2 {
		t.Errorf("snapshot sessions = %d", n)
	}
}

func TestServeShutdownWithSessionsOpen(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{})
	var ptys []*serveTestPTY
	for range 3 {
		p := openServePTY(t, st.mustDial(t), 100, 30, "")
		p.waitText(t, 10*time.Second, "Overview")
		ptys = append(ptys, p)
	}
	// A client that stops reading: 1500 clipboard copies (~5 KB each) fill
	// its SSH window and block its program's writes.
	sess, err := st.mustDial(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := sess.StdoutPipe() // never read
	stdin, _ := sess.StdinPipe()
	if err := sess.RequestPty("xterm", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	stdin.Write(bytes.Repeat([]byte{0x13}, 1500))
	_ = stdout
	last, since := uint64(0), time.Now()
	if !serveWait(20*time.Second, func() bool {
		n := st.srv.metrics.bytesSent.Load()
		if n != last {
			last, since = n, time.Now()
		}
		return n > 2<<20 && time.Since(since) > 300*time.Millisecond
	}) {
		t.Fatalf("the stuck client's window did not fill (%d bytes sent)", last)
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), serveShutdownBudget)
	defer cancel()
	st.srv.Shutdown(ctx)
	if d := time.Since(start); d > 4500*time.Millisecond {
		t.Errorf("shutdown took %v", d)
	}
	for i, p := range ptys {
		p.waitEnd(t, 2*time.Second)
		if !strings.Contains(p.text(), "hashdeck: the server is shutting down. Bye.") {
			t.Errorf("session %d got no goodbye:\n%s", i, serveTail(p.text(), 300))
		}
	}
	if _, err := st.dial(); err == nil {
		t.Error("a new connection was accepted after shutdown")
	}
	if !strings.Contains(st.logs.String(), "cutting it off") {
		t.Error("the stuck session was not cut off")
	}
}

// serveGoroutines waits for the goroutine count to fall to at most n.
func serveGoroutines(n int, d time.Duration) (int, bool) {
	got := runtime.NumGoroutine()
	ok := serveWait(d, func() bool { got = runtime.NumGoroutine(); return got <= n })
	return got, ok
}

func TestServeGoroutinesReturnToBaseline(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{})
	// One session first, so that lazily started goroutines are in the baseline.
	c := st.mustDial(t)
	p := openServePTY(t, c, 100, 30, "")
	p.waitText(t, 10*time.Second, "Overview")
	p.stdin.Write([]byte("q"))
	p.waitEnd(t, 5*time.Second)
	c.Close()
	base := serveStableGoroutines(t)

	var clients []*gossh.Client
	for i := range 8 {
		c := st.mustDial(t)
		clients = append(clients, c)
		p := openServePTY(t, c, 100+i, 30, "")
		p.waitText(t, 10*time.Second, "Overview")
		if i%2 == 0 {
			p.stdin.Write([]byte("q")) // half leave, half are cut off
			p.waitEnd(t, 5*time.Second)
		}
	}
	if n := st.srv.openSessions(); n != 4 {
		t.Errorf("%d sessions open, want 4", n)
	}
	for _, c := range clients {
		c.Close()
	}
	if !serveWait(5*time.Second, func() bool { return st.srv.openSessions() == 0 }) {
		t.Errorf("%d sessions still registered", st.srv.openSessions())
	}
	if got, ok := serveGoroutines(base, 5*time.Second); !ok {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d after the sessions closed, baseline %d\n%s", got, base, buf[:runtime.Stack(buf, true)])
	}
}

// serveStableGoroutines waits until the goroutine count has not changed
// for 300 ms and returns it.
func serveStableGoroutines(t *testing.T) int {
	t.Helper()
	n, since := runtime.NumGoroutine(), time.Now()
	if !serveWait(5*time.Second, func() bool {
		if m := runtime.NumGoroutine(); m != n {
			n, since = m, time.Now()
		}
		return time.Since(since) > 300*time.Millisecond
	}) {
		t.Fatalf("goroutine count never settled (%d)", n)
	}
	return n
}

func TestServeIdleAndLifetime(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{idle: 400 * time.Millisecond})
	p := openServePTY(t, st.mustDial(t), 100, 30, "")
	p.waitText(t, 10*time.Second, "Overview")
	// Key presses keep it open past the idle limit…
	for range 8 {
		time.Sleep(100 * time.Millisecond)
		p.stdin.Write([]byte("?"))
	}
	select {
	case err := <-p.done:
		t.Fatalf("ended while keys were pressed: %v", err)
	default:
	}
	// …and without them it ends, with a goodbye. (Redraws do not count.)
	p.waitEnd(t, 3*time.Second)
	if !strings.Contains(p.text(), "no key pressed for 400ms. Bye.") {
		t.Errorf("no idle goodbye:\n%s", serveTail(p.text(), 300))
	}

	st2 := startServeTest(t, serveTestDash(t), serveOptions{maxSession: 500 * time.Millisecond})
	p = openServePTY(t, st2.mustDial(t), 100, 30, "")
	p.waitText(t, 10*time.Second, "Overview")
	for range 10 {
		time.Sleep(100 * time.Millisecond)
		p.stdin.Write([]byte("?"))
	}
	p.waitEnd(t, 3*time.Second)
	if !strings.Contains(p.text(), "the session reached its 500ms limit. Bye.") {
		t.Errorf("no lifetime goodbye:\n%s", serveTail(p.text(), 300))
	}
}

func TestServeAuthorizedKeysReload(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{keysPoll: 50 * time.Millisecond})
	other := newServeTestKey(t)
	if _, err := st.dial(gossh.PublicKeys(other.signer)); err == nil {
		t.Fatal("the other key got in before it was added")
	}
	p := openServePTY(t, st.mustDial(t), 100, 30, "")
	p.waitText(t, 10*time.Second, "Overview")

	// Swap the keys: the other one gets in, the first one's session ends.
	writeKeys := func(lines ...[]byte) {
		tmp := st.keys + ".tmp"
		if err := os.WriteFile(tmp, bytes.Join(lines, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, st.keys); err != nil {
			t.Fatal(err)
		}
	}
	writeKeys([]byte("# the team\n"), other.line, []byte(`from="10.0.0.0/8" `), st.key.line)
	c := st.mustDial(t, gossh.PublicKeys(other.signer))
	p.waitEnd(t, 3*time.Second)
	if !strings.Contains(p.text(), "your key was removed from the authorised keys. Bye.") {
		t.Errorf("no revocation goodbye:\n%s", serveTail(p.text(), 300))
	}
	if _, err := st.dial(); err == nil {
		t.Error("a key with an unsupported option got in")
	}
	if !strings.Contains(st.logs.String(), "key options are not supported") {
		t.Error("the ignored option was not logged")
	}
	q := openServePTY(t, c, 100, 30, "")
	q.waitText(t, 10*time.Second, "Overview")

	// A file others may write lets nobody in.
	if err := os.Chmod(st.keys, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := st.dial(gossh.PublicKeys(other.signer)); err == nil {
		t.Error("logged in with a world-writable authorized keys file")
	}
}

func TestServeAllowAnyone(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{allowAnyone: true})
	var banner string
	c, err := gossh.Dial("tcp", st.addr, &gossh.ClientConfig{
		User: "guest",
		Auth: []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return nil, nil
		})},
		HostKeyCallback: gossh.FixedHostKey(st.srv.hostKey),
		BannerCallback:  func(m string) error { banner = m; return nil },
	})
	if err != nil {
		t.Fatalf("anyone was refused: %v", err)
	}
	defer c.Close()
	if !strings.Contains(banner, "ANYONE") {
		t.Errorf("banner %q", banner)
	}
	p := openServePTY(t, c, 120, 40, "")
	p.waitText(t, 10*time.Second, "Overview", "OPEN TO ANYONE")
	if !strings.Contains(st.logs.String(), "ANYONE CAN LOG IN") {
		t.Error("the log does not say that anyone can log in")
	}
	if out, _, _ := runServeNoPTY(t, c, "help"); !strings.Contains(out, "ANYONE") {
		t.Errorf("help does not say so:\n%s", out)
	}
}

func TestServeRateLimit(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{ratePerMinute: 2})
	for i := range 2 {
		c, err := st.dial()
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		c.Close()
	}
	if c, err := st.dial(); err == nil {
		c.Close()
		t.Fatal("third connection within the minute was accepted")
	}
	for range 3 {
		if c, err := st.dial(); err == nil {
			c.Close()
		}
	}
	if n := st.srv.metrics.rejects[serveRejectRate].Load(); n != 4 {
		t.Errorf("rate_limit rejects = %d, want 4", n)
	}
	// A flood is logged once a minute per address, not once per connection.
	if n := strings.Count(st.logs.String(), "reason=rate_limit"); n != 1 {
		t.Errorf("%d rate_limit lines in the log, want 1", n)
	}

	// The table of addresses stays bounded.
	r := newServeRateLimiter(1)
	for i := range 3 * serveRateEntries {
		r.allow(&net.TCPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)), Port: 1})
	}
	if len(r.ips) > serveRateEntries {
		t.Errorf("%d addresses remembered, at most %d", len(r.ips), serveRateEntries)
	}
}

func TestServeHandshakeTimeout(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{handshakeTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", st.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = io.Copy(io.Discard, conn) // the server's version line, then EOF
	if err != nil || time.Since(start) > 3*time.Second {
		t.Errorf("silent client kept for %v (%v)", time.Since(start), err)
	}
	if !serveWait(2*time.Second, func() bool { return st.srv.metrics.rejects[serveRejectHandshakeTimeout].Load() == 1 }) {
		t.Errorf("handshake_timeout rejects = %d", st.srv.metrics.rejects[serveRejectHandshakeTimeout].Load())
	}
}

// --- upstream requests are shared ------------------------------------------

// serveCountingUpstream serves the recorded upstream fixtures and counts requests.
func serveCountingUpstream(t *testing.T) (base string, count *atomic.Int64) {
	t.Helper()
	fixtures := standIn(t, map[string]string{
		"/api/v1/difficulty-adjustment":   "mempool/difficulty-adjustment",
		"/api/blocks/tip/height":          "mempool/tip-height",
		"/api/v1/mining/hashrate/3d":      "mempool/hashrate-3d",
		"/api/v1/mining/reward-stats/144": "mempool/reward-stats-144",
		"/v2/prices/BTC-USD/spot":         "coinbase/spot",
		"/0/public/Ticker":                "kraken/ticker",
		"/api/v3/simple/price":            "coingecko/price",
		"/api/quote/watchlist":            "nasdaq/watchlist",
	})
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
	d, err := app.New(app.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d.Poller.Poll(ctx) // one poll, by hand: no timer runs in this test
	perPoll := requests.Load()
	if perPoll == 0 || d.Hub.Current() == nil {
		t.Fatal("the poll made no request")
	}

	st := startServeTest(t, d, serveOptions{})
	const n = 5
	var ptys []*serveTestPTY
	for range n {
		p := openServePTY(t, st.mustDial(t), 120, 40, "")
		p.waitText(t, 10*time.Second, "Overview", "mempool")
		ptys = append(ptys, p)
	}
	if got := d.Hub.Subscribers(); got != n {
		t.Errorf("hub subscribers = %d, want %d (one per session)", got, n)
	}
	time.Sleep(1500 * time.Millisecond) // a few one-second ticks in every session
	if got := requests.Load(); got != perPoll {
		t.Errorf("upstream requests = %d with %d sessions, want %d (one poller for all)", got, n, perPoll)
	}
	for _, p := range ptys {
		p.stdin.Write([]byte("q"))
		p.waitEnd(t, 5*time.Second)
	}
	if !serveWait(2*time.Second, func() bool { return d.Hub.Subscribers() == 0 }) {
		t.Errorf("hub subscribers = %d after every session ended", d.Hub.Subscribers())
	}
}

// --- flags, host key, commands ----------------------------------------------

func TestServeFlags(t *testing.T) {
	serveTestEnv(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, newServeTestKey(t).line, 0o600)
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

func TestServeHostKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ssh_host_ed25519")
	s1, created, err := serveLoadHostKey(path)
	if err != nil || !created {
		t.Fatalf("create: %v, %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", info.Mode(), err)
	}
	if s1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("key type %s", s1.PublicKey().Type())
	}
	if pub, err := os.ReadFile(path + ".pub"); err != nil || !bytes.Equal(pub, gossh.MarshalAuthorizedKey(s1.PublicKey())) {
		t.Errorf(".pub file: %v", err)
	}
	s2, created, err := serveLoadHostKey(path)
	if err != nil || created || !bytes.Equal(s1.PublicKey().Marshal(), s2.PublicKey().Marshal()) {
		t.Errorf("reload: created %v, err %v, same key %v", created, err, err == nil && bytes.Equal(s1.PublicKey().Marshal(), s2.PublicKey().Marshal()))
	}
	os.Chmod(path, 0o644)
	if _, _, err := serveLoadHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a readable host key was accepted: %v", err)
	}
}

func TestParseServeCommand(t *testing.T) {
	for _, tc := range []struct {
		args    string
		pty     bool
		kind    int
		theme   string
		noColor bool
		bad     bool
	}{
		{"", true, serveKindDashboard, "", false, false},
		{"", false, serveKindHelp, "", false, false},
		{"help", true, serveKindHelp, "", false, false},
		{"--help", false, serveKindHelp, "", false, false},
		{"snapshot", false, serveKindSnapshot, "", false, false},
		{"snapshot --format txt", true, serveKindSnapshot, "", false, false},
		{"snapshot --format=txt", false, serveKindSnapshot, "", false, false},
		{"snapshot --format svg", false, serveKindHelp, "", false, true},
		{"snapshot now", false, serveKindHelp, "", false, true},
		{"dash --theme light --no-color", true, serveKindDashboard, "light", true, false},
		{"--no-color", true, serveKindDashboard, "", true, false},
		{"dash --theme neon", true, serveKindHelp, "", false, true},
		{"dash", false, serveKindHelp, "", false, true},
		{"bash", true, serveKindHelp, "", false, true},
		{"sftp-server", false, serveKindHelp, "", false, true},
	} {
		r := parseServeCommand(strings.Fields(tc.args), tc.pty)
		if r.kind != tc.kind || r.theme != tc.theme || r.noColor != tc.noColor || (r.err != "") != tc.bad {
			t.Errorf("%q (pty %v) = %+v", tc.args, tc.pty, r)
		}
	}
	if got := serveTrim("a\x1b[31mb\nc", 100); got != "a?[31mb?c" {
		t.Errorf("serveTrim: %q", got)
	}
}

func TestServeShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30m", 24 * time.Hour: "24h", 90 * time.Second: "1m30s", 400 * time.Millisecond: "400ms"} {
		if got := serveShortDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
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
	stderr  *serveTestBuffer
	addr    string // SSH
	metrics string // http://…/metrics, when asked for
	exited  chan struct{}
}

// startServeChild runs serve with args in a child process and waits for it to listen.
func startServeChild(t *testing.T, env []string, args ...string) *serveChild {
	t.Helper()
	c := &serveChild{stderr: &serveTestBuffer{}, exited: make(chan struct{})}
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
			t.Logf("child stderr:\n%s", serveTail(c.stderr.String(), 5000))
		}
	})
	addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
	metricsRE := regexp.MustCompile(`url=(http://\S+/metrics)`)
	wantMetrics := strings.Contains(strings.Join(args, " "), "--metrics")
	if !serveWait(30*time.Second, func() bool {
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
	key := newServeTestKey(t)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, key.line, 0o600)
	child := startServeChild(t, nil, "--offline", "--listen", "127.0.0.1:0", "--authorized-keys", keys,
		"--data-dir", filepath.Join(dir, "data"), "--metrics", "127.0.0.1:0")

	// The host key was created under --data-dir, mode 0600.
	if info, err := os.Stat(filepath.Join(dir, "data", serveHostKeyName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v %v", info, err)
	}
	st := &serveTest{addr: child.addr, key: key}
	st.srv = &serveServer{}
	st.srv.hostKey = serveReadHostPub(t, filepath.Join(dir, "data", serveHostKeyName+".pub"))
	var ptys []*serveTestPTY
	for range 3 {
		p := openServePTY(t, st.mustDial(t), 120, 40, "")
		p.waitText(t, 10*time.Second, "Overview")
		ptys = append(ptys, p)
	}
	if body := serveScrape(t, child.metrics); !strings.Contains(body, "hashdeck_ssh_sessions_open 3") {
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
		p.waitEnd(t, 2*time.Second)
		if !strings.Contains(p.text(), "the server is shutting down. Bye.") {
			t.Errorf("session %d got no goodbye", i)
		}
	}
	if logs := child.stderr.String(); !strings.Contains(logs, "msg=stopped") || !strings.Contains(logs, "reason=\"the server is shutting down\"") {
		t.Errorf("log:\n%s", logs)
	}
}

func serveReadHostPub(t *testing.T, path string) gossh.PublicKey {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, err := gossh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serveScrape(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

// --- the real OpenSSH client ------------------------------------------------

func TestServeOpenSSHClient(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no ssh client installed")
	}
	st := startServeTest(t, serveTestDash(t), serveOptions{maxSessions: 1})
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, st.key.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	stranger := filepath.Join(dir, "stranger")
	if err := os.WriteFile(stranger, newServeTestKey(t).pem, 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(st.addr)
	ssh := func(extra ...string) *exec.Cmd {
		args := append([]string{"-F", "/dev/null", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"}, extra...)
		cmd := exec.Command(sshBin, args...)
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=", "HOME="+dir, "TERM=xterm-256color")
		return cmd
	}
	exitCode := func(err error) int {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("ssh: %v", err)
		}
		return 0
	}

	// Refused: an unknown key, a password, keyboard-interactive.
	for name, args := range map[string][]string{
		"unknown key":          {"-i", stranger},
		"password":             {"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password"},
		"keyboard-interactive": {"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=keyboard-interactive"},
	} {
		out, err := ssh(append(args, "-T", "127.0.0.1")...).CombinedOutput()
		if code := exitCode(err); code != 255 || !strings.Contains(string(out), "Permission denied") {
			t.Errorf("%s: exit %d: %s", name, code, out)
		}
	}

	// No terminal: the help; snapshot: the text frame.
	out, err := ssh("-i", keyFile, "-T", "127.0.0.1").Output()
	if exitCode(err) != 0 || !strings.Contains(string(out), "ssh -t -p "+port) {
		t.Errorf("no PTY: %v\n%s", err, out)
	}
	out, err = ssh("-i", keyFile, "127.0.0.1", "snapshot", "--format", "txt").Output()
	if exitCode(err) != 0 || strings.Count(string(out), "\n") != 40 || !strings.Contains(string(out), "Overview") {
		t.Errorf("snapshot: %v\n%s", err, out)
	}

	// The dashboard with -tt; a second viewer finds the server full.
	dash := ssh("-i", keyFile, "-tt", "127.0.0.1")
	screen := &serveTestBuffer{}
	dash.Stdout, dash.Stderr = screen, screen
	stdin, _ := dash.StdinPipe()
	if err := dash.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- dash.Wait() }()
	if !serveWait(10*time.Second, func() bool {
		s := ansi.Strip(screen.String())
		return strings.Contains(s, "hashdeck") && strings.Contains(s, "Overview")
	}) {
		t.Fatalf("the dashboard did not appear:\n%s", screen.String())
	}
	out, err = ssh("-i", keyFile, "-tt", "127.0.0.1").CombinedOutput()
	if code := exitCode(err); code != 1 || !strings.Contains(string(out), "server full (1 sessions)") {
		t.Errorf("second viewer: exit %d: %q", code, out)
	}
	stdin.Write([]byte("?")) // still alive and answering keys
	if !serveWait(5*time.Second, func() bool { return strings.Contains(ansi.Strip(screen.String()), "show or hide this help") }) {
		t.Error("no help after ?")
	}

	// Shutdown with the viewer connected: a goodbye, then ssh exits.
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), serveShutdownBudget)
	defer cancel()
	st.srv.Shutdown(ctx)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		dash.Process.Kill()
		t.Fatal("ssh still connected 5 s after shutdown")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if !strings.Contains(screen.String(), "hashdeck: the server is shutting down. Bye.") {
		t.Errorf("no goodbye:\n%s", serveTail(screen.String(), 400))
	}
}

func TestServeWindow(t *testing.T) {
	for _, tc := range [][4]int{{0, 0, 80, 24}, {120, 0, 120, 24}, {100, 30, 100, 30}, {4000, 1000, 512, 200}} {
		if w, h := serveWindow(tc[0], tc[1]); w != tc[2] || h != tc[3] {
			t.Errorf("%d×%d → %d×%d, want %d×%d", tc[0], tc[1], w, h, tc[2], tc[3])
		}
	}
}

// TestServeMasksSecrets: what would reveal an API key or the configuration
// path is masked in frames, clipboard copies and snapshots (here a word
// that is surely on screen stands in for a key).
func TestServeMasksSecrets(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{secrets: []string{"embedded data"}})
	c := st.mustDial(t)
	p := openServePTY(t, c, 120, 40, "")
	p.waitText(t, 10*time.Second, "Overview", "OFFLINE")
	p.stdin.Write([]byte{0x13})
	p.waitText(t, 5*time.Second, "screen copied")
	if strings.Contains(p.text(), "embedded data") || !strings.Contains(p.text(), "*************") {
		t.Errorf("the secret is on screen:\n%s", p.text())
	}
	clip := regexp.MustCompile(`\x1b\]52;c;([A-Za-z0-9+/=]+)`).FindStringSubmatch(p.out.String())
	if clip == nil {
		t.Fatal("no clipboard copy")
	}
	if b, _ := base64.StdEncoding.DecodeString(clip[1]); strings.Contains(string(b), "embedded data") {
		t.Error("the secret is in the clipboard copy")
	}
	if out, _, _ := runServeNoPTY(t, c, "snapshot"); strings.Contains(out, "embedded data") || !strings.Contains(out, "OFFLINE") {
		t.Errorf("the secret is in the snapshot:\n%s", out)
	}
}

// TestServeTerminalFactsPerSession: colour profile, NO_COLOR and the
// background answer belong to each session; two sessions open at once
// with different terminals each get their own.
func TestServeTerminalFactsPerSession(t *testing.T) {
	st := startServeTest(t, serveTestDash(t), serveOptions{})
	open := func(term string, env map[string]string) *serveTestPTY {
		c := st.mustDial(t)
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range env {
			if err := sess.Setenv(k, v); err != nil {
				t.Fatal(err)
			}
		}
		p := &serveTestPTY{sess: sess, out: &serveTestBuffer{}, errOut: &serveTestBuffer{}, done: make(chan error, 1)}
		sess.Stdout, sess.Stderr = p.out, p.errOut
		p.stdin, _ = sess.StdinPipe()
		if err := sess.RequestPty(term, 40, 120, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		go func() { p.done <- sess.Wait() }()
		p.waitText(t, 10*time.Second, "Overview")
		return p
	}
	color256 := open("xterm-256color", nil)
	ansi16 := open("xterm", nil)
	mono := open("xterm-256color", map[string]string{"NO_COLOR": "1"})

	// The terminal's answer to the background query picks the theme.
	color256.stdin.Write([]byte("\x1b]11;rgb:ffff/ffff/ffff\x1b\\")) // light
	ansi16.stdin.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))   // dark
	color256.waitText(t, 5*time.Second, "theme light")
	ansi16.waitText(t, 5*time.Second, "theme dark")
	mono.waitText(t, 5*time.Second, "(no colour)")

	sgr := regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	colours := func(p *serveTestPTY) (ext, basic bool) {
		for _, m := range sgr.FindAllStringSubmatch(p.out.String(), -1) {
			for _, f := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
				switch n, _ := strconv.Atoi(f); {
				case f == "38" || f == "48":
					ext = true
				case n >= 30 && n <= 37 || n >= 90 && n <= 97:
					basic = true
				}
			}
		}
		return ext, basic
	}
	if ext, _ := colours(color256); !ext {
		t.Error("xterm-256color got no 256-colour sequences")
	}
	if ext, basic := colours(ansi16); ext || !basic {
		t.Errorf("xterm: 256-colour sequences %v, basic colours %v; want only basic", ext, basic)
	}
	if ext, basic := colours(mono); ext || basic {
		t.Errorf("NO_COLOR: colour sequences (256 %v, basic %v)", ext, basic)
	}
}

func TestServeAddressesAndDataDir(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:2222": true, "[::1]:2222": true, "0.0.0.0:2222": false, "192.168.1.5:22": false, ":2222": false} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := serveIsLoopback(tcp); got != want {
			t.Errorf("%s: loopback %v", addr, got)
		}
	}
	dir := serveTestEnv(t)
	for flag, want := range map[string]string{"": filepath.Join(dir, "data", "hashdeck"), "/srv/hashdeck": "/srv/hashdeck"} {
		d, err := app.New(app.Options{Offline: true, DataDir: flag})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.DataDir(); err != nil || got != want {
			t.Errorf("--data-dir %q: data directory %q, %v", flag, got, err)
		}
	}
}
