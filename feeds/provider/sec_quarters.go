package provider

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

// From SEC facts to fiscal quarters.
//
// Dedupe. The same period of a concept comes back in later filings (last
// year's quarter as this year's comparative, a 10-K restating a 10-Q).
// Per (concept, start, end) the value of the latest filing wins. Its
// provenance is the earliest filing that reported that same value: a
// comparative repeated unchanged a year later was public from its first
// filing on, and "as of" views must see it from then. When a later filing
// changed the value (a restatement), the restating filing is the source
// and the replaced value is kept as a Conflict.
//
// Quarters. A three-month fact (80 to 100 days) is a quarter as filed.
// Otherwise a quarter is the difference of two facts that start on the
// same day (the fiscal year's first) and end about three months apart:
// Q2 = 6M − 3M, Q3 = 9M − 6M, Q4 = FY − 9M. Such a value is Derived, dated
// by the later of the two filings and sourced to the longer period's.
// Cash-flow items (stock compensation, D&A add-backs) are mostly tagged
// year-to-date only, and Q4 is never filed on its own, so most of those
// quarters are derived. A negative quarter (inconsistent inputs) is not
// used; the next concept in the item's list is tried instead.
//
// Labels come from the period, never from the filing's fy/fp: the fiscal
// label from the filer's fiscal year end (SECFiler.FiscalLabel), the
// calendar label from the quarter's end.

// Quarter bounds in days, both ends of the period counted.
const (
	secQuarterMinDays = 80
	secQuarterMaxDays = 100
)

// secPeriod is one concept's deduplicated value for one period.
type secPeriod struct {
	start, end time.Time
	value      float64
	// from is the earliest filing that reported value; latest the latest
	// filing of the period (whose value won).
	from, latest SECFact
	// restated is the value a later filing replaced, if any (the last one
	// before value).
	restated *SECFact
}

// days returns the period's length in days, both ends counted.
func (p secPeriod) days() int { return secDays(p.start, p.end) }

func secDays(start, end time.Time) int {
	return int(math.Round(end.Sub(start).Hours()/24)) + 1
}

// dedupeSECFacts groups facts by concept and period and keeps, per
// period, the latest filing's value with the provenance described above.
// Each concept's periods are sorted by start, then end.
func dedupeSECFacts(facts []SECFact) map[string][]secPeriod {
	sorted := slices.Clone(facts)
	slices.SortFunc(sorted, func(a, b SECFact) int {
		return cmp.Or(
			cmp.Compare(a.Concept, b.Concept),
			a.Start.Compare(b.Start),
			a.End.Compare(b.End),
			a.Filed.Compare(b.Filed),
			cmp.Compare(a.Accession, b.Accession),
		)
	})
	out := map[string][]secPeriod{}
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j].Concept == sorted[i].Concept &&
			sorted[j].Start.Equal(sorted[i].Start) && sorted[j].End.Equal(sorted[i].End) {
			j++
		}
		versions := sorted[i:j] // one period, oldest filing first
		latest := versions[len(versions)-1]
		k := len(versions) - 1
		for k > 0 && versions[k-1].Value == latest.Value {
			k--
		}
		p := secPeriod{start: latest.Start, end: latest.End, value: latest.Value, from: versions[k], latest: latest}
		if k > 0 {
			r := versions[k-1]
			p.restated = &r
		}
		out[latest.Concept] = append(out[latest.Concept], p)
		i = j
	}
	return out
}

// secKey identifies a quarter by its first and last days (Unix seconds).
type secQKey struct{ start, end int64 }

func secKeyOf(start, end time.Time) secQKey { return secQKey{start.Unix(), end.Unix()} }

// secValue is one concept's value for one quarter.
type secValue struct {
	value     float64
	prov      econ.Provenance
	conflicts []econ.Conflict
}

