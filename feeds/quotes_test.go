package feeds

import (
	"context"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// TestOldQuoteIsNeverLive replays Nasdaq's watchlist (IREN last traded
// 2026-11-20 14:04:58 New York time) at several times: a quote is live
// only while the US market has not traded for more than QuoteMargin since
// it, however recently it was fetched.
func TestOldQuoteIsNeverLive(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{"/api/quote/watchlist": "nasdaq/watchlist"})
	poll := func(now time.Time) market.QuoteValue {
		t.Helper()
		clock := &fakeClock{now: now}
		p, hub := newTestPoller(t, clock, Group{Name: "equities", Providers: []market.Provider{
			provider.NewNasdaq(srv.URL, market.Symbols{Peers: []string{"IREN"}}, provider.HTTPOptions{Timeout: 2 * time.Second}),
		}})
		p.Poll(context.Background())
		st := hub.Current()
		if st.Live["equities"] != "nasdaq" {
			t.Fatalf("at %v: equities live %q (health %+v)", now, st.Live["equities"], st.Health)
		}
		q, ok := st.Quote("IREN")
		if !ok {
			t.Fatalf("at %v: no IREN quote", now)
		}
		return q
	}
	// Minutes after the trade, in the session: live.
	if q := poll(time.Date(2026, 11, 20, 19, 15, 0, 0, time.UTC)); q.Stale || q.Outdated {
		t.Errorf("15 minutes after the trade: %+v, want live", q)
	}
	// The weekend after: the market traded two more hours that Friday, so
	// the 14:04 quote is not its last word.
	if q := poll(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)); !q.Stale || !q.Outdated {
		t.Errorf("on the Sunday after: %+v, want outdated and stale", q)
	}
	// A fortnight later, in the session: fetched just now, yet outdated and stale.
	if q := poll(time.Date(2026, 12, 4, 20, 17, 0, 0, time.UTC)); !q.Stale || !q.Outdated || q.Price != 45.62 {
		t.Errorf("fourteen days later: %+v, want the last price, outdated and stale", q)
	}
}

// TestQuoteAgesBetweenEquitiesPolls: a quote that was live goes stale when
// the market has traded past it, on the next state any group publishes.
func TestQuoteAgesBetweenEquitiesPolls(t *testing.T) {
	srv := fixture.NewReplay(t, map[string]string{"/api/quote/watchlist": "nasdaq/watchlist", "/price": "replay/price-100"})
	clock := &fakeClock{now: time.Date(2026, 11, 20, 19, 10, 0, 0, time.UTC)}
	equities := Group{Name: "equities", Providers: []market.Provider{
		provider.NewNasdaq(srv.URL, market.Symbols{Peers: []string{"IREN"}}, provider.HTTPOptions{Timeout: 2 * time.Second}),
	}}
	price := Group{Name: "price", Providers: []market.Provider{newPriceProvider("price", srv.URL)}}
	p, hub := newTestPoller(t, clock, equities, price)
	p.Poll(context.Background())
	if q, _ := hub.Current().Quote("IREN"); q.Stale {
		t.Fatalf("just fetched: %+v", q)
	}
	// Monday 10:30 New York: the market traded an hour since Friday 14:04 and
	// more; only the price group polls.
	clock.Advance(time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC).Sub(clock.Now()))
	p.pollGroup(context.Background(), &p.groups[1])
	if q, _ := hub.Current().Quote("IREN"); !q.Stale || !q.Outdated {
		t.Errorf("Monday 10:30 without a new quote: %+v, want outdated and stale", q)
	}
}
