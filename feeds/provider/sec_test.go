package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
)

// The SEC fixtures (feeds/testdata/sec, see its README.md) are written by
// hand in the company-facts shape; their values are representative, not
// recorded. Their Date header is 2026-02-10 15:00 UTC.

const secTestUA = "Jane Doe jane.doe@hashdeck.dev"

// secFiler returns the table's filer for ticker.
func secFiler(t testing.TB, ticker string) SECFiler {
	t.Helper()
	for _, f := range SECFilers() {
		if f.Ticker == ticker {
			return f
		}
	}
	t.Fatalf("no filer %s", ticker)
	return SECFiler{}
}

func secPath(cik int64) string { return fmt.Sprintf(secCompanyFactsPath, cik) }

func secDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// countingLimiter records every Wait, with how many requests the server
// had received at that moment, and can refuse.
type countingLimiter struct {
	mu     sync.Mutex
	srv    *fixture.Replay
	waits  []int
	refuse error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	hits := 0
	if l.srv != nil {
		hits = l.srv.Hits("")
	}
	l.waits = append(l.waits, hits)
	return l.refuse
}

func newSECTest(t *testing.T, routes map[string]string) (*fixture.Replay, *SECClient, *countingLimiter) {
	t.Helper()
	srv := fixture.NewReplay(t, routes)
	lim := &countingLimiter{srv: srv}
	c, err := NewSECClient(srv.URL, SECOptions{UserAgent: secTestUA, Limiter: lim, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, lim
}

func TestCheckSECUserAgent(t *testing.T) {
	for _, ua := range []string{
		"Jane Doe jane.doe@hashdeck.dev",
		"  Acme Research ops@acme.io ",
		"hashdeck Jane Doe <jane@doe.co.uk>",
		"Mining Desk (desk@fund.capital)",
	} {
		if err := CheckSECUserAgent(ua); err != nil {
			t.Errorf("%q: %v", ua, err)
		}
	}
	for _, ua := range []string{
		"", "   ",
		"jane@doe.dev",                  // no name
		"Jane Doe",                      // no email
		"Mozilla/5.0 (Windows NT 10.0)", // a browser
		"Go-http-client/1.1",
		"Your Name you@example.com", // the example from the error message
		"Test Bot bot@mail.example",
		"Jane Doe jane@doe",                     // no top-level domain
		"Jane\nDoe jane@doe.dev",                // header injection
		"Jane Doe jane@@doe.dev",                // not an address
		strings.Repeat("a", 195) + " j@doe.dev", // over 200 bytes
	} {
		err := CheckSECUserAgent(ua)
		if !errors.Is(err, ErrNoUserAgent) {
			t.Errorf("%q: %v, want ErrNoUserAgent", ua, err)
		}
	}
	msg := ErrNoUserAgent.Error()
	for _, want := range []string{`[sec] user_agent = "Your Name you@example.com"`, "HASHDECK_SEC_USER_AGENT"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ErrNoUserAgent %q does not say %q", msg, want)
		}
	}
}

func TestSECClientNeedsUserAgent(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{secPath(827876): "sec/companyfacts-clsk"})
	for _, ua := range []string{"", "hashdeck", "Your Name you@example.com"} {
		c, err := NewSECClient(srv.URL, SECOptions{UserAgent: ua})
		if !errors.Is(err, ErrNoUserAgent) || c != nil {
			t.Errorf("%q: client %v, err %v; want ErrNoUserAgent", ua, c, err)
		}
	}
	if n := srv.Hits(""); n != 0 {
		t.Errorf("%d requests made without a User-Agent", n)
	}
}

