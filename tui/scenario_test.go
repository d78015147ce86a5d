package tui

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// scenGoldenScenario is the golden scenario: BTC at $120,000, difficulty +5%.
var scenGoldenScenario = econ.Scenario{Price: econ.Known[econ.USDPerBTC](120_000), DifficultyChangePct: 5}

func TestScenarioGolden(t *testing.T) {
	goldenView(t, ViewScenario, UI{Scenario: scenGoldenScenario, ScenarioField: scenDifficulty}, scenGoldenScenario)
}

// scenKeys presses keys in order.
func scenKeys(ui UI, d *board.Data, keys ...string) UI {
	for _, k := range keys {
		ui = scenarioKey(ui, d, k)
	}
	return ui
}

func TestScenarioStepFromLive(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	live := float64(d.Base.Network.Price.Or(0))
	fees := float64(d.Base.Network.FeesPerBlock.Or(0))
	if live <= 0 || fees <= 0 {
		t.Fatalf("live price %v fees %v", live, fees)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

	ui := scenKeys(UI{View: ViewScenario}, d, "right")
	if p := float64(ui.Scenario.Price.Or(0)); !near(p, math.Round((live+1000)*1e9)/1e9) {
		t.Errorf("price one step up from live %v: %v", live, p)
	}
	ui = scenKeys(ui, d, "l", "-", "h", "h")
	if p := float64(ui.Scenario.Price.Or(0)); math.Abs(p-(live-1000)) > 1e-6 {
		t.Errorf("price up 2, down 3: %v, want %v", p, live-1000)
	}

	ui = scenKeys(UI{View: ViewScenario}, d, "down", "right", "+")
	if ui.ScenarioField != scenDifficulty || ui.Scenario.DifficultyChangePct != 2 {
		t.Errorf("difficulty +2 steps: field %d change %v", ui.ScenarioField, ui.Scenario.DifficultyChangePct)
	}
	ui = scenKeys(ui, d, "left", "left", "left")
	if ui.Scenario.DifficultyChangePct != -1 {
		t.Errorf("difficulty 2 up, 3 down: %v", ui.Scenario.DifficultyChangePct)
	}

	ui = scenKeys(UI{View: ViewScenario}, d, "j", "j", "+")
	if f := float64(ui.Scenario.FeesPerBlock.Or(0)); ui.ScenarioField != scenFees || math.Abs(f-(fees+0.005)) > 1e-9 {
		t.Errorf("fees one step up from live %v: %v", fees, f)
	}
	ui = scenKeys(ui, d, "-", "-", "-", "-", "-", "-", "-", "-")
	if f := ui.Scenario.FeesPerBlock; !f.OK() || f.Or(-1) != 0 {
		t.Errorf("fees stepped far down: %v, want 0", f)
	}

	ui = scenKeys(UI{View: ViewScenario}, d, "down", "down", "down", "down", "right")
	med, ok := scenMedianPower(d.Base)
	if !ok {
		t.Fatal("no miner has a power price")
	}
	if p := float64(ui.Scenario.PowerPrice.Or(0)); ui.ScenarioField != scenPower || math.Abs(p-(float64(med)+0.005)) > 1e-9 {
		t.Errorf("power one step up from the miners' median %v: field %d %v", med, ui.ScenarioField, p)
	}
	ui = scenKeys(ui, d, "up", "up", "up", "up", "up", "k")
	if ui.ScenarioField != scenPrice {
		t.Errorf("up past the first input: field %d", ui.ScenarioField)
	}

	// Without a live price the first step cannot start: a notice says so.
	ui = scenKeys(UI{View: ViewScenario}, &board.Data{}, "right")
	if ui.Scenario.Price.OK() || !strings.Contains(ui.Notice, "BTC price") {
		t.Errorf("stepping with no live price: %v notice %q", ui.Scenario.Price, ui.Notice)
	}
}

func TestScenarioTyping(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	ui := scenKeys(UI{View: ViewScenario}, d, "enter")
	if !ui.Editing || ui.Input != "" {
		t.Fatalf("enter does not start typing: %+v", ui)
	}
	ui = scenKeys(ui, d, "1", "2", "5", "a", "space", "0", "0", "0", "0", "backspace")
	if ui.Input != "125000" {
		t.Errorf("typed %q, want 125000", ui.Input)
	}
	// Keys that move or reset do nothing while typing.
	ui = scenKeys(ui, d, "up", "x", "X", "right")
	if ui.Input != "125000" || ui.ScenarioField != scenPrice || !ui.Editing {
		t.Errorf("keys while typing: %+v", ui)
	}
	ui = scenKeys(ui, d, "enter")
	if ui.Editing || ui.Input != "" || ui.Scenario.Price.Or(0) != 125_000 || ui.Notice != "" {
		t.Errorf("applied: %+v", ui)
	}
	// A negative difficulty change and a fractional power price.
	ui = scenKeys(ui, d, "down", "enter", "-", "7", ".", "5", "enter")
	if ui.Scenario.DifficultyChangePct != -7.5 {
		t.Errorf("difficulty typed -7.5: %v", ui.Scenario.DifficultyChangePct)
	}
	ui = scenKeys(ui, d, "down", "down", "enter", "0", ".", "0", "4", "5", "enter")
	if p := ui.Scenario.PowerPrice.Or(0); math.Abs(float64(p)-0.045) > 1e-12 {
		t.Errorf("power typed 0.045: %v", p)
	}
	// esc cancels and keeps the value.
	ui = scenKeys(ui, d, "enter", "9", "esc")
	if ui.Editing || ui.Input != "" || math.Abs(float64(ui.Scenario.PowerPrice.Or(0))-0.045) > 1e-12 {
		t.Errorf("esc: %+v", ui)
	}
	// The frame shows what is being typed.
	ui = scenKeys(ui, d, "enter", "0", ".", "0")
	frame := ansi.Strip(Render(d, ui, 120, 40, detMonoTheme(t)))
	if !strings.Contains(frame, "0.0▏") || !strings.Contains(frame, "enter applies") {
		t.Errorf("typing is not shown:\n%s", frame)
	}
}

func TestScenarioBadValue(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	for _, tc := range []struct {
		field int
		input []string
		want  string
	}{
		{scenPrice, []string{"1", "-", "2"}, `BTC price: "1-2" is not a number`},
		{scenPrice, []string{"-", "5"}, "BTC price: -5 is out of range"},
		{scenPrice, nil, "BTC price: type a value"},
		{scenDifficulty, []string{"-", "1", "0", "0"}, "difficulty change: -100% is out of range"},
		{scenFees, []string{"."}, `fees per block: "." is not a number`},
		{scenPower, []string{"1", "2"}, "power price: $12/kWh is out of range"},
	} {
		before := econ.Scenario{FeesPerBlock: econ.Known[econ.BTC](0.02)}
		ui := UI{View: ViewScenario, ScenarioField: tc.field, Scenario: before}
		ui = scenKeys(ui, d, append(append([]string{"enter"}, tc.input...), "enter")...)
		if ui.Scenario != before {
			t.Errorf("%v: the scenario changed to %+v", tc.input, ui.Scenario)
		}
		if !strings.Contains(ui.Notice, tc.want) {
			t.Errorf("%v: notice %q, want %q", tc.input, ui.Notice, tc.want)
		}
		if !ui.Editing {
			t.Errorf("%v: typing ended on a bad value", tc.input)
		}
		// The notice shows in the status bar; esc cancels and clears it.
		if frame := ansi.Strip(Render(d, ui, 200, 60, detMonoTheme(t))); !strings.Contains(frame, tc.want) {
			t.Errorf("%v: the notice is not on screen", tc.input)
		}
		ui = scenKeys(ui, d, "esc")
		if ui.Editing || ui.Notice != "" || ui.Scenario != before {
			t.Errorf("%v then esc: %+v", tc.input, ui)
		}
	}
}

func TestScenarioReset(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	all := econ.Scenario{
		Price: econ.Known[econ.USDPerBTC](100_000), DifficultyChangePct: 3,
		FeesPerBlock: econ.Known[econ.BTC](0.05), PowerPrice: econ.Known[econ.USDPerKWh](0.06),
	}
	ui := scenKeys(UI{View: ViewScenario, Scenario: all, ScenarioField: scenDifficulty}, d, "x")
	want := all
	want.DifficultyChangePct = 0
	if ui.Scenario != want {
		t.Errorf("x on difficulty: %+v", ui.Scenario)
	}
	ui = scenKeys(ui, d, "down", "down", "x")
	want.PowerPrice = econ.Maybe[econ.USDPerKWh]{}
	if ui.Scenario != want {
		t.Errorf("x on power: %+v", ui.Scenario)
	}
	ui = scenKeys(UI{View: ViewScenario, Scenario: all}, d, "X")
	if !ui.Scenario.IsZero() {
		t.Errorf("X: %+v", ui.Scenario)
	}
	// Out-of-range field indices are clamped, not a panic.
	ui = scenKeys(UI{View: ViewScenario, Scenario: all, ScenarioField: 9}, d, "x")
	if ui.ScenarioField != scenPower || ui.Scenario.PowerPrice.OK() {
		t.Errorf("x with field 9: %+v", ui)
	}
}

// TestScenarioGrid checks every cell against hashprice computed directly
// at that price and difficulty, less the scope's median, and that the cell
// is printed with its sign.
func TestScenarioGrid(t *testing.T) {
	sc := econ.Scenario{Price: econ.Known[econ.USDPerBTC](120_000), PowerPrice: econ.Known[econ.USDPerKWh](0.07)}
	d := board.Build(testEnv(), nil, fixedNow, sc)
	g, ok := scenSensitivity(d, 13, 11)
	if !ok {
		t.Fatal("no grid")
	}
	hl := d.Board.SectorRule.Headline
	med, ok := hl.Median.Get()
	if !ok || g.Median != hl.Median || g.Scope != hl.Scope {
		t.Fatalf("grid median %v at %s, headline %v at %s", g.Median, g.Scope, hl.Median, hl.Scope)
	}
	diff := d.Base.Network.Difficulty.Or(0)
	reward := d.Base.Network.Reward.Or(0)
	if len(g.Prices) != 13 || len(g.DiffChanges) != 11 || g.DiffChanges[5] != 0 || g.Prices[6] != 120_000 {
		t.Fatalf("axes %v × %v: want 13 prices centred on $120,000 and 11 changes centred on 0%%", g.Prices, g.DiffChanges)
	}
	pos, neg := 0, 0
	for i, dc := range g.DiffChanges {
		for j, p := range g.Prices {
			want := float64(econ.HashpriceAt(diff*econ.Difficulty(1+dc/100), reward, p) - med)
			got, ok := g.At(i, j).Get()
			if !ok || math.Abs(float64(got)-want) > 1e-9 {
				t.Errorf("cell %v%% × $%v = %v, want %v", dc, p, got, want)
			}
			switch {
			case want > 0.05:
				pos++
			case want < -0.05:
				neg++
			}
		}
	}
	if pos == 0 || neg == 0 {
		t.Fatalf("the test grid should hold both signs: %d positive, %d negative", pos, neg)
	}
	// The scenario's own cell is the board's headline margin.
	if m := hl.Margin.Or(0); math.Abs(float64(g.At(5, 6).Or(0)-m)) > 1e-9 {
		t.Errorf("centre cell %v, board margin %v", g.At(5, 6), m)
	}
	// Rendered: every cell carries its sign.
	out := ansi.Strip(scenGrid(d, UI{}, 200, 13, detPaletteOf(detMonoTheme(t))))
	lines := strings.Split(out, "\n")
	for i := range g.DiffChanges {
		fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(lines[2+i]))
		cells := fields[len(fields)-len(g.Prices):]
		for j, c := range cells {
			v := float64(g.At(i, j).Or(0))
			switch {
			case v >= 0.05 && !strings.HasPrefix(c, "+"), v <= -0.05 && !strings.HasPrefix(c, "-"):
				t.Errorf("row %d col %d: %q for %v", i, j, c, v)
			}
		}
	}
	if !strings.Contains(out, "[+1.9]") && !strings.Contains(out, "[") {
		t.Errorf("the scenario cell is not marked:\n%s", out)
	}
	// 7×7 at 80 columns.
	out80 := strings.Split(ansi.Strip(scenGrid(d, UI{}, 80, 9, detPaletteOf(detMonoTheme(t)))), "\n")
	if n := len(strings.Fields(out80[1])); n != 7 || len(out80) != 9 {
		t.Errorf("at 80 columns %d prices, %d lines:\n%s", n, len(out80), strings.Join(out80, "\n"))
	}
}

