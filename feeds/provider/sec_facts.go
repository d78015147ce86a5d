package provider

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// The SEC's company-facts file (docs/upstreams.md, SEC EDGAR):
//
//	{"cik":1507605,"entityName":"MARA Holdings, Inc.",
//	 "facts":{"dei":{…},
//	          "us-gaap":{"Revenues":{"label":…,"description":…,
//	                     "units":{"USD":[{"start":"2025-01-01","end":"2025-03-31","val":213880000,
//	                                      "accn":"0001507605-25-000010","fy":2025,"fp":"Q1",
//	                                      "form":"10-Q","filed":"2025-05-08","frame":"CY2025Q1"}, …]}}, …}}}
//
// Only standard taxonomies are in it (us-gaap, ifrs-full, dei, srt, …), and
// only facts without dimensions: a company's own extension concepts and
// its segment breakdowns (self-mining revenue by segment, mining cost of
// revenue by segment) never reach this file. fy and fp describe the filing
// the fact came from, not the fact's own period, and are not read.

// Concepts whose facts the decoder keeps, by line item, each list in the
// order tried: for each quarter the first concept with a usable value
// wins, so a company that switched tags over the years is read with the
// right one in each quarter. Every concept is taxonomy-qualified.
var (
	// SECRevenueConcepts: total revenue. Revenues comes first because
	// companies with lease or other non-contract income (hosting,
	// colocation) tag the total with it and the contract part with
	// RevenueFromContractWithCustomer….
	SECRevenueConcepts = []string{
		"us-gaap:Revenues",
		"us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
		"us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax",
		"ifrs-full:Revenue",
		"ifrs-full:RevenueFromContractsWithCustomers",
	}
	// SECCostExDAConcepts: total cost of revenue explicitly excluding
	// depreciation, used for every filer (the second is the 2013–2018 name).
	SECCostExDAConcepts = []string{
		"us-gaap:CostOfGoodsAndServiceExcludingDepreciationDepletionAndAmortization",
		"us-gaap:CostOfGoodsSoldExcludingDepreciationDepletionAndAmortization",
	}
	// SECCostConcepts: total cost of revenue as the income statement
	// shows it. Whether that includes depreciation depends on the company
	// (SECFiler.Cost): used as is only where it excludes it, less
	// SECCostDAConcept where it includes it, not at all where unknown.
	SECCostConcepts = []string{
		"us-gaap:CostOfRevenue",
		"us-gaap:CostOfGoodsAndServicesSold",
	}
	// SECCostDAConcept is the depreciation inside cost of revenue.
	SECCostDAConcept = "us-gaap:CostDepreciationAmortizationAndDepletion"
	// SECSGAConcepts: selling, general and administrative expense (miners
	// mostly report G&A alone).
	SECSGAConcepts = []string{
		"us-gaap:SellingGeneralAndAdministrativeExpense",
		"us-gaap:GeneralAndAdministrativeExpense",
		"ifrs-full:SellingGeneralAndAdministrativeExpense",
		"ifrs-full:AdministrativeExpense",
	}
	// SECStockCompConcepts: share-based compensation. ShareBasedCompensation
	// is the cash-flow add-back, usually tagged year-to-date only, so most
	// quarters of it are differenced (6M − 3M, …).
	SECStockCompConcepts = []string{
		"us-gaap:ShareBasedCompensation",
		"us-gaap:AllocatedShareBasedCompensationExpense",
		"ifrs-full:AdjustmentsForSharebasedPayments",
		"ifrs-full:ExpenseFromSharebasedPaymentTransactionsWithEmployees",
	}
	// SECDAConcepts: depreciation and amortization, total. The first is
	// the cash-flow add-back (often year-to-date only); Depreciation alone
	// (no amortization of intangibles) is the last resort.
	SECDAConcepts = []string{
		"us-gaap:DepreciationDepletionAndAmortization",
		"us-gaap:DepreciationAndAmortization",
		"us-gaap:DepreciationAmortizationAndAccretionNet",
		"us-gaap:Depreciation",
		"ifrs-full:DepreciationAndAmortisationExpense",
		"ifrs-full:AdjustmentsForDepreciationAndAmortisationExpense",
	}
	// SECInterestConcepts: interest expense. InterestExpenseNonoperating
	// replaced InterestExpense for many filers from the 2024 taxonomy on.
	SECInterestConcepts = []string{
		"us-gaap:InterestExpense",
		"us-gaap:InterestExpenseNonoperating",
		"us-gaap:InterestExpenseDebt",
		"ifrs-full:InterestExpense",
		"ifrs-full:FinanceCosts",
	}
)

