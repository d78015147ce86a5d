package econ

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// day parses a YYYY-MM-DD test date.
func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// src is a test provenance: grade, publication day, primary or not.
func src(url string, g Grade, published string, primary bool) Provenance {
	return Provenance{Source: url, Grade: g, Published: day(published), Primary: primary}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		D Date `json:"d"`
		Z Date `json:"z"`
		O Date `json:"o,omitzero"`
	}
	raw, err := json.Marshal(doc{D: DateOf(time.Date(2025, 11, 4, 23, 59, 0, 0, time.FixedZone("X", -5*3600)))})
	if err != nil {
		t.Fatal(err)
	}
	// 23:59 at UTC−5 is 04:59 UTC on the 5th.
	if string(raw) != `{"d":"2025-11-05","z":null}` {
		t.Errorf("JSON %s", raw)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"d":"2026-02-24","z":null}`), &back); err != nil || back.D != day("2026-02-24") || !back.Z.IsZero() {
		t.Errorf("decode: %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"24/02/2026"}`), &back); err == nil {
		t.Error("a non-ISO date decoded")
	}
	if got := CalendarQuarter(day("2025-09-30")); got != "2025-Q3" {
		t.Errorf("CalendarQuarter = %q", got)
	}
	if BoardDate(time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC)) != day("2025-12-29") || BoardDate(time.Date(2025, 12, 30, 9, 0, 0, 0, time.UTC)) != day("2025-12-30") {
		t.Error("BoardDate: 00:00 UTC is the end of the day before, any later time its own day")
	}
}

// Two sources for one item: the better grade wins whatever the order; at
// equal grades the primary source (the filing itself) wins; the losers stay
// as conflicts, best first; at equal grade and primacy the first wins.
func TestPickItem(t *testing.T) {
	copyC := Sourced[USD](66_800_000, src("https://copy.example/keel", GradeC, "2025-05-15", false))
	release := Sourced[USD](67_000_000, src("https://investor.bitfarms.com/q1", GradeA, "2025-05-14", true))
	wire := Sourced[USD](67_100_000, src("https://news.example/wire-copy", GradeA, "2025-05-14", false))

	got := PickItem([]Item[USD]{copyC, wire, release})
	if got.Value.Or(0) != 67_000_000 || !got.Primary {
		t.Errorf("winner %v (primary %v), want the primary A-grade 67,000,000", got.Value, got.Primary)
	}
	if len(got.Conflicts) != 2 || got.Conflicts[0].Value != 67_100_000 || got.Conflicts[1].Value != 66_800_000 {
		t.Errorf("conflicts %+v, want the A copy then the C copy", got.Conflicts)
	}
	if got := PickItem([]Item[USD]{copyC, wire}); got.Value.Or(0) != 67_100_000 {
		t.Errorf("grade A should beat grade C: %v", got.Value)
	}
	b1 := Sourced[BTC](689, src("https://zacks.example", GradeB, "2025-11-14", false))
	b2 := Sourced[BTC](629, src("https://beyondspx.example", GradeB, "2025-11-04", false))
	if got := PickItem([]Item[BTC]{b1, b2}); got.Value.Or(0) != 689 || len(got.Conflicts) != 1 {
		t.Errorf("tie: %v %v, want the first, 689", got.Value, got.Conflicts)
	}
	if got := PickItem[USD](nil); got.OK() {
		t.Error("no candidates gave a value")
	}
}