// secMonths names a year-to-date length: "3M", "6M", "9M" or "FY".
func secMonths(days int) string {
	m := int(math.Round(float64(days) / (365.25 / 12)))
	if m >= 12 {
		return "FY"
	}
	return strconv.Itoa(m) + "M"
}

// secConceptQuarters returns concept's quarters: three-month periods as
// filed, and the differences of year-to-date periods where no
// three-month fact exists. Negative values are left out.
func secConceptQuarters(f SECFiler, concept string, periods []secPeriod) map[secQKey]secValue {
	out := map[secQKey]secValue{}
	for _, p := range periods {
		if d := p.days(); d < secQuarterMinDays || d > secQuarterMaxDays || p.value < 0 {
			continue
		}
		v := secValue{value: p.value, prov: econ.Provenance{
			Source:    p.from.Accession,
			Grade:     econ.GradeA,
			Primary:   true,
			Published: econ.DateOf(p.from.Filed),
			Note:      p.from.Form + " " + concept,
		}}
		if r := p.restated; r != nil {
			v.prov.Note += fmt.Sprintf("; restated (was %s in %s %s)", secAmount(r.Value), r.Form, r.Accession)
			v.conflicts = []econ.Conflict{{Value: r.Value, Provenance: econ.Provenance{
				Source: r.Accession, Grade: econ.GradeA, Primary: true, Published: econ.DateOf(r.Filed),
				Note: fmt.Sprintf("%s %s as first reported; restated by %s %s", r.Form, concept, p.from.Form, p.from.Accession),
			}}}
		}
		out[secKeyOf(p.start, p.end)] = v
	}
	// Year-to-date pairs: periods are sorted by start, then end.
	for i := 0; i < len(periods); {
		j := i + 1
		for j < len(periods) && periods[j].start.Equal(periods[i].start) {
			j++
		}
		same := periods[i:j]
		for b := range same {
			for a := range b {
				short, long := same[a], same[b]
				gap := secDays(short.end, long.end) - 1
				if short.days() < secQuarterMinDays || gap < secQuarterMinDays || gap > secQuarterMaxDays {
					continue
				}
				qs := short.end.AddDate(0, 0, 1)
				key := secKeyOf(qs, long.end)
				if _, ok := out[key]; ok {
					continue // filed as a quarter, or derived already
				}
				val := long.value - short.value
				if val < 0 {
					continue
				}
				label := f.FiscalLabel(long.end)
				formula := fmt.Sprintf("%s = %s − %s", label[len(label)-2:], secMonths(long.days()), secMonths(short.days()))
				note := long.from.Form + " " + concept + "; " + formula
				if long.restated != nil || short.restated != nil {
					note += "; from restated figures"
				}
				pub := long.from.Filed
				if short.from.Filed.After(pub) {
					pub = short.from.Filed
				}
				out[key] = secValue{value: val, prov: econ.Provenance{
					Source:    long.from.Accession,
					Grade:     econ.GradeA,
					Primary:   true,
					Published: econ.DateOf(pub),
					Derived:   true,
					Note:      note,
				}}
			}
		}
		i = j
	}
	return out
}

// secAmount formats a USD amount briefly for a note: "$12.3M".
func secAmount(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return fmt.Sprintf("$%.2fB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("$%.1fM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("$%.0fK", v/1e3)
	}
	return fmt.Sprintf("$%.0f", v)
}

// secItem returns the first of concepts with a value for key.
func secItem(byConcept map[string]map[secQKey]secValue, concepts []string, key secQKey) (econ.Item[econ.USD], bool) {
	for _, c := range concepts {
		if v, ok := byConcept[c][key]; ok {
			return econ.Item[econ.USD]{Value: econ.Known(econ.USD(v.value)), Provenance: v.prov, Conflicts: v.conflicts}, true
		}
	}
	return econ.Item[econ.USD]{}, false
}

