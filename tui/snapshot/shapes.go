package snapshot

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/vector"
)

// Box-drawing (U+2500–257F), block (U+2580–259F) and braille (U+2800–28FF)
// characters, and the few symbols the dashboard uses that Go Mono lacks
// (small triangles, ⊂, ✓, ✗), are drawn as
// shapes that fill the cell to its edges, so that lines and bars join the
// next cell's. A shape is given in the pixels of one cell.

// rectf is a filled rectangle [x0, x1) × [y0, y1).
type rectf struct{ x0, y0, x1, y1 float64 }

// pathOp is one step of a filled outline: moveTo, lineTo, cubeTo (two
// control points, then the end point) or closePath.
type pathOp struct {
	op byte
	p  [3][2]float64
}

const (
	opMove  = 'M'
	opLine  = 'L'
	opCube  = 'C'
	opClose = 'Z'
)

// shape is what a cell draws instead of a glyph: rectangles and a filled
// outline (non-zero rule), at coverage alpha (1, or less for the shades).
type shape struct {
	rects []rectf
	path  []pathOp
	alpha float64
}

// boxArms packs the four arms of U+2500–257F: 2 bits each for up, right,
// down and left (in that order from the low bits): 0 none, 1 light,
// 2 heavy, 3 double. Generated from the Unicode character names; the arcs
// and diagonals (U+256D–2573) are drawn apart.
func boxArms(r rune) uint8 {
	return [128]uint8{
		0x44, 0x88, 0x11, 0x22, 0x44, 0x88, 0x11, 0x22, 0x44, 0x88, 0x11, 0x22, 0x14, 0x18, 0x24, 0x28, // 2500
		0x50, 0x90, 0x60, 0xa0, 0x05, 0x09, 0x06, 0x0a, 0x41, 0x81, 0x42, 0x82, 0x15, 0x19, 0x16, 0x25, // 2510
		0x26, 0x1a, 0x29, 0x2a, 0x51, 0x91, 0x52, 0x61, 0x62, 0x92, 0xa1, 0xa2, 0x54, 0x94, 0x58, 0x98, // 2520
		0x64, 0xa4, 0x68, 0xa8, 0x45, 0x85, 0x49, 0x89, 0x46, 0x86, 0x4a, 0x8a, 0x55, 0x95, 0x59, 0x99, // 2530
		0x56, 0x65, 0x66, 0x96, 0x5a, 0xa5, 0x69, 0x9a, 0xa9, 0xa6, 0x6a, 0xaa, 0x44, 0x88, 0x11, 0x22, // 2540
		0xcc, 0x33, 0x1c, 0x34, 0x3c, 0xd0, 0x70, 0xf0, 0x0d, 0x07, 0x0f, 0xc1, 0x43, 0xc3, 0x1d, 0x37, // 2550
		0x3f, 0xd1, 0x73, 0xf3, 0xdc, 0x74, 0xfc, 0xcd, 0x47, 0xcf, 0xdd, 0x77, 0xff, 0x00, 0x00, 0x00, // 2560
		0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x04, 0x10, 0x80, 0x02, 0x08, 0x20, 0x48, 0x21, 0x84, 0x12, // 2570
	}[r-0x2500]
}

// dashes returns how many dashes a dashed box line has (0 for a solid one).
func dashes(r rune) int {
	switch {
	case r >= 0x2504 && r <= 0x2507:
		return 3
	case r >= 0x2508 && r <= 0x250b:
		return 4
	case r >= 0x254c && r <= 0x254f:
		return 2
	}
	return 0
}

// isShape reports whether r is drawn as a shape rather than a glyph.
func isShape(r rune) bool {
	switch {
	case r >= 0x2500 && r <= 0x259f, r >= 0x2800 && r <= 0x28ff:
		return true
	}
	switch r {
	case '▶', '▸', '◀', '◂', '▴', '▾', '►', '◄', '⊂', '⊃', '✓', '✗':
		return true
	}
	return false
}

// lineWidths returns the light and heavy line thickness for a cell of
// width cw: 1 and 3 pixels at 9 pixels a cell, scaling with it.
func lineWidths(cw int) (light, heavy int) {
	light = max(1, cw/9)
	return light, 3 * light
}

