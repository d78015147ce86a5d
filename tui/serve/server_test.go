package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/tui/serve/servetest"
)

// --- the dashboard over SSH -------------------------------------------------

func TestServeDashboardOverSSH(t *testing.T) {
	st := startOffline(t, Options{})
	c := st.MustDial(t)
	p := servetest.OpenPTY(t, c, 120, 40, "")
	p.WaitText(t, 10*time.Second, "hashdeck", "Overview", "OFFLINE")

	// Resize: a too small window says so, a big one draws again.
	if err := p.Sess.WindowChange(20, 60); err != nil {
		t.Fatal(err)
	}
	p.WaitText(t, 5*time.Second, "terminal too small: 60×20")
	mark := p.Out.Len()
	if err := p.Sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	if !servetest.Wait(5*time.Second, func() bool {
		return strings.Contains(ansi.Strip(p.Out.String()[mark:]), "Overview")
	}) {
		t.Fatal("no redraw after the window grew back")
	}

	// ctrl+s copies the screen (escape sequences stripped) with OSC 52.
	before := p.Out.Len()
	if _, err := p.Stdin.Write([]byte{0x13}); err != nil {
		t.Fatal(err)
	}
	var clip string
	osc := regexp.MustCompile(`\x1b\]52;c;([A-Za-z0-9+/=]+)(\x07|\x1b\\)`)
	if !servetest.Wait(5*time.Second, func() bool {
		s := p.Out.String()
		m := osc.FindStringSubmatch(s[min(before, len(s)):])
		if m == nil {
			return false
		}
		b, err := base64.StdEncoding.DecodeString(m[1])
		clip = string(b)
		return err == nil
	}) {
		t.Fatalf("no OSC 52 after ctrl+s:\n%q", servetest.Tail(p.Out.String(), 500))
	}
	if !strings.Contains(clip, "hashdeck") || !strings.Contains(clip, "Overview") || strings.Contains(clip, "\x1b") {
		t.Errorf("clipboard is not the plain frame:\n%s", clip)
	}
	p.WaitText(t, 5*time.Second, "screen copied to your clipboard")

	// q quits: exit status 0, no goodbye (the viewer left).
	if _, err := p.Stdin.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitEnd(t, 5*time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
	c.Close()
	if !servetest.Wait(2*time.Second, func() bool { return strings.Contains(st.logs.String(), "msg=disconnect") }) {
		t.Fatal("no disconnect in the log")
	}
	logs := st.logs.String()
	fp := gossh.FingerprintSHA256(st.key.Signer.PublicKey())
	for _, want := range []string{`msg="auth accepted"`, `msg="session start"`, "fingerprint=" + fp, "kind=dashboard", "term=xterm-256color", "reason=quit", "duration=", `msg="session end"`, "msg=disconnect"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	// The key itself never appears in the log.
	if b64 := strings.Fields(string(st.key.Line))[1]; strings.Contains(logs, b64) || strings.Contains(logs, b64[:20]) {
		t.Errorf("the public key is in the log:\n%s", logs)
	}
}

func TestServeRefusals(t *testing.T) {
	st := startOffline(t, Options{})
	stranger := servetest.NewKey(t)
	for name, auth := range map[string]gossh.AuthMethod{
		"unknown key": gossh.PublicKeys(stranger.Signer),
		"password":    gossh.Password("hunter2"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		}),
	} {
		c, err := st.Dial(auth)
		if err == nil {
			c.Close()
			t.Errorf("%s: logged in", name)
			continue
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !servetest.Wait(2*time.Second, func() bool { return st.rejects(t, rejectAuth) == 3 }) {
		t.Errorf("auth rejects = %v, want 3", st.rejects(t, rejectAuth))
	}
	logs := st.logs.String()
	// (A password or keyboard-interactive client is turned away when it asks
	// which methods there are: only publickey is offered.)
	for _, want := range []string{`msg="auth rejected"`, "method=publickey", "fingerprint=" + gossh.FingerprintSHA256(stranger.Signer.PublicKey()), "reason=auth"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "hunter2") {
		t.Error("a password reached the log")
	}

	// A client with nothing to offer (it tries "none" only) is refused
	// too: only --allow-anyone lets it in.
	c, err := gossh.Dial("tcp", st.Addr, &gossh.ClientConfig{User: "viewer", HostKeyCallback: gossh.FixedHostKey(st.HostKey), Timeout: 5 * time.Second})
	if err == nil {
		c.Close()
		t.Error("a client without a key logged in")
	}
	if !servetest.Wait(2*time.Second, func() bool { return st.rejects(t, rejectAuth) == 4 }) {
		t.Errorf("auth rejects = %v, want 4", st.rejects(t, rejectAuth))
	}
}

func TestServeMaxSessions(t *testing.T) {
	st := startOffline(t, Options{MaxSessions: 1})
	first := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	first.WaitText(t, 10*time.Second, "Overview")

	second := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	err := second.WaitEnd(t, 5*time.Second)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("second session: %v, want exit status 1", err)
	}
	if got := second.ErrOut.String(); !strings.Contains(got, "server full (1 sessions)") || strings.Count(got, "\n") != 1 {
		t.Errorf("second session was told %q", got)
	}
	if n := st.rejects(t, rejectFull); n != 1 {
		t.Errorf("server_full rejects = %v", n)
	}
	// The first is untouched; once it leaves, there is room again.
	first.Stdin.Write([]byte("q"))
	first.WaitEnd(t, 5*time.Second)
	third := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	third.WaitText(t, 10*time.Second, "Overview")
}

func TestServeWithoutTerminal(t *testing.T) {
	st := startOffline(t, Options{})
	c := st.MustDial(t)
	_, port, _ := net.SplitHostPort(st.Addr)

	// No PTY, no command: the help, exit 0.
	out, _, status := servetest.Run(t, c, "")
	if status != 0 || !strings.Contains(out, "ssh -t -p "+port+" 127.0.0.1") || !strings.Contains(out, "ctrl+s") || !strings.Contains(out, "no shell") {
		t.Errorf("help (status %d):\n%s", status, out)
	}

	// snapshot --format txt: the overview at 120×40, plain text.
	out, _, status = servetest.Run(t, c, "snapshot --format txt")
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
	if out2, _, _ := servetest.Run(t, c, "snapshot"); out2 != out {
		t.Error("snapshot without --format differs from --format txt")
	}

	// Anything else: no exec, no SCP; exit 2 with the help.
	for _, cmd := range []string{"sh -c id", "scp -t /tmp", "snapshot --format png", "dash"} {
		out, _, status := servetest.Run(t, c, cmd)
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
	if conn, err := c.Dial("tcp", st.Addr); err == nil {
		conn.Close()
		t.Error("local port forwarding accepted")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("remote port forwarding accepted")
	}
	if n := count(t, st.srv.metrics.sessions[kindSnapshot]); n != 2 {
		t.Errorf("snapshot sessions = %v", n)
	}
}

func TestServeShutdownWithSessionsOpen(t *testing.T) {
	st := startOffline(t, Options{})
	var ptys []*servetest.PTY
	for range 3 {
		p := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
		p.WaitText(t, 10*time.Second, "Overview")
		ptys = append(ptys, p)
	}
	// A client that stops reading: 1500 clipboard copies (~5 KB each) fill
	// its SSH window and block the writes to it (the Screen's writer; the
	// program's event loop is not held by them).
	sess, err := st.MustDial(t).NewSession()
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
	last, since := 0.0, time.Now()
	if !servetest.Wait(20*time.Second, func() bool {
		n := count(t, st.srv.metrics.sent)
		if n != last {
			last, since = n, time.Now()
		}
		return n > 2<<20 && time.Since(since) > 300*time.Millisecond
	}) {
		t.Fatalf("the stuck client's window did not fill (%v bytes sent)", last)
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownBudget)
	defer cancel()
	st.srv.Shutdown(ctx)
	if d := time.Since(start); d > 4500*time.Millisecond {
		t.Errorf("shutdown took %v", d)
	}
	for i, p := range ptys {
		p.WaitEnd(t, 2*time.Second)
		if !strings.Contains(p.Text(), "hashdeck: the server is shutting down. Bye.") {
			t.Errorf("session %d got no goodbye:\n%s", i, servetest.Tail(p.Text(), 300))
		}
	}
	if _, err := st.Dial(); err == nil {
		t.Error("a new connection was accepted after shutdown")
	}
	// Every session ended, the stuck one included, within the budget.
	if servetest.Wait(2*time.Second, func() bool { return st.srv.OpenSessions() == 0 }) == false {
		t.Errorf("%d sessions still open after shutdown", st.srv.OpenSessions())
	}
	if n := strings.Count(st.logs.String(), `msg="session end"`); n != len(ptys)+1 {
		t.Errorf("%d sessions ended, want %d (the stuck one included):\n%s", n, len(ptys)+1, st.logs.String())
	}
}

func TestServeGoroutinesReturnToBaseline(t *testing.T) {
	st := startOffline(t, Options{})
	// One session first, so that lazily started goroutines are in the baseline.
	c := st.MustDial(t)
	p := servetest.OpenPTY(t, c, 100, 30, "")
	p.WaitText(t, 10*time.Second, "Overview")
	p.Stdin.Write([]byte("q"))
	p.WaitEnd(t, 5*time.Second)
	c.Close()
	base := stableGoroutines(t)

	var clients []*gossh.Client
	for i := range 8 {
		c := st.MustDial(t)
		clients = append(clients, c)
		p := servetest.OpenPTY(t, c, 100+i, 30, "")
		p.WaitText(t, 10*time.Second, "Overview")
		if i%2 == 0 {
			p.Stdin.Write([]byte("q")) // half leave, half are cut off
			p.WaitEnd(t, 5*time.Second)
		}
	}
	if n := st.srv.OpenSessions(); n != 4 {
		t.Errorf("%d sessions open, want 4", n)
	}
	for _, c := range clients {
		c.Close()
	}
	if !servetest.Wait(5*time.Second, func() bool { return st.srv.OpenSessions() == 0 }) {
		t.Errorf("%d sessions still registered", st.srv.OpenSessions())
	}
	if got, ok := waitGoroutines(base, 5*time.Second); !ok {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d after the sessions closed, baseline %d\n%s", got, base, buf[:runtime.Stack(buf, true)])
	}
}

// When the last session goes, and only then, the server gives the memory
// back (lastGone, debug.FreeOSMemory in production).
func TestServeLastSessionReturnsMemory(t *testing.T) {
	var calls atomic.Int32
	st := startOffline(t, Options{}, func(s *Server) { s.lastGone = func() { calls.Add(1) } })
	var clients []*gossh.Client
	for range 2 {
		c := st.MustDial(t)
		clients = append(clients, c)
		servetest.OpenPTY(t, c, 100, 30, "").WaitText(t, 10*time.Second, "Overview")
	}
	clients[0].Close()
	if !servetest.Wait(5*time.Second, func() bool { return st.srv.OpenSessions() == 1 }) {
		t.Fatalf("%d sessions open, want 1", st.srv.OpenSessions())
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("lastGone ran %d times with a session still open", n)
	}
	clients[1].Close()
	if !servetest.Wait(5*time.Second, func() bool { return calls.Load() == 1 }) {
		t.Errorf("lastGone ran %d times after the last session closed, want 1", calls.Load())
	}
}

// A session's program starts on the tickGrid, after its first frame is
// out: bubbletea's per-program ticker then fires in step with the other
// sessions' instead of waking the process once per session.
func TestServeProgramsStartOnTheGrid(t *testing.T) {
	clock := newFakeClock()
	clock.Advance(37 * time.Millisecond) // off the grid
	waits, release := make(chan time.Duration, 4), make(chan struct{})
	st := startOffline(t, Options{}, func(s *Server) {
		s.clock = clock
		s.sleep = func(d time.Duration) { waits <- d; <-release } // the program waits until the test says
	})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	p := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	var d time.Duration
	select {
	case d = <-waits:
	case <-time.After(10 * time.Second):
		t.Fatal("the session never waited for the grid")
	}
	if end := clock.Now().Add(d); d <= 0 || d > tickGrid || end.Truncate(tickGrid) != end {
		t.Errorf("waited %v from %v: does not end on the %v grid", d, clock.Now(), tickGrid)
	}
	p.WaitText(t, 10*time.Second, "Overview") // drawn while the program waits
	once.Do(func() { close(release) })
}

// TestServeIdleAndLifetime drives the session limits with a fake clock:
// every step waits for the session's watcher to have seen the new time
// (its two timers armed again), never for wall time to pass.
func TestServeIdleAndLifetime(t *testing.T) {
	// settled waits until the watcher has taken in the clock's last move, or
	// the session has ended.
	settled := func(clk *fakeClock, p *servetest.PTY) {
		t.Helper()
		if !servetest.Wait(5*time.Second, func() bool { return clk.armed() == 2 || p.Ended() }) {
			t.Fatalf("the session's timers were not armed again (%d armed)", clk.armed())
		}
	}
	press := func(st *testServer, clk *fakeClock, p *servetest.PTY) {
		t.Helper()
		if _, err := p.Stdin.Write([]byte("?")); err != nil {
			t.Fatal(err)
		}
		ss := st.openSessions()[0]
		want := clk.Now().UnixNano()
		if !servetest.Wait(5*time.Second, func() bool { return ss.lastInput.Load() == want || p.Ended() }) {
			t.Fatal("the key press was not recorded")
		}
	}

	clk := newFakeClock()
	st := startOffline(t, Options{Idle: 400 * time.Millisecond}, func(s *Server) { s.clock = clk })
	p := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	p.WaitText(t, 10*time.Second, "Overview")
	settled(clk, p)
	// Key presses keep it open past the idle limit…
	for range 8 {
		clk.Advance(100 * time.Millisecond)
		settled(clk, p)
		press(st, clk, p)
	}
	if p.Ended() {
		t.Fatalf("ended while keys were pressed: %v", p.WaitEnd(t, 0))
	}
	// …and without them it ends, with a goodbye. (Redraws do not count.)
	clk.Advance(400 * time.Millisecond)
	p.WaitEnd(t, 3*time.Second)
	if !strings.Contains(p.Text(), "no key pressed for 400ms. Bye.") {
		t.Errorf("no idle goodbye:\n%s", servetest.Tail(p.Text(), 300))
	}

	clk = newFakeClock()
	st2 := startOffline(t, Options{MaxSession: 500 * time.Millisecond}, func(s *Server) { s.clock = clk })
	p = servetest.OpenPTY(t, st2.MustDial(t), 100, 30, "")
	p.WaitText(t, 10*time.Second, "Overview")
	settled(clk, p)
	for i := range 10 {
		clk.Advance(100 * time.Millisecond)
		settled(clk, p)
		if p.Ended() {
			if i < 4 {
				t.Fatalf("ended after %d ms", (i+1)*100)
			}
			break
		}
		press(st2, clk, p)
	}
	p.WaitEnd(t, 3*time.Second)
	if !strings.Contains(p.Text(), "the session reached its 500ms limit. Bye.") {
		t.Errorf("no lifetime goodbye:\n%s", servetest.Tail(p.Text(), 300))
	}
}

func TestServeAuthorizedKeysReload(t *testing.T) {
	st := startOffline(t, Options{KeysPoll: 50 * time.Millisecond})
	other := servetest.NewKey(t)
	if _, err := st.Dial(gossh.PublicKeys(other.Signer)); err == nil {
		t.Fatal("the other key got in before it was added")
	}
	p := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	p.WaitText(t, 10*time.Second, "Overview")

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
	writeKeys([]byte("# the team\n"), other.Line, []byte(`from="10.0.0.0/8" `), st.key.Line)
	c := st.MustDial(t, gossh.PublicKeys(other.Signer))
	p.WaitEnd(t, 3*time.Second)
	if !strings.Contains(p.Text(), "your key was removed from the authorised keys. Bye.") {
		t.Errorf("no revocation goodbye:\n%s", servetest.Tail(p.Text(), 300))
	}
	// Found in review: rejects{reason="revoked"} stayed 0 after sessions
	// were ended by revocation.
	if n := st.rejects(t, rejectRevoked); n != 1 {
		t.Errorf("revoked rejects %v, want 1 (the session ended)", n)
	}
	if _, err := st.Dial(); err == nil {
		t.Error("a key with an unsupported option got in")
	}
	if !strings.Contains(st.logs.String(), "key options are not supported") {
		t.Error("the ignored option was not logged")
	}
	q := servetest.OpenPTY(t, c, 100, 30, "")
	q.WaitText(t, 10*time.Second, "Overview")

	// A file others may write lets nobody in.
	if err := os.Chmod(st.keys, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Dial(gossh.PublicKeys(other.Signer)); err == nil {
		t.Error("logged in with a world-writable authorized keys file")
	}
}

func TestServeAllowAnyone(t *testing.T) {
	st := startOffline(t, Options{AllowAnyone: true})
	var banner string
	c, err := gossh.Dial("tcp", st.Addr, &gossh.ClientConfig{
		User: "guest",
		Auth: []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return nil, nil
		})},
		HostKeyCallback: gossh.FixedHostKey(st.HostKey),
		BannerCallback:  func(m string) error { banner = m; return nil },
	})
	if err != nil {
		t.Fatalf("anyone was refused: %v", err)
	}
	defer c.Close()
	if !strings.Contains(banner, "ANYONE") {
		t.Errorf("banner %q", banner)
	}
	p := servetest.OpenPTY(t, c, 120, 40, "")
	p.WaitText(t, 10*time.Second, "Overview", "OPEN TO ANYONE")
	if !strings.Contains(st.logs.String(), "ANYONE CAN LOG IN") {
		t.Error("the log does not say that anyone can log in")
	}
	if out, _, _ := servetest.Run(t, c, "help"); !strings.Contains(out, "ANYONE") {
		t.Errorf("help does not say so:\n%s", out)
	}
}

// TestServeAllowAnyoneWithoutKey is issue 13 row 10: with --allow-anyone a
// client with no key at all (nor keyboard-interactive) got "Permission
// denied (publickey,keyboard-interactive)"; it gets in through the "none"
// method now, and so does a client offering a key nobody listed.
func TestServeAllowAnyoneWithoutKey(t *testing.T) {
	st := startOffline(t, Options{AllowAnyone: true})
	c, err := gossh.Dial("tcp", st.Addr, &gossh.ClientConfig{
		User:            "guest",
		HostKeyCallback: gossh.FixedHostKey(st.HostKey),
		Timeout:         5 * time.Second,
	}) // no auth method: the client tries "none" only
	if err != nil {
		t.Fatalf("a client without a key was refused: %v", err)
	}
	defer c.Close()
	p := servetest.OpenPTY(t, c, 120, 40, "")
	p.WaitText(t, 10*time.Second, "Overview", "OPEN TO ANYONE")
	p.Stdin.Write([]byte("q"))
	p.WaitEnd(t, 5*time.Second)
	c.Close()
	if !servetest.Wait(2*time.Second, func() bool { return strings.Contains(st.logs.String(), "msg=disconnect") }) {
		t.Error("no disconnect in the log")
	}
	if logs := st.logs.String(); !strings.Contains(logs, `msg="auth accepted"`) || !strings.Contains(logs, "method=none") {
		t.Errorf("the keyless login is not logged:\n%s", logs)
	}
	stranger := st.MustDial(t, gossh.PublicKeys(servetest.NewKey(t).Signer))
	if out, _, status := servetest.Run(t, stranger, "help"); status != 0 || !strings.Contains(out, "ANYONE") {
		t.Errorf("an unlisted key: status %d\n%s", status, out)
	}

	// And the real client: no key, no agent, no prompt (BatchMode).
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no ssh client installed")
	}
	_, port, _ := net.SplitHostPort(st.Addr)
	home := t.TempDir()
	cmd := exec.Command(sshBin, "-F", "/dev/null", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentityFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5",
		"-T", "127.0.0.1", "help")
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=", "HOME="+home)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ANYONE") {
		t.Errorf("ssh without a key: %v\n%s", err, out)
	}
}

