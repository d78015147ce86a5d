package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/serve"
)

func serveUsage(fs *flag.FlagSet) func(w io.Writer) {
	return func(w io.Writer) {
		fmt.Fprintln(w, "Usage: hashdeck serve --authorized-keys FILE [flags]")
		fmt.Fprintln(w, "\nServes the dashboard over SSH to every holder of an authorised key. One process")
		fmt.Fprintln(w, "polls the upstreams for all viewers; each SSH session gets its own dashboard.")
		fmt.Fprintln(w, "\nViewers connect with:")
		fmt.Fprintln(w, "  ssh -t -p 2222 HOST                      the dashboard (ctrl+s copies the screen)")
		fmt.Fprintln(w, "  ssh -t -p 2222 HOST dash --theme light   per-session --theme and --no-color")
		fmt.Fprintln(w, "  ssh -p 2222 HOST snapshot --format txt   the overview as plain text, 120×40")
		fmt.Fprintln(w, "No shell, exec, port forwarding, SCP or SFTP. Logs go to stderr; SIGINT or")
		fmt.Fprintln(w, "SIGTERM says goodbye to every session and exits within 5 s.")
		fmt.Fprintln(w, "\nFlags (and the dashboard's --offline, --config, --data-dir, --theme, --no-color):")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// runServe runs `hashdeck serve` until SIGINT or SIGTERM.
func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveMain(ctx, args, stdout, stderr)
}

// serveMain is runServe with the context that ends the server: flags, the
// app's wiring, then the server until ctx ends.
func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newDashFlags(stderr)
	fs.Init("hashdeck serve", flag.ContinueOnError)
	var o serve.Options
	fs.StringVar(&o.Listen, "listen", serve.DefaultListen, "SSH `address` to listen on; anything but loopback must be asked for here")
	fs.StringVar(&o.HostKey, "host-key", "", "host key `file`, ed25519, created (mode 0600) on first start (default $XDG_DATA_HOME/hashdeck/"+serve.HostKeyName+")")
	fs.StringVar(&o.AuthorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys `file` of the keys let in; re-read when it changes")
	fs.BoolVar(&o.AllowAnyone, "allow-anyone", false, "let anyone in without an authorised key (announced in the log and to every viewer)")
	fs.IntVar(&o.MaxSessions, "max-sessions", serve.DefaultMaxSessions, "sessions open at once; the next client is told the server is full")
	fs.IntVar(&o.RatePerMinute, "rate-limit", serve.DefaultRate, "new connections per minute from one IP address (0: no limit)")
	fs.DurationVar(&o.Idle, "idle", serve.DefaultIdle, "end a dashboard after this long without a key press")
	fs.DurationVar(&o.MaxSession, "max-session", serve.DefaultMaxSession, "end any session after this long")
	fs.StringVar(&o.Metrics, "metrics", "", "serve Prometheus metrics on http://`address`/metrics (e.g. 127.0.0.1:9108; default off)")
	if code, done := parseFlags(fs, args, stdout, stderr, serveUsage(fs)); done {
		return code
	}
	fs.Visit(func(fl *flag.Flag) { f.explicit = f.explicit || fl.Name == "config" })
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	f.noColor = f.noColor || os.Getenv("NO_COLOR") != ""
	a, err := app.New(ctx, f.options())
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitUsage
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("closing the history store", "err", err)
		}
	}()
	o.Theme, o.NoColor, o.Notice, o.Secrets = a.ThemeName(), f.noColor, a.Notice, a.Secrets()
	if o.HostKey == "" {
		dir, err := a.DataDir()
		if err != nil {
			fmt.Fprintln(stderr, "hashdeck serve: host key:", err, "(use --host-key or --data-dir)")
			return exitUsage
		}
		o.HostKey = filepath.Join(dir, serve.HostKeyName)
	}
	srv, err := serve.New(a.Env, a.Hub, o, log)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitUsage
	}

	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitError
	}
	var mln net.Listener
	if o.Metrics != "" {
		if mln, err = net.Listen("tcp", o.Metrics); err != nil {
			ln.Close()
			fmt.Fprintln(stderr, "hashdeck serve: --metrics:", err)
			return exitError
		}
	}
	app.TuneGC(os.Getenv)
	bg, stopBG := context.WithCancel(context.Background())
	a.OnRecorder(func(s feeds.RecorderStats) {
		if s.Failing {
			log.Error("history not saved", "err", s.LastError)
		} else {
			log.Info("history saved again")
		}
	})
	wait := a.Start(bg, func(h *board.History, err error) {
		if err != nil {
			log.Warn("reading the history store", "err", err)
			return
		}
		srv.SetHistory(h)
	}, srv.SetBackfill)
	// After the goodbyes: stop the poller and let the recorder write what
	// is pending.
	if err := srv.Run(ctx, ln, mln, func() { stopBG(); wait() }); err != nil {
		return exitError
	}
	return exitOK
}
