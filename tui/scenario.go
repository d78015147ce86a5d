package tui

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

// The scenario view: four what-if inputs (BTC price, difficulty change, fees
// per block, power price for every miner), the board before → after, the
// sector margin over BTC price × difficulty, the ASIC break-evens and "my
// fleet". Helpers here are prefixed scen.

// The scenario inputs, in the order ui.ScenarioField selects them.
const (
	scenPrice = iota
	scenDifficulty
	scenFees
	scenPower
	scenNumFields
)

// scenName names input f as the screen and the error messages do.
func scenName(f int) string {
	return [...]string{"BTC price", "difficulty change", "fees per block", "power price"}[f]
}

// scenUnit is input f's unit.
func scenUnit(f int) string {
	return [...]string{"USD", "%", "BTC", "USD/kWh"}[f]
}

// scenStep is the step of input f for ←/→.
func scenStep(f int) float64 {
	return [...]float64{1000, 1, 0.005, 0.005}[f]
}

// scenarioKey picks, steps, types (Keys.Scenario.Typing) and resets the
// scenario's inputs (Keys.Scenario).
func scenarioKey(ui UI, d *board.Data, name string) UI {
	k, km := keyName(name), &Keys.Scenario
	f := min(max(ui.ScenarioField, 0), scenNumFields-1)
	ui.ScenarioField = f
	if ui.Editing {
		switch {
		case key.Matches(k, km.Typing.Cancel):
			ui.Editing, ui.Input, ui.Notice = false, "", ""
		case key.Matches(k, km.Typing.Apply):
			v, msg := scenParse(f, ui.Input)
			if msg != "" {
				ui.Notice = msg // keep typing: the value can be corrected
				return ui
			}
			ui.Scenario = scenSet(ui.Scenario, f, v)
			ui.Editing, ui.Input, ui.Notice = false, "", ""
		case key.Matches(k, km.Typing.Delete):
			if n := len(ui.Input); n > 0 {
				ui.Input = ui.Input[:n-1]
			}
			ui.Notice = ""
		case key.Matches(k, km.Typing.Char) && len(ui.Input) < 16:
			ui.Input += name
			ui.Notice = ""
		case len([]rune(name)) == 1:
			// A character the value cannot hold is refused, not dropped
			// silently (90x would otherwise apply as 90).
			ui.Notice = scenName(f) + ": " + strconv.Quote(name) + " cannot be typed here (" + km.Typing.Char.Help().Key + ")"
		}
		return ui
	}
	switch {
	case key.Matches(k, km.Up):
		ui.ScenarioField = max(f-1, 0)
	case key.Matches(k, km.Down):
		ui.ScenarioField = min(f+1, scenNumFields-1)
	case key.Matches(k, km.Less):
		return scenStepBy(ui, d, f, -1)
	case key.Matches(k, km.More):
		return scenStepBy(ui, d, f, +1)
	case key.Matches(k, km.Edit):
		ui.Editing, ui.Input = true, ""
	case key.Matches(k, km.Reset):
		ui.Scenario = scenReset(ui.Scenario, f)
	case key.Matches(k, km.ResetAll):
		ui.Scenario = econ.Scenario{}
	}
	return ui
}

// scenStepBy moves input f one step in direction dir, starting from the
// live value in d.Base when the input is still "as live".
func scenStepBy(ui UI, d *board.Data, f, dir int) UI {
	cur, ok := scenValue(ui.Scenario, f)
	if !ok {
		cur, ok = scenLive(d, f)
	}
	if !ok {
		ui.Notice = scenName(f) + ": no live value to step from; press " + Keys.Scenario.Edit.Help().Key + " to type one"
		return ui
	}
	v := cur + float64(dir)*scenStep(f)
	v = math.Round(v*1e9) / 1e9 // no float dust after many steps
	switch f {
	case scenPrice:
		if v <= 0 {
			ui.Notice = scenName(f) + ": cannot go below $0"
			return ui
		}
	case scenDifficulty:
		if v <= -100 {
			ui.Notice = scenName(f) + ": difficulty cannot fall by 100% or more"
			return ui
		}
	default:
		v = max(v, 0)
	}
	ui.Scenario = scenSet(ui.Scenario, f, v)
	return ui
}

// scenValue is input f's scenario value, false when it is "as live".
func scenValue(s econ.Scenario, f int) (float64, bool) {
	switch f {
	case scenPrice:
		v, ok := s.Price.Get()
		return float64(v), ok
	case scenDifficulty:
		return float64(s.DifficultyChangePct), s.DifficultyChangePct != 0
	case scenFees:
		v, ok := s.FeesPerBlock.Get()
		return float64(v), ok
	case scenPower:
		v, ok := s.PowerPrice.Get()
		return float64(v), ok
	}
	return 0, false
}