func TestServeRateLimit(t *testing.T) {
	st := startOffline(t, Options{RatePerMinute: 2})
	for i := range 2 {
		c, err := st.Dial()
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		c.Close()
	}
	if c, err := st.Dial(); err == nil {
		c.Close()
		t.Fatal("third connection within the minute was accepted")
	}
	for range 3 {
		if c, err := st.Dial(); err == nil {
			c.Close()
		}
	}
	if n := st.rejects(t, rejectRate); n != 4 {
		t.Errorf("rate_limit rejects = %v, want 4", n)
	}
	// A flood is logged once a minute per address, not once per connection.
	if n := strings.Count(st.logs.String(), "reason=rate_limit"); n != 1 {
		t.Errorf("%d rate_limit lines in the log, want 1", n)
	}

	// The table of addresses stays bounded.
	r := newRateLimiter(1)
	for i := range 3 * rateEntries {
		r.allow(&net.TCPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)), Port: 1})
	}
	if len(r.ips) > rateEntries {
		t.Errorf("%d addresses remembered, at most %d", len(r.ips), rateEntries)
	}
}

func TestServeHandshakeTimeout(t *testing.T) {
	st := startOffline(t, Options{HandshakeTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", st.Addr)
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
	if !servetest.Wait(2*time.Second, func() bool { return st.rejects(t, rejectHandshakeTimeout) == 1 }) {
		t.Errorf("handshake_timeout rejects = %v", st.rejects(t, rejectHandshakeTimeout))
	}
}

// --- host key, commands, names -----------------------------------------------

func TestServeHostKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", HostKeyName)
	s1, created, err := loadHostKey(path)
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
	s2, created, err := loadHostKey(path)
	if err != nil || created || !bytes.Equal(s1.PublicKey().Marshal(), s2.PublicKey().Marshal()) {
		t.Errorf("reload: created %v, err %v, same key %v", created, err, err == nil && bytes.Equal(s1.PublicKey().Marshal(), s2.PublicKey().Marshal()))
	}
	os.Chmod(path, 0o644)
	if _, _, err := loadHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a readable host key was accepted: %v", err)
	}
}

