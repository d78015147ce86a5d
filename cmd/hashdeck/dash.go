package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/config"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/store"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/board"
)

// dashFlags are the flags of the dashboard (hashdeck with no command).
type dashFlags struct {
	offline    bool
	configPath string
	explicit   bool // --config was given
	theme      string
	noColor    bool
	dataDir    string
	// at, when set, computes everything offline as of that time (snapshot --at).
	at time.Time
}

func newDashFlags(stderr io.Writer) (*flag.FlagSet, *dashFlags) {
	f := &dashFlags{}
	fs := flag.NewFlagSet("hashdeck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.offline, "offline", false, "make no network request: show the embedded dataset only")
	fs.StringVar(&f.configPath, "config", "", "configuration `file` (default $XDG_CONFIG_HOME/hashdeck/config.toml)")
	fs.StringVar(&f.theme, "theme", "", "colour `theme`: dark, light, high-contrast or colorblind (default: the config's, else follow the terminal)")
	fs.BoolVar(&f.noColor, "no-color", false, "draw without colour (also when NO_COLOR is set)")
	fs.StringVar(&f.dataDir, "data-dir", "", "`directory` of the history database (default $XDG_DATA_HOME/hashdeck)")
	return fs, f
}

// dash is everything the dashboard runs: the shared environment and, when
// live, the feeds hub and poller, the history store with its recorder and
// backfill.
type dash struct {
	cfg      config.Config
	env      *board.Env
	hub      *feeds.Hub
	poller   *feeds.Poller
	store    *store.Store
	recorder *feeds.Recorder
	backfill *feeds.Backfill
	notice   string
}

// historyYears is how far back the dashboard reads the history store.
const historyYears = 3

// loadHistory reads the stored daily closes of every peer and the daily
// BTC price, and merges them with the embedded series (off the UI goroutine).
func loadHistory(ctx context.Context, st *store.Store, env *board.Env) (*board.History, error) {
	to := time.Now().UTC().AddDate(0, 0, 1)
	from := to.AddDate(-historyYears, 0, 0)
	closes := make(map[string][]board.Point, len(env.Peers))
	for _, p := range env.Peers {
		bars, err := st.Closes(ctx, p, from, to)
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
		pts, err := st.Series(ctx, s.m, from, to, s.res)
		if err != nil {
			return nil, err
		}
		*s.dst = make([]board.Point, len(pts))
		for i, p := range pts {
			(*s.dst)[i] = board.Point{T: p.At, V: p.Value}
		}
	}
	return board.NewHistory(env, closes, net), nil
}

// historyPath returns where the history database lives.
func (f *dashFlags) historyPath() (string, error) {
	if f.dataDir != "" {
		return filepath.Join(f.dataDir, "history.db"), nil
	}
	return store.DefaultPath(os.Getenv)
}

// setup loads the configuration and the dataset and builds the shared
// dashboard environment and, unless offline, the feeds poller and the
// history store with its recorder and backfill.
func (f *dashFlags) setup() (*dash, error) {
	cfg, err := config.Load(f.configPath, f.explicit, os.Getenv)
	if err != nil {
		return nil, err
	}
	if f.theme != "" {
		if _, err := themes.Lookup(f.theme); err != nil {
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
	if !f.at.IsZero() {
		f.offline = true
	}
	env := board.NewEnvAt(ds, syms.List(), f.at)
	for _, t := range env.Peers {
		if o, ok := cfg.Override(t); ok {
			env.Miners[t] = o.Apply(env.Miners[t], ds.PeriodHashvalue)
		}
	}
	env.Fleet = board.Fleet{Efficiency: cfg.Fleet.Efficiency, PowerPrice: cfg.Fleet.PowerPrice, PoolFee: cfg.Fleet.PoolFee}
	env.Alerts = board.Alerts{HashpriceBelow: cfg.Alerts.HashpriceBelow, MarginBelowPct: cfg.Alerts.SectorMarginBelow,
		PeerMovePct: cfg.Alerts.PeerDailyMove, Bell: cfg.Display.Bell}
	env.Offline = f.offline
	d := &dash{cfg: cfg, env: env}
	if f.offline {
		return d, nil
	}
	src, err := cfg.Sources(os.Getenv)
	if err != nil {
		return nil, err
	}
	src.NewYork = newYork()
	groups, err := feeds.Groups(src)
	if err != nil {
		return nil, err
	}
	path, err := f.historyPath()
	if err != nil {
		return nil, fmt.Errorf("history store: %w (use --data-dir)", err)
	}
	st, err := store.Open(path, store.Options{RawRetention: cfg.Store.RawRetention(), HourlyRetention: cfg.Store.HourlyRetention()})
	if err != nil {
		return nil, err
	}
	if moved := st.Recovered(); moved != "" {
		d.notice = "history database was unreadable: moved to " + moved + ", started a new one"
	}
	d.store = st
	if _, err := st.Compact(context.Background(), time.Now()); err != nil {
		d.notice = "history roll-up failed: " + err.Error()
	}
	d.recorder = feeds.NewRecorder(st, 64)
	d.backfill, err = feeds.NewBackfill(st, store.MetricKey, feeds.BackfillOptions{Endpoints: src.Endpoints, Symbols: src.Symbols})
	if err != nil {
		st.Close()
		return nil, err
	}
	d.hub = feeds.NewHub(nil)
	d.poller, err = feeds.NewPoller(d.hub, groups, feeds.PollerOptions{OnBatch: d.recorder.OnBatch})
	if err != nil {
		st.Close()
		return nil, err
	}
	return d, nil
}

// dashFPS caps how often the renderer looks for a new frame. Idle, frames
// change at most once a second; 10 checks a second keep a key's effect
// within 100 ms while an idle dashboard uses 0.15% of a core (60, the
// default, used 0.65%; measured in BENCHMARKS.md).
const dashFPS = 10

// runDash runs the dashboard in this terminal.
func runDash(args []string, stdout, stderr io.Writer) int {
	fs, f := newDashFlags(stderr)
	if code, done := parseFlags(fs, args, stdout, stderr, func(w io.Writer) {
		usage(w)
		fmt.Fprintln(w, "\nDashboard flags (hashdeck with no command):")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}); done {
		return code
	}
	fs.Visit(func(fl *flag.Flag) { f.explicit = f.explicit || fl.Name == "config" })
	f.noColor = f.noColor || os.Getenv("NO_COLOR") != ""
	d, err := f.setup()
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	theme := f.theme
	if theme == "" && d.cfg.Display.Theme != config.ThemeAuto {
		theme = string(d.cfg.Display.Theme)
	}
	model, err := tui.New(tui.Options{Env: d.env, Hub: d.hub, Theme: theme, NoColor: f.noColor, Notice: d.notice})
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	defer model.Close()

	ctx, cancel := context.WithCancel(context.Background())
	prog := tea.NewProgram(model, tea.WithContext(ctx), tea.WithFPS(dashFPS))
	var wg sync.WaitGroup
	if d.poller != nil {
		wg.Go(func() { d.poller.Run(ctx) })
		wg.Go(func() { d.recorder.Run(ctx) })
		d.backfill.Start(ctx)
		wg.Go(func() {
			// What the store already holds, then again after every backfill run.
			if h, err := loadHistory(ctx, d.store, d.env); err == nil {
				prog.Send(tui.HistoryMsg{H: h})
			}
			for {
				select {
				case p := <-d.backfill.Progress():
					prog.Send(tui.BackfillMsg(p))
					if p.Finished {
						if h, err := loadHistory(ctx, d.store, d.env); err == nil {
							prog.Send(tui.HistoryMsg{H: h})
						}
					}
				case <-ctx.Done():
					return
				}
			}
		})
	}
	_, err = prog.Run()
	cancel()
	if d.backfill != nil {
		d.backfill.Wait()
	}
	wg.Wait() // the recorder writes what is pending before it returns
	if d.store != nil {
		if cerr := d.store.Close(); cerr != nil {
			fmt.Fprintln(stderr, "hashdeck: closing the history store:", cerr)
		}
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitError
	}
	return exitOK
}
