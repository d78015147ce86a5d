package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
	"github.com/hashdeck/hashdeck/tui/internal/golden"
)

// goldenSizes are the terminal sizes every view is checked at.
var goldenSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// checkGolden compares got with testdata/golden/<name> (-update rewrites it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), []byte(got))
}

// checkFrame asserts a frame has exactly h lines of exactly w cells.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i+1, lw, w, ansi.Strip(l))
			break
		}
	}
}

// goldenView renders view v of the offline board at every golden size, in
// colour (dark theme) and without colour, and checks each against its golden file.
func goldenView(t *testing.T, v View, ui UI, sc econ.Scenario) {
	t.Helper()
	d := board.Build(testEnv(), nil, fixedNow, sc)
	ui.View = v
	for _, mono := range []bool{false, true} {
		th, err := themes.Get("dark", mono)
		if err != nil {
			t.Fatal(err)
		}
		for _, sz := range goldenSizes {
			frame := Render(d, ui, sz[0], sz[1], th)
			checkFrame(t, frame, sz[0], sz[1])
			kind := "ansi"
			if mono {
				kind = "mono"
				frame = ansi.Strip(frame)
			}
			checkGolden(t, strings.ToLower(v.String())+"-"+itoa(sz[0])+"x"+itoa(sz[1])+"-"+kind+".golden", frame)
		}
	}
}

func itoa(n int) string { return strings.TrimSpace(format.Num(float64(n), 0)) }
