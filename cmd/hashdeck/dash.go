package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"

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

// runDash runs the dashboard in this terminal: bubbletea reads the keys
// and runs the model, and a tui.Screen draws each frame the moment an
// update changes it (bubbletea's own renderer would wait for its next
// tick, and wake every tick to find nothing changed).
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
	app.TuneGC(os.Getenv)
	a, err := app.New(context.Background(), f.options())
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	term, err := openTerminal()
	if err != nil {
		a.Close()
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitError
	}
	model, err := tui.New(tui.Options{Env: a.Env, Hub: a.Hub, Theme: a.ThemeName(), NoColor: f.noColor, Notice: a.Notice,
		Width: term.w, Height: term.h})
	if err != nil {
		term.restore()
		a.Close()
		fmt.Fprintln(stderr, "hashdeck:", err)
		return exitUsage
	}
	defer model.Close()

	scr := tui.NewScreen(os.Stdout, tui.ScreenOptions{Width: term.w, Height: term.h, Env: os.Environ(), Input: true})
	ctx, cancel := context.WithCancel(context.Background())
	prog := tea.NewProgram(scr.Model(model), append(scr.ProgramOptions(),
		tea.WithContext(ctx), tea.WithInput(term.in), tea.WithOutput(os.Stdout))...)
	stopResize := term.notifyResize(prog)
	scr.Start()
	a.OnRecorder(func(s feeds.RecorderStats) { prog.Send(tui.RecorderMsg(s)) })
	wait := a.Start(ctx, func(h *board.History, err error) {
		if err == nil {
			prog.Send(tui.HistoryMsg{H: h})
		}
	}, func(p feeds.BackfillProgress) { prog.Send(tui.BackfillMsg(p)) })
	_, err = prog.Run()
	cancel()
	stopResize()
	scr.Close()
	term.restore()
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

// terminal is the dashboard's terminal, in raw mode while it runs.
type terminal struct {
	in   *os.File // the keys: stdin, or the controlling terminal when stdin is not one
	con  uv.Console
	w, h int
}

// openTerminal puts the terminal in raw mode (bubbletea without its
// renderer leaves that to its caller) and reads its size.
func openTerminal() (*terminal, error) {
	t := &terminal{in: os.Stdin, w: tui.MinWidth, h: tui.MinHeight}
	t.con = uv.NewConsole(t.in, t.in, os.Environ())
	if _, err := t.con.MakeRaw(); err != nil {
		// Keys piped in: read them from the controlling terminal.
		in, _, terr := uv.OpenTTY()
		if terr != nil {
			return nil, fmt.Errorf("the dashboard needs a terminal: %w", err)
		}
		t.in = in
		t.con = uv.NewConsole(t.in, t.in, os.Environ())
		if _, err := t.con.MakeRaw(); err != nil {
			in.Close()
			return nil, fmt.Errorf("raw mode: %w", err)
		}
	}
	t.size()
	return t, nil
}

// size reads the terminal's size (80×24 if it cannot be read).
func (t *terminal) size() {
	if w, h, err := t.con.GetSize(); err == nil && w > 0 && h > 0 {
		t.w, t.h = w, h
	}
}

// notifyResize sends p the terminal's size whenever it changes, until stop.
func (t *terminal) notifyResize(p *tea.Program) (stop func()) {
	sig := make(chan os.Signal, 1)
	uv.NotifyWinch(sig)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sig:
				t.size()
				p.Send(tea.WindowSizeMsg{Width: t.w, Height: t.h})
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// restore takes the terminal out of raw mode.
func (t *terminal) restore() {
	_ = t.con.Restore()
	if t.in != os.Stdin {
		_ = t.in.Close()
	}
}