// TestScenarioBoard: the before → after figures are the base and scenario boards'.
func TestScenarioBoard(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, scenGoldenScenario)
	frame := ansi.Strip(Render(d, UI{View: ViewScenario, Scenario: scenGoldenScenario}, 120, 40, detMonoTheme(t)))
	hp0 := scenFmt2(float64(d.Base.Network.HashpriceNet.Or(0)))
	hp1 := scenFmt2(float64(d.Board.Network.HashpriceNet.Or(0)))
	for _, want := range []string{
		hp0 + " →   " + hp1 + " ▲", "$87,134 → $120,000", "+5.0%", "unchanged", "(config [fleet])",
		"Antminer S23 Hydro", "Sector margin, cash",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("scenario frame lacks %q:\n%s", want, frame)
		}
	}
}

// The miners table marks a cost that is a published figure ("rep"), and
// the board's under-water count says it is the sector rule's: found in
// review, "0 of 4 at direct" stood beside five direct rows.
func TestScenarioSaysWhichCostsTheRuleCounts(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	frame := ansi.Strip(Render(d, UI{View: ViewScenario}, 200, 60, detMonoTheme(t)))
	if !strings.Contains(frame, "of 4 at direct (rule)") {
		t.Errorf("the count does not name the rule:\n%s", frame)
	}
	// At 80 columns there is no unit column: the scope and n stay (found
	// in the second review: "under water 0 → 2" alone).
	if narrow := ansi.Strip(Render(d, UI{View: ViewScenario}, 80, 24, detMonoTheme(t))); !strings.Contains(narrow, "u/w direct") || !strings.Contains(narrow, "of 4") {
		t.Errorf("80×24: the under-water count has no scope or n:\n%s", narrow)
	}
	for _, l := range strings.Split(frame, "\n") {
		rep := strings.HasSuffix(strings.TrimSpace(l), "· rep")
		switch {
		case strings.HasPrefix(l, " RIOT") && !rep, strings.HasPrefix(l, " KEEL") && !rep,
			strings.HasPrefix(l, " MARA") && rep, strings.HasPrefix(l, " IREN") && rep:
			t.Errorf("basis mark wrong: %q", l)
		}
	}
}

