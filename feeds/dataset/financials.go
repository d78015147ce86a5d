package dataset

import (
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
)

const fileFinancials = "data/miners-financials.csv"

// financials is the part of a Dataset built from the quarterly financials
// and the sector benchmarks.
type financials struct {
	// quarters are each current ticker's quarters, oldest first.
	quarters map[string][]econ.Quarter
	// benchmarks are the sector cost benchmarks in file order.
	benchmarks []econ.Benchmark
	// means are the network means of every period a quarter or benchmark covers.
	means []econ.PeriodMeans
}

// target is the Quarter line item a row feeds.
type target uint8

const (
	tNone target = iota // a company metric, not a line item
	tRevenueTotal
	tRevenueMining
	tRevenueOther
	tCostMining
	tCostPower
	tCostTotal
	tSGA
	tSGAExSBC
	tSBC
	tDA
	tInterest
	tBTCMined
	tPowerPrice
	// Components summed into tCostTotal when no total is reported (MARA
	// reports its cost of revenue ex-D&A in these three lines).
	tPurchasedEnergy
	tHostingEnergy
	tOperations
	numTargets
)

// quarterField maps a row's field to the Quarter line item it feeds, with
// the units accepted and what each is divided by to give the item's unit.
// The same mapping serves miners-financials.csv and the quarterly rows of
// miners-facts.csv.
//
//	revenue_total_quarter, revenue_total_fy            → RevenueTotal
//	revenue_mining_quarter, revenue_mining_fy          → RevenueMining
//	revenue_other_quarter                              → RevenueOther (rows of one source summed: they itemise segments)
//	cost_of_revenue_mining_quarter                     → CostMining
//	cost_power_self_mining_quarter, cost_energy_quarter,
//	cost_net_electricity_total_quarter                 → CostPower
//	cost_of_revenue_total_quarter, cost_of_revenue_quarter,
//	cost_of_revenue_total_fy                           → CostTotal
//	cost_purchased_energy_quarter + cost_hosting_and_other_energy_quarter
//	  + cost_operating_maintenance_quarter             → CostTotal, derived, when all three exist and no total does
//	sga_quarter                                        → SGA
//	sga_ex_sbc_quarter                                 → SGAExStockComp
//	sbc_quarter                                        → StockComp
//	da_quarter, da_fy                                  → DA
//	interest_expense_quarter, interest_expense_fy      → Interest
//	btc_mined_quarter, btc_mined_fy                    → BTCMined
//	power_cost_per_kwh (USD/kWh), power_cost (c/kWh)   → PowerPrice
//
// Fiscal-year (_fy) rows are used only to derive a fourth quarter (FY less
// the first three). Company metrics are mapped by metricField. Deliberately
// ignored:
//
//   - every row whose period is a month ("2025-04 (month; …)"), not a
//     quarter or fiscal year: btc_mined_month and IREN's monthly
//     cost_net_electricity_per_btc; a month is not the quarter;
//   - cost_energy_per_btc_fy: a per-BTC figure for a whole fiscal year;
//   - gross_profit_quarter, gross_profit_total_quarter, adj_ebitda_quarter,
//     net_income_quarter, net_loss_quarter, operating_loss_quarter,
//     operating_cash_flow_quarter, gross_mining_margin_pct: results, not
//     costs (and gross profit's treatment of D&A varies);
//   - impairment_ppe_quarter, impairment_mining_hardware_quarter,
//     loss_on_digital_assets_quarter: non-cash and not a cost of mining;
//   - revenue_discontinued_ops_quarter: outside continuing revenue;
//   - opex_total_quarter (mixes every operating cost with D&A) and
//     opex_site_quarter (unclear whether inside cost of revenue);
//   - cost_other_direct_self_mining_quarter, da_miner_quarter,
//     power_curtailment_credits_quarter, demand_response_proceeds_quarter:
//     parts of, or already netted in, a figure that is mapped;
//   - hashrate_* rows: period-end, energized or capacity figures, not the
//     quarter's average; realized hashrate comes from PH·days instead;
//   - fleet_efficiency: no row is dated to a quarter.
func quarterField(field string) (target, map[string]float64, bool) {
	usd := map[string]float64{"USD": 1}
	switch field {
	case "revenue_total_quarter", "revenue_total_fy":
		return tRevenueTotal, usd, true
	case "revenue_mining_quarter", "revenue_mining_fy":
		return tRevenueMining, usd, true
	case "revenue_other_quarter":
		return tRevenueOther, usd, true
	case "cost_of_revenue_mining_quarter":
		return tCostMining, usd, true
	case "cost_power_self_mining_quarter", "cost_energy_quarter", "cost_net_electricity_total_quarter":
		return tCostPower, usd, true
	case "cost_of_revenue_total_quarter", "cost_of_revenue_quarter", "cost_of_revenue_total_fy":
		return tCostTotal, usd, true
	case "cost_purchased_energy_quarter":
		return tPurchasedEnergy, usd, true
	case "cost_hosting_and_other_energy_quarter":
		return tHostingEnergy, usd, true
	case "cost_operating_maintenance_quarter":
		return tOperations, usd, true
	case "sga_quarter":
		return tSGA, usd, true
	case "sga_ex_sbc_quarter":
		return tSGAExSBC, usd, true
	case "sbc_quarter":
		return tSBC, usd, true
	case "da_quarter", "da_fy":
		return tDA, usd, true
	case "interest_expense_quarter", "interest_expense_fy":
		return tInterest, usd, true
	case "btc_mined_quarter", "btc_mined_fy":
		return tBTCMined, map[string]float64{"BTC": 1, "BTC/quarter": 1}, true
	case "power_cost_per_kwh", "power_cost":
		return tPowerPrice, map[string]float64{"USD/kWh": 1, "c/kWh": 100}, true
	}
	return 0, nil, false
}

