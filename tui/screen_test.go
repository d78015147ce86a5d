package tui

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// termOut is a terminal's side of a Screen: it counts the writes and
// keeps the bytes.
type termOut struct {
	mu     sync.Mutex
	writes int
	buf    bytes.Buffer
}

func (o *termOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes++
	return o.buf.Write(p)
}

func (o *termOut) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// fakeClock drives a Model's age ticks by hand.
type fakeClock struct {
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at   time.Time
	stop <-chan struct{}
	fn   func(time.Time) tea.Msg
}

func (c *fakeClock) Now() time.Time { return c.now }

// after stands in for tick: a stopped timer is dropped when due.
func (c *fakeClock) after(d time.Duration, stop <-chan struct{}, fn func(time.Time) tea.Msg) tea.Cmd {
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), stop, fn})
	return nil
}

// waiting counts the timers not stopped.
func (c *fakeClock) waiting() int {
	n := 0
	for _, tm := range c.timers {
		select {
		case <-tm.stop:
		default:
			n++
		}
	}
	return n
}

// advance moves the clock to t, delivering every timer due on the way in
// order of time.
func (c *fakeClock) advance(t time.Time, deliver func(tea.Msg)) {
	for {
		i := -1
		for j, tm := range c.timers {
			if !tm.at.After(t) && (i < 0 || tm.at.Before(c.timers[i].at)) {
				i = j
			}
		}
		if i < 0 {
			c.now = t
			return
		}
		tm := c.timers[i]
		c.timers = slices.Delete(c.timers, i, i+1)
		c.now = tm.at
		select {
		case <-tm.stop:
			continue
		default:
		}
		deliver(tm.fn(tm.at))
	}
}

// screenRig is a dashboard model on a Screen, as runDash wires them, with
// bubbletea's event loop played by the test.
type screenRig struct {
	t     *testing.T
	clock *fakeClock
	model *Model
	scr   *Screen
	out   *termOut
	prog  tea.Model // the Screen's wrapper
}

func newScreenRig(t *testing.T, live bool, w, h int) *screenRig {
	t.Helper()
	return newScreenRigProfile(t, live, w, h, colorprofile.ANSI256)
}

func newScreenRigProfile(t *testing.T, live bool, w, h int, profile colorprofile.Profile) *screenRig {
	t.Helper()
	clock := &fakeClock{now: fixedNow}
	env := *testEnv()
	env.Offline = !live
	var hub *feeds.Hub
	if live {
		hub = feeds.NewHub(nil)
	}
	m, err := New(Options{Env: &env, Hub: hub, Theme: "dark", Now: clock.Now, Width: w, Height: h})
	if err != nil {
		t.Fatal(err)
	}
	m.after = clock.after
	t.Cleanup(m.Close)
	out := &termOut{}
	scr := NewScreen(out, ScreenOptions{Width: w, Height: h, Profile: profile})
	r := &screenRig{t: t, clock: clock, model: m, scr: scr, out: out, prog: scr.Model(m)}
	scr.Start()
	t.Cleanup(func() { scr.Close() })
	r.prog.Init()
	r.scr.waitIdle()
	return r
}

// send delivers msg as bubbletea's event loop would (the filter first) and
// waits for the Screen to write what it posted.
func (r *screenRig) send(msg tea.Msg) {
	if msg = r.scr.Filter(r.prog, msg); msg != nil {
		r.prog.Update(msg)
	}
	r.scr.waitIdle()
}

func (r *screenRig) flushes() int { return r.scr.Stats().Flushes }

// liveState is a feeds state with a live BTC price fetched at at.
func liveState(v uint64, price float64, at time.Time) *market.State {
	return &market.State{Version: v, Mode: market.ModeLive, Values: map[market.Metric]market.Value{
		market.PriceUSD: {V: price, At: at, Source: "test"},
	}, Live: map[string]string{"price": "test"}}
}

