package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/format"
)

// feedMetricFormat says how each metric is printed.
func feedMetricFormat(m market.Metric, v float64) string {
	switch m {
	case market.Difficulty:
		return format.SI(v, 2)
	case market.Height, market.PriceSources:
		return format.Num(v, 0)
	case market.EpochStart, market.RetargetDate:
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

// WriteFeeds prints every value of st with its source and age, the stock
// quotes, and every provider's health.
func WriteFeeds(w io.Writer, st *market.State, now time.Time) {
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
			mark := ""
			switch {
			case q.Outdated:
				mark = "  STALE (outdated: the market has traded since)"
			case q.Stale:
				mark = "  STALE"
			}
			fmt.Fprintf(&b, "  %-6s %10s %9s %-3s  %-8s %s old%s\n", s, format.Num(q.Price, 2), change, q.Currency, q.Source, format.Age(now.Sub(q.At)), mark)
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

// Filings is what SEC EDGAR gave in this run: each filer's status and
// the implied cost per scope of its newest quarter (filings merged over the
// embedded research data, the same method as the board's), or why it is off.
type Filings struct {
	Off    string               `json:"off,omitempty"`
	Status *feeds.FilingsStatus `json:"status,omitempty"`
	Costs  []econ.ImpliedCost   `json:"latest_implied_costs,omitempty"`
}

// WriteFilings prints the SEC EDGAR section of hashdeck feeds.
func WriteFilings(w io.Writer, r Filings) {
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
