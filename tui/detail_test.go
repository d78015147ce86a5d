package tui

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/format"
)

func detMonoTheme(t testing.TB) themes.Theme {
	t.Helper()
	th, err := themes.Get("dark", true)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// peerIndex returns the index of ticker in d.Peers.
func detPeerIndex(t testing.TB, d *board.Data, ticker string) int {
	t.Helper()
	for i := range d.Peers {
		if d.Peers[i].Ticker == ticker {
			return i
		}
	}
	t.Fatalf("%s is not a peer", ticker)
	return -1
}

func TestDetailGolden(t *testing.T) {
	goldenView(t, ViewDetail, UI{Detail: "IREN", Range: Range1Y}, econ.Scenario{})
}

// TestDetailFundamentalsGolden draws IREN with its dataset fundamentals, as
// the view will once PeerRow carries them.
func TestDetailFundamentalsGolden(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	f := testEnv().Fundamentals["IREN"]
	ui := UI{View: ViewDetail, Detail: "IREN", Range: Range1Y}
	th := detMonoTheme(t)
	for _, sz := range goldenSizes {
		body := renderDetailWith(d, ui, detPeerIndex(t, d, "IREN"), detSourcesFromFundamentals(&f), sz[0], sz[1]-2, th)
		checkFrame(t, body, sz[0], sz[1]-2)
		checkGolden(t, "miner-fundamentals-"+itoa(sz[0])+"x"+itoa(sz[1])+"-mono.golden", ansi.Strip(body))
	}
}

// TestDetailEveryFactSourced: with IREN's fundamentals every fact shows on
// one line with its as-of, quality and source domain, and so does every
// AI/HPC contract with its counterparty.
func TestDetailEveryFactSourced(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	f := testEnv().Fundamentals["IREN"]
	if len(f.Facts) < 10 || len(f.Contracts) == 0 {
		t.Fatalf("IREN has %d facts, %d contracts", len(f.Facts), len(f.Contracts))
	}
	body := ansi.Strip(renderDetailWith(d, UI{Detail: "IREN"}, detPeerIndex(t, d, "IREN"), detSourcesFromFundamentals(&f), 200, 58, detMonoTheme(t)))
	lines := strings.Split(body, "\n")
	find := func(parts ...string) bool {
		for _, l := range lines {
			ok := true
			for _, p := range parts {
				if !strings.Contains(l, p) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	for _, x := range f.Facts {
		label := strings.ReplaceAll(x.Field, "_", " ")
		if strings.HasPrefix(x.Field, "ai_contract_") {
			continue
		}
		if len(label) > 26 {
			label = label[:20]
		}
		if !find(label, x.AsOf, "  "+string(x.Quality)+"  ", detDomain(x.SourceURL)) {
			t.Errorf("fact %s (as of %s, quality %s, %s) is not shown with its source:\n%s", x.Field, x.AsOf, x.Quality, x.SourceURL, body)
		}
	}
	for _, c := range f.Contracts {
		if !find(c.Counterparty, c.AsOf, "  "+string(c.Quality)+"  ", detDomain(c.SourceURL)) {
			t.Errorf("contract with %s (%s) is not shown with its source", c.Counterparty, c.AsOf)
		}
		if c.Headline != "" && !find(c.Counterparty, c.Headline) {
			t.Errorf("contract with %s lacks its headline value %s", c.Counterparty, c.Headline)
		}
	}
	// At 80 columns the URLs are cut but every domain stays whole.
	body80 := ansi.Strip(renderDetailWith(d, UI{Detail: "IREN"}, detPeerIndex(t, d, "IREN"), detSourcesFromFundamentals(&f), 80, 60, detMonoTheme(t)))
	for _, x := range f.Facts {
		if !strings.HasPrefix(x.Field, "ai_contract_") && !strings.Contains(body80, detDomain(x.SourceURL)) {
			t.Errorf("at 80 columns the domain of %s (%s) is cut", x.Field, detDomain(x.SourceURL))
		}
	}
}

// TestDetailShowsSourcedFacts: the view as the dashboard draws it shows the
// miner's facts with as-of, quality and source, its restated cost and its contracts.
func TestDetailShowsSourcedFacts(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	body := ansi.Strip(renderDetail(d, UI{Detail: "IREN", Range: Range1Y}, 120, 38, detMonoTheme(t)))
	for _, want := range []string{
		"IREN", "$36.80", "hashrate avg operating", "44.0 EH/s", "15 J/TH", "3.8 c/kWh", "FY2025 (to 2025-06-30)",
		"18.25", "implied 2025-Q3", "utahbusinesspress.com", "Microsoft", "200 IT MW", "$9.7B",
		"IREN vs BTC · 1Y",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("detail lacks %q:\n%s", want, body)
		}
	}
}

// TestDetailUnknowns: a miner without price or costs shows — everywhere,
// never a zero.
func TestDetailUnknowns(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	body := ansi.Strip(renderDetail(d, UI{Detail: "APLD"}, 80, 22, detMonoTheme(t)))
	for _, want := range []string{"APLD  price —", "day —", "cap —", "no figure", "CoreWeave"} {
		if !strings.Contains(body, want) {
			t.Errorf("detail of APLD lacks %q:\n%s", want, body)
		}
	}
	for _, bad := range []string{"$0.00", " 0.0 EH/s", "$0/kWh", "NaN"} {
		if strings.Contains(body, bad) {
			t.Errorf("detail of APLD shows %q for an unknown:\n%s", bad, body)
		}
	}
	for _, s := range []string{"power", "direct", "cash", "all-in"} {
		found := false
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, " "+s+" ") && strings.Contains(l, "—") && !strings.Contains(l, "█") {
				found = true
			}
		}
		if !found {
			t.Errorf("the %s cost of APLD is not shown as — without a bar:\n%s", s, body)
		}
	}
}

// TestDetailCostBars: a cost below hashprice is a bar short of the ┃ mark
// with ▲ and a positive margin; one above it reaches past the mark with ▼.
func TestDetailCostBars(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th := detMonoTheme(t)
	line := func(ticker, scope string) string {
		body := ansi.Strip(renderDetail(d, UI{Detail: ticker}, 80, 22, th))
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, " "+scope+" ") {
				return l
			}
		}
		t.Fatalf("%s has no %s row:\n%s", ticker, scope, body)
		return ""
	}
	iren := line("IREN", "power")
	if !strings.Contains(iren, "█┃") && !strings.Contains(iren, "█·") || strings.Contains(iren, "┃█") || !strings.Contains(iren, "▲ +18.91") {
		t.Errorf("IREN power (18.25 under 37.16) bar: %q", iren)
	}
	keel := line("KEEL", "cash")
	if !strings.Contains(keel, "┃█") || !strings.Contains(keel, "▼ -3.19") {
		t.Errorf("KEEL cash (40.35 over 37.16) bar: %q", keel)
	}
	// The bar alone: cells past the mark only when the cost exceeds hashprice.
	for _, tc := range []struct {
		v     float64
		under bool
	}{{10, false}, {36.9, false}, {37.4, true}, {60, true}} {
		bar := ansi.Strip(detBar(tc.v, true, 37.16, true, 67.2, 20, detPaletteOf(th)))
		if ansi.StringWidth(bar) != 20 {
			t.Errorf("bar %q is %d wide", bar, ansi.StringWidth(bar))
		}
		_, after, _ := strings.Cut(bar, "┃")
		if got := strings.Contains(after, "█"); got != tc.under {
			t.Errorf("cost %v at hashprice 37.16: bar %q", tc.v, bar)
		}
	}
}

