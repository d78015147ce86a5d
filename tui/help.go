package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/hashdeck/hashdeck/themes"
)

// helpKeyWidth is the width of the help's key column.
const helpKeyWidth = 22

// helpRow is one row of the help: the keys' label, what they do, and the
// bindings it describes.
type helpRow struct {
	label, desc string
	bindings    []key.Binding
}

// helpRows makes the help rows of bindings, in order: a run of bindings
// with the same description is one row, labelled with their distinct key
// labels joined by " / ". Disabled bindings are left out.
func helpRows(bs []key.Binding) []helpRow {
	var rows []helpRow
	var labels []string
	for _, b := range bs {
		if !b.Enabled() {
			continue
		}
		h := b.Help()
		if n := len(rows); n > 0 && rows[n-1].desc == h.Desc {
			r := &rows[n-1]
			if !slices.Contains(labels, h.Key) {
				labels = append(labels, h.Key)
				r.label = strings.Join(labels, " / ")
			}
			r.bindings = append(r.bindings, b)
			continue
		}
		labels = []string{h.Key}
		rows = append(rows, helpRow{label: h.Key, desc: h.Desc, bindings: []key.Binding{b}})
	}
	return rows
}

// renderHelp lists every key for view v: the global keys, then the view's.
// A description too long for the width wraps between words under itself.
func renderHelp(v View, w, h int, th themes.Theme) string {
	var b strings.Builder
	section := func(title string, rows []helpRow) {
		b.WriteString(th.Title.Render(title) + "\n")
		indent := strings.Repeat(" ", 2+helpKeyWidth+1)
		for _, r := range rows {
			for i, l := range wrapWords(r.desc, w-len(indent)) {
				if i == 0 {
					b.WriteString("  " + th.Key.Render(padRight(r.label, helpKeyWidth)) + " " + l + "\n")
				} else {
					b.WriteString(indent + l + "\n")
				}
			}
		}
	}
	section("Keys", helpRows(Keys.global()))
	if rows := helpRows(bindings(Keys.view(v))); len(rows) > 0 {
		b.WriteString("\n")
		section(v.String()+" view", rows)
	}
	b.WriteString("\n")
	for i, l := range wrapWords("Numbers: $/PH/day is USD per PH/s per day; — means unknown, never zero.", w) {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(th.Muted.Render(l))
	}
	return fit(b.String(), w, h)
}

// wrapWords breaks s into lines of at most w cells between words. A word
// wider than w gets a line of its own (and is cut when the line is fitted).
func wrapWords(s string, w int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case cellWidth(line)+1+cellWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}