func scenFmt2(v float64) string { return format.Num(v, 2) }

func TestScenarioSizes(t *testing.T) {
	th := detMonoTheme(t)
	for _, sc := range []econ.Scenario{{}, scenGoldenScenario, {PowerPrice: econ.Known[econ.USDPerKWh](0.09), FeesPerBlock: econ.Known[econ.BTC](0.5)}} {
		d := board.Build(testEnv(), nil, fixedNow, sc)
		for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {200, 60}, {250, 70}} {
			for _, editing := range []bool{false, true} {
				ui := UI{View: ViewScenario, Scenario: sc, Editing: editing, Input: "123", ScenarioField: scenPower}
				checkFrame(t, Render(d, ui, sz[0], sz[1], th), sz[0], sz[1])
			}
		}
	}
}

// benchScenario times the view alone in the body of a w×h terminal (the
// tab and status bars take two lines; Render's own fit of the frame is
// not the view's cost).
// TestScenarioNoData: with nothing known the view still draws, with — and
// messages instead of numbers.
func TestScenarioNoData(t *testing.T) {
	th := detMonoTheme(t)
	for _, sz := range [][2]int{{80, 22}, {120, 38}, {200, 58}} {
		out := renderScenario(&board.Data{}, UI{}, sz[0], sz[1], th)
		checkFrame(t, out, sz[0], sz[1])
		plain := ansi.Strip(out)
		for _, want := range []string{"—", "hashprice unknown", "needs a BTC price"} {
			if !strings.Contains(plain, want) {
				t.Errorf("%v: no %q:\n%s", sz, want, plain)
			}
		}
		if strings.Contains(plain, "NaN") || strings.Contains(plain, "$0.00 ") {
			t.Errorf("%v: a zero or NaN for an unknown:\n%s", sz, plain)
		}
	}
}

