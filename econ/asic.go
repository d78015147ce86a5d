package econ

// ASIC is a mining machine model at its nameplate operating point ("at the
// wall"; real units vary by about ±5%, and firmware can move them ±20% along
// their J/TH-versus-TH/s curve).
type ASIC struct {
	Model    string      `json:"model"`
	Hashrate THs         `json:"hashrate_ths"`
	Power    Watts       `json:"power_w"`
	Eff      JoulesPerTH `json:"efficiency_j_per_th"`
	Cooling  string      `json:"cooling"`
	Year     int         `json:"year"`
	// Source names where the nameplate figures were published.
	Source string `json:"source"`
}

// Machine returns the model as a Machine with the given capex.
func (a ASIC) Machine(capex Maybe[USD]) Machine {
	return Machine{Name: a.Model, Hashrate: a.Hashrate, Power: a.Power, Capex: capex}
}

// ASICModels returns a fresh copy of the nameplate table of common SHA-256
// machines, ordered from least to most efficient. Figures are from the
// public spec pages named in each row, compiled 2026-06 (docs/economics.md,
// "ASIC table"); models whose specs could not be confirmed are left out
// rather than guessed.
func ASICModels() []ASIC {
	return []ASIC{
		{"Antminer S19j Pro", 104, 3068, 29.5, "air", 2021, "lmc-mining.vercel.app; d-central.tech glossary"},
		{"Whatsminer M56S++", 230, 5060, 22, "immersion", 2023, "Decrypt via business-line.com"},
		{"Whatsminer M53S++", 320, 7040, 22, "hydro", 2023, "Bitcoin.com via salmoncrypto.com"},
		{"Antminer S19 XP", 140, 3010, 21.5, "air", 2022, "miningstore.com; blog.zeusmining.co"},
		{"Antminer T21", 190, 3610, 19, "air", 2023, "tech4u.app"},
		{"Antminer S21", 200, 3500, 17.5, "air", 2023, "viabtc.com/blog (WDMS 2023); d-central.tech"},
		{"Whatsminer M66S+", 314, 5338, 17, "immersion", 2024, "top-crypto-mining-asics.com (vendor)"},
		{"Antminer S21 Hyd", 335, 5360, 16, "hydro", 2023, "viabtc.com/blog (WDMS 2023)"},
		{"Antminer S21 Pro", 234, 3510, 15, "air", 2024, "lmc-mining.vercel.app"},
		{"Antminer S21+ Hydro", 319, 4785, 15, "hydro", 2024, "top-crypto-mining-asics.com (vendor)"},
		{"Antminer S21 XP", 270, 3645, 13.5, "air", 2024, "btcminermarketplace.com; d-central.tech"},
		{"Antminer S21 XP+ Hydro", 500, 5500, 11, "hydro", 2025, "Bitcoin.com via salmoncrypto.com"},
		{"Antminer S23 Hydro", 580, 5510, 9.5, "hydro", 2026, "CoinDesk/TheMinerMag via mutli.pro (9.7 J/TH there); Bitcoin.com via salmoncrypto.com"},
	}
}

// ASICRow is one model's economics at a hashprice, hashvalue and power price.
type ASICRow struct {
	ASIC
	// Hashcost is the power cost per PH/s per day at the model's efficiency.
	Hashcost            USDPerPHDay        `json:"hashcost_usd_per_ph_day"`
	BreakevenPowerPrice Maybe[USDPerKWh]   `json:"breakeven_power_usd_per_kwh"`
	ShutdownPrice       Maybe[USDPerBTC]   `json:"shutdown_price_usd"`
	RevenuePerMWh       Maybe[USDPerMWh]   `json:"revenue_per_mwh_usd"`
	Day                 MachineDay         `json:"day"`
	MarginPct           Maybe[Percent]     `json:"margin_pct"`
	Payback             Maybe[Days]        `json:"payback_days"`
	Capex               Maybe[USD]         `json:"capex_usd"`
	CapexPerTH          Maybe[USDPerTHCap] `json:"capex_usd_per_ths"`
}

// USDPerTHCap is a machine price per TH/s of nameplate hashrate (the unit
// of Hashrate Index's ASIC Price Index).
type USDPerTHCap float64

// ASICTable computes each model's break-evens at hashprice hp (after any
// pool fee), hashvalue hv and power price, with static payback when a price
// per TH/s is known.
func ASICTable(models []ASIC, hp USDPerPHDay, hv BTCPerPHDay, power USDPerKWh, capexPerTH Maybe[USDPerTHCap]) []ASICRow {
	rows := make([]ASICRow, len(models))
	for i, a := range models {
		cost := PowerCost(a.Eff, power)
		day := a.Machine(Maybe[USD]{}).Daily(hp, power)
		capex := Map(capexPerTH, func(c USDPerTHCap) USD { return USD(float64(c) * float64(a.Hashrate)) })
		rows[i] = ASICRow{
			ASIC:                a,
			Hashcost:            cost,
			BreakevenPowerPrice: BreakevenPowerPrice(hp, a.Eff),
			ShutdownPrice:       ShutdownPrice(a.Eff, power, hv),
			RevenuePerMWh:       RevenuePerMWh(hp, a.Eff),
			Day:                 day,
			MarginPct:           MarginPct(hp, cost),
			Capex:               capex,
			CapexPerTH:          capexPerTH,
			Payback:             Bind2(capex, Known(day.Margin), StaticPayback),
		}
	}
	return rows
}
