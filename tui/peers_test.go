package tui

import (
	"fmt"
	"testing"

	"github.com/hashdeck/hashdeck/econ"
)

func TestDumpPeers(t *testing.T) {
	d := Build(testEnv(), nil, fixedNow, econ.Scenario{})
	fmt.Println("hp", d.Board.Network.Hashprice, "hv", d.Board.Network.Hashvalue, "withcost", d.Board.WithCost, "under", d.Board.UnderWater, "total", d.Board.Total)
	for s := range 4 {
		fmt.Printf("sector %v have %d under %v median %v\n", econ.Scope(s), d.Board.Sector[s].Have, d.Board.Sector[s].UnderWater, d.Board.Sector[s].Median)
	}
	for _, p := range d.Peers {
		m := p.Miner
		fmt.Printf("%-5s price %v %v %v day %v m %v y %v cap %v hr %v %q eff %v head %v has %v uw %v ai %v %q n%d corr %v\n", p.Ticker, p.Price.V, p.Price.OK, p.Price.At.Format("2006-01-02"), p.DayPct, p.MonthPct, p.YearPct, p.MarketCap, m.Hashrate, m.HashrateLabel, m.Efficiency, m.Headline, m.HasCost, m.UnderWater, p.AIMW, p.AICounterparty, p.AIContracts, p.Corr90)
		for s := range 4 {
			c := m.Costs[s]
			if c.PerPHDay.OK() {
				fmt.Printf("     %v %v btc %v margin %v %v %s\n", econ.Scope(s), c.PerPHDay, c.PerBTC, c.Margin, c.Basis, c.Period)
			}
		}
	}
}
