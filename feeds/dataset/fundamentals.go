package dataset

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// MillionShares is a number of shares in millions.
type MillionShares float64

// Megawatts is electrical power in MW.
type Megawatts float64

// Figure is one typed value taken from a fact. Value is unknown when no
// fact exists (Fact is nil) or when the chosen fact's value is not a plain
// number in a unit the field understands (Fact holds the text).
type Figure[T econ.Number] struct {
	Value econ.Maybe[T] `json:"value"`
	// Label qualifies the value, e.g. "avg operating" for a hashrate.
	Label string `json:"label,omitempty"`
	// Fact is the row the value comes from; nil when there is none.
	Fact *Fact `json:"fact,omitempty"`
}

// Cost is a cost per BTC a company (or an analyst) published, with the
// network's mean hashvalue over its period.
type Cost struct {
	// Scope is the scope the field maps to (see [CostScope]).
	Scope econ.Scope `json:"scope"`
	// PerBTC is the figure in USD per BTC; unknown when the value is not a
	// plain number or the unit is not USD/BTC.
	PerBTC econ.Maybe[econ.USDPerBTC] `json:"usd_per_btc"`
	// Period is the as-of text read as a period; PeriodError says why it
	// could not be read (Period then has no dates).
	Period      Period `json:"period"`
	PeriodError string `json:"period_error,omitempty"`
	// PeriodHashvalue is the mean network hashvalue over Period in
	// BTC/PH/day; unknown when the network data do not cover all of it.
	PeriodHashvalue econ.Maybe[econ.BTCPerPHDay] `json:"period_hashvalue_btc_per_ph_day"`
	// PerPHDay is PerBTC restated per PH/s per day at PeriodHashvalue
	// (econ.RestatePerBTC), in USD/PH/day.
	PerPHDay econ.Maybe[econ.USDPerPHDay] `json:"usd_per_ph_day"`
	Fact     *Fact                        `json:"fact"`
}

// Reported returns the cost as an econ.ReportedCost (PerBTC 0 when unknown,
// which econ treats as no figure).
func (c Cost) Reported() econ.ReportedCost {
	r := econ.ReportedCost{Scope: c.Scope, PerBTC: c.PerBTC.Or(0), Period: c.Period.Label, PeriodHashvalue: c.PeriodHashvalue}
	if !c.Period.To.IsZero() {
		r.End = econ.DateOf(c.Period.To)
	}
	if c.Fact != nil {
		r.Source, r.AsOf, r.Published, r.PublishedEstimated = c.Fact.SourceURL, c.Fact.AsOf, c.Fact.PublishedOn, c.Fact.PublishedEstimated
	}
	return r
}

// Contract is an AI/HPC contract transcribed from an ai_contract_* fact.
// Nothing is inferred: a part the text does not state is empty or unknown.
type Contract struct {
	// Counterparty is the company named by the field (ai_contract_microsoft
	// → Microsoft) or, failing that, the first known company named in the
	// text; empty when neither names one.
	Counterparty string `json:"counterparty"`
	// MW is the first capacity the text states in MW, when stated as a plain
	// number; MWText is that capacity as written ("200 IT MW", "~590 MW"),
	// kept even when it is approximate and MW is unknown. ITLoad is set for
	// "IT MW" (critical IT load rather than utility power).
	MW     econ.Maybe[Megawatts] `json:"mw"`
	MWText string                `json:"mw_text,omitempty"`
	ITLoad bool                  `json:"it_load,omitempty"`
	// Headline is the first dollar figure in the text as written ("$9.7B",
	// "~$5.5B"); empty when there is none.
	Headline string `json:"headline_value,omitempty"`
	// Text is the whole value text.
	Text string `json:"text"`
	AsOf string `json:"as_of"`
	// Published is when the contract became public (the fact's).
	Published econ.Date `json:"published"`
	SourceURL string    `json:"source_url"`
	Quality   Quality   `json:"quality"`
	Fact      *Fact     `json:"fact"`
}

