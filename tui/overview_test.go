package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
)

func TestOverviewGolden(t *testing.T) {
	goldenView(t, ViewOverview, UI{Range: Range1Y}, econ.Scenario{})
}

func TestOverviewSaysWhatIsKnown(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(Render(d, UI{Range: Range1Y}, 120, 40, th))
	for _, want := range []string{"OFFLINE", "embedded data: network 2025-12-29", "Hashprice", "/PH/day", "under water", "record low", "Coin Metrics"} {
		if !strings.Contains(out, want) {
			t.Errorf("overview lacks %q:\n%s", want, out)
		}
	}
	// Offline the embedded epochs give an estimate (issue 14 row 5): the
	// retarget with its date and zone, and that it is hashdeck's estimate.
	if !strings.Contains(out, "▲+2.71% 2026-01-07 18:47Z  est.") {
		t.Errorf("the offline retarget estimate is missing:\n%s", out)
	}
}

func TestTooSmall(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	out := Render(d, UI{}, 60, 20, th)
	checkFrame(t, out, 60, 20)
	if !strings.Contains(ansi.Strip(out), "terminal too small: 60×20") {
		t.Errorf("no too-small message: %q", ansi.Strip(out))
	}
}

func benchmarkView(b *testing.B, v View, w, h int) {
	b.ReportAllocs()
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", false)
	ui := UI{View: v, Range: Range1Y}
	for b.Loop() {
		Render(d, ui, w, h, th)
	}
}

func BenchmarkOverview160x48(b *testing.B) { benchmarkView(b, ViewOverview, 160, 48) }
func BenchmarkOverview250x70(b *testing.B) { benchmarkView(b, ViewOverview, 250, 70) }

// BenchmarkBuild is the work done in Update when a new feeds state arrives.
func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	env := testEnv()
	for b.Loop() {
		board.Build(env, nil, fixedNow, econ.Scenario{})
	}
}

// staleBTCState is a live state at now whose BTC price is two hours old
// and stale, the network's inputs a minute old.
func staleBTCState(now time.Time) *market.State {
	return &market.State{Values: map[market.Metric]market.Value{
		market.PriceUSD:     {V: 90_000, At: now.Add(-2 * time.Hour), Source: "kraken", Stale: true},
		market.Difficulty:   {V: 148e12, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.Height:       {V: 929_000, At: now.Add(-time.Minute), Source: "mempool.space"},
		market.FeesPerBlock: {V: 0.02, At: now.Add(-time.Minute), Source: "mempool.space"},
	}}
}

// Issue 13 row 4: hashprice from a stale BTC price is marked stale on
// screen too, with the age of its stalest input.
func TestOverviewMarksHashpriceStale(t *testing.T) {
	now := fixedNow
	st := staleBTCState(now)
	d := board.Build(testEnv(), st, now, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(Render(d, UI{}, 120, 40, th))
	if !regexp.MustCompile(`USD +\$[\d.]+ /PH/day +STALE 2h`).MatchString(out) {
		t.Errorf("hashprice not marked stale:\n%s", out)
	}
}

// The headline states a water level only with a margin: without a
// hashprice it says neither "above" nor "under".
func TestSectorHeadlineWaterNeedsAMargin(t *testing.T) {
	usd := func(v float64) econ.Maybe[econ.USDPerPHDay] { return econ.Known(econ.USDPerPHDay(v)) }
	h := econ.Headline{Scope: econ.ScopeCash, Median: usd(44), Source: "TheMinerMag", Period: "2025-Q3",
		Published: econ.DateOf(time.Date(2025, 11, 14, 0, 0, 0, 0, time.UTC)), PublishedEstimated: true}
	if got := sectorHeadline(h); got != "median listed miner at cash: cost $44.00 vs hashprice — (TheMinerMag 2025-Q3, pub 2025-11-14~)" {
		t.Errorf("unknown hashprice: %q", got)
	}
	h.Hashprice, h.Margin = usd(37.16), usd(37.16-44)
	if got := sectorHeadline(h); !strings.HasPrefix(got, "median listed miner under water at cash") {
		t.Errorf("negative margin: %q", got)
	}
	h.Hashprice, h.Margin = usd(50), usd(6)
	if got := sectorHeadline(h); !strings.HasPrefix(got, "median listed miner above water at cash") {
		t.Errorf("positive margin: %q", got)
	}
}

// The sector's margins are hashprice less cost: from a stale hashprice
// they are stale, and the panel says so as the hashprice panel does.
func TestSectorMarginsStaleWithTheHashprice(t *testing.T) {
	now := fixedNow
	st := staleBTCState(now)
	d := board.Build(testEnv(), st, now, econ.Scenario{})
	if got := ansi.Strip(overviewSector(d, 100, detMonoTheme(t))); !strings.Contains(got, "margins STALE 2h") {
		t.Errorf("sector panel from a stale hashprice:\n%s", got)
	}
	st.Values[market.PriceUSD] = market.Value{V: 90_000, At: now.Add(-time.Minute), Source: "kraken"}
	d = board.Build(testEnv(), st, now, econ.Scenario{})
	if got := ansi.Strip(overviewSector(d, 100, detMonoTheme(t))); strings.Contains(got, "STALE") {
		t.Errorf("sector panel from a fresh hashprice says stale:\n%s", got)
	}
}

// Without a headline the reason is shown whole where three lines hold it
// (at 200×60 it was cut after "no usable benchmark for"), and a reason
// cut shorter ends in "…".
func TestNoHeadlineReasonIsNotCutSilently(t *testing.T) {
	h := econ.Headline{Why: "no scope beyond power has 5 miners (all-in 0, cash 0, direct 0), and no usable benchmark for 2026-Q2..2026-Q4 was public by 2026-12-04"}
	got := strings.Join(headlineLines(h, 57), " ")
	if got != sectorHeadline(h) {
		t.Errorf("at 57 columns the reason is not whole:\n%q\nwant\n%q", got, sectorHeadline(h))
	}
	lines := headlineLines(h, 30)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], " …") {
		t.Errorf("at 30 columns: %q, want three lines, the last ending in \" …\"", lines)
	}
	for _, l := range lines {
		if cellWidth(l) > 30 {
			t.Errorf("line wider than 30: %q", l)
		}
	}
	// A headline keeps to two lines.
	hl := econ.Headline{Scope: econ.ScopeCash, Median: econ.Known(econ.USDPerPHDay(44)), Source: "TheMinerMag", Period: "2025-Q3"}
	if n := len(headlineLines(hl, 30)); n != 2 {
		t.Errorf("a headline at 30 columns took %d lines, want 2", n)
	}
}