// emulate is the terminal that read out: an emulator of w×h cells.
func emulate(t *testing.T, out string, w, h int) *vt.Emulator {
	t.Helper()
	e := vt.NewEmulator(w, h) // nothing reads its answers: no query may be written to it
	if _, err := e.WriteString(out); err != nil {
		t.Fatal(err)
	}
	return e
}

// reference is the terminal that shows frame as drawn line by line from
// scratch, its colours downsampled to profile.
func reference(t *testing.T, frame string, w, h int, profile colorprofile.Profile) *vt.Emulator {
	t.Helper()
	var b bytes.Buffer
	cw := colorprofile.Writer{Forward: &b, Profile: profile}
	for y, line := range strings.Split(frame, "\n") {
		if y < h {
			_, _ = cw.Write([]byte(ansi.CursorPosition(1, y+1) + ansi.ResetStyle + line + ansi.ResetStyle))
		}
	}
	return emulate(t, "\x1b[?7l"+b.String(), w, h)
}

// sameScreen fails at the first cell where two terminals differ in text
// or style.
func sameScreen(t *testing.T, got, want *vt.Emulator, when string) {
	t.Helper()
	for y := range want.Height() {
		for x := range want.Width() {
			g, w := got.CellAt(x, y), want.CellAt(x, y)
			if g == nil || w == nil {
				if (g == nil) != (w == nil) {
					t.Fatalf("%s: cell %d,%d: %v against %v", when, x, y, g, w)
				}
				continue
			}
			if g.Content != w.Content || !g.Style.Equal(&w.Style) {
				t.Fatalf("%s: cell %d,%d shows %q %+v, want %q %+v\nrow:  %q\nwant: %q", when, x, y, g.Content, g.Style, w.Content, w.Style,
					rowText(got, y), rowText(want, y))
			}
		}
	}
}

// rowText is the text of row y of a terminal.
func rowText(e *vt.Emulator, y int) string {
	var b strings.Builder
	for x := range e.Width() {
		if c := e.CellAt(x, y); c != nil {
			b.WriteString(c.Content)
		}
	}
	return b.String()
}

func TestScreenShowsTheFrame(t *testing.T) {
	for _, p := range []colorprofile.Profile{colorprofile.ANSI256, colorprofile.TrueColor, colorprofile.ANSI, colorprofile.ASCII} {
		t.Run(p.String(), func(t *testing.T) { testScreenShowsTheFrame(t, p) })
	}
}

func testScreenShowsTheFrame(t *testing.T, profile colorprofile.Profile) {
	const w, h = 120, 40
	r := newScreenRigProfile(t, false, w, h, profile)
	if got := r.flushes(); got != 1 {
		t.Fatalf("first frame: %d flushes, want 1", got)
	}
	check := func(when string) {
		t.Helper()
		sameScreen(t, emulate(t, r.out.String(), r.model.w, r.model.h), reference(t, r.model.Frame(), r.model.w, r.model.h, profile), when)
	}
	check("first frame")
	for _, k := range []string{"2", "j", "j", "3", "]", "t", "4", "5", "right", "1", "t", "t", "2", "k", "?", "3", "left", " ", "[", "[", "4", "1"} {
		r.send(keyMsg(k))
		check("after " + k)
	}
	out := r.out.String()
	for _, seq := range []string{ansi.SetModeAltScreenSaveCursor, ansi.HideCursor, ansi.SetModeMouseButtonEvent, ansi.SetModeBracketedPaste, ansi.SetWindowTitle("hashdeck")} {
		if !strings.Contains(out, seq) {
			t.Errorf("the screen never wrote %q", seq)
		}
	}
	r.scr.Close()
	tail := r.out.String()[len(out):]
	for _, seq := range []string{ansi.ResetModeAltScreenSaveCursor, ansi.ShowCursor, ansi.ResetModeMouseButtonEvent, ansi.ResetModeBracketedPaste, ansi.SetWindowTitle("")} {
		if !strings.Contains(tail, seq) {
			t.Errorf("Close did not write %q: %q", seq, tail)
		}
	}
}

