package snapshot

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/gomonobolditalic"
	"golang.org/x/image/font/gofont/gomonoitalic"
	"golang.org/x/image/vector"
)

// Options say how the SVG, HTML and PNG writers draw a grid.
type Options struct {
	// Scheme gives the colours of cells that have none of their own.
	Scheme Scheme
	// Scale multiplies every size: PNG pixels (2 for sharp text on
	// high-density screens), the display size of SVG and HTML. 0 means 1.
	Scale int
	// Title, when set, adds a window-style title bar above the grid.
	Title string
}

// The cell size at scale 1, in pixels, and the font size that fills it:
// Go Mono's advance is 1229/2048 em, 9 pixels at 15 pixels an em.
const (
	CellWidth  = 9
	CellHeight = 18
	fontPx     = 15
	// titleHeight is the height of the title bar at scale 1.
	titleHeight = 28
)

func (o Options) scale() int { return max(o.Scale, 1) }

// Size returns the pixel size of a grid of w×h cells drawn with o (PNG;
// the SVG's display size).
func (o Options) Size(w, h int) (int, int) {
	s := o.scale()
	top := 0
	if o.Title != "" {
		top = titleHeight
	}
	return w * CellWidth * s, (h*CellHeight + top) * s
}

// painter draws cells into an RGBA image at one scale, caching each
// character's coverage mask.
type painter struct {
	cw, ch   int
	px       float64
	baseline float64
	fonts    [4]*ttFont // regular, bold, italic, bold italic: parsed when first used
	z        *vector.Rasterizer
	masks    map[maskKey]*image.Alpha
}

type maskKey struct {
	r     rune
	style uint8 // bold | italic<<1
	wide  bool
}

func newPainter(scale int) *painter {
	cw, ch := CellWidth*scale, CellHeight*scale
	p := &painter{cw: cw, ch: ch, px: fontPx * float64(scale), z: vector.NewRasterizer(cw, ch), masks: map[maskKey]*image.Alpha{}}
	return p
}

// font returns the Go Mono face of a style, parsing it on first use.
func (p *painter) font(style uint8) (*ttFont, error) {
	if f := p.fonts[style]; f != nil {
		return f, nil
	}
	src := [4][]byte{gomono.TTF, gomonobold.TTF, gomonoitalic.TTF, gomonobolditalic.TTF}[style]
	f, err := parseTTF(src)
	if err != nil {
		return nil, fmt.Errorf("snapshot: Go Mono: %w", err)
	}
	if p.baseline == 0 {
		// Centre the font's ascent and descent in the cell.
		s := p.px / f.unitsPerEm
		asc, desc := f.ascent*s, -f.descent*s
		p.baseline = math.Round((float64(p.ch)-asc-desc)/2 + asc)
	}
	p.fonts[style] = f
	return f, nil
}

// mask returns the coverage of rune r in the given style, in a cell (two
// for a wide character).
func (p *painter) mask(r rune, style uint8, wide bool) (*image.Alpha, error) {
	k := maskKey{r, style, wide}
	if m, ok := p.masks[k]; ok {
		return m, nil
	}
	w := p.cw
	if wide {
		w *= 2
	}
	var m *image.Alpha
	if sh, ok := shapeFor(r, w, p.ch); ok {
		m = sh.mask(p.z, w, p.ch)
	} else {
		f, err := p.font(style)
		if err != nil {
			return nil, err
		}
		ox := (float64(w) - f.advance*p.px/f.unitsPerEm) / 2
		m = f.glyphMask(p.z, r, w, p.ch, ox, p.baseline, p.px)
		if m == nil && style != 0 {
			// Not in the bold or italic face: try the regular one.
			m, err = p.mask(r, 0, wide)
			if err != nil {
				return nil, err
			}
		}
		if m == nil {
			m = p.tofu(w)
		}
	}
	p.masks[k] = m
	return m, nil
}

// tofu is the outline of a box: a character no face has.
func (p *painter) tofu(w int) *image.Alpha {
	m := image.NewAlpha(image.Rect(0, 0, w, p.ch))
	t, _ := lineWidths(p.cw)
	x0, x1 := w/6, w-w/6
	y0, y1 := p.ch/4, int(p.baseline)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if x < x0+t || x >= x1-t || y < y0+t || y >= y1-t {
				m.Pix[y*m.Stride+x] = 0xff
			}
		}
	}
	return m
}

// fill paints r with c.
func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	if r.Empty() {
		return
	}
	row := img.Pix[img.PixOffset(r.Min.X, r.Min.Y):]
	n := r.Dx() * 4
	for i := 0; i < n; i += 4 {
		row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		copy(img.Pix[img.PixOffset(r.Min.X, y):][:n], row[:n])
	}
}

