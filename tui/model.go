package tui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

// Options configure one dashboard program.
type Options struct {
	Env *board.Env
	// Hub delivers feed states; nil runs on the embedded data only.
	Hub *feeds.Hub
	// Theme is the initial theme name; "" follows the terminal background
	// (dark or light) once it answers.
	Theme string
	// NoColor draws without colour (NO_COLOR, --no-color).
	NoColor bool
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Notice is shown in the status bar until the first key (e.g. that a
	// corrupt history file was moved aside).
	Notice string
	// Width and Height are the terminal's size for the first frame (80×24
	// if unset), so that the first frame drawn is the right one.
	Width, Height int
}

// Model is the bubbletea model: UI state plus the newest Data. Update does
// all the work — rebuilding Data when the state or scenario changes and
// rendering the frame once per change — so View only returns the cached
// frame. Nothing runs on a clock but the status bar's age of a live price,
// which wakes the model only when its text changes (see statusAge).
type Model struct {
	env   *board.Env
	now   func() time.Time
	sub   *feeds.Subscription
	state *market.State
	data  *board.Data
	ui    UI
	w, h  int

	themeNames []string
	themeIdx   int
	themeFixed bool
	mono       bool
	theme      themes.Theme

	frame    string
	alerts   int // alerts raised in the last frame, to ring the bell once per rise
	backfill *feeds.BackfillProgress
	// historyErr is why history is not being saved ("" while it is).
	historyErr string
	history    *board.History

	// start is when the dashboard started (its first minute shows ages in
	// seconds); tickGen numbers the age tick asked for last, so that a tick
	// made stale by a newer state is dropped.
	start   time.Time
	tickGen uint64
	// tickStop ends the wait of the age tick asked for last (closed when a
	// newer one is asked for, and by Close).
	tickStop chan struct{}
	// after is [tick] (a fake clock's in tests).
	after func(time.Duration, <-chan struct{}, func(time.Time) tea.Msg) tea.Cmd
}

// tick is tea.Tick that gives up when stop is closed. tea.Tick's goroutine
// waits for its timer whatever happens: an age tick superseded by a newer
// state, or a closed SSH session's, would stay for up to an hour, keeping
// the session's model in memory.
func tick(d time.Duration, stop <-chan struct{}, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case now := <-t.C:
			return fn(now)
		case <-stop:
			return nil
		}
	}
}

// BackfillMsg reports the history backfill's progress to the model.
type BackfillMsg feeds.BackfillProgress

// RecorderMsg says the history store's writes started failing or
// recovered (feeds.Recorder.Notify): the status bar says "history not
// saved" while they fail.
type RecorderMsg feeds.RecorderStats

// HistoryMsg delivers a new board.History to the model.
type HistoryMsg struct{ H *board.History }

// stateMsg carries a new feeds state into Update.
type stateMsg struct{ st *market.State }

// tickMsg wakes the model when the status bar's age changes text; gen is
// the Model's tickGen when it was asked for.
type tickMsg struct {
	t   time.Time
	gen uint64
}