// scenLive is input f's live value: the base board's price and fees, no
// difficulty change, and for power the median of the miners' own prices
// (the default fleet's when none is known).
func scenLive(d *board.Data, f int) (float64, bool) {
	n := d.Base.Network
	switch f {
	case scenPrice:
		v, ok := n.Price.Get()
		return float64(v), ok
	case scenDifficulty:
		return 0, true
	case scenFees:
		v, ok := n.FeesPerBlock.Get()
		return float64(v), ok
	case scenPower:
		if m, ok := scenMedianPower(d.Base); ok {
			return float64(m), true
		}
		return float64(d.Fleet.PowerPrice), true
	}
	return 0, false
}

// scenMedianPower is the median of the miners' own power prices.
func scenMedianPower(b econ.Board) (econ.USDPerKWh, bool) {
	var buf [32]econ.USDPerKWh
	vs := buf[:0]
	for _, m := range b.Miners {
		if p, ok := m.PowerPrice.Get(); ok {
			vs = append(vs, p)
		}
	}
	q, ok := econ.QuartilesOf(vs)
	return q.Median, ok
}

// scenSet returns s with input f set to v (a difficulty change of 0 is "as live").
func scenSet(s econ.Scenario, f int, v float64) econ.Scenario {
	switch f {
	case scenPrice:
		s.Price = econ.Known(econ.USDPerBTC(v))
	case scenDifficulty:
		s.DifficultyChangePct = econ.Percent(v)
	case scenFees:
		s.FeesPerBlock = econ.Known(econ.BTC(v))
	case scenPower:
		s.PowerPrice = econ.Known(econ.USDPerKWh(v))
	}
	return s
}

// scenReset returns s with input f back to "as live".
func scenReset(s econ.Scenario, f int) econ.Scenario {
	switch f {
	case scenPrice:
		s.Price = econ.Maybe[econ.USDPerBTC]{}
	case scenDifficulty:
		s.DifficultyChangePct = 0
	case scenFees:
		s.FeesPerBlock = econ.Maybe[econ.BTC]{}
	case scenPower:
		s.PowerPrice = econ.Maybe[econ.USDPerKWh]{}
	}
	return s
}

// scenParse reads a typed value for input f; the message names the input
// and says what is wrong when the value cannot be used.
func scenParse(f int, in string) (float64, string) {
	name := scenName(f)
	if in == "" {
		return 0, name + ": type a value in " + scenUnit(f) + ", or " + Keys.Scenario.Typing.Cancel.Help().Key + " to cancel"
	}
	v, ok := scenNumber(in)
	if !ok {
		return 0, name + ": " + strconv.Quote(in) + " is not a number (90000, 90k, 1.2m, 9e4)"
	}
	switch f {
	case scenPrice:
		if v < 1 || v > 1e8 {
			return 0, name + ": " + in + " is out of range ($1 to $100,000,000)"
		}
	case scenDifficulty:
		if v <= -100 || v > 1000 {
			return 0, name + ": " + in + "% is out of range (above -100%, at most +1,000%)"
		}
	case scenFees:
		// The view shows fees to 4 decimals: a smaller non-zero value would
		// show (and be read) as 0.
		if v < 0 || v > 100 || v > 0 && v < 1e-4 {
			return 0, name + ": " + in + " BTC is out of range (0, or 0.0001 to 100 BTC per block)"
		}
	case scenPower:
		if v < 0 || v > 10 || v > 0 && v < 1e-3 {
			return 0, name + ": $" + in + "/kWh is out of range (0, or $0.001 to $10/kWh)"
		}
	}
	return v, ""
}

// scenNumber reads a typed number: a decimal with an optional exponent
// (9e4) or a k (thousand) or m (million) suffix, so that what is applied is
// exactly what was typed.
func scenNumber(in string) (float64, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(in, "k"):
		in, mult = in[:len(in)-1], 1e3
	case strings.HasSuffix(in, "m"):
		in, mult = in[:len(in)-1], 1e6
	}
	v, err := strconv.ParseFloat(in, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v*mult, 0) {
		return 0, false
	}
	return v * mult, true
}

