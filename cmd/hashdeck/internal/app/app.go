// Package app wires hashdeck together for every command that shows data
// (the dashboard, serve, snapshot and feeds): configuration → the board
// environment over the embedded dataset, and, when live, the feeds hub and
// poller, the history store with its recorder and backfill. It owns their
// lifetimes; the commands own flags, output and exit codes.
package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/config"
	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/report"
	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/provider"
	"github.com/hashdeck/hashdeck/feeds/store"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/snapshot"
)

// GCPercent is the garbage collector's target (GOGC) that [TuneGC] sets
// for the long-running commands, the dashboard and serve. Both hold a few
// MB of live data and allocate in bursts (a frame, a poll), so at Go's
// default of 100 the heap's arena stays near twice the live data between
// collections. Measured on the live dashboard against the stand-in at
// 160×48 (2026-12-04, /proc/PID/smaps_rollup, the same build side by
// side): anonymous memory 9.9 / 9.3 MiB at 70 / 130 s against 12.0 / 12.1
// at 100, for a collection every ~15 s instead of ~30 s (~2 ms of CPU
// each). Under serve, with 100 idle 80×24 sessions: 1.7 MiB of RSS per
// session against 2.6 MiB (TestServeLoad in cmd/hashdeck).
const GCPercent = 50

// TuneGC sets GCPercent, unless the environment sets GOGC (which then
// wins, as it does for any Go program).
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}

// Options are what the command line decides.
type Options struct {
	// ConfigPath is --config; Explicit says it was given (a missing file is
	// then an error rather than the defaults).
	ConfigPath string
	Explicit   bool
	// Theme is --theme ("" for the configuration's).
	Theme string
	// Offline makes no network request; At (when set) computes everything
	// from the embedded data as of that time and implies Offline.
	Offline bool
	At      time.Time
	// DataDir is --data-dir ("" for $XDG_DATA_HOME/hashdeck).
	DataDir string
	// NoHistory polls without the history store, recorder and backfill
	// (hashdeck feeds).
	NoHistory bool
	// Timeout bounds each upstream request (0: the poller's default).
	Timeout time.Duration
	// Getenv reads the environment (os.Getenv if nil).
	Getenv func(string) string
}

// App is everything a command runs: the shared environment and, when live,
// the hub, poller, store, recorder and backfill (nil when offline).
type App struct {
	Cfg      config.Config
	Env      *board.Env
	Hub      *feeds.Hub
	Poller   *feeds.Poller
	Groups   []feeds.Group
	Store    *store.Store
	Recorder *feeds.Recorder
	Backfill *feeds.Backfill
	// Filings fetches the US filers' quarterly facts from SEC EDGAR; nil
	// when offline or when no User-Agent is configured (FilingsOff says why).
	Filings    *feeds.Filings
	FilingsOff string
	// Notice is a one-time message for the status bar (a recovered or
	// failed history database).
	Notice string
	o      Options
}

