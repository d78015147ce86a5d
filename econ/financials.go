package econ

import (
	"slices"
	"strings"
)

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

// Better reports whether g is a better grade than o (A before B before C,
// any known grade before an unknown one).
func (g Grade) Better(o Grade) bool { return gradeRank(g) < gradeRank(o) }

func gradeRank(g Grade) int {
	if g == GradeUnknown || g > GradeC {
		return int(GradeC) + 1
	}
	return int(g)
}

// Provenance says where a sourced figure comes from and when it became
// public. A board as of a date uses only figures whose Published is on or
// before that date.
type Provenance struct {
	// Source is a URL or an SEC accession ("0001628280-25-022222"); empty
	// for a derived figure (Note then says how it was derived).
	Source string `json:"source,omitempty"`
	// Grade is the source's quality; a derived figure has the lowest grade
	// of its inputs.
	Grade Grade `json:"grade,omitempty"`
	// Primary is set when the source is the filing or the company's own
	// release itself (SEC, the company's site, the wire it released on),
	// not a copy or a summary of it. Between two sources of the same grade
	// the primary one wins.
	Primary bool `json:"primary,omitempty"`
	// Published is the day the figure became public: a filing's "filed"
	// date or a release date, or, when PublishedEstimated is set, an
	// estimate (the loader's rule: period end + 45 days for a quarter, + 90
	// for a fiscal year). A derived figure's is the latest of its inputs'.
	// The zero Date means unknown, and such a figure is never used as of
	// any date.
	Published          Date `json:"published,omitzero"`
	PublishedEstimated bool `json:"published_estimated,omitempty"`
	// Derived is set when the figure was computed rather than read: a
	// quarter from year-to-date figures, Q4 from the fiscal year less nine
	// months, or a cost from line items.
	Derived bool `json:"derived,omitempty"`
	// Note is a short caveat, e.g. "Q4 = FY − 9M".
	Note string `json:"note,omitempty"`
}

// PublishedBy reports whether the figure was public on day d: its
// Published is known and not after d.
func (p Provenance) PublishedBy(d Date) bool { return !p.Published.IsZero() && !p.Published.After(d) }

// outranks reports whether a source wins over b for the same figure: the
// better grade, then the primary source.
func (p Provenance) outranks(b Provenance) bool {
	if p.Grade != b.Grade {
		return p.Grade.Better(b.Grade)
	}
	return p.Primary && !b.Primary
}

// DerivedFrom returns the provenance of a figure computed from inputs with
// provenances ps: the lowest grade of the inputs, the latest Published
// (estimated if any input's is), Derived set, note as its Note and every
// input's source, once each, joined by " + " as its Source. An input with no
// grade or no date makes the result's unknown too.
func DerivedFrom(note string, ps ...Provenance) Provenance {
	out := Provenance{Derived: true, Note: note}
	for i, p := range ps {
		if i == 0 {
			out.Grade, out.Published = p.Grade, p.Published
		} else {
			out.Grade = out.Grade.Worse(p.Grade)
			if p.Published.IsZero() || out.Published.IsZero() {
				out.Published = Date{}
			} else if p.Published.After(out.Published) {
				out.Published = p.Published
			}
		}
		out.PublishedEstimated = out.PublishedEstimated || p.PublishedEstimated
		// Source names every input's source once, in order, so a figure
		// derived from a filing names the filing.
		for _, src := range strings.Split(p.Source, " + ") {
			if src != "" && !slices.Contains(strings.Split(out.Source, " + "), src) {
				if out.Source != "" {
					out.Source += " + "
				}
				out.Source += src
			}
		}
	}
	return out
}