// renderScenario lays out the inputs, the board before → after, "my
// fleet", the sensitivity grid and the ASIC table for the terminal size.
func renderScenario(d *board.Data, ui UI, w, h int, th themes.Theme) string {
	pal := detPaletteOf(th)
	const asicNeed = 2 + 13 // title, header, every model
	if w < 120 {
		// 80 columns: inputs and fleet beside the board, then the grid,
		// then as much of the ASIC table as fits.
		lw := (w - 1) / 2
		left := scenInputs(d, ui, lw, false, pal) + "\n" + scenFleet(d, lw, false, pal)
		right := scenBoard(d, w-lw-1, pal)
		top := columns(1, []string{left, right}, []int{lw, w - lw - 1})
		topH := strings.Count(top, "\n") + 1
		gridH := scenGridHeight(h - topH - asicNeed)
		asicH := h - topH - gridH
		return fit(top+"\n"+scenGrid(d, ui, w, gridH, pal)+"\n"+scenASIC(d, w, asicH, pal), w, h)
	}
	rw := min(max(w-58, 62), 80)
	lw := w - rw - 2
	var top string
	if w >= 180 {
		// Three across: inputs, my fleet, board.
		iw := min(64, w-rw-4-40)
		fw := w - rw - iw - 4
		top = columns(2, []string{scenInputs(d, ui, iw, true, pal), scenFleet(d, fw, true, pal), scenBoard(d, rw, pal)}, []int{iw, fw, rw})
	} else {
		left := scenInputs(d, ui, lw, true, pal) + "\n\n" + scenFleet(d, lw, true, pal)
		top = columns(2, []string{left, scenBoard(d, rw, pal)}, []int{lw, rw})
	}
	topH := strings.Count(top, "\n") + 1
	rest := h - topH - 1
	if w >= 180 {
		gw := min(w*3/5, 8+13*8)
		gridH := scenGridHeight(rest - 1)
		mid := columns(2, []string{scenGrid(d, ui, gw, gridH, pal), scenASIC(d, w-gw-2, min(rest, asicNeed), pal)}, []int{gw, w - gw - 2})
		midH := max(gridH, min(rest, asicNeed))
		out := top + "\n\n" + mid
		if room := h - topH - 1 - midH - 1; room >= 4 {
			out += "\n\n" + scenMinersTable(d, w, room, pal)
		}
		return fit(out, w, h)
	}
	gridH := scenGridHeight(rest - asicNeed - 1)
	return fit(top+"\n\n"+scenGrid(d, ui, w, gridH, pal)+"\n\n"+scenASIC(d, w, rest-gridH-1, pal), w, h)
}

// scenGridHeight is the grid's height in at most room lines: an odd number
// of rows from 7 to 11 and two lines of titles.
func scenGridHeight(room int) int {
	rows := min(max(room-2, 7), 11)
	if rows%2 == 0 {
		rows--
	}
	return rows + 2
}

// scenBase names what the scenario starts from: "now" when the network
// values are live, else the date of the embedded or stored data they are.
// In fewer than 60 columns the date stands alone.
func scenBase(d *board.Data, w int) string {
	if d.Price.Layer == board.LayerLive && d.Difficulty.Layer == board.LayerLive && !d.Computed.Stale {
		return "now"
	}
	date := d.Computed.At.UTC().Format(time.DateOnly)
	switch {
	case d.Computed.Stale && w < 60:
		return "STALE " + date
	case d.Computed.Stale:
		// The base and every figure from it are as stale as the hashprice
		// (found in review: the scenario view alone had no mark).
		return sourcedNote(d.Computed, d.Now)
	case w < 60:
		return date
	}
	return d.Computed.Layer.String() + " " + date
}

// scenBaseMark is scenBase as the views' titles show it: a stale base in
// the warning colour.
func scenBaseMark(d *board.Data, w int, pal *detPal) string {
	if d.Computed.Stale {
		return pal.warn.paint(scenBase(d, w))
	}
	return pal.muted.paint(scenBase(d, w))
}

// scenInputs lists the four inputs with their live value beside the scenario's.
func scenInputs(d *board.Data, ui UI, w int, wide bool, pal *detPal) string {
	lines := []string{" " + pal.title.paint("Scenario") + "  " + scenBaseMark(d, w, pal) + pal.muted.paint(" → what-if")}
	labelW, liveW := 12, 10
	if wide {
		labelW, liveW = 21, 15
	}
	valW := w - 2 - labelW - 1 - liveW - 3
	sc := ui.Scenario
	for f := range scenNumFields {
		label := scenName(f)
		switch {
		case wide && f == scenDifficulty:
			label = "difficulty" // the base is absolute, the what-if a change in %
		case wide:
			label += " (" + scenUnit(f) + ")"
		default:
			label = [...]string{"BTC price", "difficulty", "fees/block", "power $/kWh"}[f]
		}
		var val string
		if v, ok := scenValue(sc, f); ok {
			t := scenValueText(d, f, v, true)
			if ansi.StringWidth(t) > valW {
				t = scenValueText(d, f, v, false)
			}
			val = pal.warn.paint(t)
		} else {
			val = pal.muted.paint("unchanged")
		}
		if ui.Editing && ui.ScenarioField == f {
			val = pal.accentBold.paint(ui.Input+"▏") + pal.muted.paint(" "+scenUnit(f))
		}
		cur := "  "
		l := padRight(label, labelW)
		if ui.ScenarioField == f {
			cur = pal.key.paint("▸ ")
			l = pal.sel.paint(l)
		}
		lines = append(lines, cur+l+" "+padLeft(scenLiveText(d, f, wide), liveW)+" → "+val)
	}
	switch {
	case ui.Editing:
		lines = append(lines, pal.muted.paint("  typing "+scenName(ui.ScenarioField)+": "+Keys.Scenario.Typing.Apply.Help().Key+" applies · "+Keys.Scenario.Typing.Cancel.Help().Key+" cancels"))
	case wide:
		lines = append(lines, pal.muted.paint(ansi.Truncate("  ↑↓ pick · ←→ or -/+ step · enter type · x/X reset", w, "…")))
	}
	return strings.Join(lines, "\n")
}

