package provider

import (
	"fmt"
	"slices"
	"time"
)

// SECCostBasis says whether a company's income-statement cost of revenue
// includes depreciation, which decides how SECCostConcepts are read.
type SECCostBasis uint8

const (
	// SECCostUnknown: not known; only SECCostExDAConcepts are used.
	SECCostUnknown SECCostBasis = iota
	// SECCostExcludesDA: the caption says "exclusive of depreciation and
	// amortization shown below"; CostOfRevenue is used as it is.
	SECCostExcludesDA
	// SECCostIncludesDA: cost of revenue includes depreciation; it is used
	// less SECCostDAConcept of the same quarter (Derived), and not at all
	// in a quarter without that fact.
	SECCostIncludesDA
)

// String names the basis.
func (b SECCostBasis) String() string {
	switch b {
	case SECCostExcludesDA:
		return "excludes D&A"
	case SECCostIncludesDA:
		return "includes D&A"
	}
	return "unknown"
}

// SECFiler is one listed miner as SEC EDGAR knows it.
type SECFiler struct {
	// Ticker is the current ticker (KEEL, not BITF).
	Ticker string
	// CIK is the SEC's Central Index Key.
	CIK int64
	// Name is the registrant's name.
	Name string
	// FiscalYearEnd and FiscalYearEndDay are the last month and day of the
	// company's fiscal year (June 30 for IREN). Fiscal quarter labels are
	// derived from them and from each period's end date.
	FiscalYearEnd    time.Month
	FiscalYearEndDay int
	// Cost says whether the company's cost of revenue includes D&A.
	Cost SECCostBasis
	// MiningRevenue and MiningCost are the company's own concepts
	// (taxonomy-qualified) for self-mining revenue and for mining cost of
	// revenue excluding D&A, tried in order. The SEC's company-facts file
	// carries standard taxonomies only and no segment facts, so these are
	// empty in SECFilers: no such figure reaches hashdeck from this API
	// today. A base URL serving a fuller file could fill them.
	MiningRevenue, MiningCost []string
	// Since drops quarters ending before it (old shells behind a reused
	// CIK, predecessors with another fiscal year).
	Since time.Time
	// Skip, when set, says why the filer is not fetched (a foreign private
	// issuer whose quarterly reports carry no XBRL facts).
	Skip string
}

// CIK10 returns the CIK zero-padded to 10 digits, as EDGAR paths spell it.
func (f SECFiler) CIK10() string { return fmt.Sprintf("%010d", f.CIK) }

// Concepts returns the concepts to keep for this filer: SECConcepts and
// its own mining concepts.
func (f SECFiler) Concepts() []string {
	c := SECConcepts()
	for _, x := range append(append([]string(nil), f.MiningRevenue...), f.MiningCost...) {
		if !slices.Contains(c, x) {
			c = append(c, x)
		}
	}
	return c
}