// reclassify corrects a row whose field name claims more than its note
// says it is: the research file keeps the name the source used, the note
// says what the figure covers. A "mining cost of revenue" that is the
// electricity line (IREN's aggregator series "Bitcoin mining - Electricity")
// is power scope; a mining revenue or cost that is a segment mixing mining
// with other business (Hut 8's Compute segment, which includes GPU cloud)
// is not a mining figure at all and is left out, so that no scope mixes
// them. ok is false for a row to leave out.
func reclassify(f *Fact, to target) (_ target, ok bool) {
	note := strings.ToLower(f.Note)
	switch {
	case to == tCostMining && strings.Contains(note, "electricity"):
		return tCostPower, true
	case (to == tCostMining || to == tRevenueMining) &&
		(strings.Contains(note, "not mining-only") || strings.Contains(note, "not pure self-mining")):
		return 0, false
	}
	return to, true
}

// metricField maps a company's own cost metric to its name, definition and
// the scope it matches most closely. Metrics are shown beside the implied
// costs and never used in them.
func metricField(field string) (m metricDef, ok bool) {
	switch field {
	case "cost_to_mine_ex_depr_per_btc":
		return metricDef{"cost to mine", "self-mining cost of revenue (power and other direct costs, net of curtailment credits) per BTC, excluding depreciation", econ.ScopeDirect}, true
	case "cost_to_mine_ex_depr":
		return metricDef{"cost to mine", "self-mining cost of revenue per BTC, excluding depreciation", econ.ScopeDirect}, true
	case "cost_to_mine_incl_depr_per_btc":
		return metricDef{"cost to mine incl. depreciation", "cost to mine plus miner depreciation per BTC; no overhead or interest", econ.ScopeAllIn}, true
	case "cost_all_in_electricity_per_btc":
		return metricDef{"all-in electricity cost", "electricity cost per self-mined BTC", econ.ScopePower}, true
	case "cost_marginal_per_btc":
		return metricDef{"marginal cost per coin", "energy cost per BTC, excluding depreciation", econ.ScopePower}, true
	case "cost_power_per_btc":
		return metricDef{"power cost per BTC", "power cost of self-mining per BTC", econ.ScopePower}, true
	case "cost_purchased_energy_per_btc":
		return metricDef{"purchased energy cost per BTC", "purchased energy per BTC, owned sites only", econ.ScopePower}, true
	case "cost_direct_per_btc":
		return metricDef{"direct cost per BTC", "direct mining cost per BTC", econ.ScopeDirect}, true
	case "cost_cash_per_btc":
		return metricDef{"cash cost per BTC", "cash cost per BTC as a secondary source attributes it to CoinShares", econ.ScopeCash}, true
	case "cost_allin_cash_per_btc":
		return metricDef{"all-in cash cost per BTC", "all-in cash cost per BTC as a secondary source attributes it to CoinShares", econ.ScopeCash}, true
	case "cost_all_in_cash_per_btc":
		return metricDef{"all-in cash cost per BTC", "all-in cash cost per BTC (TheMinerMag's analysis)", econ.ScopeCash}, true
	case "cost_total_cash_per_btc":
		return metricDef{"total cash cost per BTC", "average total cash cost per mined BTC (non-IFRS)", econ.ScopeCash}, true
	case "hashcost_company_usd_per_ph_day":
		return metricDef{"cost per petahash per day", "the company's own cost per PH/s per day; scope not stated", econ.ScopeDirect}, true
	}
	return metricDef{}, false
}