// A board dated before the winner was public sees the best conflict that
// was; before anything was public, nothing.
func TestItemAsOf(t *testing.T) {
	// Zacks' 689 (B) is dated 2025-11-14, the other B source's 629 was out on 2025-11-04.
	it := PickItem([]Item[BTC]{
		Sourced[BTC](689, src("https://zacks.example", GradeB, "2025-11-14", false)),
		Sourced[BTC](629, src("https://beyondspx.example", GradeB, "2025-11-04", false)),
	})
	cases := []struct {
		d         string
		want      float64
		ok        bool
		conflicts int
	}{
		{"2025-11-03", 0, false, 0},
		{"2025-11-04", 629, true, 0},
		{"2025-11-13", 629, true, 0},
		{"2025-11-14", 689, true, 1},
		{"2026-06-30", 689, true, 1},
	}
	for _, c := range cases {
		got := it.AsOf(day(c.d))
		if got.OK() != c.ok || float64(got.Value.Or(0)) != c.want || len(got.Conflicts) != c.conflicts {
			t.Errorf("as of %s: %v (%d conflicts), want %v (%d)", c.d, got.Value, len(got.Conflicts), c.want, c.conflicts)
		}
	}
	// An item with no publication date is never used.
	if (Item[USD]{Value: Known[USD](1)}).AsOf(day("2030-01-01")).OK() {
		t.Error("an undated item was used")
	}

	q := Quarter{Ticker: "X", Calendar: "2025-Q3", End: day("2025-09-30"), Published: day("2025-11-04"), BTCMined: it,
		Metrics: []CompanyMetric{
			{Name: "late", Value: 1, Provenance: src("u", GradeA, "2026-01-01", true)},
			{Name: "early", Value: 2, Provenance: src("u", GradeA, "2025-11-04", true)},
		}}
	if _, ok := q.AsOf(day("2025-11-03")); ok {
		t.Error("a quarter with nothing public yet was returned")
	}
	v, ok := q.AsOf(day("2025-11-05"))
	if !ok || v.BTCMined.Value.Or(0) != 629 || len(v.Metrics) != 1 || v.Metrics[0].Name != "early" {
		t.Errorf("as of 2025-11-05: %v, metrics %+v", v.BTCMined.Value, v.Metrics)
	}
	if len(q.Metrics) != 2 || q.BTCMined.Value.Or(0) != 689 {
		t.Error("AsOf modified the quarter it was given")
	}
	if got := QuartersAsOf([]Quarter{q}, day("2025-11-01")); len(got) != 0 {
		t.Errorf("QuartersAsOf before publication: %d quarters", len(got))
	}
}

func TestDerivedFrom(t *testing.T) {
	a := src("a", GradeA, "2025-05-14", true)
	c := src("c", GradeC, "2025-05-09", false)
	c.PublishedEstimated = true
	p := DerivedFrom("x ÷ y", a, c)
	if p.Grade != GradeC || p.Published != day("2025-05-14") || !p.Derived || !p.PublishedEstimated || p.Note != "x ÷ y" || p.Source != "a + c" {
		t.Errorf("derived provenance %+v: want grade C, the later date, derived, estimated, sources a + c", p)
	}
	if p := DerivedFrom("z", p, a, src("d", GradeB, "2025-05-01", false)); p.Source != "a + c + d" {
		t.Errorf("nested derivation names its sources %q, want each once", p.Source)
	}
	if p := DerivedFrom("", a, Provenance{Grade: GradeA}); !p.Published.IsZero() {
		t.Error("an undated input gave a dated result")
	}
	raw, _ := json.Marshal(Sourced[USD](1, a))
	if !strings.Contains(string(raw), `"published":"2025-05-14"`) {
		t.Errorf("item JSON %s", raw)
	}
}

// MergeQuarters: the filing (grade A, primary) wins an item both sources
// have, the research value stays as its conflict, items only one has are
// kept, and a quarter only one source has is kept whole.
func TestMergeQuarters(t *testing.T) {
	end := NewDate(2025, 9, 30)
	research := []Quarter{{Ticker: "RIOT", End: end, Published: NewDate(2025, 10, 30),
		RevenueMining: Sourced[USD](160e6, Provenance{Source: "news", Grade: GradeB}),
		SGA:           Sourced[USD](50e6, Provenance{Source: "news", Grade: GradeB}),
		BTCMined:      Sourced[BTC](1406, Provenance{Source: "release", Grade: GradeA, Primary: true})}}
	filed := []Quarter{
		{Ticker: "RIOT", End: NewDate(2025, 6, 30), Published: NewDate(2025, 7, 31), SGA: Sourced[USD](45e6, Provenance{Source: "10-Q q2", Grade: GradeA, Primary: true})},
		{Ticker: "RIOT", End: end, Published: NewDate(2025, 10, 31), SGA: Sourced[USD](51e6, Provenance{Source: "10-Q q3", Grade: GradeA, Primary: true}),
			Interest: Sourced[USD](3e6, Provenance{Source: "10-Q q3", Grade: GradeA, Primary: true})},
	}
	got := MergeQuarters(research, filed)
	if len(got) != 2 || got[0].End != NewDate(2025, 6, 30) || got[1].End != end {
		t.Fatalf("quarters %+v", got)
	}
	q := got[1]
	if q.SGA.Value.Or(0) != 51e6 || q.SGA.Source != "10-Q q3" || len(q.SGA.Conflicts) != 1 || q.SGA.Conflicts[0].Value != 50e6 {
		t.Errorf("SG&A %+v", q.SGA)
	}
	if q.RevenueMining.Value.Or(0) != 160e6 || q.Interest.Value.Or(0) != 3e6 || q.BTCMined.Value.Or(0) != 1406 {
		t.Errorf("items of one source: %+v %+v %+v", q.RevenueMining, q.Interest, q.BTCMined)
	}
	if q.Published != NewDate(2025, 10, 30) {
		t.Errorf("published %s, want the earlier", q.Published)
	}
}
