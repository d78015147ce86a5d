package tui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

func TestCellWidthAgreesWithAnsi(t *testing.T) {
	th, _ := themes.Get("dark", false)
	cases := []string{
		"", "abc", "\x1b[38;5;78m+1.2%\x1b[m", "╭──╮ │ █░ ▲▼ — · … ✓ ✗ ━ ┤┼", "$91,132 · 0.55%",
		"\x1b]8;;https://x\x07link\x1b]8;;\x07", "日本", "e\u0301", "🚀 up", th.Selected.Render("row"),
		// Three-byte runes after 0xe2 that are not narrow (decoded by
		// cellWidth's own fast path), and a cut one.
		"⌚ wide", "┤ ✅", "ab \u200b zero-width", "x\xe2\x94",
	}
	// Every line of a real frame, too.
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	for _, v := range []View{ViewOverview, ViewPeers, ViewCharts} {
		for _, l := range splitLines(Render(d, UI{View: v, Range: Range1Y}, 200, 60, th)) {
			cases = append(cases, l)
		}
	}
	for _, s := range cases {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
