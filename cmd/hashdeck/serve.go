package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/app"
	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/tui/board"
)

// serveOptions configure `hashdeck serve`. The zero values of the fields
// after metrics take the defaults (tests shorten them).
type serveOptions struct {
	listen         string
	hostKey        string
	authorizedKeys string
	allowAnyone    bool
	maxSessions    int
	ratePerMinute  int           // new connections per minute from one IP; 0 = no limit
	idle           time.Duration // quit a dashboard after this long without a key press
	maxSession     time.Duration // and after this long in any case
	metrics        string        // address of /metrics; "" = off

	// theme and noColor are the defaults for sessions (--theme, --no-color);
	// notice is shown in every dashboard's status bar until its first key;
	// secrets (API keys, the configuration's path) are masked in every
	// frame a viewer is sent.
	theme   string
	noColor bool
	notice  string
	secrets []string

	handshakeTimeout time.Duration // default 15 s
	keysPoll         time.Duration // how often the authorized keys file is checked (default 2 s)
	quitGrace        time.Duration // how long a session may take to say goodbye (default 2 s)
}

// Defaults of `hashdeck serve`.
const (
	serveDefaultListen      = "127.0.0.1:2222"
	serveDefaultMaxSessions = 64
	serveDefaultRate        = 30
	serveDefaultIdle        = 30 * time.Minute
	serveDefaultMaxSession  = 24 * time.Hour
	serveHostKeyName        = "ssh_host_ed25519"
	// serveGCPercent is the garbage collector's target (GOGC) unless the
	// environment sets one: a server holding many idle dashboards trades a
	// little GC time for memory per viewer. With 100 idle 80×24 sessions:
	// 1.7 MiB of RSS per session at 50 against 2.6 MiB at Go's default 100
	// (serve_load_test.go).
	serveGCPercent = 50
	// serveShutdownBudget bounds a graceful shutdown: the process must exit
	// within 5 s of SIGTERM even with sessions connected.
	serveShutdownBudget = 4 * time.Second
)

func (o *serveOptions) defaults() {
	if o.handshakeTimeout <= 0 {
		o.handshakeTimeout = 15 * time.Second
	}
	if o.keysPoll <= 0 {
		o.keysPoll = 2 * time.Second
	}
	if o.quitGrace <= 0 {
		o.quitGrace = 2 * time.Second
	}
}

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

// serveMain is runServe with the context that ends the server.
func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newDashFlags(stderr)
	fs.Init("hashdeck serve", flag.ContinueOnError)
	var o serveOptions
	fs.StringVar(&o.listen, "listen", serveDefaultListen, "SSH `address` to listen on; anything but loopback must be asked for here")
	fs.StringVar(&o.hostKey, "host-key", "", "host key `file`, ed25519, created (mode 0600) on first start (default $XDG_DATA_HOME/hashdeck/"+serveHostKeyName+")")
	fs.StringVar(&o.authorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys `file` of the keys let in; re-read when it changes")
	fs.BoolVar(&o.allowAnyone, "allow-anyone", false, "let anyone in without an authorised key (announced in the log and to every viewer)")
	fs.IntVar(&o.maxSessions, "max-sessions", serveDefaultMaxSessions, "sessions open at once; the next client is told the server is full")
	fs.IntVar(&o.ratePerMinute, "rate-limit", serveDefaultRate, "new connections per minute from one IP address (0: no limit)")
	fs.DurationVar(&o.idle, "idle", serveDefaultIdle, "end a dashboard after this long without a key press")
	fs.DurationVar(&o.maxSession, "max-session", serveDefaultMaxSession, "end any session after this long")
	fs.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics on http://`address`/metrics (e.g. 127.0.0.1:9108; default off)")
	if code, done := parseFlags(fs, args, stdout, stderr, serveUsage(fs)); done {
		return code
	}
	fs.Visit(func(fl *flag.Flag) { f.explicit = f.explicit || fl.Name == "config" })
	if err := o.check(); err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	f.noColor = f.noColor || os.Getenv("NO_COLOR") != ""
	d, err := app.New(f.options())
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitUsage
	}
	defer func() {
		if err := d.Close(); err != nil {
			log.Error("closing the history store", "err", err)
		}
	}()
	o.theme, o.noColor, o.notice = d.ThemeName(), f.noColor, d.Notice
	o.secrets = d.Secrets()
	if o.hostKey == "" {
		dir, err := d.DataDir()
		if err != nil {
			fmt.Fprintln(stderr, "hashdeck serve: host key:", err, "(use --host-key or --data-dir)")
			return exitUsage
		}
		o.hostKey = filepath.Join(dir, serveHostKeyName)
	}

	srv, err := newServeServer(d.Env, d.Hub, o, log)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck serve:", err)
		return exitError
	}
	var metricsSrv *http.Server
	if o.metrics != "" {
		mln, err := net.Listen("tcp", o.metrics)
		if err != nil {
			ln.Close()
			fmt.Fprintln(stderr, "hashdeck serve: --metrics:", err)
			return exitError
		}
		metricsSrv = srv.metrics.server()
		if !serveIsLoopback(mln.Addr()) {
			log.Warn("metrics are reachable from the network: anyone who can reach this address reads them", "addr", mln.Addr().String())
		}
		log.Info("metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
		go func() {
			if err := metricsSrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
	}

	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	bg, stopBG := context.WithCancel(context.Background())
	wait := d.Start(bg, func(h *board.History, err error) {
		if err != nil {
			log.Warn("reading the history store", "err", err)
			return
		}
		srv.setHistory(h)
	}, srv.setBackfill)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	srv.logStart(ln.Addr())

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("shutting down: saying goodbye to every session", "sessions", srv.openSessions())
	case err := <-serveErr:
		log.Error("ssh server stopped", "err", err)
		code = exitError
	}
	start := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownBudget)
	defer cancel()
	srv.Shutdown(sctx)
	if metricsSrv != nil {
		mctx, mcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		if metricsSrv.Shutdown(mctx) != nil {
			metricsSrv.Close()
		}
		mcancel()
	}
	stopBG()
	wait() // the recorder writes what is pending before it returns
	log.Info("stopped", "shutdown", time.Since(start).Round(time.Millisecond).String())
	return code
}

