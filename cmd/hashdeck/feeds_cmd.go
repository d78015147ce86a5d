package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/format"
)

// runFeeds polls every live source once and prints what each returned and
// the health of every provider: the quickest way to see whether hashdeck
// can reach its upstreams (or a local stand-in set with HASHDECK_*_URL).
func runFeeds(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hashdeck feeds", flag.ContinueOnError)
	configPath := fs.String("config", "", "configuration `file` (default $XDG_CONFIG_HOME/hashdeck/config.toml)")
	asJSON := fs.Bool("json", false, "print the whole state as JSON")
	timeout := new(time.Duration)
	durationVar(fs, timeout, "timeout", 30*time.Second, "give up on the poll after this `duration` (30s, 2m, or seconds)")
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: hashdeck feeds [--config FILE] [--json] [--timeout 30s]")
		fmt.Fprintln(w, "\nPolls every data source once (network, fees, BTC price, stock quotes, and the")
		fmt.Fprintln(w, "published hashprice when HASHDECK_HASHRATEINDEX_KEY is set) and prints each value")
		fmt.Fprintln(w, "with its source and age, then every provider's health. Exits 1 when a group of")
		fmt.Fprintln(w, "sources had no provider answering, 2 on bad flags or configuration.")
		fmt.Fprintln(w, "\nBase URLs can be pointed at a local server with HASHDECK_MEMPOOL_URL, …_BLOCKCHAININFO_URL,")
		fmt.Fprintln(w, "…_COINBASE_URL, …_KRAKEN_URL, …_COINGECKO_URL, …_YAHOO_URL, …_NASDAQ_URL, …_HASHRATEINDEX_URL.")
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout, stderr, usage); done {
		return code
	}
	if *timeout <= 0 {
		fmt.Fprintln(stderr, "hashdeck feeds: --timeout must be positive")
		return exitUsage
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	a, err := app.New(app.Options{ConfigPath: *configPath, Explicit: explicit, NoHistory: true, Timeout: *timeout})
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck feeds:", err)
		return exitUsage
	}
	hub, poller, groups := a.Hub, a.Poller, a.Groups
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	fmt.Fprintln(stderr, "polling every source once…")
	poller.Poll(ctx)
	st := hub.Current()
	if st == nil { // every request ran out of time: the poller published nothing
		msg := fmt.Sprintf("no source answered within %s", *timeout)
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(struct {
				Answered bool    `json:"answered"`
				Error    string  `json:"error"`
				Timeout  float64 `json:"timeout_s"`
			}{false, msg, timeout.Seconds()})
		}
		fmt.Fprintln(stderr, "hashdeck feeds:", msg)
		return exitError
	}
	fil := fetchFilings(ctx, a, stderr)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			*market.State
			Filings filingsReport `json:"filings"`
		}{st, fil}); err != nil {
			fmt.Fprintln(stderr, "hashdeck feeds:", err)
			return exitError
		}
	} else {
		writeFeeds(stdout, st, time.Now())
		writeFilings(stdout, fil)
	}
	var down []string
	for _, g := range groups {
		if st.Live[g.Name] == "" {
			down = append(down, g.Name)
		}
	}
	if len(down) > 0 {
		fmt.Fprintf(stderr, "hashdeck feeds: no source answered for %s\n", strings.Join(down, ", "))
		return exitError
	}
	return exitOK
}

// feedMetricFormat says how each metric is printed.
func feedMetricFormat(m market.Metric, v float64) string {
	switch m {
	case market.Difficulty:
		return format.SI(v, 2)
	case market.Height, market.PriceSources:
		return format.Num(v, 0)
	case market.EpochStart:
		return time.Unix(int64(v), 0).UTC().Format("2006-01-02 15:04 UTC")
	case market.AdjustmentPct, market.PriceSpreadPct:
		return format.Signed(v, 2) + "%"
	case market.MeanBlockTime:
		return format.Num(v, 1) + " s"
	case market.Hashrate:
		return format.Num(v, 1) + " EH/s"
	case market.FeesPerBlock:
		return format.Num(v, 5) + " BTC"
	case market.PriceUSD:
		return format.USD(v, 2)
	case market.HashpriceUSD:
		return format.USD(v, 2) + " /PH/day"
	case market.HashpriceBTC:
		return format.Num(v, 8) + " BTC/PH/day"
	}
	return format.Num(v, 4)
}

