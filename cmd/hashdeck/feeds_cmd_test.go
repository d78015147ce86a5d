package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// standIn serves recorded responses from feeds/testdata (raw HTTP files)
// for every upstream path, the way an operator points HASHDECK_*_URL at a
// local server.
func standIn(t *testing.T, routes map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		raw, err := os.ReadFile(filepath.Join("..", "..", "feeds", "testdata", name+".http"))
		if err != nil {
			t.Errorf("fixture %s: %v", name, err)
			return
		}
		raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
		head, body, _ := bytes.Cut(raw, []byte("\n\n"))
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(bytes.ReplaceAll(head, []byte("\n"), []byte("\r\n")), "\r\n\r\n"...))), nil)
		if err != nil {
			t.Errorf("fixture %s: %v", name, err)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// liveRoutes answers every default group's primary provider from its
// happy-path fixture (Yahoo is left out: Nasdaq answers for the stocks).
func liveRoutes() map[string]string {
	return map[string]string{
		"/api/v1/difficulty-adjustment":   "mempool/difficulty-adjustment",
		"/api/blocks/tip/height":          "mempool/tip-height",
		"/api/v1/mining/hashrate/3d":      "mempool/hashrate-3d",
		"/api/v1/mining/reward-stats/144": "mempool/reward-stats-144",
		"/v2/prices/BTC-USD/spot":         "coinbase/spot",
		"/0/public/Ticker":                "kraken/ticker",
		"/api/v3/simple/price":            "coingecko/price",
		"/api/quote/watchlist":            "nasdaq/watchlist",
	}
}

func setStandIn(t *testing.T, url string) {
	for _, name := range []string{"MEMPOOL", "BLOCKCHAININFO", "COINBASE", "KRAKEN", "COINGECKO", "YAHOO", "NASDAQ", "HASHRATEINDEX"} {
		t.Setenv("HASHDECK_"+name+"_URL", url)
	}
	t.Setenv("HASHDECK_HASHRATEINDEX_KEY", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no config file: defaults
}

func TestFeedsCommand(t *testing.T) {
	srv := standIn(t, liveRoutes())
	setStandIn(t, srv.URL)
	code, out, errs := runArgs(t, "feeds", "--timeout", "20s")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"difficulty", "mempool.space network", "coinbase+kraken+coingecko", "IREN", "live"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Yahoo answered nothing here (404 for every symbol): Nasdaq is live for equities.
	if !strings.Contains(out, "equities   nasdaq                     live") {
		t.Errorf("nasdaq is not live for equities:\n%s", out)
	}

	code, out, _ = runArgs(t, "feeds", "--json")
	var st struct {
		Version uint64            `json:"version"`
		Live    map[string]string `json:"live"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &st) != nil || st.Live["network"] != "mempool.space network" {
		t.Errorf("--json: exit %d, %+v", code, st)
	}
}

func TestFeedsCommandAllDown(t *testing.T) {
	srv := standIn(t, map[string]string{})
	setStandIn(t, srv.URL)
	code, out, errs := runArgs(t, "feeds", "--timeout", "20s")
	if code != exitError || !strings.Contains(errs, "no source answered for network, fees, price, equities") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "failing") || !strings.Contains(out, "404") {
		t.Errorf("output does not show the failures:\n%s", out)
	}
}

func TestFeedsCommandBadInput(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HASHDECK_KRAKEN_URL", "ftp://nope")
	if code, _, errs := runArgs(t, "feeds"); code != exitUsage || !strings.Contains(errs, "HASHDECK_KRAKEN_URL") {
		t.Errorf("bad URL env: exit %d, %q", code, errs)
	}
	t.Setenv("HASHDECK_KRAKEN_URL", "")
	if code, _, errs := runArgs(t, "feeds", "--config", filepath.Join(t.TempDir(), "missing.toml")); code != exitUsage || !strings.Contains(errs, "missing.toml") {
		t.Errorf("missing config: exit %d, %q", code, errs)
	}
	if code, out, _ := runArgs(t, "feeds", "--help"); code != exitOK || !strings.Contains(out, "HASHDECK_MEMPOOL_URL") {
		t.Errorf("--help: exit %d", code)
	}
}

// Issue 13 row 1: every upstream slower than --timeout used to panic
// (nil state); now it says so and exits 1, and --json prints a document.
func TestFeedsNoAnswerInTime(t *testing.T) {
	srv := silentUpstream(t)
	setStandIn(t, srv.URL)
	code, out, errs := runArgs(t, "feeds", "--timeout", "200ms")
	if code != exitError || !strings.Contains(errs, "no source answered within 200ms") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, errs, out)
	}
	code, out, _ = runArgs(t, "feeds", "--json", "--timeout", "200ms")
	var doc struct {
		Answered *bool  `json:"answered"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitError || doc.Answered == nil || *doc.Answered || doc.Error == "" {
		t.Errorf("--json: exit %d, %q (%v)", code, out, err)
	}
}

// Issue 11 §2: with a declared User-Agent, hashdeck feeds fetches the SEC
// company facts (from a stand-in here) and prints each filer and the
// implied cost of its newest quarter; without one it says how to turn it on.
func TestFeedsSECFilings(t *testing.T) {
	routes := liveRoutes()
	routes["/api/xbrl/companyfacts/CIK0000827876.json"] = "sec/companyfacts-clsk"
	routes["/files/company_tickers.json"] = "sec/company-tickers"
	srv := standIn(t, routes)
	setStandIn(t, srv.URL)
	t.Setenv("HASHDECK_SEC_URL", srv.URL)
	t.Setenv("HASHDECK_SEC_USER_AGENT", "")
	code, out, errs := runArgs(t, "feeds", "--timeout", "20s")
	if code != exitOK || !strings.Contains(out, "FILINGS (SEC EDGAR)") || !strings.Contains(out, "off: ") || !strings.Contains(out, "HASHDECK_SEC_USER_AGENT") {
		t.Errorf("without a user agent: exit %d\n%s\n%s", code, out, errs)
	}
	t.Setenv("HASHDECK_SEC_USER_AGENT", "Jane Doe jane@hashdeck.org")
	code, out, errs = runArgs(t, "feeds", "--timeout", "20s")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !regexp.MustCompile(`CLSK +0000827876 +[1-9]\d* quarters`).MatchString(out) || !strings.Contains(out, "implied cost of the newest quarter") {
		t.Errorf("filings section:\n%s", out)
	}
	if !regexp.MustCompile(`CLSK +\d{4}-Q\d +(\$[\d.,]+|—) +(\$[\d.,]+|—) +\$[\d.,]+ +\$[\d.,]+`).MatchString(out) {
		t.Errorf("CLSK's newest quarter has no cash and all-in cost:\n%s", out)
	}
}

// silentUpstream is a stand-in for every upstream that never answers: each
// request waits until the client gives up (or the test ends).
func silentUpstream(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv
}
