package tui

import (
	"sync"
	"weak"

	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

// frames shares the frame drawn for a new state between the dashboards of
// one process. The SSH server's sessions all receive each state at once
// and get the same board from Env.Shared; most show the same view at the
// same size and theme, and drew the same frame one by one: with 100 idle
// sessions, that was half of the server's CPU (a profile of TestServeLoad).
// Now the first session to ask draws it and the others wait for it.
//
// Only the status bar differs between such sessions (its age, the backfill
// progress, a history error: see RenderStatus), so each session writes its
// own status line over the shared frame.
var frames = frameCache{entries: map[frameKey]*frameEntry{}}

// frameKey is everything Render reads but the status bar's inputs. The
// board is held by a weak pointer: a cached frame does not keep an old
// board (megabytes, with its history) alive, and a board built later at
// the same address is another key.
type frameKey struct {
	board weak.Pointer[board.Data]
	ui    UI
	w, h  int
	theme string
	mono  bool
}

// frameEntry is one frame, drawn once.
type frameEntry struct {
	once  sync.Once
	frame string
}

// frameCacheSize bounds the frames kept: a few views, sizes and themes of
// the newest board (at 250×70 a frame is ~100 KB).
const frameCacheSize = 8

type frameCache struct {
	mu      sync.Mutex
	entries map[frameKey]*frameEntry
	order   []frameKey // oldest first
	draws   int        // frames drawn (for tests)
}

// get returns the frame of shared (Env.Shared's board) for ui, size and
// theme, drawn by draw the first time it is asked for. Entries of boards
// that are gone are dropped first, then the oldest.
func (c *frameCache) get(shared *board.Data, ui UI, w, h int, th themes.Theme, draw func() string) string {
	k := frameKey{weak.Make(shared), ui, w, h, th.Name, th.Mono}
	c.mu.Lock()
	e := c.entries[k]
	if e == nil {
		c.order = deleteDead(c.order, c.entries)
		if len(c.order) >= frameCacheSize {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
		e = &frameEntry{}
		c.entries[k] = e
		c.order = append(c.order, k)
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.frame = draw()
		c.mu.Lock()
		c.draws++
		c.mu.Unlock()
	})
	if e.frame == "" {
		// The first draw panicked (sync.Once counts it as done): each
		// session draws for itself, as it would without the cache, rather
		// than show an empty frame.
		return draw()
	}
	return e.frame
}

// clear drops every frame.
func (c *frameCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.order = nil
}

// DropCaches empties the caches the frames are drawn from: whole frames,
// chart plots and styled texts. The next frame draws them again (about a
// millisecond). serve calls it when its last viewer has gone: whatever the
// sessions' sizes, views and themes put there would otherwise stay until
// a new viewer pushes it out, holding heap spans the runtime cannot
// return.
func DropCaches() {
	frames.clear()
	plots.clear()
	styled.clear()
}

// drawn returns how many frames the cache has drawn.
func (c *frameCache) drawn() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draws
}

// deleteDead drops from order and entries the frames of boards that have
// been collected.
func deleteDead(order []frameKey, entries map[frameKey]*frameEntry) []frameKey {
	kept := order[:0]
	for _, k := range order {
		if k.board.Value() == nil {
			delete(entries, k)
			continue
		}
		kept = append(kept, k)
	}
	return kept
}
