package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/atomicfile"
	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/report"
	"github.com/hashdeck/hashdeck/themes"
	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/snapshot"
)

// snapshotFormats are the output formats, in the order the help lists them.
func snapshotFormats() []string { return []string{"txt", "ansi", "svg", "png", "html", "json"} }

// Bounds of a snapshot: the dashboard's minimum, a maximum that keeps
// images to a sane size, and the largest PNG drawn.
const (
	snapshotMaxWidth  = 500
	snapshotMaxHeight = 200
	snapshotMaxScale  = 4
	snapshotMaxPixels = 40_000_000
)

// snapshotFlags are the flags of hashdeck snapshot: the dashboard's own
// (--offline, --config, --theme, --no-color, --data-dir) and the snapshot's.
type snapshotFlags struct {
	dash                             *dashFlags
	view, size, format, out, at, rng string
	frame                            bool
	scale                            int
	timeout                          time.Duration
}

func newSnapshotFlags(stderr io.Writer) (*flag.FlagSet, *snapshotFlags) {
	fs, df := newDashFlags(stderr)
	fs.Init("hashdeck snapshot", flag.ContinueOnError)
	f := &snapshotFlags{dash: df}
	fs.Lookup("offline").Usage = "make no network request: use the embedded dataset only"
	fs.Lookup("theme").Usage = "colour `theme`: dark, light, high-contrast or colorblind (default: the config's, else dark)"
	fs.Lookup("no-color").Usage = "draw without colour (NO_COLOR also turns colour off for --format ansi)"
	fs.Lookup("data-dir").Usage = "`directory` of the history database, read when live (default $XDG_DATA_HOME/hashdeck)"
	fs.StringVar(&f.view, "view", "overview", "`view` to draw: overview, peers, charts, miner:TICKER, scenario or costs")
	fs.StringVar(&f.size, "size", "160x48", "terminal size in cells, `WIDTHxHEIGHT` (at least 80x24)")
	fs.StringVar(&f.format, "format", "", "output `format`: txt, ansi, svg, png, html or json (default: from --out's extension, else txt)")
	fs.StringVar(&f.out, "out", "", "write to `FILE` instead of stdout (required for png; - is stdout)")
	fs.StringVar(&f.at, "at", "", "compute the board as of `TIME` (RFC 3339 or YYYY-MM-DD, UTC, not in the future) from the embedded data; implies --offline and fixes the clock, so the output is reproducible")
	fs.StringVar(&f.rng, "range", "1Y", "chart `range`: 1M, 3M, 1Y, 3Y or all")
	fs.BoolVar(&f.frame, "frame", false, "draw a window title bar (view, as-of time, data mode) above the frame: svg, png and html")
	fs.IntVar(&f.scale, "scale", 1, "pixel `scale` of png (1–4; 2 for sharp text on dense screens) and the display size of svg and html")
	durationVar(fs, &f.timeout, "timeout", 15*time.Second, "wait at most this `duration` for the live data (30s, 2m, or seconds)")
	return fs, f
}

// snapshotPlan is the flags checked and resolved.
type snapshotPlan struct {
	ui      tui.UI
	detail  string // --view miner:TICKER, as given (upper case)
	w, h    int
	format  string
	at      time.Time // zero: now
	scale   int
	frame   bool
	timeout time.Duration
}

// flagError is a bad flag: exit 2, naming it.
type flagError struct{ flag, msg string }

func (e *flagError) Error() string { return "--" + e.flag + ": " + e.msg }

// plan checks every flag that needs no configuration; now is the clock
// --at is checked against.
func (f *snapshotFlags) plan(now time.Time) (snapshotPlan, error) {
	p := snapshotPlan{scale: f.scale, frame: f.frame, timeout: f.timeout}
	var err error
	if p.w, p.h, err = parseSnapshotSize(f.size); err != nil {
		return p, err
	}
	if p.ui, p.detail, err = parseSnapshotView(f.view); err != nil {
		return p, err
	}
	if p.ui.Range, err = parseSnapshotRange(f.rng); err != nil {
		return p, err
	}
	if p.format, err = snapshotFormat(f.format, f.out); err != nil {
		return p, err
	}
	if p.format == "png" && f.out == "" {
		return p, &flagError{"out", "png is binary: give a file (--out snapshot.png, or --out - for stdout)"}
	}
	if f.frame && !slices.Contains([]string{"svg", "png", "html"}, p.format) {
		return p, &flagError{"frame", "a title bar is drawn on svg, png and html only, not " + p.format}
	}
	if f.scale < 1 || f.scale > snapshotMaxScale {
		return p, &flagError{"scale", fmt.Sprintf("%d is not between 1 and %d", f.scale, snapshotMaxScale)}
	}
	if p.format == "png" {
		o := snapshot.Options{Scale: f.scale}
		if f.frame {
			o.Title = "title"
		}
		pw, ph := o.Size(p.w, p.h)
		if pw*ph > snapshotMaxPixels {
			return p, &flagError{"scale", fmt.Sprintf("%dx%d at scale %d is %d×%d pixels, more than %d million", p.w, p.h, f.scale, pw, ph, snapshotMaxPixels/1_000_000)}
		}
	}
	if f.timeout <= 0 {
		return p, &flagError{"timeout", "must be positive"}
	}
	if f.at != "" {
		if p.at, err = parseSnapshotTime(f.at); err != nil {
			return p, err
		}
		if now = now.UTC(); p.at.After(now) {
			return p, &flagError{"at", fmt.Sprintf("%s is in the future (it is now %s): a board as of a time can only use what was published by then",
				p.at.Format(time.RFC3339), now.Format(time.RFC3339))}
		}
	}
	if f.dash.theme != "" {
		if _, err := themes.Lookup(f.dash.theme); err != nil {
			return p, &flagError{"theme", err.Error()}
		}
	}
	return p, nil
}