// secCostItem returns total cost of revenue excluding D&A for key: an
// explicitly ex-D&A concept; else, by the filer's cost basis, cost of
// revenue as it is (excludes D&A) or less its D&A (includes D&A).
func secCostItem(f SECFiler, byConcept map[string]map[secQKey]secValue, key secQKey) (econ.Item[econ.USD], bool) {
	if it, ok := secItem(byConcept, SECCostExDAConcepts, key); ok {
		return it, true
	}
	switch f.Cost {
	case SECCostExcludesDA:
		return secItem(byConcept, SECCostConcepts, key)
	case SECCostIncludesDA:
		da, ok := byConcept[SECCostDAConcept][key]
		if !ok {
			return econ.Item[econ.USD]{}, false
		}
		for _, c := range SECCostConcepts {
			cost, ok := byConcept[c][key]
			if !ok || cost.value < da.value {
				continue
			}
			p := cost.prov
			p.Derived = true
			if da.prov.Published.After(p.Published) {
				p.Published = da.prov.Published
			}
			p.Note += " less " + SECCostDAConcept + " (" + f.Ticker + "'s cost of revenue includes D&A)"
			if da.prov.Derived && !cost.prov.Derived {
				p.Note += "; D&A part " + da.prov.Note
			}
			return econ.Item[econ.USD]{Value: econ.Known(econ.USD(cost.value - da.value)), Provenance: p}, true
		}
	}
	return econ.Item[econ.USD]{}, false
}

// SECQuarters turns a filer's facts (any order, every version) into its
// fiscal quarters, oldest first, each with only the items the facts give:
// RevenueTotal, CostTotal (excluding D&A), SGA, StockComp, DA, Interest,
// and RevenueMining and CostMining where the filer lists concepts for
// them. Every item is Grade A, sourced to an accession, Published on the
// filing day, Derived when computed (see the comment at the top of
// sec_quarters.go). Quarters ending before f.Since are left out. Amounts
// are USD for the quarter.
func SECQuarters(f SECFiler, facts []SECFact) []econ.Quarter {
	byConcept := map[string]map[secQKey]secValue{}
	for concept, periods := range dedupeSECFacts(facts) {
		byConcept[concept] = secConceptQuarters(f, concept, periods)
	}
	keys := map[secQKey]bool{}
	for _, qs := range byConcept {
		for k := range qs {
			keys[k] = true
		}
	}
	type rule struct {
		concepts []string
		set      func(q *econ.Quarter, it econ.Item[econ.USD])
	}
	rules := []rule{
		{SECRevenueConcepts, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.RevenueTotal = it }},
		{f.MiningRevenue, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.RevenueMining = it }},
		{f.MiningCost, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.CostMining = it }},
		{SECSGAConcepts, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.SGA = it }},
		{SECStockCompConcepts, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.StockComp = it }},
		{SECDAConcepts, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.DA = it }},
		{SECInterestConcepts, func(q *econ.Quarter, it econ.Item[econ.USD]) { q.Interest = it }},
	}
	var out []econ.Quarter
	for k := range keys {
		start, end := time.Unix(k.start, 0).UTC(), time.Unix(k.end, 0).UTC()
		if end.Before(f.Since) {
			continue
		}
		q := econ.Quarter{
			Ticker:   f.Ticker,
			Start:    econ.DateOf(start),
			End:      econ.DateOf(end),
			Fiscal:   f.FiscalLabel(end),
			Calendar: econ.CalendarQuarter(econ.DateOf(end)),
		}
		found := false
		published := func(it econ.Item[econ.USD]) {
			found = true
			if q.Published.IsZero() || it.Published.Before(q.Published) {
				q.Published = it.Published
			}
		}
		for _, r := range rules {
			if it, ok := secItem(byConcept, r.concepts, k); ok {
				r.set(&q, it)
				published(it)
			}
		}
		if it, ok := secCostItem(f, byConcept, k); ok {
			q.CostTotal = it
			published(it)
		}
		if found {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b econ.Quarter) int {
		return cmp.Or(a.End.Compare(b.End), a.Start.Compare(b.Start))
	})
	return out
}