// SECParserVersion numbers the rules that choose which facts are kept
// (the concept lists above and the decoder's filters). A cache of facts
// kept under another version is refetched in full, without validators
// (a 304 would otherwise keep the old choice). Bump it with those rules.
const SECParserVersion = 1

// SECConcepts returns every standard concept the decoder keeps: the lists
// above and SECCostDAConcept.
func SECConcepts() []string {
	var out []string
	for _, l := range [][]string{SECRevenueConcepts, SECCostExDAConcepts, SECCostConcepts, {SECCostDAConcept},
		SECSGAConcepts, SECStockCompConcepts, SECDAConcepts, SECInterestConcepts} {
		out = append(out, l...)
	}
	return out
}

// SECFact is one reported value of a duration concept in USD, as filed.
type SECFact struct {
	// Concept is taxonomy-qualified: "us-gaap:Revenues".
	Concept string `json:"concept"`
	// Start and End are the first and last days of the period (UTC).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Value is in USD.
	Value float64 `json:"value"`
	// Accession is the filing's accession number ("0001507605-25-000010"),
	// Form its form ("10-Q", "10-K", "10-K/A", …) and Filed its filing day.
	Accession string    `json:"accn"`
	Form      string    `json:"form"`
	Filed     time.Time `json:"filed"`
}

// SECCompanyFacts is what DecodeSECCompanyFacts keeps of a company-facts
// file, and what SECClient.CompanyFacts returns.
type SECCompanyFacts struct {
	CIK        int64
	EntityName string
	// Facts holds every version of every kept concept's USD duration
	// facts (restatements and re-reported comparatives included), sorted
	// by concept, end, start, filed day and accession.
	Facts []SECFact
	// Skipped counts facts of kept concepts that were left out: instants,
	// periods longer than 400 days, and facts with a missing or malformed
	// date, accession or value.
	Skipped int
	// NotModified is set (and Facts empty) when the SEC answered 304 to a
	// conditional request: the copy held is current.
	NotModified bool
	// Validators are the response's ETag and Last-Modified.
	Validators SECValidators
	// Date is the response's Date.
	Date time.Time
}

// secMaxPeriodDays bounds the periods kept: a fiscal year (with room for
// a 53-week year), nothing longer.
const secMaxPeriodDays = 400

