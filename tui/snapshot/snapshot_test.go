package snapshot

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/internal/golden"
)

// goldenAt is the fixed clock of the golden files (hashdeck snapshot --at).
var goldenAt = time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)

// testBoard returns the offline board as of at for the default peers.
func testBoard(t testing.TB, at time.Time) (*board.Data, *dataset.Dataset) {
	t.Helper()
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := board.NewEnvAt(ds, market.DefaultSymbols().Peers, at)
	env.Offline = true
	return board.BuildWith(env, nil, nil, at, econ.Scenario{}), ds
}

// testFrame renders view v of the golden board in theme name.
func testFrame(t testing.TB, v tui.View, w, h int, name string, mono bool) (string, *board.Data) {
	t.Helper()
	d, _ := testBoard(t, goldenAt)
	th, err := themes.Get(name, mono)
	if err != nil {
		t.Fatal(err)
	}
	return tui.Render(d, tui.UI{View: v, Range: tui.Range1Y}, w, h, th), d
}

// checkGolden compares got with testdata/name (-update rewrites it); a PNG
// is compared by its pixels, since the encoder's bytes may change with Go.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if !strings.HasSuffix(name, ".png") || golden.Updating() {
		golden.Check(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./tui/snapshot -update creates it)", err)
	}
	if !samePixels(t, want, got) {
		t.Errorf("%s: pixels differ from the golden file (go test ./tui/snapshot -run %s -update to accept)", name, t.Name())
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func samePixels(t *testing.T, a, b []byte) bool {
	ia, ib := decodePNG(t, a), decodePNG(t, b)
	if ia.Bounds() != ib.Bounds() {
		return false
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(ia.At(x, y)) != color.RGBAModel.Convert(ib.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// goldenMeta is what hashdeck snapshot passes for the golden board.
func goldenMeta(ds *dataset.Dataset) Meta {
	return Meta{View: "overview", Theme: "dark", ClockFixed: true, Dataset: ds.AsOfAt(goldenAt), Overrides: map[string]Override{}}
}

// TestGoldens checks every format of the overview at 120×40, as of the
// golden time, against testdata/overview-120x40.*. These are the bytes
// hashdeck snapshot --at 2025-12-29T12:00:00Z --size 120x40 writes.
func TestGoldens(t *testing.T) {
	frame, d := testFrame(t, tui.ViewOverview, 120, 40, "dark", false)
	_, ds := testBoard(t, goldenAt)
	g := Parse(frame, 120, 40)
	o := Options{Scheme: SchemeFor("dark")}
	for _, f := range []struct {
		ext   string
		write func(w io.Writer) error
	}{
		{"txt", func(w io.Writer) error { _, err := io.WriteString(w, Text(frame)); return err }},
		{"ansi", func(w io.Writer) error { _, err := io.WriteString(w, ANSI(frame)); return err }},
		{"svg", func(w io.Writer) error { return SVG(w, g, o) }},
		{"html", func(w io.Writer) error { return HTML(w, g, o) }},
		{"png", func(w io.Writer) error { return PNG(w, g, o) }},
		{"json", func(w io.Writer) error { return JSON(w, d, goldenMeta(ds)) }},
	} {
		t.Run(f.ext, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := f.write(&a); err != nil {
				t.Fatal(err)
			}
			if err := f.write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two writes of the same frame differ")
			}
			checkGolden(t, "overview-120x40."+f.ext, a.Bytes())
		})
	}
	// The title bar variant of the image formats.
	o.Title = "hashdeck · overview · as of 2025-12-29 12:00 UTC · OFFLINE"
	var svg bytes.Buffer
	if err := SVG(&svg, g, o); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "overview-120x40-frame.svg", svg.Bytes())
}

// TestTextIsExact checks that txt and ansi have exactly the frame's size
// and txt no escape at all, for every view and theme.
func TestTextIsExact(t *testing.T) {
	for _, v := range []tui.View{tui.ViewOverview, tui.ViewPeers, tui.ViewCharts, tui.ViewDetail, tui.ViewScenario, tui.ViewCosts} {
		for _, sz := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
			frame, _ := testFrame(t, v, sz[0], sz[1], "light", false)
			txt := Text(frame)
			if strings.ContainsRune(txt, '\x1b') {
				t.Fatalf("%v: txt holds an escape", v)
			}
			for name, s := range map[string]string{"txt": txt, "ansi": ANSI(frame)} {
				lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
				if len(lines) != sz[1] {
					t.Errorf("%v %dx%d %s: %d lines", v, sz[0], sz[1], name, len(lines))
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w != sz[0] {
						t.Errorf("%v %dx%d %s: line %d is %d cells", v, sz[0], sz[1], name, i+1, w)
						break
					}
				}
			}
		}
	}
}

