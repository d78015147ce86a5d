package tui

import (
	"strings"

	"github.com/hashdeck/hashdeck/themes"
)

// Key is one key binding and what it does.
type Key struct{ Keys, Help string }

// Keys returns every key of the dashboard: the global ones, then those of view v.
func Keys(v View) (global, view []Key) {
	global = []Key{
		{"1–5 / tab / shift+tab", "switch view"},
		{"?", "show or hide this help"},
		{"t", "next theme"},
		{"[ / ]", "shorter / longer chart range (1M 3M 1Y 3Y all)"},
		{"q / ctrl+c", "quit"},
		{"ctrl+s", "copy the screen to your clipboard (over SSH, hashdeck serve)"},
	}
	switch v {
	case ViewPeers:
		view = []Key{{"↑/↓ or k/j, mouse", "select a miner"}, {"s / S", "sort by the next / previous column"}, {"r", "reverse the sort"}, {"enter", "open the miner's detail"}}
	case ViewCharts:
		view = []Key{{"←/→ or h/l", "move the peer cursor"}, {"space", "show or hide that peer"}, {"a", "show every peer"}}
	case ViewDetail:
		view = []Key{{"↑/↓ or k/j", "previous / next miner"}, {"esc", "back to the peers table"}}
	case ViewScenario:
		view = []Key{{"↑/↓ or k/j", "pick an input"}, {"←/→ or h/l, -/+", "step the input down / up"}, {"enter", "type an exact value, enter again to apply"}, {"esc", "cancel typing"}, {"x", "reset that input"}, {"X", "reset the whole scenario"}}
	}
	return global, view
}

// renderHelp lists every key for the current view.
func renderHelp(v View, w, h int, th themes.Theme) string {
	global, view := Keys(v)
	var b strings.Builder
	row := func(k Key) { b.WriteString("  " + th.Key.Render(padRight(k.Keys, 22)) + " " + k.Help + "\n") }
	b.WriteString(th.Title.Render("Keys") + "\n")
	for _, k := range global {
		row(k)
	}
	if len(view) > 0 {
		b.WriteString("\n" + th.Title.Render(v.String()+" view") + "\n")
		for _, k := range view {
			row(k)
		}
	}
	b.WriteString("\n" + th.Muted.Render("Numbers: $/PH/day is USD per PH/s per day; — means unknown, never zero."))
	return fit(b.String(), w, h)
}