// Fundamentals are one ticker's typed figures, built from its facts. A
// ticker with no facts has every figure unknown and no costs or contracts.
type Fundamentals struct {
	// Symbol is the current ticker; FormerSymbols its former tickers.
	Symbol        string   `json:"symbol"`
	FormerSymbols []string `json:"former_symbols,omitempty"`
	// Hashrate is in EH/s. Among hashrate_* fields, realized and operating
	// figures (avg operating, operating, energized, deployed, self mining)
	// are preferred to a plain "hashrate", which is preferred to capacity or
	// installed figures, which are preferred to targets; then the latest
	// as-of. Label is the field name without "hashrate_", underscores as
	// spaces ("avg operating").
	Hashrate Figure[econ.EHs] `json:"hashrate_ehs"`
	// Efficiency is the fleet efficiency in J/TH (fleet_efficiency).
	Efficiency Figure[econ.JoulesPerTH] `json:"efficiency_j_per_th"`
	// PowerPrice is in USD/kWh (c/kWh ÷ 100) from power_cost_all_in, which
	// counts as the power price and is preferred, else power_cost; then the
	// latest as-of. Label is "all-in" for power_cost_all_in.
	PowerPrice Figure[econ.USDPerKWh] `json:"power_price_usd_per_kwh"`
	// Shares is shares outstanding in millions (shares_outstanding, else
	// shares_weighted_basic labelled "weighted basic").
	Shares Figure[MillionShares] `json:"shares_m"`
	// Costs are the published costs per BTC, newest period first.
	Costs []Cost `json:"costs"`
	// Contracts are the AI/HPC contracts (ai_contract_* fields) in file order.
	Contracts []Contract `json:"ai_contracts"`
	// Facts are all the ticker's rows in file order.
	Facts []Fact `json:"facts"`
}

// CostScope maps a cost field to its scope: net, purchased, all-in or plain
// electricity or power costs per BTC are power; cost to mine excluding
// depreciation is direct; all-in cash and total cash costs are cash.
func CostScope(field string) (econ.Scope, bool) {
	switch field {
	case "cost_net_electricity_per_btc", "cost_power_per_btc", "cost_purchased_energy_per_btc", "cost_all_in_electricity_per_btc":
		return econ.ScopePower, true
	case "cost_to_mine_ex_depr":
		return econ.ScopeDirect, true
	case "cost_all_in_cash_per_btc", "cost_total_cash_per_btc":
		return econ.ScopeCash, true
	}
	return 0, false
}

// Fundamentals returns the typed fundamentals of symbol (current or former
// ticker). It always returns a value; unknown tickers are all-unknown.
func (d *Dataset) Fundamentals(symbol string) Fundamentals {
	return d.FundamentalsAsOf(symbol, time.Time{})
}

// FundamentalsAsOf is Fundamentals from the facts published by time at
// only ([Dataset.FactsAsOf]): a board as of a date shows no cost, contract
// or figure that was not yet public. The zero time means every fact.
func (d *Dataset) FundamentalsAsOf(symbol string, at time.Time) Fundamentals {
	cur := CurrentSymbol(symbol)
	f := Fundamentals{Symbol: cur, FormerSymbols: FormerSymbols(cur), Facts: d.FactsAsOf(cur, at), Costs: []Cost{}, Contracts: []Contract{}}
	if f.Facts == nil {
		f.Facts = []Fact{}
	}
	facts := f.Facts
	f.Hashrate = pick(facts, hashrateCandidate, unitScale(map[string]int{"EH/s": 0, "PH/s": -3}), convert[econ.EHs])
	f.Efficiency = pick(facts, fieldCandidate("fleet_efficiency", ""), unitScale(map[string]int{"J/TH": 0, "W/TH": 0}), convert[econ.JoulesPerTH])
	f.PowerPrice = pick(facts, powerCandidate, unitScale(map[string]int{"c/kWh": -2, "USD/kWh": 0, "$/kWh": 0, "USD/MWh": -3}), convert[econ.USDPerKWh])
	f.Shares = pick(facts, sharesCandidate, unitScale(map[string]int{"M shares": 0}), convert[MillionShares])
	for i := range facts {
		fact := &facts[i]
		if scope, ok := CostScope(fact.Field); ok {
			f.Costs = append(f.Costs, d.cost(fact, scope))
		}
		if strings.HasPrefix(fact.Field, "ai_contract_") {
			f.Contracts = append(f.Contracts, parseContract(fact))
		}
	}
	slices.SortStableFunc(f.Costs, func(a, b Cost) int { return b.Period.To.Compare(a.Period.To) })
	return f
}

func (d *Dataset) cost(fact *Fact, scope econ.Scope) Cost {
	c := Cost{Scope: scope, Fact: fact, Period: Period{Label: fact.AsOf}}
	if v, ok := fact.Number.Get(); ok && fact.Unit == "USD/BTC" && v > 0 {
		c.PerBTC = econ.Known(econ.USDPerBTC(v))
	}
	p, err := ParsePeriod(fact.AsOf)
	if err != nil {
		c.PeriodError = err.Error()
	} else {
		c.Period = p
		c.PeriodHashvalue = d.PeriodHashvalue(p)
	}
	c.PerPHDay = c.Reported().PerPHDay()
	return c
}

