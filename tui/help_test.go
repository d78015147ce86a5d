package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

// TestHelpGolden checks the ? help of every view at the smallest and a
// common terminal size, without colour, and once in colour.
func TestHelpGolden(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	mono, err := themes.Get("dark", true)
	if err != nil {
		t.Fatal(err)
	}
	for v := View(0); v < numViews; v++ {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			frame := Render(d, UI{View: v, ShowHelp: true}, sz[0], sz[1], mono)
			checkFrame(t, frame, sz[0], sz[1])
			checkGolden(t, "help-"+strings.ToLower(v.String())+"-"+itoa(sz[0])+"x"+itoa(sz[1])+"-mono.golden", ansi.Strip(frame))
		}
	}
	dark, err := themes.Get("dark", false)
	if err != nil {
		t.Fatal(err)
	}
	frame := Render(d, UI{View: ViewScenario, ShowHelp: true}, 120, 40, dark)
	checkFrame(t, frame, 120, 40)
	checkGolden(t, "help-scenario-120x40-ansi.golden", frame)
}
