package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/board"
)

// The snapshot command's frame size.
const (
	snapshotWidth  = 120
	snapshotHeight = 40
)

// session is one open SSH session.
type session struct {
	id          uint64
	user        string
	remote      string
	fingerprint string // "" when no key was used (--allow-anyone)
	start       time.Time
	lastInput   atomic.Int64    // Unix ns of the viewer's last key press or click (dashboards)
	ctx         context.Context // ends with the connection, or with cancel's cause
	cancel      context.CancelCauseFunc
	inbox       *inbox
}

// kind is what a session asked for (logs and hashdeck_ssh_sessions_total).
type kind int

// The session kinds.
const (
	kindDashboard kind = iota
	kindSnapshot
	kindHelp
	numKinds
)

var kindNames = [numKinds]string{"dashboard", "snapshot", "help"}

// String is the kind as logged and as the metric's label.
func (k kind) String() string {
	if k < 0 || k >= numKinds {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// request is what a session asked for with its command line.
type request struct {
	kind    kind
	theme   string
	noColor bool
	err     string // shown above the help, with exit status 2
}

// parseCommand reads a session's command: nothing (the dashboard with a
// terminal, the help without), "dash [--theme T] [--no-color]" or those
// flags alone, "snapshot [--format txt]", or "help".
func parseCommand(args []string, pty bool) request {
	if len(args) == 0 {
		if pty {
			return request{kind: kindDashboard}
		}
		return request{kind: kindHelp}
	}
	name := args[0]
	switch {
	case name == "help" || name == "-h" || name == "-help" || name == "--help":
		return request{kind: kindHelp}
	case name == "snapshot":
		fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		format := fs.String("format", "txt", "")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return request{kind: kindHelp, err: "snapshot: the only flag is --format txt"}
		}
		if *format != "txt" {
			return request{kind: kindHelp, err: fmt.Sprintf("snapshot: format %q is not served over SSH (only txt)", trim(*format, 20))}
		}
		return request{kind: kindSnapshot}
	case name == "dash" || strings.HasPrefix(name, "-"):
		if name == "dash" {
			args = args[1:]
		}
		r := request{kind: kindDashboard}
		fs := flag.NewFlagSet("dash", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&r.theme, "theme", "", "")
		fs.BoolVar(&r.noColor, "no-color", false, "")
		if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
			return request{kind: kindHelp, err: "dash: the flags are --theme NAME and --no-color"}
		}
		if r.theme != "" {
			if _, err := themes.Lookup(r.theme); err != nil {
				return request{kind: kindHelp, err: "dash: " + trim(err.Error(), 120)}
			}
		}
		if !pty {
			return request{kind: kindHelp, err: "the dashboard needs a terminal: connect with ssh -t"}
		}
		return r
	}
	return request{kind: kindHelp, err: fmt.Sprintf("unknown command %q: hashdeck serves no shell, exec, SCP or SFTP", trim(name, 40))}
}

