package tui

import "github.com/hashdeck/hashdeck/themes"

// renderPeers draws the peers view (placeholder until the view lands).
func renderPeers(d *Data, ui UI, w, h int, th themes.Theme) string { return "" }

// peersKey handles a key pressed on the peers view (placeholder).
func peersKey(ui UI, d *Data, key string) UI { return ui }
