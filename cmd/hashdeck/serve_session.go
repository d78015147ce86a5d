package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/board"
)

// serveSnapshotKey copies the current screen to the viewer's clipboard
// (OSC 52). The dashboard itself does not use it.
const serveSnapshotKey = "ctrl+s"

// The snapshot command's frame size.
const (
	serveSnapshotWidth  = 120
	serveSnapshotHeight = 40
)

// serveSession is one open SSH session.
type serveSession struct {
	id          uint64
	user        string
	remote      string
	fingerprint string // "" when no key was used (--allow-anyone)
	start       time.Time
	ctx         context.Context // ends with the connection, or with cancel's cause
	cancel      context.CancelCauseFunc
	inbox       *serveInbox
}

// Session kinds, for logs and metrics.
const (
	serveKindDashboard = iota
	serveKindSnapshot
	serveKindHelp
	serveNumKinds
)

func serveKindName(k int) string { return [...]string{"dashboard", "snapshot", "help"}[k] }

// serveRequest is what a session asked for with its command line.
type serveRequest struct {
	kind    int
	theme   string
	noColor bool
	err     string // shown above the help, with exit status 2
}

// parseServeCommand reads a session's command: nothing (the dashboard with
// a terminal, the help without), "dash [--theme T] [--no-color]" or those
// flags alone, "snapshot [--format txt]", or "help".
func parseServeCommand(args []string, pty bool) serveRequest {
	if len(args) == 0 {
		if pty {
			return serveRequest{kind: serveKindDashboard}
		}
		return serveRequest{kind: serveKindHelp}
	}
	name := args[0]
	switch {
	case name == "help" || isHelp(name):
		return serveRequest{kind: serveKindHelp}
	case name == "snapshot":
		fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		format := fs.String("format", "txt", "")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return serveRequest{kind: serveKindHelp, err: "snapshot: the only flag is --format txt"}
		}
		if *format != "txt" {
			return serveRequest{kind: serveKindHelp, err: fmt.Sprintf("snapshot: format %q is not served over SSH (only txt)", serveTrim(*format, 20))}
		}
		return serveRequest{kind: serveKindSnapshot}
	case name == "dash" || strings.HasPrefix(name, "-"):
		if name == "dash" {
			args = args[1:]
		}
		r := serveRequest{kind: serveKindDashboard}
		fs := flag.NewFlagSet("dash", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&r.theme, "theme", "", "")
		fs.BoolVar(&r.noColor, "no-color", false, "")
		if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
			return serveRequest{kind: serveKindHelp, err: "dash: the flags are --theme NAME and --no-color"}
		}
		if r.theme != "" {
			if _, err := themes.Lookup(r.theme); err != nil {
				return serveRequest{kind: serveKindHelp, err: "dash: " + serveTrim(err.Error(), 120)}
			}
		}
		if !pty {
			return serveRequest{kind: serveKindHelp, err: "the dashboard needs a terminal: connect with ssh -t"}
		}
		return r
	}
	return serveRequest{kind: serveKindHelp, err: fmt.Sprintf("unknown command %q: hashdeck serves no shell, exec, SCP or SFTP", serveTrim(name, 40))}
}