// shapeFor returns the shape of r in a cw×ch cell; false when r is not a shape.
func shapeFor(r rune, cw, ch int) (shape, bool) {
	s := shape{alpha: 1}
	W, H := float64(cw), float64(ch)
	switch {
	case r >= 0x2500 && r <= 0x257f:
		s.box(r, cw, ch)
	case r >= 0x2580 && r <= 0x259f:
		s.block(r, W, H)
	case r >= 0x2800 && r <= 0x28ff:
		s.braille(r, cw, ch)
	default:
		if !s.triangle(r, W, H) && !s.symbol(r, W, H) {
			return s, false
		}
	}
	return s, true
}

// box draws a box-drawing character.
func (s *shape) box(r rune, cw, ch int) {
	light, heavy := lineWidths(cw)
	thick := func(w uint8) int {
		if w == 1 {
			return light
		}
		return heavy // heavy, and the span of a double line
	}
	switch r {
	case 0x256d, 0x256e, 0x256f, 0x2570:
		s.arc(r, cw, ch, light)
		return
	case 0x2571, 0x2572, 0x2573:
		s.diagonal(r, float64(cw), float64(ch), float64(light))
		return
	}
	arms := boxArms(r)
	up, right, down, left := arms&3, arms>>2&3, arms>>4&3, arms>>6&3
	// The centre bands: every arm reaches across the other direction's
	// widest line, so corners and tees close.
	tv := 0
	if up != 0 || down != 0 {
		tv = max(thick(up), thick(down))
	}
	th := 0
	if left != 0 || right != 0 {
		th = max(thick(left), thick(right))
	}
	vx0, hy0 := (cw-tv)/2, (ch-th)/2
	W, H := float64(cw), float64(ch)
	// Horizontal arms end at the far side of the vertical band, or meet in the middle.
	lEnd, rStart := W/2, W/2
	if tv > 0 {
		lEnd, rStart = float64(vx0+tv), float64(vx0)
	}
	uEnd, dStart := H/2, H/2
	if th > 0 {
		uEnd, dStart = float64(hy0+th), float64(hy0)
	}
	n := dashes(r)
	hline := func(w uint8, x0, x1 float64) {
		if w == 0 {
			return
		}
		for _, b := range bands(w, light, heavy, ch) {
			s.dashed(n, rectf{x0, b[0], x1, b[1]}, true)
		}
	}
	vline := func(w uint8, y0, y1 float64) {
		if w == 0 {
			return
		}
		for _, b := range bands(w, light, heavy, cw) {
			s.dashed(n, rectf{b[0], y0, b[1], y1}, false)
		}
	}
	if n > 0 { // a dashed line runs the whole cell
		hline(left, 0, W)
		vline(up, 0, H)
		return
	}
	hline(left, 0, lEnd)
	hline(right, rStart, W)
	vline(up, 0, uEnd)
	vline(down, dStart, H)
}

// bands returns the stripes [a, b) across a cell of size n of a line of
// weight w: one stripe, or two for a double line.
func bands(w uint8, light, heavy, n int) [][2]float64 {
	switch w {
	case 1, 2:
		t := light
		if w == 2 {
			t = heavy
		}
		a := float64((n - t) / 2)
		return [][2]float64{{a, a + float64(t)}}
	}
	a := float64((n - heavy) / 2)
	t := float64(light)
	return [][2]float64{{a, a + t}, {a + float64(heavy) - t, a + float64(heavy)}}
}

// dashed adds r, cut into n dashes along its length when n > 0.
func (s *shape) dashed(n int, r rectf, horizontal bool) {
	if n == 0 {
		s.rects = append(s.rects, r)
		return
	}
	lo, hi := r.y0, r.y1
	if horizontal {
		lo, hi = r.x0, r.x1
	}
	seg := (hi - lo) / float64(n)
	gap := math.Max(1, math.Round(seg/3))
	for i := range n {
		a := math.Round(lo + float64(i)*seg + gap/2)
		b := math.Round(lo + float64(i+1)*seg - gap/2)
		if b <= a {
			b = a + 1
		}
		if horizontal {
			s.rects = append(s.rects, rectf{a, r.y0, b, r.y1})
		} else {
			s.rects = append(s.rects, rectf{r.x0, a, r.x1, b})
		}
	}
}