func parseSnapshotSize(s string) (w, h int, err error) {
	bad := &flagError{"size", fmt.Sprintf("%q is not WIDTHxHEIGHT in cells, like 160x48", s)}
	ws, hs, ok := strings.Cut(strings.ToLower(strings.ReplaceAll(s, "×", "x")), "x")
	if !ok {
		return 0, 0, bad
	}
	if w, err = strconv.Atoi(strings.TrimSpace(ws)); err != nil {
		return 0, 0, bad
	}
	if h, err = strconv.Atoi(strings.TrimSpace(hs)); err != nil {
		return 0, 0, bad
	}
	switch {
	case w < tui.MinWidth || h < tui.MinHeight:
		return 0, 0, &flagError{"size", fmt.Sprintf("%dx%d is below the dashboard's minimum of %dx%d", w, h, tui.MinWidth, tui.MinHeight)}
	case w > snapshotMaxWidth || h > snapshotMaxHeight:
		return 0, 0, &flagError{"size", fmt.Sprintf("%dx%d is above the maximum of %dx%d", w, h, snapshotMaxWidth, snapshotMaxHeight)}
	}
	return w, h, nil
}

// parseSnapshotView reads overview, peers, charts, scenario, miner (the
// first peer) or miner:TICKER.
func parseSnapshotView(s string) (tui.UI, string, error) {
	ui := tui.UI{Range: tui.Range1Y}
	name, ticker, hasTicker := strings.Cut(strings.TrimSpace(s), ":")
	switch strings.ToLower(name) {
	case "overview":
		ui.View = tui.ViewOverview
	case "peers":
		ui.View = tui.ViewPeers
	case "charts":
		ui.View = tui.ViewCharts
	case "scenario":
		ui.View = tui.ViewScenario
	case "costs":
		ui.View = tui.ViewCosts
	case "miner":
		ui.View = tui.ViewDetail
		if hasTicker {
			ticker = strings.ToUpper(strings.TrimSpace(ticker))
			if ticker == "" {
				return ui, "", &flagError{"view", "miner: needs a ticker, like miner:IREN"}
			}
			return ui, ticker, nil
		}
		return ui, "", nil
	default:
		return ui, "", &flagError{"view", fmt.Sprintf("unknown view %q (want overview, peers, charts, miner:TICKER, scenario or costs)", s)}
	}
	if hasTicker {
		return ui, "", &flagError{"view", fmt.Sprintf("only the miner view takes a ticker (%q)", s)}
	}
	return ui, "", nil
}

func parseSnapshotRange(s string) (tui.Range, error) {
	for r := tui.Range1M; r <= tui.RangeAll; r++ {
		if strings.EqualFold(s, r.String()) {
			return r, nil
		}
	}
	return 0, &flagError{"range", fmt.Sprintf("unknown range %q (want 1M, 3M, 1Y, 3Y or all)", s)}
}

// snapshotFormat returns the format given, else the one of the output
// file's extension, else txt.
func snapshotFormat(format, out string) (string, error) {
	if format != "" {
		f := strings.ToLower(format)
		if f == "text" {
			f = "txt"
		}
		if !slices.Contains(snapshotFormats(), f) {
			return "", &flagError{"format", fmt.Sprintf("unknown format %q (want %s)", format, strings.Join(snapshotFormats(), ", "))}
		}
		return f, nil
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(out), "."))
	switch ext {
	case "":
		return "txt", nil
	case "htm":
		return "html", nil
	case "text":
		return "txt", nil
	case "ans":
		return "ansi", nil
	}
	if !slices.Contains(snapshotFormats(), ext) {
		return "", &flagError{"format", fmt.Sprintf("cannot tell the format of %s from its extension: give --format (%s)", filepath.Base(out), strings.Join(snapshotFormats(), ", "))}
	}
	return ext, nil
}

func parseSnapshotTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, &flagError{"at", fmt.Sprintf("%q is not a time: write 2025-11-22T00:00:00Z or 2025-11-22", s)}
}

