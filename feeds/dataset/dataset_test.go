package dataset

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/hashdeck/hashdeck/econ"
)

var loadOnce = sync.OnceValues(Load)

// mustLoad returns the dataset, loaded once for all tests.
func mustLoad(t testing.TB) *Dataset {
	t.Helper()
	d, err := loadOnce()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func relErr(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}

// TestFilesParseAndCounts checks that every embedded file is parsed, and
// that row counts match data/SOURCES.md (and the shared SOURCES.md).
func TestFilesParseAndCounts(t *testing.T) {
	d := mustLoad(t)
	want := map[string]int{
		fileCoinMetrics:                   383,
		fileEpochs:                        462,
		fileCoinGecko:                     964,
		fileFacts:                         154,
		fileFinancials:                    247,
		fileBenchmarks:                    37,
		"data/yahoo-via-dsturdy/CORZ.csv": 632,
		"data/yahoo-via-stell0/BITF.csv":  257,
	}
	for _, s := range []string{"IREN", "WULF", "MARA", "RIOT", "CLSK", "CIFR", "HUT", "BTDR", "HIVE"} {
		want["data/yahoo-via-dsturdy/"+s+".csv"] = 897
	}
	got := map[string]File{}
	for _, f := range d.Files() {
		got[f.Path] = f
	}
	for p, n := range want {
		f, ok := got[p]
		if !ok {
			t.Errorf("%s was not parsed", p)
			continue
		}
		if f.Rows != n {
			t.Errorf("%s: %d rows, SOURCES.md says %d", p, f.Rows, n)
		}
		if f.Origin == "" || f.Licence == "" {
			t.Errorf("%s: origin %q, licence %q", p, f.Origin, f.Licence)
		}
	}
	if len(got) != len(want) {
		t.Errorf("parsed %d files, want %d", len(got), len(want))
	}
	// Every embedded file is parsed, with its real size.
	embedded := 0
	err := fs.WalkDir(data, "data", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		embedded += int(info.Size())
		if f, ok := got[p]; !ok {
			t.Errorf("embedded file %s is not parsed by Load", p)
		} else if f.Bytes != int(info.Size()) {
			t.Errorf("%s: Files says %d bytes, embedded %d", p, f.Bytes, info.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if embedded != d.EmbeddedBytes() {
		t.Errorf("EmbeddedBytes %d, walk %d", d.EmbeddedBytes(), embedded)
	}
	t.Logf("embedded: %d files, %d bytes", len(got), embedded)

	// data/SOURCES.md names every embedded file and its row count.
	notes, err := os.ReadFile("data/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range want {
		base := strings.TrimSuffix(path.Base(p), ".csv")
		if !strings.Contains(string(notes), base) {
			t.Errorf("data/SOURCES.md does not mention %s", base)
		}
		if !strings.Contains(string(notes), "| "+strconv.Itoa(n)+" ") {
			t.Errorf("data/SOURCES.md does not give the row count %d of %s", n, p)
		}
	}
	if !strings.Contains(string(notes), strconv.Itoa(embedded/1000)+","+strconv.Itoa(embedded%1000)) {
		t.Errorf("data/SOURCES.md does not state the total %d bytes", embedded)
	}
}

func TestNetworkDays(t *testing.T) {
	d := mustLoad(t)
	days := d.Days()
	if len(days) != 383 || !days[0].Date.Equal(day("2024-12-12")) || !days[len(days)-1].Date.Equal(day("2025-12-29")) {
		t.Fatalf("days: %d from %v to %v", len(days), days[0].Date, days[len(days)-1].Date)
	}
	for i, n := range days {
		if i > 0 && dayNumber(n.Date) != dayNumber(days[i-1].Date)+1 {
			t.Errorf("%s follows %s: not consecutive", n.Date, days[i-1].Date)
		}
		if n.Price <= 0 || n.Blocks <= 0 || n.Hashrate <= 0 || n.Fees < 0 || n.Hashvalue <= 0 || n.Hashprice <= 0 {
			t.Errorf("%s: non-positive value %+v", n.Date, n)
		}
		h, ok := n.Height.Get()
		if !ok {
			t.Fatalf("%s: height unknown", n.Date)
		}
		// Coin Metrics' issuance is BlkCnt × the protocol subsidy at the derived height.
		if want := econ.Subsidy(h) * econ.BTC(n.Blocks); n.Subsidy != want {
			t.Errorf("%s: subsidy %v, want %v", n.Date, n.Subsidy, want)
		}
		// IssTotUSD = IssTotNtv × PriceUSD to the cent: checks every price.
		if diff := math.Abs(float64(n.Subsidy)*float64(n.Price) - float64(n.IssuedUSD)); diff >= 0.011 {
			t.Errorf("%s: issued USD off by %v", n.Date, diff)
		}
	}
	if got, ok := d.Day(day("2025-06-01").Add(13 * time.Hour)); !ok || !got.Date.Equal(day("2025-06-01")) {
		t.Errorf("Day(2025-06-01 13:00) = %v, %v", got.Date, ok)
	}
	if _, ok := d.Day(day("2025-12-30")); ok {
		t.Error("Day after the data should be missing")
	}
}

// TestHashpriceMatchesDerivedFile compares the Go computation with the
// shared derived hashprice file (a copy in testdata).
func TestHashpriceMatchesDerivedFile(t *testing.T) {
	d := mustLoad(t)
	f, err := os.Open("testdata/btc_hashprice_daily_2024-12-12_2025-12-29.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := map[string]int{}
	for i, h := range recs[0] {
		head[h] = i
	}
	num := func(r []string, col string) float64 {
		v, err := strconv.ParseFloat(r[head[col]], 64)
		if err != nil {
			t.Fatalf("%s: %v", col, err)
		}
		return v
	}
	rows := recs[1:]
	if len(rows) != len(d.Days()) {
		t.Fatalf("%d derived rows, %d days", len(rows), len(d.Days()))
	}
	var worstUSD, worstBTC float64
	for i, r := range rows {
		n := d.Days()[i]
		if r[head["date_utc"]] != n.Date.Format(time.DateOnly) {
			t.Fatalf("row %d: date %s, day %s", i, r[0], n.Date)
		}
		checks := []struct {
			col       string
			got, want float64
			tol       float64
		}{
			{"hashprice_usd_per_ph_day", float64(n.Hashprice), num(r, "hashprice_usd_per_ph_day"), 1e-4},
			{"hashprice_btc_per_ph_day", float64(n.Hashvalue), num(r, "hashprice_btc_per_ph_day"), 1e-4},
			{"btc_usd", float64(n.Price), num(r, "btc_usd"), 1e-12},
			{"hashrate_ehs", float64(n.Hashrate), num(r, "hashrate_ehs"), 1e-6},
			{"implied_difficulty", float64(n.Difficulty), num(r, "implied_difficulty"), 1e-9},
			{"revenue_usd", float64(n.Revenue()), num(r, "revenue_usd"), 1e-9},
			{"fee_share", float64(n.FeeShare().Or(-1)) / 100, num(r, "fee_share"), 2e-3},
		}
		for _, c := range checks {
			if e := relErr(c.got, c.want); e > c.tol {
				t.Errorf("%s %s: got %v, file %v (rel %.2g)", n.Date.Format(time.DateOnly), c.col, c.got, c.want, e)
			}
		}
		worstUSD = max(worstUSD, relErr(float64(n.Hashprice), num(r, "hashprice_usd_per_ph_day")))
		worstBTC = max(worstBTC, relErr(float64(n.Hashvalue), num(r, "hashprice_btc_per_ph_day")))
	}
	t.Logf("max relative difference: hashprice %.2g, hashvalue %.2g (file rounds to 4 and 8 decimals)", worstUSD, worstBTC)
}

// TestImpliedDifficultyMatchesEpochs cross-checks two files: inside each
// epoch, the difficulty implied by Coin Metrics' hashrate equals the epoch
// file's difficulty. The epochs before height 889056 come from block
// headers and mempool.space, not from Coin Metrics.
func TestImpliedDifficultyMatchesEpochs(t *testing.T) {
	d := mustLoad(t)
	adjust := map[int64]bool{}
	for _, e := range d.Epochs() {
		adjust[dayNumber(e.Date)] = true
	}
	var worst, worstIndependent float64
	independent, compared := 0, 0
	for _, n := range d.Days() {
		if adjust[dayNumber(n.Date)] {
			continue // a retarget day blends two difficulties
		}
		e, ok := d.EpochAt(n.Date)
		if !ok {
			t.Fatalf("%s: no epoch", n.Date)
		}
		r := relErr(float64(n.Difficulty), float64(e.Difficulty))
		if r > 1e-8 {
			t.Errorf("%s: implied %v, epoch %d %v (rel %.2g)", n.Date.Format(time.DateOnly), n.Difficulty, e.Height, e.Difficulty, r)
		}
		worst = max(worst, r)
		compared++
		if !e.Derived {
			independent++
			worstIndependent = max(worstIndependent, r)
		}
	}
	if independent < 80 {
		t.Errorf("only %d days compared with header/mempool difficulties", independent)
	}
	t.Logf("%d days compared (%d against independent epochs); max rel diff %.2g (independent %.2g)", compared, independent, worst, worstIndependent)
}

func TestHeights(t *testing.T) {
	d := mustLoad(t)
	if !d.heights {
		t.Fatal("heights could not be derived")
	}
	days := d.Days()
	// Every retarget in the window falls on its date: the last height of the
	// previous day is below the retarget height, that day's is at or above it.
	retargets := 0
	for _, e := range d.Epochs() {
		i, ok := d.dayIndex(e.Date)
		if !ok || i == 0 {
			continue
		}
		before, end := days[i-1].Height.Or(-1), days[i].Height.Or(-1)
		if !(before < e.Height && e.Height <= end) {
			t.Errorf("epoch %d on %s: heights %d .. %d", e.Height, e.Date.Format(time.DateOnly), before, end)
		}
		retargets++
	}
	if retargets != 28 {
		t.Errorf("%d retargets in the window, want 28", retargets)
	}
	s, _ := d.Latest()
	if h := s.Height.Or(0); h != 930093 {
		t.Errorf("tip height at the end of 2025-12-29 = %d, want 930093", h)
	}
}

func TestEpochs(t *testing.T) {
	d := mustLoad(t)
	eps := d.Epochs()
	if len(eps) != 462 || eps[0].Height != 0 || eps[len(eps)-1].Height != 929376 {
		t.Fatalf("%d epochs, %d .. %d", len(eps), eps[0].Height, eps[len(eps)-1].Height)
	}
	yearMax := map[int]econ.Difficulty{}
	derived := 0
	for i, e := range eps {
		if e.Height != int64(i)*econ.EpochBlocks {
			t.Errorf("epoch %d has height %d, want %d", i, e.Height, int64(i)*econ.EpochBlocks)
		}
		if i > 0 && e.Date.Before(eps[i-1].Date) {
			t.Errorf("height %d: date %s before the previous epoch's", e.Height, e.Date)
		}
		if e.Difficulty <= 0 || e.Source == "" {
			t.Errorf("height %d: difficulty %v, source %q", e.Height, e.Difficulty, e.Source)
		}
		if e.Derived {
			derived++
			if !e.BlockTime.IsZero() {
				t.Errorf("derived epoch %d has a block time", e.Height)
			}
		} else if e.BlockTime.IsZero() || !utcDay(e.BlockTime).Equal(e.Date) {
			t.Errorf("epoch %d: block time %v, date %v", e.Height, e.BlockTime, e.Date)
		}
		yearMax[e.Date.Year()] = max(yearMax[e.Date.Year()], e.Difficulty)
	}
	if derived != 21 {
		t.Errorf("%d derived epochs, want 21", derived)
	}
	// Difficulty can fall from one epoch to the next, but each year's peak
	// is above the previous year's.
	for y := 2010; y <= 2025; y++ {
		if yearMax[y] <= yearMax[y-1] {
			t.Errorf("max difficulty %d = %v is not above %d's %v", y, yearMax[y], y-1, yearMax[y-1])
		}
	}
	if e, ok := d.EpochAt(day("2025-12-25")); !ok || e.Height != 929376 {
		t.Errorf("EpochAt(2025-12-25) = %d, want 929376 (the retarget day)", e.Height)
	}
	if e, ok := d.EpochAt(day("2025-12-24")); !ok || e.Height != 927360 {
		t.Errorf("EpochAt(2025-12-24) = %d, want 927360", e.Height)
	}
	if _, ok := d.EpochAt(day("2009-01-02")); ok {
		t.Error("EpochAt before genesis should be false")
	}
}

func TestBTCUSD(t *testing.T) {
	d := mustLoad(t)
	s := d.BTCUSD()
	if len(s) != 964 || !s[0].Date.Equal(day("2024-01-01")) || !s[len(s)-1].Date.Equal(day("2026-08-21")) {
		t.Fatalf("BTC/USD: %d points, %v .. %v", len(s), s[0].Date, s[len(s)-1].Date)
	}
	first, last := d.Days()[0].Date, d.Days()[len(d.Days())-1].Date
	var diffs []float64
	cg := map[int64]econ.USDPerBTC{}
	for _, p := range d.cg {
		cg[dayNumber(p.Date)] = p.Price
	}
	for i, p := range s {
		if i > 0 && dayNumber(p.Date) != dayNumber(s[i-1].Date)+1 {
			t.Errorf("%s follows %s", p.Date, s[i-1].Date)
		}
		if p.Price <= 0 {
			t.Errorf("%s: price %v", p.Date, p.Price)
		}
		inCM := !p.Date.Before(first) && !p.Date.After(last)
		if want := map[bool]PriceSource{true: SourceCoinMetrics, false: SourceCoinGecko}[inCM]; p.Source != want {
			t.Errorf("%s: source %v, want %v", p.Date, p.Source, want)
		}
		if p.Source.Approximate() != (p.Source == SourceCoinGecko) {
			t.Errorf("%s: Approximate %v", p.Source, p.Source.Approximate())
		}
		if inCM {
			diffs = append(diffs, relErr(float64(p.Price), float64(cg[dayNumber(p.Date)])))
		}
	}
	// SOURCES.md: the two series agree to a median of 0.16% on the same date label.
	slices.Sort(diffs)
	if med := diffs[len(diffs)/2]; med > 0.005 {
		t.Errorf("median CoinGecko/Coin Metrics difference %.3g, want < 0.5%%", med)
	}
	if p, ok := d.BTCUSDOn(day("2026-08-21").Add(20 * time.Hour)); !ok || p.Source != SourceCoinGecko || p.Price != 73097.54507565 {
		t.Errorf("BTCUSDOn(2026-08-21) = %+v, %v", p, ok)
	}
	if _, ok := d.BTCUSDOn(day("2026-08-22")); ok {
		t.Error("BTCUSDOn after the series should be false")
	}
}

func TestCloses(t *testing.T) {
	d := mustLoad(t)
	for _, sym := range d.Symbols() {
		c := d.Closes(sym)
		if len(c) == 0 {
			t.Errorf("%s: no closes", sym)
		}
		for i, x := range c {
			if x.Price <= 0 {
				t.Errorf("%s %s: close %v", sym, x.Date, x.Price)
			}
			if i > 0 && !x.Date.After(c[i-1].Date) {
				t.Errorf("%s: %s does not follow %s", sym, x.Date, c[i-1].Date)
			}
		}
	}
	if got := d.Symbols(); !slices.Equal(got, []string{"BTDR", "CIFR", "CLSK", "CORZ", "HIVE", "HUT", "IREN", "KEEL", "MARA", "RIOT", "WULF"}) {
		t.Errorf("Symbols = %v", got)
	}
	// BITF was renamed KEEL: both symbols give the same series, reported as KEEL.
	bitf, keel := d.Closes("BITF"), d.Closes("keel")
	if len(bitf) != 257 || !slices.Equal(bitf, keel) {
		t.Fatalf("BITF %d closes, KEEL %d", len(bitf), len(keel))
	}
	st, ok := d.Stock("bitf")
	if !ok || st.Symbol != "KEEL" || st.TradedAs != "BITF" || !st.Closes[len(st.Closes)-1].Date.Equal(day("2025-12-17")) {
		t.Errorf("Stock(bitf) = %s traded as %s, ok %v", st.Symbol, st.TradedAs, ok)
	}
	if CurrentSymbol(" bitf ") != "KEEL" || CurrentSymbol("MARA") != "MARA" || !slices.Equal(FormerSymbols("KEEL"), []string{"BITF"}) {
		t.Error("symbol aliases")
	}
	// SOURCES.md: BITF's trading calendar is identical to MARA's.
	mara := map[int64]bool{}
	for _, c := range d.Closes("MARA") {
		mara[dayNumber(c.Date)] = true
	}
	for _, c := range bitf {
		if !mara[dayNumber(c.Date)] {
			t.Errorf("BITF trades on %s, MARA does not", c.Date)
		}
	}
	if c := d.Closes("APLD"); c != nil {
		t.Errorf("APLD has %d closes, want none", len(c))
	}
	if d.AsOf().Stocks != day("2026-07-31") {
		t.Errorf("stocks as of %v", d.AsOf().Stocks)
	}
}

func TestFacts(t *testing.T) {
	d := mustLoad(t)
	facts := d.Facts()
	if len(facts) != 154 {
		t.Fatalf("%d facts", len(facts))
	}
	for _, f := range facts {
		if f.SourceURL == "" || !strings.HasPrefix(f.SourceURL, "http") || f.AsOf == "" || !f.Quality.Valid() || f.Line < 2 {
			t.Errorf("line %d: %s %s: source %q, as of %q, quality %q", f.Line, f.Ticker, f.Field, f.SourceURL, f.AsOf, f.Quality)
		}
		p, plain := PlainNumber(f.Value)
		if v, ok := f.Number.Get(); ok != (plain && f.Unit != "") || (ok && v != p) {
			t.Errorf("line %d: number %v from %q %q", f.Line, f.Number, f.Value, f.Unit)
		}
	}
	find := func(ticker, field string) Fact {
		for _, f := range facts {
			if f.Ticker == ticker && f.Field == field {
				return f
			}
		}
		t.Fatalf("no fact %s %s", ticker, field)
		return Fact{}
	}
	// Values that are not plain numbers keep their text and have no number.
	for _, c := range []struct{ ticker, field, value string }{
		{"IREN", "power_secured_grid", ">4500"}, {"CORZ", "power_coreweave_energized", "~350"},
		{"WULF", "power_platform", "~2.8-2.9"}, {"IREN", "sec_cik", "0001878848"}, {"BITF", "btc_held", "~1827"},
	} {
		f := find(c.ticker, c.field)
		if f.Value != c.value || f.Number.OK() {
			t.Errorf("%s %s: value %q number %v", c.ticker, c.field, f.Value, f.Number)
		}
	}
	if f := find("IREN", "hashrate_avg_operating"); f.Number.Or(0) != 44 || f.Line != 6 {
		t.Errorf("IREN hashrate: %v at line %d", f.Number, f.Line)
	}
	// Quotes inside fields survive (one note has bare quotes in an unquoted field).
	if f := find("MARA", "ai_pivot"); !strings.Contains(f.Note, `"no material" AI revenue`) {
		t.Errorf("MARA ai_pivot note = %q", f.Note)
	}
	if f := find("BITF", "btc_held"); !strings.HasSuffix(f.Note, `CEO: "over time, we will have no Bitcoin"`) {
		t.Errorf("BITF btc_held note = %q", f.Note)
	}
	if f := find("IREN", "gpu_count"); f.Note != `"expanding to 10.9k NVIDIA GPUs (>80% Blackwell)"` {
		t.Errorf("IREN gpu_count note = %q", f.Note)
	}
	if got := len(d.FactsFor("keel")); got != 10 {
		t.Errorf("FactsFor(keel) = %d rows, want BITF's 10", got)
	}
	if d.AsOf().Facts != day("2026-06-19") {
		t.Errorf("facts as of %v", d.AsOf().Facts)
	}
}

func TestPlainNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"44.0", 44, true}, {"38791", 38791, true}, {"0.5", 0.5, true}, {"0001878848", 1878848, true},
		{">4500", 0, false}, {"~350", 0, false}, {"~2.8-2.9", 0, false}, {"-3", 0, false}, {"+3", 0, false},
		{"1,000", 0, false}, {"1e5", 0, false}, {"Inf", 0, false}, {"NaN", 0, false}, {".5", 0, false},
		{"5.", 0, false}, {"1.2.3", 0, false}, {"", 0, false}, {" 5", 0, false}, {"0x10", 0, false},
	} {
		got, ok := PlainNumber(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("PlainNumber(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		in, from, to string // to "" means an error
	}{
		{"2025-Q3", "2025-07-01", "2025-09-30"},
		{"2025-Q1", "2025-01-01", "2025-03-31"},
		{"2025-08", "2025-08-01", "2025-08-31"},
		{"2024-02", "2024-02-01", "2024-02-29"},
		{"2024-Q4 (Oct-Dec)", "2024-10-01", "2024-12-31"},
		{"2025-10..12", "2025-10-01", "2025-12-31"},
		{"2026-01..03 (FQ3'26)", "2026-01-01", "2026-03-31"},
		{"2025-07..09", "2025-07-01", "2025-09-30"},
		{"2025-11..2026-02", "2025-11-01", "2026-02-28"},
		{"2025-07-15..2025-08-14", "2025-07-15", "2025-08-14"},
		{"FY2025 (to 2025-06-30)", "2024-07-01", "2025-06-30"},
		{"FY2026 (to 2026-03-31)", "2025-04-01", "2026-03-31"},
		{"2025", "2025-01-01", "2025-12-31"},
		{" 2025-Q2 ", "2025-04-01", "2025-06-30"},
		// errors
		{"2024-Q4 (Jul-Sep)", "", ""},
		{"2025-09 (approx)", "", ""},
		{"2025-10 (guidance)", "", ""},
		{"2026 (10-K FY2025)", "", ""},
		{"2025 (date unclear)", "", ""},
		{"2025-09-30", "", ""},
		{"FY2025", "", ""},
		{"FY2025 (to 2024-06-30)", "", ""},
		{"2025-Q5", "", ""},
		{"2025-13", "", ""},
		{"2025-12..10", "", ""},
		{"2025-10..13", "", ""},
		{"Q3 2025", "", ""},
		{"", "", ""},
		{"2025-Q3 (Jul-Sep", "", ""},
	} {
		p, err := ParsePeriod(c.in)
		if c.to == "" {
			if err == nil {
				t.Errorf("ParsePeriod(%q) = %v .. %v, want an error", c.in, p.From, p.To)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePeriod(%q): %v", c.in, err)
			continue
		}
		if !p.From.Equal(day(c.from)) || !p.To.Equal(day(c.to)) || p.Label != strings.TrimSpace(c.in) {
			t.Errorf("ParsePeriod(%q) = %q %s .. %s, want %s .. %s", c.in, p.Label, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), c.from, c.to)
		}
	}
	p, _ := ParsePeriod("2025-Q3")
	if p.Days() != 92 || !p.Contains(day("2025-09-30").Add(23*time.Hour)) || p.Contains(day("2025-10-01")) {
		t.Errorf("Q3: %d days", p.Days())
	}
	if (Period{}).Days() != 0 || (Period{}).Contains(day("2025-01-01")) {
		t.Error("zero Period")
	}
}

func TestMeanHashvalue(t *testing.T) {
	d := mustLoad(t)
	unknown := []struct{ from, to string }{
		{"2024-10-01", "2024-12-31"}, // 2024-Q4: starts before the data
		{"2025-10-01", "2025-12-31"}, // 2025-Q4: ends after the data
		{"2024-12-11", "2024-12-11"},
		{"2025-12-30", "2026-01-05"},
		{"2025-03-10", "2025-03-01"}, // reversed
	}
	for _, c := range unknown {
		if v := d.MeanHashvalue(day(c.from), day(c.to)); v.OK() {
			t.Errorf("MeanHashvalue(%s, %s) = %v, want unknown", c.from, c.to, v)
		}
		if v := d.MeanHashprice(day(c.from), day(c.to)); v.OK() {
			t.Errorf("MeanHashprice(%s, %s) = %v, want unknown", c.from, c.to, v)
		}
	}
	// Covered ranges: the mean of exactly those days.
	var sum float64
	n := 0
	for _, x := range d.Days() {
		if x.Date.Year() == 2025 && x.Date.Month() <= 3 {
			sum += float64(x.Hashvalue)
			n++
		}
	}
	q1 := d.MeanHashvalue(day("2025-01-01").Add(15*time.Hour), day("2025-03-31"))
	if n != 90 || relErr(float64(q1.Or(0)), sum/90) > 1e-15 {
		t.Errorf("2025-Q1 mean %v, want %v over %d days", q1, sum/90, n)
	}
	first, last := d.Days()[0], d.Days()[len(d.Days())-1]
	if v := d.MeanHashvalue(first.Date, first.Date); v.Or(0) != first.Hashvalue {
		t.Errorf("one-day mean %v, want %v", v, first.Hashvalue)
	}
	if v := d.MeanHashvalue(first.Date, last.Date); !v.OK() {
		t.Error("whole range should be known")
	}
	if v := d.PeriodHashvalue(Period{}); v.OK() {
		t.Error("zero period should be unknown")
	}
	var empty Dataset
	if v := empty.MeanHashvalue(first.Date, last.Date); v.OK() {
		t.Error("empty dataset should be unknown")
	}
}

func TestFundamentals(t *testing.T) {
	d := mustLoad(t)
	iren := d.Fundamentals("iren")
	if iren.Hashrate.Value.Or(0) != 44 || iren.Hashrate.Label != "avg operating" || iren.Hashrate.Fact.Field != "hashrate_avg_operating" {
		t.Errorf("IREN hashrate %v %q (installed 50 must lose to avg operating 44)", iren.Hashrate.Value, iren.Hashrate.Label)
	}
	if iren.Efficiency.Value.Or(0) != 15 || iren.PowerPrice.Value.Or(0) != 0.038 {
		t.Errorf("IREN efficiency %v, power %v", iren.Efficiency.Value, iren.PowerPrice.Value)
	}
	if iren.Shares.Value.Or(0) != 333.7 || iren.Shares.Label != "weighted basic" {
		t.Errorf("IREN shares %v %q", iren.Shares.Value, iren.Shares.Label)
	}
	if len(iren.Costs) != 2 {
		t.Fatalf("IREN costs: %+v", iren.Costs)
	}
	aug := iren.Costs[0] // newest first
	if aug.Scope != econ.ScopePower || aug.PerBTC.Or(0) != 38791 || aug.Period.Label != "2025-08" {
		t.Errorf("IREN newest cost %+v", aug)
	}
	if r := aug.Reported(); r.End != econ.DateOf(day("2025-08-31")) {
		t.Errorf("IREN Aug cost as econ.ReportedCost ends %v, want 2025-08-31 (a board needs it to tell an old cost)", r.End)
	}
	hvAug := d.MeanHashvalue(day("2025-08-01"), day("2025-08-31"))
	if aug.PeriodHashvalue != hvAug || relErr(float64(aug.PerPHDay.Or(0)), 38791*float64(hvAug.Or(0))) > 1e-12 {
		t.Errorf("IREN Aug cost per PH/day %v with hv %v", aug.PerPHDay, aug.PeriodHashvalue)
	}
	q4 := iren.Costs[1]
	if q4.Scope != econ.ScopeCash || q4.PerBTC.Or(0) != 43700 || q4.Period.From != day("2024-10-01") || q4.PeriodHashvalue.OK() || q4.PerPHDay.OK() {
		t.Errorf("IREN 2024-Q4 cost must keep its figure but have no hashvalue (data start 2024-12-12): %+v", q4)
	}

	riot := d.Fundamentals("RIOT")
	if riot.PowerPrice.Value.Or(0) != 0.037 || riot.PowerPrice.Label != "all-in" || riot.Hashrate.Label != "deployed" {
		t.Errorf("RIOT power %v %q, hashrate label %q", riot.PowerPrice.Value, riot.PowerPrice.Label, riot.Hashrate.Label)
	}
	if len(riot.Costs) != 1 || riot.Costs[0].Scope != econ.ScopeDirect || !riot.Costs[0].PerPHDay.OK() {
		t.Errorf("RIOT costs %+v", riot.Costs)
	}
	if c := d.Fundamentals("CLSK").PowerPrice.Value.Or(0); c != 0.056 {
		t.Errorf("CLSK power price %v, want 0.056", c)
	}
	if f := d.Fundamentals("BTDR").Hashrate; f.Label != "self mining target" || f.Value.Or(0) != 40 {
		t.Errorf("BTDR hashrate %v %q", f.Value, f.Label)
	}

	// Scope mapping of every cost field in the sheet.
	wantScope := map[string]econ.Scope{
		"cost_net_electricity_per_btc": econ.ScopePower, "cost_power_per_btc": econ.ScopePower,
		"cost_purchased_energy_per_btc": econ.ScopePower, "cost_all_in_electricity_per_btc": econ.ScopePower,
		"cost_to_mine_ex_depr": econ.ScopeDirect, "cost_all_in_cash_per_btc": econ.ScopeCash, "cost_total_cash_per_btc": econ.ScopeCash,
	}
	for _, f := range d.Facts() {
		s, ok := CostScope(f.Field)
		if strings.HasPrefix(f.Field, "cost_") && (!ok || s != wantScope[f.Field]) {
			t.Errorf("%s: scope %v, %v", f.Field, s, ok)
		}
	}

	// BITF and KEEL are one company, reported as KEEL.
	for _, sym := range []string{"BITF", "KEEL", "keel"} {
		k := d.Fundamentals(sym)
		if k.Symbol != "KEEL" || !slices.Equal(k.FormerSymbols, []string{"BITF"}) || len(k.Facts) != 10 ||
			len(k.Costs) != 1 || k.Costs[0].Scope != econ.ScopeCash || k.Costs[0].PerBTC.Or(0) != 82400 || !k.Costs[0].PerPHDay.OK() {
			t.Errorf("Fundamentals(%s) = %s %v, %d facts, costs %+v", sym, k.Symbol, k.FormerSymbols, len(k.Facts), k.Costs)
		}
		if k.Shares.Value.Or(0) != 602.6 || k.Hashrate.Value.OK() || k.Hashrate.Fact != nil {
			t.Errorf("KEEL shares %v, hashrate %v", k.Shares.Value, k.Hashrate.Value)
		}
	}
}

// TestUnknownTicker: a ticker without data is all-unknown, never zero.
func TestUnknownTicker(t *testing.T) {
	d := mustLoad(t)
	for _, sym := range []string{"NOPE", "APLD"} {
		f := d.Fundamentals(sym)
		if f.Symbol != sym || f.Hashrate.Value.OK() || f.Efficiency.Value.OK() || f.PowerPrice.Value.OK() ||
			f.Hashrate.Fact != nil || f.Efficiency.Fact != nil || f.PowerPrice.Fact != nil || len(f.Costs) != 0 {
			t.Errorf("%s: %+v", sym, f)
		}
		m := f.EconMiner()
		if m.Ticker != sym || m.Hashrate.OK() || m.Efficiency.OK() || m.PowerPrice.OK() || len(m.Reported) != 0 {
			t.Errorf("%s econ miner: %+v", sym, m)
		}
		if d.Closes(sym) != nil {
			t.Errorf("%s has closes", sym)
		}
	}
	if f := d.Fundamentals("NOPE"); f.Shares.Value.OK() || len(f.Facts) != 0 || len(f.Contracts) != 0 {
		t.Errorf("NOPE: %+v", f)
	}
	// APLD has facts (shares, contracts) but no mining figures and no closes.
	if f := d.Fundamentals("APLD"); f.Shares.Value.Or(0) != 261.52 || len(f.Contracts) != 2 {
		t.Errorf("APLD shares %v, %d contracts", f.Shares.Value, len(f.Contracts))
	}
}

func TestContracts(t *testing.T) {
	d := mustLoad(t)
	type want struct {
		counterparty string
		mw           float64 // NaN = unknown
		mwText       string
		it           bool
		headline     string
	}
	nan := math.NaN()
	wants := map[string]want{
		"IREN ai_contract_microsoft":               {"Microsoft", 200, "200 IT MW", true, "$9.7B"},
		"IREN ai_contract_nvidia":                  {"NVIDIA", nan, "~60 MW", false, "$3.4B"},
		"CORZ ai_contract_coreweave":               {"CoreWeave", nan, "~590 MW", false, "~$10B"},
		"WULF ai_contract_fluidstack_lake_mariner": {"Fluidstack", nan, ">200 IT MW", true, "~$3.7B"},
		"WULF ai_contract_abernathy_jv":            {"Fluidstack", 168, "168 IT MW", true, "~$9.5B"},
		"WULF ai_contract_core42":                  {"Core42", 72.5, "72.5 MW", false, ""},
		"RIOT ai_contract_amd":                     {"AMD", 25, "25 IT MW", true, "~$311M"},
		"CIFR ai_contract_aws":                     {"AWS", 300, "300 MW", false, "~$5.5B"},
		"CIFR ai_contract_fluidstack":              {"Fluidstack", 168, "168 IT MW", true, "~$3B"},
		"HUT ai_contract_river_bend":               {"Fluidstack", 245, "245 IT MW", true, "~$7B"},
		"APLD ai_contract_coreweave":               {"CoreWeave", 400, "400 IT MW", true, "~$11B"},
		"APLD ai_contract_pf2":                     {"", 200, "200 IT MW", true, "~$5B"},
		"GLXY ai_contract_coreweave":               {"CoreWeave", 800, "800 MW", false, ">$1B"},
	}
	seen := 0
	for _, sym := range []string{"IREN", "CORZ", "WULF", "MARA", "RIOT", "CLSK", "CIFR", "HUT", "KEEL", "BTDR", "HIVE", "APLD", "GLXY"} {
		for _, c := range d.Fundamentals(sym).Contracts {
			key := c.Fact.Ticker + " " + c.Fact.Field
			w, ok := wants[key]
			if !ok {
				t.Errorf("unexpected contract %s", key)
				continue
			}
			seen++
			mw, known := c.MW.Get()
			if c.Counterparty != w.counterparty || c.MWText != w.mwText || c.ITLoad != w.it || c.Headline != w.headline ||
				known == math.IsNaN(w.mw) || (known && float64(mw) != w.mw) {
				t.Errorf("%s: got %q %v %q it=%v %q; want %+v", key, c.Counterparty, c.MW, c.MWText, c.ITLoad, c.Headline, w)
			}
			if c.Text != c.Fact.Value || c.SourceURL == "" || c.AsOf == "" || !c.Quality.Valid() {
				t.Errorf("%s: provenance %+v", key, c)
			}
		}
	}
	if seen != len(wants) {
		t.Errorf("saw %d contracts, want %d", seen, len(wants))
	}
	for _, c := range []struct{ in, want string }{
		{"costs $5 and $7B", "$5"}, {"no money", ""}, {"$ then ~$2.5B", "~$2.5B"}, {"$", ""},
	} {
		if got := firstDollars(c.in); got != c.want {
			t.Errorf("firstDollars(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"MW only", ""}, {"a 1,000 MW site", "1,000 MW"}, {"about 50MW", "50MW"}, {"SMW 20 MWh", ""},
	} {
		if got, _, _ := firstMW(c.in); got != c.want {
			t.Errorf("firstMW(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestEconMinersBoard feeds the default peers and the latest network into
// econ.ComputeBoard.
func TestEconMinersBoard(t *testing.T) {
	d := mustLoad(t)
	miners := d.EconMiners()
	var tickers []string
	for _, m := range miners {
		tickers = append(tickers, m.Ticker)
	}
	if !slices.Equal(tickers, DefaultPeers()) {
		t.Errorf("EconMiners tickers %v", tickers)
	}
	snap, ok := d.Latest()
	if !ok {
		t.Fatal("no snapshot")
	}
	in := snap.NetworkInputs()
	b := econ.ComputeBoard(in, miners, econ.Scenario{})
	hp, ok := b.Network.Hashprice.Get()
	if !ok || hp < 36 || hp > 39 {
		t.Errorf("board hashprice %v on 2025-12-29, want ~37", b.Network.Hashprice)
	}
	if b.Network.Subsidy.Or(0) != 3.125 || b.Network.Height.Or(0) != 930093 {
		t.Errorf("board subsidy %v height %v", b.Network.Subsidy, b.Network.Height)
	}
	if b.Network.Adjustment != nil {
		t.Error("no next-difficulty estimate should be made from a derived epoch without a block time")
	}
	with := map[string]econ.MinerRow{}
	for _, r := range b.Miners {
		if r.HasCost {
			with[r.Ticker] = r
		}
	}
	// Reported costs restated at their period's hashvalue, and modelled power.
	for _, sym := range []string{"IREN", "WULF", "MARA", "RIOT", "CIFR", "KEEL"} {
		if _, ok := with[sym]; !ok {
			t.Errorf("%s should have a cost on the board", sym)
		}
	}
	if r := with["IREN"]; r.Costs[econ.ScopePower].Basis != econ.BasisReported || r.Costs[econ.ScopeCash].PerPHDay.OK() {
		t.Errorf("IREN power basis %v, cash %v (2024-Q4 is not covered)", r.Costs[econ.ScopePower].Basis, r.Costs[econ.ScopeCash].PerPHDay)
	}
	if r := with["KEEL"]; r.Headline != econ.ScopeCash {
		t.Errorf("KEEL headline %v", r.Headline)
	}
	if _, ok := with["APLD"]; ok {
		t.Error("APLD should have no cost")
	}
	if b.Total != 12 {
		t.Errorf("board: %d miners", b.Total)
	}
	var names []string
	for _, sym := range DefaultPeers() {
		if r, ok := with[sym]; ok {
			names = append(names, sym+" "+r.Headline.String()+" "+r.Costs[r.Headline].Basis.String())
		}
	}
	t.Logf("miners with a known cost: %s", strings.Join(names, "; "))
	// A zero snapshot gives unknown inputs, not zeros.
	if in := (Snapshot{}).NetworkInputs(); in.Price.OK() || in.Difficulty.OK() || in.Height.OK() {
		t.Errorf("zero snapshot inputs: %+v", in)
	}
}

func TestReferencePoints(t *testing.T) {
	d := mustLoad(t)
	refs := d.ReferencePoints()
	byKey := map[string]ReferencePoint{}
	for _, r := range refs {
		if r.Period.From.IsZero() || r.Period.Label == "" || r.Source == "" || r.Text == "" || r.Name == "" {
			t.Errorf("reference %+v lacks a period or source", r)
		}
		if r.USDPerPHDay.OK() == r.USDPerBTC.OK() {
			t.Errorf("%s %s: exactly one published value expected", r.Name, r.Period.Label)
		}
		if r.Scoped != (r.Kind == RefHashcost || r.Kind == RefCostPerBTC) {
			t.Errorf("%s: scoped %v", r.Name, r.Scoped)
		}
		if r.Restated.OK() && r.Kind != RefCostPerBTC {
			t.Errorf("%s: restated", r.Name)
		}
		byKey[string(r.Kind)+" "+r.Period.Label] = r
	}
	check := func(key string, v float64, scope econ.Scope) ReferencePoint {
		t.Helper()
		r, ok := byKey[key]
		if !ok {
			t.Fatalf("no reference %q", key)
		}
		got := float64(r.USDPerPHDay.Or(0)) + float64(r.USDPerBTC.Or(0))
		if got != v || (r.Scoped && r.Scope != scope) {
			t.Errorf("%s = %v %v, want %v %v", key, got, r.Scope, v, scope)
		}
		return r
	}
	check("hashprice record low 2025-11-22", 35.06, 0)
	check("hashprice record low 2026-02-02", 33.34, 0)
	check("hashcost 2025-Q3", 44, econ.ScopeCash)
	check("hashcost 2025-Q1", 34, econ.ScopeDirect)
	check("cost per BTC 2024-Q4", 52000, econ.ScopeDirect)
	q1 := check("cost per BTC 2025-Q1", 64000, econ.ScopeDirect)
	check("cost per BTC 2025-Q4", 79995, econ.ScopeCash)
	if r := byKey["cost per BTC 2024-Q4"]; r.Restated.OK() {
		t.Error("2024-Q4 is not covered by the network data: restated must be unknown")
	}
	if r := byKey["cost per BTC 2025-Q4"]; r.Restated.OK() {
		t.Error("2025-Q4 ends after the network data: restated must be unknown")
	}
	hvQ1 := d.MeanHashvalue(day("2025-01-01"), day("2025-03-31")).Or(0)
	if got := q1.Restated.Or(0); relErr(float64(got), 64000*float64(hvQ1)) > 1e-12 {
		t.Errorf("Q1 restated %v", got)
	}
	// Our figures against Hashrate Index's (different fee and price methods; ±2.5%).
	if n, _ := d.Day(day("2025-11-22")); relErr(float64(n.Hashprice), 35.06) > 0.025 {
		t.Errorf("our 2025-11-22 hashprice %v vs HRI record low 35.06", n.Hashprice)
	}
	nov := byKey["hashprice 2025-11"]
	if got := d.MeanHashprice(nov.Period.From, nov.Period.To).Or(0); relErr(float64(got), 39.82) > 0.025 {
		t.Errorf("our Nov-2025 mean hashprice %v vs HRI 39.82", got)
	}
}

// TestJSON: every part of a fact is reachable from the fundamentals' JSON.
func TestJSON(t *testing.T) {
	d := mustLoad(t)
	b, err := json.Marshal(d.Fundamentals("BITF"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Symbol   string `json:"symbol"`
		Hashrate struct {
			Value *float64 `json:"value"`
		} `json:"hashrate_ehs"`
		Shares struct {
			Value float64 `json:"value"`
			Fact  Fact    `json:"fact"`
		} `json:"shares_m"`
		Costs []struct {
			Scope    string   `json:"scope"`
			PerBTC   float64  `json:"usd_per_btc"`
			PerPHDay *float64 `json:"usd_per_ph_day"`
			Period   struct {
				Label string    `json:"label"`
				From  time.Time `json:"from"`
			} `json:"period"`
		} `json:"costs"`
		Facts []map[string]any `json:"facts"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	sh := got.Shares.Fact
	if got.Symbol != "KEEL" || got.Hashrate.Value != nil || got.Shares.Value != 602.6 || sh.Value != "602.6" || sh.Unit != "M shares" ||
		sh.AsOf != "2026-Q1 (approx)" || sh.Quality != QualityC || sh.SourceURL != "https://www.valueray.com/symbol/NASDAQ/KEEL" || sh.Note != "aggregator; verify" {
		t.Errorf("JSON: %s", b)
	}
	if len(got.Costs) != 1 || got.Costs[0].Scope != "cash" || got.Costs[0].PerBTC != 82400 || got.Costs[0].PerPHDay == nil || got.Costs[0].Period.From != day("2025-07-01") {
		t.Errorf("JSON costs: %+v", got.Costs)
	}
	for _, k := range []string{"ticker", "field", "value", "number", "unit", "as_of", "quality", "source_url", "note", "line"} {
		if _, ok := got.Facts[0][k]; !ok {
			t.Errorf("fact JSON lacks %q", k)
		}
	}
	if _, err := json.Marshal(d.ReferencePoints()); err != nil {
		t.Error(err)
	}
	if _, err := json.Marshal(d.Days()[:2]); err != nil {
		t.Error(err)
	}
}

func TestAttribution(t *testing.T) {
	d := mustLoad(t)
	short := d.Attribution()
	if n := utf8.RuneCountInString(short); n > 92 || strings.Contains(short, "\n") {
		t.Errorf("short attribution is %d runes or has a newline: %q", n, short)
	}
	for _, s := range []string{"Coin Metrics Community Data", "CC BY-NC 4.0", "mempool.space", "Yahoo Finance", "CoinGecko", "filings"} {
		if !strings.Contains(short, s) {
			t.Errorf("short attribution lacks %q", s)
		}
	}
	long := d.AttributionLong()
	for _, s := range []string{"Source: Coin Metrics Community Data", "CC BY-NC 4.0", "non-commercial", "mempool.space", "Yahoo Finance", "CoinGecko", "approximate", "filings", "Hashrate Index", "TheMinerMag"} {
		if !strings.Contains(long, s) {
			t.Errorf("long attribution lacks %q", s)
		}
	}
}

func TestAsOf(t *testing.T) {
	a := mustLoad(t).AsOf()
	if a.Network != day("2025-12-29") || a.EpochHeight != 929376 || a.EpochDate != day("2025-12-25") || a.BTCUSD != day("2026-08-21") {
		t.Errorf("AsOf = %+v", a)
	}
	if s := mustLoad(t).String(); !strings.Contains(s, "383 network days to 2025-12-29") {
		t.Errorf("String = %q", s)
	}
}

// TestParseErrorsNameFileAndLine corrupts one line of each kind of file.
func TestParseErrorsNameFileAndLine(t *testing.T) {
	base := fstest.MapFS{}
	err := fs.WalkDir(data, "data", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(data, p)
		base[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := load(base); err != nil {
		t.Fatalf("load of an unchanged copy: %v", err)
	}
	for _, c := range []struct {
		file    string
		line    int
		replace func(string) string
		want    string
	}{
		{fileCoinMetrics, 5, func(s string) string { return strings.Replace(s, ",", ",x", 1) }, "BlkCnt"},
		{fileCoinMetrics, 3, func(s string) string { return strings.Replace(s, "2024-12-13", "2024-12-12", 1) }, "does not follow"},
		{fileEpochs, 10, func(s string) string { return strings.Replace(s, "16128", "16129", 1) }, "not a multiple"},
		{fileCoinGecko, 7, func(s string) string { return strings.Replace(s, ",00:00,", ",00:00,-", 1) }, "price_usd"},
		{"data/yahoo-via-dsturdy/MARA.csv", 4, func(s string) string { return s + ",extra" }, "fields"},
		{fileFacts, 6, func(s string) string { return strings.Replace(s, ",A,", ",D,", 1) }, "quality"},
		{fileFacts, 7, func(s string) string { return strings.Replace(s, ",https://ts2.tech/?p=20431944,", ",,", 1) }, "source_url"},
	} {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		lines := strings.Split(string(base[c.file].Data), "\n")
		lines[c.line-1] = c.replace(lines[c.line-1])
		fsys[c.file] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n"))}
		_, err := load(fsys)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != c.file || pe.Line != c.line || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s line %d: got %v, want a ParseError at that line mentioning %q", c.file, c.line, err, c.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "dataset: "+c.file+":"+strconv.Itoa(c.line)+": ") {
			t.Errorf("error text %q", err)
		}
	}
	missing := fstest.MapFS{}
	for k, v := range base {
		if k != fileEpochs {
			missing[k] = v
		}
	}
	if _, err := load(missing); err == nil || !strings.Contains(err.Error(), fileEpochs) {
		t.Errorf("missing file: %v", err)
	}
}

// TestLoadConcurrent loads and reads from several goroutines (run with -race).
func TestLoadConcurrent(t *testing.T) {
	shared := mustLoad(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			d, err := Load()
			if err != nil {
				t.Error(err)
				return
			}
			_ = econ.ComputeBoard(func() econ.NetworkInputs { s, _ := d.Latest(); return s.NetworkInputs() }(), d.EconMiners(), econ.Scenario{})
			_ = shared.Peers()
			_ = shared.MeanHashvalue(day("2025-01-01"), day("2025-06-30"))
			_ = shared.Closes("BITF")
		})
	}
	wg.Wait()
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseDay(t *testing.T) {
	for _, s := range []string{"2024-02-29", "2025-12-31", "2009-01-03", "2026-02-30", "2025-13-01", "2025-00-10", "2025-01-00", "2025-1-01", "20250101", "2025-01-0x", "+025-01-01", ""} {
		want, werr := time.Parse(time.DateOnly, s)
		got, ok := parseDay(s)
		if ok != (werr == nil) || (ok && !got.Equal(want)) {
			t.Errorf("parseDay(%q) = %v, %v; time.Parse gives %v, %v", s, got, ok, want, werr)
		}
	}
}

// TestPick covers the figure choice on synthetic facts.
func TestPick(t *testing.T) {
	fact := func(field, value, unit, asOf string) Fact {
		f := Fact{Ticker: "X", Field: field, Value: value, Unit: unit, AsOf: asOf, Quality: QualityB, SourceURL: "https://example.org"}
		if v, ok := PlainNumber(value); ok && unit != "" {
			f.Number = econ.Known(v)
		}
		return f
	}
	hr := func(facts ...Fact) Figure[econ.EHs] {
		return pick(facts, hashrateCandidate, unitScale(map[string]int{"EH/s": 0, "PH/s": -3}), convert[econ.EHs])
	}
	// A typed target beats an operating figure given only as text.
	if f := hr(fact("hashrate_operating", "~50", "EH/s", "2025-09"), fact("hashrate_target", "40", "EH/s", "2025-09")); f.Value.Or(0) != 40 || f.Label != "target" {
		t.Errorf("typed target: %v %q", f.Value, f.Label)
	}
	// Only text: the best fact is kept, its value unknown.
	if f := hr(fact("hashrate_operating", "~50", "EH/s", "2025-09")); f.Value.OK() || f.Fact == nil || f.Fact.Value != "~50" {
		t.Errorf("text only: %+v", f)
	}
	// Same rank: the latest as-of wins; units convert exactly.
	if f := hr(fact("hashrate_operating", "30", "EH/s", "2025-03-31"), fact("hashrate_deployed", "31500", "PH/s", "2025-Q3")); f.Value.Or(0) != 31.5 || f.Label != "deployed" {
		t.Errorf("latest: %v %q", f.Value, f.Label)
	}
	// Realized beats operating, whatever the dates; unknown units are not typed.
	if f := hr(fact("hashrate_operating", "30", "EH/s", "2025-12"), fact("hashrate_realized", "28", "EH/s", "2025-06")); f.Value.Or(0) != 28 || f.Label != "realized" {
		t.Errorf("realized: %v %q", f.Value, f.Label)
	}
	if f := hr(fact("hashrate", "30", "TH/s", "2025-12")); f.Value.OK() || f.Label != "" {
		t.Errorf("unknown unit: %v %q", f.Value, f.Label)
	}
	if f := hr(fact("hashrates_x", "30", "EH/s", "2025-12")); f.Fact != nil {
		t.Error("hashrates_x is not a hashrate field")
	}
	b, err := json.Marshal([]PriceSource{SourceCoinMetrics, SourceCoinGecko, 0})
	if err != nil || string(b) != `["coinmetrics","coingecko","unknown"]` {
		t.Errorf("PriceSource JSON %s, %v", b, err)
	}
	var pe error = &ParseError{File: "f.csv", Err: errors.New("boom")}
	if pe.Error() != "dataset: f.csv: boom" || errors.Unwrap(pe).Error() != "boom" {
		t.Errorf("ParseError without a line: %v", pe)
	}
	n := NetworkDay{Blocks: 4, Subsidy: 12.5, Fees: 0.5}
	if n.RewardPerBlock() != 3.25 || n.FeesPerBlock() != 0.125 {
		t.Errorf("per block: %v %v", n.RewardPerBlock(), n.FeesPerBlock())
	}
}

func TestSnapshotAt(t *testing.T) {
	ds := mustLoad(t)
	latest, _ := ds.Latest()
	at, ok := ds.SnapshotAt(latest.AsOf.Add(36 * time.Hour))
	if !ok || !at.AsOf.Equal(latest.AsOf) || at.Difficulty != latest.Difficulty || at.MeanBlockTime != latest.MeanBlockTime {
		t.Errorf("SnapshotAt after the last day = %+v, want the latest", at.AsOf)
	}
	mid, ok := ds.SnapshotAt(time.Date(2025, 6, 15, 18, 0, 0, 0, time.UTC))
	if !ok || mid.AsOf.Format(time.DateOnly) != "2025-06-15" || mid.Day.Price <= 0 || mid.Difficulty <= 0 {
		t.Errorf("SnapshotAt 2025-06-15 = %+v", mid)
	}
	if _, ok := ds.SnapshotAt(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("a snapshot before the data")
	}
}

// The embedded closes carry no float32 noise (BTDR's last close was
// stored as 10.520000457763672; issue 13 row 12).
func TestClosesHaveNoFloat32Noise(t *testing.T) {
	d := mustLoad(t)
	for _, sym := range d.Symbols() {
		for _, c := range d.Closes(sym) {
			if v := float64(c.Price); math.Abs(v*1e4-math.Round(v*1e4)) > 1e-6 {
				t.Fatalf("%s %s close %v has more than 4 decimals", sym, c.Date.Format(time.DateOnly), v)
			}
		}
	}
}

// The Dataset holds the closes as day numbers and prices; Closes gives back
// exactly what the files say: the same time.Time values (==, so the same
// representation) and the same prices, rounded to 4 decimals, in order.
func TestClosesRoundTripTheFiles(t *testing.T) {
	d := mustLoad(t)
	for _, sf := range stockFiles() {
		tb, err := openTable(data, sf.path, false, "Date", "Close")
		if err != nil {
			t.Fatal(err)
		}
		var want []Close
		for tb.next() {
			want = append(want, Close{Date: tb.date(tb.col("Date"), "Date"), Price: econ.USD(math.Round(tb.positive(tb.col("Close"), "Close")*1e4) / 1e4)})
		}
		if err := tb.close(); err != nil {
			t.Fatal(err)
		}
		got := d.Closes(sf.symbol)
		if len(got) != len(want) {
			t.Fatalf("%s: %d closes, the file has %d", sf.symbol, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s close %d: %+v, the file says %+v", sf.symbol, i, got[i], want[i])
			}
		}
		st, ok := d.Stock(sf.tradedAs)
		if !ok || st.Symbol != sf.symbol || st.Source != sf.origin || !slices.Equal(st.Closes, want) {
			t.Errorf("Stock(%s) = %s, %d closes, ok %v", sf.tradedAs, st.Symbol, len(st.Closes), ok)
		}
	}
}