// New loads the configuration and the dataset and builds the environment
// and, unless offline, the poller and the history store with its recorder
// and backfill.
// ctx bounds the start-up work (the history store's roll-up): the command's
// context, so that an interrupt during start-up is not ignored.
func New(ctx context.Context, o Options) (*App, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if !o.At.IsZero() {
		o.Offline = true
	}
	cfg, err := config.Load(o.ConfigPath, o.Explicit, o.Getenv)
	if err != nil {
		return nil, err
	}
	if o.Theme != "" {
		if _, err := themes.Lookup(o.Theme); err != nil {
			return nil, fmt.Errorf("--theme: %w", err)
		}
	}
	ds, err := dataset.Load()
	if err != nil {
		return nil, fmt.Errorf("embedded dataset: %w", err)
	}
	syms, err := cfg.Symbols()
	if err != nil {
		return nil, err
	}
	env := board.NewEnvAt(ds, syms.List(), o.At)
	for _, t := range env.Peers {
		if ov, ok := cfg.Override(t); ok {
			env.Miners[t] = ov.Apply(env.Miners[t], ds.PeriodHashvalue)
		}
	}
	env.Fleet = board.Fleet{Efficiency: cfg.Fleet.Efficiency, PowerPrice: cfg.Fleet.PowerPrice, PoolFee: cfg.Fleet.PoolFee}
	env.Alerts = board.Alerts{HashpriceBelow: config.Opt(cfg.Alerts.HashpriceBelow), MarginBelowPct: config.Opt(cfg.Alerts.SectorMarginBelow),
		PeerMovePct: config.Opt(cfg.Alerts.PeerDailyMove), Bell: cfg.Display.Bell}
	env.Offline = o.Offline
	a := &App{Cfg: cfg, Env: env, o: o}
	if o.Offline {
		return a, nil
	}
	src, err := cfg.Sources(o.Getenv)
	if err != nil {
		return nil, err
	}
	if a.Groups, err = feeds.Groups(src); err != nil {
		return nil, err
	}
	a.Hub = feeds.NewHub(nil)
	popts := feeds.PollerOptions{Timeout: o.Timeout}
	if !o.NoHistory {
		if err := a.openHistory(ctx, src); err != nil {
			return nil, err
		}
		popts.OnBatch = a.Recorder.OnBatch
	}
	if a.Poller, err = feeds.NewPoller(a.Hub, a.Groups, popts); err != nil {
		a.Close()
		return nil, err
	}
	a.Filings, err = feeds.NewFilings(a.Store, feeds.FilingsOptions{Base: src.Endpoints.SEC, UserAgent: cfg.SECUserAgent(o.Getenv), Timeout: o.Timeout})
	if err != nil {
		// No declared contact (or a malformed one): SEC EDGAR stays off and
		// the feed-health line says how to turn it on.
		a.Filings, a.FilingsOff = nil, err.Error()
	}
	return a, nil
}

// openHistory opens the history store (rolling up old rows first) and
// builds its recorder and backfill.
func (a *App) openHistory(ctx context.Context, src feeds.Sources) error {
	dir, err := a.DataDir()
	if err != nil {
		return fmt.Errorf("history store: %w (use --data-dir)", err)
	}
	cfg := a.Cfg.Store
	st, err := store.Open(filepath.Join(dir, "history.db"), store.Options{RawRetention: cfg.RawRetention(), HourlyRetention: cfg.HourlyRetention()})
	if err != nil {
		return err
	}
	if moved := st.Recovered(); moved != "" {
		a.Notice = "history database was unreadable: moved to " + moved + ", started a new one"
	}
	a.Store = st
	if _, err := st.Compact(ctx, time.Now()); err != nil {
		a.Notice = "history roll-up failed: " + err.Error()
	}
	a.Recorder = feeds.NewRecorder(st, 64)
	a.Backfill, err = feeds.NewBackfill(st, store.MetricKey, feeds.BackfillOptions{Endpoints: src.Endpoints, Symbols: src.Symbols, Interval: a.Cfg.Intervals.History.Duration})
	if err != nil {
		st.Close()
		a.Store = nil
		return err
	}
	return nil
}