func TestDetailKeys(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	ui := UI{View: ViewDetail}
	ui = detailKey(ui, d, "down")
	if ui.Detail != d.Peers[1].Ticker || ui.Selected != 1 {
		t.Errorf("down from the first peer: detail %q selected %d", ui.Detail, ui.Selected)
	}
	ui = detailKey(ui, d, "j")
	ui = detailKey(ui, d, "k")
	if ui.Detail != d.Peers[1].Ticker {
		t.Errorf("j then k: %q", ui.Detail)
	}
	ui = detailKey(ui, d, "up")
	ui = detailKey(ui, d, "up")
	if ui.Detail != d.Peers[0].Ticker || ui.Selected != 0 {
		t.Errorf("up past the first peer: %q %d", ui.Detail, ui.Selected)
	}
	// ui.Detail wins over a stale selection.
	last := d.Peers[len(d.Peers)-1].Ticker
	ui = detailKey(UI{View: ViewDetail, Detail: last, Selected: 3}, d, "down")
	if ui.Detail != last || ui.Selected != len(d.Peers)-1 {
		t.Errorf("down from the last peer: %q %d", ui.Detail, ui.Selected)
	}
	ui = detailKey(ui, d, "x")
	if ui.Detail != last || ui.View != ViewDetail {
		t.Errorf("an unbound key changed the state: %+v", ui)
	}
	ui = detailKey(ui, d, "esc")
	if ui.View != ViewPeers || ui.Detail != "" || ui.Selected != len(d.Peers)-1 {
		t.Errorf("esc: view %v detail %q selected %d", ui.View, ui.Detail, ui.Selected)
	}
	if got := detailKey(UI{}, &board.Data{}, "down"); got.Detail != "" {
		t.Errorf("no peers: %+v", got)
	}
	if body := renderDetail(&board.Data{}, UI{}, 80, 22, detMonoTheme(t)); !strings.Contains(body, "No miner") {
		t.Errorf("no peers: %q", ansi.Strip(body))
	}
}

