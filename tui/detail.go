package tui

import "github.com/hashdeck/hashdeck/themes"

// renderDetail draws the detail view (placeholder until the view lands).
func renderDetail(d *Data, ui UI, w, h int, th themes.Theme) string { return "" }

// detailKey handles a key pressed on the detail view (placeholder).
func detailKey(ui UI, d *Data, key string) UI { return ui }
