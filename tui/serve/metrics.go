package serve

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/board"
)

// rejectReason is why a connection or a session was turned away (logs and
// hashdeck_ssh_rejects_total).
type rejectReason int

// The reject reasons.
const (
	rejectRate             rejectReason = iota // too many new connections from one IP
	rejectAuth                                 // no accepted key (or password, keyboard-interactive)
	rejectHandshake                            // the SSH handshake failed
	rejectHandshakeTimeout                     // the SSH handshake took too long
	rejectFull                                 // --max-sessions reached
	rejectClosing                              // the server is shutting down
	rejectRevoked                              // the key was removed after its connection logged in (an open session ended, or a new one refused)
	numRejects
)

var rejectNames = [numRejects]string{"rate_limit", "auth", "handshake", "handshake_timeout", "server_full", "shutting_down", "revoked"}

// String is the reason as logged and as the metric's label.
func (r rejectReason) String() string {
	if r < 0 || r >= numRejects {
		return "reject(" + strconv.Itoa(int(r)) + ")"
	}
	return rejectNames[r]
}

// metrics are the server's Prometheus metrics, in a registry of its own
// (never the process-wide default): counters and a histogram the server
// updates as things happen, and a collector that reads everything else
// (the board, the providers' health, the sessions open) at scrape time.
type metrics struct {
	reg       *prometheus.Registry
	sessions  [numKinds]prometheus.Counter   // hashdeck_ssh_sessions_total by kind
	rejects   [numRejects]prometheus.Counter // hashdeck_ssh_rejects_total by reason
	sent      prometheus.Counter             // bytes on every SSH connection, after encryption
	durations prometheus.Histogram
	state     *stateCollector
}

// durationBuckets are the upper bounds of the session duration histogram (seconds).
var durationBuckets = []float64{1, 10, 60, 600, 3600, 6 * 3600, 24 * 3600}

func newMetrics(env *board.Env, hub *feeds.Hub, open func() int, history func() *board.History) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hashdeck_ssh_sent_bytes_total", Help: "Bytes sent on SSH connections (encrypted, on the wire).",
		}),
		durations: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hashdeck_ssh_session_duration_seconds", Help: "How long finished SSH sessions lasted.",
			Buckets: durationBuckets,
		}),
		state: newStateCollector(env, hub, history),
	}
	sessions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hashdeck_ssh_sessions_total", Help: "SSH sessions started, by kind (dashboard, snapshot, help).",
	}, []string{"kind"})
	for k := range numKinds {
		m.sessions[k] = sessions.WithLabelValues(k.String()) // every kind shown, 0 until the first
	}
	rejects := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hashdeck_ssh_rejects_total", Help: "Connections and sessions turned away, by reason.",
	}, []string{"reason"})
	for r := range numRejects {
		m.rejects[r] = rejects.WithLabelValues(r.String())
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		sessions, rejects, m.sent, m.durations, m.state,
	)
	if open != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hashdeck_ssh_sessions_open", Help: "SSH sessions open now.",
		}, func() float64 { return float64(open()) }))
	}
	return m
}

func (m *metrics) reject(r rejectReason)        { m.rejects[r].Inc() }
func (m *metrics) sessionStarted(k kind)        { m.sessions[k].Inc() }
func (m *metrics) sessionEnded(d time.Duration) { m.durations.Observe(d.Seconds()) }

// handler serves the exposition (the Prometheus text format, or what the
// scraper negotiates).
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// server is the HTTP server of /metrics.
func (m *metrics) server() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hashdeck serve: Prometheus metrics at /metrics\n")
	})
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
}

// MetricsHandler serves the server's Prometheus metrics (what Run serves
// on /metrics), for a caller with an HTTP server of its own.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }

// stateCollector computes, at scrape time, the gauges of the newest feeds
// state as the dashboard shows it (without a scenario) and the providers'
// health. A value that is not known is absent, never 0.
type stateCollector struct {
	env     *board.Env
	hub     *feeds.Hub // nil offline
	history func() *board.History
	now     func() time.Time
	d       stateDescs
	all     []*prometheus.Desc
}