// trim bounds a client-supplied string for logs and messages and replaces
// control characters.
func trim(s string, n int) string {
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
func (s *Server) handle(sess ssh.Session) {
	fp := ""
	if k := sess.PublicKey(); k != nil {
		fp = gossh.FingerprintSHA256(k)
	}
	remote := sess.RemoteAddr().String()
	ss, reject, ok := s.register(sess, fp)
	if !ok {
		s.metrics.reject(reject)
		s.log.Info("reject", "reason", reject.String(), "remote", remote, "user", trim(sess.User(), 64), "fingerprint", fp)
		writeBounded(sess, sess.Stderr(), "hashdeck: "+s.rejectText(reject)+"\r\n", writeTimeout)
		_ = sess.Exit(1)
		return
	}
	defer s.unregister(ss)

	pty, _, hasPTY := sess.Pty()
	req := parseCommand(sess.Command(), hasPTY)
	s.metrics.sessionStarted(req.kind)
	attrs := []any{"session", ss.id, "user", trim(ss.user, 64), "remote", remote, "fingerprint", fp, "kind", req.kind.String()}
	if hasPTY {
		attrs = append(attrs, "term", trim(pty.Term, 40), "cols", pty.Window.Width, "rows", pty.Window.Height)
	}
	if raw := sess.RawCommand(); raw != "" {
		attrs = append(attrs, "command", trim(raw, 100))
	}
	s.log.Info("session start", attrs...)

	code, reason, sent := s.serveRequest(sess, ss, req)
	d := s.clock.Now().Sub(ss.start)
	s.metrics.sessionEnded(d)
	s.log.Info("session end", "session", ss.id, "fingerprint", fp, "remote", remote, "kind", req.kind.String(),
		"duration", d.Round(time.Millisecond).String(), "reason", reason, "bytes_out", sent)
	s.release(ss) // the slot is free by the time the client hears the exit status
	_ = sess.Exit(code)
}

// serveRequest runs what the session asked for and returns its exit
// status, why it ended and the bytes written. A panic ends this session
// only: it is logged with its stack and the viewer is told.
func (s *Server) serveRequest(sess ssh.Session, ss *session, req request) (code int, reason string, sent int) {
	defer func() {
		if r := recover(); r != nil {
			s.logPanic(ss, "session handler", r)
			ss.cancel(errPanic)
			code, reason = 1, errPanic.Error()
			sent += writeBounded(sess, sess, "\r\nhashdeck: "+errPanic.Error()+". Bye.\r\n", s.o.QuitGrace)
		}
	}()
	switch req.kind {
	case kindDashboard:
		reason, sent = s.runDashboard(sess, ss, req)
		if reason == errPanic.Error() {
			code = 1
		}
		return code, reason, sent
	case kindSnapshot:
		return 0, "done", writeBounded(sess, sess, s.snapshot(time.Now()), writeTimeout)
	}
	text := s.helpText(sess.LocalAddr())
	code, reason = 0, "done"
	if req.err != "" {
		text = "hashdeck: " + req.err + "\n\n" + text
		code, reason = 2, "bad command"
	}
	return code, reason, writeBounded(sess, sess, text, writeTimeout)
}

// logPanic logs a panic recovered in one of ss's goroutines, with the stack.
func (s *Server) logPanic(ss *session, where string, r any) {
	s.log.Error("panic: ending the session", "session", ss.id, "in", where, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
}

// recoverSession, deferred first on a goroutine of ss, turns a panic into
// a log line and the end of ss alone.
func (s *Server) recoverSession(ss *session, where string) {
	if r := recover(); r != nil {
		s.logPanic(ss, where, r)
		ss.cancel(errPanic)
	}
}

// writeTimeout bounds how long a client may take to accept the help, a
// snapshot or a reject message.
const writeTimeout = 30 * time.Second

// writeBounded writes text to w (the session or its stderr) and closes
// the session if the client has not taken it within d: a client that
// never reads must not hold a goroutine or a session slot.
func writeBounded(sess ssh.Session, w io.Writer, text string, d time.Duration) int {
	t := time.AfterFunc(d, func() { _ = sess.Close() })
	defer t.Stop()
	n, _ := io.WriteString(w, text)
	return n
}

func (s *Server) rejectText(r rejectReason) string {
	switch r {
	case rejectFull:
		return fmt.Sprintf("server full (%d sessions); try again later", s.o.MaxSessions)
	case rejectClosing:
		return "the server is shutting down; try again later"
	}
	return "your key is no longer authorised"
}

// register admits a session unless the server is full or closing, or its
// key was removed since the connection logged in; otherwise it says why not.
func (s *Server) register(sess ssh.Session, fp string) (ss *session, why rejectReason, ok bool) {
	if s.keys != nil && !s.keys.hasFingerprint(fp) {
		return nil, rejectRevoked, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return nil, rejectClosing, false
	case len(s.sessions) >= s.o.MaxSessions:
		return nil, rejectFull, false
	}
	s.nextID++
	ctx, cancel := context.WithCancelCause(sess.Context())
	ss = &session{
		id: s.nextID, user: sess.User(), remote: sess.RemoteAddr().String(), fingerprint: fp,
		start: s.clock.Now(), ctx: ctx, cancel: cancel, inbox: newInbox(),
	}
	ss.lastInput.Store(ss.start.UnixNano())
	s.sessions[ss.id] = ss
	s.handlers.Add(1)
	s.running.Add(1)
	return ss, 0, true
}

// release forgets ss: its slot is free again. It may be called twice.
func (s *Server) release(ss *session) {
	ss.cancel(nil)
	s.mu.Lock()
	delete(s.sessions, ss.id)
	s.mu.Unlock()
}

// unregister releases ss and counts its handler as done; when it was the
// last handler running, lastGone runs.
func (s *Server) unregister(ss *session) {
	s.release(ss)
	s.handlers.Done()
	if s.running.Add(-1) == 0 && s.lastGone != nil {
		s.lastGone()
	}
}

// countingWriter counts what a session's program writes.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// dashboard is the viewer's dashboard as a session drives it: *tui.Model,
// or in tests a stand-in.
type dashboard interface {
	tea.Model
	// Frame is the newest frame, for the clipboard copy.
	Frame() string
	// Close releases the dashboard's subscription to the hub.
	Close()
}

// runDashboard runs one dashboard program on sess until the viewer quits,
// goes idle, outlives --max-session, loses the connection, or the server
// ends the session. It returns why it ended and the bytes written.
func (s *Server) runDashboard(sess ssh.Session, ss *session, req request) (reason string, sent int) {
	noColor := s.o.NoColor || req.noColor
	for _, kv := range sess.Environ() {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			noColor = true
		}
	}
	theme := s.o.Theme
	if req.theme != "" {
		theme = req.theme
	}
	notice := s.o.Notice
	if s.o.AllowAnyone {
		notice = strings.TrimPrefix(notice+" · OPEN TO ANYONE (--allow-anyone): treat this screen as public", " · ")
	}
	inner, err := s.newDashboard(tui.Options{Env: s.env, Hub: s.hub, Theme: theme, NoColor: noColor, Notice: notice})
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "hashdeck: %v\r\n", err)
		return "error", 0
	}
	defer inner.Close() // unsubscribes from the hub

	// charm.land/ssh writes the window size Pty returns on a window-change
	// request without a lock: the pty is read here and by MakeOptions below,
	// both before the viewer has seen anything to resize for, and never
	// again (the watcher gets winch from here).
	pty, winch, _ := sess.Pty()
	w, h := window(pty.Window.Width, pty.Window.Height)
	m := &model{inner: inner, w: w, secrets: s.o.Secrets, now: s.clock.Now, lastInput: &ss.lastInput,
		fail: func(where string, r any) {
			s.logPanic(ss, where, r)
			ss.cancel(errPanic)
		}}
	out := &countingWriter{w: sess}
	// The frames are drawn by a tui.Screen on change, not on a clock
	// (issue 15): bubbletea keeps the input and the event loop.
	envs := append(slices.Clone(sess.Environ()), "TERM="+pty.Term)
	scr := tui.NewScreen(out, tui.ScreenOptions{Width: w, Height: h, Env: envs, Profile: colorprofile.Env(envs), Input: true})
	opts := append(bubbletea.MakeOptions(sess), scr.ProgramOptions()...)
	opts = append(opts, tea.WithoutSignalHandler()) // SIGINT and SIGTERM are the server's
	ss.inbox.last = tea.WindowSizeMsg{Width: w, Height: h}
	opts = append(opts, tea.WithFilter(func(mdl tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(tea.WindowSizeMsg); ok {
			msg = ss.inbox.latest()
		}
		return scr.Filter(mdl, msg)
	}))
	p := tea.NewProgram(scr.Model(m), opts...)
	scr.Start()

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer s.recoverSession(ss, "inbox")
		ss.inbox.deliver(p, s.shared, done)
	})
	wg.Go(func() {
		defer s.recoverSession(ss, "session watcher")
		s.watchSession(sess, ss, p, winch, done)
	})
	ss.inbox.update() // the history and backfill progress already known

	// bubbletea's Run starts a ticker (once a second at the least, with
	// or without a renderer; no option stops it). Every session's program
	// starts on a grid of tickGrid, so that the runtime serves all their
	// ticks in a few wake-ups a second instead of one per session (100
	// idle sessions: 1.2-1.9 % of a core unaligned, 0.15 % on this grid).
	// The first frame is drawn before the wait.
	scr.Post(m.View(), w, h)
	now := s.clock.Now()
	s.sleep(now.Truncate(tickGrid).Add(tickGrid).Sub(now))
	_, runErr := p.Run()
	close(done)
	wg.Wait()
	scr.Close()
	reason = "quit"
	if m.reason != "" {
		reason = m.reason
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) {
		s.log.Warn("dashboard stopped with an error", "session", ss.id, "err", runErr)
	}
	if cause := context.Cause(ss.ctx); cause != nil && ss.ctx.Err() != nil && reason == "quit" {
		// Killed: the quit message never reached the program.
		reason = causeText(cause)
	}
	if reason != "quit" && reason != "connection closed" {
		writeBounded(sess, sess, "hashdeck: "+reason+". Bye.\n", s.o.QuitGrace)
	}
	return reason, int(out.n.Load())
}

