package feeds

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// The upstream paths the stand-in answers, as each API defines them.
const (
	mempoolDifficultyPath  = "/api/v1/difficulty-adjustment"
	mempoolTipHeightPath   = "/api/blocks/tip/height"
	mempoolHashratePath    = "/api/v1/mining/hashrate/3d"
	mempoolRewardStatsPath = "/api/v1/mining/reward-stats/144"
	mempoolBlockFeesPath   = "/api/v1/mining/blocks/fees/24h"
	mempoolPricesPath      = "/api/v1/prices"
	coinbaseSpotPath       = "/v2/prices/BTC-USD/spot"
	krakenTickerPath       = "/0/public/Ticker"
	coinGeckoPricePath     = "/api/v3/simple/price"
	hriCurrentPath         = "/v1/hashrateindex/hashprice/current"
	yahooChartPath         = "/v8/finance/chart/"
)

// allUpstreams is one stand-in server for every upstream: the paths of all
// providers answered from their happy-path fixtures, the way a user points
// HASHDECK_*_URL at a local server.
func allUpstreams(t *testing.T) *fixture.Replay {
	return fixture.NewReplay(t, map[string]string{
		mempoolDifficultyPath:   "mempool/difficulty-adjustment",
		mempoolTipHeightPath:    "mempool/tip-height",
		mempoolHashratePath:     "mempool/hashrate-3d",
		mempoolRewardStatsPath:  "mempool/reward-stats-144",
		mempoolBlockFeesPath:    "mempool/blocks-fees-24h",
		mempoolPricesPath:       "mempool/prices",
		"/q/getdifficulty":      "blockchaininfo/getdifficulty",
		"/q/getblockcount":      "blockchaininfo/getblockcount",
		"/q/hashrate":           "blockchaininfo/hashrate",
		"/ticker":               "blockchaininfo/ticker",
		coinbaseSpotPath:        "coinbase/spot",
		krakenTickerPath:        "kraken/ticker",
		coinGeckoPricePath:      "coingecko/price",
		yahooChartPath + "IREN": "yahoo/iren",
		yahooChartPath + "CORZ": "yahoo/corz_null_prev",
		"/api/quote/watchlist":  "nasdaq/watchlist",
		hriCurrentPath:          "hashrateindex/current",
	})
}

func sameHost(base string) provider.Endpoints {
	return provider.Endpoints{Mempool: base, BlockchainInfo: base, Coinbase: base, Kraken: base, CoinGecko: base, Yahoo: base, Nasdaq: base, HashrateIndex: base}
}

// TestDefaultGroupsEndToEnd polls every default group once against the
// stand-in and computes the board from the resulting state.
func TestDefaultGroupsEndToEnd(t *testing.T) {
	srv := allUpstreams(t)
	groups, err := Groups(Sources{
		Endpoints: sameHost(srv.URL), Symbols: market.Symbols{Peers: []string{"IREN", "CORZ"}},
		HashrateIndexKey: "hi-secret-key",
	})
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(nil)
	p, err := NewPoller(hub, groups, PollerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Poll(context.Background())
	st := hub.Current()
	for group, want := range map[string]string{"network": "mempool.space network", "fees": "mempool.space fees", "price": "exchanges", "equities": "yahoo", "hashprice": "hashrateindex"} {
		if st.Live[group] != want {
			t.Errorf("live %s = %q, want %q (health %+v)", group, st.Live[group], want, st.Health)
		}
	}
	for _, m := range []market.Metric{market.Difficulty, market.Height, market.EpochStart, market.MeanBlockTime, market.AdjustmentPct, market.Hashrate, market.FeesPerBlock, market.PriceUSD, market.PriceSources, market.PriceSpreadPct, market.HashpriceUSD} {
		if v, ok := st.Value(m); !ok || v.Stale {
			t.Errorf("%s: %+v (present %v)", m, v, ok)
		}
	}
	if n, _ := st.Value(market.PriceSources); n.V != 3 {
		t.Errorf("price averages %v exchanges, want 3", n.V)
	}
	if _, ok := st.Quote("IREN"); !ok {
		t.Errorf("no IREN quote: %+v", st.Quotes)
	}
	// The state is enough for econ: a hashprice in the plausible band.
	b := econ.ComputeBoard(st.NetworkInputs(time.Date(2026, 1, 14, 15, 0, 0, 0, time.UTC)), nil, econ.Scenario{})
	if hp := b.Network.Hashprice.Or(0); hp < 20 || hp > 80 {
		t.Errorf("hashprice from the live state = %v", b.Network.Hashprice)
	}
	if b.Network.Adjustment == nil || !b.Network.Adjustment.ChangePct.OK() {
		t.Errorf("no difficulty estimate from the live state: %+v", b.Network.Adjustment)
	}
	// The API key appears nowhere in the state.
	if s := fmt.Sprintf("%+v", st); strings.Contains(s, "hi-secret-key") {
		t.Error("the Hashrate Index key leaked into the state")
	}
}

// TestDefaultGroupsFallBack breaks the primary of each group and checks the
// next provider is live after one poll.
func TestDefaultGroupsFallBack(t *testing.T) {
	srv := allUpstreams(t)
	srv.Set(mempoolDifficultyPath, "mempool/429")
	srv.Set(mempoolTipHeightPath, "mempool/429")
	srv.Set(mempoolHashratePath, "mempool/429")
	srv.Set(mempoolRewardStatsPath, "mempool/html-200")
	srv.Set(coinbaseSpotPath, "coinbase/server_error")
	srv.Set(krakenTickerPath, "kraken/throttled")
	srv.Set(coinGeckoPricePath, "coingecko/rate_limited")
	srv.Set(yahooChartPath+"IREN", "yahoo/throttled_plain")
	groups, err := Groups(Sources{Endpoints: sameHost(srv.URL), Symbols: market.Symbols{Peers: []string{"IREN"}}})
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(nil)
	p, _ := NewPoller(hub, groups, PollerOptions{})
	p.Poll(context.Background())
	st := hub.Current()
	for group, want := range map[string]string{"network": "blockchain.info network", "fees": "mempool.space fees-24h", "price": "mempool.space price", "equities": "nasdaq"} {
		if st.Live[group] != want {
			t.Errorf("live %s = %q, want %q", group, st.Live[group], want)
		}
	}
	if _, ok := st.Live["hashprice"]; ok {
		t.Error("the hashprice group exists without a key")
	}
	if v, _ := st.Value(market.Difficulty); v.Source != "blockchain.info" {
		t.Errorf("difficulty from %q", v.Source)
	}
}

func TestSourcesDoNotPrintKeys(t *testing.T) {
	s := Sources{CoinGeckoKey: "cg-secret", HashrateIndexKey: "hi-secret"}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s)} {
		if strings.Contains(out, "secret") {
			t.Errorf("keys printed: %s", out)
		}
	}
	if _, err := Groups(Sources{}); err == nil {
		t.Error("groups without base URLs")
	}
}