func TestDetailShortURL(t *testing.T) {
	u := "https://www.utahbusinesspress.com/article/847111062-iren-august-2025-monthly-update"
	s := detShortURL(u, 30)
	if !strings.HasPrefix(s, "utahbusinesspress.com/") || !strings.HasSuffix(s, "…") || ansi.StringWidth(s) > 30 {
		t.Errorf("short URL %q", s)
	}
	if s := detShortURL("https://sec.gov/x", 30); s != "sec.gov/x" {
		t.Errorf("short URL %q", s)
	}
}

func TestDetailSizes(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{Price: econ.Known[econ.USDPerBTC](60_000)})
	th := detMonoTheme(t)
	for _, p := range d.Peers {
		for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {200, 60}, {250, 70}} {
			for r := range numRanges {
				checkFrame(t, Render(d, UI{View: ViewDetail, Detail: p.Ticker, Range: r}, sz[0], sz[1], th), sz[0], sz[1])
			}
		}
	}
}

// benchDetail times the view alone in the body of a w×h terminal (the
// tab and status bars take two lines; Render's own fit of the frame is
// not the view's cost).
func benchDetail(b *testing.B, w, h int) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	ui := UI{View: ViewDetail, Detail: "IREN", Range: Range1Y}
	b.ReportAllocs()
	for b.Loop() {
		_ = renderDetail(d, ui, w, h-2, th)
	}
}

func BenchmarkDetail160x48(b *testing.B) { benchDetail(b, 160, 48) }
func BenchmarkDetail250x70(b *testing.B) { benchDetail(b, 250, 70) }

// TestDetailLayoutHelpers: the inks paint as the theme's styles do, and the
// fast cellWidth agrees with ansi.StringWidth on every line both views draw.
func TestDetailLayoutHelpers(t *testing.T) {
	sc := econ.Scenario{Price: econ.Known[econ.USDPerBTC](60_000), PowerPrice: econ.Known[econ.USDPerKWh](0.07)}
	d := board.Build(testEnv(), nil, fixedNow, sc)
	f := testEnv().Fundamentals["IREN"]
	for _, name := range []string{"dark", "light", "high-contrast", "colorblind"} {
		for _, mono := range []bool{false, true} {
			th, err := themes.Get(name, mono)
			if err != nil {
				t.Fatal(err)
			}
			pal := detPaletteOf(th)
			for _, st := range []struct {
				ink  detInk
				want func(...string) string
			}{{pal.muted, th.Muted.Render}, {pal.neg, th.Negative.Render}, {pal.sel, th.Selected.Render}, {pal.accentBold, th.Accent.Bold(true).Render}, {pal.header, th.Header.Render}} {
				if got, want := st.ink.paint("+1.5 ▲"), st.want("+1.5 ▲"); got != want {
					t.Errorf("%s mono=%v: ink %q, style %q", name, mono, got, want)
				}
			}
			for _, v := range []float64{-1, 0, 1} {
				if got, want := pal.sign(v, "x"), th.Sign(v, "x"); got != want {
					t.Errorf("%s: sign(%v) %q, want %q", name, v, got, want)
				}
			}
			frames := []string{
				renderDetailWith(d, UI{Detail: "IREN"}, detPeerIndex(t, d, "IREN"), detSourcesFromFundamentals(&f), 200, 58, th),
				renderDetail(d, UI{Detail: "KEEL"}, 120, 38, th),
				renderScenario(d, UI{Scenario: sc}, 200, 58, th),
				renderScenario(d, UI{Scenario: sc, Editing: true, Input: "1.5"}, 80, 22, th),
			}
			for _, fr := range frames {
				for _, l := range strings.Split(fr, "\n") {
					if a, b := cellWidth(l), ansi.StringWidth(l); a != b {
						t.Errorf("cellWidth %d, ansi.StringWidth %d: %q", a, b, l)
					}
				}
			}
		}
	}
}