// New returns a dashboard model. Its subscription to the hub (if any) is
// released by Close.
func New(o Options) (*Model, error) {
	m := &Model{env: o.Env, now: o.Now, mono: o.NoColor, themeNames: themes.Names(), w: MinWidth, h: MinHeight, after: tick}
	if o.Width > 0 && o.Height > 0 {
		m.w, m.h = o.Width, o.Height
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.start = m.now()
	if o.Theme != "" {
		i := slices.Index(m.themeNames, o.Theme)
		if i < 0 {
			_, err := themes.Lookup(o.Theme)
			return nil, err
		}
		m.themeIdx, m.themeFixed = i, true
	}
	m.theme = themes.New(themes.Palettes()[m.themeIdx], m.mono)
	if o.Hub != nil && !o.Env.Offline {
		m.sub = o.Hub.Subscribe()
	}
	m.ui.Range = Range1Y
	m.ui.Notice = o.Notice
	m.rebuild()
	return m, nil
}

// Close releases the model's subscription to the feeds hub and ends the
// wait of its age tick. Call it after the event loop has stopped.
func (m *Model) Close() {
	if m.sub != nil {
		m.sub.Close()
	}
	m.stopTick()
}

// stopTick ends the wait of the age tick asked for last, if any.
func (m *Model) stopTick() {
	if m.tickStop != nil {
		close(m.tickStop)
		m.tickStop = nil
	}
}

// waitState returns a command that delivers the next state from the hub.
func (m *Model) waitState() tea.Cmd {
	if m.sub == nil {
		return nil
	}
	ch := m.sub.C()
	return func() tea.Msg {
		st, ok := <-ch
		if !ok {
			return nil
		}
		return stateMsg{st}
	}
}

// ageTick asks to be woken when the status bar's age of a live price
// next changes text, and forgets the tick asked for before. With no live
// price there is nothing to wake for.
func (m *Model) ageTick() tea.Cmd {
	m.tickGen++
	m.stopTick()
	if m.sub == nil || m.data.Price.Layer != board.LayerLive {
		return nil
	}
	now := m.data.Now
	d := nextStatusAge(now.Sub(m.data.Price.At), m.ui.AgeMinutes)
	if !m.ui.AgeMinutes {
		d = min(d, m.start.Add(time.Minute).Sub(now)) // then ages turn to minutes
	}
	gen := m.tickGen
	m.tickStop = make(chan struct{})
	return m.after(max(d, time.Millisecond), m.tickStop, func(t time.Time) tea.Msg { return tickMsg{t: t, gen: gen} })
}

// Init asks for the terminal background and starts listening to the feeds.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.waitState(), m.ageTick())
}

// rebuild recomputes Data from the newest state and the scenario, then the frame.
func (m *Model) rebuild() {
	var d board.Data
	var shared *board.Data
	if m.ui.Scenario.IsZero() {
		shared = m.env.Shared(m.history, m.state, m.now()) // shared with every viewer of this state
		d = *shared
	} else {
		d = *board.BuildWith(m.env, m.history, m.state, m.now(), m.ui.Scenario)
	}
	d.Backfill = m.backfill
	d.HistoryError = m.historyErr
	m.data = &d
	m.ui.AgeMinutes = m.ui.AgeMinutes || d.Now.Sub(m.start) >= time.Minute
	if shared == nil {
		m.render()
		return
	}
	// Every viewer of this board draws the same frame but for its status
	// line: draw it once (frames) and write this viewer's status over it.
	frame := frames.get(shared, m.ui, m.w, m.h, m.theme, func() string { return Render(m.data, m.ui, m.w, m.h, m.theme) })
	m.frame = RenderStatus(frame, m.data, m.ui, m.w, m.h, m.theme)
}

func (m *Model) render() {
	m.frame = Render(m.data, m.ui, m.w, m.h, m.theme)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case stateMsg:
		if m.state != nil && msg.st.Version <= m.state.Version {
			return m, m.waitState() // an older state: drop it
		}
		m.state = msg.st
		m.rebuild()
		return m, tea.Batch(m.waitState(), m.bell(), m.ageTick())
	case HistoryMsg:
		m.history = msg.H
		m.rebuild()
	case RecorderMsg:
		m.historyErr = ""
		if msg.Failing {
			m.historyErr = msg.LastError
		}
		d := *m.data
		d.HistoryError = m.historyErr
		m.data = &d
		// Only the status bar shows it: redraw that line, not the frame.
		m.frame = RenderStatus(m.frame, m.data, m.ui, m.w, m.h, m.theme)
	case BackfillMsg:
		p := feeds.BackfillProgress(msg)
		m.backfill = &p
		d := *m.data
		d.Backfill = m.backfill
		m.data = &d
		// Only the status bar shows it: redraw that line, not the frame.
		m.frame = RenderStatus(m.frame, m.data, m.ui, m.w, m.h, m.theme)
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil // a newer state asked for a tick of its own
		}
		// Only the age changes: refresh the clock without recomputing the board.
		d := *m.data
		d.Now = msg.t
		m.data = &d
		m.ui.AgeMinutes = m.ui.AgeMinutes || msg.t.Sub(m.start) >= time.Minute
		m.frame = RenderStatus(m.frame, m.data, m.ui, m.w, m.h, m.theme)
		return m, m.ageTick()
	case tea.WindowSizeMsg:
		if msg.Width != m.w || msg.Height != m.h {
			m.w, m.h = msg.Width, msg.Height
			m.render()
		}
	case tea.BackgroundColorMsg:
		if !m.themeFixed {
			m.themeIdx = 0 // dark
			if !msg.IsDark() {
				m.themeIdx = slices.Index(m.themeNames, "light")
			}
			m.theme = themes.New(themes.Palettes()[m.themeIdx], m.mono)
			m.render()
		}
	case tea.KeyPressMsg:
		return m.key(msg.String())
	case tea.MouseClickMsg:
		if m.ui.View == ViewPeers && !m.ui.ShowHelp && msg.Button == tea.MouseLeft {
			// The body starts below the tab bar and the alert banner, if any.
			top := 1
			if len(m.data.Alerts) > 0 {
				top++
			}
			m.ui = peersClickIn(m.ui, m.data, msg.X, msg.Y-top, m.h-1-top)
			m.render()
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp: // the wheel turns as the arrow keys
			return m.key(tea.KeyPressMsg{Code: tea.KeyUp}.String())
		case tea.MouseWheelDown:
			return m.key(tea.KeyPressMsg{Code: tea.KeyDown}.String())
		}
	}
	return m, nil
}

