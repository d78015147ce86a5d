// Package feeds is hashdeck's data runtime: the poller that runs the
// providers (feeds/provider) on their schedules with fallback, backoff and
// circuit breaking; the Hub that hands each new immutable market.State to
// every viewer without ever blocking the poller; the recorder that writes
// each batch to the history store (feeds/store); and the backfill that fills
// the store's history from the upstreams' history endpoints.
package feeds
