package board

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/market"
)

// An outdated quote (market.QuoteOutdated: the poller marks it, and stale)
// keeps its price, marked stale, but its change against the previous close
// belongs to an older session: the day change is unknown, and no "moved
// today" alert fires on it.
func TestOutdatedQuoteHasNoDayChange(t *testing.T) {
	env := testEnv()
	env.Alerts.PeerMovePct = econ.Known[econ.Percent](3)
	now := fixedNow
	quote := func(outdated bool) *market.State {
		at := now.Add(-time.Minute)
		if outdated {
			at = now.AddDate(0, 0, -14)
		}
		return &market.State{Version: 1, Mode: market.ModeLive, Values: map[market.Metric]market.Value{},
			Quotes: map[string]market.QuoteValue{"IREN": {Quote: market.Quote{Symbol: "IREN", Price: 45.62, PrevClose: 43.88, At: at, Source: "nasdaq"},
				Fetched: now, Stale: outdated, Outdated: outdated}}}
	}
	iren := func(d *Data) PeerRow {
		for _, r := range d.Peers {
			if r.Ticker == "IREN" {
				return r
			}
		}
		t.Fatal("no IREN row")
		return PeerRow{}
	}
	fresh := Build(env, quote(false), now, econ.Scenario{})
	if r := iren(fresh); r.Price.Stale || !r.DayPct.OK() || !slices.ContainsFunc(fresh.Alerts, irenAlert) {
		t.Fatalf("a current quote: price %+v, day %v, alerts %q", r.Price, r.DayPct, fresh.Alerts)
	}
	old := Build(env, quote(true), now, econ.Scenario{})
	r := iren(old)
	if !r.Price.OK || r.Price.V != 45.62 || !r.Price.Stale || r.Price.Layer != LayerLive {
		t.Errorf("outdated quote's price %+v, want 45.62 live-layer and stale", r.Price)
	}
	if r.DayPct.OK() {
		t.Errorf("outdated quote's day change %v shown as today's, want unknown", r.DayPct)
	}
	if i := slices.IndexFunc(old.Alerts, irenAlert); i >= 0 {
		t.Errorf("alert on an outdated quote: %q", old.Alerts[i])
	}
}

func irenAlert(a string) bool { return strings.HasPrefix(a, "IREN ") }

// An embedded close of an older session than the board's has no day change
// either (found after the quote fix: offline, MARA's close of 2026-07-31
// showed -4.2% and could fire the "moved today" alert in December). A close
// of the board's own session keeps its change.
func TestOldCloseHasNoDayChange(t *testing.T) {
	env := testEnv()
	env.Alerts.PeerMovePct = econ.Known[econ.Percent](3)
	d := Build(env, nil, fixedNow, econ.Scenario{}) // closes end 2026-07-31
	for _, r := range d.Peers {
		if r.DayPct.OK() {
			t.Errorf("%s: day change %v from a close of %s on a board of %s", r.Ticker, r.DayPct, r.Price.At.Format(time.DateOnly), fixedNow.Format(time.DateOnly))
		}
	}
	if slices.ContainsFunc(d.Alerts, func(a string) bool { return strings.Contains(a, "today") }) {
		t.Errorf("alerts on old closes: %+v", d.Alerts)
	}
	at := time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC)
	d = Build(NewEnvAt(env.Dataset, env.Peers, at), nil, at, econ.Scenario{})
	for _, r := range d.Peers {
		switch {
		case r.Ticker == "IREN" && !r.DayPct.OK():
			t.Errorf("IREN's close of the board's session has no day change")
		case r.Ticker == "KEEL" && r.DayPct.OK(): // its last close is of 2025-12-17
			t.Errorf("KEEL: day change %v from a close 12 days old", r.DayPct)
		}
	}
}