func TestServeParseCommand(t *testing.T) {
	for _, tc := range []struct {
		args    string
		pty     bool
		kind    kind
		theme   string
		noColor bool
		bad     bool
	}{
		{"", true, kindDashboard, "", false, false},
		{"", false, kindHelp, "", false, false},
		{"help", true, kindHelp, "", false, false},
		{"--help", false, kindHelp, "", false, false},
		{"snapshot", false, kindSnapshot, "", false, false},
		{"snapshot --format txt", true, kindSnapshot, "", false, false},
		{"snapshot --format=txt", false, kindSnapshot, "", false, false},
		{"snapshot --format svg", false, kindHelp, "", false, true},
		{"snapshot now", false, kindHelp, "", false, true},
		{"dash --theme light --no-color", true, kindDashboard, "light", true, false},
		{"--no-color", true, kindDashboard, "", true, false},
		{"dash --theme neon", true, kindHelp, "", false, true},
		{"dash", false, kindHelp, "", false, true},
		{"bash", true, kindHelp, "", false, true},
		{"sftp-server", false, kindHelp, "", false, true},
	} {
		r := parseCommand(strings.Fields(tc.args), tc.pty)
		if r.kind != tc.kind || r.theme != tc.theme || r.noColor != tc.noColor || (r.err != "") != tc.bad {
			t.Errorf("%q (pty %v) = %+v", tc.args, tc.pty, r)
		}
	}
	if got := trim("a\x1b[31mb\nc", 100); got != "a?[31mb?c" {
		t.Errorf("trim: %q", got)
	}
}

func TestServeShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30m", 24 * time.Hour: "24h", 90 * time.Second: "1m30s", 400 * time.Millisecond: "400ms"} {
		if got := shortDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// TestServeEnumNames: the reject reasons and session kinds are the labels
// the README documents, and a value out of range still prints.
func TestServeEnumNames(t *testing.T) {
	var rejects, kinds []string
	for r := range numRejects {
		rejects = append(rejects, r.String())
	}
	for k := range numKinds {
		kinds = append(kinds, k.String())
	}
	if got := strings.Join(rejects, " "); got != "rate_limit auth handshake handshake_timeout server_full shutting_down revoked" {
		t.Errorf("reject reasons: %s", got)
	}
	if got := strings.Join(kinds, " "); got != "dashboard snapshot help" {
		t.Errorf("session kinds: %s", got)
	}
	if numRejects.String() != "reject(7)" || kind(-1).String() != "kind(-1)" {
		t.Errorf("out of range: %s, %s", numRejects, kind(-1))
	}
}

func TestServeWindow(t *testing.T) {
	for _, tc := range [][4]int{{0, 0, 80, 24}, {120, 0, 120, 24}, {100, 30, 100, 30}, {4000, 1000, 512, 200}} {
		if w, h := window(tc[0], tc[1]); w != tc[2] || h != tc[3] {
			t.Errorf("%d×%d → %d×%d, want %d×%d", tc[0], tc[1], w, h, tc[2], tc[3])
		}
	}
}

