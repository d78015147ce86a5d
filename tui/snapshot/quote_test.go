package snapshot

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/board"
)

// The reviewer's IREN: a Nasdaq quote of 2026-11-20 seen a fortnight later,
// as the poller publishes it (outdated, so stale). The JSON says stale with
// the quote's own date, and has no day change rather than an old one.
func TestJSONOutdatedQuote(t *testing.T) {
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 20, 17, 0, 0, time.UTC)
	at := time.Date(2026, 11, 20, 19, 4, 58, 0, time.UTC)
	st := &market.State{Mode: market.ModeLive, Updated: now, Values: map[market.Metric]market.Value{},
		Quotes: map[string]market.QuoteValue{"IREN": {Quote: market.Quote{Symbol: "IREN", Price: 45.62, PrevClose: 43.88, Currency: "USD", At: at, Source: "nasdaq"},
			Fetched: now, Stale: true, Outdated: true}}}
	d := board.BuildWith(board.NewEnv(ds, market.DefaultSymbols().Peers), nil, st, now, econ.Scenario{})
	var b bytes.Buffer
	if err := JSON(&b, d, goldenMeta(ds)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Peers []struct {
			Ticker string `json:"ticker"`
			Price  struct {
				Value *float64  `json:"value"`
				Layer string    `json:"layer"`
				Stale bool      `json:"stale"`
				AsOf  time.Time `json:"as_of"`
			} `json:"price_usd"`
			DayPct *float64 `json:"day_change_pct"`
		} `json:"peers"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range doc.Peers {
		if p.Ticker != "IREN" {
			continue
		}
		found = true
		if p.Price.Value == nil || *p.Price.Value != 45.62 || p.Price.Layer != "live" || !p.Price.Stale || !p.Price.AsOf.Equal(at) {
			t.Errorf("IREN price %+v, want 45.62 live, stale, as of %v", p.Price, at)
		}
		if p.DayPct != nil {
			t.Errorf("IREN day change %v from a fortnight-old quote, want unknown (null)", *p.DayPct)
		}
	}
	if !found {
		t.Fatal("no IREN in the JSON peers")
	}
}
