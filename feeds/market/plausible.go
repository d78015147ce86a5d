package market

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// Rules a value must pass against what the state already holds, beyond the
// fixed ranges of Bounds: an upstream that answers nonsense in range (height
// 0, fees exactly 0, a difficulty that moved between retargets) must never
// become a live number.
const (
	// ReorgDepth is how far the chain tip may go backwards between two
	// polls (a reorganisation); more than that is a broken upstream.
	ReorgDepth = 6
	// RetargetInterval is the number of blocks in a difficulty epoch.
	RetargetInterval = 2016
	// DifficultyTolerance is the relative change of difficulty accepted
	// within one epoch (rounding of a float upstream).
	DifficultyTolerance = 1e-6
	// PriceJumpPct is the largest move of the BTC price accepted against a
	// value less than PriceJumpWindow old.
	PriceJumpPct    = 15.0
	PriceJumpWindow = time.Hour
)

// Vet removes from b every observation that is implausible against s (the
// state before b is applied; nil means no history) and records why in
// b.Rejected. It returns the reasons, empty when everything passed. Rules:
//
//   - height is never 0 and never more than ReorgDepth below the last known;
//   - difficulty changes only when the height enters a later epoch than the
//     last known height's (and then by at most the protocol's ×4 / ÷4);
//   - fees per block of exactly 0 (a day's mean) are implausible;
//   - a BTC price more than PriceJumpPct away from one under PriceJumpWindow
//     old is an outlier;
//   - an epoch start or a retarget date that the blocks mined (the tip's
//     height, the batch's or else the last known) make impossible
//     (econ.CheckEpochStart, econ.CheckRetargetDate: the protocol's bounds
//     on an epoch's mean interval). The upstream derived its retarget
//     estimate and mean interval from that same epoch, so when the batch's
//     epoch start is refused, its AdjustmentPct, MeanBlockTime and
//     RetargetDate are refused with it.
func (s *State) Vet(b *Batch) []string {
	height, hasHeight := s.known(Height)
	newHeight, newHasHeight := height, hasHeight
	for _, o := range b.Obs {
		if o.Metric == Height && o.Value > 0 {
			newHeight, newHasHeight = o.Value, true
		}
	}
	var reasons []string
	refuse := func(o Observation, why string) {
		b.Reject(string(o.Metric), why)
		reasons = append(reasons, string(o.Metric)+": "+why)
	}
	badEpoch := false
	for _, o := range b.Obs {
		if o.Metric == EpochStart && newHasHeight {
			if err := econ.CheckEpochStart(int64(newHeight), unixTime(o.Value), o.At); err != nil {
				badEpoch = true
			}
		}
	}
	kept := b.Obs[:0:0]
	for _, o := range b.Obs {
		if why := s.implausible(o, height, hasHeight, newHeight, newHasHeight); why != "" {
			refuse(o, why)
			continue
		}
		if badEpoch {
			switch o.Metric {
			case AdjustmentPct, MeanBlockTime, RetargetDate:
				refuse(o, "derived by the upstream from an impossible epoch start (see "+string(EpochStart)+")")
				continue
			}
		}
		kept = append(kept, o)
	}
	b.Obs = kept
	return reasons
}

// unixTime converts Unix seconds, fractions kept, to a time.
func unixTime(v float64) time.Time {
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// known returns the last value of m in s, if any.
func (s *State) known(m Metric) (float64, bool) {
	if s == nil {
		return 0, false
	}
	v, ok := s.Values[m]
	return v.V, ok
}

func (s *State) implausible(o Observation, height float64, hasHeight bool, newHeight float64, newHasHeight bool) string {
	switch o.Metric {
	case Height:
		if o.Value == 0 {
			return "height 0 (a chain tip is never the genesis block)"
		}
		if hasHeight && o.Value < height-ReorgDepth {
			return fmt.Sprintf("height %.0f is %.0f blocks below the last known %.0f (more than a reorganisation)", o.Value, height-o.Value, height)
		}
	case Difficulty:
		prev, ok := s.known(Difficulty)
		if !ok || math.Abs(o.Value/prev-1) <= DifficultyTolerance {
			return ""
		}
		if o.Value > prev*4 || o.Value < prev/4 {
			return fmt.Sprintf("difficulty %.4g is beyond ×4/÷4 of the last known %.4g", o.Value, prev)
		}
		if hasHeight && newHasHeight && epoch(newHeight) <= epoch(height) {
			return fmt.Sprintf("difficulty moved from %.4g to %.4g within epoch %d (it changes only at a retarget)", prev, o.Value, epoch(newHeight))
		}
	case EpochStart:
		if newHasHeight {
			if err := econ.CheckEpochStart(int64(newHeight), unixTime(o.Value), o.At); err != nil {
				return err.Error()
			}
		}
	case RetargetDate:
		if newHasHeight {
			if err := econ.CheckRetargetDate(int64(newHeight), unixTime(o.Value), o.At); err != nil {
				return err.Error()
			}
		}
	case FeesPerBlock:
		if o.Value == 0 {
			return "fees per block of exactly 0 over a day"
		}
	case PriceUSD:
		if s == nil {
			return ""
		}
		prev, ok := s.Values[PriceUSD]
		if ok && o.At.Sub(prev.At) < PriceJumpWindow && prev.V > 0 {
			if move := math.Abs(o.Value/prev.V-1) * 100; move > PriceJumpPct {
				return fmt.Sprintf("BTC price %.2f is %.1f%% from %.2f %s earlier (an outlier)", o.Value, move, prev.V, o.At.Sub(prev.At).Round(time.Second))
			}
		}
	}
	return ""
}

// epoch is the difficulty epoch of a block height.
func epoch(h float64) int64 { return int64(h) / RetargetInterval }

// RefusedText joins Vet's reasons for a health record.
func RefusedText(reasons []string) string {
	return "refused implausible values: " + strings.Join(reasons, "; ")
}
