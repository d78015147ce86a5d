package tui

import (
	"runtime"
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

// The sessions of one server draw a new state's frame once between them;
// each still shows its own status line, and its frame is the one it would
// draw alone.
func TestSessionsDrawAStatesFrameOnce(t *testing.T) {
	hub := feeds.NewHub(nil)
	env := *testEnv()
	env.Offline = false
	mk := func(w, h int) *Model {
		m, err := New(Options{Env: &env, Hub: hub, Theme: "dark", Now: func() time.Time { return fixedNow }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		return m
	}
	a, b, c, wide := mk(120, 40), mk(120, 40), mk(120, 40), mk(160, 48)
	// b is backfilling and c cannot save history: status lines of their own.
	b.Update(BackfillMsg{Done: 3, Total: 15, Current: "close IREN"})
	c.Update(RecorderMsg{Failing: true, LastError: "disk is full"})
	st := &market.State{Version: 7, Mode: market.ModeLive, Values: map[market.Metric]market.Value{market.PriceUSD: {V: 91_234, At: fixedNow, Source: "x"}},
		Live: map[string]string{"price": "x"}}
	before := frames.drawn()
	for _, m := range []*Model{a, b, c, wide} {
		m.Update(stateMsg{st})
	}
	if got := frames.drawn() - before; got != 2 {
		t.Errorf("four sessions, two sizes: %d frames drawn, want 2", got)
	}
	for i, m := range []*Model{a, b, c, wide} {
		if alone := Render(m.data, m.ui, m.w, m.h, m.theme); m.Frame() != alone {
			t.Errorf("session %d: the shared frame differs from its own:\n%s\nwant\n%s", i, ansi.Strip(m.Frame()), ansi.Strip(alone))
		}
	}
	if !strings.Contains(ansi.Strip(b.Frame()), "3/15") || !strings.Contains(ansi.Strip(c.Frame()), "history not saved") ||
		strings.Contains(ansi.Strip(a.Frame()), "history not saved") {
		t.Errorf("status lines not the sessions' own:\n%s\n%s\n%s", lastLine(a.Frame()), lastLine(b.Frame()), lastLine(c.Frame()))
	}
}

func lastLine(s string) string { return ansi.Strip(s[strings.LastIndexByte(s, '\n')+1:]) }

// A cached frame does not keep its board alive: once the board is
// collected, its frames are dropped at the next miss; and the cache holds
// at most frameCacheSize frames.
func TestFrameCacheDropsCollectedBoards(t *testing.T) {
	fc := frameCache{entries: map[frameKey]*frameEntry{}}
	th, _ := themes.Get("dark", true)
	d := &board.Data{}
	for i := range 3 {
		fc.get(d, UI{Selected: i}, 80, 24, th, func() string { return "x" })
	}
	d = nil
	runtime.GC()
	kept := &board.Data{}
	fc.get(kept, UI{}, 80, 24, th, func() string { return "y" })
	if n := len(fc.entries); n != 1 || len(fc.order) != 1 {
		t.Errorf("%d entries (%d in order) after the first board was collected, want 1", n, len(fc.order))
	}
	for i := range frameCacheSize + 3 {
		fc.get(kept, UI{Selected: i + 1}, 80, 24, th, func() string { return "z" })
	}
	if n := len(fc.entries); n != frameCacheSize || len(fc.order) != frameCacheSize {
		t.Errorf("%d entries (%d in order), want the bound %d", n, len(fc.order), frameCacheSize)
	}
	if got := fc.get(kept, UI{Selected: frameCacheSize + 3}, 80, 24, th, func() string { return "drawn again" }); got != "z" {
		t.Errorf("the newest frame was not kept: %q", got)
	}
	runtime.KeepAlive(kept)
}

// A draw that panics leaves no empty frame behind for the others.
func TestFrameCacheAfterAPanickedDraw(t *testing.T) {
	fc := frameCache{entries: map[frameKey]*frameEntry{}}
	th, _ := themes.Get("dark", true)
	d := &board.Data{}
	func() {
		defer func() { _ = recover() }()
		fc.get(d, UI{}, 80, 24, th, func() string { panic("render bug") })
	}()
	if got := fc.get(d, UI{}, 80, 24, th, func() string { return "drawn" }); got != "drawn" {
		t.Errorf("after a panicked draw the next session got %q", got)
	}
	runtime.KeepAlive(d)
}

// DropCaches leaves nothing of what the sessions drew: no frame, no plot,
// no styled text; the next frame is drawn again, the same.
func TestDropCachesEmptiesEveryCache(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	ui := UI{View: ViewCharts, Range: Range1Y}
	want := Render(d, ui, 160, 48, th)
	got := frames.get(d, ui, 160, 48, th, func() string { return Render(d, ui, 160, 48, th) })
	count := func() (f, p, s int) {
		frames.mu.Lock()
		f = len(frames.entries)
		frames.mu.Unlock()
		plots.mu.Lock()
		p = len(plots.entries)
		plots.mu.Unlock()
		styled.mu.Lock()
		s = len(styled.m)
		styled.mu.Unlock()
		return
	}
	if f, p, s := count(); f == 0 || p == 0 || s == 0 {
		t.Fatalf("nothing cached to drop: %d frames, %d plots, %d styled texts", f, p, s)
	}
	DropCaches()
	if f, p, s := count(); f != 0 || p != 0 || s != 0 {
		t.Errorf("after DropCaches: %d frames, %d plots, %d styled texts", f, p, s)
	}
	before := frames.drawn()
	if again := frames.get(d, ui, 160, 48, th, func() string { return Render(d, ui, 160, 48, th) }); again != got || got != want || frames.drawn() != before+1 {
		t.Error("the frame drawn after DropCaches is not drawn again the same")
	}
}