// serveTrim bounds a client-supplied string for logs and messages and
// replaces control characters.
func serveTrim(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// handle serves one SSH session: the dashboard, a snapshot or the help.
func (s *serveServer) handle(sess ssh.Session) {
	fp := ""
	if k := sess.PublicKey(); k != nil {
		fp = gossh.FingerprintSHA256(k)
	}
	remote := sess.RemoteAddr().String()
	ss, reject := s.register(sess, fp)
	if reject >= 0 {
		s.metrics.reject(reject)
		s.log.Info("reject", "reason", serveRejectName(reject), "remote", remote, "user", serveTrim(sess.User(), 64), "fingerprint", fp)
		serveWriteBounded(sess, sess.Stderr(), "hashdeck: "+s.rejectText(reject)+"\r\n", serveWriteTimeout)
		_ = sess.Exit(1)
		return
	}
	defer s.unregister(ss)

	pty, _, hasPTY := sess.Pty()
	req := parseServeCommand(sess.Command(), hasPTY)
	s.metrics.sessionStarted(req.kind)
	attrs := []any{"session", ss.id, "user", serveTrim(ss.user, 64), "remote", remote, "fingerprint", fp, "kind", serveKindName(req.kind)}
	if hasPTY {
		attrs = append(attrs, "term", serveTrim(pty.Term, 40), "cols", pty.Window.Width, "rows", pty.Window.Height)
	}
	if raw := sess.RawCommand(); raw != "" {
		attrs = append(attrs, "command", serveTrim(raw, 100))
	}
	s.log.Info("session start", attrs...)

	code, reason, sent := 0, "done", 0
	switch req.kind {
	case serveKindDashboard:
		reason, sent = s.runDashboard(sess, ss, req)
	case serveKindSnapshot:
		sent = serveWriteBounded(sess, sess, s.snapshotText(time.Now()), serveWriteTimeout)
	case serveKindHelp:
		text := s.helpText(sess.LocalAddr())
		if req.err != "" {
			text = "hashdeck: " + req.err + "\n\n" + text
			code, reason = 2, "bad command"
		}
		sent = serveWriteBounded(sess, sess, text, serveWriteTimeout)
	}
	d := time.Since(ss.start)
	s.metrics.sessionEnded(d)
	s.log.Info("session end", "session", ss.id, "fingerprint", fp, "remote", remote, "kind", serveKindName(req.kind),
		"duration", d.Round(time.Millisecond).String(), "reason", reason, "bytes_out", sent)
	_ = sess.Exit(code)
}

// serveWriteTimeout bounds how long a client may take to accept the help,
// a snapshot or a reject message.
const serveWriteTimeout = 30 * time.Second

// serveWriteBounded writes text to w (the session or its stderr) and
// closes the session if the client has not taken it within d: a client
// that never reads must not hold a goroutine or a session slot.
func serveWriteBounded(sess ssh.Session, w io.Writer, text string, d time.Duration) int {
	t := time.AfterFunc(d, func() { _ = sess.Close() })
	defer t.Stop()
	n, _ := io.WriteString(w, text)
	return n
}

func (s *serveServer) rejectText(reason int) string {
	switch reason {
	case serveRejectFull:
		return fmt.Sprintf("server full (%d sessions); try again later", s.o.maxSessions)
	case serveRejectClosing:
		return "the server is shutting down; try again later"
	}
	return "your key is no longer authorised"
}

// register admits a session unless the server is full or closing, or its
// key was removed since the connection logged in. It returns the reject
// reason, or -1.
func (s *serveServer) register(sess ssh.Session, fp string) (*serveSession, int) {
	if s.keys != nil && !s.keys.hasFingerprint(fp) {
		return nil, serveRejectRevoked
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return nil, serveRejectClosing
	case len(s.sessions) >= s.o.maxSessions:
		return nil, serveRejectFull
	}
	s.nextID++
	ctx, cancel := context.WithCancelCause(sess.Context())
	ss := &serveSession{
		id: s.nextID, user: sess.User(), remote: sess.RemoteAddr().String(), fingerprint: fp,
		start: time.Now(), ctx: ctx, cancel: cancel, inbox: newServeInbox(),
	}
	s.sessions[ss.id] = ss
	s.handlers.Add(1)
	return ss, -1
}

func (s *serveServer) unregister(ss *serveSession) {
	ss.cancel(nil)
	s.mu.Lock()
	delete(s.sessions, ss.id)
	s.mu.Unlock()
	s.handlers.Done()
}

// serveCountingWriter counts what a session's program writes.
type serveCountingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *serveCountingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// runDashboard runs one dashboard program on sess until the viewer quits,
// goes idle, outlives --max-session, loses the connection, or the server
// ends the session. It returns why it ended and the bytes written.
func (s *serveServer) runDashboard(sess ssh.Session, ss *serveSession, req serveRequest) (reason string, sent int) {
	environ := sess.Environ()
	noColor := s.o.noColor || req.noColor
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			noColor = true
		}
	}
	theme := s.o.theme
	if req.theme != "" {
		theme = req.theme
	}
	notice := s.o.notice
	if s.o.allowAnyone {
		notice = strings.TrimPrefix(notice+" · OPEN TO ANYONE (--allow-anyone): treat this screen as public", " · ")
	}
	inner, err := tui.New(tui.Options{Env: s.env, Hub: s.hub, Theme: theme, NoColor: noColor, Notice: notice})
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "hashdeck: %v\r\n", err)
		return "error", 0
	}
	defer inner.Close() // unsubscribes from the hub

	pty, _, _ := sess.Pty()
	w, h := serveWindow(pty.Window.Width, pty.Window.Height)
	m := &serveModel{inner: inner, w: w, secrets: s.o.secrets}
	m.lastInput.Store(time.Now().UnixNano())
	out := &serveCountingWriter{w: sess}
	opts := append(bubbletea.MakeOptions(sess),
		tea.WithOutput(out),
		tea.WithWindowSize(w, h),
		tea.WithFPS(dashFPS),
		tea.WithoutSignalHandler(), // SIGINT and SIGTERM are the server's
	)
	p := tea.NewProgram(m, opts...)

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { ss.inbox.deliver(p, s.shared, done) })
	wg.Go(func() { s.watchSession(sess, ss, p, m, done) })
	ss.inbox.update() // the history and backfill progress already known

	final, runErr := p.Run()
	close(done)
	wg.Wait()
	reason = "quit"
	if fm, ok := final.(*serveModel); ok && fm.reason != "" {
		reason = fm.reason
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) {
		s.log.Warn("dashboard stopped with an error", "session", ss.id, "err", runErr)
	}
	if cause := context.Cause(ss.ctx); cause != nil && ss.ctx.Err() != nil && reason == "quit" {
		// Killed: the quit message never reached the program.
		reason = serveCauseText(cause)
	}
	if reason != "quit" && reason != "connection closed" {
		serveWriteBounded(sess, sess, "hashdeck: "+reason+". Bye.\n", s.o.quitGrace)
	}
	return reason, int(out.n.Load())
}

