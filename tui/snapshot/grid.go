// Package snapshot turns a dashboard frame (the ANSI string tui.Render
// draws) into files for reports: plain text, ANSI, SVG, PNG and a
// self-contained HTML page, plus the whole board as JSON.
//
// A frame is first read into a [Grid] of cells — rune, colours and
// attributes, as a terminal would hold them — by the charmbracelet/x/vt
// emulator. The SVG, HTML and PNG writers draw that grid with a fixed cell
// size, so columns line up whatever the viewer's fonts. Box-drawing, block
// and braille characters are drawn as shapes (in SVG and PNG), so borders
// and chart lines join up from cell to cell.
//
// Everything here is pure: the same frame and options give the same bytes.
package snapshot

import (
	"image/color"
	"strconv"
	"strings"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// Color is a cell colour as the frame gave it: the terminal's default, one
// of the 256 indexed colours (0–15 are the 16 basic ones), or 24-bit RGB.
type Color uint32

const (
	colorIndexed Color = 1 << 24
	colorRGB     Color = 2 << 24
	colorKind    Color = 3 << 24
)

// Indexed returns indexed colour i (xterm's 256-colour palette).
func Indexed(i uint8) Color { return colorIndexed | Color(i) }

// RGB returns a 24-bit colour.
func RGB(r, g, b uint8) Color { return colorRGB | Color(r)<<16 | Color(g)<<8 | Color(b) }

// IsDefault reports whether c is the terminal's default colour.
func (c Color) IsDefault() bool { return c&colorKind == 0 }

// Index returns the palette index of an indexed colour.
func (c Color) Index() (uint8, bool) { return uint8(c), c&colorKind == colorIndexed }

// RGBA returns c as an opaque colour, def when c is the default.
func (c Color) RGBA(def color.RGBA) color.RGBA {
	switch c & colorKind {
	case colorIndexed:
		return XTerm256(uint8(c))
	case colorRGB:
		return color.RGBA{uint8(c >> 16), uint8(c >> 8), uint8(c), 0xff}
	}
	return def
}

// String names the colour: "default", "256:75" or "#1c1c1c".
func (c Color) String() string {
	switch c & colorKind {
	case colorIndexed:
		return "256:" + strconv.Itoa(int(uint8(c)))
	case colorRGB:
		return hexColor(c.RGBA(color.RGBA{}))
	}
	return "default"
}

// Attr is a set of text attributes.
type Attr uint8

// The attributes a cell can carry.
const (
	Bold Attr = 1 << iota
	Faint
	Italic
	Underline
	Reverse
	Strike
)

// Cell is one terminal cell.
type Cell struct {
	// Rune is the cell's first rune: ' ' for a blank cell, 0 for the
	// second cell of a wide character. Text is the whole grapheme cluster
	// (usually string(Rune)); Width is 1, or 2 for a wide character.
	Rune  rune
	Text  string
	Width uint8
	FG    Color
	BG    Color
	Attrs Attr
}

// Grid is a frame as cells, row by row.
type Grid struct {
	W, H  int
	Cells []Cell // H rows of W cells
}

// At returns the cell in column x of row y.
func (g *Grid) At(x, y int) *Cell { return &g.Cells[y*g.W+x] }

// Row returns row y.
func (g *Grid) Row(y int) []Cell { return g.Cells[y*g.W : (y+1)*g.W] }

// Parse reads frame — lines of text with ANSI SGR sequences, as
// tui.Render draws them — into a w×h grid, through a terminal emulator.
// Each line starts in the first column of its row with the default style,
// as in the dashboard; lines past h and cells past w are dropped.
func Parse(frame string, w, h int) *Grid {
	g := &Grid{W: w, H: h, Cells: make([]Cell, w*h)}
	for i := range g.Cells {
		g.Cells[i] = Cell{Rune: ' ', Text: " ", Width: 1}
	}
	if w <= 0 || h <= 0 {
		return g
	}
	e := vt.NewEmulator(w, h)
	defer e.Close()
	var b strings.Builder
	b.Grow(len(frame) + 16*h)
	for y, line := range strings.SplitN(frame, "\n", h+1) {
		if y == h {
			break
		}
		// Go to the row, reset the pen and keep the line from wrapping.
		b.WriteString("\x1b[" + strconv.Itoa(y+1) + ";1H\x1b[0m")
		b.WriteString(strings.TrimSuffix(line, "\r"))
	}
	b.WriteString("\x1b[0m")
	_, _ = e.WriteString("\x1b[?7l" + b.String()) // no autowrap: a long line is cut, not wrapped
	for y := range h {
		row := g.Row(y)
		for x := range w {
			c := e.CellAt(x, y)
			if c == nil {
				continue
			}
			row[x] = fromUV(c)
		}
	}
	return g
}

// fromUV converts an emulator cell.
func fromUV(c *uv.Cell) Cell {
	out := Cell{Text: c.Content, Width: uint8(max(c.Width, 0)), FG: fromColor(c.Style.Fg), BG: fromColor(c.Style.Bg)}
	switch {
	case c.Width == 0 && c.Content == "":
		out.Rune = 0 // the second half of a wide character
	case c.Content == "":
		out.Rune, out.Text = ' ', " "
	default:
		out.Rune, _ = utf8.DecodeRuneInString(c.Content)
	}
	a := c.Style.Attrs
	for _, m := range [...]struct {
		uv   uint8
		attr Attr
	}{{uv.AttrBold, Bold}, {uv.AttrFaint, Faint}, {uv.AttrItalic, Italic}, {uv.AttrReverse, Reverse}, {uv.AttrStrikethrough, Strike}} {
		if a&m.uv != 0 {
			out.Attrs |= m.attr
		}
	}
	if c.Style.Underline != ansi.UnderlineNone {
		out.Attrs |= Underline
	}
	return out
}

// fromColor converts an emulator colour.
func fromColor(c color.Color) Color {
	switch c := c.(type) {
	case nil:
		return 0
	case ansi.BasicColor:
		return Indexed(uint8(c))
	case ansi.IndexedColor:
		return Indexed(uint8(c))
	case ansi.TrueColor:
		return RGB(uint8(c>>16), uint8(c>>8), uint8(c))
	}
	r, g, b, _ := c.RGBA()
	return RGB(uint8(r>>8), uint8(g>>8), uint8(b>>8))
}

// Text returns frame without its escape sequences, each line ending in a
// newline: the plain-text snapshot.
func Text(frame string) string {
	s := ansi.Strip(frame)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// ANSI returns frame as a terminal shows it, each line ending in a newline
// and the style reset at the end.
func ANSI(frame string) string {
	return strings.TrimSuffix(frame, "\n") + "\x1b[0m\n"
}
