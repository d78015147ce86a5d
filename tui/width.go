package tui

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// cellWidth returns how many terminal cells s takes, skipping ANSI escape
// sequences. It is a fast path for what hashdeck draws — ASCII, Latin-1,
// punctuation, arrows, box drawing, blocks and geometric shapes, all one
// cell wide — and falls back to the full grapheme-aware ansi.StringWidth
// as soon as it meets anything else (wide or combining characters).
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b: // ESC: skip a CSI (ESC [ … final) or OSC (ESC ] … BEL / ESC \) sequence
			i++
			if i >= len(s) {
				return n
			}
			switch s[i] {
			case '[':
				i++
				for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
					i++
				}
				i++
			case ']':
				i++
				for i < len(s) && s[i] != 0x07 && !(s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\') {
					i++
				}
				if i < len(s) && s[i] == 0x1b {
					i++
				}
				i++
			default:
				i++
			}
		case c < 0x20 || c == 0x7f:
			i++
		case c < 0x80:
			n++
			i++
		case c == 0xe2 && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80:
			// U+2000–U+2FFF (punctuation, arrows, box drawing, blocks):
			// most of a chart's cells, decoded here because the general
			// decoder's path for three-byte runes costs more than the rest
			// of the loop. After 0xe2 any continuation byte is valid UTF-8.
			r := rune(c&0x0f)<<12 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f)
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += 3
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// narrow reports whether r is certainly one cell wide and not combining.
func narrow(r rune) bool {
	switch {
	case r >= 0xa0 && r < 0x300: // Latin-1 supplement, Latin extended
		return true
	case r >= 0x2010 && r < 0x2070: // general punctuation: – — ‘ ’ “ ” • … ‰
		return true
	case r >= 0x2190 && r < 0x2300: // arrows, mathematical operators
		return true
	case r >= 0x2500 && r < 0x27c0: // box drawing, blocks, geometric shapes, misc symbols, dingbats
		return r < 0x2600 || r == 0x2713 || r == 0x2717 || r == 0x2714 || r == 0x2718
	}
	return false
}
