package econ

import (
	"testing"
	gotime "time"
)

// The median steps replay the rule point in time: nothing before the
// first figure is public, a step on the day a quarter is published, and
// the figure leaves when the window moves past its quarter.
func TestMedianSteps(t *testing.T) {
	q := func(ticker string, end, pub Date, power float64) Miner {
		qq := Quarter{Ticker: ticker, Start: NewDate(2025, 1, 1), End: end, Calendar: CalendarQuarter(end), Published: pub,
			BTCMined:  Sourced[BTC](100, Provenance{Grade: GradeA, Published: pub}),
			CostPower: Sourced[USD](USD(power*100/0.0005), Provenance{Grade: GradeA, Published: pub})}
		return Miner{Ticker: ticker, Quarters: []Quarter{qq}}
	}
	q1 := NewDate(2025, 3, 31)
	miners := []Miner{q("A", q1, NewDate(2025, 5, 1), 20), q("B", q1, NewDate(2025, 5, 10), 30)}
	periods := []PeriodMeans{{Start: NewDate(2025, 1, 1), End: q1, Hashvalue: Known[BTCPerPHDay](0.0005), Hashprice: Known[USDPerPHDay](50)}}
	steps := MedianSteps(miners, periods, nil, NewDate(2025, 4, 1), NewDate(2026, 1, 31))
	at := func(y int, m, d int) MedianStep {
		s, _ := StepAt(steps, NewDate(y, timeMonth(m), d))
		return s
	}
	if s := at(2025, 4, 20); s.N[ScopePower] != 0 || s.Medians[ScopePower].OK() {
		t.Errorf("before any publication: %+v", s)
	}
	if s := at(2025, 5, 5); s.N[ScopePower] != 1 {
		t.Errorf("after A's publication: n %d", s.N[ScopePower])
	}
	if s := at(2025, 6, 1); s.N[ScopePower] != 2 || s.Medians[ScopePower].Or(0) != 25 {
		t.Errorf("after B's: n %d, median %v; want 2, $25", s.N[ScopePower], s.Medians[ScopePower])
	}
	// 2025-Q1 leaves the window (two quarters back) when 2025-Q4 begins.
	if s := at(2025, 10, 2); s.N[ScopePower] != 0 {
		t.Errorf("after the window moved: n %d", s.N[ScopePower])
	}
	if _, ok := StepAt(steps, NewDate(2025, 3, 1)); ok {
		t.Error("a step before the range")
	}
}

func timeMonth(m int) gotime.Month { return gotime.Month(m) }