// snapshotUsage prints the help of hashdeck snapshot.
func snapshotUsage(fs *flag.FlagSet) func(w io.Writer) {
	return func(w io.Writer) {
		fmt.Fprintln(w, "Usage: hashdeck snapshot [--view VIEW] [--size 160x48] [--format FORMAT] [--out FILE] [flags]")
		fmt.Fprintln(w, "\nDraws one view of the dashboard, exactly as the terminal shows it, into a file for")
		fmt.Fprintln(w, "reports and chats: plain text (txt), ANSI (ansi), SVG, PNG, a self-contained HTML")
		fmt.Fprintln(w, "page, or the whole board as JSON (units in the key names, the source and as-of of")
		fmt.Fprintln(w, "every input). txt and ansi have exactly the requested width and height.")
		fmt.Fprintln(w, "\nLive (the default), every source is polled once (at most --timeout) and the")
		fmt.Fprintln(w, "values that are stale or embedded are listed on stderr. --at computes the board")
		fmt.Fprintln(w, "from the embedded data as of that time with the clock fixed: two runs give the")
		fmt.Fprintln(w, "same bytes. API keys and the configuration path never appear in a snapshot.")
		fmt.Fprintln(w, "\nExamples:")
		fmt.Fprintln(w, "  hashdeck snapshot --view peers --out peers.png --scale 2")
		fmt.Fprintln(w, "  hashdeck snapshot --view miner:IREN --format html --frame > iren.html")
		fmt.Fprintln(w, "  hashdeck snapshot --at 2025-12-29T12:00:00Z --format json")
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// runSnapshot draws one view into a file or stdout.
func runSnapshot(args []string, stdout, stderr io.Writer) int {
	return runSnapshotAt(args, stdout, stderr, time.Now)
}

// runSnapshotAt is runSnapshot with the clock that --at may not be after.
func runSnapshotAt(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs, f := newSnapshotFlags(stderr)
	if code, done := parseFlags(fs, args, stdout, stderr, snapshotUsage(fs)); done {
		return code
	}
	fs.Visit(func(fl *flag.Flag) { f.dash.explicit = f.dash.explicit || fl.Name == "config" })
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "hashdeck snapshot:", err)
		return code
	}
	p, err := f.plan(now())
	if err != nil {
		return fail(exitUsage, err)
	}
	f.dash.at = p.at
	d, err := app.New(context.Background(), f.dash.options())
	if err != nil {
		return fail(exitUsage, err)
	}
	defer func() {
		if err := d.Close(); err != nil {
			fmt.Fprintln(stderr, "hashdeck snapshot: closing the history store:", err)
		}
	}()
	if d.Notice != "" {
		fmt.Fprintln(stderr, "hashdeck snapshot:", d.Notice)
	}
	if p.detail != "" {
		t := d.Cfg.Canonical(p.detail)
		if !slices.Contains(d.Env.Peers, t) {
			return fail(exitUsage, &flagError{"view", fmt.Sprintf("%s is not a peer (peers: %s)", p.detail, strings.Join(d.Env.Peers, ", "))})
		}
		p.ui.Detail = t
	}

	data, err := d.Board(p.at, p.timeout, stderr)
	if err != nil {
		return fail(exitUsage, err)
	}

	themeName := d.ThemeName()
	if themeName == "" {
		themeName = "dark"
	}
	mono := f.dash.noColor || p.format == "ansi" && os.Getenv("NO_COLOR") != ""
	th, err := themes.Get(themeName, mono)
	if err != nil {
		return fail(exitUsage, &flagError{"theme", err.Error()})
	}

	secrets := d.Secrets()
	frame := report.Redact(tui.Render(data, p.ui, p.w, p.h, th), secrets)
	var out bytes.Buffer
	switch p.format {
	case "txt":
		out.WriteString(snapshot.Text(frame))
	case "ansi":
		out.WriteString(snapshot.ANSI(frame))
	case "json":
		meta := snapshot.Meta{View: p.ui.Name(), Theme: th.Name, ClockFixed: !p.at.IsZero(),
			Dataset: d.Env.Dataset.AsOfAt(p.at), Overrides: d.Overrides()}
		if err := snapshot.JSON(&out, data, meta); err != nil {
			return fail(exitError, err)
		}
		b := []byte(report.Redact(out.String(), secrets))
		out.Reset()
		out.Write(b)
	default:
		g := snapshot.Parse(frame, p.w, p.h)
		o := snapshot.Options{Scheme: snapshot.SchemeFor(themeName), Scale: p.scale}
		if p.frame {
			o.Title = report.Redact(p.ui.Title(data), secrets)
		}
		write := map[string]func(io.Writer, *snapshot.Grid, snapshot.Options) error{
			"svg": snapshot.SVG, "png": snapshot.PNG, "html": snapshot.HTML,
		}[p.format]
		if err := write(&out, g, o); err != nil {
			return fail(exitError, err)
		}
	}
	if f.out == "" || f.out == "-" {
		if _, err := stdout.Write(out.Bytes()); err != nil {
			return fail(exitError, err)
		}
		return exitOK
	}
	if err := atomicfile.Write(f.out, out.Bytes(), 0o644); err != nil {
		return fail(exitError, err)
	}
	return exitOK
}
