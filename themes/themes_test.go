package themes

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestPalettesAreComplete(t *testing.T) {
	names := Names()
	if strings.Join(names, ",") != "dark,light,high-contrast,colorblind" {
		t.Errorf("names = %v", names)
	}
	for _, p := range Palettes() {
		if p.Positive == p.Negative || p.Text == p.Muted || p.Text == 0 && p.Name != "high-contrast" {
			t.Errorf("%s: roles collide: %+v", p.Name, p)
		}
		seen := map[uint8]bool{}
		for _, s := range p.Series {
			if seen[s] {
				t.Errorf("%s: series colour %d used twice", p.Name, s)
			}
			seen[s] = true
		}
	}
	hc, _ := Lookup("high-contrast")
	for _, c := range append([]uint8{hc.Text, hc.Muted, hc.Accent, hc.Positive, hc.Negative, hc.Warning, hc.Border, hc.Highlight}, hc.Series[:]...) {
		if c > 15 {
			t.Errorf("high-contrast uses colour %d beyond the 16 basic ones", c)
		}
	}
	if _, err := Lookup("neon"); err == nil || !strings.Contains(err.Error(), "dark, light") {
		t.Errorf("unknown theme error: %v", err)
	}
}

func TestMonoHasNoColour(t *testing.T) {
	th, err := Get("dark", true)
	if err != nil {
		t.Fatal(err)
	}
	out := th.Positive.Render("+1") + th.Negative.Render("-1") + th.Warning.Render("!") + th.Selected.Render("row") + th.Series[3].Render("x")
	// SGR colour parameters: 38;5 (fg 256), 48;5 (bg 256), 3x/4x/9x basic colours.
	for _, code := range []string{"38;", "48;", "[3", "[4", "[9"} {
		if strings.Contains(out, code) {
			t.Errorf("mono output has a colour code %q: %q", code, out)
		}
	}
	if ansi.Strip(out) != "+1-1!rowx" {
		t.Errorf("mono text changed: %q", ansi.Strip(out))
	}
	if th.SeriesIndex != nil {
		t.Error("mono theme gives chart colours")
	}
	col, _ := Get("dark", false)
	if !strings.Contains(col.Positive.Render("+1"), "38;5;78") {
		t.Errorf("dark positive is not colour 78: %q", col.Positive.Render("+1"))
	}
}

func TestSign(t *testing.T) {
	th, _ := Get("colorblind", false)
	if th.Sign(1, "x") != th.Positive.Render("x") || th.Sign(-1, "x") != th.Negative.Render("x") || th.Sign(0, "x") != th.Text.Render("x") {
		t.Error("Sign picks the wrong role")
	}
}
