package board

import (
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// A sector reference figure for a period (TheMinerMag's Q3-2025 median
// hashcost, reported in November) is not on a board dated before it could
// have been published; a day's index value is from that day.
func TestReferencePointsAsOfPublication(t *testing.T) {
	has := func(at time.Time, name, period string) bool {
		d := Build(NewEnvAt(testEnv().Dataset, testEnv().Peers, at), nil, at, econ.Scenario{})
		for _, r := range d.References {
			if r.Name == name && r.Period.Label == period {
				return true
			}
		}
		return false
	}
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t.Add(12 * time.Hour) }
	if has(day("2025-10-01"), "Median total hashcost", "2025-Q3") {
		t.Error("as of 2025-10-01: TheMinerMag's Q3-2025 median hashcost is shown")
	}
	if !has(day("2025-11-14"), "Median total hashcost", "2025-Q3") {
		t.Error("as of 2025-11-14: TheMinerMag's Q3-2025 median hashcost is missing")
	}
	if has(day("2025-12-01"), "Nov-2025 average", "2025-11") {
		t.Error("as of 2025-12-01: the November 2025 average is shown")
	}
	if !has(day("2025-11-22"), "Record low", "2025-11-22") {
		t.Error("as of 2025-11-22: that day's record low is missing")
	}
}