// The feeds line names the data's sources whole (a licence is never cut),
// and keeps its place when the sector panel leaves no room for the
// sparkline: found in review, "(CC BY-NC 4.…" at 80 columns, and the line
// gone at 80×24 as of 2025-10-15.
func TestOverviewAttributionIsWhole(t *testing.T) {
	const attr = "Coin Metrics Community Data (CC BY-NC 4.0), mempool.space, Yahoo Finance, CoinGecko, filings"
	for w := 40; w <= 160; w++ {
		got := attributionLine(" feeds: offline — embedded data only", " feeds: offline", attr, w)
		if cellWidth(got) > w {
			t.Fatalf("%d: %q is wider", w, got)
		}
		if w >= 60 && !strings.Contains(got, "(CC BY-NC 4.0)") {
			t.Errorf("%d: the licence is cut: %q", w, got)
		}
		if w < 61 { // the first source alone does not fit
			continue
		}
		for _, part := range strings.Split(strings.TrimSuffix(strings.SplitN(got, " · ", 2)[1], ", …"), ", ") {
			if !strings.Contains(attr, part) {
				t.Errorf("%d: %q is a cut source", w, part)
			}
		}
	}
	at := time.Date(2025, 10, 15, 12, 0, 0, 0, time.UTC)
	env := board.NewEnvAt(testEnv().Dataset, testEnv().Peers, at)
	d := board.Build(env, nil, at, econ.Scenario{})
	frame := ansi.Strip(Render(d, UI{}, 80, 24, detMonoTheme(t)))
	if !strings.Contains(frame, "(CC BY-NC 4.0)") {
		t.Errorf("no attribution at 80×24 as of 2025-10-15:\n%s", frame)
	}
}

// A stale network marks its section's title, so that the rows it feeds
// (hashrate, fees, epoch, halving) are marked too (found in the second
// review: only BTC, difficulty and the USD hashprice were).
func TestOverviewNetworkSectionSaysStale(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{}) // the embedded network, 11 months before
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(Render(d, UI{}, 80, 24, th))
	if !regexp.MustCompile(`(?m)^ Network  STALE embedded 2025-12-29`).MatchString(out) {
		t.Errorf("the Network title is not marked stale:\n%s", out)
	}
	at := time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)
	fresh := board.Build(board.NewEnvAt(testEnv().Dataset, testEnv().Peers, at), nil, at, econ.Scenario{})
	if out := ansi.Strip(Render(fresh, UI{}, 80, 24, th)); strings.Contains(out, "Network  STALE") {
		t.Errorf("marked stale as of the data's own date:\n%s", out)
	}
}