// keyMsg is the key press bubbletea reports for a key name.
func keyMsg(name string) tea.KeyPressMsg {
	switch name {
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case " ":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

func TestScreenKeyIsOneFlush(t *testing.T) {
	r := newScreenRig(t, false, 160, 48)
	for _, k := range []string{"2", "3", "]", "1"} {
		before := r.flushes()
		r.send(keyMsg(k))
		if got := r.flushes() - before; got != 1 {
			t.Errorf("key %s: %d flushes, want 1", k, got)
		}
	}
	// A key that changes nothing on screen writes nothing.
	before, bytesBefore := r.flushes(), r.scr.Stats().Bytes
	r.send(keyMsg("z"))
	if r.flushes() != before || r.scr.Stats().Bytes != bytesBefore {
		t.Errorf("an unbound key wrote %d flushes", r.flushes()-before)
	}
}

func TestScreenIdleOfflineWritesNothing(t *testing.T) {
	r := newScreenRig(t, false, 160, 48)
	if len(r.clock.timers) != 0 {
		t.Fatalf("the offline model asked for %d timers", len(r.clock.timers))
	}
	st := r.scr.Stats()
	// A simulated minute, with the messages an idle terminal may send:
	// none of them changes the view, so the Screen does no work.
	r.clock.advance(fixedNow.Add(time.Minute), r.send)
	r.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	r.send(tea.BackgroundColorMsg{Color: ansiBlack{}})
	r.send(tea.KeyReleaseMsg{Code: 'x'})
	if got := r.scr.Stats(); got != st {
		t.Errorf("an idle offline minute: %+v, then %+v", st, got)
	}
}

type ansiBlack struct{}

func (ansiBlack) RGBA() (r, g, b, a uint32) { return 0, 0, 0, 0xffff }

func TestScreenIdleLiveMinute(t *testing.T) {
	r := newScreenRig(t, true, 160, 48)
	// The price is fetched every 30 s and does not move; after the first
	// minute its age reads "<1m" and a minute without change writes nothing.
	deliverStates := func(from, to time.Duration) {
		for at := from; at < to; at += 30 * time.Second {
			r.clock.advance(fixedNow.Add(at), r.send)
			r.send(stateMsg{liveState(uint64(at/time.Second)+1, 90_000, r.clock.now)})
		}
	}
	deliverStates(0, 2*time.Minute)
	if !strings.Contains(r.model.Frame(), "price <1m old") {
		t.Fatalf("after two minutes the status bar shows %q", statusLine(r.model.Frame()))
	}
	st := r.scr.Stats()
	deliverStates(2*time.Minute, 3*time.Minute)
	r.clock.advance(fixedNow.Add(3*time.Minute), r.send)
	if got := r.scr.Stats(); got.Flushes != st.Flushes || got.Bytes != st.Bytes {
		t.Errorf("an idle live minute wrote %d flushes, %d bytes", got.Flushes-st.Flushes, got.Bytes-st.Bytes)
	}
}

// A new state supersedes the age tick asked for before, and Close ends the
// last one's wait: a closed SSH session leaves no timer goroutine holding
// its model (tea.Tick's waited up to an hour; serve's RSS stayed at 227 %
// of its baseline a minute after 100 sessions closed).
func TestAgeTickLeavesOneTimerWaiting(t *testing.T) {
	r := newScreenRig(t, true, 160, 48)
	for i := range 5 {
		r.clock.advance(fixedNow.Add(time.Duration(i)*10*time.Second), r.send)
		r.send(stateMsg{liveState(uint64(i)+1, 90_000+float64(i), r.clock.now)})
	}
	if n := r.clock.waiting(); n != 1 {
		t.Errorf("%d age ticks waiting after five states, want 1", n)
	}
	r.model.Close()
	if n := r.clock.waiting(); n != 0 {
		t.Errorf("%d age ticks still waiting after Close", n)
	}
}

// tick returns at once, with no message, when it is stopped.
func TestTickGivesUpWhenStopped(t *testing.T) {
	stop := make(chan struct{})
	got := make(chan tea.Msg, 1)
	go func() { got <- tick(time.Hour, stop, func(time.Time) tea.Msg { return tickMsg{} })() }()
	close(stop)
	select {
	case msg := <-got:
		if msg != nil {
			t.Errorf("a stopped tick delivered %#v", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a stopped tick is still waiting for its hour")
	}
}

func statusLine(frame string) string {
	return strings.TrimSpace(ansi.Strip(frame[strings.LastIndexByte(frame, '\n')+1:]))
}

func TestStatusAgeChangesOnceAMinuteAfterTheFirst(t *testing.T) {
	r := newScreenRig(t, true, 160, 48)
	r.send(stateMsg{liveState(1, 90_000, fixedNow)}) // then the feed stalls
	var ages []string
	perMinute := map[int]int{}
	last := statusLine(r.model.Frame())
	for s := 1; s <= 5*60; s++ {
		before, mark := r.flushes(), len(r.out.String())
		r.clock.advance(fixedNow.Add(time.Duration(s)*time.Second), r.send)
		if line := statusLine(r.model.Frame()); line != last {
			last = line
			i := strings.Index(line, "price ")
			ages = append(ages, line[i+len("price "):strings.Index(line, " old")])
			perMinute[(s-1)/60]++
		}
		if d := r.flushes() - before; d > 1 {
			t.Fatalf("second %d: %d flushes", s, d)
		}
		if tick := r.out.String()[mark:]; len(tick) > 40 {
			t.Errorf("second %d: the age tick wrote %d bytes: %q", s, len(tick), tick)
		}
	}
	if perMinute[0] != 60 {
		t.Errorf("first minute: %d changes, want 60 (one a second)", perMinute[0])
	}
	for m := 1; m < 5; m++ {
		if perMinute[m] != 1 {
			t.Errorf("minute %d: %d changes, want 1", m+1, perMinute[m])
		}
	}
	if want := []string{"58s", "59s", "1m", "2m", "3m", "4m", "5m"}; !slices.Equal(ages[len(ages)-7:], want) {
		t.Errorf("ages end %q, want %q", ages[len(ages)-7:], want)
	}
	// Woken only when the text changes: 60 ticks, then one a minute.
	if r.scr.Stats().Flushes > 2+60+4 {
		t.Errorf("%d flushes in five minutes", r.scr.Stats().Flushes)
	}
}

func TestStatusAge(t *testing.T) {
	for _, c := range []struct {
		age     time.Duration
		minutes bool
		want    string
		next    time.Duration
	}{
		{0, false, "0s", time.Second},
		{1500 * time.Millisecond, false, "1s", 500 * time.Millisecond},
		{59 * time.Second, false, "59s", time.Second},
		{59 * time.Second, true, "<1m", time.Second},
		{10 * time.Second, true, "<1m", 50 * time.Second},
		{90 * time.Second, false, "1m", 30 * time.Second},
		{90 * time.Second, true, "1m", 30 * time.Second},
		{3*time.Hour + 5*time.Minute, true, "3h05m", time.Minute},
		{50 * time.Hour, true, "2d2h", time.Hour},
		{-2 * time.Second, false, "0s", 3 * time.Second},
		{-2 * time.Second, true, "<1m", 62 * time.Second},
	} {
		if got := statusAge(c.age, c.minutes); got != c.want {
			t.Errorf("statusAge(%v, %v) = %q, want %q", c.age, c.minutes, got, c.want)
		}
		if got := nextStatusAge(c.age, c.minutes); got != c.next {
			t.Errorf("nextStatusAge(%v, %v) = %v, want %v", c.age, c.minutes, got, c.next)
		}
	}
}

func TestScreenFilterWritesAtOnce(t *testing.T) {
	r := newScreenRig(t, false, 120, 40)
	before := r.flushes()
	r.send(tea.RawMsg{Msg: "\a"})
	r.send(tea.SetClipboard("hello")())
	if got := r.flushes() - before; got != 2 || !strings.HasSuffix(r.out.String(), ansi.SetSystemClipboard("hello")) {
		t.Errorf("bell and clipboard: %d flushes, output ends %q", got, r.out.String()[max(0, len(r.out.String())-40):])
	}
	// The background query goes out only when keys are read from the terminal.
	before = r.flushes()
	r.send(tea.RequestBackgroundColor())
	if r.flushes() != before {
		t.Error("a screen without input sent a query")
	}
	out := &termOut{}
	in := NewScreen(out, ScreenOptions{Width: 80, Height: 24, Input: true})
	in.Start()
	in.Filter(nil, tea.RequestBackgroundColor())
	in.waitIdle()
	if !strings.Contains(out.String(), ansi.RequestBackgroundColor) || !strings.Contains(out.String(), ansi.RequestModeSynchronizedOutput) {
		t.Errorf("queries of a screen with input: %q", out.String())
	}
	in.Close()
}

func TestScreenResizeAndSyncOutput(t *testing.T) {
	r := newScreenRig(t, false, 120, 40)
	r.send(tea.ModeReportMsg{Mode: ansi.ModeSynchronizedOutput, Value: ansi.ModeReset})
	for _, sz := range [][2]int{{160, 48}, {80, 24}, {250, 70}} {
		mark := len(r.out.String())
		r.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		out := r.out.String()[mark:]
		if !strings.HasPrefix(out, ansi.SetModeSynchronizedOutput) || !strings.HasSuffix(out, ansi.ResetModeSynchronizedOutput) {
			t.Errorf("%v: a whole frame is not one synchronized update", sz)
		}
		sameScreen(t, emulate(t, r.out.String(), sz[0], sz[1]), reference(t, r.model.Frame(), sz[0], sz[1], colorprofile.ANSI256), fmt.Sprint(sz))
	}
}

// BenchmarkScreenKey is the Screen's work for a key that switches views at
// 160×48: the changed lines parsed into cells, diffed and written.
func BenchmarkScreenKey(b *testing.B) {
	b.ReportAllocs()
	env := *testEnv()
	env.Offline = true
	m, _ := New(Options{Env: &env, Theme: "dark", Now: func() time.Time { return fixedNow }, Width: 160, Height: 48})
	scr := NewScreen(io.Discard, ScreenOptions{Width: 160, Height: 48, Profile: colorprofile.ANSI256})
	views := []tea.View{m.View()}
	m.key("2")
	views = append(views, m.View())
	var out []byte
	i := 0
	for b.Loop() {
		i++
		out = scr.draw(out[:0], &frameReq{v: views[i%2], w: 160, h: 48})
	}
}

func TestScreenWideAndOddCells(t *testing.T) {
	const w, h = 24, 4
	frames := [][]string{
		{"plain line", "\x1b[38;5;75mblue\x1b[m and plain", "日本語のテキスト", "e\u0301te café"},
		{"plain lime", "\x1b[1m\x1b[38;5;75mbold blue\x1b[m", "日本xテキスト", "ete\u0301 cafe"},
		{"\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ text", "ab日本cd", "テ日本語ストxxxxxxxxxxxxxxxx", ""},
		{"a\x1b[0;38;5;203mred\x1b[m", "\x1b[48;5;237m" + strings.Repeat(" ", 30), "x日", "🙂 smile"},
		{"", "", "", ""},
	}
	out := &termOut{}
	scr := NewScreen(out, ScreenOptions{Width: w, Height: h, Profile: colorprofile.ANSI256})
	scr.Start()
	defer scr.Close()
	for i, f := range frames {
		scr.Post(tea.View{Content: strings.Join(f, "\n"), AltScreen: true}, w, h)
		scr.waitIdle()
		sameScreen(t, emulate(t, out.String(), w, h), reference(t, strings.Join(f, "\n"), w, h, colorprofile.ANSI256), fmt.Sprint("frame ", i))
	}
}
