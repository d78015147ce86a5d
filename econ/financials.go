package econ

import "time"

// Grade is a source's quality: A a filing or the company's own release,
// B a reputable secondary source restating company figures, C anything
// else (unverified, undated, derived from C inputs). A is best.
type Grade uint8

const (
	// GradeUnknown is the zero value: no source.
	GradeUnknown Grade = iota
	// GradeA is a filing (10-Q, 10-K, 6-K, 20-F, 40-F) or company release.
	GradeA
	// GradeB is a reputable secondary source restating company figures.
	GradeB
	// GradeC is any other source.
	GradeC
)

// String returns "A", "B", "C" or "" for an unknown grade.
func (g Grade) String() string {
	return [...]string{"", "A", "B", "C"}[min(int(g), 3)]
}

// MarshalText encodes the grade as its letter.
func (g Grade) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// Worse returns the lower of two grades (C is lower than A); an unknown
// grade is lower than any known one.
func (g Grade) Worse(o Grade) Grade {
	if g == GradeUnknown || o == GradeUnknown {
		return GradeUnknown
	}
	return max(g, o)
}

// Provenance says where a sourced figure comes from and when it became
// public. A board as of a date uses only figures whose Published is on or
// before that date.
type Provenance struct {
	// Source is a URL or an SEC accession ("0001628280-25-022222").
	Source string `json:"source,omitempty"`
	// Grade is the source's quality.
	Grade Grade `json:"grade,omitempty"`
	// Published is the day the figure became public (a filing's "filed"
	// date, a release date, or a stated estimate such as period end + 45
	// days when PublishedEstimated is set).
	Published          time.Time `json:"published,omitzero"`
	PublishedEstimated bool      `json:"published_estimated,omitempty"`
	// Derived is set when the figure was computed rather than read: a
	// quarter from year-to-date figures, Q4 from the fiscal year less nine
	// months, or a cost from line items.
	Derived bool `json:"derived,omitempty"`
	// Note is a short caveat, e.g. "Q4 = FY − 9M".
	Note string `json:"note,omitempty"`
}

// Item is one sourced line item or metric of a quarter.
type Item[T Number] struct {
	Value Maybe[T] `json:"value"`
	Provenance
	// Conflicts holds other sources' values for the same item that lost to
	// this one (lower grade, or not the primary filing); shown, never used.
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Conflict is a losing value for a line item, kept for the miner view.
type Conflict struct {
	Value float64 `json:"value"`
	Provenance
}

// OK reports whether the item has a value.
func (i Item[T]) OK() bool { return i.Value.OK() }

// Quarter is one fiscal quarter of one listed miner: what it earned, what it
// spent, what it mined. Amounts are in USD for the quarter (not annualised).
// Every item may be unknown.
type Quarter struct {
	Ticker string `json:"ticker"`
	// Start and End are the first and last days of the quarter (UTC dates).
	Start time.Time `json:"period_start"`
	End   time.Time `json:"period_end"`
	// Fiscal is the company's own label, e.g. "FY2026 Q1" for IREN's
	// July–September 2025; Calendar is "2025-Q3" for the calendar quarter
	// the period ends in.
	Fiscal   string `json:"fiscal,omitempty"`
	Calendar string `json:"calendar_quarter"`
	// Published is the earliest date the quarter's figures were public
	// (the filing or earnings release).
	Published time.Time `json:"published"`

	RevenueTotal  Item[USD] `json:"revenue_total_usd"`
	RevenueMining Item[USD] `json:"revenue_mining_usd"`
	// RevenueOther is everything but self-mining (hosting, HPC/AI cloud,
	// ASIC sales, ...); OtherLabel names it.
	RevenueOther Item[USD] `json:"revenue_other_usd"`
	OtherLabel   string    `json:"revenue_other_label,omitempty"`
	// CostMining is mining cost of revenue excluding depreciation
	// (power, site operations, hosting fees paid).
	CostMining Item[USD] `json:"cost_mining_ex_da_usd"`
	// CostPower is the electricity part of CostMining, where reported.
	CostPower Item[USD] `json:"cost_power_usd"`
	// CostTotal is total cost of revenue excluding depreciation.
	CostTotal   Item[USD] `json:"cost_total_ex_da_usd"`
	SGA         Item[USD] `json:"sga_usd"`
	StockComp   Item[USD] `json:"stock_comp_usd"`
	DA          Item[USD] `json:"da_usd"`
	Interest    Item[USD] `json:"interest_usd"`
	BTCMined    Item[BTC] `json:"btc_mined"`
	HashrateAvg Item[EHs] `json:"hashrate_avg_ehs"`
	// Metrics are the company's own cost metrics, kept beside the derived
	// figures and never mixed into a median.
	Metrics []CompanyMetric `json:"company_metrics,omitempty"`
}

// CompanyMetric is a cost figure a company publishes in its own definition,
// e.g. Riot's "cost to mine one bitcoin, excluding depreciation".
type CompanyMetric struct {
	Name       string  `json:"name"`
	Definition string  `json:"definition"`
	Value      float64 `json:"value"`
	// Unit is "USD/BTC", "USD/PH/day" or "USD/kWh".
	Unit string `json:"unit"`
	// Scope is the cost scope the definition matches most closely, for
	// display beside the derived figure of that scope.
	Scope Scope `json:"scope"`
	Provenance
}
