package econ

import (
	"math"
	"time"
)

// Protocol constants of Bitcoin mainnet.
const (
	// SatsPerBTC is the number of satoshis in one bitcoin.
	SatsPerBTC = 100_000_000
	// InitialSubsidy is the block subsidy of the first era, in satoshis (50 BTC).
	InitialSubsidy Sats = 50 * SatsPerBTC
	// HalvingInterval is the number of blocks between subsidy halvings.
	HalvingInterval = 210_000
	// MaxHalvings is the halving count after which the subsidy is zero
	// (Bitcoin Core's GetBlockSubsidy stops shifting at 64).
	MaxHalvings = 64
	// EpochBlocks is the number of blocks between difficulty retargets.
	EpochBlocks = 2016
	// TargetBlockTime is the block interval the retarget aims for.
	TargetBlockTime = 600 * time.Second
	// HashesPerDifficulty is the expected number of hashes per block per unit
	// of difficulty, 2^32.
	HashesPerDifficulty = 4294967296.0
	// MaxRetargetUpPct and MaxRetargetDownPct bound one retarget: the
	// timespan is clamped to [¼, 4] × two weeks, so difficulty moves at
	// most ×4 (+300%) or ÷4 (−75%).
	MaxRetargetUpPct   Percent = 300
	MaxRetargetDownPct Percent = -75
	// EstimateMinBlocks is the number of blocks into an epoch before which
	// mempool.space publishes no next-difficulty estimate (146 blocks, 7.2%).
	EstimateMinBlocks = 146
)

// SubsidySats returns the block subsidy at height in satoshis:
// 50 BTC shifted right once per 210,000 blocks, zero from the 64th halving
// on, and zero for a negative height.
func SubsidySats(height int64) Sats {
	if height < 0 {
		return 0
	}
	halvings := height / HalvingInterval
	if halvings >= MaxHalvings {
		return 0
	}
	return InitialSubsidy >> uint(halvings)
}

// Subsidy returns the block subsidy at height in BTC (3.125 for heights
// 840,000 … 1,049,999; 1.5625 from 1,050,000).
func Subsidy(height int64) BTC { return SubsidySats(height).BTC() }

// NextHalvingHeight returns the height of the first block after height that
// has a smaller subsidy (a multiple of 210,000).
func NextHalvingHeight(height int64) int64 {
	if height < 0 {
		height = 0
	}
	return (height/HalvingInterval + 1) * HalvingInterval
}

// BlocksToHalving returns the number of blocks from height to the next
// halving height (179,980 at height 870,020).
func BlocksToHalving(height int64) int64 { return NextHalvingHeight(height) - max(height, 0) }

// HalvingETA estimates when the next halving block is mined: now plus the
// remaining blocks times meanBlock. A non-positive meanBlock means
// [TargetBlockTime].
func HalvingETA(height int64, now time.Time, meanBlock time.Duration) time.Time {
	if meanBlock <= 0 {
		meanBlock = TargetBlockTime
	}
	return now.Add(time.Duration(BlocksToHalving(height)) * meanBlock)
}

// NetworkHashrate estimates the network hashrate in H/s implied by
// difficulty d at the mean block time meanBlock: D·2^32 / T. A
// non-positive meanBlock means [TargetBlockTime] (the "difficulty-implied"
// hashrate); an observed mean gives the real-time estimate mempool and
// Hashrate Index show.
func NetworkHashrate(d Difficulty, meanBlock time.Duration) HashesPerSecond {
	if meanBlock <= 0 {
		meanBlock = TargetBlockTime
	}
	return HashesPerSecond(float64(d) * HashesPerDifficulty / meanBlock.Seconds())
}

// Epoch describes the retarget epoch in progress.
type Epoch struct {
	// Height is the tip height.
	Height int64
	// Start is the timestamp of the epoch's first block (the block at
	// Height − Height mod 2016).
	Start time.Time
	// Now is the time the estimate is made for.
	Now time.Time
	// Difficulty is the current difficulty (unknown leaves NextDifficulty unknown).
	Difficulty Maybe[Difficulty]
}

// DifficultyEstimate is the projected outcome of the current epoch.
type DifficultyEstimate struct {
	// BlocksInEpoch is Height mod 2016; RemainingBlocks is 2016 minus it.
	BlocksInEpoch   int64 `json:"blocks_in_epoch"`
	RemainingBlocks int64 `json:"remaining_blocks"`
	// NextRetargetHeight is the height of the first block of the next epoch.
	NextRetargetHeight int64 `json:"next_retarget_height"`
	// ProgressPct is BlocksInEpoch / 2016 in percent.
	ProgressPct Percent `json:"progress_pct"`
	// MeanBlockTime is the mean interval so far in the epoch; it is the
	// target interval when no estimate is made yet.
	MeanBlockTime time.Duration `json:"-"`
	// Observed reports whether MeanBlockTime was measured (enough blocks
	// into the epoch) rather than assumed to be the target.
	Observed bool `json:"observed"`
	// ChangePct is the estimated next retarget in percent, clamped to
	// [−75, +300]; unknown before the minimum number of blocks.
	ChangePct Maybe[Percent] `json:"change_pct"`
	// NextDifficulty is the current difficulty times (1 + ChangePct/100).
	NextDifficulty Maybe[Difficulty] `json:"next_difficulty"`
	// ETA is when the retarget block is expected: Now + RemainingBlocks × MeanBlockTime.
	ETA time.Time `json:"eta"`
}

// EstimateNextDifficulty projects the next retarget the way mempool.space
// does: the mean interval so far is (Now − Start)/BlocksInEpoch, the change
// is (600 s / mean − 1)·100 %, clamped to [−75 %, +300 %], and no estimate
// is made before minBlocks blocks of the epoch (mempool uses
// [EstimateMinBlocks]; values below 1 are treated as 1). The ETA is Now plus
// the remaining blocks at the mean interval, or at 600 s when no estimate is
// made yet.
func EstimateNextDifficulty(e Epoch, minBlocks int64) DifficultyEstimate {
	minBlocks = max(minBlocks, 1)
	h := max(e.Height, 0)
	in := h % EpochBlocks
	est := DifficultyEstimate{
		BlocksInEpoch:      in,
		RemainingBlocks:    EpochBlocks - in,
		NextRetargetHeight: h + EpochBlocks - in,
		ProgressPct:        Percent(float64(in) / EpochBlocks * 100),
		MeanBlockTime:      TargetBlockTime,
	}
	elapsed := e.Now.Sub(e.Start)
	if in >= minBlocks && elapsed > 0 {
		mean := elapsed / time.Duration(in)
		est.MeanBlockTime = mean
		est.Observed = true
		change := Percent((TargetBlockTime.Seconds()/mean.Seconds() - 1) * 100)
		change = ClampRetarget(change)
		est.ChangePct = Known(change)
		est.NextDifficulty = Map(e.Difficulty, func(d Difficulty) Difficulty {
			return d * Difficulty(1+change/100)
		})
	}
	est.ETA = e.Now.Add(time.Duration(est.RemainingBlocks) * est.MeanBlockTime)
	return est
}

// ClampRetarget bounds a retarget change in percent to the protocol's
// [−75 %, +300 %].
func ClampRetarget(change Percent) Percent {
	return Percent(math.Min(math.Max(float64(change), float64(MaxRetargetDownPct)), float64(MaxRetargetUpPct)))
}