// scenLiveText is input f's live value as shown.
func scenLiveText(d *board.Data, f int, wide bool) string {
	n := d.Base.Network
	switch f {
	case scenPrice:
		return format.Maybe(n.Price, func(v econ.USDPerBTC) string { return format.USD(float64(v), 0) })
	case scenDifficulty:
		return format.Maybe(n.Difficulty, func(v econ.Difficulty) string { return format.SI(float64(v), 2) })
	case scenFees:
		return format.Maybe(n.FeesPerBlock, func(v econ.BTC) string { return format.Num(float64(v), 4) })
	case scenPower:
		m, ok := scenMedianPower(d.Base)
		if !ok {
			return "own"
		}
		if wide {
			return "own, med " + format.USD(float64(m), 3)
		}
		return "med " + format.USD(float64(m), 3)
	}
	return format.Unknown
}

// scenValueText is a scenario value of input f as shown.
func scenValueText(d *board.Data, f int, v float64, wide bool) string {
	switch f {
	case scenPrice:
		return format.USD(v, 0)
	case scenDifficulty:
		s := format.Signed(v, 1) + "%"
		if dd, ok := d.Board.Network.Difficulty.Get(); ok && wide {
			s += " (" + format.SI(float64(dd), 2) + ")"
		}
		return s
	case scenFees:
		return format.Num(v, 4)
	case scenPower:
		s := format.USD(v, 3)
		if wide {
			s += " every miner"
		}
		return s
	}
	return format.Unknown
}

// scenChange formats before → after with an arrow; colour says whether the
// change is good (up is good unless upGood is false).
func scenChange(before, after econ.Maybe[float64], dec int, signed, upGood bool, w int, pal *detPal) string {
	f := func(m econ.Maybe[float64]) string {
		v, ok := m.Get()
		if !ok {
			return format.Unknown
		}
		if signed {
			return format.Signed(v, dec)
		}
		return format.Num(v, dec)
	}
	s := padLeft(f(before), w) + " → " + padLeft(f(after), w)
	b, ok1 := before.Get()
	a, ok2 := after.Get()
	if ok1 && ok2 && math.Abs(a-b) > math.Pow(10, -float64(dec))/2 {
		good := a - b
		if !upGood {
			good = -good
		}
		s += " " + pal.sign(good, detArrow(a-b))
	} else {
		s += "  "
	}
	return s
}

func scenF[T econ.Number](m econ.Maybe[T]) econ.Maybe[float64] {
	v, ok := m.Get()
	if !ok {
		return econ.Maybe[float64]{}
	}
	return econ.Known(float64(v))
}