// serveCauseText turns why a session's context ended into its goodbye.
func serveCauseText(cause error) string {
	if errors.Is(cause, errServeShutdown) || errors.Is(cause, errServeRevoked) {
		return cause.Error()
	}
	return "connection closed"
}

// watchSession ends the program when the viewer has pressed no key for
// --idle, when the session reaches --max-session, and when the session's
// context ends (connection lost, server shutdown, key revoked); it passes
// on window size changes. A program that does not quit within quitGrace
// (its client stopped reading) is cut off.
func (s *serveServer) watchSession(sess ssh.Session, ss *serveSession, p *tea.Program, m *serveModel, done <-chan struct{}) {
	_, winch, _ := sess.Pty()
	idle := time.NewTimer(s.o.idle)
	defer idle.Stop()
	life := time.NewTimer(max(time.Until(ss.start.Add(s.o.maxSession)), 0))
	defer life.Stop()
	ctxDone := ss.ctx.Done()
	quit := func(reason string) {
		go p.Send(serveQuitMsg{reason}) // returns when the program ends
		grace := time.NewTimer(s.o.quitGrace)
		defer grace.Stop()
		select {
		case <-done:
		case <-grace.C:
			s.log.Info("session did not end in time: cutting it off", "session", ss.id, "reason", reason)
			_ = sess.Close()
			p.Kill()
		}
	}
	for {
		select {
		case <-done:
			return
		case w, ok := <-winch:
			if !ok {
				winch = nil
				continue
			}
			width, height := serveWindow(w.Width, w.Height)
			ss.inbox.resize(tea.WindowSizeMsg{Width: width, Height: height})
		case <-ctxDone:
			quit(serveCauseText(context.Cause(ss.ctx)))
			return
		case <-idle.C:
			since := time.Since(time.Unix(0, m.lastInput.Load()))
			if since < s.o.idle {
				idle.Reset(s.o.idle - since)
				continue
			}
			quit("no key pressed for " + serveShortDuration(s.o.idle))
			return
		case <-life.C:
			quit("the session reached its " + serveShortDuration(s.o.maxSession) + " limit")
			return
		}
	}
}

