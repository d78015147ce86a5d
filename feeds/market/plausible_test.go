package market

import (
	"strings"
	"testing"
	"time"
)

// Issue 13 row 2: an upstream answering block height 0 and fees exactly 0
// was accepted as live (subsidy 50 BTC, hashprice $896/PH/day). Each rule of
// Vet gets the value that broke it, and a value that must pass.
func TestVetRules(t *testing.T) {
	t0 := time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)
	prev := &State{Values: map[Metric]Value{
		Height:       {V: 929_000, At: t0},                       // epoch 460 (927,360 … 929,375)
		Difficulty:   {V: 148.26e12, At: t0},                     //
		FeesPerBlock: {V: 0.02, At: t0},                          //
		PriceUSD:     {V: 90_000, At: t0.Add(-10 * time.Minute)}, //
	}}
	for _, tc := range []struct {
		name   string
		obs    []Observation
		refuse string // metric refused, "" when all pass
	}{
		{"height 0", []Observation{{Metric: Height, Value: 0}}, string(Height)},
		{"height far back", []Observation{{Metric: Height, Value: 928_000}}, string(Height)},
		{"height within a reorg", []Observation{{Metric: Height, Value: 928_995}}, ""},
		{"height forward", []Observation{{Metric: Height, Value: 929_050}}, ""},
		{"fees exactly 0", []Observation{{Metric: FeesPerBlock, Value: 0}}, string(FeesPerBlock)},
		{"fees small", []Observation{{Metric: FeesPerBlock, Value: 0.001}}, ""},
		{"difficulty moves within the epoch", []Observation{{Metric: Difficulty, Value: 150e12}, {Metric: Height, Value: 929_100}}, string(Difficulty)},
		{"difficulty moves at a retarget", []Observation{{Metric: Difficulty, Value: 150e12}, {Metric: Height, Value: 929_380}}, ""},
		{"difficulty rounding", []Observation{{Metric: Difficulty, Value: 148.26e12 * (1 + 1e-9)}}, ""},
		{"difficulty ×5", []Observation{{Metric: Difficulty, Value: 5 * 148.26e12}, {Metric: Height, Value: 929_380}}, string(Difficulty)},
		{"price jumps 40% in 10 minutes", []Observation{{Metric: PriceUSD, Value: 126_000, At: t0}}, string(PriceUSD)},
		{"price moves 3%", []Observation{{Metric: PriceUSD, Value: 92_700, At: t0}}, ""},
		{"price after a long gap", []Observation{{Metric: PriceUSD, Value: 126_000, At: t0.Add(48 * time.Hour)}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Batch{Obs: tc.obs}
			reasons := prev.Vet(&b)
			if tc.refuse == "" {
				if len(reasons) != 0 || len(b.Obs) != len(tc.obs) {
					t.Errorf("refused %v", reasons)
				}
				return
			}
			if len(reasons) != 1 || !strings.HasPrefix(reasons[0], tc.refuse+":") || len(b.Rejected) != 1 || len(b.Obs) != len(tc.obs)-1 {
				t.Errorf("reasons %v, kept %v, rejected %v; want %s refused", reasons, b.Obs, b.Rejected, tc.refuse)
			}
		})
	}
	// With no history only the fixed rules apply.
	var none *State
	b := Batch{Obs: []Observation{{Metric: Height, Value: 0}, {Metric: Difficulty, Value: 1e12}, {Metric: PriceUSD, Value: 5}}}
	if r := none.Vet(&b); len(r) != 1 || len(b.Obs) != 2 {
		t.Errorf("no history: %v", r)
	}
}