// scenBoard is the board live → under the scenario: hashprice, hashvalue,
// miners under water and each scope's median and margin. From 60 cells on
// it shows the medians and margins in percent too.
func scenBoard(d *board.Data, w int, pal *detPal) string {
	b, a := d.Base, d.Board
	wide := w >= 60
	const labelW, numW = 13, 7
	lines := []string{" " + pal.title.paint("Board") + "  " + scenBaseMark(d, w, pal) + pal.muted.paint(" → what-if")}
	row := func(label, s, unit string) string {
		l := " " + pal.muted.paint(padRight(label, labelW)) + s
		if wide {
			l += "  " + pal.muted.paint(unit)
		}
		return l
	}
	hp := scenChange(scenF(b.Network.HashpriceNet), scenF(a.Network.HashpriceNet), 2, false, true, numW, pal)
	sats := func(m econ.Maybe[econ.BTCPerPHDay]) econ.Maybe[float64] {
		return econ.Map(m, func(v econ.BTCPerPHDay) float64 { return float64(v) * 1e8 })
	}
	hv := scenChange(sats(b.Network.Hashvalue), sats(a.Network.Hashvalue), 0, false, true, numW, pal)
	if wide {
		hp += scenPctChange(scenF(b.Network.HashpriceNet), scenF(a.Network.HashpriceNet), pal)
		hv += scenPctChange(sats(b.Network.Hashvalue), sats(a.Network.Hashvalue), pal)
	}
	hpLabel, hvLabel := "hashprice $", "hashval sats"
	if wide {
		hpLabel, hvLabel = "hashprice", "hashvalue"
	}
	lines = append(lines, row(hpLabel, hp, "$/PH/day"), row(hvLabel, hv, "sats/PH/day"))
	uw := func(bd econ.Board) econ.Maybe[float64] {
		return econ.Map(bd.SectorRule.UnderWater.Count, func(v int) float64 { return float64(v) })
	}
	u := a.SectorRule.UnderWater
	if wide {
		lines = append(lines, row("under water", scenChange(uw(b), uw(a), 0, false, false, numW, pal), "of "+format.Num(float64(u.Of), 0)+" at "+u.Scope.String()+" (rule)"))
	} else {
		// No unit column: the scope and n go in the label and after the
		// count, or "0 → 2" would have neither (found in review at 80×24).
		lines = append(lines, row("u/w "+u.Scope.String(), scenChange(uw(b), uw(a), 0, false, false, numW, pal)+pal.muted.paint(" of "+format.Num(float64(u.Of), 0)), ""))
	}
	head := " " + padRight("scope (n)", labelW)
	if wide {
		head += padLeft("median $/PH/d", 2*numW+3) + "    " + padLeft("margin $/PH/d", 2*numW+3)
	} else {
		head += padLeft("margin $/PH/d", 2*numW+3)
	}
	if wide {
		lines = append(lines, pal.header.paint(head))
	} else {
		if add := " · margins $/PH/d"; ansi.StringWidth(lines[0])+ansi.StringWidth(add) <= w {
			lines[0] += pal.muted.paint(add)
		} else {
			lines[0] += pal.muted.paint(" · $/PH/d")
		}
	}
	for _, s := range econ.Scopes() {
		bs, as := b.SectorRule.Scopes[s], a.SectorRule.Scopes[s]
		l := " " + padRight(s.String()+" ("+format.Num(float64(as.N), 0)+")", labelW)
		if wide {
			l += scenChange(scenF(bs.Median), scenF(as.Median), 2, false, false, numW, pal) + "  "
		}
		l += scenChange(scenF(bs.Margin), scenF(as.Margin), 2, true, true, numW, pal)
		if wide {
			pct := econ.Bind2(a.Network.HashpriceNet, as.Median, econ.MarginPct)
			l += " " + padLeft(pal.muted.paint(format.Maybe(pct, func(v econ.Percent) string { return format.Signed(float64(v), 1) + "%" })), 7)
		}
		lines = append(lines, l)
	}
	if note := scenPowerNote(a.SectorRule); note != "" {
		for _, l := range wrapWords(note, max(w-1, 20)) {
			lines = append(lines, " "+pal.muted.paint(l))
		}
	}
	return strings.Join(lines, "\n")
}

// scenPowerNote says, under a power-price what-if, whose costs in the
// medians above follow it and whose stay as reported; "" without one.
func scenPowerNote(r econ.SectorRule) string {
	if !r.PowerWhatIf {
		return ""
	}
	var moved, kept []string
	for _, rs := range r.Scopes {
		for _, m := range rs.Members {
			switch {
			case m.WhatIf.OK() && !slices.Contains(moved, m.Ticker):
				moved = append(moved, m.Ticker)
			case m.NotAdjusted && !slices.Contains(kept, m.Ticker):
				kept = append(kept, m.Ticker)
			}
		}
	}
	note := "what-if power price moves no median member"
	if len(moved) > 0 {
		note = "what-if power price moves " + strings.Join(moved, " ")
	}
	if len(kept) > 0 {
		note += "; as reported (no own price, or neither a power cost nor J/TH): " + strings.Join(kept, " ")
	}
	return note + "; benchmarks unchanged"
}

// scenPctChange is the relative change of after over before.
func scenPctChange(before, after econ.Maybe[float64], pal *detPal) string {
	b, ok1 := before.Get()
	a, ok2 := after.Get()
	if !ok1 || !ok2 || b == 0 {
		return "        "
	}
	p := (a/b - 1) * 100
	// The column has 7 cells: "+1,277.3%" lost its "%" to the panel's edge
	// (found in review); from +1,000% on, the change is a multiple.
	txt := format.Signed(p, 1) + "%"
	switch r := a / b; {
	case r >= 100:
		txt = "×" + format.Num(r, 0)
	case p >= 1000:
		txt = "×" + format.Num(r, 1)
	case math.Abs(p) >= 100:
		txt = format.Signed(p, 0) + "%"
	}
	return " " + padLeft(pal.muted.paint(txt), 7)
}

