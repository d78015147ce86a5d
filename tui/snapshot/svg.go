package snapshot

import (
	"bufio"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fontStack is the CSS font family of the SVG and HTML text: common
// monospace fonts with good box-drawing coverage, then the generic one.
const fontStack = `"DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", "Go Mono", monospace`

// joins reports whether the SVG draws r as a shape: the box-drawing,
// block and braille characters, which must meet their neighbours (other
// symbols are left to the viewer's fonts).
func joins(r rune) bool {
	return r >= 0x2500 && r <= 0x259f || r >= 0x2800 && r <= 0x28ff
}

// runStyle is what a run of text shares: its colour and attributes.
type runStyle struct {
	fg    color.RGBA
	attrs Attr // without Reverse, which is resolved into the colours
}

// classes returns the CSS classes of a run's attributes ("b u" ...).
func (a Attr) classes() string {
	var c []string
	for _, x := range [...]struct {
		a Attr
		c string
	}{{Bold, "b"}, {Italic, "i"}, {Underline, "u"}, {Strike, "s"}, {Faint, "f"}} {
		if a&x.a != 0 {
			c = append(c, x.c)
		}
	}
	return strings.Join(c, " ")
}

// styleClasses is the CSS of the attributes shared by the SVG and HTML
// outputs. Faint text is drawn with opacity in SVG (.f), where text has no
// background of its own, and in a blended colour in HTML.
const styleClasses = `.b{font-weight:bold}.i{font-style:italic}.u{text-decoration:underline}.s{text-decoration:line-through}.u.s{text-decoration:underline line-through}`

// escape writes s escaped for XML and HTML text and attribute values;
// characters XML does not allow become U+FFFD.
func escape(b *bufio.Writer, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '&':
				b.WriteString("&amp;")
			case '<':
				b.WriteString("&lt;")
			case '>':
				b.WriteString("&gt;")
			case '"':
				b.WriteString("&quot;")
			case '\'':
				b.WriteString("&#39;")
			default:
				if c < 0x20 && c != '\t' {
					b.WriteString("\uFFFD") // not allowed in XML
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF || r >= 0xD800 && r <= 0xDFFF {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// num writes v with at most two decimals.
func num(b *bufio.Writer, v float64) {
	var buf [24]byte
	b.Write(strconv.AppendFloat(buf[:0], math.Round(v*100)/100, 'f', -1, 64))
}

func itoa(b *bufio.Writer, v int) {
	var buf [20]byte
	b.Write(strconv.AppendInt(buf[:0], int64(v), 10))
}

// SVG writes the grid as an SVG image: the scheme's background, one
// <rect> per run of a background colour, the box-drawing, block and
// braille characters as filled paths (one per colour), and one <text> per
// run of text in one style, stretched to its cells (textLength) so that
// columns line up whatever the font.
func SVG(w io.Writer, g *Grid, o Options) error {
	b := bufio.NewWriterSize(w, 64<<10)
	cw, ch := CellWidth, CellHeight
	vw, vh := g.W*cw, g.H*ch
	top := 0
	if o.Title != "" {
		top = titleHeight
		vh += top
	}
	pw, ph := o.Size(g.W, g.H)
	sc := o.Scheme
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="`)
	itoa(b, pw)
	b.WriteString(`" height="`)
	itoa(b, ph)
	b.WriteString(`" viewBox="0 0 `)
	itoa(b, vw)
	b.WriteByte(' ')
	itoa(b, vh)
	b.WriteString(`">` + "\n")
	if o.Title != "" {
		b.WriteString("<title>")
		escape(b, o.Title)
		b.WriteString("</title>\n")
	}
	b.WriteString(`<style>text{font-family:` + strings.ReplaceAll(fontStack, `"`, `'`) + `;font-size:`)
	itoa(b, fontPx)
	b.WriteString(`px;white-space:pre}` + styleClasses + ".f{opacity:.6}</style>\n")
	b.WriteString(`<rect width="100%" height="100%" fill="` + hexColor(sc.BG) + `"/>` + "\n")
	if o.Title != "" {
		svgTitleBar(b, o, vw)
		b.WriteString(`<g transform="translate(0,`)
		itoa(b, top)
		b.WriteString(`)">` + "\n")
	}

	// Backgrounds: one rectangle per run of cells of one colour.
	b.WriteString(`<g shape-rendering="crispEdges">` + "\n")
	for y := range g.H {
		row := g.Row(y)
		for x := 0; x < g.W; {
			_, bg := sc.colors(&row[x])
			if bg == sc.BG {
				x++
				continue
			}
			x0 := x
			for x < g.W {
				if _, b2 := sc.colors(&row[x]); b2 != bg {
					break
				}
				x++
			}
			b.WriteString(`<rect x="`)
			itoa(b, x0*cw)
			b.WriteString(`" y="`)
			itoa(b, y*ch)
			b.WriteString(`" width="`)
			itoa(b, (x-x0)*cw)
			b.WriteString(`" height="`)
			itoa(b, ch)
			b.WriteString(`" fill="` + hexColor(bg) + `"/>` + "\n")
		}
	}
	b.WriteString("</g>\n")

	svgShapes(b, g, sc)

	// Text: one <text> per run of cells in one style, shapes excluded.
	baseline := svgBaseline()
	for y := range g.H {
		row := g.Row(y)
		for x := 0; x < g.W; {
			c := &row[x]
			if c.Rune == 0 || joins(c.Rune) {
				x++
				continue
			}
			st := textStyle(sc, c)
			x0 := x
			var text strings.Builder
			for x < g.W {
				c2 := &row[x]
				if c2.Rune == 0 { // the second half of a wide character
					x++
					continue
				}
				if joins(c2.Rune) || textStyle(sc, c2) != st {
					break
				}
				text.WriteString(c2.Text)
				x++
			}
			s := text.String()
			// Blank ends draw nothing unless they are underlined or struck.
			if st.attrs&(Underline|Strike) == 0 {
				lead := len(s) - len(strings.TrimLeft(s, " "))
				x0 += lead
				s = strings.TrimSpace(s)
			}
			if s == "" {
				continue
			}
			cells := cellCount(row, x0, s)
			b.WriteString(`<text x="`)
			itoa(b, x0*cw)
			b.WriteString(`" y="`)
			num(b, float64(y*ch)+baseline)
			b.WriteString(`" fill="` + hexColor(st.fg) + `"`)
			if cl := st.attrs.classes(); cl != "" {
				b.WriteString(` class="` + cl + `"`)
			}
			if cells > 1 {
				b.WriteString(` textLength="`)
				itoa(b, cells*cw)
				b.WriteString(`" lengthAdjust="spacing"`)
			}
			b.WriteByte('>')
			escape(b, s)
			b.WriteString("</text>\n")
		}
	}
	if o.Title != "" {
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Flush()
}

// cellCount returns how many cells text s takes from column x0 of row.
func cellCount(row []Cell, x0 int, s string) int {
	n, i := 0, x0
	for len(s) > 0 && i < len(row) {
		c := &row[i]
		i++
		if c.Rune == 0 {
			continue
		}
		n += max(int(c.Width), 1)
		s = s[min(len(c.Text), len(s)):]
	}
	return n
}

// svgBaseline is the text baseline in a cell, at scale 1.
func svgBaseline() float64 {
	// Go Mono's ascent and descent (1935 and 432 of 2048), centred in the
	// cell as the PNG writer does; other monospace fonts are close.
	asc, desc := 1935.0/2048*fontPx, 432.0/2048*fontPx
	return math.Round((CellHeight-asc-desc)/2 + asc)
}

// textStyle is the style run key of a text cell.
func textStyle(sc Scheme, c *Cell) runStyle {
	fg, _ := sc.colors(c)
	return runStyle{fg: fg, attrs: c.Attrs &^ Reverse}
}

// svgShapes writes the box-drawing, block and braille characters as one
// filled path per colour and opacity, in the order the colours first
// appear. Rectangles that continue one another along a row (a line across
// many cells) are merged into one.
func svgShapes(b *bufio.Writer, g *Grid, sc Scheme) {
	type key struct {
		fg    color.RGBA
		alpha float64
	}
	type group struct {
		rects []rectf
		last  map[[2]float64]int // the last rectangle of each band (y0, y1)
		path  strings.Builder
	}
	var order []key
	groups := map[key]*group{}
	shapes := map[rune]shape{}
	for y := range g.H {
		row := g.Row(y)
		for x := range row {
			c := &row[x]
			if !joins(c.Rune) {
				continue
			}
			sh, ok := shapes[c.Rune]
			if !ok {
				sh, _ = shapeFor(c.Rune, CellWidth, CellHeight)
				shapes[c.Rune] = sh
			}
			fg, _ := sc.colors(c)
			k := key{fg, sh.alpha}
			if c.Attrs&Faint != 0 {
				k.alpha *= faintAlpha
			}
			gr := groups[k]
			if gr == nil {
				gr = &group{last: map[[2]float64]int{}}
				groups[k] = gr
				order = append(order, k)
			}
			ox, oy := float64(x*CellWidth), float64(y*CellHeight)
			for _, r := range sh.rects {
				r = rectf{math.Round(r.x0) + ox, math.Round(r.y0) + oy, math.Round(r.x1) + ox, math.Round(r.y1) + oy}
				band := [2]float64{r.y0, r.y1}
				if i, ok := gr.last[band]; ok && gr.rects[i].x1 == r.x0 {
					gr.rects[i].x1 = r.x1
					continue
				}
				gr.last[band] = len(gr.rects)
				gr.rects = append(gr.rects, r)
			}
			writePath(&gr.path, sh.path, ox, oy)
		}
	}
	var buf [24]byte
	n := func(v float64) { b.Write(strconv.AppendFloat(buf[:0], math.Round(v*100)/100, 'f', -1, 64)) }
	for _, k := range order {
		gr := groups[k]
		b.WriteString(`<path fill="` + hexColor(k.fg) + `"`)
		if k.alpha < 1 {
			b.WriteString(` fill-opacity="`)
			num(b, k.alpha)
			b.WriteString(`"`)
		}
		b.WriteString(` d="`)
		for _, r := range gr.rects {
			b.WriteByte('M')
			n(r.x0)
			b.WriteByte(' ')
			n(r.y0)
			b.WriteByte('h')
			n(r.x1 - r.x0)
			b.WriteByte('v')
			n(r.y1 - r.y0)
			b.WriteByte('h')
			n(r.x0 - r.x1)
			b.WriteByte('z')
		}
		b.WriteString(gr.path.String())
		b.WriteString(`"/>` + "\n")
	}
}

// writePath appends outline steps at (ox, oy) as SVG path data.
func writePath(p *strings.Builder, path []pathOp, ox, oy float64) {
	var buf [24]byte
	n := func(v float64) {
		p.Write(strconv.AppendFloat(buf[:0], math.Round(v*100)/100, 'f', -1, 64))
	}
	pt := func(q [2]float64) {
		n(ox + q[0])
		p.WriteByte(' ')
		n(oy + q[1])
	}
	for _, op := range path {
		switch op.op {
		case opMove, opLine:
			p.WriteByte(op.op)
			pt(op.p[0])
		case opCube:
			p.WriteByte('C')
			pt(op.p[0])
			p.WriteByte(' ')
			pt(op.p[1])
			p.WriteByte(' ')
			pt(op.p[2])
		case opClose:
			p.WriteByte('z')
		}
	}
}

// svgTitleBar writes a window's title bar across width w.
func svgTitleBar(b *bufio.Writer, o Options, w int) {
	sc := o.Scheme
	b.WriteString(`<rect width="`)
	itoa(b, w)
	b.WriteString(`" height="`)
	itoa(b, titleHeight)
	b.WriteString(`" fill="` + hexColor(blend(sc.FG, sc.BG, 0.12)) + `"/>` + "\n")
	b.WriteString(`<rect y="`)
	itoa(b, titleHeight-1)
	b.WriteString(`" width="`)
	itoa(b, w)
	b.WriteString(`" height="1" fill="` + hexColor(blend(sc.FG, sc.BG, 0.25)) + `"/>` + "\n")
	for i, c := range titleButtons() {
		b.WriteString(`<circle cx="`)
		itoa(b, 14+20*i)
		b.WriteString(`" cy="`)
		num(b, titleHeight/2.0)
		b.WriteString(`" r="6" fill="` + hexColor(c) + `"/>` + "\n")
	}
	b.WriteString(`<text x="`)
	num(b, float64(w)/2)
	b.WriteString(`" y="`)
	num(b, float64(titleHeight-CellHeight)/2+svgBaseline())
	b.WriteString(`" text-anchor="middle" fill="` + hexColor(blend(sc.FG, sc.BG, 0.85)) + `">`)
	escape(b, o.Title)
	b.WriteString("</text>\n")
}
