package main

import (
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/board"
)

// Reject reasons, for logs and hashdeck_ssh_rejects_total.
const (
	serveRejectRate             = iota // too many new connections from one IP
	serveRejectAuth                    // no accepted key (or password, keyboard-interactive)
	serveRejectHandshake               // the SSH handshake failed
	serveRejectHandshakeTimeout        // the SSH handshake took too long
	serveRejectFull                    // --max-sessions reached
	serveRejectClosing                 // the server is shutting down
	serveRejectRevoked                 // the key was removed after its connection logged in
	serveNumRejects
)

func serveRejectName(r int) string {
	return [...]string{"rate_limit", "auth", "handshake", "handshake_timeout", "server_full", "shutting_down", "revoked"}[r]
}

// serveDurationBuckets are the upper bounds of the session duration histogram (seconds).
func serveDurationBuckets() []float64 {
	return []float64{1, 10, 60, 600, 3600, 6 * 3600, 24 * 3600}
}

// serveMetrics holds the server's counters and computes every other
// metric from the hub's newest state at scrape time. One per server, with
// its own registry, never the process-wide default. The exposition is the
// Prometheus text format 0.0.4.
//
// It is served by client_golang (see serveMetricsHandler),
// which serves the same families through client_golang: go.mod lists
// client_golang but go.sum lacks its dependencies (perks, xxhash,
// client_model, common, procfs, protobuf), so importing it does not build
// until `go get github.com/prometheus/client_golang@v1.25.0` adds them.
type serveMetrics struct {
	env     *board.Env
	hub     *feeds.Hub // nil offline
	open    func() int
	history func() *board.History
	now     func() time.Time

	sessions  [serveNumKinds]atomic.Uint64
	rejects   [serveNumRejects]atomic.Uint64
	bytesSent atomic.Uint64 // on every SSH connection, after encryption
	durations [7 + 1]atomic.Uint64
	durSumMS  atomic.Uint64
	durCount  atomic.Uint64
}

func newServeMetrics(env *board.Env, hub *feeds.Hub, open func() int, history func() *board.History) *serveMetrics {
	return &serveMetrics{env: env, hub: hub, open: open, history: history, now: time.Now}
}

func (m *serveMetrics) reject(reason int)    { m.rejects[reason].Add(1) }
func (m *serveMetrics) sessionStarted(k int) { m.sessions[k].Add(1) }

func (m *serveMetrics) sessionEnded(d time.Duration) {
	s := d.Seconds()
	i := sort.SearchFloat64s(serveDurationBuckets(), s) // first bound ≥ s; len = +Inf
	m.durations[i].Add(1)
	m.durSumMS.Add(uint64(d.Milliseconds()))
	m.durCount.Add(1)
}

// server returns the HTTP server of /metrics.
func (m *serveMetrics) server() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hashdeck serve: Prometheus metrics at /metrics\n")
	})
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
}

// handler serves the exposition through client_golang, or
// by client_golang when built with -tags promclient (serve_metrics_*.go).
func (m *serveMetrics) handler() http.Handler { return serveMetricsHandler(m) }

// serveSample is one sample of a metric family: labels as name, value pairs.
type serveSample struct {
	suffix string // "", or _bucket, _sum, _count for histograms
	labels []string
	value  float64
}

// serveFamily is one metric with its help, type and samples. A family
// without samples is not written: unknown values are absent, never 0.
type serveFamily struct {
	name, kind, help string
	samples          []serveSample
}

// serveFamilies collects families in the order first added.
type serveFamilies struct {
	list []serveFamily
	idx  map[string]int
}

func (f *serveFamilies) add(name, kind, help string, v float64, labels ...string) {
	f.addSample(name, kind, help, serveSample{labels: labels, value: v})
}

func (f *serveFamilies) addSample(name, kind, help string, s serveSample) {
	if f.idx == nil {
		f.idx = make(map[string]int)
	}
	i, ok := f.idx[name]
	if !ok {
		i = len(f.list)
		f.idx[name] = i
		f.list = append(f.list, serveFamily{name: name, kind: kind, help: help})
	}
	f.list[i].samples = append(f.list[i].samples, s)
}

// gauge adds a gauge sample when the value is known.
func serveGauge[T econ.Number](f *serveFamilies, name, help string, v econ.Maybe[T], scale float64, labels ...string) {
	if x, ok := v.Get(); ok {
		f.add(name, "gauge", help, float64(x)*scale, labels...)
	}
}

func serveTimestamp(f *serveFamilies, name, help string, t time.Time, labels ...string) {
	if !t.IsZero() {
		f.add(name, "gauge", help, float64(t.UnixMilli())/1e3, labels...)
	}
}