// DecodeSECCompanyFacts decodes a company-facts file as it is read, token
// by token, keeping only the USD duration facts of concepts (SECConcepts()
// when nil). Every other concept is skipped without being decoded, so
// memory stays near the size of the largest single concept, whatever the
// file's size. A body that is not a JSON object (an HTML error page served
// with 200), a malformed or truncated one, or one without a cik, is an
// error.
func DecodeSECCompanyFacts(r io.Reader, concepts []string) (SECCompanyFacts, error) {
	if concepts == nil {
		concepts = SECConcepts()
	}
	want := map[string]map[string]bool{} // taxonomy → tag → kept
	for _, c := range concepts {
		tax, tag, ok := strings.Cut(c, ":")
		if !ok {
			continue
		}
		if want[tax] == nil {
			want[tax] = map[string]bool{}
		}
		want[tax][tag] = true
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if err := secExpectJSONObject(br); err != nil {
		return SECCompanyFacts{}, err
	}
	dec := json.NewDecoder(br)
	var out SECCompanyFacts
	if err := secDelim(dec, '{', "the file"); err != nil {
		return out, err
	}
	sawCIK := false
	for dec.More() {
		key, err := secKey(dec)
		if err != nil {
			return out, err
		}
		switch key {
		case "cik":
			var c secCIK
			if err := dec.Decode(&c); err != nil {
				return out, fmt.Errorf("cik: %w", err)
			}
			out.CIK, sawCIK = int64(c), c > 0
		case "entityName":
			var name *string
			if err := dec.Decode(&name); err != nil {
				return out, fmt.Errorf("entityName: %w", err)
			}
			if name != nil {
				out.EntityName = *name
			}
		case "facts":
			if err := decodeSECTaxonomies(dec, want, &out); err != nil {
				return out, err
			}
		default:
			if err := dec.Decode(&secSkip{}); err != nil {
				return out, fmt.Errorf("%s: %w", Clip(key, 40), err)
			}
		}
	}
	if err := secDelim(dec, '}', "the file"); err != nil {
		return out, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return out, errors.New("data after the company-facts object")
	}
	if !sawCIK {
		return out, errors.New("no cik in the company-facts file")
	}
	slices.SortFunc(out.Facts, compareSECFacts)
	return out, nil
}

// compareSECFacts orders facts by concept, end, start, filed, accession.
func compareSECFacts(a, b SECFact) int {
	if c := strings.Compare(a.Concept, b.Concept); c != 0 {
		return c
	}
	if c := a.End.Compare(b.End); c != 0 {
		return c
	}
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	if c := a.Filed.Compare(b.Filed); c != 0 {
		return c
	}
	return strings.Compare(a.Accession, b.Accession)
}

// decodeSECTaxonomies reads "facts": {taxonomy: {tag: concept, …}, …},
// keeping the wanted concepts' facts in out. null is no facts.
func decodeSECTaxonomies(dec *json.Decoder, want map[string]map[string]bool, out *SECCompanyFacts) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("facts: %w", err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("facts is %v, not an object", secTokenKind(tok))
	}
	for dec.More() {
		tax, err := secKey(dec)
		if err != nil {
			return fmt.Errorf("facts: %w", err)
		}
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("facts.%s: %w", Clip(tax, 40), err)
		}
		if tok == nil {
			continue
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return fmt.Errorf("facts.%s is %v, not an object", Clip(tax, 40), secTokenKind(tok))
		}
		tags := want[tax]
		for dec.More() {
			tag, err := secKey(dec)
			if err != nil {
				return fmt.Errorf("facts.%s: %w", Clip(tax, 40), err)
			}
			if !tags[tag] {
				// Validated and dropped without decoding.
				if err := dec.Decode(&secSkip{}); err != nil {
					return fmt.Errorf("facts.%s.%s: %w", Clip(tax, 40), Clip(tag, 80), err)
				}
				continue
			}
			var c secConceptWire
			if err := dec.Decode(&c); err != nil {
				return fmt.Errorf("facts.%s.%s: %w", tax, tag, err)
			}
			concept := tax + ":" + tag
			for _, w := range c.Units.USD {
				f, ok := w.fact(concept)
				if !ok {
					out.Skipped++
					continue
				}
				out.Facts = append(out.Facts, f)
			}
		}
		if err := secDelim(dec, '}', "facts."+Clip(tax, 40)); err != nil {
			return err
		}
	}
	return secDelim(dec, '}', "facts")
}

// secConceptWire is one concept: only its USD facts are decoded (the
// label, description and other units are skipped).
type secConceptWire struct {
	Units struct {
		USD []secFactWire `json:"USD"`
	} `json:"units"`
}

// secFactWire is one fact as the SEC sends it; fy, fp and frame are not read.
type secFactWire struct {
	Start string   `json:"start"`
	End   string   `json:"end"`
	Val   *float64 `json:"val"`
	Accn  string   `json:"accn"`
	Form  string   `json:"form"`
	Filed string   `json:"filed"`
}

// fact validates a wire fact: a duration (start and end, end not before
// start, at most secMaxPeriodDays), a finite value, an accession and a
// filing day.
func (w secFactWire) fact(concept string) (SECFact, bool) {
	start, err1 := time.Parse(time.DateOnly, w.Start)
	end, err2 := time.Parse(time.DateOnly, w.End)
	filed, err3 := time.Parse(time.DateOnly, w.Filed)
	if err1 != nil || err2 != nil || err3 != nil || w.Val == nil || math.IsNaN(*w.Val) || math.IsInf(*w.Val, 0) {
		return SECFact{}, false
	}
	accn := strings.TrimSpace(w.Accn)
	if accn == "" || end.Before(start) || end.Sub(start) > secMaxPeriodDays*24*time.Hour {
		return SECFact{}, false
	}
	return SECFact{Concept: concept, Start: start, End: end, Value: *w.Val, Accession: accn, Form: strings.TrimSpace(w.Form), Filed: filed}, true
}

// secSkip consumes any JSON value: the decoder checks and buffers it, and
// nothing is allocated for its contents.
type secSkip struct{}

// UnmarshalJSON implements json.Unmarshaler by ignoring the value.
func (*secSkip) UnmarshalJSON([]byte) error { return nil }

// secKey reads an object key.
func secKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected a key, got %v", secTokenKind(tok))
	}
	return s, nil
}

// secDelim reads the delimiter d that must come next in what.
func secDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("%s: expected %q, got %v", what, d, secTokenKind(tok))
	}
	return nil
}

// secTokenKind names a token for an error message without quoting data.
func secTokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return fmt.Sprintf("%q", rune(t))
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", tok)
}