// causeText turns why a session's context ended into its goodbye.
func causeText(cause error) string {
	for _, known := range []error{errShutdown, errRevoked, errPanic} {
		if errors.Is(cause, known) {
			return known.Error()
		}
	}
	return "connection closed"
}

// watchSession ends the program when the viewer has pressed no key for
// --idle, when the session reaches --max-session, and when the session's
// context ends (connection lost, server shutdown, key revoked, a panic);
// it passes on window size changes. A program that does not quit within
// QuitGrace of wall time (its client stopped reading) is cut off.
func (s *Server) watchSession(sess ssh.Session, ss *session, p *tea.Program, winch <-chan ssh.Window, done <-chan struct{}) {
	idle := s.clock.NewTimer(s.o.Idle)
	defer idle.Stop()
	life := s.clock.NewTimer(max(ss.start.Add(s.o.MaxSession).Sub(s.clock.Now()), 0))
	defer life.Stop()
	ctxDone := ss.ctx.Done()
	quit := func(reason string) {
		go p.Send(quitMsg{reason}) // returns when the program ends
		grace := time.NewTimer(s.o.QuitGrace)
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
			width, height := window(w.Width, w.Height)
			ss.inbox.resize(tea.WindowSizeMsg{Width: width, Height: height})
		case <-ctxDone:
			quit(causeText(context.Cause(ss.ctx)))
			return
		case <-idle.C():
			since := s.clock.Now().Sub(time.Unix(0, ss.lastInput.Load()))
			if since < s.o.Idle {
				idle.Reset(s.o.Idle - since)
				continue
			}
			quit("no key pressed for " + shortDuration(s.o.Idle))
			return
		case <-life.C():
			quit("the session reached its " + shortDuration(s.o.MaxSession) + " limit")
			return
		}
	}
}

