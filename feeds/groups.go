package feeds

import (
	"fmt"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// Intervals are the polling periods of each group. The defaults respect the
// upstreams; Floors are the shortest periods hashdeck accepts.
type Intervals struct {
	Network        time.Duration // difficulty, height, epoch, hashrate
	Fees           time.Duration // mean fees per block
	Prices         time.Duration // BTC/USD
	EquitiesOpen   time.Duration // stock quotes during US market hours
	EquitiesClosed time.Duration // stock quotes outside them
	Hashprice      time.Duration // Hashrate Index (only with a key)
}

// DefaultIntervals: network and fees 60 s, prices 30 s, equities 60 s in
// market hours and 15 min outside, Hashrate Index 5 min (it allows one
// request per 15 s after a burst of 20).
func DefaultIntervals() Intervals {
	return Intervals{
		Network:        time.Minute,
		Fees:           time.Minute,
		Prices:         30 * time.Second,
		EquitiesOpen:   time.Minute,
		EquitiesClosed: 15 * time.Minute,
		Hashprice:      5 * time.Minute,
	}
}

// FloorIntervals are the shortest polling periods allowed.
func FloorIntervals() Intervals {
	return Intervals{
		Network:        30 * time.Second,
		Fees:           30 * time.Second,
		Prices:         10 * time.Second,
		EquitiesOpen:   30 * time.Second,
		EquitiesClosed: 5 * time.Minute,
		Hashprice:      time.Minute,
	}
}

// Sources configures the default provider groups.
type Sources struct {
	Endpoints provider.Endpoints
	Symbols   market.Symbols
	// CoinGeckoKey is an optional demo key; HashrateIndexKey enables the
	// published-hashprice group (without it hashprice is computed by econ).
	CoinGeckoKey     string
	HashrateIndexKey string
	Intervals        Intervals
	// Timeout bounds each HTTP request (10 s if zero).
	Timeout time.Duration
}

// Groups returns the provider groups hashdeck polls, each in order of
// preference:
//
//	network   mempool.space → blockchain.info
//	fees      mempool.space reward-stats/144 → mempool.space fees 24h → blockchain.info chart
//	price     average of Coinbase, Kraken, CoinGecko → mempool.space → blockchain.info
//	equities  Yahoo → Nasdaq
//	hashprice Hashrate Index (only with a key)
func Groups(s Sources) ([]Group, error) {
	e := s.Endpoints
	for name, base := range map[string]string{
		"mempool": e.Mempool, "blockchain.info": e.BlockchainInfo, "coinbase": e.Coinbase, "kraken": e.Kraken,
		"coingecko": e.CoinGecko, "yahoo": e.Yahoo, "nasdaq": e.Nasdaq, "hashrateindex": e.HashrateIndex,
	} {
		if base == "" {
			return nil, fmt.Errorf("feeds: no base URL for %s", name)
		}
	}
	iv := s.Intervals
	if iv == (Intervals{}) {
		iv = DefaultIntervals()
	}
	o := provider.HTTPOptions{Timeout: s.Timeout}
	browser := provider.HTTPOptions{Timeout: s.Timeout, UserAgent: provider.BrowserUserAgent}
	equities := MarketHours(iv.EquitiesOpen, iv.EquitiesClosed)
	groups := []Group{
		{Name: "network", Interval: Every(iv.Network), Providers: []market.Provider{
			provider.NewMempoolNetwork(e.Mempool, o), provider.NewBlockchainNetwork(e.BlockchainInfo, o),
		}},
		{Name: "fees", Interval: Every(iv.Fees), Providers: []market.Provider{
			provider.NewMempoolFees(e.Mempool, o), provider.NewMempoolFees24h(e.Mempool, o), provider.NewBlockchainFees(e.BlockchainInfo, o),
		}},
		{Name: "price", Interval: Every(iv.Prices), Providers: []market.Provider{
			provider.NewExchangeAverage(provider.NewCoinbase(e.Coinbase, o), provider.NewKraken(e.Kraken, o), provider.NewCoinGecko(e.CoinGecko, s.CoinGeckoKey, o)),
			provider.NewMempoolPrice(e.Mempool, o), provider.NewBlockchainTicker(e.BlockchainInfo, o),
		}},
		{Name: "equities", Interval: equities, Providers: []market.Provider{
			provider.NewYahoo(e.Yahoo, s.Symbols, browser), provider.NewNasdaq(e.Nasdaq, s.Symbols, browser),
		}},
	}
	if s.HashrateIndexKey != "" {
		groups = append(groups, Group{Name: "hashprice", Interval: Every(iv.Hashprice), Providers: []market.Provider{
			provider.NewHashrateIndex(e.HashrateIndex, s.HashrateIndexKey, o),
		}})
	}
	return groups, nil
}

// String describes the sources without revealing the API keys.
func (s Sources) String() string {
	set := func(k string) string {
		if k == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("feeds.Sources{%d peers, coingecko key %s, hashrateindex key %s, timeout %s}",
		len(s.Symbols.Peers), set(s.CoinGeckoKey), set(s.HashrateIndexKey), s.Timeout)
}

// GoString is String: %#v must not reveal the keys either.
func (s Sources) GoString() string { return s.String() }