// A stale hashprice keeps its mark, and its per-TH/s figure appears whole
// or not at all (found in the second review: "$0.0372 …" at 200 columns).
func TestOverviewHashpriceUnitIsWhole(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	for _, w := range []int{80, 120, 160, 200, 250} {
		out := ansi.Strip(Render(d, UI{}, w, 40, th))
		for _, l := range strings.Split(out, "\n") {
			if i := strings.Index(l, " USD "); i >= 0 && strings.Contains(l, "/PH/day") {
				seg := l[i:]
				if !strings.Contains(seg, "STALE") || strings.Contains(seg, "$0.0372") && !strings.Contains(seg, "$0.0372 /TH/day") {
					t.Errorf("%d columns: %q", w, strings.TrimSpace(seg))
				}
			}
		}
	}
}

// Live with the poll's block time missing (refused), the hashrate and the
// halving's pace are computed from the embedded block time: their rows say
// so, though the network's title is not stale.
func TestOverviewMarksAStaleBlockTime(t *testing.T) {
	env := *testEnv()
	env.Offline = false
	st := livePoll(fixedNow)
	d := board.BuildWith(&env, nil, st, fixedNow, econ.Scenario{})
	if d.Computed.Stale || !d.BlockTime.Stale {
		t.Fatalf("setup: computed stale %v, block time stale %v", d.Computed.Stale, d.BlockTime.Stale)
	}
	th, _ := themes.Get("dark", true)
	out := ansi.Strip(overviewNetwork(d, th))
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, " hashrate") && !strings.Contains(l, "STALE embedded 2025-12-29"):
			t.Errorf("hashrate row without its block time's date: %q", l)
		case strings.HasPrefix(l, " halving") && strings.Contains(l, "pace") && !strings.Contains(l, "STALE)"):
			t.Errorf("halving pace not marked: %q", l)
		}
	}
}

// A range that reaches before the hashprice history says what the chart
// and the sparkline span ("3Y" over one year of data claimed more); one
// within it does not.
func TestOverviewRangeSaysWhereHistoryStarts(t *testing.T) {
	d := board.Build(testEnv(), nil, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	first := d.Hashprice.Points[0].T.Format(time.DateOnly)
	for _, r := range []Range{Range3Y, RangeAll} {
		title := strings.SplitN(ansi.Strip(overviewChart(d, UI{Range: r}, 120, 20, th)), "\n", 2)[0]
		if !strings.Contains(title, "(history from "+first+")") {
			t.Errorf("%s: chart title %q does not say the history starts %s", r, title, first)
		}
		if s := ansi.Strip(overviewSparkline(d, UI{Range: r}, 80, th)); !strings.Contains(s, first+" to ") {
			t.Errorf("%s: sparkline %q does not say the history starts %s", r, s, first)
		}
	}
	if title := ansi.Strip(overviewChart(d, UI{Range: Range1M}, 120, 20, th)); strings.Contains(title, "history from") {
		t.Errorf("1M: %q", strings.SplitN(title, "\n", 2)[0])
	}
}

// Live with a history that ended long ago, the chart's title says where the
// history ends and that the last point is today's (the line stopped eleven
// months before the live dot, under a title that said nothing).
func TestOverviewChartSaysWhereLiveHistoryEnds(t *testing.T) {
	env := *testEnv()
	env.Offline = false
	st := livePoll(fixedNow)
	// The store has today's network from the recorder, nothing between.
	today := board.Day(fixedNow)
	h := board.NewHistory(&env, nil, board.Network{
		Difficulty: []board.Point{{T: today, V: 1.5e14}}, Fees: []board.Point{{T: today, V: 0.02}}, Price: []board.Point{{T: today, V: 90_000}}})
	d := board.BuildWith(&env, h, st, fixedNow, econ.Scenario{})
	th, _ := themes.Get("dark", true)
	if n := len(d.Hashprice.Points); n < 2 || !d.Hashprice.Points[n-1].T.Equal(today) {
		t.Fatalf("setup: the hashprice series does not end today")
	}
	title := strings.SplitN(ansi.Strip(overviewChart(d, UI{Range: Range1Y}, 160, 20, th)), "\n", 2)[0]
	if !strings.Contains(title, "history ends 2025-12-29, then "+fixedNow.Format(time.DateOnly)) {
		t.Errorf("title %q", title)
	}
}

// livePoll is a state with a fresh poll of every network input but the
// mean block time: price, difficulty, height and fees at now.
func livePoll(now time.Time) *market.State {
	return &market.State{Version: 1, Mode: market.ModeLive, Values: map[market.Metric]market.Value{
		market.PriceUSD:     {V: 90_000, At: now, Source: "kraken"},
		market.Difficulty:   {V: 1.5e14, At: now, Source: "mempool.space"},
		market.Height:       {V: 930_500, At: now, Source: "mempool.space"},
		market.FeesPerBlock: {V: 0.02, At: now, Source: "mempool.space"},
	}}
}