// Item is one sourced line item or metric of a quarter.
type Item[T Number] struct {
	Value Maybe[T] `json:"value"`
	Provenance
	// Conflicts holds other sources' values for the same item that lost to
	// this one (lower grade, or not the primary filing), best first; shown,
	// never used while the winner is public. A value equal to the winner's
	// is kept too: it confirms the winner, and it may have been public
	// earlier.
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Conflict is a losing value for a line item, kept for the miner view.
type Conflict struct {
	Value float64 `json:"value"`
	Provenance
}

// OK reports whether the item has a value.
func (i Item[T]) OK() bool { return i.Value.OK() }

// Sourced returns a known value v with its provenance.
func Sourced[T Number](v T, p Provenance) Item[T] { return Item[T]{Value: Known(v), Provenance: p} }

// PickItem resolves candidates for one line item (each a single sourced
// value, in the order found): the best grade wins, then a primary source,
// then the first given. The others become the winner's Conflicts, best
// first. Candidates without a value are ignored; none gives an unknown item.
func PickItem[T Number](cands []Item[T]) Item[T] {
	best := -1
	for i := range cands {
		if cands[i].OK() && (best < 0 || cands[i].Provenance.outranks(cands[best].Provenance)) {
			best = i
		}
	}
	if best < 0 {
		return Item[T]{}
	}
	out := cands[best]
	out.Conflicts = nil
	for i := range cands {
		if i == best || !cands[i].OK() {
			continue
		}
		out.Conflicts = append(out.Conflicts, Conflict{Value: float64(cands[i].Value.Or(0)), Provenance: cands[i].Provenance})
	}
	// Stable insertion sort, best first: conflicts are few.
	for i := 1; i < len(out.Conflicts); i++ {
		for j := i; j > 0 && out.Conflicts[j].Provenance.outranks(out.Conflicts[j-1].Provenance); j-- {
			out.Conflicts[j], out.Conflicts[j-1] = out.Conflicts[j-1], out.Conflicts[j]
		}
	}
	return out
}

// AsOf returns the item as a board dated d sees it: the winner if it was
// public by d, else the best conflict that was (promoted to winner), else
// unknown; conflicts not yet public are dropped. It does not allocate when
// everything was public by d.
func (i Item[T]) AsOf(d Date) Item[T] {
	if !i.OK() {
		return i
	}
	later := !i.PublishedBy(d)
	for _, c := range i.Conflicts {
		later = later || !c.PublishedBy(d)
	}
	if !later {
		return i
	}
	var out Item[T]
	if i.PublishedBy(d) {
		out = Item[T]{Value: i.Value, Provenance: i.Provenance}
	}
	for _, c := range i.Conflicts {
		switch {
		case !c.PublishedBy(d):
		case !out.OK():
			out = Item[T]{Value: Known(T(c.Value)), Provenance: c.Provenance}
		default:
			out.Conflicts = append(out.Conflicts, c)
		}
	}
	return out
}

// Quarter is one fiscal quarter of one listed miner: what it earned, what it
// spent, what it mined. Amounts are in USD for the quarter (not annualised).
// Every item may be unknown, and each carries its own source, grade and
// publication date, so a provider (the embedded dataset, SEC EDGAR) fills
// what it has and a board as of a date sees only what was public by then
// ([Quarter.AsOf]).
type Quarter struct {
	Ticker string `json:"ticker"`
	// Start and End are the first and last days of the quarter.
	Start Date `json:"period_start"`
	End   Date `json:"period_end"`
	// Fiscal is the company's own label, e.g. "FY2026 Q1" for IREN's
	// July–September 2025; Calendar is "2025-Q3" for the calendar quarter
	// the period ends in.
	Fiscal   string `json:"fiscal,omitempty"`
	Calendar string `json:"calendar_quarter"`
	// Published is the earliest Published of the quarter's items: the day
	// its first figure became public.
	Published Date `json:"published,omitzero"`

	RevenueTotal  Item[USD] `json:"revenue_total_usd"`
	RevenueMining Item[USD] `json:"revenue_mining_usd"`
	// RevenueOther is everything but self-mining (hosting, HPC/AI cloud,
	// ASIC sales, ...) as far as the source itemises it; OtherLabel names
	// it. It may be incomplete, so the mining share is never computed from it.
	RevenueOther Item[USD] `json:"revenue_other_usd"`
	OtherLabel   string    `json:"revenue_other_label,omitempty"`
	// CostMining is mining cost of revenue excluding depreciation
	// (power, site operations, hosting fees paid).
	CostMining Item[USD] `json:"cost_mining_ex_da_usd"`
	// CostPower is the electricity part of CostMining, where reported.
	CostPower Item[USD] `json:"cost_power_usd"`
	// CostTotal is total cost of revenue excluding depreciation, all
	// segments together.
	CostTotal Item[USD] `json:"cost_total_ex_da_usd"`
	// SGA is selling, general and administrative expense including
	// stock-based compensation; SGAExStockComp the same without it, where
	// the source gives that figure directly.
	SGA            Item[USD] `json:"sga_usd"`
	SGAExStockComp Item[USD] `json:"sga_ex_stock_comp_usd"`
	StockComp      Item[USD] `json:"stock_comp_usd"`
	// DA is depreciation and amortisation, Interest interest expense.
	DA       Item[USD] `json:"da_usd"`
	Interest Item[USD] `json:"interest_usd"`
	// BTCMined is bitcoin produced by the company's own hashrate.
	BTCMined Item[BTC] `json:"btc_mined"`
	// HashrateAvg is the quarter's average operating hashrate, where reported.
	HashrateAvg Item[EHs] `json:"hashrate_avg_ehs"`
	// PowerPrice is the quarter's average power price and Efficiency the
	// fleet's J/TH; together they give the engineering power cost when no
	// power cost is reported.
	PowerPrice Item[USDPerKWh]   `json:"power_price_usd_per_kwh"`
	Efficiency Item[JoulesPerTH] `json:"efficiency_j_per_th"`
	// Metrics are the company's own cost metrics, kept beside the derived
	// figures and never mixed into a median.
	Metrics []CompanyMetric `json:"company_metrics,omitempty"`
}

// eachPublished calls f with the publication day of every item of q and
// of every conflicting value it keeps: the days on which what a board
// sees of q can change ([Quarter.AsOf] switches to a conflict's value
// while the winner is not yet public).
func (q *Quarter) eachPublished(f func(Date)) {
	usd := []*Item[USD]{&q.RevenueTotal, &q.RevenueMining, &q.RevenueOther, &q.CostMining, &q.CostPower, &q.CostTotal,
		&q.SGA, &q.SGAExStockComp, &q.StockComp, &q.DA, &q.Interest}
	for _, it := range usd {
		itemPublished(*it, f)
	}
	itemPublished(q.BTCMined, f)
	itemPublished(q.HashrateAvg, f)
	itemPublished(q.PowerPrice, f)
	itemPublished(q.Efficiency, f)
}

// itemPublished calls f with the item's publication day and its conflicts'.
func itemPublished[T Number](it Item[T], f func(Date)) {
	f(it.Published)
	for _, c := range it.Conflicts {
		f(c.Published)
	}
}

// AsOf returns the quarter as a board dated d sees it: every item as of d
// ([Item.AsOf]) and only the metrics public by d. ok is false when nothing
// of the quarter was public by d. It does not allocate when everything was.
func (q Quarter) AsOf(d Date) (Quarter, bool) {
	if q.Published.IsZero() || q.Published.After(d) {
		return Quarter{}, false
	}
	q.RevenueTotal = q.RevenueTotal.AsOf(d)
	q.RevenueMining = q.RevenueMining.AsOf(d)
	q.RevenueOther = q.RevenueOther.AsOf(d)
	q.CostMining = q.CostMining.AsOf(d)
	q.CostPower = q.CostPower.AsOf(d)
	q.CostTotal = q.CostTotal.AsOf(d)
	q.SGA = q.SGA.AsOf(d)
	q.SGAExStockComp = q.SGAExStockComp.AsOf(d)
	q.StockComp = q.StockComp.AsOf(d)
	q.DA = q.DA.AsOf(d)
	q.Interest = q.Interest.AsOf(d)
	q.BTCMined = q.BTCMined.AsOf(d)
	q.HashrateAvg = q.HashrateAvg.AsOf(d)
	q.PowerPrice = q.PowerPrice.AsOf(d)
	q.Efficiency = q.Efficiency.AsOf(d)
	for i, m := range q.Metrics {
		if v := m.AsOf(d); !v.OK() || len(v.Conflicts) != len(m.Conflicts) || v.Published != m.Published {
			kept := make([]CompanyMetric, i, len(q.Metrics))
			copy(kept, q.Metrics[:i])
			for _, m := range q.Metrics[i:] {
				if v := m.AsOf(d); v.OK() {
					m.Value, m.Provenance, m.Conflicts = v.Value.Or(0), v.Provenance, v.Conflicts
					kept = append(kept, m)
				}
			}
			q.Metrics = kept
			break
		}
	}
	return q, true
}

// QuartersAsOf returns the quarters that had anything public by d, each as
// of d, in the order given. When everything in qs was public by d it
// returns qs itself.
func QuartersAsOf(qs []Quarter, d Date) []Quarter {
	if !slices.ContainsFunc(qs, func(q Quarter) bool { return q.newerThan(d) }) {
		return qs
	}
	out := make([]Quarter, 0, len(qs))
	for _, q := range qs {
		if v, ok := q.AsOf(d); ok {
			out = append(out, v)
		}
	}
	return out
}

// newerThan reports whether anything in q (an item, a conflict, a metric)
// was not public by d.
func (q *Quarter) newerThan(d Date) bool {
	return q.Published.IsZero() || q.Published.After(d) ||
		newer(&q.RevenueTotal, d) || newer(&q.RevenueMining, d) || newer(&q.RevenueOther, d) ||
		newer(&q.CostMining, d) || newer(&q.CostPower, d) || newer(&q.CostTotal, d) ||
		newer(&q.SGA, d) || newer(&q.SGAExStockComp, d) || newer(&q.StockComp, d) ||
		newer(&q.DA, d) || newer(&q.Interest, d) || newer(&q.BTCMined, d) || newer(&q.HashrateAvg, d) ||
		newer(&q.PowerPrice, d) || newer(&q.Efficiency, d) ||
		slices.ContainsFunc(q.Metrics, func(m CompanyMetric) bool {
			return !m.PublishedBy(d) || slices.ContainsFunc(m.Conflicts, func(c Conflict) bool { return !c.PublishedBy(d) })
		})
}

// newer reports whether a known item or any of its conflicts was not public by d.
func newer[T Number](i *Item[T], d Date) bool {
	return i.OK() && (!i.PublishedBy(d) || slices.ContainsFunc(i.Conflicts, func(c Conflict) bool { return !c.PublishedBy(d) }))
}

// CompanyMetric is a cost figure a company publishes in its own definition,
// e.g. Riot's "cost to mine one bitcoin, excluding depreciation". It is shown
// beside the derived figure of its scope, never mixed into a median.
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
	// Conflicts are other sources' values for the same metric and quarter
	// that lost to this one, as for an [Item].
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// AsOf returns the metric's value as a board dated d sees it ([Item.AsOf]).
func (m CompanyMetric) AsOf(d Date) Item[float64] {
	return Item[float64]{Value: Known(m.Value), Provenance: m.Provenance, Conflicts: m.Conflicts}.AsOf(d)
}

// MergeQuarters joins two sources' quarters of one miner (say, the SEC
// filings and the embedded research data): quarters with the same period
// end become one, each line item resolved by [PickItem] (the better grade,
// then the primary source; the loser stays as a conflict), the company
// metrics of both kept, and the earlier publication date taken. Quarters
// only one source has are kept as they are. The result is sorted by end.
func MergeQuarters(a, b []Quarter) []Quarter {
	out := slices.Clone(a)
	for _, q := range b {
		i := slices.IndexFunc(out, func(x Quarter) bool { return x.End == q.End })
		if i < 0 {
			out = append(out, q)
			continue
		}
		out[i] = mergeQuarter(out[i], q)
	}
	slices.SortStableFunc(out, func(x, y Quarter) int { return x.End.Compare(y.End) })
	return out
}

func mergeQuarter(a, b Quarter) Quarter {
	m := a
	usd := func(x, y Item[USD]) Item[USD] { return PickItem([]Item[USD]{x, y}) }
	m.RevenueTotal, m.RevenueMining, m.RevenueOther = usd(a.RevenueTotal, b.RevenueTotal), usd(a.RevenueMining, b.RevenueMining), usd(a.RevenueOther, b.RevenueOther)
	m.CostMining, m.CostPower, m.CostTotal = usd(a.CostMining, b.CostMining), usd(a.CostPower, b.CostPower), usd(a.CostTotal, b.CostTotal)
	m.SGA, m.SGAExStockComp, m.StockComp = usd(a.SGA, b.SGA), usd(a.SGAExStockComp, b.SGAExStockComp), usd(a.StockComp, b.StockComp)
	m.DA, m.Interest = usd(a.DA, b.DA), usd(a.Interest, b.Interest)
	m.BTCMined = PickItem([]Item[BTC]{a.BTCMined, b.BTCMined})
	m.HashrateAvg = PickItem([]Item[EHs]{a.HashrateAvg, b.HashrateAvg})
	m.PowerPrice = PickItem([]Item[USDPerKWh]{a.PowerPrice, b.PowerPrice})
	m.Efficiency = PickItem([]Item[JoulesPerTH]{a.Efficiency, b.Efficiency})
	m.Metrics = append(slices.Clone(a.Metrics), b.Metrics...)
	if m.OtherLabel == "" {
		m.OtherLabel = b.OtherLabel
	}
	if m.Fiscal == "" {
		m.Fiscal = b.Fiscal
	}
	if b.Published.Before(m.Published) && !b.Published.IsZero() || m.Published.IsZero() {
		m.Published = b.Published
	}
	return m
}
