package econ

import (
	"reflect"
	"strings"
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

// Every item of a quarter, and every conflicting value it keeps, is a day
// the medians may change: a filing merged over a research figure keeps
// the research value as a conflict, public earlier, and the steps missed
// that day (and items beyond the nine listed by hand).
func TestEachPublishedCoversEveryItem(t *testing.T) {
	var q Quarter
	v := reflect.ValueOf(&q).Elem()
	want := map[Date]bool{}
	day := NewDate(2025, 1, 1)
	for i := range v.NumField() {
		f := v.Field(i)
		if !strings.HasPrefix(f.Type().Name(), "Item[") {
			continue
		}
		day = day.AddDays(1)
		f.FieldByName("Published").Set(reflect.ValueOf(day))
		want[day] = true
		day = day.AddDays(1)
		c := reflect.New(reflect.TypeFor[Conflict]()).Elem()
		c.FieldByName("Published").Set(reflect.ValueOf(day))
		f.FieldByName("Conflicts").Set(reflect.Append(f.FieldByName("Conflicts"), c))
		want[day] = true
	}
	if len(want) < 2*15 {
		t.Fatalf("only %d item days: the Quarter's items were not found", len(want))
	}
	q.eachPublished(func(d Date) { delete(want, d) })
	if len(want) > 0 {
		t.Errorf("%d publication days not visited: %v", len(want), want)
	}
}

// A quarter's power cost from its power price and efficiency, published
// after its bitcoin count, shows from that day: the steps listed nine items
// by hand and missed the others' days (and conflicts' days).
func TestMedianStepsOnEveryItemsDay(t *testing.T) {
	end, mined, later := NewDate(2025, 3, 31), NewDate(2025, 4, 20), NewDate(2025, 5, 12)
	qq := Quarter{Ticker: "A", Start: NewDate(2025, 1, 1), End: end, Calendar: CalendarQuarter(end), Published: mined,
		BTCMined:   Sourced[BTC](100, Provenance{Grade: GradeB, Published: mined}),
		PowerPrice: Sourced[USDPerKWh](0.05, Provenance{Grade: GradeB, Published: later}),
		Efficiency: Sourced[JoulesPerTH](20, Provenance{Grade: GradeB, Published: later})}
	periods := []PeriodMeans{{Start: NewDate(2025, 1, 1), End: end, Hashvalue: Known[BTCPerPHDay](0.0005), Hashprice: Known[USDPerPHDay](50)}}
	steps := MedianSteps([]Miner{{Ticker: "A", Quarters: []Quarter{qq}}}, periods, nil, NewDate(2025, 4, 1), NewDate(2025, 6, 30))
	board := ComputeSectorRule(later, []MinerImplied{{Ticker: "A", Quarters: ImpliedCostsAsOf([]Quarter{qq}, periods, later)}}, nil, Maybe[USDPerPHDay]{}, Maybe[BTCPerPHDay]{})
	want, ok := board.Scopes[ScopePower].Median.Get()
	if !ok {
		t.Fatal("a board dated the later day has no power median: the fixture does not make one")
	}
	if s, ok := StepAt(steps, later); !ok || s.From != later || s.Medians[ScopePower].Or(-1) != want {
		t.Errorf("on %v: step from %v with power median %v; want a step that day at %v", later, s.From, s.Medians[ScopePower], want)
	}
}