// TestParseMatchesFrame checks that the emulator lays every view out as the
// frame says: each row of the grid reads as the frame's line, so no
// character is taken for wider or narrower than the dashboard measured it.
func TestParseMatchesFrame(t *testing.T) {
	for _, v := range []tui.View{tui.ViewOverview, tui.ViewPeers, tui.ViewCharts, tui.ViewDetail, tui.ViewScenario, tui.ViewCosts} {
		for _, mono := range []bool{false, true} {
			frame, _ := testFrame(t, v, 160, 48, "colorblind", mono)
			g := Parse(frame, 160, 48)
			for y, line := range strings.Split(ansi.Strip(frame), "\n") {
				var b strings.Builder
				for _, c := range g.Row(y) {
					if c.Rune != 0 {
						b.WriteString(c.Text)
					}
				}
				if b.String() != line {
					t.Errorf("%v row %d:\n grid  %q\n frame %q", v, y+1, b.String(), line)
				}
			}
		}
	}
}

// sgrFrame is a small frame using every kind of colour and attribute.
func sgrFrame() string {
	lines := []string{
		"\x1b[38;5;75m╭──╮\x1b[m \x1b[48;5;196m  \x1b[m \x1b[31mred\x1b[m \x1b[91mbright\x1b[m \x1b[38;2;1;2;3mtrue\x1b[m",
		"\x1b[38;5;75m│\x1b[m  \x1b[38;5;75m│\x1b[m \x1b[1mbold\x1b[m \x1b[2mfaint\x1b[m \x1b[3mitalic\x1b[m \x1b[4munder\x1b[m \x1b[7mrev\x1b[m \x1b[9mstrike\x1b[m",
		"\x1b[38;5;75m╰──╯\x1b[m <script>alert(\"x\")</script> & 日本",
	}
	return strings.Join(lines, "\n")
}

func TestParse(t *testing.T) {
	g := Parse(sgrFrame(), 60, 4)
	cell := func(x, y int) Cell { return *g.At(x, y) }
	if c := cell(0, 0); c.Rune != '╭' || c.FG != Indexed(75) || !c.BG.IsDefault() {
		t.Errorf("corner: %+v", c)
	}
	if c := cell(5, 0); c.BG != Indexed(196) || c.Rune != ' ' {
		t.Errorf("red background: %+v", c)
	}
	if c := cell(8, 0); c.Rune != 'r' || c.FG != Indexed(1) {
		t.Errorf("basic red: %+v", c)
	}
	if c := cell(12, 0); c.Rune != 'b' || c.FG != Indexed(9) {
		t.Errorf("bright red: %+v", c)
	}
	if c := cell(19, 0); c.Rune != 't' || c.FG != RGB(1, 2, 3) {
		t.Errorf("true colour: %+v (%v)", c, c.FG)
	}
	for x, a := range map[int]Attr{5: Bold, 10: Faint, 16: Italic, 23: Underline, 29: Reverse, 33: Strike} {
		if c := cell(x, 1); c.Attrs != a {
			t.Errorf("row 2 column %d %q: attrs %b, want %b", x, c.Rune, c.Attrs, a)
		}
	}
	// 日本 are wide: two cells each, the second marked with rune 0.
	row := g.Row(2)
	n := 0
	for _, c := range row {
		if c.Rune == 0 {
			continue
		}
		n += int(c.Width)
	}
	if n != 60 {
		t.Errorf("row 3 spans %d cells, want 60", n)
	}
	if c := cell(35, 2); c.Rune != '日' || c.Width != 2 || cell(36, 2).Rune != 0 {
		t.Errorf("wide: %+v %+v", c, cell(36, 2))
	}
	// Rows past the frame are blank; a line longer than the grid is cut.
	if c := cell(0, 3); c.Rune != ' ' {
		t.Errorf("row 4: %+v", c)
	}
	if g := Parse(strings.Repeat("x", 100), 10, 1); g.At(9, 0).Rune != 'x' {
		t.Errorf("long line: %+v", g.At(9, 0))
	}
}

