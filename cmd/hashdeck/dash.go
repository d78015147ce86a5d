package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/feeds"
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

// options turns the flags into the app's options.
func (f *dashFlags) options() app.Options {
	return app.Options{ConfigPath: f.configPath, Explicit: f.explicit, Theme: f.theme, Offline: f.offline, At: f.at, DataDir: f.dataDir}
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
	a, err := app.New(f.options())
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	model, err := tui.New(tui.Options{Env: a.Env, Hub: a.Hub, Theme: a.ThemeName(), NoColor: f.noColor, Notice: a.Notice})
	if err != nil {
		a.Close()
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	defer model.Close()

	ctx, cancel := context.WithCancel(context.Background())
	prog := tea.NewProgram(model, tea.WithContext(ctx), tea.WithFPS(dashFPS))
	wait := a.Start(ctx, func(h *board.History, err error) {
		if err == nil {
			prog.Send(tui.HistoryMsg{H: h})
		}
	}, func(p feeds.BackfillProgress) { prog.Send(tui.BackfillMsg(p)) })
	_, err = prog.Run()
	cancel()
	wait()
	if cerr := a.Close(); cerr != nil {
		fmt.Fprintln(stderr, "hashdeck: closing the history store:", cerr)
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitError
	}
	return exitOK
}
