package snapshot

import (
	"errors"
	"fmt"
	"image"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// ttFont is one of the embedded Go Mono faces, read with x/image's sfnt,
// with the metrics the painter lays cells out by (in font units).
type ttFont struct {
	f                        *sfnt.Font
	buf                      sfnt.Buffer
	unitsPerEm               float64
	ascent, descent, advance float64 // descent is negative, as in the hhea table
}

// parseTTF parses a TrueType font and reads its metrics.
func parseTTF(b []byte) (*ttFont, error) {
	f, err := sfnt.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	t := &ttFont{f: f, unitsPerEm: float64(f.UnitsPerEm())}
	// At a size of unitsPerEm pixels one font unit is one pixel.
	ppem := fixed.I(int(f.UnitsPerEm()))
	m, err := f.Metrics(&t.buf, ppem, font.HintingNone)
	if err != nil {
		return nil, fmt.Errorf("font metrics: %w", err)
	}
	t.ascent, t.descent = float64(m.Ascent)/64, -float64(m.Descent)/64
	g, err := f.GlyphIndex(&t.buf, 'M')
	if err != nil || g == 0 {
		return nil, errors.New("font: no glyph for M")
	}
	adv, err := f.GlyphAdvance(&t.buf, g, ppem, font.HintingNone)
	if err != nil {
		return nil, fmt.Errorf("font advance: %w", err)
	}
	t.advance = float64(adv) / 64
	return t, nil
}

// glyphMask rasterises rune r at px pixels per em into a w×h cell, with
// its origin ox pixels from the left and on the baseline; nil when the
// font has no glyph for r.
func (f *ttFont) glyphMask(z *vector.Rasterizer, r rune, w, h int, ox, baseline, px float64) *image.Alpha {
	g, err := f.f.GlyphIndex(&f.buf, r)
	if err != nil || g == 0 {
		return nil
	}
	segs, err := f.f.LoadGlyph(&f.buf, g, fixed.Int26_6(px*64), nil)
	if err != nil {
		return nil
	}
	// sfnt's y axis points down from the baseline, as the cell's does.
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(ox + float64(p.X)/64), float32(baseline + float64(p.Y)/64)
	}
	z.Reset(w, h)
	open := false
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(pt(s.Args[0]))
			open = true
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			z.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			x3, y3 := pt(s.Args[2])
			z.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	if open {
		z.ClosePath()
		z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	}
	return mask
}

// has reports whether the font has a glyph for r.
func (f *ttFont) has(r rune) bool {
	g, err := f.f.GlyphIndex(&f.buf, r)
	return err == nil && g != 0
}