// metricDef describes a company metric.
type metricDef struct {
	name, definition string
	scope            econ.Scope
}

// row is one mapped row of either file, with its period resolved.
type row struct {
	f      *Fact
	ticker string
	value  float64
	per    rowPeriod
	prov   econ.Provenance
	to     target
	metric string // the field, when the row is a company metric
}

// rowPeriod is a row's reporting period: a calendar quarter or a fiscal year.
type rowPeriod struct {
	fy         bool
	start, end econ.Date
	// unverified: the row says its quarter is only "per source".
	unverified bool
}

// key names the period for grouping: "2025-Q3" or "FY2025".
func (p rowPeriod) key() string {
	if p.fy {
		return "FY" + strconv.Itoa(p.end.Time().Year())
	}
	return econ.CalendarQuarter(p.end)
}

// calendarQuarterRE matches an as-of that starts with a calendar quarter ("2025-Q3 (Jul-Sep 2025); FY26 Q1").
var calendarQuarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])\b`)

// parseRowPeriod reads a row's as-of: "2025-Q3 …" is that calendar
// quarter; "FY2025 …" the fiscal year ending in 2025 at the company's
// fiscal year end; any other text ParsePeriod reads as exactly one calendar
// quarter ("2025-07..09") is that quarter. Anything else (a month, an
// approximate or undated period) is not a quarter: ok is false.
func parseRowPeriod(asOf string, fye fiscalYearEnd) (rowPeriod, bool) {
	if rest, ok := strings.CutPrefix(asOf, "FY"); ok && len(rest) >= 4 {
		y, err := strconv.Atoi(rest[:4])
		if err != nil {
			return rowPeriod{}, false
		}
		end := econ.NewDate(y, fye.month, fye.day)
		return rowPeriod{fy: true, start: econ.NewDate(y-1, fye.month, fye.day+1), end: end}, true
	}
	if m := calendarQuarterRE.FindStringSubmatch(asOf); m != nil {
		y, _ := strconv.Atoi(m[1])
		q := int(m[2][0] - '0')
		start := econ.NewDate(y, time.Month(3*q-2), 1)
		return rowPeriod{start: start, end: econ.NewDate(y, time.Month(3*q+1), 0), unverified: strings.Contains(asOf, "(per source)")}, true
	}
	p, err := ParsePeriod(asOf)
	if err != nil || p.From.Day() != 1 || p.From.Month()%3 != 1 || !p.To.Equal(p.From.AddDate(0, 3, -1)) {
		return rowPeriod{}, false
	}
	return rowPeriod{start: econ.DateOf(p.From), end: econ.DateOf(p.To)}, true
}

// fiscalYearEnd is the month and day a company's fiscal year ends.
type fiscalYearEnd struct {
	month time.Month
	day   int
}

// fiscalYearEnds reads the fact sheet's fiscal_year_end rows ("06-30").
// A company without one (KEEL) is taken to end its year in December, which
// is what its rows' own fiscal labels ("FY2025 Q1" for January–March) say.
func fiscalYearEnds(facts []Fact) map[string]fiscalYearEnd {
	out := map[string]fiscalYearEnd{}
	for _, f := range facts {
		if f.Field != "fiscal_year_end" || len(f.Value) != 5 || f.Value[2] != '-' {
			continue
		}
		m, err1 := strconv.Atoi(f.Value[:2])
		d, err2 := strconv.Atoi(f.Value[3:])
		if err1 == nil && err2 == nil && m >= 1 && m <= 12 {
			out[CurrentSymbol(f.Ticker)] = fiscalYearEnd{time.Month(m), d}
		}
	}
	return out
}

// fiscalLabel returns the company's label for the quarter ending on end,
// e.g. "FY2026 Q1" for IREN's July–September 2025 (fiscal years are named
// after the calendar year they end in).
func fiscalLabel(end econ.Date, fye fiscalYearEnd) string {
	y, m := end.Time().Year(), end.Time().Month()
	fy := y
	if m > fye.month {
		fy++
	}
	first := fye.month%12 + 1
	q := (int(m)-int(first)+12)%12/3 + 1
	return fmt.Sprintf("FY%d Q%d", fy, q)
}

// releaseRE finds a release, presentation or filing date in a note:
// "release 2025-07-29", "results published 2025-11-10 after close",
// "10-Q (filed 2026-05-11)", "filed ~2025-10-30" ("~" marks it approximate).
var releaseRE = regexp.MustCompile(`(?i)\b(?:releas(?:e|ed)|published|presented|filed|slides|reported)\b[^0-9;]{0,24}?(~?)(\d{4}-\d{2}-\d{2})`)

// useRE finds a note's explicit choice between two dates ("use 2025-08-08 to be safe").
var useRE = regexp.MustCompile(`\buse (\d{4}-\d{2}-\d{2})\b`)

// noteDate returns the publication date a note states, and whether it is
// marked approximate ("~2025-10-30", "2025-05-08 (approx").
func noteDate(note string) (econ.Date, bool, bool) {
	if m := useRE.FindStringSubmatch(note); m != nil {
		if d, err := econ.ParseDate(m[1]); err == nil {
			return d, false, true
		}
	}
	for _, m := range releaseRE.FindAllStringSubmatchIndex(note, -1) {
		d, err := econ.ParseDate(note[m[4]:m[5]])
		if err != nil {
			continue
		}
		approx := m[3] > m[2] || strings.HasPrefix(note[m[5]:], " (approx")
		return d, approx, true
	}
	return econ.Date{}, false, false
}

// Estimated publication lags, used when no row of the same document states
// a date: a quarter's figures 45 days after its end, a fiscal year's 90.
const (
	quarterLagDays = 45
	yearLagDays    = 90
)

// isPrimary reports whether a source URL is the filing or the company's own
// release: on sec.gov, a company investor-relations site, the company's own
// site, or the wire service that carried the release. Copies elsewhere are
// not primary even when the row grades them A.
func isPrimary(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if host == "sec.gov" || strings.HasSuffix(host, ".sec.gov") {
		return true
	}
	for _, p := range []string{"ir.", "investor.", "investors."} {
		if strings.HasPrefix(host, p) {
			return true
		}
	}
	// The wire services releases go out on, and a company site that posts them.
	for _, h := range []string{"businesswire.com", "globenewswire.com", "prnewswire.com", "hut8.com"} {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

func gradeOf(q Quality) econ.Grade {
	switch q {
	case QualityA:
		return econ.GradeA
	case QualityB:
		return econ.GradeB
	case QualityC:
		return econ.GradeC
	}
	return econ.GradeUnknown
}

// loadFinancials reads miners-financials.csv and builds every ticker's
// quarters from it and from the fact sheet's quarterly rows (d.facts must
// be loaded). See [Dataset.Quarters].
func (d *Dataset) loadFinancials(fsys fs.FS) error {
	fin, t, err := readFacts(fsys, fileFinancials)
	if err != nil {
		return err
	}
	fyes := fiscalYearEnds(d.facts)
	var rows []row
	for i := range fin {
		r, ok, err := mapRow(&fin[i], fyes)
		if err != nil {
			return &ParseError{File: fileFinancials, Line: fin[i].Line, Err: err}
		}
		if ok {
			rows = append(rows, r)
		}
	}
	for i := range d.facts {
		r, ok, err := mapRow(&d.facts[i], fyes)
		if err != nil {
			return &ParseError{File: fileFacts, Line: d.facts[i].Line, Err: err}
		}
		if ok {
			rows = append(rows, r)
		}
	}
	datePublished(rows)
	d.fin.quarters = buildQuarters(rows, fyes)
	d.addFile(t, "hashdeck research: quarterly line items from earnings releases, SEC filings and secondary summaries, one sourced item per row", "facts with source URLs; see each row")
	return nil
}

// mapRow types a row that feeds a quarter; ok is false for a row that is
// deliberately ignored (see quarterField). A mapped row with a unit it
// does not expect, or a value that is not a plain number, is an error.
func mapRow(f *Fact, fyes map[string]fiscalYearEnd) (row, bool, error) {
	to, units, isItem := quarterField(f.Field)
	if isItem {
		if to, isItem = reclassify(f, to); !isItem {
			return row{}, false, nil
		}
	}
	_, isMetric := metricField(f.Field)
	if !isItem && !isMetric {
		return row{}, false, nil
	}
	ticker := CurrentSymbol(f.Ticker)
	fye, ok := fyes[ticker]
	if !ok {
		fye = fiscalYearEnd{time.December, 31}
	}
	per, ok := parseRowPeriod(f.AsOf, fye)
	if !ok || (per.fy && isMetric) {
		return row{}, false, nil
	}
	v, ok := PlainNumber(f.Value)
	if !ok {
		return row{}, false, fmt.Errorf("%s %s: %q is not a plain number", f.Ticker, f.Field, f.Value)
	}
	r := row{f: f, ticker: ticker, per: per, value: v}
	if isItem {
		div, ok := units[f.Unit]
		if !ok {
			return row{}, false, fmt.Errorf("%s %s: unit %q, want one of %v", f.Ticker, f.Field, f.Unit, keys(units))
		}
		r.value, r.to = v/div, to
	} else {
		if f.Unit != "USD/BTC" && f.Unit != "USD/PH/day" {
			return row{}, false, fmt.Errorf("%s %s: unit %q, want USD/BTC or USD/PH/day", f.Ticker, f.Field, f.Unit)
		}
		r.metric = f.Field
	}
	r.prov = econ.Provenance{Source: f.SourceURL, Grade: gradeOf(f.Quality), Primary: isPrimary(f.SourceURL), Note: f.Note}
	if per.unverified {
		r.prov.Note = "quarter as the source labels it, unverified; " + r.prov.Note
	}
	return r, true, nil
}

func keys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// datePublished sets each row's Published: the date its own note states;
// else the earliest date stated by another row of the same document (same
// ticker, period and source URL); else the period's end plus the estimated
// lag, marked estimated.
func datePublished(rows []row) {
	stated := map[string]econ.Date{}
	docKey := func(r *row) string { return r.ticker + "|" + r.per.key() + "|" + r.f.SourceURL }
	for i := range rows {
		r := &rows[i]
		if d, approx, ok := noteDate(r.f.Note); ok {
			r.prov.Published, r.prov.PublishedEstimated = d, approx
			if k := docKey(r); !approx && (stated[k].IsZero() || d.Before(stated[k])) {
				stated[k] = d
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if !r.prov.Published.IsZero() {
			continue
		}
		if d, ok := stated[docKey(r)]; ok {
			r.prov.Published = d
			continue
		}
		lag := quarterLagDays
		if r.per.fy {
			lag = yearLagDays
		}
		r.prov.Published, r.prov.PublishedEstimated = r.per.end.AddDays(lag), true
	}
}

// buildQuarters resolves the rows into each ticker's quarters, oldest first.
func buildQuarters(rows []row, fyes map[string]fiscalYearEnd) map[string][]econ.Quarter {
	type group struct {
		ticker string
		per    rowPeriod
		rows   [numTargets][]*row
		mets   []*row
	}
	groups := map[string]*group{}
	var order []string
	for i := range rows {
		r := &rows[i]
		k := r.ticker + "|" + r.per.key()
		g := groups[k]
		if g == nil {
			g = &group{ticker: r.ticker, per: r.per}
			groups[k] = g
			order = append(order, k)
		}
		if r.metric != "" {
			g.mets = append(g.mets, r)
		} else {
			g.rows[r.to] = append(g.rows[r.to], r)
		}
	}
	out := map[string][]econ.Quarter{}
	years := map[string]*group{}
	for _, k := range order {
		g := groups[k]
		if g.per.fy {
			years[k] = g
			continue
		}
		fye := fyeOf(fyes, g.ticker)
		q := econ.Quarter{Ticker: g.ticker, Start: g.per.start, End: g.per.end,
			Calendar: econ.CalendarQuarter(g.per.end), Fiscal: fiscalLabel(g.per.end, fye)}
		var other []string
		q.RevenueTotal = pickUSD(g.rows[tRevenueTotal])
		q.RevenueMining = pickUSD(g.rows[tRevenueMining])
		q.RevenueOther, other = sumComponents(g.rows[tRevenueOther])
		q.OtherLabel = strings.Join(other, " + ")
		q.CostMining = pickUSD(g.rows[tCostMining])
		q.CostPower = pickUSD(g.rows[tCostPower])
		q.CostTotal = pickUSD(g.rows[tCostTotal])
		if !q.CostTotal.OK() {
			q.CostTotal = costOfRevenueFromParts(g.rows[tPurchasedEnergy], g.rows[tHostingEnergy], g.rows[tOperations])
		}
		q.SGA = pickUSD(g.rows[tSGA])
		q.SGAExStockComp = pickUSD(g.rows[tSGAExSBC])
		q.StockComp = pickUSD(g.rows[tSBC])
		q.DA = pickUSD(g.rows[tDA])
		q.Interest = pickUSD(g.rows[tInterest])
		q.BTCMined = pickRows[econ.BTC](g.rows[tBTCMined])
		q.PowerPrice = pickRows[econ.USDPerKWh](g.rows[tPowerPrice])
		q.Metrics = metrics(g.mets)
		out[g.ticker] = append(out[g.ticker], q)
	}
	for _, g := range years {
		deriveQ4(out, g.ticker, g.per, fyeOf(fyes, g.ticker), g.rows)
	}
	for tk, qs := range out {
		for i := range qs {
			qs[i].Published = earliest(&qs[i])
		}
		slices.SortFunc(qs, func(a, b econ.Quarter) int { return a.End.Compare(b.End) })
		out[tk] = qs
	}
	return out
}

func fyeOf(fyes map[string]fiscalYearEnd, ticker string) fiscalYearEnd {
	if f, ok := fyes[ticker]; ok {
		return f
	}
	return fiscalYearEnd{time.December, 31}
}

// metrics resolves the company metrics of one quarter: rows of the same
// metric (by name) compete as line items do, the losers becoming Conflicts.
func metrics(rs []*row) []econ.CompanyMetric {
	var out []econ.CompanyMetric
	done := map[string]bool{}
	for _, r := range rs {
		m, _ := metricField(r.metric)
		if done[m.name] {
			continue
		}
		done[m.name] = true
		var same []*row
		for _, o := range rs {
			if om, _ := metricField(o.metric); om.name == m.name {
				same = append(same, o)
			}
		}
		it := pickRows[float64](same)
		unit := r.f.Unit
		for _, o := range same {
			if o.prov == it.Provenance {
				unit = o.f.Unit
			}
		}
		out = append(out, econ.CompanyMetric{Name: m.name, Definition: m.definition, Value: it.Value.Or(0),
			Unit: unit, Scope: m.scope, Provenance: it.Provenance, Conflicts: it.Conflicts})
	}
	return out
}

// pickRows resolves a line item's rows with econ.PickItem (grade, then primary
// source, then file order: the financials file before the fact sheet). A
// row that repeats another's value from the same source is dropped.
func pickRows[T econ.Number](rs []*row) econ.Item[T] {
	cands := make([]econ.Item[T], 0, len(rs))
	for i, r := range rs {
		dup := false
		for _, o := range rs[:i] {
			dup = dup || (o.value == r.value && o.f.SourceURL == r.f.SourceURL)
		}
		if !dup {
			cands = append(cands, econ.Sourced(T(r.value), r.prov))
		}
	}
	return econ.PickItem(cands)
}

func pickUSD(rs []*row) econ.Item[econ.USD] { return pickRows[econ.USD](rs) }

// sumComponents resolves other revenue: rows from one source with
// different values itemise segments (hosting, colocation, HPC) and are
// summed into one derived figure; sources then compete as usual. It
// returns the labels of the winning source's components (each row's note
// up to its first ";" or "(").
func sumComponents(rs []*row) (econ.Item[econ.USD], []string) {
	var bySource [][]*row
	for _, r := range rs {
		i := slices.IndexFunc(bySource, func(g []*row) bool { return g[0].f.SourceURL == r.f.SourceURL })
		if i < 0 {
			bySource = append(bySource, []*row{r})
			continue
		}
		if !slices.ContainsFunc(bySource[i], func(o *row) bool { return o.value == r.value }) {
			bySource[i] = append(bySource[i], r)
		}
	}
	cands := make([]econ.Item[econ.USD], len(bySource))
	labels := make([][]string, len(bySource))
	for i, g := range bySource {
		sum, ps := 0.0, make([]econ.Provenance, len(g))
		for j, r := range g {
			sum += r.value
			ps[j] = r.prov
			labels[i] = append(labels[i], segmentLabel(r.f.Note))
		}
		p := g[0].prov
		if len(g) > 1 {
			p = econ.DerivedFrom("sum of "+strings.Join(labels[i], " + "), ps...)
			p.Source, p.Primary = g[0].prov.Source, g[0].prov.Primary
		}
		cands[i] = econ.Sourced(econ.USD(sum), p)
	}
	it := econ.PickItem(cands)
	for i := range cands {
		if it.OK() && cands[i].Provenance == it.Provenance {
			return it, labels[i]
		}
	}
	return it, nil
}

// segmentLabel is the start of a note, up to its first ";" or "(".
func segmentLabel(note string) string {
	if i := strings.IndexAny(note, ";("); i >= 0 {
		note = note[:i]
	}
	return strings.TrimSpace(note)
}

// costOfRevenueFromParts sums purchased energy, hosting and other energy,
// and operations and maintenance into cost of revenue excluding D&A, when
// all three are known.
func costOfRevenueFromParts(parts ...[]*row) econ.Item[econ.USD] {
	sum := 0.0
	var ps []econ.Provenance
	for _, rs := range parts {
		it := pickUSD(rs)
		if !it.OK() {
			return econ.Item[econ.USD]{}
		}
		sum += float64(it.Value.Or(0))
		ps = append(ps, it.Provenance)
	}
	return econ.Sourced(econ.USD(sum), econ.DerivedFrom("purchased energy + hosting and other energy + operations and maintenance", ps...))
}

// deriveQ4 fills the fourth fiscal quarter's items from a fiscal year's
// totals less its first three quarters, where the year and all three
// quarters have the item and the fourth does not: Q4 = FY − (Q1+Q2+Q3),
// derived, with the lowest grade and latest date of the four inputs. It
// adds the fourth quarter when it has no row of its own.
func deriveQ4(quarters map[string][]econ.Quarter, ticker string, fy rowPeriod, fye fiscalYearEnd, rows [numTargets][]*row) {
	var idx [4]int
	for n := range idx {
		end := econ.DateOf(fy.start.Time().AddDate(0, 3*(n+1), -1))
		idx[n] = slices.IndexFunc(quarters[ticker], func(q econ.Quarter) bool { return q.End == end })
		if n < 3 && idx[n] < 0 {
			return
		}
	}
	qs := quarters[ticker]
	q4 := econ.Quarter{Ticker: ticker, Start: econ.DateOf(fy.start.Time().AddDate(0, 9, 0)), End: fy.end,
		Calendar: econ.CalendarQuarter(fy.end), Fiscal: fiscalLabel(fy.end, fye)}
	if idx[3] >= 0 {
		q4 = qs[idx[3]]
	}
	label := "FY" + strconv.Itoa(fy.end.Time().Year())
	derived := false
	for _, f := range []struct {
		t   target
		get func(*econ.Quarter) *econ.Item[econ.USD]
	}{
		{tRevenueTotal, func(q *econ.Quarter) *econ.Item[econ.USD] { return &q.RevenueTotal }},
		{tRevenueMining, func(q *econ.Quarter) *econ.Item[econ.USD] { return &q.RevenueMining }},
		{tCostTotal, func(q *econ.Quarter) *econ.Item[econ.USD] { return &q.CostTotal }},
		{tDA, func(q *econ.Quarter) *econ.Item[econ.USD] { return &q.DA }},
		{tInterest, func(q *econ.Quarter) *econ.Item[econ.USD] { return &q.Interest }},
	} {
		if it := f.get(&q4); !it.OK() {
			*it = fourthQuarter(pickUSD(rows[f.t]), *f.get(&qs[idx[0]]), *f.get(&qs[idx[1]]), *f.get(&qs[idx[2]]), label)
			derived = derived || it.OK()
		}
	}
	if !q4.BTCMined.OK() {
		q4.BTCMined = fourthQuarter(pickRows[econ.BTC](rows[tBTCMined]), qs[idx[0]].BTCMined, qs[idx[1]].BTCMined, qs[idx[2]].BTCMined, label)
		derived = derived || q4.BTCMined.OK()
	}
	switch {
	case !derived:
	case idx[3] >= 0:
		qs[idx[3]] = q4
	default:
		quarters[ticker] = append(qs, q4)
	}
}

// fourthQuarter returns fy − (q1 + q2 + q3) when all four are known and the
// result is not negative; unknown otherwise.
func fourthQuarter[T econ.Number](fy, q1, q2, q3 econ.Item[T], label string) econ.Item[T] {
	v, ok := fy.Value.Get()
	ps := []econ.Provenance{fy.Provenance}
	for _, q := range []econ.Item[T]{q1, q2, q3} {
		x, known := q.Value.Get()
		if !ok || !known {
			return econ.Item[T]{}
		}
		v -= x
		ps = append(ps, q.Provenance)
	}
	if v < 0 {
		return econ.Item[T]{}
	}
	return econ.Sourced(v, econ.DerivedFrom("Q4 = "+label+" − (Q1 + Q2 + Q3)", ps...))
}

// earliest is the earliest publication date of anything in the quarter.
func earliest(q *econ.Quarter) econ.Date {
	var d econ.Date
	see := func(p econ.Provenance) {
		if !p.Published.IsZero() && (d.IsZero() || p.Published.Before(d)) {
			d = p.Published
		}
	}
	eachItem(q, func(p econ.Provenance, cs []econ.Conflict) {
		see(p)
		for _, c := range cs {
			see(c.Provenance)
		}
	})
	for _, m := range q.Metrics {
		see(m.Provenance)
		for _, c := range m.Conflicts {
			see(c.Provenance)
		}
	}
	return d
}

// eachItem calls f with the provenance and conflicts of every known item of q.
func eachItem(q *econ.Quarter, f func(econ.Provenance, []econ.Conflict)) {
	for _, it := range []*econ.Item[econ.USD]{&q.RevenueTotal, &q.RevenueMining, &q.RevenueOther, &q.CostMining,
		&q.CostPower, &q.CostTotal, &q.SGA, &q.SGAExStockComp, &q.StockComp, &q.DA, &q.Interest} {
		if it.OK() {
			f(it.Provenance, it.Conflicts)
		}
	}
	if q.BTCMined.OK() {
		f(q.BTCMined.Provenance, q.BTCMined.Conflicts)
	}
	if q.PowerPrice.OK() {
		f(q.PowerPrice.Provenance, q.PowerPrice.Conflicts)
	}
}

// Quarters returns symbol's quarters (current or former ticker), oldest
// first, as known today: every item with its source, grade, publication
// date and losing conflicts. Use econ.QuartersAsOf for a past date. The
// slice is shared: do not modify it.
func (d *Dataset) Quarters(symbol string) []econ.Quarter {
	return d.fin.quarters[CurrentSymbol(symbol)]
}