// The largest window a session is drawn in; a bigger terminal shows the
// dashboard in its top-left corner. It bounds what one viewer can make the
// server allocate and render.
const (
	maxCols = 512
	maxRows = 200
)

// window is the size to draw a client's window at: 80×24 for a dimension
// the client did not report (ssh -tt from a script sends 0×0), at most
// maxCols×maxRows.
func window(w, h int) (int, int) {
	if w <= 0 {
		w = tui.MinWidth
	}
	if h <= 0 {
		h = tui.MinHeight
	}
	return min(w, maxCols), min(h, maxRows)
}

// inbox hands messages to a session's program from a goroutine of its
// own, keeping only the newest window size and a flag for "the shared
// history or backfill changed": a client that stops reading blocks its own
// program, never the server or the window-change handler.
type inbox struct {
	mu     sync.Mutex
	size   *tea.WindowSizeMsg
	last   tea.WindowSizeMsg // the newest size known, delivered or not
	shared bool
	wake   chan struct{}
}

func newInbox() *inbox { return &inbox{wake: make(chan struct{}, 1)} }

func (b *inbox) resize(m tea.WindowSizeMsg) {
	b.mu.Lock()
	b.size, b.last = &m, m
	b.mu.Unlock()
	b.poke()
}

// latest returns the newest window size known: the program's filter puts
// it in place of any size message, so that bubbletea's own start-up size
// (the one at connect time) cannot undo a resize sent before Run began.
func (b *inbox) latest() tea.WindowSizeMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *inbox) update() {
	b.mu.Lock()
	b.shared = true
	b.mu.Unlock()
	b.poke()
}

