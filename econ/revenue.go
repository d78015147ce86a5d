package econ

import "fmt"

// HashesPerPHDay is the number of hashes 1 PH/s computes in a day: 1e15 × 86,400.
const HashesPerPHDay = 1e15 * 86400

// BlocksPerPHDay returns the expected number of blocks 1 PH/s finds per day
// at difficulty d: 8.64e19 / (D·2^32). For d ≤ 0 it returns 0.
func BlocksPerPHDay(d Difficulty) float64 {
	if d <= 0 {
		return 0
	}
	return HashesPerPHDay / (float64(d) * HashesPerDifficulty)
}

// Reward returns the mean reward per block in BTC: subsidy plus mean fees.
func Reward(subsidy, feesPerBlock BTC) BTC { return subsidy + feesPerBlock }

// RewardFromFeeShare returns the mean reward per block when only the fee
// share of rewards is known: subsidy / (1 − share/100). The share must be in
// [0, 100).
func RewardFromFeeShare(subsidy BTC, share Percent) (BTC, error) {
	if share < 0 || share >= 100 || share != share {
		return 0, fmt.Errorf("fee share %v%% is outside [0, 100)", float64(share))
	}
	return subsidy / BTC(1-share/100), nil
}

// FeeShare returns fees as a percentage of the total reward (subsidy + fees);
// unknown when the total is not positive.
func FeeShare(subsidy, feesPerBlock BTC) Maybe[Percent] {
	total := subsidy + feesPerBlock
	if total <= 0 {
		return Maybe[Percent]{}
	}
	return Known(Percent(feesPerBlock / total * 100))
}

// Hashvalue returns the BTC earned per PH/s per day (gross, before any pool
// fee) at difficulty d with a mean reward per block of reward BTC:
// 8.64e19 / (D·2^32) × reward. Hashrate Index calls this BTC hashprice.
func Hashvalue(d Difficulty, reward BTC) BTCPerPHDay {
	return BTCPerPHDay(BlocksPerPHDay(d) * float64(reward))
}

// Hashprice returns the USD earned per PH/s per day: hashvalue × BTC price.
func Hashprice(hv BTCPerPHDay, price USDPerBTC) USDPerPHDay {
	return USDPerPHDay(float64(hv) * float64(price))
}

// HashpriceAt is Hashprice(Hashvalue(d, reward), price) in one call; it is
// the hot path for charts and grids and does not allocate.
func HashpriceAt(d Difficulty, reward BTC, price USDPerBTC) USDPerPHDay {
	return Hashprice(Hashvalue(d, reward), price)
}

// AfterPoolFee returns v less a pool fee of fee percent: v × (1 − fee/100).
// It applies to any revenue rate (hashvalue or hashprice).
func AfterPoolFee[T ~float64](v T, fee Percent) T { return v * T(1-fee/100) }

// RevenuePerMWh returns the revenue per megawatt-hour a fleet of efficiency
// eff earns at hashprice hp: hp / (J/TH × 0.024). 1 PH/s at eff J/TH draws
// eff kW, i.e. eff × 0.024 MWh a day.
func RevenuePerMWh(hp USDPerPHDay, eff JoulesPerTH) Maybe[USDPerMWh] {
	if eff <= 0 {
		return Maybe[USDPerMWh]{}
	}
	return Known(USDPerMWh(float64(hp) / (float64(eff) * 0.024)))
}
