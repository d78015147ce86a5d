// Package themes holds hashdeck's palettes and the styles built from them.
// Views ask for a role (positive, negative, warning, muted, accent, series
// 1–8), never for a raw colour, so every theme — and the monochrome mode
// for NO_COLOR — reads the same.
//
// Colours are ANSI 256 palette indices: terminals and the SSH renderer
// downsample them as needed, and the chart library takes the same indices.
package themes

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette assigns an ANSI 256 colour index to every role.
type Palette struct {
	Name string
	// Text is ordinary text; Muted secondary text (labels, units, ages).
	Text, Muted uint8
	// Accent marks titles, keys and the active tab.
	Accent uint8
	// Positive and Negative colour signs (margin above/below zero); they
	// are never the only carrier of meaning: signs and arrows are printed too.
	Positive, Negative uint8
	// Warning marks stale data and alerts.
	Warning uint8
	// Border draws panel frames; Highlight is the selected row's background.
	Border, Highlight uint8
	// Series colour chart lines, in order.
	Series [8]uint8
}

// Palettes returns every built-in palette: dark (the default), light,
// high-contrast (the 16 basic colours only) and colorblind (Okabe–Ito hues:
// blue for positive, vermillion for negative).
func Palettes() []Palette {
	return []Palette{
		{Name: "dark", Text: 252, Muted: 244, Accent: 75, Positive: 78, Negative: 203, Warning: 221, Border: 240, Highlight: 237,
			Series: [8]uint8{75, 214, 78, 176, 203, 51, 221, 147}},
		{Name: "light", Text: 235, Muted: 243, Accent: 25, Positive: 28, Negative: 160, Warning: 130, Border: 249, Highlight: 254,
			Series: [8]uint8{25, 166, 28, 91, 160, 30, 136, 61}},
		{Name: "high-contrast", Text: 15, Muted: 7, Accent: 14, Positive: 10, Negative: 9, Warning: 11, Border: 15, Highlight: 8,
			Series: [8]uint8{14, 11, 10, 13, 9, 12, 15, 7}},
		// Okabe–Ito: blue 32 (#0072B2 ≈ 25/32), vermillion 166, orange 214,
		// sky blue 74, bluish green 36, yellow 228, reddish purple 175.
		{Name: "colorblind", Text: 252, Muted: 245, Accent: 74, Positive: 32, Negative: 166, Warning: 228, Border: 240, Highlight: 237,
			Series: [8]uint8{32, 214, 36, 175, 166, 74, 228, 252}},
	}
}

// Names returns the palette names in cycling order.
func Names() []string {
	ps := Palettes()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// Lookup returns the palette called name.
func Lookup(name string) (Palette, error) {
	for _, p := range Palettes() {
		if p.Name == name {
			return p, nil
		}
	}
	return Palette{}, fmt.Errorf("unknown theme %q (want %s)", name, strings.Join(Names(), ", "))
}

// Theme is a palette turned into styles, plus whether colour is off.
type Theme struct {
	Name string
	// Mono is set for NO_COLOR / --no-color: styles carry no colour, only
	// bold, faint, underline and reverse.
	Mono bool

	Text, Muted, Accent, Title, Key lipgloss.Style
	Positive, Negative, Warning     lipgloss.Style
	Border, Selected, Header        lipgloss.Style
	// Series styles the legend of chart series i.
	Series [8]lipgloss.Style
	// SeriesIndex is the ANSI 256 index of chart series i (for the chart
	// library); nil in mono mode.
	SeriesIndex []uint8
	// BorderIndex and MutedIndex are the ANSI 256 indices of the border and
	// muted roles, for chart axes; 0 in mono mode.
	BorderIndex, MutedIndex uint8
}

// New builds a theme from a palette; mono drops every colour.
func New(p Palette, mono bool) Theme {
	c := func(i uint8) lipgloss.Style {
		if mono {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(lipgloss.Color(strconv.Itoa(int(i))))
	}
	t := Theme{
		Name:     p.Name,
		Mono:     mono,
		Text:     c(p.Text),
		Muted:    c(p.Muted).Faint(mono),
		Accent:   c(p.Accent),
		Title:    c(p.Accent).Bold(true),
		Key:      c(p.Accent).Bold(true),
		Positive: c(p.Positive),
		Negative: c(p.Negative).Bold(mono),
		Warning:  c(p.Warning).Bold(true),
		Border:   c(p.Border),
		Header:   c(p.Muted).Bold(true),
	}
	if mono {
		t.Selected = lipgloss.NewStyle().Reverse(true)
		t.Name += " (no colour)"
	} else {
		t.Selected = lipgloss.NewStyle().Background(lipgloss.Color(strconv.Itoa(int(p.Highlight)))).Bold(true)
		t.SeriesIndex = p.Series[:]
		t.BorderIndex, t.MutedIndex = p.Border, p.Muted
	}
	for i, s := range p.Series {
		t.Series[i] = c(s)
	}
	return t
}

// Get returns the theme called name, or an error listing the valid names.
func Get(name string, mono bool) (Theme, error) {
	p, err := Lookup(name)
	if err != nil {
		return Theme{}, err
	}
	return New(p, mono), nil
}

// Sign styles s by the sign of v: positive, negative, or plain text for zero.
func (t Theme) Sign(v float64, s string) string {
	switch {
	case v > 0:
		return t.Positive.Render(s)
	case v < 0:
		return t.Negative.Render(s)
	}
	return t.Text.Render(s)
}