// The largest window a session is drawn in; a bigger terminal shows the
// dashboard in its top-left corner. It bounds what one viewer can make the
// server allocate and render.
const (
	serveMaxCols = 512
	serveMaxRows = 200
)

// serveWindow is the size to draw a client's window at: 80×24 for a
// dimension the client did not report (ssh -tt from a script sends 0×0),
// at most serveMaxCols×serveMaxRows.
func serveWindow(w, h int) (int, int) {
	if w <= 0 {
		w = tui.MinWidth
	}
	if h <= 0 {
		h = tui.MinHeight
	}
	return min(w, serveMaxCols), min(h, serveMaxRows)
}

// serveInbox hands messages to a session's program from a goroutine of its
// own, keeping only the newest window size and a flag for "the shared
// history or backfill changed": a client that stops reading blocks its own
// program, never the server or the window-change handler.
type serveInbox struct {
	mu     sync.Mutex
	size   *tea.WindowSizeMsg
	shared bool
	wake   chan struct{}
}

func newServeInbox() *serveInbox { return &serveInbox{wake: make(chan struct{}, 1)} }

func (b *serveInbox) resize(m tea.WindowSizeMsg) {
	b.mu.Lock()
	b.size = &m
	b.mu.Unlock()
	b.poke()
}

func (b *serveInbox) update() {
	b.mu.Lock()
	b.shared = true
	b.mu.Unlock()
	b.poke()
}

func (b *serveInbox) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// deliver sends what is pending to p until done. shared returns the
// server's newest history and backfill progress.
func (b *serveInbox) deliver(p *tea.Program, shared func() (*board.History, *feeds.BackfillProgress), done <-chan struct{}) {
	var lastHist *board.History
	var lastBF *feeds.BackfillProgress
	for {
		select {
		case <-done:
			return
		case <-b.wake:
		}
		b.mu.Lock()
		size, upd := b.size, b.shared
		b.size, b.shared = nil, false
		b.mu.Unlock()
		if size != nil {
			p.Send(*size)
		}
		if upd {
			h, bf := shared()
			if bf != nil && bf != lastBF {
				lastBF = bf
				p.Send(tui.BackfillMsg(*bf))
			}
			if h != nil && h != lastHist {
				lastHist = h
				p.Send(tui.HistoryMsg{H: h})
			}
		}
	}
}

// serveModel wraps one viewer's dashboard: it records key presses for the
// idle limit, copies the screen to the clipboard on ctrl+s, and quits with
// a reason when the server ends the session.
type serveModel struct {
	inner     *tui.Model
	lastInput atomic.Int64 // Unix ns of the last key press or click; read by watchSession
	reason    string       // why the server ended the session ("" when the viewer quit)
	w         int
	flash     string // a one-line message over the status bar
	flashID   int
	secrets   []string // masked in every frame (API keys, the config path)
}

// serveQuitMsg ends the program for a reason given by the server.
type serveQuitMsg struct{ reason string }

// serveFlashEndMsg clears the flash message it was scheduled for.
type serveFlashEndMsg struct{ id int }

func (m *serveModel) Init() tea.Cmd { return m.inner.Init() }

