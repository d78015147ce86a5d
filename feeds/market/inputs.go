package market

import (
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// NetworkInputs turns the state's network values into econ inputs at now.
// A metric the state does not have is unknown; a stale value is used (it is
// the last good one) and the caller shows it as stale.
func (s *State) NetworkInputs(now time.Time) econ.NetworkInputs {
	in := econ.NetworkInputs{Now: now}
	get := func(m Metric) (float64, bool) {
		v, ok := s.Value(m)
		return v.V, ok
	}
	if v, ok := get(PriceUSD); ok {
		in.Price = econ.Known(econ.USDPerBTC(v))
	}
	if v, ok := get(Difficulty); ok {
		in.Difficulty = econ.Known(econ.Difficulty(v))
	}
	if v, ok := get(Height); ok {
		in.Height = econ.Known(int64(v))
	}
	if v, ok := get(FeesPerBlock); ok {
		in.FeesPerBlock = econ.Known(econ.BTC(v))
	}
	if v, ok := get(MeanBlockTime); ok {
		in.MeanBlockTime = time.Duration(v * float64(time.Second))
	}
	if v, ok := get(EpochStart); ok {
		in.EpochStart = unixTime(v)
	}
	return in
}