func TestXTerm256(t *testing.T) {
	for i, want := range map[uint8]string{
		0: "#000000", 1: "#cd0000", 9: "#ff0000", 15: "#ffffff", 16: "#000000", 21: "#0000ff", 75: "#5fafff",
		196: "#ff0000", 231: "#ffffff", 232: "#080808", 237: "#3a3a3a", 244: "#808080", 255: "#eeeeee",
	} {
		if got := hexColor(XTerm256(i)); got != want {
			t.Errorf("xterm %d = %s, want %s", i, got, want)
		}
	}
	if s := SchemeFor("light"); hexColor(s.BG) != "#ffffff" || hexColor(s.FG) != "#262626" {
		t.Errorf("light scheme %v", s)
	}
	if s := SchemeFor("dark (no colour)"); s != SchemeFor("dark") {
		t.Errorf("mono scheme %v", s)
	}
}

// TestSVGIsXML parses the SVG of every view and of the SGR frame.
func TestSVGIsXML(t *testing.T) {
	check := func(name string, g *Grid, o Options) string {
		var b bytes.Buffer
		if err := SVG(&b, g, o); err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(&b)
		texts := 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not XML: %v", name, err)
			}
			if s, ok := tok.(xml.StartElement); ok && s.Name.Local == "text" {
				texts++
			}
		}
		if texts == 0 {
			t.Errorf("%s: no <text>", name)
		}
		var again bytes.Buffer
		_ = SVG(&again, g, o)
		return again.String()
	}
	for _, v := range []tui.View{tui.ViewOverview, tui.ViewPeers, tui.ViewCharts, tui.ViewDetail, tui.ViewScenario, tui.ViewCosts} {
		frame, _ := testFrame(t, v, 160, 48, "high-contrast", false)
		check(v.String(), Parse(frame, 160, 48), Options{Scheme: SchemeFor("high-contrast"), Title: `a <title> & "quotes"`, Scale: 2})
	}
	s := check("sgr", Parse(sgrFrame(), 60, 4), Options{Scheme: SchemeFor("dark")})
	for _, want := range []string{
		`fill="#5fafff" d="M`, // the box drawing, as a path in colour 75
		`fill="#ff0000"/>`,    // the background run in colour 196
		`fill="#cd0000" textLength="27" lengthAdjust="spacing">red</text>`,    // basic red
		`fill="#ff0000" textLength="54" lengthAdjust="spacing">bright</text>`, // bright red
		`fill="#010203" textLength="36" lengthAdjust="spacing">true</text>`,   // true colour
		`class="b" textLength="36" lengthAdjust="spacing">bold</text>`,
		`class="f" textLength="45"`, `class="i"`, `class="u"`, `class="s"`,
		`fill="#1c1c1c" textLength="27" lengthAdjust="spacing">rev</text>`, // reverse: the background colour as the text's
		`&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 日本`,
		`font-family:'DejaVu Sans Mono'`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
	if strings.Contains(s, "<script") {
		t.Error("SVG holds a <script>")
	}
}