func (m *serveModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case serveQuitMsg:
		m.reason = msg.reason
		return m, tea.Quit
	case serveFlashEndMsg:
		if msg.id == m.flashID {
			m.flash = ""
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.w = msg.Width
	case tea.KeyPressMsg:
		m.lastInput.Store(time.Now().UnixNano())
		if msg.String() == serveSnapshotKey {
			m.flashID++
			id := m.flashID
			m.flash = "screen copied to your clipboard (OSC 52: your terminal must allow it)"
			return m, tea.Batch(tea.SetClipboard(servePlainFrame(redactCells(m.inner.Frame(), m.secrets))),
				tea.Tick(3*time.Second, func(time.Time) tea.Msg { return serveFlashEndMsg{id} }))
		}
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		m.lastInput.Store(time.Now().UnixNano())
	}
	_, cmd := m.inner.Update(msg)
	return m, cmd
}

func (m *serveModel) View() tea.View {
	v := m.inner.View()
	v.Content = redactCells(v.Content, m.secrets)
	if m.flash != "" {
		if i := strings.LastIndexByte(v.Content, '\n'); i >= 0 {
			line := ansi.Truncate(" "+m.flash, m.w, "…")
			line += strings.Repeat(" ", max(m.w-ansi.StringWidth(line), 0))
			v.Content = v.Content[:i+1] + lipgloss.NewStyle().Reverse(true).Render(line)
		}
	}
	return v
}

// servePlainFrame is a frame without escape sequences or trailing blanks.
func servePlainFrame(frame string) string {
	lines := strings.Split(ansi.Strip(frame), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// snapshotText is the overview at 120×40 in the mono theme, as plain text.
func (s *serveServer) snapshotText(now time.Time) string {
	hist, bf := s.shared()
	d := board.BuildWith(s.env, hist, s.state(), now, econ.Scenario{})
	d.Backfill = bf
	th := themes.New(themes.Palettes()[0], true)
	frame := tui.Render(d, tui.UI{View: tui.ViewOverview, Range: tui.Range1Y}, serveSnapshotWidth, serveSnapshotHeight, th)
	return servePlainFrame(redactCells(frame, s.o.secrets))
}

// state is the newest feeds state (nil offline or before the first poll).
func (s *serveServer) state() *market.State {
	if s.hub == nil || s.env.Offline {
		return nil
	}
	return s.hub.Current()
}

// helpText is what a session without a terminal gets.
func (s *serveServer) helpText(local net.Addr) string {
	host, port, err := net.SplitHostPort(local.String())
	if err != nil {
		host, port = "HOST", "PORT"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	to := "-p " + port + " " + host
	var b strings.Builder
	b.WriteString("hashdeck: the Bitcoin-mining sector dashboard, over SSH.\n\n")
	fmt.Fprintf(&b, "  ssh -t %s                        the dashboard (needs a terminal)\n", to)
	fmt.Fprintf(&b, "  ssh -t %s dash --theme light     with a theme; --no-color drops colour\n", to)
	fmt.Fprintf(&b, "  ssh %s snapshot --format txt     the overview as plain text, %d×%d\n", to, serveSnapshotWidth, serveSnapshotHeight)
	fmt.Fprintf(&b, "  ssh %s help                      this text\n\n", to)
	b.WriteString("In the dashboard, ? lists the keys, q quits, and ctrl+s copies the screen to\n")
	b.WriteString("your clipboard (OSC 52; in tmux: set -g set-clipboard on). Colour follows your\n")
	b.WriteString("TERM, plus COLORTERM and NO_COLOR if your client sends them (SendEnv).\n")
	fmt.Fprintf(&b, "A dashboard ends after %s without a key press; any session after %s.\n",
		serveShortDuration(s.o.idle), serveShortDuration(s.o.maxSession))
	b.WriteString("There is no shell, exec, port forwarding, SCP or SFTP here.\n")
	if s.o.allowAnyone {
		b.WriteString("\nThis server lets ANYONE in (--allow-anyone): treat what it shows as public.\n")
	}
	return b.String()
}
