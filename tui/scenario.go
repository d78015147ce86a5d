package tui

import "github.com/hashdeck/hashdeck/themes"

// renderScenario draws the scenario view (placeholder until the view lands).
func renderScenario(d *Data, ui UI, w, h int, th themes.Theme) string { return "" }

// scenarioKey handles a key pressed on the scenario view (placeholder).
func scenarioKey(ui UI, d *Data, key string) UI { return ui }
