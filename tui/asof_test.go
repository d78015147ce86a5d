package tui

import (
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

func TestBuildAsOfADate(t *testing.T) {
	at := time.Date(2025, 11, 22, 23, 0, 0, 0, time.UTC) // the day of a Hashrate Index record low
	env := board.NewEnvAt(testEnv().Dataset, testEnv().Peers, at)
	d := board.Build(env, nil, at, econ.Scenario{})
	if d.Price.At.Format(time.DateOnly) != "2025-11-22" || d.AsOf != "network 2025-11-22 · stocks 2025-11-21" {
		t.Errorf("as of %q, price %v", d.AsOf, d.Price.At)
	}
	if last := d.BTC.Points[len(d.BTC.Points)-1]; last.T.After(at) {
		t.Errorf("BTC series goes past the date: %v", last.T)
	}
	for _, p := range d.Peers {
		if n := len(p.Closes); n > 0 && p.Closes[n-1].T.After(at) {
			t.Errorf("%s closes go past the date", p.Ticker)
		}
	}
	// Our hashprice that day is close to Hashrate Index's $35.06 record low.
	if hp := float64(d.Board.Network.Hashprice.Or(0)); hp < 33 || hp > 38 {
		t.Errorf("hashprice on 2025-11-22 = %v", hp)
	}
	// Two builds give identical frames: snapshots are reproducible.
	th, _ := themes.Get("dark", false)
	if Render(d, UI{Range: Range1Y}, 120, 40, th) != Render(board.Build(env, nil, at, econ.Scenario{}), UI{Range: Range1Y}, 120, 40, th) {
		t.Error("the same date gave two different frames")
	}
}