func writeFeeds(w io.Writer, st *market.State, now time.Time) {
	var b strings.Builder
	b.WriteString("VALUES\n")
	for _, m := range st.Metrics() {
		v, _ := st.Value(m)
		stale := ""
		if v.Stale {
			stale = "  STALE"
		}
		fmt.Fprintf(&b, "  %-38s %22s  %-28s %s old%s\n", m, feedMetricFormat(m, v.V), v.Source, format.Age(v.Age(now)), stale)
	}
	if len(st.Quotes) > 0 {
		b.WriteString("QUOTES\n")
		syms := make([]string, 0, len(st.Quotes))
		for s := range st.Quotes {
			syms = append(syms, s)
		}
		sort.Strings(syms)
		for _, s := range syms {
			q := st.Quotes[s]
			change := format.Unknown
			if q.PrevClose > 0 {
				change = format.Signed((q.Price/q.PrevClose-1)*100, 2) + "%"
			}
			fmt.Fprintf(&b, "  %-6s %10s %9s %-3s  %-8s %s old\n", s, format.Num(q.Price, 2), change, q.Currency, q.Source, format.Age(now.Sub(q.At)))
		}
	}
	b.WriteString("SOURCES\n")
	fmt.Fprintf(&b, "  %-10s %-26s %-9s %-9s %8s  %s\n", "group", "provider", "state", "circuit", "latency", "last error")
	for _, h := range st.Health {
		state := "standby"
		switch {
		case h.Live:
			state = "live"
		case h.Failures > 0:
			state = "failing"
		case h.Requests == 0:
			state = "unused"
		}
		fmt.Fprintf(&b, "  %-10s %-26s %-9s %-9s %8s  %s\n", h.Group, h.Name, state, h.Circuit, h.Latency.Round(time.Millisecond), clipText(h.LastError, 110))
	}
	if len(st.Rejected) > 0 {
		const show = 10
		b.WriteString("REJECTED (newest last)\n")
		r := st.Rejected
		if len(r) > show {
			fmt.Fprintf(&b, "  … %d older\n", len(r)-show)
			r = r[len(r)-show:]
		}
		for _, x := range r {
			fmt.Fprintf(&b, "  %s: %s\n", x.What, clipText(x.Reason, 110))
		}
	}
	io.WriteString(w, b.String())
}

// clipText shortens s to at most n runes, marking the cut with "…".
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// filingsReport is what SEC EDGAR gave in this run: each filer's status and
// the implied cost per scope of its newest quarter (filings merged over the
// embedded research data, the same method as the board's), or why it is off.
type filingsReport struct {
	Off    string               `json:"off,omitempty"`
	Status *feeds.FilingsStatus `json:"status,omitempty"`
	Costs  []econ.ImpliedCost   `json:"latest_implied_costs,omitempty"`
}

// fetchFilings fetches every filer once within ctx.
func fetchFilings(ctx context.Context, a *app.App, stderr io.Writer) filingsReport {
	if a.Filings == nil {
		return filingsReport{Off: a.FilingsOff}
	}
	fmt.Fprintln(stderr, "fetching the SEC filings (at most 5 requests a second)…")
	if err := a.Filings.FetchOnce(ctx); err != nil {
		fmt.Fprintln(stderr, "hashdeck feeds: SEC EDGAR:", err)
	}
	st := a.Filings.Status()
	r := filingsReport{Status: &st}
	means := a.Env.Dataset.QuarterMeans()
	for _, t := range a.Env.Peers {
		filed := a.Filings.Quarters(t)
		if len(filed) == 0 {
			continue
		}
		qs := econ.ImpliedCosts(econ.MergeQuarters(filed, a.Env.Miners[t].Quarters), means)
		// The newest quarter with any scope known (the newest ones may
		// lack the network means or the filing).
		for i := len(qs) - 1; i >= 0; i-- {
			if slices.ContainsFunc(qs[i].Costs[:], func(c econ.ScopeCost) bool { return c.PerPHDay.OK() }) {
				r.Costs = append(r.Costs, qs[i])
				break
			}
		}
	}
	return r
}

// writeFilings prints the SEC EDGAR section of hashdeck feeds.
func writeFilings(w io.Writer, r filingsReport) {
	var b strings.Builder
	b.WriteString("FILINGS (SEC EDGAR)\n")
	if r.Status == nil {
		fmt.Fprintf(&b, "  off: %s\n", r.Off)
		io.WriteString(w, b.String())
		return
	}
	for _, f := range r.Status.Filers {
		state := "ok"
		switch {
		case f.Skipped != "":
			state = "skipped: " + f.Skipped
		case f.LastError != "":
			state = "error: " + clipText(f.LastError, 80)
		}
		fmt.Fprintf(&b, "  %-5s %-12s %2d quarters, newest %-10s %s\n", f.Ticker, f.CIK, f.Quarters, f.Latest, state)
	}
	if len(r.Costs) > 0 {
		b.WriteString("  implied cost of the newest quarter with one, $/PH/day (power · direct · cash · all-in):\n")
		for _, c := range r.Costs {
			fmt.Fprintf(&b, "  %-5s %-8s", c.Ticker, c.Calendar)
			for _, sc := range c.Costs {
				fmt.Fprintf(&b, " %9s", format.Maybe(sc.PerPHDay, func(v econ.USDPerPHDay) string { return format.USD(float64(v), 2) }))
			}
			b.WriteString("\n")
		}
	}
	io.WriteString(w, b.String())
}