// scenGridAxes returns the grid's prices (centred on the scenario's price,
// nCols of them) and difficulty changes (centred on 0%, nRows, 5% apart).
func scenGridAxes(center float64, nCols, nRows int) ([]econ.USDPerBTC, []econ.Percent) {
	step := 1000.0
	raw := center * 0.05
	best := math.Inf(1)
	for _, s := range []float64{500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000, 100000} {
		if dist := math.Abs(math.Log(s / raw)); dist < best {
			best, step = dist, s
		}
	}
	prices := make([]econ.USDPerBTC, 0, nCols)
	for j := range nCols {
		p := center + float64(j-nCols/2)*step
		if p > 0 {
			prices = append(prices, econ.USDPerBTC(p))
		}
	}
	diffs := make([]econ.Percent, 0, nRows)
	for i := range nRows {
		if dc := float64(i-nRows/2) * 5; dc > -100 {
			diffs = append(diffs, econ.Percent(dc))
		}
	}
	return prices, diffs
}

// scenSensitivity computes the sector margin grid against the sector
// rule's headline (a computed median at one scope, or the published
// benchmark it falls back to) with nCols prices and nRows difficulty
// changes.
func scenSensitivity(d *board.Data, nCols, nRows int) (econ.Grid, bool) {
	h := d.Board.SectorRule.Headline
	if h.Source == "" || !h.Median.OK() {
		return econ.Grid{}, false
	}
	center, ok := d.Board.Network.Price.Get()
	if !ok {
		return econ.Grid{}, false
	}
	prices, diffs := scenGridAxes(float64(center), nCols, nRows)
	// The grid replaces price and difficulty; fees and power price stay as the scenario sets them.
	base := econ.Scenario{FeesPerBlock: d.Scenario.FeesPerBlock, PowerPrice: d.Scenario.PowerPrice}
	return econ.MarginGrid(d.Inputs, base, h.Scope, h.Median, prices, diffs), true
}