// check validates the flags that need more than their type.
func (o *serveOptions) check() error {
	switch {
	case o.authorizedKeys == "" && !o.allowAnyone:
		return errors.New("refusing to start without --authorized-keys FILE (or --allow-anyone to let anyone in)")
	case o.authorizedKeys != "" && o.allowAnyone:
		return errors.New("--authorized-keys and --allow-anyone contradict each other: choose one")
	case o.maxSessions < 1:
		return errors.New("--max-sessions must be at least 1")
	case o.ratePerMinute < 0:
		return errors.New("--rate-limit must not be negative")
	case o.idle <= 0:
		return errors.New("--idle must be positive")
	case o.maxSession <= 0:
		return errors.New("--max-session must be positive")
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return fmt.Errorf("--listen %q: %w", o.listen, err)
	}
	if o.metrics != "" {
		if _, _, err := net.SplitHostPort(o.metrics); err != nil {
			return fmt.Errorf("--metrics %q: %w", o.metrics, err)
		}
	}
	return nil
}

// serveServer is the SSH side of `hashdeck serve`: one per process, shared
// by every session. Everything mutable lives here, never in package state.
type serveServer struct {
	o       serveOptions
	log     *slog.Logger
	env     *board.Env
	hub     *feeds.Hub // nil offline
	keys    *serveKeyring
	limiter *serveRateLimiter
	metrics *serveMetrics
	ssh     *ssh.Server
	hostKey gossh.PublicKey

	mu       sync.Mutex
	sessions map[uint64]*serveSession
	nextID   uint64
	closing  bool
	history  *board.History
	backfill *feeds.BackfillProgress
	handlers sync.WaitGroup // running session handlers
	stop     chan struct{}  // closed by Shutdown: ends the keys watcher
}

// newServeServer builds the server: host key (created when missing),
// authorised keys, limits and metrics. It does not listen yet.
func newServeServer(env *board.Env, hub *feeds.Hub, o serveOptions, log *slog.Logger) (*serveServer, error) {
	o.defaults()
	s := &serveServer{
		o: o, log: log, env: env, hub: hub,
		limiter:  newServeRateLimiter(o.ratePerMinute),
		sessions: make(map[uint64]*serveSession),
		stop:     make(chan struct{}),
	}
	s.metrics = newServeMetrics(env, hub, s.openSessions, s.sharedHistory)
	signer, created, err := serveLoadHostKey(o.hostKey)
	if err != nil {
		return nil, err
	}
	s.hostKey = signer.PublicKey()
	if created {
		log.Info("created a host key", "path", o.hostKey, "fingerprint", gossh.FingerprintSHA256(s.hostKey))
	}
	if !o.allowAnyone {
		s.keys, err = newServeKeyring(o.authorizedKeys, log)
		if err != nil {
			return nil, err
		}
	}
	opts := []ssh.Option{
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithVersion("hashdeck"),
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		wish.WithMaxTimeout(o.maxSession + time.Minute), // a backstop: sessions end themselves at maxSession
		wish.WithMiddleware(func(ssh.Handler) ssh.Handler { return s.handle }),
		ssh.WrapConn(s.wrapConn),
	}
	if o.allowAnyone {
		opts = append(opts,
			// Clients without a key get in too, with no question asked.
			wish.WithKeyboardInteractiveAuth(func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }),
			wish.WithBannerHandler(func(ssh.Context) string { return serveAnyoneBanner }),
		)
	}
	s.ssh, err = wish.NewServer(opts...)
	if err != nil {
		return nil, err
	}
	s.ssh.HandshakeTimeout = o.handshakeTimeout
	s.ssh.ServerConfigCallback = s.serverConfig
	s.ssh.ConnectionFailedCallback = s.connectionFailed
	return s, nil
}