// Peers returns the fundamentals of the default peers ([DefaultPeers]).
func (d *Dataset) Peers() []Fundamentals {
	peers := DefaultPeers()
	out := make([]Fundamentals, len(peers))
	for i, p := range peers {
		out[i] = d.Fundamentals(p)
	}
	return out
}

// EconMiner returns the fundamentals as an econ.Miner for econ.ComputeBoard:
// ticker, hashrate and its label, efficiency, power price and the costs
// that have a number (newest first; econ uses the first of each scope that
// can be restated). Filing line items are not in the dataset, so Period is empty.
func (f Fundamentals) EconMiner() econ.Miner {
	m := econ.Miner{
		Ticker: f.Symbol, Hashrate: f.Hashrate.Value, HashrateLabel: f.Hashrate.Label,
		Efficiency: f.Efficiency.Value, PowerPrice: f.PowerPrice.Value,
	}
	for _, c := range f.Costs {
		if c.PerBTC.OK() {
			m.Reported = append(m.Reported, c.Reported())
		}
	}
	return m
}

// EconMiners returns econ miners for the given tickers (current or former),
// or for [DefaultPeers] when none are given, each with its quarters
// ([Dataset.Quarters]). Every ticker appears, even one with no facts (all
// unknown). For the sector rule, give the board the dataset's
// [Dataset.QuarterMeans] and [Dataset.Benchmarks] too.
func (d *Dataset) EconMiners(symbols ...string) []econ.Miner {
	if len(symbols) == 0 {
		symbols = DefaultPeers()
	}
	out := make([]econ.Miner, len(symbols))
	for i, s := range symbols {
		out[i] = d.Fundamentals(s).EconMiner()
		out[i].Quarters = d.Quarters(s)
	}
	return out
}

// candidate ranks a fact for a figure: ok false skips it; lower rank wins.
type candidate func(f *Fact) (rank int, label string, ok bool)

func fieldCandidate(field, label string) candidate {
	return func(f *Fact) (int, string, bool) { return 0, label, f.Field == field }
}

// hashrateCandidate ranks hashrate_* fields: realized 0; operating-type 1;
// plain "hashrate" 2; capacity or installed 3; target or guidance 4.
func hashrateCandidate(f *Fact) (int, string, bool) {
	rest, ok := strings.CutPrefix(f.Field, "hashrate")
	if !ok || (rest != "" && rest[0] != '_') {
		return 0, "", false
	}
	label := strings.TrimSpace(strings.ReplaceAll(rest, "_", " "))
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(label, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("target", "guidance"):
		return 4, label, true
	case has("installed", "capacity", "nameplate"):
		return 3, label, true
	case has("realized"):
		return 0, label, true
	case has("operating", "energized", "deployed", "self mining"):
		return 1, label, true
	}
	return 2, label, true
}

func powerCandidate(f *Fact) (int, string, bool) {
	switch f.Field {
	case "power_cost_all_in":
		return 0, "all-in", true
	case "power_cost":
		return 1, "", true
	}
	return 0, "", false
}

func sharesCandidate(f *Fact) (int, string, bool) {
	switch f.Field {
	case "shares_outstanding":
		return 0, "outstanding", true
	case "shares_weighted_basic":
		return 1, "weighted basic", true
	}
	return 0, "", false
}

// unitScale returns a converter from a fact's number to the figure's unit,
// given the power of ten between them (c/kWh → USD/kWh is -2). The shift is
// applied to the decimal text, so 3.7 c/kWh is exactly 0.037 USD/kWh.
func unitScale(exp10 map[string]int) func(f *Fact) (float64, bool) {
	return func(f *Fact) (float64, bool) {
		e, known := exp10[f.Unit]
		if !f.Number.OK() || !known {
			return 0, false
		}
		v, err := strconv.ParseFloat(f.Value+"e"+strconv.Itoa(e), 64)
		if err != nil || v <= 0 {
			return 0, false
		}
		return v, true
	}
}

func convert[T econ.Number](v float64) T { return T(v) }

// pick chooses the fact for a figure: among candidates with a typed value,
// the lowest rank, then the latest as-of, then the first in the file; when
// no candidate has a typed value, the best candidate is kept as text with
// an unknown value.
func pick[T econ.Number](facts []Fact, cand candidate, value func(*Fact) (float64, bool), to func(float64) T) Figure[T] {
	type choice struct {
		fact  *Fact
		rank  int
		label string
		end   time.Time
		typed bool
		v     float64
	}
	var best *choice
	for i := range facts {
		f := &facts[i]
		rank, label, ok := cand(f)
		if !ok {
			continue
		}
		c := choice{fact: f, rank: rank, label: label}
		c.end, _ = asOfEnd(f.AsOf)
		c.v, c.typed = value(f)
		if best == nil || better(c.typed, best.typed, c.rank, best.rank, c.end, best.end) {
			best = &c
		}
	}
	if best == nil {
		return Figure[T]{}
	}
	fig := Figure[T]{Label: best.label, Fact: best.fact}
	if best.typed {
		fig.Value = econ.Known(to(best.v))
	}
	return fig
}

