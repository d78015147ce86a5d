package tui

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// A Screen draws a bubbletea program's views to a terminal: any io.Writer
// with its own size and colour profile, the process's terminal or an SSH
// session's channel. It stands in for bubbletea's renderer, which flushes
// on a fixed ticker: a Screen writes a frame as soon as an Update changed
// the view, and nothing at all while the view stays the same.
//
// The Screen remembers the lines it drew. A new frame is compared with
// them line by line (a model that keeps its frame returns lines that
// compare in O(1)); a changed line is split into cells and only the runs
// of cells that differ are written, each from its own cursor position
// and style. One frame is one Write. A goroutine of the Screen's own
// writes the frames, always the newest: a burst of updates coalesces into
// the frames the writer has time for, and a terminal that stops reading (a
// stalled SSH client) blocks only that goroutine, never the program.
//
// Run a program on it with the options of ProgramOptions and the model
// wrapped by Model; call Start before the program runs and Close after it
// returns. The views it draws fill the window (Width×Height cells,
// AltScreen or not); it follows a view's alternate screen, cursor
// (visibility and position), mouse mode, window title, bracketed paste,
// focus reports, keyboard enhancements and terminal colours, but not its
// progress bar, program status, cursor shape or colour, or OnMouse.
// Frames are styled with SGR sequences; other escape sequences inside a
// frame (hyperlinks among them) are dropped.
type Screen struct {
	out  io.Writer
	opts ScreenOptions

	mu      sync.Mutex
	pending *frameReq // the newest view posted and not yet drawn
	raw     []byte    // sequences to write ahead of the next frame
	profReq *colorprofile.Profile
	syncReq *bool
	stats   ScreenStats
	err     error
	busy    bool // the writer is drawing
	idle    *sync.Cond
	started bool
	closed  bool

	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	// The writer's state, touched only by the writer goroutine (or by
	// Close once the goroutine has stopped).
	lines   []string // what each row shows: the frame line drawn there ("" for blank)
	last    *frameReq
	w, h    int
	cx, cy  int // the cursor; cx < 0 when unknown, cx == w past the last column
	profile colorprofile.Profile
	sync    bool      // the terminal supports synchronized output (mode 2026)
	modes   viewModes // the terminal's modes, as the frames set them
	drawn   bool      // modes is the terminal's state (a frame was drawn)
	kitty   bool      // a kitty keyboard entry was pushed
	oldRow  []scell   // scratch: the cells of a row before and after
	newRow  []scell
	blank   []scell // a blank row
}

// ScreenOptions configure a Screen.
type ScreenOptions struct {
	// Width and Height are the terminal's size in cells (80×24 if unset).
	Width, Height int
	// Env is the terminal's environment: with COLORTERM and NO_COLOR it
	// picks the colour profile when Profile is not set.
	Env []string
	// Profile is the colour profile frames are written in (colours beyond
	// it are downsampled); colorprofile.Unknown detects it from the writer
	// and Env.
	Profile colorprofile.Profile
	// Input says the program reads keys from this terminal. The Screen then
	// asks for the keyboard disambiguation bubbletea's renderer asks for
	// (modifyOtherKeys 2 and a kitty protocol entry with the view's flags),
	// sends the queries the model makes (its background colour), and asks
	// whether synchronized output is supported.
	Input bool
}

// ScreenStats count what a Screen wrote.
type ScreenStats struct {
	// Frames is how many views were drawn; Flushes how many writes the
	// Screen made (a frame whose cells did not change writes nothing).
	Frames, Flushes int
	// Bytes is the total size of the writes.
	Bytes int64
}

// frameReq is a view to draw at a size.
type frameReq struct {
	v    tea.View
	w, h int
}

// viewModes are the terminal modes a view asks for.
type viewModes struct {
	altScreen bool
	mouse     tea.MouseMode
	title     string
	noPaste   bool // bracketed paste off
	focus     bool
	keyboard  int  // kitty flags (0: input is off)
	cursor    bool // shown
	cx, cy    int
	bg, fg    string // OSC colour specs, "" for the terminal's own
}

// syncThreshold is the size of a frame above which it is wrapped in
// synchronized output, where the terminal supports it: small updates do
// not tear, and the 16 bytes of the wrapping would double a status tick.
const syncThreshold = 512

// ErrScreenClosed is what Err returns once a Screen is closed, when
// nothing failed before.
var ErrScreenClosed = errors.New("tui: screen closed")