func TestHTMLEscapes(t *testing.T) {
	var b bytes.Buffer
	err := HTML(&b, Parse(sgrFrame(), 60, 4), Options{Scheme: SchemeFor("dark"), Title: `<script>alert(1)</script>`})
	if err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if strings.Contains(s, "<script") {
		t.Errorf("the page holds a live <script>:\n%s", s)
	}
	for _, want := range []string{
		"<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>",
		"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 日本",
		`<span style="color:#5fafff">╭──╮</span>`,
		`<span style="background:#ff0000">  </span>`,
		`<span class="b">bold</span>`,
		// Faint is a blended colour, not an opacity that would fade a background too.
		`<span class="f" style="color:` + hexColor(blend(XTerm256(252), XTerm256(234), faintAlpha)) + `">faint</span>`,
		`<span style="color:#1c1c1c;background:#d0d0d0">rev</span>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<link", "<img", "src=", "url(", "@import"} {
		if strings.Contains(s, bad) {
			t.Errorf("page is not self-contained: %s", bad)
		}
	}
}

func rgbaAt(img image.Image, x, y int) color.RGBA {
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

// TestPNGPixels decodes PNGs and checks their size and known pixels.
func TestPNGPixels(t *testing.T) {
	sc := SchemeFor("dark")
	for _, s := range []int{1, 2} {
		var b bytes.Buffer
		if err := PNG(&b, Parse(sgrFrame(), 60, 4), Options{Scheme: sc, Scale: s}); err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, b.Bytes())
		cw, ch := CellWidth*s, CellHeight*s
		if got := img.Bounds().Size(); got != image.Pt(60*cw, 4*ch) {
			t.Fatalf("scale %d: size %v", s, got)
		}
		blue := XTerm256(75)
		light, _ := lineWidths(cw)
		// ╭ at (0, 0): its line leaves the cell's right edge on the centre
		// row and its bottom edge on the centre column; the top left corner
		// is background.
		cy, cx := (ch-light)/2, (cw-light)/2
		if c := rgbaAt(img, cw-1, cy); c != blue {
			t.Errorf("scale %d: ╭ right edge %v, want %v", s, c, blue)
		}
		if c := rgbaAt(img, cx, ch-1); c != blue {
			t.Errorf("scale %d: ╭ bottom edge %v, want %v", s, c, blue)
		}
		if c := rgbaAt(img, 0, 0); c != sc.BG {
			t.Errorf("scale %d: corner of the ╭ cell %v, want the background", s, c)
		}
		// The ─ beside it continues the same row, and │ under it the same column.
		if c := rgbaAt(img, cw, cy); c != blue {
			t.Errorf("scale %d: ─ left edge %v", s, c)
		}
		if c := rgbaAt(img, cx, ch); c != blue {
			t.Errorf("scale %d: │ top edge %v", s, c)
		}
		// The cell with background 196.
		if c := rgbaAt(img, 5*cw+cw/2, ch/2); c != XTerm256(196) {
			t.Errorf("scale %d: red cell %v", s, c)
		}
	}
	// The overview: the active tab's background and the chart's axis.
	frame, _ := testFrame(t, tui.ViewOverview, 160, 48, "dark", false)
	g := Parse(frame, 160, 48)
	img, err := Image(g, Options{Scheme: sc, Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	top := titleHeight
	if got := img.Bounds().Size(); got != image.Pt(160*CellWidth, 48*CellHeight+top) {
		t.Fatalf("overview size %v", got)
	}
	x := strings.Index(ansi.Strip(strings.SplitN(frame, "\n", 2)[0]), "1 Overview") // ASCII up to there
	if c := rgbaAt(img, x*CellWidth-CellWidth/2, top+1); c != XTerm256(237) {
		t.Errorf("active tab background %v, want xterm 237", c)
	}
	if c := rgbaAt(img, 3, 3); c == sc.BG {
		t.Error("the title bar is not drawn")
	}
	found := false
	for y := range g.H {
		for x := range g.W {
			c := g.At(x, y)
			if c.Rune != '┤' {
				continue
			}
			found = true
			light, _ := lineWidths(CellWidth)
			px, py := x*CellWidth+(CellWidth-light)/2, top+y*CellHeight
			want, _ := sc.colors(c)
			if got := rgbaAt(img, px, py); got != want {
				t.Errorf("┤ at %d,%d: top of its line %v, want %v", x, y, got, want)
			}
			if got := rgbaAt(img, px, py+CellHeight-1); got != want {
				t.Errorf("┤ at %d,%d: bottom of its line %v, want %v", x, y, got, want)
			}
			break
		}
		if found {
			break
		}
	}
	if !found {
		t.Error("no ┤ in the overview's chart")
	}
}

// TestBoxLinesJoin checks that every box-drawing character's arms end on
// the same pixels as the straight lines they meet, at scales 1 to 3.
func TestBoxLinesJoin(t *testing.T) {
	for s := 1; s <= 3; s++ {
		p := newPainter(s)
		cw, ch := p.cw, p.ch
		edge := func(r rune, side byte) string {
			m, err := p.mask(r, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			switch side {
			case 'r', 'l':
				x := 0
				if side == 'r' {
					x = cw - 1
				}
				for y := range ch {
					b.WriteByte(" #"[min(int(m.AlphaAt(x, y).A)/128, 1)])
				}
			default:
				y := 0
				if side == 'd' {
					y = ch - 1
				}
				for x := range cw {
					b.WriteByte(" #"[min(int(m.AlphaAt(x, y).A)/128, 1)])
				}
			}
			return b.String()
		}
		straight := map[uint8][2]rune{1: {'─', '│'}, 2: {'━', '┃'}, 3: {'═', '║'}}
		for r := rune(0x2500); r <= 0x2570; r++ {
			arms := boxArms(r)
			if r >= 0x256d { // the arcs: light right or left, up or down
				arms = map[rune]uint8{0x256d: 0x14, 0x256e: 0x50, 0x256f: 0x41, 0x2570: 0x05}[r]
			}
			if dashes(r) > 0 {
				continue
			}
			for i, side := range []byte{'u', 'r', 'd', 'l'} {
				w := arms >> (2 * i) & 3
				if w == 0 {
					if e := edge(r, side); strings.Contains(e, "#") && arms&(3<<(2*((i+2)%4))) == 0 {
						t.Errorf("scale %d: %c draws on its %c edge without an arm there", s, r, side)
					}
					continue
				}
				// The straight line of the same weight, at the matching edge.
				opp := map[byte]byte{'u': 'd', 'd': 'u', 'l': 'r', 'r': 'l'}[side]
				line := straight[w][0]
				if side == 'u' || side == 'd' {
					line = straight[w][1]
				}
				if got, want := edge(r, side), edge(line, opp); got != want {
					t.Errorf("scale %d: %c %c edge %q does not meet %c's %q", s, r, side, got, line, want)
				}
			}
		}
	}
}

func TestFontCoverage(t *testing.T) {
	p := newPainter(1)
	f, err := p.font(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "Az09$%·…≈≥←→▲▼€é" {
		if !f.has(r) {
			t.Errorf("Go Mono has no %c", r)
		}
	}
	// Every character the dashboard draws has a glyph or a shape.
	for _, v := range []tui.View{tui.ViewOverview, tui.ViewPeers, tui.ViewCharts, tui.ViewDetail, tui.ViewScenario, tui.ViewCosts} {
		frame, _ := testFrame(t, v, 200, 60, "dark", false)
		for _, r := range ansi.Strip(frame) {
			if r == '\n' || r == ' ' || isShape(r) {
				continue
			}
			if !f.has(r) {
				t.Errorf("%v: %c (%U) has neither a glyph nor a shape", v, r, r)
			}
		}
	}
	m, err := p.mask('A', 0, false)
	if err != nil {
		t.Fatal(err)
	}
	ink := 0
	for _, a := range m.Pix {
		ink += int(a)
	}
	if ink < 255*10 {
		t.Errorf("A has little ink: %d", ink)
	}
}

// TestJSONBoard checks the JSON document's content and units.
func TestJSONBoard(t *testing.T) {
	d, ds := testBoard(t, goldenAt)
	m := goldenMeta(ds)
	m.Overrides = map[string]Override{"IREN": {Source: "<script>x</script>", Fields: []string{"hashrate_ehs"}}}
	var b bytes.Buffer
	if err := JSON(&b, d, m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script") {
		t.Error("JSON holds a raw <script> (it is escaped as \\u003c)")
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	get := func(path ...string) any {
		var v any = doc
		for _, k := range path {
			v = v.(map[string]any)[k]
		}
		return v
	}
	if get("data_mode") != "offline" || get("schema") != Schema || get("as_of") != "2025-12-29T12:00:00Z" || get("clock_fixed") != true {
		t.Errorf("header: %v %v %v %v", get("data_mode"), get("schema"), get("as_of"), get("clock_fixed"))
	}
	if hp, ok := get("network", "hashprice_usd_per_ph_day").(float64); !ok || hp < 30 || hp > 45 {
		t.Errorf("hashprice %v", get("network", "hashprice_usd_per_ph_day"))
	}
	src := get("network", "sources", "btc_price_usd").(map[string]any)
	if src["source"] != "Coin Metrics" || src["layer"] != "embedded" || src["as_of"] != "2025-12-29T00:00:00Z" {
		t.Errorf("price source %v", src)
	}
	peers := get("peers").([]any)
	if len(peers) != 12 {
		t.Fatalf("%d peers", len(peers))
	}
	iren := peers[0].(map[string]any)
	if iren["ticker"] != "IREN" || iren["user_override"].(map[string]any)["source"] != "<script>x</script>" {
		t.Errorf("IREN: %v %v", iren["ticker"], iren["user_override"])
	}
	fund := iren["fundamentals"].(map[string]any)
	if facts := fund["facts"].([]any); len(facts) == 0 || facts[0].(map[string]any)["source_url"] == "" {
		t.Error("IREN's facts have no sources")
	}
	fr := get("freshness").(map[string]any)
	if emb := fr["embedded"].([]any); len(emb) < 5 || emb[0] != "network.btc_price_usd" {
		t.Errorf("freshness %v", fr)
	}
	if live := fr["live"].([]any); len(live) != 0 {
		t.Errorf("offline board has live values %v", live)
	}
	// Every number of the network, the hashprice, the sector and the board
	// rows says its unit in its key, or is a count or a plain quantity.
	plain := map[string]bool{"difficulty": true, "next_difficulty": true, "height": true, "next_halving_height": true, "blocks_to_halving": true,
		"blocks_in_epoch": true, "power": true, "direct": true, "cash": true, "all_in": true, "n": true, "count": true, "of": true, "under_water": true, "computed_n": true, "remaining_blocks": true, "next_retarget_height": true}
	units := []string{"_usd", "_btc", "_pct", "_ehs", "_s", "_j_per_th", "_per_kwh", "_per_ph_day", "_per_th_day", "_per_btc", "_per_block", "_mwh", "_mw", "_days"}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		case float64:
			path = strings.TrimSuffix(path, ".value") // a sourced value: the unit is in its name
			key := path[strings.LastIndexByte(path, '.')+1:]
			key = strings.TrimSuffix(key, "[]")
			if plain[key] || strings.HasPrefix(key, "miners") {
				return
			}
			for _, u := range units {
				if strings.HasSuffix(key, u) || strings.Contains(key, u+"_") {
					return
				}
			}
			t.Errorf("%s has no unit in its key", path)
		}
	}
	walk("network", doc["network"])
	walk("hashprice", doc["hashprice"])
	walk("sector", doc["sector"])
	walk("scenario", doc["scenario"])
	for _, p := range peers {
		p := p.(map[string]any)
		walk("board", p["board"])
		for _, k := range []string{"day_change_pct", "month_change_pct", "market_cap_usd", "ai_hpc_contracted_mw"} {
			walk(k, p[k])
		}
	}
}

// benchmarkFormat measures Render plus one format of the overview at 160×48.
func benchmarkFormat(b *testing.B, write func(io.Writer, string, *board.Data) error) {
	d, _ := testBoard(b, goldenAt)
	th, _ := themes.Get("dark", false)
	ui := tui.UI{View: tui.ViewOverview, Range: tui.Range1Y}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		frame := tui.Render(d, ui, 160, 48, th)
		if err := write(&buf, frame, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/op-out")
}

func BenchmarkSnapshot(b *testing.B) {
	o := Options{Scheme: SchemeFor("dark")}
	grid := func(f func(io.Writer, *Grid, Options) error, o Options) func(io.Writer, string, *board.Data) error {
		return func(w io.Writer, frame string, _ *board.Data) error { return f(w, Parse(frame, 160, 48), o) }
	}
	b.Run("txt", func(b *testing.B) {
		benchmarkFormat(b, func(w io.Writer, f string, _ *board.Data) error { _, err := io.WriteString(w, Text(f)); return err })
	})
	b.Run("ansi", func(b *testing.B) {
		benchmarkFormat(b, func(w io.Writer, f string, _ *board.Data) error { _, err := io.WriteString(w, ANSI(f)); return err })
	})
	b.Run("svg", func(b *testing.B) { benchmarkFormat(b, grid(SVG, o)) })
	b.Run("html", func(b *testing.B) { benchmarkFormat(b, grid(HTML, o)) })
	b.Run("png", func(b *testing.B) { benchmarkFormat(b, grid(PNG, o)) })
	o2 := o
	o2.Scale = 2
	b.Run("png@2x", func(b *testing.B) { benchmarkFormat(b, grid(PNG, o2)) })
	b.Run("json", func(b *testing.B) {
		_, ds := testBoard(b, goldenAt)
		benchmarkFormat(b, func(w io.Writer, _ string, d *board.Data) error { return JSON(w, d, goldenMeta(ds)) })
	})
	b.Run("parse", func(b *testing.B) {
		frame, _ := testFrame(b, tui.ViewOverview, 160, 48, "dark", false)
		b.ReportAllocs()
		for b.Loop() {
			Parse(frame, 160, 48)
		}
	})
}

// Issue 13 row 4: hashprice computed from a stale BTC price is listed as
// stale and says so in the JSON, with its oldest input's time.
func TestJSONHashpriceStaleWithItsInputs(t *testing.T) {
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	st := &market.State{Values: map[market.Metric]market.Value{
		market.PriceUSD:     {V: 90_000, At: now.Add(-3 * time.Hour), Source: "kraken", Stale: true},
		market.Difficulty:   {V: 148e12, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.Height:       {V: 929_000, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.FeesPerBlock: {V: 0.02, At: now.Add(-time.Minute), Source: "mempool.space"},
	}}
	d := board.BuildWith(board.NewEnv(ds, market.DefaultSymbols().Peers), nil, st, now, econ.Scenario{})
	if !slices.Contains(Fresh(d).Stale, "hashprice.usd_per_ph_day") {
		t.Errorf("stale list %v lacks the hashprice", Fresh(d).Stale)
	}
	var b bytes.Buffer
	if err := JSON(&b, d, goldenMeta(ds)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hashprice struct {
			Layer string    `json:"layer"`
			Stale bool      `json:"stale"`
			AsOf  time.Time `json:"as_of"`
		} `json:"hashprice"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if hp := doc.Hashprice; hp.Layer != "live" || !hp.Stale || !hp.AsOf.Equal(now.Add(-3*time.Hour)) {
		t.Errorf("hashprice freshness %+v", hp)
	}
}

// Issue 11 §4: the board JSON carries the sector rule — the headline at one
// scope with n and source, the under-water count at one scope, and the
// published benchmarks with their publication dates. Offline at 2025-12-29
// no computed scope beyond power reaches 5 miners, so the headline is
// TheMinerMag's 2025-Q3 cash median, above hashprice.
func TestJSONSectorRule(t *testing.T) {
	d, ds := testBoard(t, goldenAt)
	var b bytes.Buffer
	if err := JSON(&b, d, goldenMeta(ds)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sector struct {
			Headline struct {
				Scope, Source, Published string
				N                        *int     `json:"n"`
				Median                   *float64 `json:"median_usd_per_ph_day"`
				Margin                   *float64 `json:"margin_usd_per_ph_day"`
				// The per-BTC median is at today's network, and named so:
				// a benchmark's publisher may have its own per-BTC figure.
				PerBTCToday *float64 `json:"median_usd_per_btc_at_today_network"`
				PerBTC      *float64 `json:"median_usd_per_btc"`
			} `json:"headline"`
			UnderWater struct {
				Scope string
				Count *int `json:"count"`
				Of    *int `json:"of"`
			} `json:"under_water"`
			Benchmarks []struct {
				Source, Metric, Period, Scope, Published string
				USD                                      *float64 `json:"usd_per_ph_day"`
			} `json:"benchmarks"`
		} `json:"sector"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	h := doc.Sector.Headline
	// n is null: the sample of a published figure is the publisher's.
	if h.Source != "TheMinerMag" || h.Scope != "cash" || h.N != nil || h.Median == nil || *h.Median != 44 || h.Margin == nil || *h.Margin >= 0 || h.Published != "2025-11-14" {
		t.Errorf("headline %+v", h)
	}
	if h.PerBTCToday == nil || h.PerBTC != nil {
		t.Errorf("headline per BTC: at today's network %v, unqualified %v", h.PerBTCToday, h.PerBTC)
	}
	if u := doc.Sector.UnderWater; u.Scope == "" || u.Count == nil || u.Of == nil {
		t.Errorf("under water %+v", u)
	}
	if len(doc.Sector.Benchmarks) == 0 {
		t.Fatal("no benchmarks")
	}
	for _, bm := range doc.Sector.Benchmarks {
		if bm.Source == "" || bm.Metric == "" || bm.Period == "" || bm.Scope == "" || bm.USD == nil || len(bm.Published) != len("2025-11-14") {
			t.Errorf("benchmark %+v", bm)
		}
	}
	// Issue 12: the cost curve, one object per miner with its layers
	// (null when unknown), realized EH/s and the hashprice it goes under at.
	var curve struct {
		Sector struct {
			CostCurve []map[string]any `json:"cost_curve"`
		} `json:"sector"`
	}
	if err := json.Unmarshal(b.Bytes(), &curve); err != nil {
		t.Fatal(err)
	}
	if n := len(curve.Sector.CostCurve); n != 12 {
		t.Fatalf("%d rows in the cost curve, want one per peer", n)
	}
	for _, row := range curve.Sector.CostCurve {
		for _, k := range []string{"ticker", "scope", "power", "direct", "cash", "all_in", "realized_ehs", "under_water", "under_water_below_usd_per_ph_day"} {
			if _, ok := row[k]; !ok {
				t.Errorf("cost curve row %v lacks %s", row["ticker"], k)
			}
		}
	}
}

// Issue 11 §4: every sourced figure anywhere in the board JSON carries
// `published` — facts, contracts, miners' costs, benchmarks, the headline
// and the record low. An object is sourced when it names a source URL, a
// quality grade or a source with a grade.
func TestJSONSourcedFiguresArePublished(t *testing.T) {
	d, ds := testBoard(t, goldenAt)
	var b bytes.Buffer
	if err := JSON(&b, d, goldenMeta(ds)); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	missing := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			_, url := v["source_url"]
			_, q := v["quality"]
			_, g := v["grade"]
			src, _ := v["source"].(string)
			basis, _ := v["basis"].(string)
			sourced := url || q || g && src != "" || basis == "reported" || basis == "implied" || v["kind"] != nil && src != ""
			if _, ok := v["published"]; sourced && !ok {
				missing[path] = true
			}
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("", doc)
	if len(missing) > 0 {
		t.Errorf("sourced figures without published: %v", slices.Sorted(maps.Keys(missing)))
	}
}

// A miner's implied cost is the sector rule's member figure, with the same
// grade and the same "estimated" mark on its publication date.
func TestJSONImpliedCostKeepsGradeAndEstimate(t *testing.T) {
	d, ds := testBoard(t, goldenAt)
	var b bytes.Buffer
	if err := JSON(&b, d, goldenMeta(ds)); err != nil {
		t.Fatal(err)
	}
	type prov struct {
		Published string `json:"published"`
		Estimated bool   `json:"published_estimated"`
		Grade     string `json:"grade"`
		Basis     string `json:"basis"`
	}
	var doc struct {
		Sector struct {
			Scopes []struct {
				Scope   string `json:"scope"`
				Members []struct {
					Ticker string `json:"ticker"`
					prov
				} `json:"members"`
			} `json:"scopes"`
		} `json:"sector"`
		Peers []struct {
			Ticker string `json:"ticker"`
			Board  struct {
				Costs map[string]prov `json:"costs"`
			} `json:"board"`
		} `json:"peers"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	costs := map[string]map[string]prov{}
	for _, p := range doc.Peers {
		costs[p.Ticker] = p.Board.Costs
	}
	n, est := 0, 0
	for _, s := range doc.Sector.Scopes {
		for _, m := range s.Members {
			got := costs[m.Ticker][s.Scope]
			want := m.prov
			want.Basis = "implied"
			if got != want {
				t.Errorf("%s %s: row %+v, rule member %+v", m.Ticker, s.Scope, got, want)
			}
			n++
			if m.Estimated {
				est++
			}
		}
	}
	if n == 0 || est == 0 {
		t.Fatalf("%d members, %d with an estimated date: the fixture no longer exercises this", n, est)
	}
}

// A board dated months after the embedded network data (offline, --at
// 2026-03-31): the JSON lists the stale hashprice as stale, marks the
// sector's and every peer's margins stale, and gives the published
// headline's n as unknown (null), not 0.
func TestJSONStaleEmbeddedBoard(t *testing.T) {
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	env := board.NewEnvAt(ds, market.DefaultSymbols().Peers, at)
	env.Offline = true
	d := board.BuildWith(env, nil, nil, at, econ.Scenario{})
	if !d.Computed.Stale {
		t.Fatal("setup: the board's hashprice is not stale")
	}
	var b bytes.Buffer
	if err := JSON(&b, d, goldenMeta(ds)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Freshness struct {
			Stale []string `json:"stale"`
		} `json:"freshness"`
		Sector struct {
			MarginsStale *bool `json:"margins_stale"`
			Headline     struct {
				Source string          `json:"source"`
				N      json.RawMessage `json:"n"`
			} `json:"headline"`
		} `json:"sector"`
		Peers []struct {
			Ticker       string `json:"ticker"`
			MarginsStale *bool  `json:"margins_stale"`
		} `json:"peers"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(doc.Freshness.Stale, "hashprice.usd_per_ph_day") {
		t.Errorf("freshness.stale %v lacks the hashprice", doc.Freshness.Stale)
	}
	if doc.Sector.MarginsStale == nil || !*doc.Sector.MarginsStale {
		t.Error("sector.margins_stale is not true")
	}
	for _, p := range doc.Peers {
		if p.MarginsStale == nil || !*p.MarginsStale {
			t.Errorf("%s: margins_stale is not true", p.Ticker)
		}
	}
	if hl := doc.Sector.Headline; hl.Source != "computed" && string(hl.N) != "null" {
		t.Errorf("published headline (%s): n is %s, want null", hl.Source, hl.N)
	}
}
