package tui

import (
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

func TestExploreCharts(t *testing.T) {
	d := Build(testEnv(), nil, fixedNow, econ.Scenario{})
	for _, p := range d.Peers {
		if len(p.Closes) == 0 {
			t.Logf("%s none", p.Ticker)
			continue
		}
		t.Logf("%s %d %s..%s last %.2f", p.Ticker, len(p.Closes), p.Closes[0].T.Format(time.DateOnly), p.Closes[len(p.Closes)-1].T.Format(time.DateOnly), p.Closes[len(p.Closes)-1].V)
	}
	for _, s := range []Series{d.Hashprice, d.BTC} {
		t.Logf("%s %d %s..%s", s.Name, len(s.Points), s.Points[0].T.Format(time.DateOnly), s.Points[len(s.Points)-1].T.Format(time.DateOnly))
	}
	for s, sc := range d.Board.Sector {
		t.Logf("scope %d %v have %d median %v", s, sc.Scope, sc.Have, sc.Median)
	}
	for _, r := range d.References {
		t.Logf("%s | %s | %s | %v | %v | %v | %s", r.Kind, r.Name, r.Period.Label, r.USDPerPHDay, r.Restated, r.Scope, r.Source)
	}
	t.Logf("hp now %v", d.Board.Network.Hashprice)
}