// NewScreen returns a Screen drawing to out. Nothing is written before
// Start.
func NewScreen(out io.Writer, o ScreenOptions) *Screen {
	if o.Width <= 0 {
		o.Width = MinWidth
	}
	if o.Height <= 0 {
		o.Height = MinHeight
	}
	if o.Profile == colorprofile.Unknown {
		o.Profile = colorprofile.Detect(out, o.Env)
	}
	s := &Screen{out: out, opts: o, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	s.idle = sync.NewCond(&s.mu)
	s.profile = o.Profile
	s.w, s.h, s.cx = o.Width, o.Height, -1
	return s
}

// Start starts the Screen's writer and draws what was posted before. With
// Input, it first asks whether the terminal supports synchronized output.
func (s *Screen) Start() {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		return
	}
	s.started = true
	if s.opts.Input {
		s.raw = append([]byte(ansi.RequestModeSynchronizedOutput), s.raw...)
	}
	s.mu.Unlock()
	go s.run()
	s.poke()
}

// Post asks for v to be drawn at w×h cells and returns at once; the writer
// draws the newest view posted when it gets to it.
func (s *Screen) Post(v tea.View, w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.pending = &frameReq{v: v, w: w, h: h}
	s.poke()
}

// WriteRaw queues seq (a bell, an OSC 52 clipboard write, a query) to be
// written at once, ahead of the next frame.
func (s *Screen) WriteRaw(seq string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || seq == "" {
		return
	}
	s.raw = append(s.raw, seq...)
	s.poke()
}

// SetColorProfile changes the colour profile frames are written in; the
// screen is drawn again whole in it.
func (s *Screen) SetColorProfile(p colorprofile.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || p == colorprofile.Unknown {
		return
	}
	s.profReq = &p
	s.poke()
}

// SetSynchronizedOutput says whether the terminal supports synchronized
// output (mode 2026); Model sets it from the terminal's answer to Start's
// query. Large frames are then written atomically.
func (s *Screen) SetSynchronizedOutput(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncReq = &on
}

// Stats returns what the Screen has written so far.
func (s *Screen) Stats() ScreenStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Err returns the first error writing to the terminal (the Screen writes
// nothing after it), else ErrScreenClosed once closed, else nil.
func (s *Screen) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil && s.closed {
		return ErrScreenClosed
	}
	return s.err
}

// Close stops the writer, draws the last view posted, and puts the
// terminal back as it was before the first frame: the main screen, the
// cursor shown, mouse reports, bracketed paste, focus reports and keyboard
// enhancements off, the window title and colours reset. It waits for a
// write in progress: to abandon a stalled client, close its connection
// first. It returns the first write error, if any.
func (s *Screen) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	started := s.started
	s.mu.Unlock()
	if started {
		close(s.quit)
		<-s.done
	}
	s.drawPending()
	s.restore()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// waitIdle blocks until the writer has written everything posted (tests).
func (s *Screen) waitIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy || (s.started && !s.closed && (s.pending != nil || len(s.raw) > 0 || s.profReq != nil)) {
		s.idle.Wait()
	}
}

// poke wakes the writer; the channel holds one wake-up, so pokes coalesce.
func (s *Screen) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run is the writer goroutine.
func (s *Screen) run() {
	defer close(s.done)
	for {
		select {
		case <-s.quit:
			return
		case <-s.wake:
			s.drawPending()
		}
	}
}

// drawPending writes what was posted since the last flush in one write.
func (s *Screen) drawPending() {
	s.mu.Lock()
	req, raw, prof, syncOn := s.pending, s.raw, s.profReq, s.syncReq
	s.pending, s.raw, s.profReq, s.syncReq = nil, nil, nil, nil
	failed := s.err != nil
	s.busy = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.busy = false
		s.idle.Broadcast()
		s.mu.Unlock()
	}()
	if syncOn != nil {
		s.sync = *syncOn
	}
	if prof != nil && *prof != s.profile {
		s.profile = *prof
		s.lines = nil // draw it all again in the new colours
		if req == nil {
			req = s.last
		}
	}
	if failed || (req == nil && len(raw) == 0) {
		return
	}
	out := raw
	frames := 0
	if req != nil {
		out = s.draw(out, req)
		frames = 1
	}
	s.write(out, frames)
}