func (b *inbox) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// deliver sends what is pending to p until done. shared returns the
// server's newest history and backfill progress.
func (b *inbox) deliver(p *tea.Program, shared func() (*board.History, *feeds.BackfillProgress), done <-chan struct{}) {
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

// model wraps one viewer's dashboard: it records key presses for the idle
// limit, copies the screen to the clipboard on tui.Keys.Copy (ctrl+s),
// masks the secrets, quits with a reason when the server ends the session,
// and contains a panic of the dashboard (Init, Update, View or a command)
// to its session.
type model struct {
	inner     dashboard
	now       func() time.Time
	lastInput *atomic.Int64 // the session's: Unix ns of the last key press or click
	reason    string        // why the server ended the session ("" when the viewer quit)
	w         int
	flash     string // a one-line message over the status bar
	flashID   int
	secrets   []string // masked in every frame (API keys, the config path)

	// fail reports a panic of the dashboard; broken is then set and the
	// dashboard is not called again.
	fail     func(where string, r any)
	broken   atomic.Bool
	lastView tea.View
}

// quitMsg ends the program for a reason given by the server.
type quitMsg struct{ reason string }

// flashEndMsg clears the flash message it was scheduled for.
type flashEndMsg struct{ id int }

// contain recovers a panic of the dashboard, reports it once and marks
// the model broken. Deferred by every call into the dashboard.
func (m *model) contain(where string) {
	if r := recover(); r != nil {
		if !m.broken.Swap(true) {
			m.fail(where, r)
		}
	}
}

func (m *model) Init() (cmd tea.Cmd) {
	defer m.contain("dashboard Init")
	return m.safe(m.inner.Init())
}

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case quitMsg:
		m.reason = msg.reason
		return m, tea.Quit
	case flashEndMsg:
		if msg.id == m.flashID {
			m.flash = ""
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.w = msg.Width
	case tea.KeyPressMsg:
		m.lastInput.Store(m.now().UnixNano())
		if key.Matches(msg, tui.Keys.Copy) { // the dashboard leaves this key to the server
			m.flashID++
			id := m.flashID
			m.flash = "screen copied to your clipboard (OSC 52: your terminal must allow it)"
			return m, tea.Batch(tea.SetClipboard(plainFrame(redact(m.inner.Frame(), m.secrets))),
				tea.Tick(3*time.Second, func(time.Time) tea.Msg { return flashEndMsg{id} }))
		}
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		m.lastInput.Store(m.now().UnixNano())
	}
	if m.broken.Load() {
		return m, nil // the session is ending: wait for the quit
	}
	return m, m.update(msg)
}

func (m *model) update(msg tea.Msg) tea.Cmd {
	defer m.contain("dashboard Update")
	_, cmd := m.inner.Update(msg)
	return m.safe(cmd)
}

func (m *model) View() tea.View {
	if !m.broken.Load() {
		m.lastView = m.view()
	}
	v := m.lastView
	if m.flash != "" {
		if i := strings.LastIndexByte(v.Content, '\n'); i >= 0 {
			line := ansi.Truncate(" "+m.flash, m.w, "…")
			line += strings.Repeat(" ", max(m.w-ansi.StringWidth(line), 0))
			v.Content = v.Content[:i+1] + lipgloss.NewStyle().Reverse(true).Render(line)
		}
	}
	return v
}

