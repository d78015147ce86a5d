package board

import (
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// A board dated after the embedded network data end shows their last day,
// stale, and so is everything computed from it (hashprice, margins), with
// that day as its date. Within a day of the data it is current.
func TestEmbeddedNetworkStaleAfterItsEnd(t *testing.T) {
	last := testEnv().Dataset.AsOf().Network
	for _, tc := range []struct {
		at    time.Time
		stale bool
	}{
		{last.Add(12 * time.Hour), false},
		{last.Add(36 * time.Hour), false}, // the next day: its data may not exist yet
		{last.Add(60 * time.Hour), true},
		{time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		d := Build(NewEnvAt(testEnv().Dataset, testEnv().Peers, tc.at), nil, tc.at, econ.Scenario{})
		for name, s := range map[string]Sourced{"price": d.Price, "difficulty": d.Difficulty, "fees": d.Fees, "computed": d.Computed} {
			if s.Stale != tc.stale || !s.At.Equal(last) {
				t.Errorf("as of %s: %s stale %v at %s, want stale %v at %s", tc.at.Format(time.RFC3339), name, s.Stale, s.At.Format(time.DateOnly), tc.stale, last.Format(time.DateOnly))
			}
		}
		if !d.Base.Network.Hashprice.OK() {
			t.Errorf("as of %s: hashprice unknown, want the last day's, marked stale", tc.at.Format(time.RFC3339))
		}
	}
	// Offline and dated now, long after the build: stale too.
	if d := Build(testEnv(), nil, fixedNow, econ.Scenario{}); !d.Computed.Stale {
		t.Errorf("offline at %s: hashprice of %s not stale", fixedNow.Format(time.DateOnly), d.Computed.At.Format(time.DateOnly))
	}
}