func TestServeAddresses(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:2222": true, "[::1]:2222": true, "0.0.0.0:2222": false, "192.168.1.5:22": false, ":2222": false} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := isLoopback(tcp); got != want {
			t.Errorf("%s: loopback %v", addr, got)
		}
	}
}

// TestServeConnectHint is issue 13 row 11: `serve --listen 0.0.0.0:2223`
// logged connect="ssh -t -p 2223 ::", which no viewer can use. A wildcard
// address names the machine (or HOST when its name is unknown); any other
// address is given as ssh takes it (IPv6 without brackets).
func TestServeConnectHint(t *testing.T) {
	s := &Server{hostname: func() (string, error) { return "dash.example.com", nil }}
	for addr, want := range map[string]string{
		"0.0.0.0:2223":   "ssh -t -p 2223 dash.example.com",
		"[::]:2223":      "ssh -t -p 2223 dash.example.com",
		"127.0.0.1:2222": "ssh -t -p 2222 127.0.0.1",
		"[::1]:2222":     "ssh -t -p 2222 ::1",
		"192.0.2.7:22":   "ssh -t -p 22 192.0.2.7",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		host, port := s.connectHost(tcp)
		if got := "ssh -t -p " + port + " " + host; got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
	s.hostname = func() (string, error) { return "", errors.New("no name") }
	if host, _ := s.connectHost(&net.TCPAddr{IP: net.IPv4zero, Port: 2223}); host != "HOST" {
		t.Errorf("unknown name: %q, want HOST", host)
	}

	// The listening log line of a server on every address.
	logs := &servetest.Buffer{}
	dir := t.TempDir()
	srv, err := New(offlineEnv(t), nil, Options{AllowAnyone: true, Listen: "0.0.0.0:0", HostKey: filepath.Join(dir, "key")}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.hostname = func() (string, error) { return "dash.example.com", nil }
	for _, listen := range []string{"0.0.0.0:2223", "[::]:2223"} {
		tcp, _ := net.ResolveTCPAddr("tcp", listen)
		srv.logStart(tcp)
	}
	if got := strings.Count(logs.String(), `connect="ssh -t -p 2223 dash.example.com"`); got != 2 {
		t.Errorf("%d usable connect hints, want 2:\n%s", got, logs)
	}
	if strings.Contains(logs.String(), " ::\"") || strings.Contains(logs.String(), "0.0.0.0\"") {
		t.Errorf("a wildcard address as the host to connect to:\n%s", logs)
	}
}

// --- the real OpenSSH client ------------------------------------------------

func TestServeOpenSSHClient(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no ssh client installed")
	}
	st := startOffline(t, Options{MaxSessions: 1})
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, st.key.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	stranger := filepath.Join(dir, "stranger")
	if err := os.WriteFile(stranger, servetest.NewKey(t).PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(st.Addr)
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
	screen := &servetest.Buffer{}
	dash.Stdout, dash.Stderr = screen, screen
	stdin, _ := dash.StdinPipe()
	if err := dash.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- dash.Wait() }()
	if !servetest.Wait(10*time.Second, func() bool {
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
	if !servetest.Wait(5*time.Second, func() bool { return strings.Contains(ansi.Strip(screen.String()), "show or hide this help") }) {
		t.Error("no help after ?")
	}

	// Shutdown with the viewer connected: a goodbye, then ssh exits.
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownBudget)
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
		t.Errorf("no goodbye:\n%s", servetest.Tail(screen.String(), 400))
	}
}

// TestServeMasksSecrets: what would reveal an API key or the configuration
// path is masked in frames, clipboard copies and snapshots (here a word
// that is surely on screen stands in for a key).
func TestServeMasksSecrets(t *testing.T) {
	st := startOffline(t, Options{Secrets: []string{"embedded data"}})
	c := st.MustDial(t)
	p := servetest.OpenPTY(t, c, 120, 40, "")
	p.WaitText(t, 10*time.Second, "Overview", "OFFLINE")
	p.Stdin.Write([]byte{0x13})
	p.WaitText(t, 5*time.Second, "screen copied")
	if strings.Contains(p.Text(), "embedded data") || !strings.Contains(p.Text(), "*************") {
		t.Errorf("the secret is on screen:\n%s", p.Text())
	}
	clip := regexp.MustCompile(`\x1b\]52;c;([A-Za-z0-9+/=]+)`).FindStringSubmatch(p.Out.String())
	if clip == nil {
		t.Fatal("no clipboard copy")
	}
	if b, _ := base64.StdEncoding.DecodeString(clip[1]); strings.Contains(string(b), "embedded data") {
		t.Error("the secret is in the clipboard copy")
	}
	if out, _, _ := servetest.Run(t, c, "snapshot"); strings.Contains(out, "embedded data") || !strings.Contains(out, "OFFLINE") {
		t.Errorf("the secret is in the snapshot:\n%s", out)
	}
}

// TestServeTerminalFactsPerSession: colour profile, NO_COLOR and the
// background answer belong to each session; two sessions open at once
// with different terminals each get their own.
func TestServeTerminalFactsPerSession(t *testing.T) {
	st := startOffline(t, Options{})
	open := func(term string, env map[string]string) *servetest.PTY {
		p := servetest.OpenPTYEnv(t, st.MustDial(t), term, 120, 40, "", env)
		p.WaitText(t, 10*time.Second, "Overview")
		return p
	}
	color256 := open("xterm-256color", nil)
	ansi16 := open("xterm", nil)
	mono := open("xterm-256color", map[string]string{"NO_COLOR": "1"})

	// The terminal's answer to the background query picks the theme.
	color256.Stdin.Write([]byte("\x1b]11;rgb:ffff/ffff/ffff\x1b\\")) // light
	ansi16.Stdin.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))   // dark
	color256.WaitText(t, 5*time.Second, "theme light")
	ansi16.WaitText(t, 5*time.Second, "theme dark")
	mono.WaitText(t, 5*time.Second, "(no colour)")

	sgr := regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	colours := func(p *servetest.PTY) (ext, basic bool) {
		for _, m := range sgr.FindAllStringSubmatch(p.Out.String(), -1) {
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

func TestServeOptionsValidate(t *testing.T) {
	ok := Options{Listen: DefaultListen, AllowAnyone: true, MaxSessions: 1, Idle: time.Minute, MaxSession: time.Hour}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		change func(*Options)
		want   string
	}{
		{func(o *Options) { o.AllowAnyone = false }, "refusing to start without --authorized-keys"},
		{func(o *Options) { o.AuthorizedKeys = "keys" }, "contradict"},
		{func(o *Options) { o.MaxSessions = 0 }, "--max-sessions"},
		{func(o *Options) { o.RatePerMinute = -1 }, "--rate-limit"},
		{func(o *Options) { o.Idle = 0 }, "--idle"},
		{func(o *Options) { o.MaxSession = -time.Second }, "--max-session"},
		{func(o *Options) { o.Listen = "2222" }, "--listen"},
		{func(o *Options) { o.Metrics = "9108" }, "--metrics"},
	} {
		o := ok
		tc.change(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", o, err, tc.want)
		}
	}
	// New fills in the zero values.
	s, err := New(offlineEnv(t), nil, Options{AllowAnyone: true, HostKey: filepath.Join(t.TempDir(), "key")}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintln(s.o.Listen, s.o.MaxSessions, s.o.Idle, s.o.MaxSession); got != "127.0.0.1:2222 64 30m0s 24h0m0s\n" {
		t.Errorf("defaults: %s", got)
	}
}

// A server that cannot start for want of its authorised keys creates no
// host key (found in review: a missing --authorized-keys file left a new
// host key behind).
func TestServeNoHostKeyWithoutKeys(t *testing.T) {
	dir := t.TempDir()
	hk := filepath.Join(dir, "key")
	_, err := New(offlineEnv(t), nil, Options{AuthorizedKeys: filepath.Join(dir, "missing"), HostKey: hk}, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("no error for a missing authorized keys file")
	}
	if _, err := os.Stat(hk); err == nil {
		t.Error("the host key was created")
	}
}

// When the last viewer has gone, the shared board is dropped, unless a
// viewer came in during the second before (found in review: the drop
// would have run under a new session's first frames).
func TestDropIfIdleLeavesANewViewersBoard(t *testing.T) {
	env := offlineEnv(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	a := env.Shared(nil, nil, now)
	if dropIfIdle(env, func() bool { return false }) || env.Shared(nil, nil, now) != a {
		t.Error("with a viewer connected, the shared board was dropped")
	}
	if !dropIfIdle(env, func() bool { return true }) || env.Shared(nil, nil, now) == a {
		t.Error("with no viewer, the shared board was kept")
	}
}
