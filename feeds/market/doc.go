// Package market holds the value types every part of hashdeck's data path
// shares: metrics and their plausible ranges, observations, quotes and daily
// bars, the batches a provider returns, the immutable State the poller
// publishes with each feed's health, and the peer symbols with their ticker
// renames. It does no I/O; the providers (feeds/provider), the runtime
// (feeds), the history store (feeds/store) and the embedded dataset
// (feeds/dataset) all import it and nothing else of feeds.
package market