const serveAnyoneBanner = "*** hashdeck: this server lets ANYONE in (--allow-anyone); treat what you see as public. ***\r\n"

// Serve accepts connections on ln until Shutdown.
func (s *serveServer) Serve(ln net.Listener) error {
	if s.keys != nil {
		go s.watchKeys()
	}
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// logStart announces the server, loudly when it is open to anyone or to the network.
func (s *serveServer) logStart(addr net.Addr) {
	host, port, _ := net.SplitHostPort(addr.String())
	auth := "authorized-keys"
	if s.o.allowAnyone {
		auth = "anyone"
	}
	s.log.Info("listening", "addr", addr.String(), "auth", auth, "host_key", gossh.FingerprintSHA256(s.hostKey),
		"max_sessions", s.o.maxSessions, "idle", s.o.idle.String(), "max_session", s.o.maxSession.String(),
		"connect", "ssh -t -p "+port+" "+host)
	if !serveIsLoopback(addr) {
		s.log.Warn("LISTENING ON A NON-LOOPBACK ADDRESS: the dashboard is reachable from the network", "addr", addr.String())
	}
	if s.o.allowAnyone {
		s.log.Warn("ANYONE CAN LOG IN (--allow-anyone): no key is checked; every viewer is told so")
	}
}

// serveIsLoopback reports whether addr is a loopback address.
func serveIsLoopback(addr net.Addr) bool {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errServeShutdown and errServeRevoked end sessions; their text is the goodbye.
var (
	errServeShutdown = errors.New("the server is shutting down")
	errServeRevoked  = errors.New("your key was removed from the authorised keys")
)

// Shutdown ends every session with a goodbye line, then closes every
// connection; it returns by ctx's deadline at the latest.
func (s *serveServer) Shutdown(ctx context.Context) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	close(s.stop)
	for _, ss := range s.sessions {
		ss.cancel(errServeShutdown)
	}
	s.mu.Unlock()

	// Stop accepting: Shutdown closes the listeners at once and then waits
	// for connections, which Close below ends.
	go s.ssh.Shutdown(ctx)
	done := make(chan struct{})
	go func() { s.handlers.Wait(); close(done) }()
	grace := s.o.quitGrace + 500*time.Millisecond
	if dl, ok := ctx.Deadline(); ok {
		grace = min(grace, time.Until(dl)-500*time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(max(grace, 0)):
		s.log.Warn("sessions still open after the grace period: closing their connections")
	}
	s.ssh.Close()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("session handlers still running at the shutdown deadline")
	}
}

// openSessions returns how many sessions are open.
func (s *serveServer) openSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// setHistory and setBackfill record what every session should show and
// tell each session to pick it up.
func (s *serveServer) setHistory(h *board.History) {
	s.mu.Lock()
	s.history = h
	s.mu.Unlock()
	s.notifyAll()
}

func (s *serveServer) setBackfill(p feeds.BackfillProgress) {
	s.mu.Lock()
	s.backfill = &p
	s.mu.Unlock()
	s.notifyAll()
}

func (s *serveServer) shared() (*board.History, *feeds.BackfillProgress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.history, s.backfill
}

func (s *serveServer) sharedHistory() *board.History {
	h, _ := s.shared()
	return h
}

func (s *serveServer) notifyAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		ss.inbox.update()
	}
}

// watchKeys re-reads the authorised keys when the file changes and ends
// the sessions of keys no longer in it.
func (s *serveServer) watchKeys() {
	t := time.NewTicker(s.o.keysPoll)
	defer t.Stop()
	seen := s.keys.generation()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.keys.refresh()
			g := s.keys.generation()
			if g == seen {
				continue
			}
			seen = g
			s.mu.Lock()
			for _, ss := range s.sessions {
				if ss.fingerprint != "" && !s.keys.hasFingerprint(ss.fingerprint) {
					s.log.Info("revoking session", "session", ss.id, "fingerprint", ss.fingerprint)
					ss.cancel(errServeRevoked)
				}
			}
			s.mu.Unlock()
		}
	}
}

// serveShortDuration prints 30m0s as 30m and 24h0m0s as 24h.
func serveShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