// stateDescs describe every metric of stateCollector.
type stateDescs struct {
	hashprice, hashpriceNet, hashvalue, price, difficulty, height, hashrate, fees, feeShare      *prometheus.Desc
	adjustRatio, nextDifficulty, blocksRemaining, adjustETA, published, valueAt, mode, updatedAt *prometheus.Desc
	miners, headline, headlineMargin, underWater                                                 *prometheus.Desc
	sectorWithCost, sectorMedian, sectorMargin, sectorMarginRatio, sectorUnderWater              *prometheus.Desc
	peerPrice, peerPriceAt, peerDay, peerCap                                                     *prometheus.Desc
	up, live, stale, failures, requests, circuitOpen, latency, lastSuccess                       *prometheus.Desc
}

func newStateCollector(env *board.Env, hub *feeds.Hub, history func() *board.History) *stateCollector {
	c := &stateCollector{env: env, hub: hub, history: history, now: time.Now}
	g := func(name, help string, labels ...string) *prometheus.Desc {
		d := prometheus.NewDesc(name, help, labels, nil)
		c.all = append(c.all, d)
		return d
	}
	d := &c.d
	d.hashprice = g("hashdeck_hashprice_usd_per_ph_day", "Hashprice: USD earned per PH/s per day (gross).")
	d.hashpriceNet = g("hashdeck_hashprice_net_usd_per_ph_day", "Hashprice after the configured pool fee (what margins are measured against).")
	d.hashvalue = g("hashdeck_hashprice_btc_per_ph_day", "Hashvalue: BTC earned per PH/s per day.")
	d.price = g("hashdeck_btc_price_usd", "BTC price in USD.")
	d.difficulty = g("hashdeck_difficulty", "Network difficulty.")
	d.height = g("hashdeck_block_height", "Block height.")
	d.hashrate = g("hashdeck_network_hashrate_hashes_per_second", "Network hashrate implied by difficulty and mean block time.")
	d.fees = g("hashdeck_fees_per_block_btc", "Mean fees per block, BTC.")
	d.feeShare = g("hashdeck_fee_share_ratio", "Fees as a share of the block reward (0–1).")
	d.adjustRatio = g("hashdeck_difficulty_adjustment_estimate_ratio", "Estimated change at the next retarget (0.02 = +2%).")
	d.nextDifficulty = g("hashdeck_difficulty_next_estimate", "Estimated difficulty after the next retarget.")
	d.blocksRemaining = g("hashdeck_difficulty_adjustment_blocks_remaining", "Blocks left until the next retarget.")
	d.adjustETA = g("hashdeck_difficulty_adjustment_eta_timestamp_seconds", "Expected time of the next retarget.")
	d.published = g("hashdeck_published_hashprice_usd_per_ph_day", "Hashrate Index's published hashprice (with an API key).")
	d.valueAt = g("hashdeck_value_timestamp_seconds", "When each network value was observed (embedded, stored or live).", "value")
	d.mode = g("hashdeck_data_mode", "1 for the current data mode: live, stale, no_feed or offline.", "mode")
	d.updatedAt = g("hashdeck_feeds_updated_timestamp_seconds", "When the feeds state last changed.")
	d.miners = g("hashdeck_miners", "Listed miners on the board.")
	d.headline = g("hashdeck_sector_headline_cost_usd_per_ph_day", "The sector headline: the median cost at the widest scope with 5 or more miners (source computed), else the newest widest published benchmark (source its publisher).", "scope", "source")
	d.headlineMargin = g("hashdeck_sector_headline_margin_usd_per_ph_day", "Hashprice (net) less the sector headline cost.", "scope", "source")
	d.underWater = g("hashdeck_miners_under_water", "Miners under water at one scope (the widest with a computed median), of hashdeck_sector_miners_with_cost at that scope.", "scope")
	d.sectorWithCost = g("hashdeck_sector_miners_with_cost", "Miners with a recent cost (a quarter within two of the board's date) in each scope: the n of its median.", "scope")
	d.sectorMedian = g("hashdeck_sector_median_cost_usd_per_ph_day", "Median cost of the listed miners per PH/s per day, by scope.", "scope")
	d.sectorMargin = g("hashdeck_sector_margin_usd_per_ph_day", "Hashprice (net) less the sector median cost, by scope.", "scope")
	d.sectorMarginRatio = g("hashdeck_sector_margin_ratio", "Sector margin as a share of hashprice, by scope (0.1 = 10%).", "scope")
	d.sectorUnderWater = g("hashdeck_sector_miners_under_water", "Miners whose cost in this scope exceeds hashprice.", "scope")
	d.peerPrice = g("hashdeck_peer_price_usd", "Latest share price of each listed miner, USD.", "ticker")
	d.peerPriceAt = g("hashdeck_peer_price_timestamp_seconds", "When each share price was observed.", "ticker")
	d.peerDay = g("hashdeck_peer_day_change_ratio", "Share price change from the previous close (0.01 = +1%).", "ticker")
	d.peerCap = g("hashdeck_peer_market_cap_usd", "Market capitalisation, USD.", "ticker")
	provider := []string{"provider", "group"}
	d.up = g("hashdeck_provider_up", "1 when the provider's last attempt succeeded, 0 when it failed (absent before the first).", provider...)
	d.live = g("hashdeck_provider_live", "1 for the provider that supplied its group's last good poll.", provider...)
	d.stale = g("hashdeck_provider_stale", "1 when a value this provider supplied is stale (absent when it supplies none).", provider...)
	d.failures = g("hashdeck_provider_consecutive_failures", "Consecutive failed attempts.", provider...)
	d.requests = g("hashdeck_provider_requests_total", "Fetches attempted.", provider...)
	d.circuitOpen = g("hashdeck_provider_circuit_open", "1 while the circuit breaker skips the provider.", provider...)
	d.latency = g("hashdeck_provider_latency_seconds", "Duration of the last fetch.", provider...)
	d.lastSuccess = g("hashdeck_provider_last_success_timestamp_seconds", "When the provider last answered.", provider...)
	return c
}

