package econ

import (
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

func genDifficulty(t *rapid.T, label string) Difficulty {
	return Difficulty(rapid.Float64Range(1e9, 1e16).Draw(t, label))
}

func TestPropHashpriceLinearInPrice(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDifficulty(t, "difficulty")
		r := BTC(rapid.Float64Range(0.01, 60).Draw(t, "reward"))
		p := USDPerBTC(rapid.Float64Range(1, 1e7).Draw(t, "price"))
		k := rapid.Float64Range(0.01, 100).Draw(t, "k")
		a, b := HashpriceAt(d, r, p*USDPerBTC(k)), HashpriceAt(d, r, p)*USDPerPHDay(k)
		if !near(float64(a), float64(b), 1e-12) {
			t.Fatalf("hashprice(k·p) = %v, k·hashprice(p) = %v", a, b)
		}
	})
}

func TestPropHashpriceInverseInDifficulty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDifficulty(t, "difficulty")
		r := BTC(rapid.Float64Range(0.01, 60).Draw(t, "reward"))
		p := USDPerBTC(rapid.Float64Range(1, 1e7).Draw(t, "price"))
		k := rapid.Float64Range(0.01, 100).Draw(t, "k")
		a, b := HashpriceAt(d*Difficulty(k), r, p), HashpriceAt(d, r, p)/USDPerPHDay(k)
		if !near(float64(a), float64(b), 1e-12) {
			t.Fatalf("hashprice(k·D) = %v, hashprice(D)/k = %v", a, b)
		}
	})
}

func TestPropCostPerBTCTimesHashvalue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cost := USDPerPHDay(rapid.Float64Range(0, 1e4).Draw(t, "cost"))
		hv := BTCPerPHDay(rapid.Float64Range(1e-7, 1).Draw(t, "hashvalue"))
		perBTC, ok := CostPerBTC(cost, hv).Get()
		if !ok {
			t.Fatal("unknown")
		}
		if back := USDPerPHDay(float64(perBTC) * float64(hv)); !near(float64(back), float64(cost), 1e-12) {
			t.Fatalf("cost/BTC × hashvalue = %v, cost = %v", back, cost)
		}
		if r := RestatePerBTC(perBTC, hv); !near(float64(r), float64(cost), 1e-12) {
			t.Fatalf("restated %v, cost %v", r, cost)
		}
	})
}

func TestPropQuartilesOrderIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		vs := rapid.SliceOfN(rapid.Float64Range(-1e6, 1e6), 1, 80).Draw(t, "values")
		perm := rapid.Permutation(vs).Draw(t, "perm")
		in := slices.Clone(vs)
		a, okA := QuartilesOf(vs)
		b, okB := QuartilesOf(perm)
		if !okA || !okB || a != b {
			t.Fatalf("quartiles %v vs %v for a permutation", a, b)
		}
		if !slices.Equal(in, vs) {
			t.Fatal("QuartilesOf modified its input")
		}
		lo, hi := slices.Min(vs), slices.Max(vs)
		if !(lo <= a.Q1 && a.Q1 <= a.Median && a.Median <= a.Q3 && a.Q3 <= hi) {
			t.Fatalf("quartiles %v out of order in [%v, %v]", a, lo, hi)
		}
		// The median has as many values at or below it as at or above it.
		below, above := 0, 0
		for _, v := range vs {
			if v <= a.Median {
				below++
			}
			if v >= a.Median {
				above++
			}
		}
		if 2*below < len(vs) || 2*above < len(vs) {
			t.Fatalf("median %v splits %d values into %d below, %d above", a.Median, len(vs), below, above)
		}
	})
}

func TestPropSectorIndependentOfMinerOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 40).Draw(t, "n")
		miners := make([]Miner, n)
		for i := range miners {
			m := Miner{Ticker: string(rune('A' + i))}
			if rapid.Bool().Draw(t, "hasEff") {
				m.Efficiency = Known(JoulesPerTH(rapid.Float64Range(8, 40).Draw(t, "eff")))
				m.PowerPrice = Known(USDPerKWh(rapid.Float64Range(0.01, 0.12).Draw(t, "power")))
			}
			if rapid.Bool().Draw(t, "hasReported") {
				m.Reported = []ReportedCost{{
					Scope:           Scope(rapid.IntRange(0, NumScopes-1).Draw(t, "scope")),
					PerBTC:          USDPerBTC(rapid.Float64Range(10_000, 200_000).Draw(t, "perBTC")),
					PeriodHashvalue: Known(BTCPerPHDay(rapid.Float64Range(0.0003, 0.0008).Draw(t, "hv"))),
				}}
			}
			miners[i] = m
		}
		perm := rapid.Permutation(miners).Draw(t, "perm")
		a := ComputeBoard(testNetwork(), miners, Scenario{})
		b := ComputeBoard(testNetwork(), perm, Scenario{})
		if !reflect.DeepEqual(a.SectorRule, b.SectorRule) {
			t.Fatalf("sector rule depends on miner order:\n%+v\n%+v", a.SectorRule, b.SectorRule)
		}
	})
}

func TestPropSubsidy(t *testing.T) {
	// Every era's subsidy summed gives the famous 20,999,999.9769 BTC cap.
	var total Sats
	for era := int64(0); era < MaxHalvings+2; era++ {
		total += SubsidySats(era*HalvingInterval) * HalvingInterval
	}
	if total != 2_099_999_997_690_000 {
		t.Errorf("total issuance = %d sats, want 2,099,999,997,690,000", total)
	}
	rapid.Check(t, func(t *rapid.T) {
		h := rapid.Int64Range(0, 70*HalvingInterval).Draw(t, "height")
		dh := rapid.Int64Range(0, 5*HalvingInterval).Draw(t, "dh")
		if SubsidySats(h+dh) > SubsidySats(h) {
			t.Fatalf("subsidy rose from %d to %d", h, h+dh)
		}
		if b := BlocksToHalving(h); b < 1 || b > HalvingInterval || SubsidySats(h+b-1) != SubsidySats(h) {
			t.Fatalf("BlocksToHalving(%d) = %d", h, b)
		}
	})
}