// Image draws the grid: each cell's background, then its character in its
// colours and attributes (box, block and braille characters as shapes).
func Image(g *Grid, o Options) (*image.RGBA, error) {
	s := o.scale()
	p := newPainter(s)
	if _, err := p.font(0); err != nil {
		return nil, err
	}
	w, h := o.Size(g.W, g.H)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Rect, o.Scheme.BG)
	top := 0
	if o.Title != "" {
		top = titleHeight * s
		if err := p.titleBar(img, o, top); err != nil {
			return nil, err
		}
	}
	for y := range g.H {
		row := g.Row(y)
		for x := range row {
			c := &row[x]
			if c.Rune == 0 {
				continue
			}
			if _, bg := o.Scheme.colors(c); bg != o.Scheme.BG {
				cells := max(int(c.Width), 1)
				fill(img, image.Rect(x*p.cw, top+y*p.ch, (x+cells)*p.cw, top+(y+1)*p.ch), bg)
			}
		}
	}
	for y := range g.H {
		row := g.Row(y)
		for x := range row {
			if err := p.cell(img, &row[x], x*p.cw, top+y*p.ch, o.Scheme); err != nil {
				return nil, err
			}
		}
	}
	return img, nil
}

// cell draws one cell's character and its decorations at (x, y).
func (p *painter) cell(img *image.RGBA, c *Cell, x, y int, sc Scheme) error {
	if c.Rune == 0 || c.Rune == ' ' && c.Attrs&(Underline|Strike) == 0 {
		return nil
	}
	fg, bg := sc.colors(c)
	if c.Attrs&Faint != 0 {
		fg = blend(fg, bg, faintAlpha)
	}
	wide := c.Width > 1
	w := p.cw
	if wide {
		w *= 2
	}
	if c.Rune != ' ' {
		var style uint8
		if c.Attrs&Bold != 0 {
			style |= 1
		}
		if c.Attrs&Italic != 0 {
			style |= 2
		}
		m, err := p.mask(c.Rune, style, wide)
		if err != nil {
			return err
		}
		r := image.Rect(x, y, x+w, y+p.ch)
		draw.DrawMask(img, r, image.NewUniform(fg), image.Point{}, m, image.Point{}, draw.Over)
	}
	t, _ := lineWidths(p.cw)
	if c.Attrs&Underline != 0 {
		uy := y + int(p.baseline) + t
		fill(img, image.Rect(x, uy, x+w, uy+t), fg)
	}
	if c.Attrs&Strike != 0 {
		sy := y + int(p.baseline-p.px*0.3)
		fill(img, image.Rect(x, sy, x+w, sy+t), fg)
	}
	return nil
}

// titleBar draws a window's title bar of height h: three buttons on the
// left and the title in the middle.
func (p *painter) titleBar(img *image.RGBA, o Options, h int) error {
	sc := o.Scheme
	fill(img, image.Rect(0, 0, img.Rect.Dx(), h), blend(sc.FG, sc.BG, 0.12))
	fill(img, image.Rect(0, h-max(1, h/28), img.Rect.Dx(), h), blend(sc.FG, sc.BG, 0.25))
	s := float64(o.scale())
	z := vector.NewRasterizer(img.Rect.Dx(), h)
	for i, c := range titleButtons() {
		cx, cy, r := (14+float64(i)*20)*s, float64(h)/2, 6*s
		z.Reset(img.Rect.Dx(), h)
		circle(z, cx, cy, r)
		z.Draw(img, image.Rect(0, 0, img.Rect.Dx(), h), image.NewUniform(c), image.Point{})
	}
	title := []rune(o.Title)
	maxCells := img.Rect.Dx()/p.cw - 16
	if len(title) > maxCells && maxCells > 1 {
		title = append(title[:maxCells-1], '…')
	}
	x0 := (img.Rect.Dx() - len(title)*p.cw) / 2
	y0 := (h - p.ch) / 2
	fg := blend(sc.FG, sc.BG, 0.85)
	for i, r := range title {
		if r == ' ' {
			continue
		}
		m, err := p.mask(r, 0, false)
		if err != nil {
			return err
		}
		x := x0 + i*p.cw
		draw.DrawMask(img, image.Rect(x, y0, x+p.cw, y0+p.ch), image.NewUniform(fg), image.Point{}, m, image.Point{}, draw.Over)
	}
	return nil
}

// titleButtons are the colours of a window's close, minimise and zoom buttons.
func titleButtons() [3]color.RGBA {
	return [3]color.RGBA{{0xff, 0x5f, 0x57, 0xff}, {0xfe, 0xbc, 0x2e, 0xff}, {0x28, 0xc8, 0x40, 0xff}}
}

// circle adds a circle to z as four cubic Béziers.
func circle(z *vector.Rasterizer, cx, cy, r float64) {
	const k = 0.5522847498
	f := func(v float64) float32 { return float32(v) }
	z.MoveTo(f(cx+r), f(cy))
	z.CubeTo(f(cx+r), f(cy+k*r), f(cx+k*r), f(cy+r), f(cx), f(cy+r))
	z.CubeTo(f(cx-k*r), f(cy+r), f(cx-r), f(cy+k*r), f(cx-r), f(cy))
	z.CubeTo(f(cx-r), f(cy-k*r), f(cx-k*r), f(cy-r), f(cx), f(cy-r))
	z.CubeTo(f(cx+k*r), f(cy-r), f(cx+r), f(cy-k*r), f(cx+r), f(cy))
	z.ClosePath()
}

// PNG writes the grid as a PNG image (see [Image]).
func PNG(w io.Writer, g *Grid, o Options) error {
	img, err := Image(g, o)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}