func TestSECUserAgentSentExactly(t *testing.T) {
	srv, c, _ := newSECTest(t, map[string]string{secPath(827876): "sec/companyfacts-clsk", secTickersPath: "sec/company-tickers"})
	if _, err := c.CompanyFacts(context.Background(), secFiler(t, "CLSK"), SECValidators{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tickers(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{secPath(827876), secTickersPath} {
		req := srv.LastRequest(p)
		if got := req.Header.Values("User-Agent"); len(got) != 1 || got[0] != secTestUA {
			t.Errorf("%s: User-Agent %q, want exactly %q", p, got, secTestUA)
		}
		if !strings.Contains(req.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("%s: Accept-Encoding %q, want gzip", p, req.Header.Get("Accept-Encoding"))
		}
		if req.Header.Get("If-None-Match") != "" || req.Header.Get("If-Modified-Since") != "" {
			t.Errorf("%s: conditional headers without validators: %v", p, req.Header)
		}
	}
}

func TestSECTickersBase(t *testing.T) {
	c, err := NewSECClient(DefaultEndpoints().SEC, SECOptions{UserAgent: secTestUA})
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "https://data.sec.gov" || c.tickersBase != SECTickersBase {
		t.Errorf("public: base %q, tickers %q", c.base, c.tickersBase)
	}
	c, err = NewSECClient("http://127.0.0.1:9/", SECOptions{UserAgent: secTestUA})
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "http://127.0.0.1:9" || c.tickersBase != c.base {
		t.Errorf("override: base %q, tickers %q", c.base, c.tickersBase)
	}
	if _, err := NewSECClient("http://x/api", SECOptions{UserAgent: secTestUA}); err == nil {
		t.Error("a base with a path was accepted")
	}
}

func TestSECCompanyFactsCLSK(t *testing.T) {
	_, c, _ := newSECTest(t, map[string]string{secPath(827876): "sec/companyfacts-clsk"})
	f, err := c.CompanyFacts(context.Background(), secFiler(t, "CLSK"), SECValidators{})
	if err != nil {
		t.Fatal(err)
	}
	if f.CIK != 827876 || f.EntityName != "CLEANSPARK, INC." || f.NotModified {
		t.Errorf("header %+v", f)
	}
	if f.Validators != (SECValidators{ETag: `"clsk-2026-02-06"`, LastModified: "Fri, 06 Feb 2026 03:12:44 GMT"}) {
		t.Errorf("validators %+v", f.Validators)
	}
	if !f.Date.Equal(time.Date(2026, 2, 10, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("date %v", f.Date)
	}
	// 10 Revenues, 6 CostOfRevenue, 7 G&A, 6 D&A, 6 stock comp, 6 interest;
	// no dei, srt, Assets (instants) or EPS (USD/shares).
	count := map[string]int{}
	for _, x := range f.Facts {
		count[x.Concept]++
	}
	want := map[string]int{
		"us-gaap:Revenues": 10, "us-gaap:CostOfRevenue": 6, "us-gaap:GeneralAndAdministrativeExpense": 7,
		"us-gaap:DepreciationDepletionAndAmortization": 6, "us-gaap:ShareBasedCompensation": 6, "us-gaap:InterestExpense": 6,
	}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("facts by concept %v, want %v", count, want)
	}
	if f.Skipped != 0 {
		t.Errorf("skipped %d", f.Skipped)
	}
	first := f.Facts[0]
	if first.Concept != "us-gaap:CostOfRevenue" || !first.Start.Equal(secDay("2024-10-01")) || !first.End.Equal(secDay("2024-12-31")) ||
		first.Value != 74520000 || first.Accession != "0000827876-25-000005" || first.Form != "10-Q" || !first.Filed.Equal(secDay("2025-02-06")) {
		t.Errorf("first fact %+v", first)
	}
}

// secQuarter returns the quarter of qs with the fiscal label.
func secQuarter(t *testing.T, qs []econ.Quarter, fiscal string) econ.Quarter {
	t.Helper()
	for _, q := range qs {
		if q.Fiscal == fiscal {
			return q
		}
	}
	t.Fatalf("no quarter %s in %d quarters", fiscal, len(qs))
	return econ.Quarter{}
}

// secWant checks an item's value, source, published day and derivation.
func secWant(t *testing.T, name string, it econ.Item[econ.USD], v float64, source, published string, derived bool, note string) {
	t.Helper()
	got, ok := it.Value.Get()
	if !ok || float64(got) != v {
		t.Errorf("%s = %v (known %v), want %v", name, got, ok, v)
	}
	if it.Source != source || !it.Published.Time().Equal(secDay(published)) || it.Derived != derived || it.Grade != econ.GradeA {
		t.Errorf("%s provenance %+v, want source %s published %s derived %v grade A", name, it.Provenance, source, published, derived)
	}
	if !strings.Contains(it.Note, note) {
		t.Errorf("%s note %q does not contain %q", name, it.Note, note)
	}
}

func secDecodeFixture(t *testing.T, name string) SECCompanyFacts {
	t.Helper()
	f, err := DecodeSECCompanyFacts(strings.NewReader(string(fixture.Body(t, name))), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSECQuartersCLSK: a fiscal year to September 30, quarters filed and
// differenced, Q4 = FY − 9M, a restatement and a re-reported comparative.
func TestSECQuartersCLSK(t *testing.T) {
	f := secFiler(t, "CLSK")
	qs := SECQuarters(f, secDecodeFixture(t, "sec/companyfacts-clsk").Facts)
	var labels []string
	for _, q := range qs {
		labels = append(labels, q.Fiscal+"/"+q.Calendar+"/"+q.Start.String()+".."+q.End.String())
	}
	want := []string{
		"FY2024 Q1/2023-Q4/2023-10-01..2023-12-31",
		"FY2025 Q1/2024-Q4/2024-10-01..2024-12-31",
		"FY2025 Q2/2025-Q1/2025-01-01..2025-03-31",
		"FY2025 Q3/2025-Q2/2025-04-01..2025-06-30",
		"FY2025 Q4/2025-Q3/2025-07-01..2025-09-30",
		"FY2026 Q1/2025-Q4/2025-10-01..2025-12-31",
	}
	if strings.Join(labels, " ") != strings.Join(want, " ") {
		t.Fatalf("quarters\n got %v\nwant %v", labels, want)
	}
	const (
		q1, q2, q3, k, n1, old = "0000827876-25-000005", "0000827876-25-000020", "0000827876-25-000031",
			"0000827876-25-000045", "0000827876-26-000004", "0000827876-24-000010"
	)
	// A comparative re-reported unchanged keeps its first filing.
	q := secQuarter(t, qs, "FY2024 Q1")
	secWant(t, "FY24 Q1 revenue", q.RevenueTotal, 73800000, old, "2024-02-05", false, "10-Q us-gaap:Revenues")
	q = secQuarter(t, qs, "FY2025 Q1")
	secWant(t, "FY25 Q1 revenue", q.RevenueTotal, 162301000, q1, "2025-02-06", false, "10-Q us-gaap:Revenues")
	// The restated G&A: the later filing wins, and is its source and date;
	// the first value is kept as a conflict.
	secWant(t, "FY25 Q1 G&A", q.SGA, 31400000, n1, "2026-02-05", false, "restated (was $30.1M in 10-Q "+q1+")")
	if len(q.SGA.Conflicts) != 1 || q.SGA.Conflicts[0].Value != 30100000 || q.SGA.Conflicts[0].Source != q1 ||
		!q.SGA.Conflicts[0].Published.Time().Equal(secDay("2025-02-06")) {
		t.Errorf("G&A conflicts %+v", q.SGA.Conflicts)
	}
	if !q.Published.Time().Equal(secDay("2025-02-06")) {
		t.Errorf("FY25 Q1 published %v, want its 10-Q's day", q.Published)
	}
	secWant(t, "FY25 Q1 stock comp", q.StockComp, 12400000, q1, "2025-02-06", false, "us-gaap:ShareBasedCompensation")
	secWant(t, "FY25 Q1 cost", q.CostTotal, 74520000, q1, "2025-02-06", false, "us-gaap:CostOfRevenue")
	// Stock comp is tagged year to date only after Q1.
	q = secQuarter(t, qs, "FY2025 Q2")
	secWant(t, "FY25 Q2 stock comp", q.StockComp, 11500000, q2, "2025-05-08", true, "Q2 = 6M − 3M")
	secWant(t, "FY25 Q2 revenue", q.RevenueTotal, 181700000, q2, "2025-05-08", false, "10-Q")
	q = secQuarter(t, qs, "FY2025 Q3")
	secWant(t, "FY25 Q3 stock comp", q.StockComp, 9200000, q3, "2025-08-07", true, "Q3 = 9M − 6M")
	// Q4 is never filed on its own.
	q = secQuarter(t, qs, "FY2025 Q4")
	secWant(t, "FY25 Q4 revenue", q.RevenueTotal, 223699000, k, "2025-11-25", true, "10-K us-gaap:Revenues; Q4 = FY − 9M")
	secWant(t, "FY25 Q4 stock comp", q.StockComp, 11900000, k, "2025-11-25", true, "Q4 = FY − 9M")
	secWant(t, "FY25 Q4 cost", q.CostTotal, 112880000, k, "2025-11-25", true, "Q4 = FY − 9M")
	secWant(t, "FY25 Q4 D&A", q.DA, 87900000, k, "2025-11-25", true, "Q4 = FY − 9M")
	secWant(t, "FY25 Q4 interest", q.Interest, 2300000, k, "2025-11-25", true, "Q4 = FY − 9M")
	secWant(t, "FY25 Q4 G&A", q.SGA, 41400000, k, "2025-11-25", true, "Q4 = FY − 9M")
	if !q.Start.Time().Equal(secDay("2025-07-01")) || !q.End.Time().Equal(secDay("2025-09-30")) || q.Ticker != "CLSK" {
		t.Errorf("Q4 %s %v..%v", q.Ticker, q.Start, q.End)
	}
	// SEC gives no mining split, power cost, BTC or hashrate.
	if q.RevenueMining.OK() || q.CostMining.OK() || q.CostPower.OK() || q.RevenueOther.OK() || q.BTCMined.OK() || q.HashrateAvg.OK() {
		t.Errorf("items SEC does not give are set: %+v", q)
	}
	q = secQuarter(t, qs, "FY2026 Q1")
	secWant(t, "FY26 Q1 interest", q.Interest, 9500000, n1, "2026-02-05", false, "us-gaap:InterestExpense")
}

// TestSECQuartersIREN: a fiscal year to June 30, revenue under the second
// concept of its list, D&A only year to date, and annual IFRS facts from
// its 20-F years that make no quarter.
func TestSECQuartersIREN(t *testing.T) {
	qs := SECQuarters(secFiler(t, "IREN"), secDecodeFixture(t, "sec/companyfacts-iren").Facts)
	var labels []string
	for _, q := range qs {
		labels = append(labels, q.Fiscal+"/"+q.Calendar)
	}
	if got := strings.Join(labels, " "); got != "FY2025 Q1/2024-Q3 FY2025 Q2/2024-Q4 FY2026 Q1/2025-Q3 FY2026 Q2/2025-Q4" {
		t.Fatalf("quarters %s", got)
	}
	q := secQuarter(t, qs, "FY2026 Q2")
	secWant(t, "revenue", q.RevenueTotal, 184700000, "0001878848-26-000012", "2026-02-05", false,
		"10-Q us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax")
	secWant(t, "D&A", q.DA, 84500000, "0001878848-26-000012", "2026-02-05", true, "Q2 = 6M − 3M")
	if q.CostTotal.OK() {
		t.Errorf("IREN's cost basis is unknown, yet cost is %v", q.CostTotal.Value)
	}
	q = secQuarter(t, qs, "FY2026 Q1")
	secWant(t, "D&A", q.DA, 73500000, "0001878848-25-000060", "2025-11-06", false, "10-Q")
}

// TestSECQuartersCostIncludesDA: MARA's cost of revenue includes D&A, so
// the cost excluding D&A is cost less its D&A, and unknown without it.
func TestSECQuartersCostIncludesDA(t *testing.T) {
	f := secFiler(t, "MARA")
	if f.Cost != SECCostIncludesDA {
		t.Fatalf("MARA cost basis %v", f.Cost)
	}
	qs := SECQuarters(f, secDecodeFixture(t, "sec/companyfacts-mara").Facts)
	if len(qs) != 2 {
		t.Fatalf("%d quarters", len(qs))
	}
	secWant(t, "Q1 cost", qs[0].CostTotal, 90000000, "0001507605-25-000010", "2025-05-08", true,
		"us-gaap:CostOfRevenue less us-gaap:CostDepreciationAmortizationAndDepletion")
	if qs[1].CostTotal.OK() {
		t.Errorf("Q2 cost %v without the D&A part", qs[1].CostTotal.Value)
	}
	secWant(t, "Q2 revenue", qs[1].RevenueTotal, 238480000, "0001507605-25-000019", "2025-07-29", false, "10-Q")
	// Treated as excluding D&A, the same facts give cost as filed.
	f.Cost = SECCostExcludesDA
	qs = SECQuarters(f, secDecodeFixture(t, "sec/companyfacts-mara").Facts)
	secWant(t, "Q2 cost as filed", qs[1].CostTotal, 262000000, "0001507605-25-000019", "2025-07-29", false, "us-gaap:CostOfRevenue")
}

func TestSECFiscalLabel(t *testing.T) {
	for _, c := range []struct {
		ticker, end, fiscal, calendar string
	}{
		{"IREN", "2025-09-30", "FY2026 Q1", "2025-Q3"},
		{"IREN", "2026-06-30", "FY2026 Q4", "2026-Q2"},
		{"IREN", "2026-03-31", "FY2026 Q3", "2026-Q1"},
		{"CLSK", "2025-12-31", "FY2026 Q1", "2025-Q4"},
		{"CLSK", "2025-09-30", "FY2025 Q4", "2025-Q3"},
		{"APLD", "2025-08-31", "FY2026 Q1", "2025-Q3"},
		{"APLD", "2026-02-28", "FY2026 Q3", "2026-Q1"},
		{"APLD", "2026-05-31", "FY2026 Q4", "2026-Q2"},
		{"HIVE", "2025-06-30", "FY2026 Q1", "2025-Q2"},
		{"HIVE", "2026-03-31", "FY2026 Q4", "2026-Q1"},
		{"MARA", "2025-03-31", "FY2025 Q1", "2025-Q1"},
		{"MARA", "2025-12-31", "FY2025 Q4", "2025-Q4"},
	} {
		f := secFiler(t, c.ticker)
		if got := f.FiscalLabel(secDay(c.end)); got != c.fiscal {
			t.Errorf("%s %s: %s, want %s", c.ticker, c.end, got, c.fiscal)
		}
		if got := econ.CalendarQuarter(econ.DateOf(secDay(c.end))); got != c.calendar {
			t.Errorf("%s: calendar %s, want %s", c.end, got, c.calendar)
		}
	}
}

func TestSECFilersTable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range SECFilers() {
		if f.Ticker == "" || seen[f.Ticker] || f.CIK <= 0 || len(f.CIK10()) != 10 || f.Name == "" ||
			f.FiscalYearEnd < time.January || f.FiscalYearEndDay < 28 {
			t.Errorf("bad row %+v", f)
		}
		seen[f.Ticker] = true
	}
	active := 0
	for _, tk := range []string{"IREN", "CORZ", "WULF", "MARA", "RIOT", "CLSK", "CIFR", "HUT", "APLD"} {
		if f := secFiler(t, tk); f.Skip == "" {
			active++
		}
	}
	if active != 9 {
		t.Errorf("%d of the 9 domestic filers are fetched", active)
	}
	for _, tk := range []string{"BTDR", "HIVE", "KEEL"} {
		if secFiler(t, tk).Skip == "" {
			t.Errorf("%s is a foreign filer and should be skipped", tk)
		}
	}
	if got := secFiler(t, "CLSK").CIK10(); got != "0000827876" {
		t.Errorf("CIK10 %s", got)
	}
}

func TestSECErrors(t *testing.T) {
	clsk := secFiler(t, "CLSK")
	for _, c := range []struct {
		fixture string
		is      error
		status  int
		retry   time.Duration
		say     string
	}{
		{"sec/403-undeclared", ErrSECBlocked, 403, 0, "check the User-Agent"},
		{"sec/403-rate", ErrSECRateLimited, 403, SECBlockedWait, "Request Rate Threshold Exceeded"},
		{"sec/429", ErrSECRateLimited, 429, 120 * time.Second, "retry after 2m0s"},
		{"sec/404", ErrSECNotFound, 404, 0, "no XBRL company facts"},
		{"sec/html-200", ErrNotJSON, 0, 0, "HTML page: SEC.gov | Maintenance"},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			_, cl, _ := newSECTest(t, map[string]string{secPath(827876): c.fixture})
			_, err := cl.CompanyFacts(context.Background(), clsk, SECValidators{})
			if !errors.Is(err, c.is) {
				t.Fatalf("err %v, want %v", err, c.is)
			}
			if !strings.Contains(err.Error(), c.say) || !strings.Contains(err.Error(), secPath(827876)) {
				t.Errorf("err %q does not say %q and the path", err, c.say)
			}
			var he *HTTPError
			if c.status == 0 {
				if errors.As(err, &he) {
					t.Errorf("an HTTP error for a 200: %v", he)
				}
				return
			}
			if !errors.As(err, &he) || he.Status != c.status {
				t.Fatalf("HTTPError %+v", he)
			}
			if d, _ := RetryAfter(err); d != c.retry {
				t.Errorf("RetryAfter %v, want %v", d, c.retry)
			}
		})
	}
}

func TestSECWrongCIK(t *testing.T) {
	_, c, _ := newSECTest(t, map[string]string{secPath(827876): "sec/companyfacts-iren"})
	_, err := c.CompanyFacts(context.Background(), secFiler(t, "CLSK"), SECValidators{})
	if err == nil || !strings.Contains(err.Error(), "for CIK 1878848, not 827876") {
		t.Errorf("err %v", err)
	}
}

func TestSECConditionalRequest(t *testing.T) {
	srv, c, _ := newSECTest(t, map[string]string{secPath(827876): "sec/304"})
	v := SECValidators{ETag: `"clsk-2026-02-06"`, LastModified: "Fri, 06 Feb 2026 03:12:44 GMT"}
	f, err := c.CompanyFacts(context.Background(), secFiler(t, "CLSK"), v)
	if err != nil {
		t.Fatal(err)
	}
	if !f.NotModified || len(f.Facts) != 0 || f.Validators != v || f.CIK != 827876 {
		t.Errorf("304 result %+v", f)
	}
	req := srv.LastRequest(secPath(827876))
	if req.Header.Get("If-None-Match") != v.ETag || req.Header.Get("If-Modified-Since") != v.LastModified {
		t.Errorf("conditional headers %v", req.Header)
	}
}

func TestSECLimiterPacesEveryRequest(t *testing.T) {
	srv, c, lim := newSECTest(t, map[string]string{
		secPath(827876): "sec/companyfacts-clsk", secPath(1878848): "sec/404", secTickersPath: "sec/company-tickers",
	})
	ctx := context.Background()
	c.CompanyFacts(ctx, secFiler(t, "CLSK"), SECValidators{})
	c.CompanyFacts(ctx, secFiler(t, "IREN"), SECValidators{}) // an error answer counts too
	c.Tickers(ctx)
	// One Wait before each request, each before its request reached the server.
	if fmt.Sprint(lim.waits) != "[0 1 2]" || srv.Hits("") != 3 {
		t.Errorf("waits at server hits %v, requests %d; want [0 1 2] and 3", lim.waits, srv.Hits(""))
	}
	// A limiter that refuses (its ctx ended) stops the request.
	lim.refuse = context.Canceled
	_, err := c.CompanyFacts(ctx, secFiler(t, "CLSK"), SECValidators{})
	if !errors.Is(err, context.Canceled) || srv.Hits("") != 3 {
		t.Errorf("refused: err %v, requests %d", err, srv.Hits(""))
	}
}

// TestNewSECLimiter checks the limiter's mechanism with explicit instants:
// five requests in any second, none in a burst.
func TestNewSECLimiter(t *testing.T) {
	l := NewSECLimiter()
	if l.Limit() != SECMaxRequestsPerSecond || l.Burst() != 1 || SECMaxRequestsPerSecond > 5 {
		t.Fatalf("limit %v burst %d", l.Limit(), l.Burst())
	}
	t0 := time.Date(2026, 2, 10, 15, 0, 0, 0, time.UTC)
	allowed := 0
	for ms := 0; ms < 1000; ms++ {
		if l.AllowN(t0.Add(time.Duration(ms)*time.Millisecond), 1) {
			allowed++
		}
	}
	if allowed != 5 {
		t.Errorf("%d requests allowed in one second of asking every ms, want 5", allowed)
	}
	if l.AllowN(t0.Add(time.Second), 1) != true || l.AllowN(t0.Add(time.Second+time.Millisecond), 1) {
		t.Error("after 200 ms one more, then none")
	}
}

func TestSECTickers(t *testing.T) {
	_, c, _ := newSECTest(t, map[string]string{secTickersPath: "sec/company-tickers"})
	m, err := c.Tickers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range SECFilers() {
		if f.Skip != "" {
			continue
		}
		if m[f.Ticker].CIK != f.CIK {
			t.Errorf("%s: ticker map %d, table %d", f.Ticker, m[f.Ticker].CIK, f.CIK)
		}
	}
	if m["KEEL"].CIK == 0 || m["KEEL"].CIK == secFiler(t, "KEEL").CIK {
		t.Errorf("the fixture gives KEEL a new CIK: %+v", m["KEEL"])
	}
	if _, err := decodeSECTickers(strings.NewReader(`{}`)); err == nil {
		t.Error("an empty ticker map was accepted")
	}
	if _, err := decodeSECTickers(strings.NewReader(`<html>no</html>`)); !errors.Is(err, ErrNotJSON) {
		t.Errorf("HTML: %v", err)
	}
}

func TestSECBodyLimit(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{secPath(827876): "sec/companyfacts-clsk"})
	c, err := NewSECClient(srv.URL, SECOptions{UserAgent: secTestUA, MaxBody: 1000, Limiter: &countingLimiter{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompanyFacts(context.Background(), secFiler(t, "CLSK"), SECValidators{}); !errors.Is(err, ErrSECBodyTooLarge) {
		t.Errorf("err %v, want ErrSECBodyTooLarge", err)
	}
}

func TestDecodeSECCompanyFactsEdges(t *testing.T) {
	const fact = `{"start":"2025-01-01","end":"2025-03-31","val":5,"accn":"a-1","form":"10-Q","filed":"2025-05-01"}`
	wrap := func(facts string) string {
		return `{"cik":1,"entityName":"X","facts":{"us-gaap":{"Revenues":{"label":"R","units":{"USD":[` + facts + `]}}}}}`
	}
	for _, c := range []struct {
		name, body string
		facts      int
		skipped    int
		err        string
	}{
		{"one fact", wrap(fact), 1, 0, ""},
		{"skipped", wrap(strings.Join([]string{
			fact,
			`{"end":"2025-03-31","val":5,"accn":"a-1","form":"10-Q","filed":"2025-05-01"}`,                      // an instant
			`{"start":"2020-01-01","end":"2025-03-31","val":5,"accn":"a-1","form":"10-Q","filed":"2025-05-01"}`, // five years
			`{"start":"2025-04-01","end":"2025-03-31","val":5,"accn":"a-1","form":"10-Q","filed":"2025-05-01"}`, // backwards
			`{"start":"2025-01-01","end":"2025-03-31","val":null,"accn":"a-1","form":"10-Q","filed":"2025-05-01"}`,
			`{"start":"2025-01-01","end":"2025-03-31","val":5,"form":"10-Q","filed":"2025-05-01"}`, // no accession
			`{"start":"2025-01-01","end":"2025-03-31","val":5,"accn":"a-1","form":"10-Q","filed":"May 1"}`,
		}, ",")), 1, 6, ""},
		{"null facts", `{"cik":1,"facts":null}`, 0, 0, ""},
		{"null taxonomy", `{"cik":1,"facts":{"us-gaap":null}}`, 0, 0, ""},
		{"cik as string", `{"cik":"0000000001","facts":{}}`, 0, 0, ""},
		{"other units only", `{"cik":1,"facts":{"us-gaap":{"Revenues":{"units":{"CAD":[` + fact + `]}}}}}`, 0, 0, ""},
		{"unknown keys", `{"x":[1,{"a":null}],"cik":1,"facts":{"dei":{"A":{"units":{"shares":[{"end":"2025-01-01","val":1}]}}}},"y":"z"}`, 0, 0, ""},
		{"no cik", `{"facts":{}}`, 0, 0, "no cik"},
		{"truncated", wrap(fact)[:60], 0, 0, "unexpected EOF"},
		{"trailing data", wrap(fact) + `{}`, 0, 0, "data after"},
		{"val as string", wrap(`{"start":"2025-01-01","end":"2025-03-31","val":"5","accn":"a","filed":"2025-05-01"}`), 0, 0, "Revenues"},
		{"facts not an object", `{"cik":1,"facts":[1]}`, 0, 0, "not an object"},
		{"array", `[1]`, 0, 0, "not JSON"},
		{"empty", ``, 0, 0, "empty body"},
		{"html", `<!DOCTYPE html><title>Down</title>`, 0, 0, "HTML page: Down"},
	} {
		f, err := DecodeSECCompanyFacts(strings.NewReader(c.body), nil)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: err %v, want one containing %q", c.name, err, c.err)
		case c.err == "" && (len(f.Facts) != c.facts || f.Skipped != c.skipped):
			t.Errorf("%s: %d facts, %d skipped; want %d and %d", c.name, len(f.Facts), f.Skipped, c.facts, c.skipped)
		}
	}
}

func TestDedupeSECFacts(t *testing.T) {
	mk := func(v float64, accn, filed string) SECFact {
		return SECFact{Concept: "us-gaap:Revenues", Start: secDay("2025-01-01"), End: secDay("2025-03-31"), Value: v, Accession: accn, Form: "10-Q", Filed: secDay(filed)}
	}
	// Out of order on purpose: 10 (May), 10 again (Aug, comparative),
	// 12 (Nov, restated), 12 again (next May).
	got := dedupeSECFacts([]SECFact{mk(12, "d", "2026-05-01"), mk(10, "a", "2025-05-01"), mk(12, "c", "2025-11-01"), mk(10, "b", "2025-08-01")})
	ps := got["us-gaap:Revenues"]
	if len(ps) != 1 {
		t.Fatalf("%d periods", len(ps))
	}
	p := ps[0]
	if p.value != 12 || p.latest.Accession != "d" || p.from.Accession != "c" || p.restated == nil || p.restated.Accession != "b" || p.restated.Value != 10 {
		t.Errorf("period %+v (restated %+v)", p, p.restated)
	}
	// Same value throughout: the first filing is the source, nothing restated.
	p = dedupeSECFacts([]SECFact{mk(10, "b", "2025-08-01"), mk(10, "a", "2025-05-01")})["us-gaap:Revenues"][0]
	if p.from.Accession != "a" || p.latest.Accession != "b" || p.restated != nil {
		t.Errorf("period %+v", p)
	}
	// Two filings on one day: the accession orders them.
	p = dedupeSECFacts([]SECFact{mk(11, "x2", "2025-05-01"), mk(10, "x1", "2025-05-01")})["us-gaap:Revenues"][0]
	if p.value != 11 {
		t.Errorf("same-day tie: %v", p.value)
	}
}

// TestSECQuartersRules covers what the fixtures do not: a negative
// difference falls through to the next concept, Since, a filer's own
// mining concepts, and an unknown cost basis.
func TestSECQuartersRules(t *testing.T) {
	fact := func(concept, start, end string, v float64, accn, filed string) SECFact {
		return SECFact{Concept: concept, Start: secDay(start), End: secDay(end), Value: v, Accession: accn, Form: "10-Q", Filed: secDay(filed)}
	}
	f := SECFiler{Ticker: "TEST", CIK: 1, FiscalYearEnd: time.December, FiscalYearEndDay: 31,
		MiningRevenue: []string{"test:RevenueSelfMining"}, Since: secDay("2024-01-01")}
	facts := []SECFact{
		// Revenues year to date shrinks (inconsistent tagging): no Q2 from it…
		fact("us-gaap:Revenues", "2025-01-01", "2025-03-31", 100, "q1", "2025-05-01"),
		fact("us-gaap:Revenues", "2025-01-01", "2025-06-30", 90, "q2", "2025-08-01"),
		// …so the next concept gives Q2.
		fact("us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", "2025-04-01", "2025-06-30", 95, "q2", "2025-08-01"),
		fact("test:RevenueSelfMining", "2025-04-01", "2025-06-30", 80, "q2", "2025-08-01"),
		// Before Since.
		fact("us-gaap:Revenues", "2023-01-01", "2023-03-31", 50, "old", "2023-05-01"),
		// Cost with an unknown basis is not used.
		fact("us-gaap:CostOfRevenue", "2025-04-01", "2025-06-30", 40, "q2", "2025-08-01"),
		// A six-month fact alone makes no quarter.
		fact("us-gaap:InterestExpense", "2025-01-01", "2025-06-30", 7, "q2", "2025-08-01"),
	}
	qs := SECQuarters(f, facts)
	if len(qs) != 2 || qs[0].Fiscal != "FY2025 Q1" || qs[1].Fiscal != "FY2025 Q2" {
		t.Fatalf("quarters %+v", qs)
	}
	secWant(t, "Q2 revenue", qs[1].RevenueTotal, 95, "q2", "2025-08-01", false, "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax")
	secWant(t, "Q2 mining revenue", qs[1].RevenueMining, 80, "q2", "2025-08-01", false, "test:RevenueSelfMining")
	if qs[1].CostTotal.OK() || qs[1].Interest.OK() {
		t.Errorf("cost %v, interest %v", qs[1].CostTotal.Value, qs[1].Interest.Value)
	}
	if c := f.Concepts(); c[len(c)-1] != "test:RevenueSelfMining" || len(c) != len(SECConcepts())+1 {
		t.Errorf("concepts %v", c)
	}
}

func TestSECCompanyFactsEmpty(t *testing.T) {
	_, c, _ := newSECTest(t, map[string]string{secPath(1144879): "sec/companyfacts-empty"})
	f, err := c.CompanyFacts(context.Background(), secFiler(t, "APLD"), SECValidators{})
	if err != nil || f.CIK != 1144879 || len(f.Facts) != 0 {
		t.Fatalf("%+v, %v", f, err)
	}
	if qs := SECQuarters(secFiler(t, "APLD"), f.Facts); len(qs) != 0 {
		t.Errorf("%d quarters from no facts", len(qs))
	}
}

// A filing's figure is the primary source: merged over a research row of
// the same grade from the company's own release, the filing still wins
// and the release's value stays as a conflict.
func TestSECFiguresOutrankPrimaryResearch(t *testing.T) {
	filed := SECQuarters(secFiler(t, "CLSK"), secDecodeFixture(t, "sec/companyfacts-clsk").Facts)
	q := secQuarter(t, filed, "FY2025 Q1")
	research := econ.Quarter{Start: q.Start, End: q.End, Published: q.Published}
	research.RevenueTotal = econ.Item[econ.USD]{Value: econ.Known[econ.USD](160e6),
		Provenance: econ.Provenance{Source: "https://investors.cleanspark.com/news", Grade: econ.GradeA, Primary: true, Published: q.Published}}
	m := secQuarter(t, econ.MergeQuarters(filed, []econ.Quarter{research}), "FY2025 Q1")
	if m.RevenueTotal.Value.Or(0) != 162301000 || len(m.RevenueTotal.Conflicts) != 1 || m.RevenueTotal.Conflicts[0].Value != 160e6 {
		t.Errorf("merged revenue %v (conflicts %+v); want the 10-Q's $162.3M over the release's $160M", m.RevenueTotal.Value, m.RevenueTotal.Conflicts)
	}
}
