package snapshot

import (
	"bufio"
	"image/color"
	"io"
)

// htmlLineHeight is the HTML line height at scale 1: a little under the
// cell height, so that the viewer font's box-drawing glyphs (which span
// its ascent and descent) meet from line to line.
const htmlLineHeight = 17

// HTML writes the grid as a self-contained HTML page: inline CSS, no
// scripts, no external resources. Each row is a line of a <pre>, with one
// <span> per run of cells in one style (colours and attributes); every
// piece of text is escaped.
func HTML(w io.Writer, g *Grid, o Options) error {
	b := bufio.NewWriterSize(w, 64<<10)
	sc := o.Scheme
	s := o.scale()
	title := o.Title
	if title == "" {
		title = "hashdeck snapshot"
	}
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"generator\" content=\"hashdeck snapshot\">\n<title>")
	escape(b, title)
	b.WriteString("</title>\n<style>\n")
	b.WriteString("body{margin:0;padding:16px;background:" + hexColor(blend(sc.FG, sc.BG, 0.06)) + "}\n")
	b.WriteString(".window{display:inline-block;background:" + hexColor(sc.BG) + ";border-radius:6px;overflow:hidden;box-shadow:0 2px 12px rgba(0,0,0,.35)}\n")
	b.WriteString(".bar{position:relative;height:")
	itoa(b, titleHeight*s)
	b.WriteString("px;line-height:")
	itoa(b, titleHeight*s)
	b.WriteString("px;text-align:center;background:" + hexColor(blend(sc.FG, sc.BG, 0.12)) + ";color:" + hexColor(blend(sc.FG, sc.BG, 0.85)) +
		";border-bottom:1px solid " + hexColor(blend(sc.FG, sc.BG, 0.25)) + ";font:")
	itoa(b, fontPx*s)
	b.WriteString("px " + fontStack + "}\n")
	b.WriteString(".bar i{position:absolute;top:50%;width:")
	itoa(b, 12*s)
	b.WriteString("px;height:")
	itoa(b, 12*s)
	b.WriteString("px;margin-top:-")
	itoa(b, 6*s)
	b.WriteString("px;border-radius:50%}\n")
	b.WriteString("pre{margin:0;padding:0;color:" + hexColor(sc.FG) + ";background:" + hexColor(sc.BG) + ";font-family:" + fontStack + ";font-size:")
	itoa(b, fontPx*s)
	b.WriteString("px;line-height:")
	itoa(b, htmlLineHeight*s)
	b.WriteString("px;white-space:pre;font-variant-ligatures:none}\n")
	b.WriteString(styleClasses + "\n</style>\n</head>\n<body>\n<div class=\"window\">\n")
	if o.Title != "" {
		b.WriteString("<div class=\"bar\">")
		for i, c := range titleButtons() {
			b.WriteString("<i style=\"left:")
			itoa(b, (8+20*i)*s)
			b.WriteString("px;background:" + hexColor(c) + "\"></i>")
		}
		escape(b, o.Title)
		b.WriteString("</div>\n")
	}
	b.WriteString("<pre>")
	type spanStyle struct {
		fg, bg color.RGBA
		attrs  Attr
	}
	plain := spanStyle{fg: sc.FG, bg: sc.BG}
	for y := range g.H {
		row := g.Row(y)
		cur := plain
		for x := range row {
			c := &row[x]
			if c.Rune == 0 {
				continue
			}
			fg, bg := sc.colors(c)
			if c.Attrs&Faint != 0 {
				fg = blend(fg, bg, faintAlpha)
			}
			st := spanStyle{fg, bg, c.Attrs &^ Reverse}
			if st != cur {
				if cur != plain {
					b.WriteString("</span>")
				}
				if st != plain {
					b.WriteString("<span")
					if cl := st.attrs.classes(); cl != "" {
						b.WriteString(" class=\"" + cl + "\"")
					}
					if st.fg != sc.FG || st.bg != sc.BG {
						b.WriteString(" style=\"")
						if st.fg != sc.FG {
							b.WriteString("color:" + hexColor(st.fg))
							if st.bg != sc.BG {
								b.WriteByte(';')
							}
						}
						if st.bg != sc.BG {
							b.WriteString("background:" + hexColor(st.bg))
						}
						b.WriteString("\"")
					}
					b.WriteString(">")
				}
				cur = st
			}
			escape(b, c.Text)
		}
		if cur != plain {
			b.WriteString("</span>")
		}
		if y < g.H-1 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("</pre>\n</div>\n</body>\n</html>\n")
	return b.Flush()
}