// arc draws a rounded corner (U+256D–2570): a quarter circle joining the
// middle of a horizontal edge and of a vertical one, on the centre lines
// the straight characters use.
func (s *shape) arc(r rune, cw, ch, t int) {
	W, H, T := float64(cw), float64(ch), float64(t)
	cx, cy := float64((cw-t)/2)+T/2, float64((ch-t)/2)+T/2
	sx, sy := 1.0, 1.0 // the arms go right and down
	switch r {
	case 0x256e: // ╮ down and left
		sx = -1
	case 0x256f: // ╯ up and left
		sx, sy = -1, -1
	case 0x2570: // ╰ up and right
		sy = -1
	}
	hx := W - cx // room to the side the horizontal arm goes
	if sx < 0 {
		hx = cx
	}
	vy := H - cy
	if sy < 0 {
		vy = cy
	}
	// The arc stops a line's width short of the edges, so that a straight
	// stub meets the next cell's line with whole pixels.
	rad := math.Max(math.Min(hx, vy)-T, T)
	ox, oy := cx+sx*rad, cy+sy*rad // the circle's centre
	// Straight parts from the arc's ends to the cell's edges.
	if hx > rad {
		x0, x1 := ox, W
		if sx < 0 {
			x0, x1 = 0, ox
		}
		s.rects = append(s.rects, rectf{x0, cy - T/2, x1, cy + T/2})
	}
	if vy > rad {
		y0, y1 := oy, H
		if sy < 0 {
			y0, y1 = 0, oy
		}
		s.rects = append(s.rects, rectf{cx - T/2, y0, cx + T/2, y1})
	}
	// The ring between rad−T/2 and rad+T/2 from direction u (towards the
	// horizontal arm's end) to v (towards the vertical one's).
	u := [2]float64{0, -sy}
	v := [2]float64{-sx, 0}
	const k = 0.5522847498 // cubic Bézier handle of a quarter circle
	pt := func(R float64, a, b [2]float64, ka float64) [2]float64 {
		return [2]float64{ox + R*(a[0]+ka*b[0]), oy + R*(a[1]+ka*b[1])}
	}
	outer, inner := rad+T/2, math.Max(rad-T/2, 0)
	s.path = append(s.path,
		pathOp{op: opMove, p: [3][2]float64{pt(outer, u, v, 0)}},
		pathOp{op: opCube, p: [3][2]float64{pt(outer, u, v, k), pt(outer, v, u, k), pt(outer, v, u, 0)}},
		pathOp{op: opLine, p: [3][2]float64{pt(inner, v, u, 0)}},
		pathOp{op: opCube, p: [3][2]float64{pt(inner, v, u, k), pt(inner, u, v, k), pt(inner, u, v, 0)}},
		pathOp{op: opClose},
	)
}

// segment adds a straight stroke of width t from (x0, y0) to (x1, y1).
func (s *shape) segment(x0, y0, x1, y1, t float64) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	nx, ny := -dy/l*t/2, dx/l*t/2
	s.path = append(s.path,
		pathOp{op: opMove, p: [3][2]float64{{x0 + nx, y0 + ny}}},
		pathOp{op: opLine, p: [3][2]float64{{x1 + nx, y1 + ny}}},
		pathOp{op: opLine, p: [3][2]float64{{x1 - nx, y1 - ny}}},
		pathOp{op: opLine, p: [3][2]float64{{x0 - nx, y0 - ny}}},
		pathOp{op: opClose},
	)
}