// DataDir is --data-dir, or the directory of the default history database.
func (a *App) DataDir() (string, error) {
	if a.o.DataDir != "" {
		return a.o.DataDir, nil
	}
	p, err := store.DefaultPath(a.o.Getenv)
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// Live reports whether the app polls the upstreams.
func (a *App) Live() bool { return a.Poller != nil }

// Start runs the poller, the recorder, the backfill and the history loader
// until ctx ends: onHistory receives what the store holds, at once and
// after each backfill run; onProgress every backfill progress report. Both
// are called from background goroutines. The returned wait blocks until
// everything has stopped (the recorder writes what is pending first).
// Offline, Start does nothing.
func (a *App) Start(ctx context.Context, onHistory func(*board.History, error), onProgress func(feeds.BackfillProgress)) (wait func()) {
	var wg sync.WaitGroup
	if a.Poller == nil {
		return wg.Wait
	}
	wg.Go(func() { a.Poller.Run(ctx) })
	if a.Store == nil {
		return wg.Wait
	}
	if a.Filings != nil {
		wg.Go(func() { a.Filings.Run(ctx) })
	}
	wg.Go(func() { a.Recorder.Run(ctx) })
	wg.Go(func() { a.Backfill.Run(ctx) })
	// The store's series are read after start and after each backfill; a
	// filings update only merges the new quarters into the last read.
	var base *board.History
	load := func() {
		b, err := a.storeHistory(ctx)
		if ctx.Err() != nil {
			return
		}
		base = b
		onHistory(a.withFiled(b), err)
	}
	refile := func() {
		if base == nil {
			load()
			return
		}
		onHistory(a.withFiled(base), nil)
	}
	var filed <-chan struct{} // nil without filings: never ready
	if a.Filings != nil {
		filed = a.Filings.Updates()
	}
	wg.Go(func() {
		load()
		for {
			select {
			case p := <-a.Backfill.Progress():
				onProgress(p)
				if p.Finished {
					load()
				}
			case <-filed:
				refile()
			case <-ctx.Done():
				return
			}
		}
	})
	return wg.Wait
}

// OnRecorder calls f each time writing history starts failing or recovers
// (see feeds.Recorder.Notify); nothing when there is no history store.
// Call it before Start.
func (a *App) OnRecorder(f func(feeds.RecorderStats)) {
	if a.Recorder != nil {
		a.Recorder.Notify(f)
	}
}

// Close closes the history store, if open.
func (a *App) Close() error {
	if a.Store == nil {
		return nil
	}
	err := a.Store.Close()
	a.Store = nil
	return err
}

// historyYears is how far back the dashboard reads the history store.
const historyYears = 3

// LoadHistory reads the stored daily closes of every peer, the daily BTC
// price and fees, and the difficulty, and merges them with the embedded
// series and the filed quarters. Call it off the UI goroutine.
func (a *App) LoadHistory(ctx context.Context) (*board.History, error) {
	h, err := a.storeHistory(ctx)
	return a.withFiled(h), err
}

// withFiled merges the filed quarters into h (nil stays nil).
func (a *App) withFiled(h *board.History) *board.History {
	if h == nil {
		return nil
	}
	filed, health := a.filed()
	return h.WithFiled(a.Env, filed, health)
}

// storeHistory reads the store's series without the filed quarters (nil
// without a store).
func (a *App) storeHistory(ctx context.Context) (*board.History, error) {
	if a.Store == nil {
		return nil, nil
	}
	to := time.Now().UTC().AddDate(0, 0, 1)
	from := to.AddDate(-historyYears, 0, 0)
	closes := make(map[string][]board.Point, len(a.Env.Peers))
	for _, p := range a.Env.Peers {
		bars, err := a.Store.Closes(ctx, p, from, to)
		if err != nil {
			return nil, err
		}
		pts := make([]board.Point, len(bars))
		for i, b := range bars {
			pts[i] = board.Point{T: b.Day, V: b.Close}
		}
		closes[p] = pts
	}
	var net board.Network
	for _, s := range []struct {
		m   market.Metric
		res store.Resolution
		dst *[]board.Point
	}{{market.PriceUSD, store.Daily, &net.Price}, {market.FeesPerBlock, store.Daily, &net.Fees}, {market.Difficulty, store.Raw, &net.Difficulty}} {
		pts, err := a.Store.Series(ctx, s.m, from, to, s.res)
		if err != nil {
			return nil, err
		}
		*s.dst = make([]board.Point, len(pts))
		for i, p := range pts {
			(*s.dst)[i] = board.Point{T: p.At, V: p.Value}
		}
	}
	return board.NewHistory(a.Env, closes, net), nil
}

// filed returns the quarters the SEC filings give per ticker and, as the
// filings' feed health, why SEC EDGAR is off or how each filer fares.
func (a *App) filed() (map[string][]econ.Quarter, []market.Health) {
	if a.Filings == nil {
		if a.FilingsOff == "" {
			return nil, nil
		}
		return nil, []market.Health{{Name: provider.SECSource, Group: feeds.FilingsGroup, LastError: "off: " + a.FilingsOff}}
	}
	return a.Filings.AllQuarters(), a.Filings.Health()
}

// ThemeName is --theme, else the configuration's theme unless it is
// "auto" (then "": follow the terminal).
func (a *App) ThemeName() string {
	if a.o.Theme != "" {
		return a.o.Theme
	}
	if a.Cfg.Display.Theme != config.ThemeAuto {
		return string(a.Cfg.Display.Theme)
	}
	return ""
}

// Secrets are the strings no frame, clipboard copy or snapshot may show:
// the API keys (file or environment) and the configuration file's path,
// longest first so that a path is hidden before a part of it.
func (a *App) Secrets() []string {
	k := a.Cfg.Keys(a.o.Getenv)
	out := []string{k.CoinGecko.Reveal(), k.HashrateIndex.Reveal()}
	path := a.o.ConfigPath
	if path == "" {
		path, _ = config.DefaultPath(a.o.Getenv)
	}
	if path != "" {
		out = append(out, path)
		if abs, err := filepath.Abs(path); err == nil {
			out = append(out, abs)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.DeleteFunc(out, func(s string) bool { return len(strings.TrimSpace(s)) < 6 })
}

// Board builds one board for a snapshot: as of at (non-zero) from the
// embedded data, from the embedded data now when offline, or after one poll
// of every source (and the SEC filings) within timeout, saying on stderr
// what it is doing and how fresh the result is. With nothing answering in
// time the board is marked NO FEED, not OFFLINE.
func (d *App) Board(at time.Time, timeout time.Duration, stderr io.Writer) (*board.Data, error) {
	if !at.IsZero() {
		ds := d.Env.Dataset
		if days := ds.Days(); len(days) == 0 || at.Before(days[0].Date) {
			first := "none"
			if len(days) > 0 {
				first = days[0].Date.Format(time.DateOnly)
			}
			return nil, fmt.Errorf("--at: %s is before the embedded network data, which start on %s", at.Format(time.RFC3339), first)
		}
		return board.BuildWith(d.Env, nil, nil, at, econ.Scenario{}), nil
	}
	if !d.Live() { // --offline
		return board.BuildWith(d.Env, nil, nil, time.Now(), econ.Scenario{}), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	fmt.Fprintf(stderr, "hashdeck snapshot: polling every source once (at most %s)…\n", timeout)
	d.Poller.Poll(ctx)
	if d.Filings != nil {
		if err := d.Filings.FetchOnce(ctx); err != nil {
			fmt.Fprintln(stderr, "hashdeck snapshot: SEC EDGAR:", err)
		}
	}
	st := d.Hub.Current()
	hctx, hcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer hcancel()
	hist, err := d.LoadHistory(hctx)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck snapshot: reading the history store:", err)
		hist = nil
	}
	data := board.BuildWith(d.Env, hist, st, time.Now(), econ.Scenario{})
	if st == nil {
		// Nothing answered within the timeout: the feeds ran, so this is
		// not an offline snapshot but one with no feed.
		data.Mode = board.ModeDown
	}
	report.Freshness(stderr, data)
	return data, nil
}

// Overrides lists, by peer, the figures the configuration sets (for the
// snapshot JSON).
func (d *App) Overrides() map[string]snapshot.Override {
	out := map[string]snapshot.Override{}
	for _, t := range d.Env.Peers {
		o, ok := d.Cfg.Override(t)
		if !ok {
			continue
		}
		var fields []string
		if o.Hashrate != nil {
			fields = append(fields, "hashrate_ehs")
		}
		if o.Efficiency != nil {
			fields = append(fields, "efficiency_j_per_th")
		}
		if o.PowerPrice != nil {
			fields = append(fields, "power_price_usd_per_kwh")
		}
		if o.Cost != nil && o.CostScope != nil {
			fields = append(fields, "cost_usd_per_btc:"+o.CostScope.String()+":"+o.CostPeriod)
		}
		out[t] = snapshot.Override{Source: o.Source, Fields: fields}
	}
	return out
}
