package econ

// Scenario is a what-if applied on top of the live inputs. Its zero value
// changes nothing.
type Scenario struct {
	// Price replaces the BTC price when known.
	Price Maybe[USDPerBTC] `json:"btc_price_usd"`
	// DifficultyChangePct moves difficulty by this many percent (−10 means
	// 10% lower); it must be above −100.
	DifficultyChangePct Percent `json:"difficulty_change_pct"`
	// FeesPerBlock replaces the mean fees per block when known.
	FeesPerBlock Maybe[BTC] `json:"fees_btc_per_block"`
	// PowerPrice, when known, is what every miner pays for power: each
	// miner's costs shift in every scope by what its power cost changes —
	// its dated power cost × (new ÷ own $/kWh − 1), or without one J/TH ×
	// (new − own) × 24 (see powerShift). A miner whose own power price, or
	// both its power cost and efficiency, are unknown keeps its costs and is
	// flagged PowerNotAdjusted.
	PowerPrice Maybe[USDPerKWh] `json:"power_price_usd_per_kwh"`
}

// IsZero reports whether the scenario changes nothing.
func (s Scenario) IsZero() bool {
	return !s.Price.OK() && s.DifficultyChangePct == 0 && !s.FeesPerBlock.OK() && !s.PowerPrice.OK()
}

// applyNetwork returns the network inputs with the scenario's overrides.
func (s Scenario) applyNetwork(in NetworkInputs) NetworkInputs {
	if s.Price.OK() {
		in.Price = s.Price
	}
	if s.DifficultyChangePct != 0 {
		k := Difficulty(1 + s.DifficultyChangePct/100)
		in.Difficulty = Map(in.Difficulty, func(d Difficulty) Difficulty { return d * k })
	}
	if s.FeesPerBlock.OK() {
		in.FeesPerBlock = s.FeesPerBlock
	}
	return in
}

// Grid is a sensitivity table of the sector margin in one scope: rows are
// difficulty changes, columns BTC prices.
type Grid struct {
	Scope       Scope       `json:"scope"`
	Prices      []USDPerBTC `json:"btc_prices_usd"`
	DiffChanges []Percent   `json:"difficulty_changes_pct"`
	// Median is the sector median cost the margins are measured against. It
	// is in USD per PH/day and so does not move with price or difficulty.
	Median Maybe[USDPerPHDay] `json:"median_usd_per_ph_day"`
	// Margin holds len(DiffChanges) rows of len(Prices) cells, row-major:
	// hashprice (after pool fee) at that price and difficulty less Median.
	Margin []Maybe[USDPerPHDay] `json:"margin_usd_per_ph_day"`
}

// At returns the margin at difficulty-change row i and price column j.
func (g Grid) At(i, j int) Maybe[USDPerPHDay] { return g.Margin[i*len(g.Prices)+j] }

// MarginGrid is the margin of hashprice (after pool fee) over median, a cost
// of scope per PH/s per day (the sector rule's), over BTC prices ×
// difficulty changes from the inputs under base (whose price and difficulty
// change the grid replaces). Difficulty changes are relative to the inputs'
// difficulty. The median does not move with price or difficulty. Cells are
// unknown when difficulty, height or fees are, or the median is.
func MarginGrid(in NetworkInputs, base Scenario, scope Scope, median Maybe[USDPerPHDay], prices []USDPerBTC, diffChanges []Percent) Grid {
	g := Grid{Scope: scope, Prices: prices, DiffChanges: diffChanges, Median: median}
	g.Margin = make([]Maybe[USDPerPHDay], len(prices)*len(diffChanges))
	net := ComputeNetwork(base.applyNetwork(in))
	d, okD := in.Difficulty.Get()
	reward, okR := net.Reward.Get()
	med, okM := median.Get()
	if !okD || !okR || !okM {
		return g
	}
	for i, dc := range diffChanges {
		dd := d * Difficulty(1+dc/100)
		if dd <= 0 {
			continue
		}
		hv := AfterPoolFee(Hashvalue(dd, reward), in.PoolFee)
		for j, p := range prices {
			g.Margin[i*len(prices)+j] = Known(Hashprice(hv, p) - med)
		}
	}
	return g
}