// Issue 14 row 7: the miner view's header and its chart title showed two
// different 1Y returns (+233.7 % and +247.5 %); both are now
// board.PeriodReturn, for every peer.
func TestDetailOneDefinitionOfAReturn(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th := detMonoTheme(t)
	re := regexp.MustCompile(`1Y [▲▼]?([+-][0-9.,]+%)`)
	chart := func(ticker string) *regexp.Regexp {
		return regexp.MustCompile(regexp.QuoteMeta(ticker) + ` vs BTC · 1Y  ` + regexp.QuoteMeta(ticker) + ` [▲▼]?([+-][0-9.,]+%)`)
	}
	checked := 0
	for i, p := range d.Peers {
		frame := ansi.Strip(renderDetailWith(d, UI{View: ViewDetail, Detail: p.Ticker, Range: Range1Y}, i, detSourcesFromFundamentals(&d.Peers[i].Fundamentals), 200, 58, th))
		head, ch := re.FindStringSubmatch(frame), chart(p.Ticker).FindStringSubmatch(frame)
		if head == nil || ch == nil {
			continue // no return known: both say so
		}
		checked++
		if head[1] != ch[1] {
			t.Errorf("%s: header 1Y %s, chart 1Y %s", p.Ticker, head[1], ch[1])
		}
	}
	if checked < 8 {
		t.Errorf("only %d peers had both returns", checked)
	}
}

// Issue 12, miner view: the quarterly financials — each known scope's
// implied cost per PH/day and per BTC, the mining share (carried or not),
// the company's own metric beside them, each with grade, publication date
// and source.
func TestDetailQuarterlyFinancials(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	facts := detQuarterFacts(d, "MARA")
	var labels []string
	for _, f := range facts {
		labels = append(labels, f.Label)
		if f.AsOf == "" || f.Quality == "" {
			t.Errorf("%s has no date or grade: %+v", f.Label, f)
		}
	}
	all := strings.Join(labels, "|")
	for _, want := range []string{"2025-Q3 direct (implied)", "2025-Q3 mining share", "2025-Q3 own power: "} {
		if !strings.Contains(all, want) {
			t.Errorf("MARA's quarterly facts lack %q: %v", want, labels)
		}
	}
	for _, f := range facts {
		if f.Label == "2025-Q3 direct (implied)" && (!strings.Contains(f.Value, "/PH/d · $") || !strings.HasSuffix(f.Value, "/BTC")) {
			t.Errorf("direct cost %q: want per PH/day and per BTC", f.Value)
		}
		// It says so first, so that no cut hides it (found in the second
		// review: "95.9% of revenue (carried fro…" read as Q3's own).
		if f.Label == "2025-Q3 mining share" && !strings.HasPrefix(f.Value, "carried: 2025-Q2's ") {
			t.Errorf("MARA's 2025-Q3 share %q is carried from 2025-Q2 and must say so first", f.Value)
		}
	}
}

// Live, a peer's quote can run months past BTC's history (a store still
// backfilling): the header's 1Y then runs to the quote, the chart's to the
// last day both have. The chart's title says to which day, so the two
// figures do not disagree without a word; with both to the same day it
// adds nothing.
func TestDetailChartSaysWhereItEnds(t *testing.T) {
	d := *board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th := detMonoTheme(t)
	i := detPeerIndex(t, &d, "IREN")
	title := regexp.MustCompile(`IREN vs BTC · 1Y( to \d{4}-\d{2}-\d{2})?  IREN`)
	frame := func(d *board.Data) string {
		return ansi.Strip(renderDetailWith(d, UI{View: ViewDetail, Detail: "IREN", Range: Range1Y}, i, detSourcesFromFundamentals(&d.Peers[i].Fundamentals), 200, 58, th))
	}
	if m := title.FindStringSubmatch(frame(&d)); m == nil || m[1] != "" {
		t.Fatalf("embedded board: title %q, want no end date (both series end together)", m)
	}
	btc := d.BTC.Points
	lastBTC := btc[len(btc)-1].T
	peers := slices.Clone(d.Peers)
	closes := slices.Clip(peers[i].Closes)
	peers[i].Closes = append(closes, board.Point{T: lastBTC.AddDate(0, 2, 0), V: 45.62})
	d.Peers = peers
	d.Now = lastBTC.AddDate(0, 2, 1)
	// The chart ends on the last day both series have: the closes' last
	// before the quote, or BTC's last, whichever is earlier (found in the
	// second review: the title said BTC's last day while IREN's change ran
	// to its last close, a week or more before).
	last := closes[len(closes)-1].T
	if lastBTC.Before(last) {
		last = lastBTC
	}
	want := " to " + board.Day(last).Format("2006-01-02")
	if m := title.FindStringSubmatch(frame(&d)); m == nil || m[1] != want {
		t.Errorf("a quote two months past BTC's history: title %q, want %q", m, want)
	}
}