func benchScenario(b *testing.B, w, h int) {
	d := board.Build(testEnv(), nil, fixedNow, scenGoldenScenario)
	th, _ := themes.Get("dark", false)
	ui := UI{View: ViewScenario, Scenario: scenGoldenScenario}
	b.ReportAllocs()
	for b.Loop() {
		_ = renderScenario(d, ui, w, h-2, th)
	}
}

func BenchmarkScenario160x48(b *testing.B) { benchScenario(b, 160, 48) }
func BenchmarkScenario250x70(b *testing.B) { benchScenario(b, 250, 70) }

func TestMyFleetPaysItsPoolFee(t *testing.T) {
	env := *testEnv()
	env.Fleet = board.Fleet{Efficiency: 20, PowerPrice: 0.04, PoolFee: 2}
	d := board.Build(&env, nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(renderScenario(d, UI{View: ViewScenario}, 120, 38, th))
	hp := float64(d.Base.Network.HashpriceNet.Or(0))
	want := format.Signed(hp*0.98-20*0.04*24, 2)
	if !strings.Contains(out, "pool fee 2.0%") || !strings.Contains(out, want) {
		t.Errorf("fleet margin should be %s after a 2%% pool fee:\n%s", want, out)
	}
}

// Issue 13 row 6: letters were dropped silently, so 90k applied as $90 and
// 1e400 as $1,400, and 0.000001 showed as $0. What is typed is now applied
// exactly, or refused with a message.
func TestScenarioAppliesWhatIsTyped(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	typed := func(field int, keys ...string) UI {
		ui := UI{View: ViewScenario, ScenarioField: field}
		return scenKeys(ui, d, append(append([]string{"enter"}, keys...), "enter")...)
	}
	for _, tc := range []struct {
		keys []string
		want float64
	}{
		{[]string{"9", "0", "k"}, 90_000},
		{[]string{"1", ".", "2", "m"}, 1_200_000},
		{[]string{"9", "e", "4"}, 90_000},
	} {
		if ui := typed(scenPrice, tc.keys...); ui.Editing || float64(ui.Scenario.Price.Or(0)) != tc.want {
			t.Errorf("%v: applied %v (editing %v, %q), want %v", tc.keys, ui.Scenario.Price, ui.Editing, ui.Notice, tc.want)
		}
	}
	for _, tc := range []struct {
		field int
		keys  []string
		want  string
	}{
		{scenPrice, []string{"1", "e", "4", "0", "0"}, "not a number"},
		{scenPrice, []string{"0", ".", "0", "0", "0", "0", "0", "1"}, "out of range"},
		{scenFees, []string{"0", ".", "0", "0", "0", "0", "0", "1"}, "out of range"},
	} {
		ui := typed(tc.field, tc.keys...)
		if ui.Scenario != (econ.Scenario{}) || !strings.Contains(ui.Notice, tc.want) {
			t.Errorf("%v: scenario %+v, notice %q, want it refused with %q", tc.keys, ui.Scenario, ui.Notice, tc.want)
		}
	}
	// A key the value cannot hold is refused at once, with a message, and
	// the input on screen stays what will be applied.
	ui := scenKeys(UI{View: ViewScenario}, d, "enter", "9", "0", "x")
	if ui.Input != "90" || !strings.Contains(ui.Notice, `"x" cannot be typed here`) {
		t.Errorf("after 90x: input %q, notice %q", ui.Input, ui.Notice)
	}
}

// Issue 14 rows 10 and 13: offline the scenario said "live → what-if" over
// embedded values, and the row labelled "difficulty change (%)" showed the
// difficulty itself (148.26 T).
func TestScenarioSaysWhatItStartsFrom(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	frame := ansi.Strip(Render(d, UI{View: ViewScenario}, 200, 60, detMonoTheme(t)))
	// The board is dated long after the embedded network: its base is stale.
	if !strings.Contains(frame, "Scenario  STALE embedded 2025-12-29 → what-if") || strings.Contains(frame, "live →") || strings.Contains(frame, "as live") {
		t.Errorf("offline scenario base:\n%s", frame)
	}
	if strings.Contains(frame, "difficulty change (%)") || !regexp.MustCompile(`difficulty +148\.26 T → unchanged`).MatchString(frame) {
		t.Errorf("difficulty row:\n%s", frame)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	live := board.Build(testEnv(), livePoll(now), now, econ.Scenario{})
	if frame := ansi.Strip(Render(live, UI{View: ViewScenario}, 200, 60, detMonoTheme(t))); !strings.Contains(frame, "Scenario  now → what-if") {
		t.Errorf("live scenario base:\n%s", frame)
	}
}

// FuzzScenarioInput types arbitrary text into each scenario input: it never
// panics, and a value it applies is exactly the number the text spells
// (scenNumber), within the input's range — never a different number.
func FuzzScenarioInput(f *testing.F) {
	for _, s := range []string{"90k", "1.2m", "9e4", "1e400", "0.000001", "-5", "90x", "", ".", "1-2", "99999999999m"} {
		f.Add(s)
	}
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	f.Fuzz(func(t *testing.T, typed string) {
		for field := range scenNumFields {
			v, msg := scenParse(field, typed)
			if msg != "" {
				continue
			}
			want, ok := scenNumber(typed)
			if !ok || v != want || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: %q applied as %v (spells %v, %v)", scenName(field), typed, v, want, ok)
			}
			if s := scenSet(econ.Scenario{}, field, v); s == (econ.Scenario{}) && v != 0 {
				t.Fatalf("%s: %q accepted but not applied", scenName(field), typed)
			}
		}
		_ = scenKeys(UI{View: ViewScenario}, d, append([]string{"enter"}, strings.Split(typed, "")...)...)
	})
}

// Issue 14 row 14: at 80×24 an input error is shown whole in the status
// bar, not cut mid-word.
func TestScenarioErrorFitsAt80(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	for _, keys := range [][]string{{"1", "-", "2"}, {"-", "5"}, {"9", "0", "x"}} {
		ui := scenKeys(UI{View: ViewScenario}, d, append([]string{"enter"}, keys...)...)
		if len(keys) != 3 || keys[2] != "x" {
			ui = scenKeys(ui, d, "enter")
		}
		frame := ansi.Strip(Render(d, ui, 80, 24, detMonoTheme(t)))
		if ui.Notice == "" || !strings.Contains(frame, ui.Notice) {
			t.Errorf("%v: notice %q not whole at 80×24:\n%s", keys, ui.Notice, frame)
		}
	}
}

// Without a sector headline the sensitivity panel says why, whole: the
// reason is a long sentence, and at 115 columns it was cut at "and n".
func TestScenarioSensitivitySaysWhyWhole(t *testing.T) {
	d := *board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	d.Board.SectorRule.Headline = econ.Headline{Why: "no scope beyond power has 5 miners (all-in 0, cash 0, direct 0), and no usable benchmark for 2026-Q2..2026-Q4 was public by 2026-12-04"}
	pal := detPaletteOf(detMonoTheme(t))
	out := ansi.Strip(scenGrid(&d, UI{}, 60, 12, pal))
	flat := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "was public by 2026-12-04)") {
		t.Errorf("the reason is cut:\n%s", out)
	}
}