// symbol draws the text symbols the dashboard uses that Go Mono lacks:
// ⊂ and ⊃ (scopes nesting), ✓ and ✗, stroked like the font's stems.
func (s *shape) symbol(r rune, W, H float64) bool {
	t := W * 0.15 // about Go Mono's stem at 15 px an em
	switch r {
	case '✓':
		s.segment(W*0.12, H*0.52, W*0.4, H*0.72, t)
		s.segment(W*0.36, H*0.72, W*0.9, H*0.3, t)
	case '✗':
		s.segment(W*0.15, H*0.32, W*0.85, H*0.72, t)
		s.segment(W*0.8, H*0.3, W*0.2, H*0.74, t)
	case '⊂', '⊃':
		// A half circle open to one side, its ends carried on to the edge.
		R, cy := W*0.42, H*0.55 // on the maths axis, about a cap height tall
		cx, end, dir := W*0.55, W*0.92, -1.0
		if r == '⊃' {
			cx, end, dir = W*0.45, W*0.08, 1
		}
		const k = 0.5522847498
		ro, ri := R+t/2, R-t/2
		p := func(x, y float64) [2]float64 { return [2]float64{x, y} }
		s.path = append(s.path,
			pathOp{op: opMove, p: [3][2]float64{p(end, cy-ro)}},
			pathOp{op: opLine, p: [3][2]float64{p(cx, cy-ro)}},
			pathOp{op: opCube, p: [3][2]float64{p(cx+dir*k*ro, cy-ro), p(cx+dir*ro, cy-k*ro), p(cx+dir*ro, cy)}},
			pathOp{op: opCube, p: [3][2]float64{p(cx+dir*ro, cy+k*ro), p(cx+dir*k*ro, cy+ro), p(cx, cy+ro)}},
			pathOp{op: opLine, p: [3][2]float64{p(end, cy+ro)}},
			pathOp{op: opLine, p: [3][2]float64{p(end, cy+ri)}},
			pathOp{op: opLine, p: [3][2]float64{p(cx, cy+ri)}},
			pathOp{op: opCube, p: [3][2]float64{p(cx+dir*k*ri, cy+ri), p(cx+dir*ri, cy+k*ri), p(cx+dir*ri, cy)}},
			pathOp{op: opCube, p: [3][2]float64{p(cx+dir*ri, cy-k*ri), p(cx+dir*k*ri, cy-ri), p(cx, cy-ri)}},
			pathOp{op: opLine, p: [3][2]float64{p(end, cy-ri)}},
			pathOp{op: opClose},
		)
	default:
		return false
	}
	return true
}

// diagonal draws ╱, ╲ or ╳ corner to corner.
func (s *shape) diagonal(r rune, W, H, t float64) {
	if r != 0x2572 {
		s.segment(W, 0, 0, H, t)
	}
	if r != 0x2571 {
		s.segment(0, 0, W, H, t)
	}
}

// block draws a block element (U+2580–259F).
func (s *shape) block(r rune, W, H float64) {
	rect := func(x0, y0, x1, y1 float64) {
		s.rects = append(s.rects, rectf{math.Round(x0), math.Round(y0), math.Round(x1), math.Round(y1)})
	}
	switch {
	case r == 0x2580: // ▀
		rect(0, 0, W, H/2)
	case r >= 0x2581 && r <= 0x2588: // ▁ … █: the lower n eighths
		n := float64(r - 0x2580)
		rect(0, H-n*H/8, W, H)
	case r >= 0x2589 && r <= 0x258f: // ▉ … ▏: the left n eighths
		n := float64(0x2590 - r)
		rect(0, 0, n*W/8, H)
	case r == 0x2590: // ▐
		rect(W/2, 0, W, H)
	case r >= 0x2591 && r <= 0x2593: // ░ ▒ ▓
		rect(0, 0, W, H)
		s.alpha = float64(r-0x2590) / 4
	case r == 0x2594: // ▔
		rect(0, 0, W, H/8)
	case r == 0x2595: // ▕
		rect(W-W/8, 0, W, H)
	default: // quadrants ▖ … ▟: bits upper-left, upper-right, lower-left, lower-right
		q := [10]uint8{0b0010, 0b0001, 0b1000, 0b1011, 0b1001, 0b1110, 0b1101, 0b0100, 0b0110, 0b0111}[r-0x2596]
		if q&0b1000 != 0 {
			rect(0, 0, W/2, H/2)
		}
		if q&0b0100 != 0 {
			rect(W/2, 0, W, H/2)
		}
		if q&0b0010 != 0 {
			rect(0, H/2, W/2, H)
		}
		if q&0b0001 != 0 {
			rect(W/2, H/2, W, H)
		}
	}
}