// Describe sends every metric's description.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.all {
		ch <- d
	}
}

// Collect sends the metrics of the newest state, at c.now.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	var st *market.State
	if c.hub != nil && !c.env.Offline {
		st = c.hub.Current()
	}
	var hist *board.History
	if c.history != nil {
		hist = c.history()
	}
	e := emitter{ch}
	c.collectBoard(e, board.BuildWith(c.env, hist, st, c.now(), econ.Scenario{}), st)
	c.collectProviders(e, st)
}

// emitter sends constant metrics.
type emitter struct{ ch chan<- prometheus.Metric }

func (e emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func (e emitter) counter(d *prometheus.Desc, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

func (e emitter) flag(d *prometheus.Desc, b bool, labels ...string) {
	v := 0.0
	if b {
		v = 1
	}
	e.gauge(d, v, labels...)
}

// timestamp sends t in Unix seconds unless it is zero (unknown).
func (e emitter) timestamp(d *prometheus.Desc, t time.Time, labels ...string) {
	if !t.IsZero() {
		e.gauge(d, float64(t.UnixMilli())/1e3, labels...)
	}
}

// maybe sends v × scale when v is known.
func maybe[T econ.Number](e emitter, d *prometheus.Desc, v econ.Maybe[T], scale float64, labels ...string) {
	if x, ok := v.Get(); ok {
		e.gauge(d, float64(x)*scale, labels...)
	}
}

// collectBoard sends the network, sector and peer metrics of b.
func (c *stateCollector) collectBoard(e emitter, b *board.Data, st *market.State) {
	d := &c.d
	n := b.Base.Network
	maybe(e, d.hashprice, n.Hashprice, 1)
	maybe(e, d.hashpriceNet, n.HashpriceNet, 1)
	maybe(e, d.hashvalue, n.Hashvalue, 1)
	maybe(e, d.price, n.Price, 1)
	maybe(e, d.difficulty, n.Difficulty, 1)
	maybe(e, d.height, n.Height, 1)
	maybe(e, d.hashrate, n.Hashrate, 1e18) // EH/s
	maybe(e, d.fees, n.FeesPerBlock, 1)
	maybe(e, d.feeShare, n.FeeShare, 0.01) // percent
	if a := n.Adjustment; a != nil {
		maybe(e, d.adjustRatio, a.ChangePct, 0.01)
		maybe(e, d.nextDifficulty, a.NextDifficulty, 1)
		e.gauge(d.blocksRemaining, float64(a.RemainingBlocks))
		e.timestamp(d.adjustETA, a.ETA)
	}
	if b.Published.OK {
		e.gauge(d.published, b.Published.V)
	}
	for _, v := range []struct {
		name string
		s    board.Sourced
	}{{"btc_price", b.Price}, {"difficulty", b.Difficulty}, {"height", b.Height}, {"fees", b.Fees}} {
		if v.s.OK {
			e.timestamp(d.valueAt, v.s.At, v.name)
		}
	}
	e.gauge(d.mode, 1, strings.ReplaceAll(strings.ToLower(b.Mode.String()), " ", "_"))
	if st != nil {
		e.timestamp(d.updatedAt, st.Updated)
	}

	base := b.Base
	r := base.SectorRule
	e.gauge(d.miners, float64(base.Total))
	if h := r.Headline; h.Source != "" {
		maybe(e, d.headline, h.Median, 1, h.Scope.String(), h.Source)
		maybe(e, d.headlineMargin, h.Margin, 1, h.Scope.String(), h.Source)
	}
	if u := r.UnderWater; u.Of > 0 {
		maybe(e, d.underWater, u.Count, 1, u.Scope.String())
	}
	for _, sc := range econ.Scopes() {
		s, scope := r.Scopes[sc], sc.String()
		e.gauge(d.sectorWithCost, float64(s.N), scope)
		maybe(e, d.sectorMedian, s.Median, 1, scope)
		maybe(e, d.sectorMargin, s.Margin, 1, scope)
		maybe(e, d.sectorMarginRatio, econ.Bind2(base.Network.HashpriceNet, s.Median, econ.MarginPct), 0.01, scope)
		maybe(e, d.sectorUnderWater, s.UnderWater, 1, scope)
	}
	for _, p := range b.Peers {
		if p.Price.OK {
			e.gauge(d.peerPrice, withoutFloat32Noise(p.Price.V), p.Ticker)
			e.timestamp(d.peerPriceAt, p.Price.At, p.Ticker)
		}
		maybe(e, d.peerDay, p.DayPct, 0.01, p.Ticker)
		maybe(e, d.peerCap, p.MarketCap, 1, p.Ticker)
	}
}

// withoutFloat32Noise undoes a float32 that was widened to float64: the
// embedded closes were published that way (10.520000457763672 for 10.52),
// and a share price is never meant to carry those digits (issue 13 row
// 12). A value a float32 cannot hold exactly is returned as it is; so is
// one whose shortest float32 spelling is no shorter.
func withoutFloat32Noise(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || float64(float32(v)) != v {
		return v
	}
	short := strconv.FormatFloat(v, 'g', -1, 32)
	if len(short) >= len(strconv.FormatFloat(v, 'g', -1, 64)) {
		return v
	}
	if w, err := strconv.ParseFloat(short, 64); err == nil {
		return w
	}
	return v
}

// collectProviders sends each provider's health.
func (c *stateCollector) collectProviders(e emitter, st *market.State) {
	if st == nil {
		return
	}
	d := &c.d
	// A provider is stale when a value or quote it supplied is marked stale.
	stale := make(map[string]bool) // provider → any stale value
	for _, v := range st.Values {
		stale[v.Source] = stale[v.Source] || v.Stale
	}
	for _, q := range st.Quotes {
		stale[q.Source] = stale[q.Source] || q.Stale
	}
	for _, h := range st.Health {
		l := []string{h.Name, h.Group}
		if !h.LastAttempt.IsZero() {
			e.flag(d.up, h.Failures == 0 && !h.LastSuccess.IsZero(), l...)
		}
		e.flag(d.live, h.Live, l...)
		if s, ok := stale[h.Name]; ok {
			e.flag(d.stale, s, l...)
		}
		e.gauge(d.failures, float64(h.Failures), l...)
		e.counter(d.requests, float64(h.Requests), l...)
		e.flag(d.circuitOpen, h.Circuit == market.CircuitOpen, l...)
		if h.Latency > 0 {
			e.gauge(d.latency, h.Latency.Seconds(), l...)
		}
		e.timestamp(d.lastSuccess, h.LastSuccess, l...)
	}
}
