package tui

import (
	"fmt"
	"image/color"
	"reflect"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// ProgramOptions are the bubbletea options of a program drawn on s: no
// renderer of bubbletea's own, its event loop's flush ticker at the
// slowest rate bubbletea allows (once a second, and with no renderer it
// only flushes the rare sequence bubbletea writes itself), the initial
// size and colour profile of s, and Filter. Add input, output (for those
// rare sequences), context and environment options after them.
func (s *Screen) ProgramOptions() []tea.ProgramOption {
	return []tea.ProgramOption{
		tea.WithoutRenderer(),
		tea.WithFPS(1),
		tea.WithFilter(s.Filter),
		tea.WithWindowSize(s.opts.Width, s.opts.Height),
		tea.WithColorProfile(s.opts.Profile),
	}
}

// The types of the messages of bubbletea commands that write to the
// terminal: bubbletea would hold what they write until its next tick.
var (
	bgQueryType   = reflect.TypeOf(tea.RequestBackgroundColor())
	clipboardType = reflect.TypeOf(tea.SetClipboard("")())
	primaryType   = reflect.TypeOf(tea.SetPrimaryClipboard("")())
)

// Filter is the program's message filter (tea.WithFilter): it writes at
// once, through s, what bubbletea without a renderer would hold until its
// next tick — tea.Raw (the bell), tea.SetClipboard and
// tea.SetPrimaryClipboard (OSC 52), and tea.RequestBackgroundColor (sent
// only with ScreenOptions.Input) — and drops those messages. Other
// messages pass. A program with a filter of its own calls this one from
// it.
func (s *Screen) Filter(_ tea.Model, msg tea.Msg) tea.Msg {
	if raw, ok := msg.(tea.RawMsg); ok {
		s.WriteRaw(fmt.Sprint(raw.Msg))
		return nil
	}
	switch reflect.TypeOf(msg) {
	case bgQueryType:
		if s.opts.Input {
			s.WriteRaw(ansi.RequestBackgroundColor)
		}
		return nil
	case clipboardType:
		s.WriteRaw(ansi.SetSystemClipboard(reflect.ValueOf(msg).String()))
		return nil
	case primaryType:
		s.WriteRaw(ansi.SetPrimaryClipboard(reflect.ValueOf(msg).String()))
		return nil
	}
	return msg
}

// Model wraps m for a program run with ProgramOptions: after Init and
// after every message, m's view is posted to s if it differs from the one
// posted last (or the window changed size). Window sizes, colour profiles
// and the terminal's answer about synchronized output also go to s; every
// message goes on to m. The wrapper's own View is empty: bubbletea has no
// renderer to give it to.
func (s *Screen) Model(m tea.Model) tea.Model {
	return &screenModel{s: s, inner: m, w: s.opts.Width, h: s.opts.Height}
}

// screenModel is what Screen.Model returns.
type screenModel struct {
	s      *Screen
	inner  tea.Model
	w, h   int
	last   tea.View
	posted bool
}

// Init initialises the wrapped model and posts its first view.
func (m *screenModel) Init() tea.Cmd {
	cmd := m.inner.Init()
	m.post()
	return cmd
}

// Update passes msg to the wrapped model and posts its view if it changed.
func (m *screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width != m.w || msg.Height != m.h {
			m.w, m.h = msg.Width, msg.Height
			m.posted = false
		}
	case tea.ColorProfileMsg:
		m.s.SetColorProfile(msg.Profile)
	case tea.ModeReportMsg:
		if msg.Mode == ansi.ModeSynchronizedOutput {
			m.s.SetSynchronizedOutput(msg.Value == ansi.ModeReset || msg.Value == ansi.ModeSet)
		}
	}
	next, cmd := m.inner.Update(msg)
	m.inner = next
	m.post()
	return m, cmd
}

// View is empty: the wrapped model's view goes to the Screen.
func (m *screenModel) View() tea.View { return tea.View{} }

// post posts the wrapped model's view unless it is the one posted last.
func (m *screenModel) post() {
	v := m.inner.View()
	if m.posted && viewEqual(&m.last, &v) {
		return
	}
	m.last, m.posted = v, true
	m.s.Post(v, m.w, m.h)
}

// viewEqual reports whether two views draw the same: the same content (a
// model that keeps its frame returns the same string, compared in O(1))
// and the same modes the Screen follows.
func viewEqual(a, b *tea.View) bool {
	if a.Content != b.Content || a.AltScreen != b.AltScreen || a.MouseMode != b.MouseMode ||
		a.WindowTitle != b.WindowTitle || a.DisableBracketedPasteMode != b.DisableBracketedPasteMode ||
		a.ReportFocus != b.ReportFocus || a.KeyboardEnhancements != b.KeyboardEnhancements ||
		!sameColor(a.BackgroundColor, b.BackgroundColor) || !sameColor(a.ForegroundColor, b.ForegroundColor) {
		return false
	}
	if (a.Cursor == nil) != (b.Cursor == nil) {
		return false
	}
	return a.Cursor == nil || a.Cursor.Position == b.Cursor.Position
}

// sameColor compares two colours by value (nil is the terminal's own).
func sameColor(a, b color.Color) bool {
	return oscColor(a) == oscColor(b)
}