// families computes every metric: the board from the newest feeds state
// (as the dashboard shows it, without scenario), the providers' health and
// the SSH counters.
func (m *serveMetrics) families(now time.Time) []serveFamily {
	var st *market.State
	if m.hub != nil && !m.env.Offline {
		st = m.hub.Current()
	}
	var hist *board.History
	if m.history != nil {
		hist = m.history()
	}
	f := &serveFamilies{}
	serveBoardFamilies(f, board.BuildWith(m.env, hist, st, now, econ.Scenario{}), st)
	serveProviderFamilies(f, st)

	f.add("hashdeck_ssh_sessions_open", "gauge", "SSH sessions open now.", float64(m.open()))
	for k := range serveNumKinds {
		f.add("hashdeck_ssh_sessions_total", "counter", "SSH sessions started, by kind (dashboard, snapshot, help).",
			float64(m.sessions[k].Load()), "kind", serveKindName(k))
	}
	for r := range serveNumRejects {
		f.add("hashdeck_ssh_rejects_total", "counter", "Connections and sessions turned away, by reason.",
			float64(m.rejects[r].Load()), "reason", serveRejectName(r))
	}
	f.add("hashdeck_ssh_sent_bytes_total", "counter", "Bytes sent on SSH connections (encrypted, on the wire).", float64(m.bytesSent.Load()))
	const durName, durHelp = "hashdeck_ssh_session_duration_seconds", "How long finished SSH sessions lasted."
	var cum uint64
	for i, le := range append(serveDurationBuckets(), math.Inf(1)) {
		cum += m.durations[i].Load()
		f.addSample(durName, "histogram", durHelp, serveSample{suffix: "_bucket", labels: []string{"le", serveFormatFloat(le)}, value: float64(cum)})
	}
	f.addSample(durName, "histogram", durHelp, serveSample{suffix: "_sum", value: float64(m.durSumMS.Load()) / 1e3})
	f.addSample(durName, "histogram", durHelp, serveSample{suffix: "_count", value: float64(m.durCount.Load())})
	return f.list
}

