package tui

import (
	"sync"

	"charm.land/lipgloss/v2"

	"github.com/hashdeck/hashdeck/themes"
)

// styled keeps short texts of the charts view (and the tab bar) as a
// theme's styles render them. lipgloss renders a word in a few microseconds (it measures, splits
// and pads the text as for a block), and a charts frame styles some fifty
// that rarely change: tickers in the peer strip, legend entries (the same
// peers head two charts), titles, reference sources. A frame drawn again
// takes them from here, a cold frame mostly too.
var styled = &styleCache{}

// styleCacheSize bounds styleCache: a few themes' tickers, titles, notes
// and sources, each in a style or two. Past it the cache starts over.
const styleCacheSize = 1024

// styleID names one of a theme's styles, with the modifiers the charts
// view adds.
type styleID struct {
	role                 styleRole
	slot                 uint8 // for roleSeries: the series colour
	underline, strikeout bool
}

type styleRole uint8

const (
	roleText styleRole = iota
	roleMuted
	roleAccent
	roleTitle
	roleHeader
	roleSelected
	roleSeries
)

var (
	styleText     = styleID{role: roleText}
	styleMuted    = styleID{role: roleMuted}
	styleAccent   = styleID{role: roleAccent}
	styleTitle    = styleID{role: roleTitle}
	styleHeader   = styleID{role: roleHeader}
	styleSelected = styleID{role: roleSelected}
)

func styleSeries(slot int) styleID { return styleID{role: roleSeries, slot: uint8(slot % 8)} }

// style is the lipgloss style id names in th.
func (id styleID) style(th *themes.Theme) lipgloss.Style {
	var st lipgloss.Style
	switch id.role {
	case roleText:
		st = th.Text
	case roleMuted:
		st = th.Muted
	case roleAccent:
		st = th.Accent
	case roleTitle:
		st = th.Title
	case roleHeader:
		st = th.Header
	case roleSelected:
		st = th.Selected
	case roleSeries:
		st = th.Series[id.slot%8]
	}
	if id.strikeout {
		st = st.Strikethrough(true)
	}
	if id.underline {
		st = st.Underline(true)
	}
	return st
}

// styleCache is a set of rendered texts keyed by the theme's name (which,
// like plotKeyOf, takes the name to stand for the theme's styles: the mono
// variant has its own), the style and the text.
type styleCache struct {
	mu sync.Mutex
	m  map[styleKey]string
}

type styleKey struct {
	theme string
	id    styleID
	text  string
}

// render is id's style of th rendering text, as Render would give it.
func (c *styleCache) render(th *themes.Theme, id styleID, text string) string {
	k := styleKey{th.Name, id, text}
	c.mu.Lock()
	s, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return s
	}
	s = id.style(th).Render(text)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= styleCacheSize {
		c.m = make(map[styleKey]string)
	}
	c.m[k] = s
	c.mu.Unlock()
	return s
}

// clear empties the cache (DropCaches; the benchmarks' first frames).
func (c *styleCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
