// Package provider knows each upstream API, one file per upstream: mempool.space,
// blockchain.info, Coinbase, Kraken, CoinGecko (exchanges.go averages them),
// Yahoo Finance, Nasdaq and Hashrate Index, plus the history fetchers the
// backfill uses. A provider fetches, decodes and validates, and returns
// market values dated and named by source; it never schedules, retries or
// touches the UI. http.go is the one HTTP client they share. The upstream
// formats are described in docs/upstreams.md.
package provider