// view is the dashboard's view with the secrets masked, or the last good
// one if the dashboard panics.
func (m *model) view() (v tea.View) {
	v = m.lastView
	defer m.contain("dashboard View")
	v = m.inner.View()
	v.Content = redact(v.Content, m.secrets)
	return v
}

// safe wraps a command of the dashboard so that its panic, on whatever
// goroutine bubbletea runs it, ends only this session; the commands of a
// batch it returns are wrapped too.
func (m *model) safe(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer m.contain("dashboard command")
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			wrapped := make(tea.BatchMsg, len(batch))
			for i, c := range batch {
				wrapped[i] = m.safe(c)
			}
			return wrapped
		}
		return msg
	}
}

// redact replaces every secret in s with as many '*' as it has
// characters, so that a frame keeps its width.
func redact(s string, secrets []string) string {
	for _, x := range secrets {
		if x != "" && strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, strings.Repeat("*", len([]rune(x))))
		}
	}
	return s
}

// plainFrame is a frame without escape sequences or trailing blanks.
func plainFrame(frame string) string {
	lines := strings.Split(ansi.Strip(frame), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// snapshotText is the overview at 120×40 in the mono theme, as plain text.
func (s *Server) snapshotText(now time.Time) string {
	hist, bf := s.shared()
	d := board.BuildWith(s.env, hist, s.state(), now, econ.Scenario{})
	d.Backfill = bf
	th := themes.New(themes.Palettes()[0], true)
	frame := tui.Render(d, tui.UI{View: tui.ViewOverview, Range: tui.Range1Y}, snapshotWidth, snapshotHeight, th)
	return plainFrame(redact(frame, s.o.Secrets))
}

// state is the newest feeds state (nil offline or before the first poll).
func (s *Server) state() *market.State {
	if s.hub == nil || s.env.Offline {
		return nil
	}
	return s.hub.Current()
}

// helpText is what a session without a terminal gets; local is the
// address the client connected to.
func (s *Server) helpText(local net.Addr) string {
	host, port := s.connectHost(local)
	to := "-p " + port + " " + host
	var b strings.Builder
	b.WriteString("hashdeck: the Bitcoin-mining sector dashboard, over SSH.\n\n")
	fmt.Fprintf(&b, "  ssh -t %s                        the dashboard (needs a terminal)\n", to)
	fmt.Fprintf(&b, "  ssh -t %s dash --theme light     with a theme; --no-color drops colour\n", to)
	fmt.Fprintf(&b, "  ssh %s snapshot --format txt     the overview as plain text, %d×%d\n", to, snapshotWidth, snapshotHeight)
	fmt.Fprintf(&b, "  ssh %s help                      this text\n\n", to)
	fmt.Fprintf(&b, "In the dashboard, %s lists the keys, %s quits, and %s copies the screen to\n",
		tui.Keys.Help.Help().Key, tui.Keys.Quit.Help().Key, tui.Keys.Copy.Help().Key)
	b.WriteString("your clipboard (OSC 52; in tmux: set -g set-clipboard on). Colour follows your\n")
	b.WriteString("TERM, plus COLORTERM and NO_COLOR if your client sends them (SendEnv).\n")
	fmt.Fprintf(&b, "A dashboard ends after %s without a key press; any session after %s.\n",
		shortDuration(s.o.Idle), shortDuration(s.o.MaxSession))
	b.WriteString("There is no shell, exec, port forwarding, SCP or SFTP here.\n")
	if s.o.AllowAnyone {
		b.WriteString("\nThis server lets ANYONE in (--allow-anyone): treat what it shows as public.\n")
	}
	return b.String()
}

// tickGrid is the grid the sessions' programs start on.
const tickGrid = 250 * time.Millisecond
