package econ

import (
	"math"
	"testing"
)

// TestHashpriceAgainstPublished checks the hashprice formula against the
// published figures in docs/economics.md, "Checks against published
// figures": the USD hashprice must be within ±2.5% (Luxor's fee SMA, price
// average and snapshot time cannot be reproduced exactly).
func TestHashpriceAgainstPublished(t *testing.T) {
	tests := []struct {
		name      string
		diff      Difficulty
		price     USDPerBTC
		feeShare  Percent
		published USDPerPHDay
	}{
		{"HRI roundup 2024-12-23", 108.52e12, 93_450, 2.42, 55.21},
		{"block 862,848, 2024-09-25 (Bitcoin.com)", 88.40e12, 64_000, 0, 45.79},
		{"HRI roundup 2026-01-12", 148.26e12, 91_132, 0.55, 39.53},
		{"elektronics.dev toy example", 100e12, 100_000, 0, 62.81},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reward, err := RewardFromFeeShare(Subsidy(870_000), tt.feeShare)
			if err != nil {
				t.Fatal(err)
			}
			got := HashpriceAt(tt.diff, reward, tt.price)
			if dev := float64(got/tt.published - 1); math.Abs(dev) > 0.025 {
				t.Errorf("hashprice = $%.2f/PH/day, published $%.2f: off by %+.2f%%", got, tt.published, dev*100)
			}
		})
	}
	// The 2026-01-12 roundup also published BTC hashprice 0.00043143.
	reward, _ := RewardFromFeeShare(3.125, 0.55)
	hv := Hashvalue(148.26e12, reward)
	if dev := float64(hv/0.00043143 - 1); math.Abs(dev) > 0.025 {
		t.Errorf("hashvalue = %.8f BTC/PH/day, published 0.00043143: off by %+.2f%%", hv, dev*100)
	}
}

// TestWorkedExample follows docs/economics.md, "Worked example", step by
// step; these are pure formulas, so the figures must match to the digits
// printed there.
func TestWorkedExample(t *testing.T) {
	reward, err := RewardFromFeeShare(3.125, 0.55)
	if err != nil {
		t.Fatal(err)
	}
	if got := round(float64(reward), 4); got != 3.1423 {
		t.Errorf("reward = %v BTC, want 3.1423", got)
	}
	if got := BlocksPerPHDay(148.26e12); !near(got, 8.64e19/(148.26e12*4294967296), 1e-15) || round(got*1e4, 4) != 1.3568 {
		t.Errorf("blocks/PH/day = %v, want 1.3568e-4", got)
	}
	hv := Hashvalue(148.26e12, reward)
	if got := round(float64(hv)*1e8, 0); got != 42636 { // 0.00042636 BTC = 42.6 sats/TH/day
		t.Errorf("hashvalue = %.8f BTC/PH/day, want 0.00042636", hv)
	}
	hp := Hashprice(hv, 91_132)
	if got := round(float64(hp), 2); got != 38.85 {
		t.Errorf("hashprice = %v, want $38.85/PH/day", got)
	}
	if got := round(float64(hp.PerTH()), 4); got != 0.0389 {
		t.Errorf("hashprice = %v, want $0.0389/TH/day", got)
	}
	// Revenue per MWh by Hashrate Index fleet tier, from HRI's own $39.53.
	for eff, want := range map[JoulesPerTH]float64{17: 97, 22: 75, 32.3: 51} {
		got, ok := RevenuePerMWh(39.53, eff).Get()
		if !ok || round(float64(got), 0) != want {
			t.Errorf("revenue/MWh at %v J/TH = %v, want $%v", eff, got, want)
		}
	}
	if RevenuePerMWh(39.53, 0).OK() {
		t.Error("revenue/MWh at 0 J/TH is known; want unknown")
	}
}

func TestRewardAndFees(t *testing.T) {
	if _, err := RewardFromFeeShare(3.125, 100); err == nil {
		t.Error("fee share 100% accepted")
	}
	if _, err := RewardFromFeeShare(3.125, -1); err == nil {
		t.Error("fee share -1% accepted")
	}
	r, err := RewardFromFeeShare(3.125, 20)
	if err != nil || r != 3.90625 {
		t.Errorf("reward at 20%% fee share = %v, %v; want 3.90625", r, err)
	}
	// FeeShare inverts RewardFromFeeShare.
	if got := FeeShare(3.125, r-3.125).Or(-1); !near(float64(got), 20, 1e-12) {
		t.Errorf("FeeShare = %v, want 20%%", got)
	}
	if FeeShare(0, 0).OK() {
		t.Error("fee share of a zero reward is known")
	}
	if got := AfterPoolFee(USDPerPHDay(40), 2.5); got != 39 {
		t.Errorf("AfterPoolFee(40, 2.5%%) = %v, want 39", got)
	}
	if got := BlocksPerPHDay(0); got != 0 {
		t.Errorf("BlocksPerPHDay(0) = %v, want 0", got)
	}
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
