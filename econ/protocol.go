package econ

import (
	"fmt"
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

// Bounds on an epoch's timing, from the protocol. The retarget aims at
// [TargetBlockTime] and clamps each adjustment to a factor of 4 (the
// timespan to [¼, 4] × two weeks), so the network is never in an epoch whose
// mean interval lies outside [TargetBlockTime/4, 4 × TargetBlockTime]
// (150 s to 2400 s) for long: that would take the hashrate moving more than
// fourfold within two weeks. A block's timestamp may run up to
// [MaxBlockTimeDrift] ahead of the network's time, so each bound gets that
// slack. An epoch start or a retarget date outside them belongs to another
// epoch (a cached or replayed answer), not to the blocks mined.
const (
	MinMeanBlockTime  = TargetBlockTime / 4
	MaxMeanBlockTime  = 4 * TargetBlockTime
	MaxBlockTimeDrift = 2 * time.Hour
)

// CheckEpochStart reports why start cannot be the time of the first block
// of the epoch the tip at height is in, seen at at, or nil. The height mod
// 2016 intervals since that block, plus the time since the tip (one more
// interval), must fit the mean-interval bounds above: an epoch 56 % done
// cannot have started 332 days ago.
func CheckEpochStart(height int64, start, at time.Time) error {
	in := max(height, 0) % EpochBlocks
	elapsed := at.Sub(start)
	lo := time.Duration(in)*MinMeanBlockTime - MaxBlockTimeDrift
	hi := time.Duration(in+1)*MaxMeanBlockTime + MaxBlockTimeDrift
	if elapsed < lo || elapsed > hi {
		return fmt.Errorf("an epoch start %s before %s is impossible with %d of its %d blocks mined (it must lie %s to %s before)",
			fmtSpan(elapsed), at.UTC().Format("2006-01-02 15:04Z"), in, EpochBlocks, fmtSpan(max(lo, 0)), fmtSpan(hi))
	}
	return nil
}

// CheckRetargetDate reports why eta cannot be when the retarget after the
// tip at height is mined, as estimated at at, or nil: the blocks remaining
// in the epoch must fit the same mean-interval bounds.
func CheckRetargetDate(height int64, eta, at time.Time) error {
	remaining := EpochBlocks - max(height, 0)%EpochBlocks
	ahead := eta.Sub(at)
	lo := time.Duration(remaining-1)*MinMeanBlockTime - MaxBlockTimeDrift
	hi := time.Duration(remaining)*MaxMeanBlockTime + MaxBlockTimeDrift
	if ahead < lo || ahead > hi {
		return fmt.Errorf("a retarget %s from %s is impossible with %d blocks to go (it must lie %s to %s ahead)",
			fmtSpan(ahead), at.UTC().Format("2006-01-02 15:04Z"), remaining, fmtSpan(max(lo, 0)), fmtSpan(hi))
	}
	return nil
}

// fmtSpan writes a duration in days and hours ("332d 2h", "-318d 4h").
func fmtSpan(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	days, hours := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	return fmt.Sprintf("%s%dd %dh", sign, days, hours)
}
