package snapshot

import (
	"image/color"
	"strings"

	"github.com/hashdeck/hashdeck/themes"
)

// XTerm256 returns the RGB value xterm gives palette index i: the 16 basic
// colours, the 6×6×6 colour cube (16–231) and the 24 greys (232–255).
func XTerm256(i uint8) color.RGBA {
	if i < 16 {
		basic := [16][3]uint8{
			{0x00, 0x00, 0x00}, {0xcd, 0x00, 0x00}, {0x00, 0xcd, 0x00}, {0xcd, 0xcd, 0x00},
			{0x00, 0x00, 0xee}, {0xcd, 0x00, 0xcd}, {0x00, 0xcd, 0xcd}, {0xe5, 0xe5, 0xe5},
			{0x7f, 0x7f, 0x7f}, {0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0xff, 0xff, 0x00},
			{0x5c, 0x5c, 0xff}, {0xff, 0x00, 0xff}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0xff},
		}[i]
		return color.RGBA{basic[0], basic[1], basic[2], 0xff}
	}
	if i >= 232 {
		v := 8 + 10*(i-232)
		return color.RGBA{v, v, v, 0xff}
	}
	level := func(n uint8) uint8 {
		if n == 0 {
			return 0
		}
		return 55 + 40*n
	}
	i -= 16
	return color.RGBA{level(i / 36), level(i / 6 % 6), level(i % 6), 0xff}
}

// Scheme is the terminal a frame is drawn on: its default foreground and
// background, which cells without a colour of their own take.
type Scheme struct {
	FG, BG color.RGBA
}

// SchemeFor returns the terminal colours for a theme (a palette name of
// package themes; a trailing " (no colour)" is ignored): the theme's text
// colour on a background that suits it — near-black (xterm 234) for dark
// and colorblind, white for light, black for high-contrast.
func SchemeFor(theme string) Scheme {
	name := strings.TrimSuffix(theme, " (no colour)")
	p, err := themes.Lookup(name)
	if err != nil {
		p, _ = themes.Lookup("dark")
	}
	fg := XTerm256(p.Text)
	var bg uint8
	switch {
	case name == "light":
		bg = 231
	case name == "high-contrast":
		bg = 16
	case luma(fg) < 128: // a palette for light terminals
		bg = 231
	default:
		bg = 234
	}
	return Scheme{FG: fg, BG: XTerm256(bg)}
}

// luma is the perceived brightness of c, 0–255.
func luma(c color.RGBA) int {
	return (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000
}

// colors returns a cell's foreground and background under the scheme:
// reverse swaps them.
func (s Scheme) colors(c *Cell) (fg, bg color.RGBA) {
	fg, bg = c.FG.RGBA(s.FG), c.BG.RGBA(s.BG)
	if c.Attrs&Reverse != 0 {
		fg, bg = bg, fg
	}
	return fg, bg
}

// hasBG reports whether a cell paints a background of its own.
func (s Scheme) hasBG(c *Cell) bool {
	_, bg := s.colors(c)
	return bg != s.BG
}

// faintAlpha is how much of the foreground faint text keeps over its
// background (SVG and HTML use it as an opacity, PNG blends with it).
const faintAlpha = 0.6

// blend mixes a over b, keeping the fraction alpha of a.
func blend(a, b color.RGBA, alpha float64) color.RGBA {
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*alpha + float64(y)*(1-alpha) + 0.5) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// hexColor writes c as #rrggbb.
func hexColor(c color.RGBA) string {
	const digits = "0123456789abcdef"
	return string([]byte{'#', digits[c.R>>4], digits[c.R&15], digits[c.G>>4], digits[c.G&15], digits[c.B>>4], digits[c.B&15]})
}
