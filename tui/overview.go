package tui

import "github.com/hashdeck/hashdeck/themes"

func renderOverview(d *Data, ui UI, w, h int, th themes.Theme) string { return "" }
