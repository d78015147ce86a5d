package board

import (
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// The retarget date: the upstream's own estimate when it is fresh and
// possible for the blocks remaining, else hashdeck's, labelled as such; and
// none from an epoch start the blocks mined make impossible.
func TestRetargetDateAndItsSource(t *testing.T) {
	env := testEnv()
	now := time.Date(2026, 12, 4, 20, 17, 0, 0, time.UTC)
	const height = 930_512 // 1,136 blocks into its epoch, 880 to go
	upstreamETA := now.Add(6*24*time.Hour + 5*time.Hour)
	state := func(epochStart time.Time, eta time.Time) *market.State {
		vals := map[market.Metric]market.Value{
			market.Height:        {V: height, At: now, Source: "mempool.space"},
			market.Difficulty:    {V: 146.47e12, At: now, Source: "mempool.space"},
			market.EpochStart:    {V: float64(epochStart.Unix()), At: now, Source: "mempool.space"},
			market.AdjustmentPct: {V: 1.74, At: now, Source: "mempool.space"},
		}
		if !eta.IsZero() {
			vals[market.RetargetDate] = market.Value{V: float64(eta.Unix()), At: now, Source: "mempool.space"}
		}
		return &market.State{Version: 1, Mode: market.ModeLive, Values: vals, Live: map[string]string{"network": "mempool.space network"}}
	}
	plausibleStart := now.Add(-1136 * 590 * time.Second)

	d := Build(env, state(plausibleStart, upstreamETA), now, econ.Scenario{})
	a := d.Board.Network.Adjustment
	if a == nil || !a.ETA.Equal(upstreamETA) || d.RetargetDateSource != "mempool.space" || d.AdjustmentSource != "mempool.space" {
		t.Errorf("with the upstream's date: %+v, sources %q / %q", a, d.AdjustmentSource, d.RetargetDateSource)
	}

	// No upstream date, or one in the past (a replayed answer): hashdeck's, labelled.
	for _, eta := range []time.Time{{}, time.Date(2026, 1, 20, 15, 9, 41, 0, time.UTC)} {
		d = Build(env, state(plausibleStart, eta), now, econ.Scenario{})
		a = d.Board.Network.Adjustment
		if a == nil || d.RetargetDateSource != OwnDateSource || d.AdjustmentSource != "mempool.space" {
			t.Fatalf("upstream date %v: %+v, sources %q / %q", eta, a, d.AdjustmentSource, d.RetargetDateSource)
		}
		if got, want := a.ETA, now.Add(880*590*time.Second); got.Sub(want).Abs() > time.Hour {
			t.Errorf("upstream date %v: hashdeck's date %v, want about %v", eta, got, want)
		}
	}

	// An epoch start 332 days old with 56 % of the epoch mined is not this
	// epoch's: no estimate, no date (never 2027-08-19 from 25,000 s blocks).
	d = Build(env, state(time.Unix(1767732842, 0), time.Time{}), now, econ.Scenario{})
	if a := d.Board.Network.Adjustment; a != nil {
		t.Errorf("an impossible epoch start gave an estimate: %+v (%q / %q)", a, d.AdjustmentSource, d.RetargetDateSource)
	}
}

// hashdeck's own retarget date is labelled as its own even when it has no
// change estimate of its own (found in the final review: the label was
// empty beside a date shown).
func TestOwnRetargetDateIsLabelledAlone(t *testing.T) {
	eta := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	n := &econ.NetworkView{Adjustment: &econ.DifficultyEstimate{ETA: eta}}
	change, date := oneEstimate(n, nil, false, eta.Add(-24*time.Hour))
	if change != "" || date != OwnDateSource {
		t.Errorf("change source %q, date source %q; want none and %q", change, date, OwnDateSource)
	}
}