// serveBoardFamilies adds the network, sector and peer metrics of d.
func serveBoardFamilies(f *serveFamilies, d *board.Data, st *market.State) {
	n := d.Base.Network
	serveGauge(f, "hashdeck_hashprice_usd_per_ph_day", "Hashprice: USD earned per PH/s per day (gross).", n.Hashprice, 1)
	serveGauge(f, "hashdeck_hashprice_net_usd_per_ph_day", "Hashprice after the configured pool fee (what margins are measured against).", n.HashpriceNet, 1)
	serveGauge(f, "hashdeck_hashprice_btc_per_ph_day", "Hashvalue: BTC earned per PH/s per day.", n.Hashvalue, 1)
	serveGauge(f, "hashdeck_btc_price_usd", "BTC price in USD.", n.Price, 1)
	serveGauge(f, "hashdeck_difficulty", "Network difficulty.", n.Difficulty, 1)
	serveGauge(f, "hashdeck_block_height", "Block height.", n.Height, 1)
	serveGauge(f, "hashdeck_network_hashrate_hashes_per_second", "Network hashrate implied by difficulty and mean block time.", n.Hashrate, 1e18)
	serveGauge(f, "hashdeck_fees_per_block_btc", "Mean fees per block, BTC.", n.FeesPerBlock, 1)
	serveGauge(f, "hashdeck_fee_share_ratio", "Fees as a share of the block reward (0–1).", n.FeeShare, 0.01)
	if a := n.Adjustment; a != nil {
		serveGauge(f, "hashdeck_difficulty_adjustment_estimate_ratio", "Estimated change at the next retarget (0.02 = +2%).", a.ChangePct, 0.01)
		serveGauge(f, "hashdeck_difficulty_next_estimate", "Estimated difficulty after the next retarget.", a.NextDifficulty, 1)
		f.add("hashdeck_difficulty_adjustment_blocks_remaining", "gauge", "Blocks left until the next retarget.", float64(a.RemainingBlocks))
		serveTimestamp(f, "hashdeck_difficulty_adjustment_eta_timestamp_seconds", "Expected time of the next retarget.", a.ETA)
	}
	if d.Published.OK {
		f.add("hashdeck_published_hashprice_usd_per_ph_day", "gauge", "Hashrate Index's published hashprice (with an API key).", d.Published.V)
	}
	for _, v := range []struct {
		name string
		s    board.Sourced
	}{{"btc_price", d.Price}, {"difficulty", d.Difficulty}, {"height", d.Height}, {"fees", d.Fees}} {
		if v.s.OK {
			serveTimestamp(f, "hashdeck_value_timestamp_seconds", "When each network value was observed (embedded, stored or live).", v.s.At, "value", v.name)
		}
	}
	f.add("hashdeck_data_mode", "gauge", "1 for the current data mode: live, stale, no_feed or offline.", 1,
		"mode", strings.ReplaceAll(strings.ToLower(d.Mode.String()), " ", "_"))
	if st != nil {
		serveTimestamp(f, "hashdeck_feeds_updated_timestamp_seconds", "When the feeds state last changed.", st.Updated)
	}

	b := d.Base
	f.add("hashdeck_miners", "gauge", "Listed miners on the board.", float64(b.Total))
	f.add("hashdeck_miners_with_cost", "gauge", "Miners with any cost figure.", float64(b.WithCost))
	serveGauge(f, "hashdeck_miners_under_water", "Miners whose widest-scope cost exceeds hashprice.", b.UnderWater, 1)
	for _, sc := range econ.Scopes() {
		s, l := b.Sector[sc], []string{"scope", sc.String()}
		f.add("hashdeck_sector_miners_with_cost", "gauge", "Miners with a cost in each scope (power, direct, cash, all-in).", float64(s.Have), l...)
		serveGauge(f, "hashdeck_sector_median_cost_usd_per_ph_day", "Median cost of the listed miners per PH/s per day, by scope.", s.Median, 1, l...)
		serveGauge(f, "hashdeck_sector_margin_usd_per_ph_day", "Hashprice (net) less the sector median cost, by scope.", s.Margin, 1, l...)
		serveGauge(f, "hashdeck_sector_margin_ratio", "Sector margin as a share of hashprice, by scope (0.1 = 10%).", s.MarginPct, 0.01, l...)
		serveGauge(f, "hashdeck_sector_miners_under_water", "Miners whose cost in this scope exceeds hashprice.", s.UnderWater, 1, l...)
	}
	for _, p := range d.Peers {
		l := []string{"ticker", p.Ticker}
		if p.Price.OK {
			f.add("hashdeck_peer_price_usd", "gauge", "Latest share price of each listed miner, USD.", p.Price.V, l...)
			serveTimestamp(f, "hashdeck_peer_price_timestamp_seconds", "When each share price was observed.", p.Price.At, l...)
		}
		serveGauge(f, "hashdeck_peer_day_change_ratio", "Share price change from the previous close (0.01 = +1%).", p.DayPct, 0.01, l...)
		serveGauge(f, "hashdeck_peer_market_cap_usd", "Market capitalisation, USD.", p.MarketCap, 1, l...)
	}
}

// serveProviderFamilies adds each provider's health.
func serveProviderFamilies(f *serveFamilies, st *market.State) {
	if st == nil {
		return
	}
	// A provider is stale when a value or quote it supplied is marked stale.
	sourced := make(map[string]bool) // provider → any stale value
	for _, v := range st.Values {
		sourced[v.Source] = sourced[v.Source] || v.Stale
	}
	for _, q := range st.Quotes {
		sourced[q.Source] = sourced[q.Source] || q.Stale
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	for _, h := range st.Health {
		l := []string{"provider", h.Name, "group", h.Group}
		if !h.LastAttempt.IsZero() {
			f.add("hashdeck_provider_up", "gauge", "1 when the provider's last attempt succeeded, 0 when it failed (absent before the first).",
				b2f(h.Failures == 0 && !h.LastSuccess.IsZero()), l...)
		}
		f.add("hashdeck_provider_live", "gauge", "1 for the provider that supplied its group's last good poll.", b2f(h.Live), l...)
		if stale, ok := sourced[h.Name]; ok {
			f.add("hashdeck_provider_stale", "gauge", "1 when a value this provider supplied is stale (absent when it supplies none).", b2f(stale), l...)
		}
		f.add("hashdeck_provider_consecutive_failures", "gauge", "Consecutive failed attempts.", float64(h.Failures), l...)
		f.add("hashdeck_provider_requests_total", "counter", "Fetches attempted.", float64(h.Requests), l...)
		f.add("hashdeck_provider_circuit_open", "gauge", "1 while the circuit breaker skips the provider.", b2f(h.Circuit == market.CircuitOpen), l...)
		if h.Latency > 0 {
			f.add("hashdeck_provider_latency_seconds", "gauge", "Duration of the last fetch.", h.Latency.Seconds(), l...)
		}
		serveTimestamp(f, "hashdeck_provider_last_success_timestamp_seconds", "When the provider last answered.", h.LastSuccess, l...)
	}
}

func serveFormatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
