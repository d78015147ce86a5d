package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui"
)

// dashFlags are the flags of the dashboard (hashdeck with no command).
type dashFlags struct {
	offline    bool
	configPath string
	explicit   bool // --config was given
	theme      string
	noColor    bool
}

func newDashFlags(stderr io.Writer) (*flag.FlagSet, *dashFlags) {
	f := &dashFlags{}
	fs := flag.NewFlagSet("hashdeck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.offline, "offline", false, "make no network request: show the embedded dataset only")
	fs.StringVar(&f.configPath, "config", "", "configuration `file` (default $XDG_CONFIG_HOME/hashdeck/config.toml)")
	fs.StringVar(&f.theme, "theme", "", "colour `theme`: dark, light, high-contrast or colorblind (default: the config's, else follow the terminal)")
	fs.BoolVar(&f.noColor, "no-color", false, "draw without colour (also when NO_COLOR is set)")
	return fs, f
}

// setup loads the configuration and the dataset and builds the shared
// dashboard environment and, unless offline, the feeds poller.
func (f *dashFlags) setup() (*tui.Env, *feeds.Hub, *feeds.Poller, Config, error) {
	cfg, err := LoadConfig(f.configPath, f.explicit, os.Getenv)
	if err != nil {
		return nil, nil, nil, cfg, err
	}
	if f.theme != "" {
		if _, err := themes.Lookup(f.theme); err != nil {
			return nil, nil, nil, cfg, fmt.Errorf("--theme: %w", err)
		}
	}
	ds, err := dataset.Load()
	if err != nil {
		return nil, nil, nil, cfg, fmt.Errorf("embedded dataset: %w", err)
	}
	syms, err := cfg.Symbols()
	if err != nil {
		return nil, nil, nil, cfg, err
	}
	env := tui.NewEnv(ds, syms.List())
	for _, t := range env.Peers {
		if o, ok := cfg.Override(t); ok {
			env.Miners[t] = o.Apply(env.Miners[t], ds.PeriodHashvalue)
		}
	}
	env.Fleet = tui.Fleet{Efficiency: cfg.Fleet.Efficiency, PowerPrice: cfg.Fleet.PowerPrice, PoolFee: cfg.Fleet.PoolFee}
	env.Alerts = tui.Alerts{HashpriceBelow: cfg.Alerts.HashpriceBelow, MarginBelowPct: cfg.Alerts.SectorMarginBelow,
		PeerMovePct: cfg.Alerts.PeerDailyMove, Bell: cfg.Display.Bell}
	env.Offline = f.offline
	if f.offline {
		return env, nil, nil, cfg, nil
	}
	src, err := cfg.Sources(os.Getenv)
	if err != nil {
		return nil, nil, nil, cfg, err
	}
	src.NewYork = newYork()
	groups, err := feeds.Groups(src)
	if err != nil {
		return nil, nil, nil, cfg, err
	}
	hub := feeds.NewHub(nil)
	poller, err := feeds.NewPoller(hub, groups, feeds.PollerOptions{})
	if err != nil {
		return nil, nil, nil, cfg, err
	}
	return env, hub, poller, cfg, nil
}

// dashFPS caps how often the renderer looks for a new frame. Idle, frames
// change at most once a second; 10 checks a second keep a key's effect
// within 100 ms while an idle dashboard uses 0.15% of a core (60, the
// default, used 0.65%; measured in BENCHMARKS.md).
const dashFPS = 10

// runDash runs the dashboard in this terminal.
func runDash(args []string, stdout, stderr io.Writer) int {
	fs, f := newDashFlags(stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			fmt.Fprintln(stdout, "\nDashboard flags (hashdeck with no command):")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintln(stderr, "Run 'hashdeck --help' for the flags.")
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hashdeck: unknown command %q\n\n", fs.Arg(0))
		usage(stderr)
		return exitUsage
	}
	fs.Visit(func(fl *flag.Flag) { f.explicit = f.explicit || fl.Name == "config" })
	f.noColor = f.noColor || os.Getenv("NO_COLOR") != ""
	env, hub, poller, cfg, err := f.setup()
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	theme := f.theme
	if theme == "" && cfg.Display.Theme != ThemeAuto {
		theme = string(cfg.Display.Theme)
	}
	model, err := tui.New(tui.Options{Env: env, Hub: hub, Theme: theme, NoColor: f.noColor})
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	defer model.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if poller != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			poller.Run(ctx)
		}()
	}
	_, err = tea.NewProgram(model, tea.WithContext(ctx), tea.WithFPS(dashFPS)).Run()
	cancel()
	wg.Wait()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitError
	}
	return exitOK
}
