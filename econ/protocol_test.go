package econ

import (
	"math"
	"testing"
	"time"
)

func TestSubsidyByHeight(t *testing.T) {
	tests := []struct {
		height int64
		want   Sats
	}{
		{-1, 0},
		{0, 50 * SatsPerBTC},
		{209_999, 50 * SatsPerBTC},
		{210_000, 25 * SatsPerBTC},
		{839_999, 625_000_000},
		{840_000, 312_500_000}, // 3.125 BTC since 2024-04-20
		{1_049_999, 312_500_000},
		{1_050_000, 156_250_000},  // 1.5625 BTC
		{32 * HalvingInterval, 1}, // 5e9 >> 32 = 1 sat: the last satoshi era
		{33 * HalvingInterval, 0}, // shifted to nothing long before the 64th halving
		{64*HalvingInterval - 1, 0},
		{64 * HalvingInterval, 0},
		{math.MaxInt64, 0},
	}
	for _, tt := range tests {
		if got := SubsidySats(tt.height); got != tt.want {
			t.Errorf("SubsidySats(%d) = %d, want %d", tt.height, got, tt.want)
		}
	}
	if got := Subsidy(1_049_999); got != 3.125 {
		t.Errorf("Subsidy(1,049,999) = %v BTC, want 3.125", got)
	}
	if got := Subsidy(1_050_000); got != 1.5625 {
		t.Errorf("Subsidy(1,050,000) = %v BTC, want 1.5625", got)
	}
}

func TestHalvingCountdown(t *testing.T) {
	// Hashrate Index, 2024-11-12: 179,980 blocks to the halving.
	if got := BlocksToHalving(870_020); got != 179_980 {
		t.Errorf("BlocksToHalving(870,020) = %d, want 179,980", got)
	}
	tests := []struct{ height, next, left int64 }{
		{0, 210_000, 210_000},
		{839_999, 840_000, 1},
		{840_000, 1_050_000, 210_000}, // the halving block itself starts a new era
		{1_049_999, 1_050_000, 1},
	}
	for _, tt := range tests {
		if got := NextHalvingHeight(tt.height); got != tt.next {
			t.Errorf("NextHalvingHeight(%d) = %d, want %d", tt.height, got, tt.next)
		}
		if got := BlocksToHalving(tt.height); got != tt.left {
			t.Errorf("BlocksToHalving(%d) = %d, want %d", tt.height, got, tt.left)
		}
	}
	now := time.Date(2024, 11, 12, 0, 0, 0, 0, time.UTC)
	// At exactly 600 s a block, 179,980 blocks are 1,249.86 days: 2028-04-14 20:40 from midnight.
	// Hashrate Index published "Apr 15, 2028" from a snapshot taken at an unstated time that day.
	eta := HalvingETA(870_020, now, 0)
	if want := time.Date(2028, 4, 14, 20, 40, 0, 0, time.UTC); !eta.Equal(want) {
		t.Errorf("HalvingETA at 600 s = %v, want %v", eta, want)
	}
	if published := time.Date(2028, 4, 15, 12, 0, 0, 0, time.UTC); published.Sub(eta).Abs() > 24*time.Hour {
		t.Errorf("HalvingETA %v is more than a day from Hashrate Index's Apr 15, 2028", eta)
	}
	if got := HalvingETA(870_020, now, 300*time.Second).Sub(now); got != 179_980*300*time.Second {
		t.Errorf("HalvingETA at 300 s is %v after now, want %v", got, 179_980*300*time.Second)
	}
}

func TestNetworkHashrate(t *testing.T) {
	// D = 148.26T implies 1,061 EH/s at 600 s blocks
	// (docs/economics.md, "Worked example").
	got := NetworkHashrate(148.26e12, 0).EHs()
	want := EHs(148.26e12 * 4294967296 / 600 / 1e18)
	if got != want {
		t.Errorf("NetworkHashrate(148.26T) = %v EH/s, want %v", got, want)
	}
	if math.Round(float64(got)) != 1061 {
		t.Errorf("NetworkHashrate(148.26T) = %.1f EH/s, want ≈1,061", got)
	}
	// Slower blocks mean less hashrate: 612 s blocks give 600/612 of it.
	slow := NetworkHashrate(148.26e12, 612*time.Second).EHs()
	if !near(float64(slow), float64(got)*600/612, 1e-12) {
		t.Errorf("hashrate at 612 s = %v, want %v", slow, float64(got)*600/612)
	}
}