// key applies one key press, named as tea.KeyPressMsg.String() names it.
func (m *Model) key(name string) (tea.Model, tea.Cmd) {
	k, km := keyName(name), &Keys
	if key.Matches(k, km.ForceQuit) {
		return m, tea.Quit
	}
	before, themeBefore := m.ui, m.themeIdx
	switch {
	case m.ui.View == ViewScenario && m.ui.Editing:
		m.ui = scenarioKey(m.ui, m.data, name) // typing: every key is input
	case key.Matches(k, km.Quit):
		return m, tea.Quit
	case key.Matches(k, km.Help):
		m.ui.ShowHelp = !m.ui.ShowHelp
	case key.Matches(k, km.CloseHelp) && m.ui.ShowHelp:
		m.ui.ShowHelp = false
	case key.Matches(k, km.Views):
		m.ui.View, m.ui.ShowHelp = View(slices.Index(km.Views.Keys(), name)), false
	case key.Matches(k, km.Next):
		m.ui.View, m.ui.ShowHelp = (m.ui.View+1)%numViews, false
	case key.Matches(k, km.Prev):
		m.ui.View, m.ui.ShowHelp = (m.ui.View+numViews-1)%numViews, false
	case key.Matches(k, km.Theme):
		m.themeIdx = (m.themeIdx + 1) % len(m.themeNames)
		m.themeFixed = true
		m.theme = themes.New(themes.Palettes()[m.themeIdx], m.mono)
	case key.Matches(k, km.Shorter):
		m.ui.Range = max(m.ui.Range-1, 0)
	case key.Matches(k, km.Longer):
		m.ui.Range = min(m.ui.Range+1, numRanges-1)
	default:
		m.ui.Notice = ""
		switch m.ui.View {
		case ViewPeers:
			m.ui = peersKey(m.ui, m.data, name)
		case ViewCharts:
			m.ui = chartsKey(m.ui, m.data, name)
		case ViewDetail:
			m.ui = detailKey(m.ui, m.data, name)
		case ViewScenario:
			m.ui = scenarioKey(m.ui, m.data, name)
		case ViewCosts:
			m.ui = costsKey(m.ui, m.data, name)
		}
	}
	switch {
	case m.ui.Scenario != before.Scenario:
		m.rebuild()
		return m, m.bell()
	case m.ui == before && m.themeIdx == themeBefore:
		return m, nil // a key that changed nothing: the frame stands
	}
	m.render()
	return m, nil
}

// bell rings the terminal bell when an alert rises (and bells are on).
func (m *Model) bell() tea.Cmd {
	n := len(m.data.Alerts)
	rose := n > m.alerts
	m.alerts = n
	if rose && m.env.Alerts.Bell {
		return tea.Raw("\a")
	}
	return nil
}

// View returns the frame rendered by the last Update, in the alternate
// screen with mouse clicks reported.
func (m *Model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "hashdeck"
	return v
}

// Frame returns the current frame (for snapshots and tests).
func (m *Model) Frame() string { return m.frame }

// UI returns the current interface state.
func (m *Model) UI() UI { return m.ui }

// Data returns the data of the current frame.
func (m *Model) Data() *board.Data { return m.data }