// braille draws the raised dots of a braille pattern (U+2800–28FF) on a
// 2×4 grid.
func (s *shape) braille(r rune, cw, ch int) {
	bits := uint8(r - 0x2800)
	d := max(1, int(math.Round(float64(cw)/4)))
	// Dot n (1–8) in column col and row row.
	pos := [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}}
	for i, p := range pos {
		if bits&(1<<i) == 0 {
			continue
		}
		x := int(math.Round(float64(cw)*float64(1+2*p[0])/4)) - d/2
		y := int(math.Round(float64(ch)*float64(1+2*p[1])/8)) - d/2
		s.rects = append(s.rects, rectf{float64(x), float64(y), float64(x + d), float64(y + d)})
	}
}

// triangle draws the solid triangles missing from Go Mono.
func (s *shape) triangle(r rune, W, H float64) bool {
	var pts [3][2]float64
	big, small := W*0.8, W*0.55
	cx, cy := W/2, H/2
	switch r {
	case '▶', '►':
		pts = [3][2]float64{{cx - big/2, cy - big/2}, {cx + big/2, cy}, {cx - big/2, cy + big/2}}
	case '▸':
		pts = [3][2]float64{{cx - small/2, cy - small/2}, {cx + small/2, cy}, {cx - small/2, cy + small/2}}
	case '◀', '◄':
		pts = [3][2]float64{{cx + big/2, cy - big/2}, {cx - big/2, cy}, {cx + big/2, cy + big/2}}
	case '◂':
		pts = [3][2]float64{{cx + small/2, cy - small/2}, {cx - small/2, cy}, {cx + small/2, cy + small/2}}
	case '▴':
		pts = [3][2]float64{{cx - small/2, cy + small/3}, {cx, cy - small/2}, {cx + small/2, cy + small/3}}
	case '▾':
		pts = [3][2]float64{{cx - small/2, cy - small/3}, {cx, cy + small/2}, {cx + small/2, cy - small/3}}
	default:
		return false
	}
	s.path = append(s.path,
		pathOp{op: opMove, p: [3][2]float64{pts[0]}},
		pathOp{op: opLine, p: [3][2]float64{pts[1]}},
		pathOp{op: opLine, p: [3][2]float64{pts[2]}},
		pathOp{op: opClose},
	)
	return true
}

// mask rasterises the shape into a w×h coverage mask. z is reused.
func (s *shape) mask(z *vector.Rasterizer, w, h int) *image.Alpha {
	m := image.NewAlpha(image.Rect(0, 0, w, h))
	a := uint8(math.Round(s.alpha * 255))
	for _, r := range s.rects {
		x0, y0 := int(math.Round(r.x0)), int(math.Round(r.y0))
		x1, y1 := int(math.Round(r.x1)), int(math.Round(r.y1))
		for y := max(y0, 0); y < min(y1, h); y++ {
			row := m.Pix[y*m.Stride:]
			for x := max(x0, 0); x < min(x1, w); x++ {
				row[x] = a
			}
		}
	}
	if len(s.path) > 0 {
		z.Reset(w, h)
		for _, op := range s.path {
			p := op.p
			switch op.op {
			case opMove:
				z.MoveTo(float32(p[0][0]), float32(p[0][1]))
			case opLine:
				z.LineTo(float32(p[0][0]), float32(p[0][1]))
			case opCube:
				z.CubeTo(float32(p[0][0]), float32(p[0][1]), float32(p[1][0]), float32(p[1][1]), float32(p[2][0]), float32(p[2][1]))
			case opClose:
				z.ClosePath()
			}
		}
		// Over the rectangles: the rasteriser's coverage is added with draw.Over.
		z.Draw(m, m.Bounds(), image.NewUniform(color.Alpha{A: a}), image.Point{})
	}
	return m
}