// A large what-if change keeps its percent sign: found in review,
// "+1,277…" at 200 columns.
func TestScenarioLargeChangeFits(t *testing.T) {
	pal := detPaletteOf(detMonoTheme(t))
	for _, c := range []struct{ b, a float64 }{{37.16, 511.9}, {37.16, 37.16 * 120}, {37.16, 37.16 * 1200}, {37.16, 1}, {37.16, 80}} {
		got := scenPctChange(econ.Known(c.b), econ.Known(c.a), pal)
		if v := strings.TrimSpace(ansi.Strip(got)); cellWidth(got) > 8 || strings.Contains(v, "…") || !strings.HasSuffix(v, "%") && !strings.HasPrefix(v, "×") {
			t.Errorf("%v → %v: %q", c.b, c.a, got)
		}
	}
}

// The what-if power price of "my fleet" is never cut for the note on where
// the fleet is set (found in the second review: "(config [fleet]) → $0…").
func TestScenarioFleetWhatIfPriceIsWhole(t *testing.T) {
	sc := econ.Scenario{PowerPrice: econ.Known[econ.USDPerKWh](0)}
	d := board.Build(testEnv(), nil, fixedNow, sc)
	for _, w := range []int{80, 120, 200} {
		frame := ansi.Strip(Render(d, UI{View: ViewScenario, Scenario: sc}, w, 40, detMonoTheme(t)))
		if !strings.Contains(frame, "→ $0.000") {
			t.Errorf("%d columns: no whole what-if price:\n%s", w, frame)
		}
	}
}
