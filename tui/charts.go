package tui

import "github.com/hashdeck/hashdeck/themes"

// renderCharts draws the charts view (placeholder until the view lands).
func renderCharts(d *Data, ui UI, w, h int, th themes.Theme) string { return "" }

// chartsKey handles a key pressed on the charts view (placeholder).
func chartsKey(ui UI, d *Data, key string) UI { return ui }