// write makes one write and counts it.
func (s *Screen) write(p []byte, frames int) {
	var err error
	if len(p) > 0 {
		_, err = s.out.Write(p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Frames += frames
	if len(p) > 0 {
		s.stats.Flushes++
		s.stats.Bytes += int64(len(p))
	}
	if err != nil && s.err == nil {
		s.err = err
	}
}

// draw appends to out what turns the terminal's screen into req's view:
// the modes that changed, then the cells that changed.
func (s *Screen) draw(out []byte, req *frameReq) []byte {
	s.last = req
	w, h := max(req.w, 1), max(req.h, 1)
	if w != s.w || h != s.h {
		s.w, s.h = w, h
		s.lines = nil // the terminal may have moved what it showed: draw it all
	}
	start := len(out)
	out = s.setModes(out, s.modesOf(req.v))
	if len(s.lines) != h {
		// Erase, and draw every line over blank rows.
		s.lines = make([]string, h)
		out = append(out, ansi.ResetStyle+ansi.CursorHomePosition+ansi.EraseEntireScreen...)
		s.cx, s.cy = 0, 0
	}
	content := req.v.Content
	for y := range h {
		var line string
		line, content, _ = strings.Cut(content, "\n")
		if line != s.lines[y] {
			out = s.drawLine(out, y, line)
			s.lines[y] = line
		}
	}
	if s.modes.cursor {
		out = s.moveTo(out, min(max(s.modes.cx, 0), w-1), min(max(s.modes.cy, 0), h-1))
	}
	out = s.convert(out, start)
	if s.sync && len(out)-start > syncThreshold {
		frame := bytes.Clone(out[start:])
		out = append(append(append(out[:start], ansi.SetModeSynchronizedOutput...), frame...), ansi.ResetModeSynchronizedOutput...)
	}
	return out
}

// convert downsamples the colours of out[start:] to the terminal's
// profile where it has fewer than the frame uses (the dashboard's themes
// use the 256-colour palette).
func (s *Screen) convert(out []byte, start int) []byte {
	p := s.profile
	switch {
	case p == colorprofile.TrueColor:
		return out
	case p == colorprofile.ANSI256 && !bytes.Contains(out[start:], []byte(";2;")):
		return out // no 24-bit colour to convert
	case p < colorprofile.ASCII:
		p = colorprofile.ASCII // keep the cursor moves, drop the colours
	}
	var b bytes.Buffer
	cw := colorprofile.Writer{Forward: &b, Profile: p}
	_, _ = cw.Write(out[start:])
	return append(out[:start], b.Bytes()...)
}

// modesOf reads the modes a view asks for.
func (s *Screen) modesOf(v tea.View) viewModes {
	m := viewModes{altScreen: v.AltScreen, mouse: v.MouseMode, title: v.WindowTitle,
		noPaste: v.DisableBracketedPasteMode, focus: v.ReportFocus, bg: oscColor(v.BackgroundColor), fg: oscColor(v.ForegroundColor)}
	if s.opts.Input {
		m.keyboard = kittyFlags(v.KeyboardEnhancements)
	}
	if c := v.Cursor; c != nil {
		m.cursor, m.cx, m.cy = true, c.X, c.Y
	}
	return m
}

// setModes appends the sequences that take the terminal from its modes to
// m.
func (s *Screen) setModes(out []byte, m viewModes) []byte {
	old, first := s.modes, !s.drawn
	s.modes, s.drawn = m, true
	if first || m.altScreen != old.altScreen {
		out = s.popKeyboard(out) // the kitty protocol keeps a stack per screen
		if m.altScreen {
			out = append(out, ansi.SetModeAltScreenSaveCursor...)
		} else if !first {
			out = append(out, ansi.ResetModeAltScreenSaveCursor...)
		}
		s.lines = nil // a screen of its own: draw it all
	}
	if first || m.cursor != old.cursor || m.altScreen != old.altScreen {
		if m.cursor {
			out = append(out, ansi.ShowCursor...)
		} else {
			out = append(out, ansi.HideCursor...)
		}
	}
	if m.noPaste != old.noPaste || (first && !m.noPaste) {
		if m.noPaste {
			out = append(out, ansi.ResetModeBracketedPaste...)
		} else {
			out = append(out, ansi.SetModeBracketedPaste...)
		}
	}
	if m.focus != old.focus {
		if m.focus {
			out = append(out, ansi.SetModeFocusEvent...)
		} else {
			out = append(out, ansi.ResetModeFocusEvent...)
		}
	}
	if m.mouse != old.mouse {
		out = append(out, mouseSeq(old.mouse, m.mouse)...)
	}
	if m.title != old.title {
		out = append(out, ansi.SetWindowTitle(m.title)...)
	}
	if m.bg != old.bg {
		if m.bg == "" {
			out = append(out, ansi.ResetBackgroundColor...)
		} else {
			out = append(out, ansi.SetBackgroundColor(m.bg)...)
		}
	}
	if m.fg != old.fg {
		if m.fg == "" {
			out = append(out, ansi.ResetForegroundColor...)
		} else {
			out = append(out, ansi.SetForegroundColor(m.fg)...)
		}
	}
	switch {
	case m.keyboard == 0:
		out = s.popKeyboard(out)
	case !s.kitty:
		out = append(out, ansi.SetModifyOtherKeys2+ansi.PushKittyKeyboard(m.keyboard)...)
		s.kitty = true
	case m.keyboard != old.keyboard:
		out = append(out, ansi.KittyKeyboard(m.keyboard, 1)...)
	}
	return out
}

// popKeyboard appends the end of the keyboard enhancements, if on.
func (s *Screen) popKeyboard(out []byte) []byte {
	if s.kitty {
		out = append(out, ansi.ResetModifyOtherKeys+ansi.PopKittyKeyboard(1)...)
		s.kitty = false
	}
	return out
}

// restore writes what puts the terminal back as it was before the first
// frame. The writer has stopped.
func (s *Screen) restore() {
	s.mu.Lock()
	failed := s.err != nil
	s.mu.Unlock()
	if !s.drawn || failed {
		return
	}
	m := s.modes
	out := s.popKeyboard(nil)
	out = append(out, ansi.ResetStyle...)
	if m.altScreen {
		out = append(out, ansi.ResetModeAltScreenSaveCursor...)
	} else {
		out = append(s.moveTo(out, 0, s.h-1), "\r\n"...)
	}
	out = append(out, ansi.ShowCursor...)
	if !m.noPaste {
		out = append(out, ansi.ResetModeBracketedPaste...)
	}
	if m.focus {
		out = append(out, ansi.ResetModeFocusEvent...)
	}
	if m.mouse != tea.MouseModeNone {
		out = append(out, mouseSeq(m.mouse, tea.MouseModeNone)...)
	}
	if m.title != "" {
		out = append(out, ansi.SetWindowTitle("")...)
	}
	if m.bg != "" {
		out = append(out, ansi.ResetBackgroundColor...)
	}
	if m.fg != "" {
		out = append(out, ansi.ResetForegroundColor...)
	}
	s.drawn, s.lines = false, nil
	s.write(out, 0)
}

// mouseSeq is what moves the terminal's mouse reports from one mode to
// another (always SGR-encoded).
func mouseSeq(from, to tea.MouseMode) string {
	var b strings.Builder
	switch from {
	case tea.MouseModeCellMotion:
		b.WriteString(ansi.ResetModeMouseButtonEvent)
	case tea.MouseModeAllMotion:
		b.WriteString(ansi.ResetModeMouseAnyEvent)
	}
	switch to {
	case tea.MouseModeCellMotion:
		b.WriteString(ansi.SetModeMouseButtonEvent + ansi.SetModeMouseExtSgr)
	case tea.MouseModeAllMotion:
		b.WriteString(ansi.SetModeMouseAnyEvent + ansi.SetModeMouseExtSgr)
	default:
		if from != tea.MouseModeNone {
			b.WriteString(ansi.ResetModeMouseExtSgr)
		}
	}
	return b.String()
}

// kittyFlags are the kitty keyboard flags for a view's enhancements: basic
// disambiguation always, as bubbletea asks.
func kittyFlags(k tea.KeyboardEnhancements) int {
	f := ansi.KittyDisambiguateEscapeCodes
	if k.ReportEventTypes {
		f |= ansi.KittyReportEventTypes
	}
	if k.ReportAlternateKeys {
		f |= ansi.KittyReportAlternateKeys
	}
	if k.ReportAllKeysAsEscapeCodes {
		f |= ansi.KittyReportAllKeysAsEscapeCodes
	}
	if k.ReportAssociatedText {
		f |= ansi.KittyReportAssociatedKeys
	}
	return f
}

// oscColor is c as an OSC colour spec ("#rrggbb"), "" for nil.
func oscColor(c color.Color) string {
	if c == nil {
		return ""
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}
