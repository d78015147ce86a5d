package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

func newTestModel(t *testing.T, hub *feeds.Hub) *Model {
	t.Helper()
	env := *testEnv()
	env.Offline = hub == nil
	m, err := New(Options{Env: &env, Hub: hub, Theme: "dark", NoColor: true, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.key(k)
	}
}

func TestModelViewSwitching(t *testing.T) {
	m := newTestModel(t, nil)
	for _, c := range []struct {
		key  string
		want View
	}{{"2", ViewPeers}, {"3", ViewCharts}, {"4", ViewDetail}, {"5", ViewScenario}, {"6", ViewCosts}, {"1", ViewOverview}} {
		press(m, c.key)
		if m.UI().View != c.want {
			t.Errorf("key %s: view %v, want %v", c.key, m.UI().View, c.want)
		}
	}
	press(m, "tab", "tab")
	if m.UI().View != ViewCharts {
		t.Errorf("tab tab from overview: %v", m.UI().View)
	}
	press(m, "shift+tab", "shift+tab", "shift+tab")
	if m.UI().View != ViewCosts {
		t.Errorf("shift+tab wraps to the last view: %v", m.UI().View)
	}
	press(m, "?")
	if !m.UI().ShowHelp || !strings.Contains(m.Frame(), "show or hide this help") {
		t.Error("? does not show the help")
	}
	press(m, "esc")
	if m.UI().ShowHelp {
		t.Error("esc does not close the help")
	}
	if _, cmd := m.key("q"); cmd == nil {
		t.Error("q does not quit")
	}
}

func TestModelRangeAndTheme(t *testing.T) {
	m := newTestModel(t, nil)
	if m.UI().Range != Range1Y {
		t.Fatalf("default range %v", m.UI().Range)
	}
	press(m, "[", "[", "[")
	if m.UI().Range != Range1M {
		t.Errorf("[ stops at 1M: %v", m.UI().Range)
	}
	press(m, "]", "]", "]", "]", "]")
	if m.UI().Range != RangeAll {
		t.Errorf("] stops at all: %v", m.UI().Range)
	}
	if !strings.Contains(ansi.Strip(m.Frame()), "· all") {
		t.Error("the chart title does not show the range")
	}
	press(m, "t")
	if !strings.Contains(m.Frame(), "theme light") {
		t.Errorf("t does not move to the next theme")
	}
}

func TestModelResize(t *testing.T) {
	m := newTestModel(t, nil)
	for _, sz := range [][2]int{{200, 60}, {80, 24}, {60, 10}, {250, 70}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkFrame(t, m.Frame(), sz[0], sz[1])
	}
}

func TestModelFollowsStatesAndDropsOldOnes(t *testing.T) {
	hub := feeds.NewHub(nil)
	m := newTestModel(t, hub)
	st := func(v uint64, price float64) *market.State {
		return &market.State{Version: v, Mode: market.ModeLive, Values: map[market.Metric]market.Value{
			market.PriceUSD: {V: price, At: fixedNow, Source: "test"},
		}, Live: map[string]string{"price": "test"}}
	}
	m.Update(stateMsg{st(2, 100_000)})
	if p := m.Data().Price; p.V != 100_000 || p.Layer != board.LayerLive {
		t.Fatalf("price after a state: %+v", p)
	}
	if !strings.Contains(m.Frame(), "$100,000") {
		t.Error("the frame does not show the live price")
	}
	m.Update(stateMsg{st(1, 50_000)}) // an older version arrives late
	if m.Data().Price.V != 100_000 {
		t.Error("an older state replaced a newer one")
	}
	// The one-second tick only moves the clock.
	before := m.Data()
	m.Update(tickMsg{t: fixedNow.Add(5 * time.Second), gen: m.tickGen})
	if m.Data().Board.Network.Hashprice != before.Board.Network.Hashprice || !m.Data().Now.Equal(fixedNow.Add(5*time.Second)) {
		t.Error("the tick recomputed the board or did not move the clock")
	}
	if !strings.Contains(m.Frame(), "price 5s old") {
		t.Errorf("status bar does not age the price:\n%s", ansi.Strip(m.Frame()))
	}
	// Redrawing only the status line gives the same frame as a full render.
	if full := Render(m.Data(), m.UI(), 120, 40, m.theme); full != m.Frame() {
		t.Error("the tick's status-only redraw differs from a full render")
	}
}

func TestModelBackgroundPicksTheme(t *testing.T) {
	env := *testEnv()
	env.Offline = true
	m, err := New(Options{Env: &env, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.BackgroundColorMsg{Color: lightColor{}})
	if m.theme.Name != "light" {
		t.Errorf("a light background gave theme %q", m.theme.Name)
	}
	if _, err := New(Options{Env: &env, Theme: "neon"}); err == nil {
		t.Error("an unknown theme was accepted")
	}
}

type lightColor struct{}

func (lightColor) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestModelMouse(t *testing.T) {
	m := newTestModel(t, nil)
	press(m, "2")
	// Row 3 of the table body (header on body line 0) is the third peer.
	m.Update(tea.MouseClickMsg{X: 2, Y: 1 + 3, Button: tea.MouseLeft})
	order := peerOrder(m.Data(), m.UI())
	if m.UI().Selected != 2 || m.Data().Peers[order[2]].Ticker != m.Data().Peers[order[m.UI().Selected]].Ticker {
		t.Errorf("click on the third row selected %d", m.UI().Selected)
	}
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.UI().Selected != 3 {
		t.Errorf("wheel down selected %d, want 3", m.UI().Selected)
	}
	// Clicks elsewhere than the peers view change nothing.
	press(m, "1")
	before := m.UI()
	m.Update(tea.MouseClickMsg{X: 2, Y: 5, Button: tea.MouseLeft})
	if m.UI() != before {
		t.Error("a click on the overview changed the UI")
	}
}

func BenchmarkTick(b *testing.B) {
	b.ReportAllocs()
	hub := feeds.NewHub(nil)
	env := *testEnv()
	m, _ := New(Options{Env: &env, Hub: hub, Theme: "dark", Now: func() time.Time { return fixedNow }})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.key("3") // the most expensive view
	t := fixedNow
	for b.Loop() {
		t = t.Add(time.Second)
		m.Update(tickMsg{t: t, gen: m.tickGen})
	}
}

func TestModelSaysWhenNothingAnswers(t *testing.T) {
	hub := feeds.NewHub(nil)
	m := newTestModel(t, hub)
	down := &market.State{Version: 3, Mode: market.ModeLive, Live: map[string]string{"network": "", "price": ""},
		Health: []market.Health{{Name: "mempool.space network", Group: "network", Failures: 2, LastError: "dial tcp: no such host"}}}
	m.Update(stateMsg{down})
	frame := ansi.Strip(m.Frame())
	if m.Data().Mode != board.ModeDown || !strings.Contains(frame, "NO FEED") || !strings.Contains(frame, "no source is answering; retrying") {
		t.Errorf("all sources down: mode %v\n%s", m.Data().Mode, frame)
	}
	// The embedded data stand in, labelled as such.
	if m.Data().Price.Layer != board.LayerEmbedded || !strings.Contains(frame, "embedded data: network 2025-12-29") {
		t.Errorf("embedded data not shown while the feeds are down:\n%s", frame)
	}
}

func TestModelShowsBackfillProgress(t *testing.T) {
	m := newTestModel(t, feeds.NewHub(nil))
	m.Update(BackfillMsg{Done: 3, Total: 15, Current: "close IREN"})
	if !strings.Contains(m.Frame(), "history 3/15 · close IREN") {
		t.Errorf("no backfill progress:\n%s", ansi.Strip(m.Frame()))
	}
	m.Update(BackfillMsg{Done: 15, Total: 15, Finished: true, Errors: []string{"close CORZ: 429"}})
	if !strings.Contains(m.Frame(), "history: 1 failed") {
		t.Errorf("no backfill failure note:\n%s", ansi.Strip(m.Frame()))
	}
	// A later state keeps the progress.
	m.Update(stateMsg{&market.State{Version: 9, Mode: market.ModeLive, Live: map[string]string{"price": "x"}}})
	if m.Data().Backfill == nil {
		t.Error("a new state dropped the backfill progress")
	}
}

func TestAlertsRaiseABannerAndTheBell(t *testing.T) {
	env := *testEnv()
	env.Offline = true
	env.Alerts = board.Alerts{HashpriceBelow: econ.Known[econ.USDPerPHDay](40), Bell: true} // offline hashprice is $37.16
	m, err := New(Options{Env: &env, Theme: "dark", NoColor: true, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if !strings.Contains(m.Frame(), "▲ hashprice $37.16 is below your $40.00 alert") {
		t.Errorf("no alert banner:\n%s", ansi.Strip(m.Frame()))
	}
	checkFrame(t, m.Frame(), 120, 40)
	if m.bell() == nil && m.alerts == 0 {
		t.Error("alert not counted")
	}
	// A scenario that lifts hashprice above the threshold clears the banner.
	press(m, "5", "enter")
	for _, r := range "120000" {
		press(m, string(r))
	}
	press(m, "enter")
	if strings.Contains(m.Frame(), "below your $40.00 alert") {
		t.Errorf("the alert did not clear at $120,000:\n%s", ansi.Strip(m.Frame()))
	}
	// Dropping back below rings the bell once.
	if cmd := func() tea.Cmd { _, c := m.key("X"); return c }(); cmd == nil {
		t.Error("no bell when the alert rose again")
	}
}

func TestSessionsShareOneBoard(t *testing.T) {
	hub := feeds.NewHub(nil)
	env := *testEnv() // one Env for both "sessions", as hashdeck serve has
	env.Offline = false
	mk := func() *Model {
		m, err := New(Options{Env: &env, Hub: hub, Theme: "dark", Now: func() time.Time { return fixedNow }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		return m
	}
	a, b := mk(), mk()
	st := &market.State{Version: 4, Mode: market.ModeLive, Values: map[market.Metric]market.Value{market.PriceUSD: {V: 99_000, At: fixedNow, Source: "x"}},
		Live: map[string]string{"price": "x"}}
	a.Update(stateMsg{st})
	b.Update(stateMsg{st})
	if &a.Data().Peers[0] != &b.Data().Peers[0] {
		t.Error("two sessions on the same state built two boards")
	}
	// A scenario is a session's own: it gets its own board.
	press(b, "5", "right")
	if b.UI().Scenario.IsZero() || &a.Data().Peers[0] == &b.Data().Peers[0] {
		t.Error("a session's scenario did not give it its own board")
	}
	if a.Data().Board.Network.Price.Or(0) != 99_000 {
		t.Error("the other session's board changed")
	}
}

// Issue 13 row 5: a history directory on a full disk said nothing; the
// status bar now says history is not saved, once, and clears when writes
// succeed again — also across a new state.
func TestModelSaysWhenHistoryIsNotSaved(t *testing.T) {
	m := newTestModel(t, feeds.NewHub(nil))
	m.Update(RecorderMsg{Failing: true, LastError: "kraken: database or disk is full"})
	if !strings.Contains(ansi.Strip(m.Frame()), "history not saved: kraken: database or disk is full") {
		t.Errorf("no history warning:\n%s", ansi.Strip(m.Frame()))
	}
	m.Update(stateMsg{&market.State{Version: 9, Mode: market.ModeLive, Live: map[string]string{"price": "x"}}})
	if !strings.Contains(ansi.Strip(m.Frame()), "history not saved") {
		t.Error("a new state dropped the history warning")
	}
	m.Update(RecorderMsg{Failing: false, LastError: "kraken: database or disk is full"})
	if strings.Contains(ansi.Strip(m.Frame()), "history not saved") {
		t.Error("the warning stayed after writes recovered")
	}
}

// BenchmarkRender is a whole frame of every view (Render, as Update calls
// it) of the offline board at 160×48 and 250×70, dark theme, range 1Y:
// "warm" as the frames after the first (the charts come from plots),
// "cold" with every chart drawn again (a new state, range or size: the
// short styled texts are mostly the same), "first" with nothing kept (the
// first frame, or a new theme: the styled texts drawn again too).
func BenchmarkRender(b *testing.B) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	for _, sz := range [][2]int{{160, 48}, {250, 70}} {
		for v := View(0); v < numViews; v++ {
			for _, kind := range []string{"warm", "cold", "first"} {
				name := fmt.Sprintf("%s/%dx%d/%s", v, sz[0], sz[1], kind)
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					ui := UI{View: v, Range: Range1Y}
					Render(d, ui, sz[0], sz[1], th)
					cpu := processCPU()
					for b.Loop() {
						if kind != "warm" {
							plots.clear()
						}
						if kind == "first" {
							styled.clear()
						}
						Render(d, ui, sz[0], sz[1], th)
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// Backfill progress and the history warning live in the status bar only:
// they redraw that line, not every panel (under serve, in every session).
func TestStatusOnlyMessagesRedrawTheStatusLine(t *testing.T) {
	for _, msg := range []tea.Msg{
		BackfillMsg{Done: 3, Total: 15, Current: "close IREN"},
		RecorderMsg{Failing: true, LastError: "disk full"},
	} {
		m := newTestModel(t, feeds.NewHub(nil))
		const body = "BODY AS DRAWN"
		m.frame = body + "\n" + m.frame[strings.LastIndexByte(m.frame, '\n')+1:]
		m.Update(msg)
		if !strings.HasPrefix(m.frame, body+"\n") {
			t.Errorf("%T redrew the whole frame", msg)
		}
		if s := ansi.Strip(m.frame); !strings.Contains(s, "history 3/15") && !strings.Contains(s, "history not saved") {
			t.Errorf("%T: status line not updated: %q", msg, s)
		}
	}
}

// A key that changes nothing (unbound, or the wheel on a view without a
// list) leaves the frame as drawn; a key that changes the view redraws it.
func TestKeyThatChangesNothingDoesNotRedraw(t *testing.T) {
	m := newTestModel(t, feeds.NewHub(nil))
	const body = "BODY AS DRAWN"
	m.frame = body
	m.key("z")
	if m.frame != body {
		t.Error("an unbound key redrew the frame")
	}
	m.key("?")
	if m.frame == body || !m.ui.ShowHelp {
		t.Error("? did not redraw with the help")
	}
}