// secDefaultSince is the earliest quarter end kept by default: the
// dashboard looks back a few years, and older facts behind reused CIKs
// belong to other businesses.
var secDefaultSince = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// SECFilers returns the peers hashdeck knows on SEC EDGAR, skipped ones
// included (Skip says why). Each CIK was cross-checked in at least two
// independent public sources (2026); docs/upstreams.md, SEC EDGAR, "CIKs
// of the default peers", lists where each was read, and the sec_cik rows
// of feeds/dataset/data/miners-facts.csv give the same URLs. At run time
// the feeds compare them with the SEC's own ticker map
// (company_tickers.json) and report any difference.
//
// Cost bases are from the income-statement captions as recalled, not
// re-read from a filing for this table: re-check one 10-Q per company
// before relying on the cost figure.
func SECFilers() []SECFiler {
	return []SECFiler{
		// IREN Limited: 10-Q/10-K since 2025-07-01 (before: 20-F/6-K,
		// IFRS, annual facts only). CIK from the XBRL header of its
		// FQ2'26 10-Q (stocktitan.net). Fiscal year to June 30.
		// Cost basis unknown: it has presented costs by nature
		// (electricity, site expenses, depreciation).
		{Ticker: "IREN", CIK: 1878848, Name: "IREN Limited", FiscalYearEnd: time.June, FiscalYearEndDay: 30,
			Cost: SECCostUnknown, Since: secDefaultSince},
		// Core Scientific (its 10-Q on stocktitan.net). Its cost of
		// revenue includes the depreciation of mining and colocation
		// equipment. Periods before 2022 belong partly to the XPDI SPAC
		// whose CIK it took over.
		{Ticker: "CORZ", CIK: 1839341, Name: "Core Scientific, Inc.", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Cost: SECCostIncludesDA, Since: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)},
		// TeraWulf, on the CIK of IKONICS (merged December 2021): facts
		// of 2021 and before are partly IKONICS's imaging business.
		{Ticker: "WULF", CIK: 1083301, Name: "TeraWulf Inc.", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Cost: SECCostExcludesDA, Since: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)},
		// MARA Holdings (CIK: an 8-K EX-99.1 on de.advfn.com; fiscal year
		// end: its 10-K FY2024 XBRL via kabutan). Its total cost of
		// revenues includes a "depreciation and amortization" line.
		{Ticker: "MARA", CIK: 1507605, Name: "MARA Holdings, Inc.", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Cost: SECCostIncludesDA, Since: secDefaultSince},
		// Riot Platforms (CIK: an 8-K via secwatch.observer; fiscal year
		// end: EDGAR filing header 0001415889-24-019301). Cost of revenue
		// excludes depreciation.
		{Ticker: "RIOT", CIK: 1167419, Name: "Riot Platforms, Inc.", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Cost: SECCostExcludesDA, Since: secDefaultSince},
		// CleanSpark (its 10-Q of 2025-06-30 on the CIK-0000827876 IR
		// host). Fiscal year to September 30. Cost of revenues excludes
		// depreciation.
		{Ticker: "CLSK", CIK: 827876, Name: "CleanSpark, Inc.", FiscalYearEnd: time.September, FiscalYearEndDay: 30,
			Cost: SECCostExcludesDA, Since: secDefaultSince},
		// Cipher Mining, since renamed Cipher Digital (its 10-Q on
		// stocktitan.net). Cost of revenue excludes depreciation.
		{Ticker: "CIFR", CIK: 1819989, Name: "Cipher Mining Inc.", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Cost: SECCostExcludesDA, Since: secDefaultSince},
		// Hut 8 Corp, the US parent formed with USBTC in November 2023
		// (not the old Hut 8 Mining CIK). USBTC's fiscal year ended June
		// 30 and a July–December 2023 transition period followed, so only
		// quarters from 2024 on are kept. Cost of revenue excludes D&A.
		{Ticker: "HUT", CIK: 1964789, Name: "Hut 8 Corp.", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Cost: SECCostExcludesDA, Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		// Applied Digital (10-Q accession 0001144879-26-000029 via
		// secwatch.observer). Fiscal year to May 31. Cost basis unknown.
		{Ticker: "APLD", CIK: 1144879, Name: "Applied Digital Corporation", FiscalYearEnd: time.May, FiscalYearEndDay: 31,
			Cost: SECCostUnknown, Since: secDefaultSince},
		// Keel Infrastructure, formerly Bitfarms: 1812477 is Bitfarms
		// Ltd.'s CIK (its 2023 F-10 on sec.gov); the Keel parent may
		// file under a new one, which the ticker map will show.
		{Ticker: "KEEL", CIK: 1812477, Name: "Keel Infrastructure (Bitfarms)", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Skip: "40-F/6-K filer (IFRS) until its first 10-Q; check its CIK in the ticker map then", Since: secDefaultSince},
		// Bitdeer (20-F 0001140361-25-014766 via zealft.com).
		{Ticker: "BTDR", CIK: 1899123, Name: "Bitdeer Technologies Group", FiscalYearEnd: time.December, FiscalYearEndDay: 31,
			Skip: "20-F/6-K filer (IFRS): no quarterly XBRL facts", Since: secDefaultSince},
		// HIVE Digital (6-K path on capedge.com). Fiscal year to
		// March 31.
		{Ticker: "HIVE", CIK: 1720424, Name: "HIVE Digital Technologies Ltd.", FiscalYearEnd: time.March, FiscalYearEndDay: 31,
			Skip: "40-F/6-K filer (IFRS): no quarterly XBRL facts", Since: secDefaultSince},
	}
}

// fiscalYearEndOn returns the fiscal year end falling in year.
func (f SECFiler) fiscalYearEndOn(year int) time.Time {
	m, d := f.FiscalYearEnd, f.FiscalYearEndDay
	if m < time.January || m > time.December {
		m, d = time.December, 31
	}
	last := time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d <= 0 || d > last {
		d = last
	}
	return time.Date(year, m, d, 0, 0, 0, 0, time.UTC)
}

// FiscalLabel returns the company's label of the quarter ending on end,
// from its fiscal year end alone: "FY2026 Q1" for IREN's quarter ending
// 2025-09-30. The fiscal year is named by the year it ends in.
func (f SECFiler) FiscalLabel(end time.Time) string {
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	fye := f.fiscalYearEndOn(end.Year())
	if end.After(fye) {
		fye = f.fiscalYearEndOn(end.Year() + 1)
	}
	// Whole months from the quarter's end to the year's end: 0, 3, 6, 9.
	months := (fye.Year()*12 + int(fye.Month())) - (end.Year()*12 + int(end.Month()))
	q := min(max(4-(months+1)/3, 1), 4)
	return fmt.Sprintf("FY%d Q%d", fye.Year(), q)
}
