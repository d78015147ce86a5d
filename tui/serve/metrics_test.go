package serve

import (
	"math"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/serve/servetest"
)

// parseExposition parses the Prometheus text format strictly: every sample
// belongs to a family announced by HELP and TYPE, names and labels are
// well formed, no series appears twice and every value is a number. It
// returns the samples keyed by their series as written (name{labels}).
func parseExposition(t *testing.T, body string) map[string]float64 {
	t.Helper()
	name := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	sample := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$`)
	types := map[string]string{}
	helped := map[string]bool{}
	out := map[string]float64{}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "):
			f := strings.SplitN(line, " ", 4)
			if len(f) < 4 || !name.MatchString(f[2]) || helped[f[2]] {
				t.Fatalf("line %d: bad or repeated HELP: %q", i+1, line)
			}
			helped[f[2]] = true
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if len(f) != 4 || !helped[f[2]] || types[f[2]] != "" {
				t.Fatalf("line %d: bad TYPE: %q", i+1, line)
			}
			switch f[3] {
			case "gauge", "counter", "histogram", "summary", "untyped": // summaries come from client_golang's Go collector
			default:
				t.Fatalf("line %d: type %q", i+1, f[3])
			}
			types[f[2]] = f[3]
		default:
			m := sample.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("line %d: not a sample: %q", i+1, line)
			}
			fam := m[1]
			if types[fam] == "" {
				base := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(fam, "")
				if types[base] != "histogram" && types[base] != "summary" {
					t.Fatalf("line %d: sample before its TYPE: %q", i+1, line)
				}
			}
			v, err := strconv.ParseFloat(strings.Replace(m[3], "+Inf", "Inf", 1), 64)
			if err != nil {
				t.Fatalf("line %d: value %q", i+1, m[3])
			}
			key := m[1] + m[2]
			if _, dup := out[key]; dup {
				t.Fatalf("line %d: series %s twice", i+1, key)
			}
			out[key] = v
		}
	}
	return out
}

func TestMetricsOffline(t *testing.T) {
	st := startOffline(t, Options{})
	p := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
	p.WaitText(t, 10*time.Second, "Overview")
	servetest.Run(t, st.MustDial(t), "snapshot")
	st.Dial(gossh.PublicKeys(servetest.NewKey(t).Signer)) // an unknown key: one auth reject
	// (counted when the server gives up on the connection, maybe after Dial returned)
	servetest.Wait(2*time.Second, func() bool { return st.rejects(t, rejectAuth) == 1 })

	web := httptest.NewServer(st.srv.MetricsHandler())
	defer web.Close()
	m := parseExposition(t, servetest.Scrape(t, web.URL))

	for _, k := range []string{
		"hashdeck_hashprice_usd_per_ph_day", "hashdeck_hashprice_btc_per_ph_day", "hashdeck_btc_price_usd",
		"hashdeck_difficulty", "hashdeck_network_hashrate_hashes_per_second", "hashdeck_fee_share_ratio",
		`hashdeck_sector_median_cost_usd_per_ph_day{scope="power"}`, `hashdeck_sector_margin_ratio{scope="direct"}`,
		`hashdeck_miners_under_water{scope="direct"}`, `hashdeck_sector_miners_with_cost{scope="direct"}`,
		`hashdeck_sector_headline_cost_usd_per_ph_day{scope="cash",source="TheMinerMag"}`, `hashdeck_peer_price_usd{ticker="IREN"}`, `hashdeck_data_mode{mode="offline"}`,
		`hashdeck_value_timestamp_seconds{value="btc_price"}`,
		"hashdeck_ssh_sessions_open", `hashdeck_ssh_sessions_total{kind="dashboard"}`, `hashdeck_ssh_rejects_total{reason="server_full"}`,
		`hashdeck_ssh_session_duration_seconds_bucket{le="+Inf"}`, "hashdeck_ssh_sent_bytes_total", "go_goroutines",
	} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %s", k)
		}
	}
	// The offline figures are the embedded snapshot's (network 2025-12-29).
	if v := m["hashdeck_hashprice_usd_per_ph_day"]; v < 30 || v > 45 {
		t.Errorf("hashprice %v", v)
	}
	if v := m["hashdeck_network_hashrate_hashes_per_second"]; v < 5e20 || v > 2e21 {
		t.Errorf("network hashrate %v H/s", v)
	}
	if v := m["hashdeck_fee_share_ratio"]; v <= 0 || v > 0.1 {
		t.Errorf("fee share %v", v)
	}
	// The sector by the rule (issue 11): the headline is TheMinerMag's cash
	// median, above hashprice; the under-water count is at one scope.
	if v := m[`hashdeck_sector_headline_margin_usd_per_ph_day{scope="cash",source="TheMinerMag"}`]; v >= 0 {
		t.Errorf("headline margin %v, want negative", v)
	}
	if n := m[`hashdeck_sector_miners_with_cost{scope="direct"}`]; n != 4 {
		t.Errorf("direct n %v, want 4", n)
	}
	for k, want := range map[string]float64{
		"hashdeck_ssh_sessions_open":                              1,
		`hashdeck_ssh_sessions_total{kind="dashboard"}`:           1,
		`hashdeck_ssh_sessions_total{kind="snapshot"}`:            1,
		`hashdeck_ssh_rejects_total{reason="auth"}`:               1,
		`hashdeck_ssh_session_duration_seconds_count`:             1,
		`hashdeck_ssh_session_duration_seconds_bucket{le="+Inf"}`: 1,
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	// The next-retarget estimate is hashdeck's own offline, from the
	// embedded epochs (+2.71% at 2025-12-29; issue 14 row 5).
	if v, ok := m["hashdeck_difficulty_adjustment_estimate_ratio"]; !ok || math.Abs(v-0.0271) > 0.0005 {
		t.Errorf("adjustment estimate %v (present %v), want about 0.0271", v, ok)
	}
	// Unknown offline, hence absent (never 0): the published hashprice (no
	// key), the providers, the all-in median (no miner has one).
	for _, k := range []string{"hashdeck_published_hashprice_usd_per_ph_day",
		"hashdeck_feeds_updated_timestamp_seconds", `hashdeck_sector_median_cost_usd_per_ph_day{scope="all-in"}`} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present offline", k)
		}
	}
	for k := range m {
		if strings.HasPrefix(k, "hashdeck_provider_") {
			t.Errorf("%s present offline", k)
		}
	}
}

func TestMetricsUnknownValuesAbsent(t *testing.T) {
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Before the dataset begins nothing about the network is known.
	env := board.NewEnvAt(ds, []string{"IREN", "MARA"}, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	env.Offline = true
	m := newMetrics(env, nil, func() int { return 0 }, nil)
	got := parseExposition(t, scrape(t, m, time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC)))
	for _, k := range []string{"hashdeck_hashprice_usd_per_ph_day", "hashdeck_hashprice_btc_per_ph_day", "hashdeck_btc_price_usd",
		"hashdeck_difficulty", "hashdeck_network_hashrate_hashes_per_second", "hashdeck_fee_share_ratio", "hashdeck_miners_under_water",
		`hashdeck_sector_margin_usd_per_ph_day{scope="power"}`, `hashdeck_peer_price_usd{ticker="IREN"}`} {
		if v, ok := got[k]; ok {
			t.Errorf("%s = %v, want absent", k, v)
		}
	}
	if got["hashdeck_miners"] != 2 {
		t.Errorf("hashdeck_miners = %v", got["hashdeck_miners"])
	}
}

func TestMetricsLiveState(t *testing.T) {
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := board.NewEnv(ds, []string{"IREN", "MARA"})
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	hub := feeds.NewHub(nil)
	hub.Publish(&market.State{
		Version: 3, Mode: market.ModeLive, Updated: now,
		Values: map[market.Metric]market.Value{
			market.PriceUSD:      {V: 100000, At: now, Source: "coinbase+kraken+coingecko"},
			market.Difficulty:    {V: 150e12, At: now, Source: "mempool.space network"},
			market.Height:        {V: 930000, At: now, Source: "mempool.space network"},
			market.EpochStart:    {V: float64(now.Add(-624 * 590 * time.Second).Unix()), At: now, Source: "mempool.space network"}, // 930000 mod 2016 = 624 blocks at 590 s
			market.MeanBlockTime: {V: 590, At: now, Source: "mempool.space network"},
			market.FeesPerBlock:  {V: 0.02, At: now, Source: "mempool.space fees", Stale: true},
		},
		Quotes: map[string]market.QuoteValue{"IREN": {Quote: market.Quote{Symbol: "IREN", Price: 12.5, PrevClose: 12.0, At: now, Source: "nasdaq"}}},
		Live:   map[string]string{"network": "mempool.space network", "fees": "mempool.space fees"},
		Health: []market.Health{
			{Name: "mempool.space network", Group: "network", Live: true, LastAttempt: now, LastSuccess: now, Requests: 7, Latency: 120 * time.Millisecond, Circuit: market.CircuitClosed},
			{Name: "blockchain.info", Group: "network", LastAttempt: now, Failures: 3, Requests: 5, Circuit: market.CircuitOpen},
			{Name: "mempool.space fees", Group: "fees", Live: true, LastAttempt: now, LastSuccess: now.Add(-time.Hour), Requests: 2, Circuit: market.CircuitClosed},
			{Name: "yahoo", Group: "equities", Circuit: market.CircuitClosed},
		},
	})
	m := newMetrics(env, hub, func() int { return 2 }, nil)
	got := parseExposition(t, scrape(t, m, now))

	want := map[string]float64{
		"hashdeck_btc_price_usd": 100000,
		"hashdeck_difficulty":    150e12,
		"hashdeck_block_height":  930000,
		`hashdeck_provider_up{group="network",provider="mempool.space network"}`:                       1,
		`hashdeck_provider_up{group="network",provider="blockchain.info"}`:                             0,
		`hashdeck_provider_live{group="network",provider="blockchain.info"}`:                           0,
		`hashdeck_provider_consecutive_failures{group="network",provider="blockchain.info"}`:           3,
		`hashdeck_provider_circuit_open{group="network",provider="blockchain.info"}`:                   1,
		`hashdeck_provider_requests_total{group="network",provider="mempool.space network"}`:           7,
		`hashdeck_provider_latency_seconds{group="network",provider="mempool.space network"}`:          0.12,
		`hashdeck_provider_stale{group="network",provider="mempool.space network"}`:                    0,
		`hashdeck_provider_stale{group="fees",provider="mempool.space fees"}`:                          1,
		`hashdeck_provider_last_success_timestamp_seconds{group="fees",provider="mempool.space fees"}`: float64(now.Add(-time.Hour).Unix()),
		`hashdeck_peer_price_usd{ticker="IREN"}`:                                                       12.5,
		"hashdeck_ssh_sessions_open":                                                                   2,
		`hashdeck_data_mode{mode="stale"}`:                                                             1,
		"hashdeck_feeds_updated_timestamp_seconds":                                                     float64(now.Unix()),
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || math.Abs(g-v) > 1e-9*math.Abs(v) {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if v := got[`hashdeck_peer_day_change_ratio{ticker="IREN"}`]; math.Abs(v-(12.5/12-1)) > 1e-9 {
		t.Errorf("IREN day change %v", v)
	}
	// Live height and epoch start: the next-retarget estimate is known.
	if v, ok := got["hashdeck_difficulty_adjustment_estimate_ratio"]; !ok || v < 0 || v > 0.1 {
		t.Errorf("adjustment estimate %v (present %v): blocks at 590 s should raise difficulty a little", v, ok)
	}
	if _, ok := got["hashdeck_difficulty_adjustment_eta_timestamp_seconds"]; !ok {
		t.Error("no retarget ETA")
	}
	// Never attempted: no up; supplies nothing: no stale.
	for _, k := range []string{`hashdeck_provider_up{group="equities",provider="yahoo"}`, `hashdeck_provider_stale{group="equities",provider="yahoo"}`,
		`hashdeck_provider_latency_seconds{group="network",provider="blockchain.info"}`} {
		if _, ok := got[k]; ok {
			t.Errorf("%s present", k)
		}
	}
}

// scrape serves /metrics through the real handler (client_golang) at the
// given clock and returns the body.
func scrape(t *testing.T, m *metrics, now time.Time) string {
	t.Helper()
	m.state.now = func() time.Time { return now }
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics answered %d: %s", rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

func TestMetricsSessionDurations(t *testing.T) {
	m := newMetrics(nil, nil, nil, nil)
	for _, d := range []time.Duration{500 * time.Millisecond, 30 * time.Second, 2 * time.Hour, 48 * time.Hour} {
		m.sessionEnded(d)
	}
	var h dto.Metric
	if err := m.durations.Write(&h); err != nil {
		t.Fatal(err)
	}
	cum := []uint64{}
	for _, b := range h.GetHistogram().GetBucket() {
		cum = append(cum, b.GetCumulativeCount())
	}
	cum = append(cum, h.GetHistogram().GetSampleCount()) // +Inf
	if got, want := cum, []uint64{1, 1, 2, 2, 2, 3, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("cumulative buckets %v, want %v", got, want)
	}
	if got, want := h.GetHistogram().GetSampleSum(), 0.5+30+2*3600+48*3600; got != want {
		t.Errorf("sum %v s, want %v", got, want)
	}
}

// TestMetricsPeerPricesWithoutFloat32Noise is issue 13 row 12: offline,
// hashdeck_peer_price_usd{ticker="BTDR"} came out as 10.520000457763672,
// the float32 artefact of the embedded closes (BTDR's last close is
// published as 10.520000457763672). Share prices are float64 from the
// board to the exposition and come out as the price, 10.52.
func TestMetricsPeerPricesWithoutFloat32Noise(t *testing.T) {
	env := offlineEnv(t)
	m := newMetrics(env, nil, func() int { return 0 }, nil)
	body := scrape(t, m, time.Date(2026, 8, 3, 12, 0, 0, 0, time.UTC))
	if !strings.Contains(body, "\nhashdeck_peer_price_usd{ticker=\"BTDR\"} 10.52\n") {
		t.Errorf("BTDR:\n%s", grepLines(body, "hashdeck_peer_price_usd"))
	}
	// No share price carries more digits than a price has (float32 noise
	// shows as 15 or more significant digits).
	got := parseExposition(t, body)
	n := 0
	for k, v := range got {
		if !strings.HasPrefix(k, "hashdeck_peer_price_usd{") {
			continue
		}
		n++
		if s := strconv.FormatFloat(v, 'g', -1, 64); len(strings.Trim(strings.Replace(s, ".", "", 1), "0")) > 8 {
			t.Errorf("%s = %s", k, s)
		}
	}
	if n < 10 {
		t.Errorf("%d peer prices, want the 11 default peers:\n%s", n, grepLines(body, "hashdeck_peer_price_usd"))
	}
	for v, want := range map[float64]float64{
		10.520000457763672: 10.52, 36.79999923706055: 36.8, 2.8299999237060547: 2.83, // float32 artefacts
		10.52: 10.52, 12.5: 12.5, 0.1: 0.1, 100000: 100000, 1.0000001: 1.0000001, // prices as they are
	} {
		if got := withoutFloat32Noise(v); got != want {
			t.Errorf("withoutFloat32Noise(%v) = %v, want %v", v, got, want)
		}
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
