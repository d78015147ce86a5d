package tui

import (
	"strconv"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// scell is one terminal cell of a frame line.
type scell struct {
	text string // the grapheme; "" for the column a wide one also covers
	// style is the SGR sequences in force since the last reset, as the
	// line spells them: two cells look the same when their text and style
	// are equal (spelling one style two ways only costs a rewrite).
	style string
	width int // 1, 2 for a wide grapheme, 0 for the column after a wide one
}

// blankCell is an empty cell in the default style.
var blankCell = scell{text: " ", width: 1}

// mergeGap is the most unchanged cells between two changed runs of a line
// that are written again rather than jumped over: a jump costs a cursor
// move and the style again.
const mergeGap = 8

// drawLine appends what turns row y, which shows s.lines[y], into line:
// each run of cells that differ, from its own position and style.
func (s *Screen) drawLine(out []byte, y int, line string) []byte {
	w := s.w
	if len(s.blank) != w {
		s.blank = make([]scell, w)
		for i := range s.blank {
			s.blank[i] = blankCell
		}
	}
	old := s.blank
	if s.lines[y] != "" {
		s.oldRow = parseLine(s.oldRow, s.lines[y], w)
		old = s.oldRow
	}
	s.newRow = parseLine(s.newRow, line, w)
	cur := s.newRow
	// Past its last non-blank cell the row is erased, not written.
	end := w
	for end > 0 && cur[end-1] == blankCell {
		end--
	}
	for x := 0; x < end; {
		if old[x] == cur[x] {
			x++
			continue
		}
		first, last := x, x
		for j, gap := x+1, 0; j < end && gap <= mergeGap; j++ {
			if old[j] == cur[j] {
				gap++
			} else {
				last, gap = j, 0
			}
		}
		// Never start or end inside a wide grapheme, old or new.
		for first > 0 && (cur[first].width == 0 || old[first].width == 0) {
			first--
		}
		for last+1 < w && (cur[last+1].width == 0 || old[last+1].width == 0) {
			last++
		}
		out = s.moveTo(out, first, y)
		out = s.putCells(out, cur[first:last+1])
		x = last + 1
	}
	for x := end; x < w; x++ {
		if old[x] != blankCell {
			out = s.moveTo(out, x, y)
			out = append(out, ansi.EraseLineRight...)
			break
		}
	}
	return out
}

// putCells appends cells at the cursor, starting and ending in the default
// style.
func (s *Screen) putCells(out []byte, cells []scell) []byte {
	style := ""
	for _, c := range cells {
		if c.width == 0 {
			continue
		}
		if c.style != style {
			if style != "" {
				out = append(out, ansi.ResetStyle...)
			}
			out = append(out, c.style...)
			style = c.style
		}
		out = append(out, c.text...)
	}
	if style != "" {
		out = append(out, ansi.ResetStyle...)
	}
	s.cx += len(cells)
	return out
}

// moveTo appends the shortest move of the cursor to column x of row y that
// this renderer knows.
func (s *Screen) moveTo(out []byte, x, y int) []byte {
	switch d := x - s.cx; {
	case s.cx < 0 || s.cx >= s.w || y != s.cy:
		if y == s.cy+1 && x == 0 && s.cx >= 0 {
			out = append(out, '\r', '\n')
		} else {
			out = append(out, ansi.CursorPosition(x+1, y+1)...)
		}
	case d == 0:
	case d < 0 && d >= -4:
		for range -d {
			out = append(out, '\b')
		}
	case d < 0:
		out = append(out, "\x1b["+strconv.Itoa(-d)+"D"...)
	default:
		out = append(out, "\x1b["+strconv.Itoa(d)+"C"...)
	}
	s.cx, s.cy = x, y
	return out
}

// parseLine splits line into exactly w cells: cut at w, padded with
// blanks. Only SGR sequences are kept (as the cells' style); other escape
// sequences and control characters are dropped.
func parseLine(dst []scell, line string, w int) []scell {
	dst = dst[:0]
	style := ""
	runEnd := -1 // where the SGR run that is style ends in line, when style is one
	for i := 0; i < len(line) && len(dst) < w; {
		c := line[i]
		switch {
		case c == ansi.ESC:
			n := escLen(line[i:])
			if seq := line[i : i+n]; isSGR(seq) {
				switch {
				case seq == ansi.ResetStyle || seq == "\x1b[0m":
					style, runEnd = "", -1
				case len(seq) > 3 && (seq[2] == ';' || seq[2] == '0' && seq[3] == ';'):
					style, runEnd = seq, i+n // a reset, then more
				case style == "":
					style, runEnd = seq, i+n
				case runEnd == i: // follows the last one: one substring
					style, runEnd = line[i-len(style):i+n], i+n
				default:
					style, runEnd = style+seq, -1
				}
			}
			i += n
		case c < 0x20 || c == 0x7f:
			i++
		case c < 0x80 && standsAlone(line[i+1:]):
			dst = append(dst, scell{text: line[i : i+1], style: style, width: 1})
			i++
		default:
			if r, size := utf8.DecodeRuneInString(line[i:]); c >= 0x80 && narrow(r) && standsAlone(line[i+size:]) {
				dst = append(dst, scell{text: line[i : i+size], style: style, width: 1})
				i += size
				continue
			}
			g, gw := ansi.FirstGraphemeCluster(line[i:], ansi.GraphemeWidth)
			i += max(len(g), 1)
			if gw <= 0 {
				continue // a mark with nothing to combine with
			}
			if len(dst)+gw > w {
				dst = append(dst, blankCell) // a wide grapheme cut at the edge
				continue
			}
			dst = append(dst, scell{text: g, style: style, width: gw})
			for range gw - 1 {
				dst = append(dst, scell{style: style})
			}
		}
	}
	for len(dst) < w {
		dst = append(dst, blankCell)
	}
	return dst
}

// standsAlone reports whether what follows a one-cell character cannot
// join it in a grapheme: nothing, ASCII, or a character of the narrow
// ranges (none of them combines).
func standsAlone(rest string) bool {
	if len(rest) == 0 || rest[0] < 0x80 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return narrow(r)
}

// escLen is the length of the escape sequence s starts with.
func escLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		i := 2
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
			i++
		}
		return min(i+1, len(s)) // the final byte
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: to BEL or ST
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == ansi.ESC && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}

// isSGR reports whether seq is a CSI … m sequence without a private marker.
func isSGR(seq string) bool {
	n := len(seq)
	return n >= 3 && seq[1] == '[' && seq[n-1] == 'm' && (n == 3 || seq[2] < 0x3c)
}