// scenGrid draws the sensitivity grid in h lines: sector margin in the
// headline scope ($/PH/day) over BTC price (columns) × difficulty change
// from live (rows); the scenario's own cell is in brackets.
func scenGrid(d *board.Data, ui UI, w, h int, pal *detPal) string {
	const rowW, cellW = 6, 8
	nCols := min(max((w-rowW)/cellW, 3), 13)
	if w < 100 {
		nCols = min(nCols, 7)
	}
	if nCols%2 == 0 {
		nCols--
	}
	nRows := min(max(h-2, 3), 11)
	if nRows%2 == 0 {
		nRows--
	}
	g, ok := scenSensitivity(d, nCols, nRows)
	if !ok {
		// Why there is no headline can be a long sentence: wrap it whole.
		lines := []string{pal.title.paint(" Sensitivity")}
		for _, l := range wrapWords("needs a BTC price and a sector headline ("+d.Board.SectorRule.Headline.Why+")", max(w-2, 10)) {
			lines = append(lines, pal.muted.paint(" "+l))
		}
		return fit(strings.Join(lines, "\n"), w, h)
	}
	src := d.Board.SectorRule.Headline.Source
	if src == "computed" {
		src = "n " + format.Num(float64(d.Board.SectorRule.Headline.N), 0)
	}
	title := " " + pal.title.paint("Sector margin, "+g.Scope.String()) + pal.muted.paint("  hashprice − median cost "+
		format.Maybe(g.Median, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) })+" ("+src+"), $/PH/day · BTC price × difficulty change")
	lines := []string{ansi.Truncate(title, w, "…")}
	hdr := padRight("", rowW)
	for _, p := range g.Prices {
		hdr += padLeft(scenPriceLabel(float64(p)), cellW)
	}
	lines = append(lines, pal.header.paint(hdr))
	scDiff := float64(d.Scenario.DifficultyChangePct)
	for i, dc := range g.DiffChanges {
		mine := math.Abs(float64(dc)-scDiff) < 1e-9
		label := padLeft(format.Signed(float64(dc), 0)+"%", rowW-1) + " "
		if dc == 0 {
			label = padLeft("±0%", rowW-1) + " "
		}
		if mine {
			label = pal.key.paint(label)
		} else {
			label = pal.muted.paint(label)
		}
		line := label
		for j := range g.Prices {
			cell := format.Unknown
			v, ok := g.At(i, j).Get()
			if ok {
				cell = format.Signed(float64(v), 1)
			}
			if mine && j == len(g.Prices)/2 && float64(g.Prices[j]) == float64(d.Board.Network.Price.Or(0)) {
				line += padLeft(pal.sel.paint("["+cell+"]"), cellW)
				continue
			}
			line += padLeft(pal.sign(float64(v), cell), cellW-1) + " "
		}
		lines = append(lines, line)
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

// scenPriceLabel is a grid column's price: $120k, $87.1k.
func scenPriceLabel(p float64) string {
	k := p / 1000
	if math.Abs(k-math.Round(k)) < 0.05 {
		return "$" + format.Num(k, 0) + "k"
	}
	return "$" + format.Num(k, 1) + "k"
}

// scenPowerPrice is the power price the ASIC table and "my fleet" use: the
// scenario's, else my fleet's (from the configuration).
func scenPowerPrice(d *board.Data) (econ.USDPerKWh, string) {
	if p, ok := d.Scenario.PowerPrice.Get(); ok {
		return p, "scenario"
	}
	return d.Fleet.PowerPrice, "my fleet"
}

// scenASIC lists each ASIC model's hashcost, margin, break-even power price
// and shutdown BTC price at the scenario's hashprice and power price.
func scenASIC(d *board.Data, w, h int, pal *detPal) string {
	if h < 2 {
		return fit("", w, h)
	}
	n := d.Board.Network
	power, src := scenPowerPrice(d)
	title := " " + pal.title.paint("ASICs") + pal.muted.paint("  at "+format.USD(float64(power), 3)+"/kWh ("+src+") and hashprice "+
		format.Maybe(n.HashpriceNet, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) }))
	hp, ok1 := n.HashpriceNet.Get()
	hv, ok2 := n.Hashvalue.Get()
	if !ok1 || !ok2 {
		return fit(ansi.Truncate(title, w, "…")+"\n"+pal.muted.paint(" hashprice unknown: no break-evens"), w, h)
	}
	rows := econ.ASICTable(econ.ASICModels(), hp, hv, power, econ.Maybe[econ.USDPerTHCap]{})
	wide := w >= 86
	const modelW = 22
	row := func(model, eff, ths, cost, margin, be, shut, day string) string {
		s := " " + padRight(model, modelW) + padLeft(eff, 6) + padLeft(margin, 10) + padLeft(be, 10) + padLeft(shut, 10)
		if wide {
			s = " " + padRight(model, modelW) + padLeft(eff, 6) + padLeft(ths, 6) + padLeft(cost, 10) + padLeft(margin, 9) + padLeft(be, 10) + padLeft(shut, 10) + padLeft(day, 11)
		}
		return s
	}
	show := rows
	if room := h - 2; len(rows) > room {
		// Not enough lines: an even spread from least to most efficient.
		k := max(room, 0)
		show = make([]econ.ASICRow, 0, k)
		for i := range k {
			show = append(show, rows[i*(len(rows)-1)/max(k-1, 1)])
		}
		title += pal.muted.paint(" · " + format.Num(float64(k), 0) + " of " + format.Num(float64(len(rows)), 0))
	}
	lines := []string{ansi.Truncate(title, w, "…")}
	if len(show) == 0 {
		return fit(lines[0], w, h)
	}
	lines = append(lines, pal.header.paint(row("model", "J/TH", "TH/s", "cost/PH/d", "margin", "b-e $/kWh", "shutdown", "$/day/unit")))
	for _, r := range show {
		m := float64(r.MarginPct.Or(0))
		margin := pal.sign(m, detArrow(m)+format.Maybe(r.MarginPct, func(v econ.Percent) string { return format.Signed(float64(v), 0) + "%" }))
		be := format.Maybe(r.BreakevenPowerPrice, func(v econ.USDPerKWh) string { return format.USD(float64(v), 3) })
		shut := format.Maybe(r.ShutdownPrice, func(v econ.USDPerBTC) string { return format.USD(float64(v), 0) })
		day := pal.sign(float64(r.Day.Margin), format.Signed(float64(r.Day.Margin), 2))
		lines = append(lines, row(r.Model, format.Num(float64(r.Eff), 1), format.Num(float64(r.Hashrate), 0), format.Num(float64(r.Hashcost), 2), margin, be, shut, day))
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

// scenFleet is "my fleet": its margin per PH/day and per TH/day live →
// scenario (at the scenario's power price when it sets one), and with
// detail its break-even power price.
func scenFleet(d *board.Data, w int, detail bool, pal *detPal) string {
	eff, own := d.Fleet.Efficiency, d.Fleet.PowerPrice
	afterPower, src := scenPowerPrice(d)
	fee := d.Fleet.PoolFee
	spec := "  " + format.Num(float64(eff), 1) + " J/TH · " + format.USD(float64(own), 3) + "/kWh"
	if fee > 0 {
		spec += " · pool fee " + format.Num(float64(fee), 1) + "%"
	}
	whatIf := ""
	if src == "scenario" {
		whatIf = " → " + format.USD(float64(afterPower), 3)
	}
	// The what-if price before the note on where the fleet is set: cut, the
	// note used to take the price with it (found in the second review).
	note := " (config [fleet])"
	if cellWidth(" My fleet"+spec+note+whatIf) > w {
		note = ""
	}
	title := " " + pal.title.paint("My fleet") + pal.muted.paint(spec+note+whatIf)
	// What the fleet keeps: hashprice after its own pool fee, less its power.
	kept := func(n econ.NetworkView) econ.Maybe[econ.USDPerPHDay] {
		return econ.Map(n.HashpriceNet, func(hp econ.USDPerPHDay) econ.USDPerPHDay { return econ.AfterPoolFee(hp, fee) })
	}
	margin := func(n econ.NetworkView, p econ.USDPerKWh) econ.Maybe[float64] {
		return econ.Map(kept(n), func(hp econ.USDPerPHDay) float64 { return float64(hp - econ.PowerCost(eff, p)) })
	}
	before, after := margin(d.Base.Network, own), margin(d.Board.Network, afterPower)
	perTH := func(m econ.Maybe[float64]) econ.Maybe[float64] {
		return econ.Map(m, func(v float64) float64 { return v / 1000 })
	}
	lines := []string{ansi.Truncate(title, w, "…"),
		" " + pal.muted.paint(padRight("margin $/PH/d", 14)) + scenChange(before, after, 2, true, true, 7, pal),
		" " + pal.muted.paint(padRight("margin $/TH/d", 14)) + scenChange(perTH(before), perTH(after), 4, true, true, 7, pal)}
	if detail {
		be := econ.Bind2(kept(d.Board.Network), econ.Known(eff), econ.BreakevenPowerPrice)
		lines = append(lines, " "+pal.muted.paint(padRight("break-even", 14))+format.Maybe(be, func(v econ.USDPerKWh) string { return format.USD(float64(v), 3) + "/kWh" })+
			pal.muted.paint(" at the what-if hashprice"))
	}
	return strings.Join(lines, "\n")
}

// scenWater says whether a miner is under water, with an arrow.
func scenWater(f econ.Flag, pal *detPal) string {
	switch f {
	case econ.FlagYes:
		return pal.neg.paint("▼ under water")
	case econ.FlagNo:
		return pal.pos.paint("▲ above water")
	}
	return pal.muted.paint(format.Unknown)
}

// scenMinersTable lists each miner's headline cost and margin live →
// scenario, in two halves side by side when the rows do not fit in h.
func scenMinersTable(d *board.Data, w, h int, pal *detPal) string {
	title := " " + pal.title.paint("Miners") + pal.muted.paint("  each miner's widest-scope cost and margin, $/PH/day, ") + scenBaseMark(d, w, pal) +
		pal.muted.paint(" → what-if · rep: a published figure, not in the sector rule's count")
	n := min(len(d.Board.Miners), len(d.Base.Miners))
	halves := 1
	if n > h-2 && w >= 160 {
		halves = 2
	}
	per := (n + halves - 1) / halves
	cw := (w - (halves - 1)) / halves
	row := func(t, scope, cost, margin, state string) string {
		return " " + padRight(t, 6) + padRight(scope, 7) + padLeft(cost, 19) + "  " + padLeft(margin, 19) + "  " + state
	}
	blocks := make([]string, 0, halves)
	widths := make([]int, 0, halves)
	for k := range halves {
		lines := []string{pal.header.paint(row("miner", "scope", "cost", "margin", ""))}
		for i := k * per; i < min((k+1)*per, n); i++ {
			a, b := d.Board.Miners[i], d.Base.Miners[i]
			if !a.HasCost {
				lines = append(lines, row(a.Ticker, format.Unknown, format.Unknown, format.Unknown, pal.muted.paint("no cost data")))
				continue
			}
			s := a.Headline
			cost := scenChange(scenF(b.Costs[s].PerPHDay), scenF(a.Costs[s].PerPHDay), 2, false, false, 7, pal)
			margin := scenChange(scenF(b.Costs[s].Margin), scenF(a.Costs[s].Margin), 2, true, true, 7, pal)
			state := scenWater(a.UnderWater, pal)
			if b.UnderWater != a.UnderWater {
				state = scenWater(b.UnderWater, pal) + " → " + state
			}
			if c := a.Costs[s]; c.OutsideWindow {
				// Its water state is unknown (econ.MinerCost.OutsideWindow):
				// say how old the cost is instead of "—".
				state = pal.muted.paint("old cost, " + costBasis(c))
			}
			if a.Costs[s].Basis == econ.BasisReported {
				state += pal.muted.paint(" · rep")
			}
			if a.PowerNotAdjusted {
				why := "own power price unknown"
				if a.PowerPrice.OK() {
					why = "no power cost or efficiency"
				}
				state += pal.muted.paint(" · " + why + ": power price not applied")
			}
			lines = append(lines, row(a.Ticker, s.String(), cost, margin, state))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
		widths = append(widths, cw)
	}
	return fit(ansi.Truncate(title, w, "…")+"\n"+columns(1, blocks, widths), w, h)
}