// better reports whether candidate a beats the current best b.
func better(aTyped, bTyped bool, aRank, bRank int, aEnd, bEnd time.Time) bool {
	if aTyped != bTyped {
		return aTyped
	}
	if c := cmp.Compare(aRank, bRank); c != 0 {
		return c < 0
	}
	return aEnd.After(bEnd)
}

// companyNames are the spellings used to name a contract's counterparty.
func companyNames() [][2]string {
	return [][2]string{
		{"microsoft", "Microsoft"}, {"nvidia", "NVIDIA"}, {"aws", "AWS"}, {"amazon", "Amazon"},
		{"coreweave", "CoreWeave"}, {"amd", "AMD"}, {"core42", "Core42"}, {"fluidstack", "Fluidstack"},
		{"google", "Google"}, {"anthropic", "Anthropic"}, {"oracle", "Oracle"}, {"meta", "Meta"},
		{"openai", "OpenAI"}, {"together ai", "Together AI"}, {"g42", "G42"},
	}
}

// parseContract transcribes an ai_contract_* fact (see [Contract]).
func parseContract(f *Fact) Contract {
	c := Contract{Text: f.Value, AsOf: f.AsOf, Published: f.PublishedOn, SourceURL: f.SourceURL, Quality: f.Quality, Fact: f}
	names := companyNames()
	for _, tok := range strings.Split(strings.TrimPrefix(f.Field, "ai_contract_"), "_") {
		for _, n := range names {
			if tok == n[0] {
				c.Counterparty = n[1]
				break
			}
		}
		if c.Counterparty != "" {
			break
		}
	}
	if c.Counterparty == "" {
		lower, at := strings.ToLower(f.Value), -1
		for _, n := range names {
			if i := wordIndex(lower, n[0]); i >= 0 && (at < 0 || i < at) {
				at, c.Counterparty = i, n[1]
			}
		}
	}
	c.MWText, c.MW, c.ITLoad = firstMW(f.Value)
	c.Headline = firstDollars(f.Value)
	return c
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// wordIndex returns the index of the first occurrence of w in s that is not
// part of a longer word, or -1.
func wordIndex(s, w string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(w)
		if (i == 0 || !isLetter(s[i-1])) && (end == len(s) || !isLetter(s[end])) {
			return i
		}
		off = i + 1
	}
}

// firstMW finds the first "<number> MW" or "<number> IT MW" in s. It returns
// the text from the number to "MW", the number when it is plain, and
// whether it is IT load.
func firstMW(s string) (string, econ.Maybe[Megawatts], bool) {
	for off := 0; ; {
		i := wordIndex(s[off:], "MW")
		if i < 0 {
			return "", econ.Maybe[Megawatts]{}, false
		}
		i += off
		off = i + 2
		j := i
		for j > 0 && s[j-1] == ' ' {
			j--
		}
		it := false
		if j >= 2 && s[j-2:j] == "IT" && (j == 2 || !isLetter(s[j-3])) {
			it = true
			j -= 2
			for j > 0 && s[j-1] == ' ' {
				j--
			}
		}
		k := j
		for k > 0 && strings.IndexByte("0123456789.,~>+<", s[k-1]) >= 0 {
			k--
		}
		num := s[k:j]
		if strings.IndexFunc(num, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
			continue
		}
		var mw econ.Maybe[Megawatts]
		if v, ok := PlainNumber(num); ok {
			mw = econ.Known(Megawatts(v))
		}
		return s[k : i+2], mw, it
	}
}

// firstDollars returns the first "$<amount>[BMK]" in s as written, with a
// leading "~" or ">" kept; "" when there is none.
func firstDollars(s string) string {
	i := strings.IndexByte(s, '$')
	for i >= 0 {
		j := i + 1
		for j < len(s) && strings.IndexByte("0123456789.,", s[j]) >= 0 {
			j++
		}
		if j > i+1 {
			if j < len(s) && strings.IndexByte("BMK", s[j]) >= 0 {
				j++
			}
			k := i
			if k > 0 && (s[k-1] == '~' || s[k-1] == '>') {
				k--
			}
			return s[k:j]
		}
		n := strings.IndexByte(s[i+1:], '$')
		if n < 0 {
			break
		}
		i += 1 + n
	}
	return ""
}
