package market

import (
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

func TestNetworkInputs(t *testing.T) {
	now := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	st := &State{Values: map[Metric]Value{
		PriceUSD:      {V: 91132},
		Difficulty:    {V: 148.26e12, Stale: true},
		Height:        {V: 932392},
		FeesPerBlock:  {V: 0.0173},
		MeanBlockTime: {V: 612},
		EpochStart:    {V: float64(now.Add(-1000 * 612 * time.Second).Unix())},
	}}
	in := st.NetworkInputs(now)
	b := econ.ComputeBoard(in, nil, econ.Scenario{})
	if hp := b.Network.Hashprice.Or(0); hp < 38.8 || hp > 38.9 {
		t.Errorf("hashprice from the state = %v, want ≈38.85", hp)
	}
	if in.MeanBlockTime != 612*time.Second || b.Network.Adjustment == nil || b.Network.Adjustment.BlocksInEpoch != 932392%2016 {
		t.Errorf("epoch inputs: %+v", in)
	}
	// Nothing known: everything unknown, nothing zero.
	empty := (&State{}).NetworkInputs(now)
	if empty.Price.OK() || empty.Difficulty.OK() || empty.Height.OK() || empty.FeesPerBlock.OK() || !empty.EpochStart.IsZero() {
		t.Errorf("empty state gave %+v", empty)
	}
	var nilState *State
	if nilState.NetworkInputs(now).Price.OK() {
		t.Error("nil state has a price")
	}
}
