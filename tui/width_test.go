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

// A cut text never ends inside a number: "Sweetwater 200…" read as 200
// where the text said 2000 (found in review).
func TestCutNeverInsideANumber(t *testing.T) {
	for _, c := range []struct {
		s    string
		w    int
		want string
	}{
		{"Childress 750; Sweetwater 2000 (SW1 1400)", 30, "Childress 750; Sweetwater …"},
		{"FQ2'26 rev $184.7M (mining $172M)", 31, "FQ2'26 rev $184.7M (mining …"},
		{"FQ2'26 rev $184.7M (mining $172M)", 16, "FQ2'26 rev …"},
		{"a plain sentence that is long", 10, "a plain s…"},
		{"12345678", 5, "…"},
		{"short", 10, "short"},
	} {
		if got := cut(c.s, c.w); got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.s, c.w, got, c.want)
		}
		if got := padRight(c.s, c.w); cellWidth(got) != c.w {
			t.Errorf("padRight(%q, %d) is %d cells", c.s, c.w, cellWidth(got))
		}
	}
}