// At 80×24 the miner's chart has at least five rows of plot, and a chart
// with too few lines says so: found in review, three rows drew RIOT and
// BTC (a 4× range) as two flat lines, and fewer said "no data".
func TestDetailChartHasRoomOrSaysSo(t *testing.T) {
	d := *board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th := detMonoTheme(t)
	i := detPeerIndex(t, &d, "RIOT")
	frame := ansi.Strip(renderDetailWith(&d, UI{View: ViewDetail, Detail: "RIOT", Range: Range1Y}, i, detSourcesFromFundamentals(&d.Peers[i].Fundamentals), 80, 24, th))
	rows := 0
	for _, l := range strings.Split(frame, "\n") {
		if strings.ContainsAny(l, "┤┼") {
			rows++
		}
	}
	if rows < 5 {
		t.Errorf("the chart has %d rows of plot at 80×24:\n%s", rows, frame)
	}
	lines := []Line{{Name: "A", Values: []float64{100, 150, 209}}, {Name: "B", Values: []float64{100, 70, 52}, Series: 1}}
	grid := board.DayGrid(fixedNow.AddDate(0, 0, -2), fixedNow)
	for h := 1; h < minChartH; h++ {
		if got := ansi.Strip(drawChart(lines, grid, 60, h, "u", func(v float64, d int) string { return format.Num(v, d) }, th)); !strings.Contains(got, "too short") {
			t.Errorf("h %d: %q", h, got)
		}
	}
	if got := ansi.Strip(drawChart(lines, grid, 60, minChartH, "u", func(v float64, d int) string { return format.Num(v, d) }, th)); strings.Contains(got, "too short") {
		t.Errorf("h %d is enough: %q", minChartH, got)
	}
}

// A fact made public on another day than its as-of says when, where the
// column has room (found in review: the miner page showed CIFR's hashrate
// "2025-09-30", public from 2025-11-14, and only the JSON said so).
func TestDetailFactsSayWhenPublished(t *testing.T) {
	for _, c := range []struct {
		asOf string
		pub  econ.Date
		est  bool
		want string
	}{
		{"2025-09-30", econ.DateOf(time.Date(2025, 11, 14, 0, 0, 0, 0, time.UTC)), true, " pub 11-14~"},
		{"FY2025 (to 2025-06-30)", econ.DateOf(time.Date(2025, 9, 28, 0, 0, 0, 0, time.UTC)), true, " pub 2025-09-28~"},
		{"2025-11-03", econ.DateOf(time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)), false, ""},
		{"2025-Q3", econ.Date{}, false, ""},
	} {
		if got := detPub(c.asOf, c.pub, c.est); got != c.want {
			t.Errorf("%s, %v: %q, want %q", c.asOf, c.pub, got, c.want)
		}
	}
	at := time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)
	env := board.NewEnvAt(testEnv().Dataset, testEnv().Peers, at)
	d := board.Build(env, nil, at, econ.Scenario{})
	i := detPeerIndex(t, d, "CIFR")
	frame := ansi.Strip(renderDetailWith(d, UI{View: ViewDetail, Detail: "CIFR"}, i, detSourcesFromFundamentals(&d.Peers[i].Fundamentals), 200, 60, detMonoTheme(t)))
	if !strings.Contains(frame, "2025-09-30 pub 11-14~") {
		t.Errorf("CIFR's hashrate does not say when it was published:\n%s", frame)
	}
}

// At 80 columns a company's own figure keeps its scope: KEEL's cash and
// direct costs per BTC ("$82,400/BTC (cash)" lost "(cash)" to the cut).
func TestDetailOwnFigureKeepsItsScope(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(renderDetail(d, UI{View: ViewDetail, Detail: "KEEL", Range: Range1Y}, 80, 40, th))
	for _, want := range []string{"own cash:", "own direct:"} {
		if !strings.Contains(out, want) {
			t.Errorf("KEEL at 80 columns lacks %q:\n%s", want, out)
		}
	}
}