func TestEstimateNextDifficulty(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	epochAt := func(blocks int64, mean time.Duration) Epoch {
		return Epoch{Height: 927_360 + blocks, Start: start, Now: start.Add(time.Duration(blocks) * mean), Difficulty: Known[Difficulty](148.26e12)}
	}
	tests := []struct {
		name   string
		blocks int64
		mean   time.Duration
		want   Percent // NaN: no estimate
	}{
		{"on target", 1000, 600 * time.Second, 0},
		{"612 s blocks (HRI 2026-01-12)", 1000, 612 * time.Second, Percent((600.0/612 - 1) * 100)},
		{"4x faster clamps to +300%", 500, 150 * time.Second, 300},
		{"5x faster still +300%", 500, 120 * time.Second, 300},
		{"4x slower clamps to -75%", 500, 2400 * time.Second, -75},
		{"5x slower still -75%", 500, 3000 * time.Second, -75},
		{"145 blocks: too early", 145, 500 * time.Second, Percent(math.NaN())},
		{"146 blocks: first estimate", 146, 500 * time.Second, 20},
		{"fresh epoch", 0, 600 * time.Second, Percent(math.NaN())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			est := EstimateNextDifficulty(epochAt(tt.blocks, tt.mean), EstimateMinBlocks)
			got, ok := est.ChangePct.Get()
			if math.IsNaN(float64(tt.want)) {
				if ok {
					t.Fatalf("ChangePct = %v, want unknown", got)
				}
				if est.NextDifficulty.OK() {
					t.Fatalf("NextDifficulty known without an estimate")
				}
				return
			}
			if !ok || !near(float64(got), float64(tt.want), 1e-9) {
				t.Fatalf("ChangePct = %v (known %v), want %v", got, ok, tt.want)
			}
			nd, _ := est.NextDifficulty.Get()
			if !near(float64(nd), 148.26e12*(1+float64(tt.want)/100), 1e-9) {
				t.Errorf("NextDifficulty = %v, want %v", nd, 148.26e12*(1+float64(tt.want)/100))
			}
		})
	}
	// The HRI example rounds to -1.96%.
	est := EstimateNextDifficulty(epochAt(1000, 612*time.Second), EstimateMinBlocks)
	if got := math.Round(float64(est.ChangePct.Or(0))*100) / 100; got != -1.96 {
		t.Errorf("612 s blocks: change %.2f%%, want -1.96%%", got)
	}
}

func TestEstimateProgressAndETA(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// 1,008 blocks in, at 590 s each: half the epoch done.
	e := Epoch{Height: 2016*460 + 1008, Start: start, Now: start.Add(1008 * 590 * time.Second)}
	est := EstimateNextDifficulty(e, EstimateMinBlocks)
	if est.BlocksInEpoch != 1008 || est.RemainingBlocks != 1008 || est.ProgressPct != 50 {
		t.Errorf("progress = %d in, %d left, %v%%; want 1008, 1008, 50%%", est.BlocksInEpoch, est.RemainingBlocks, est.ProgressPct)
	}
	if est.NextRetargetHeight != 2016*461 {
		t.Errorf("NextRetargetHeight = %d, want %d", est.NextRetargetHeight, 2016*461)
	}
	if !est.Observed || est.MeanBlockTime != 590*time.Second {
		t.Errorf("mean block time = %v (observed %v), want 590s observed", est.MeanBlockTime, est.Observed)
	}
	if want := e.Now.Add(1008 * 590 * time.Second); !est.ETA.Equal(want) {
		t.Errorf("ETA = %v, want %v", est.ETA, want)
	}
	if est.NextDifficulty.OK() {
		t.Errorf("NextDifficulty known although the current difficulty is unknown")
	}
	// Too early for an estimate: the ETA falls back to 600 s blocks.
	early := Epoch{Height: 2016*460 + 10, Start: start, Now: start.Add(10 * 300 * time.Second)}
	est = EstimateNextDifficulty(early, EstimateMinBlocks)
	if est.Observed || !est.ETA.Equal(early.Now.Add(2006*600*time.Second)) {
		t.Errorf("early ETA = %v (observed %v), want now + 2006 × 600 s", est.ETA, est.Observed)
	}
	// A caller may ask for estimates earlier than mempool does.
	if est := EstimateNextDifficulty(early, 10); !est.ChangePct.OK() || est.ChangePct.Or(0) != 100 {
		t.Errorf("minBlocks=10: change %v, want +100%%", est.ChangePct)
	}
}

func TestClampRetarget(t *testing.T) {
	for in, want := range map[Percent]Percent{-100: -75, -75: -75, -12.5: -12.5, 0: 0, 299.9: 299.9, 300: 300, 1e6: 300} {
		if got := ClampRetarget(in); got != want {
			t.Errorf("ClampRetarget(%v) = %v, want %v", in, got, want)
		}
	}
}

// near reports whether a and b agree to a relative tolerance rel.
func near(a, b, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}
