package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/report"
	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
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
	a, err := app.New(context.Background(), app.Options{ConfigPath: *configPath, Explicit: explicit, NoHistory: true, Timeout: *timeout})
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
			Filings report.Filings `json:"filings"`
		}{st, fil}); err != nil {
			fmt.Fprintln(stderr, "hashdeck feeds:", err)
			return exitError
		}
	} else {
		report.WriteFeeds(stdout, st, time.Now())
		report.WriteFilings(stdout, fil)
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

// fetchFilings fetches every filer once within ctx.
func fetchFilings(ctx context.Context, a *app.App, stderr io.Writer) report.Filings {
	if a.Filings == nil {
		return report.Filings{Off: a.FilingsOff}
	}
	fmt.Fprintln(stderr, "fetching the SEC filings (at most 5 requests a second)…")
	if err := a.Filings.FetchOnce(ctx); err != nil {
		fmt.Fprintln(stderr, "hashdeck feeds: SEC EDGAR:", err)
	}
	st := a.Filings.Status()
	r := report.Filings{Status: &st}
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
