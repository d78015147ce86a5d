// Package serve is the SSH side of `hashdeck serve`: one server per
// process shows the dashboard to every viewer who holds an authorised key
// (or to anyone, when asked), each SSH session with a dashboard of its own
// over the feeds hub that one poller fills for all of them. It also serves
// a plain-text snapshot and a help text to sessions without a terminal,
// enforces the session limits (count, rate per address, idle time,
// lifetime), logs every connection and exposes Prometheus metrics.
//
// The command (cmd/hashdeck) owns the flags, the wiring of the hub and the
// process; this package owns everything from the listener on.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/feeds"
	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/board"
)

// Options configure a Server. They mirror the flags of `hashdeck serve`,
// whose names the errors of Validate use. New gives a zero Listen,
// MaxSessions, Idle, MaxSession, HandshakeTimeout, KeysPoll or
// QuitGrace its default.
type Options struct {
	// Listen is the SSH address (host:port); it is not used by New, only
	// checked and logged: the caller listens.
	Listen string
	// HostKey is the path of the ed25519 host key, created (mode 0600) when
	// missing.
	HostKey string
	// AuthorizedKeys is the OpenSSH authorized_keys file of the keys let
	// in; it is read again when it changes. Exactly one of AuthorizedKeys
	// and AllowAnyone must be set.
	AuthorizedKeys string
	// AllowAnyone lets any client in, with or without a key; the log, the
	// SSH banner and every dashboard say so.
	AllowAnyone bool
	// MaxSessions is how many sessions may be open at once.
	MaxSessions int
	// RatePerMinute is how many new connections one IP address may open a
	// minute; 0 is no limit.
	RatePerMinute int
	// Idle ends a dashboard after this long without a key press or click;
	// MaxSession ends any session after this long.
	Idle, MaxSession time.Duration
	// Metrics is the address of the Prometheus /metrics endpoint ("" for
	// none); like Listen, it is only checked here (see Run).
	Metrics string

	// Theme and NoColor are every dashboard's defaults (a session may ask
	// for others); Notice is shown in every dashboard's status bar until
	// its first key; Secrets (API keys, the configuration's path) are
	// masked in every frame, clipboard copy and snapshot a viewer is sent.
	Theme   string
	NoColor bool
	Notice  string
	Secrets []string

	// HandshakeTimeout bounds the SSH handshake and authentication.
	HandshakeTimeout time.Duration
	// KeysPoll is how often the authorised keys file is checked.
	KeysPoll time.Duration
	// QuitGrace is how long a session may take to say goodbye before its
	// connection is closed.
	QuitGrace time.Duration
}

// Defaults of Options (and of the flags of `hashdeck serve`).
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultMaxSessions = 64
	DefaultRate        = 30 // new connections a minute per IP address
	DefaultIdle        = 30 * time.Minute
	DefaultMaxSession  = 24 * time.Hour
)

// HostKeyName is the file name of the host key in the data directory.
const HostKeyName = "ssh_host_ed25519"

// ShutdownBudget bounds Run's graceful shutdown: the process must exit
// within 5 s of SIGTERM even with sessions connected.
const ShutdownBudget = 4 * time.Second

func (o *Options) defaults() {
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.MaxSessions == 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.Idle == 0 {
		o.Idle = DefaultIdle
	}
	if o.MaxSession == 0 {
		o.MaxSession = DefaultMaxSession
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 15 * time.Second
	}
	if o.KeysPoll <= 0 {
		o.KeysPoll = 2 * time.Second
	}
	if o.QuitGrace <= 0 {
		o.QuitGrace = 2 * time.Second
	}
}

// Validate reports the first option that cannot work, naming it by its
// flag. Zero values are errors here (--max-sessions 0); New fills them in
// before it validates.
func (o Options) Validate() error {
	switch {
	case o.AuthorizedKeys == "" && !o.AllowAnyone:
		return errors.New("refusing to start without --authorized-keys FILE (or --allow-anyone to let anyone in)")
	case o.AuthorizedKeys != "" && o.AllowAnyone:
		return errors.New("--authorized-keys and --allow-anyone contradict each other: choose one")
	case o.MaxSessions < 1:
		return errors.New("--max-sessions must be at least 1")
	case o.RatePerMinute < 0:
		return errors.New("--rate-limit must not be negative")
	case o.Idle <= 0:
		return errors.New("--idle must be positive")
	case o.MaxSession <= 0:
		return errors.New("--max-session must be positive")
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return fmt.Errorf("--listen %q: %w", o.Listen, err)
	}
	if o.Metrics != "" {
		if _, _, err := net.SplitHostPort(o.Metrics); err != nil {
			return fmt.Errorf("--metrics %q: %w", o.Metrics, err)
		}
	}
	return nil
}

// Server is the SSH server of `hashdeck serve`: one per process, shared by
// every session. Everything mutable lives here, never in package state.
type Server struct {
	o       Options
	log     *slog.Logger
	env     *board.Env
	hub     *feeds.Hub // nil offline
	keys    *keyring   // nil with AllowAnyone
	limiter *rateLimiter
	metrics *metrics
	ssh     *ssh.Server
	hostKey gossh.PublicKey

	// Seams for the tests: how a session's dashboard and a snapshot are
	// made, the clock of the session limits and the machine's name for
	// the connect hint.
	newDashboard func(tui.Options) (dashboard, error)
	snapshot     func(now time.Time) string
	clock        clock
	hostname     func() (string, error)
	// lastGone runs when the last session has gone (returnMemory).
	lastGone func()
	// sleep waits before a session's program starts (time.Sleep).
	sleep func(time.Duration)

	mu       sync.Mutex
	sessions map[uint64]*session
	nextID   uint64
	closing  bool
	history  *board.History
	backfill *feeds.BackfillProgress
	handlers sync.WaitGroup // running session handlers
	running  atomic.Int64   // how many (for lastGone)
	stop     chan struct{}  // closed by Shutdown: ends the keys watcher
}

// New builds the server for env and hub (nil offline): host key (created
// when missing), authorised keys, limits and metrics. It does not listen.
func New(env *board.Env, hub *feeds.Hub, o Options, log *slog.Logger) (*Server, error) {
	o.defaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		o: o, log: log, env: env, hub: hub,
		limiter:  newRateLimiter(o.RatePerMinute),
		sessions: make(map[uint64]*session),
		stop:     make(chan struct{}),
		clock:    realClock{},
		hostname: os.Hostname,
		sleep:    time.Sleep,
		newDashboard: func(o tui.Options) (dashboard, error) {
			return tui.New(o)
		},
	}
	s.lastGone = func() { returnMemory(env, func() bool { return s.running.Load() == 0 }) }
	s.snapshot = s.snapshotText
	s.metrics = newMetrics(env, hub, s.OpenSessions, s.sharedHistory)
	// The authorised keys first: a server that cannot start leaves no new
	// host key behind (found in review).
	var err error
	if !o.AllowAnyone {
		if s.keys, err = newKeyring(o.AuthorizedKeys, log); err != nil {
			return nil, err
		}
	}
	signer, created, err := loadHostKey(o.HostKey)
	if err != nil {
		return nil, err
	}
	s.hostKey = signer.PublicKey()
	if created {
		log.Info("created a host key", "path", o.HostKey, "fingerprint", gossh.FingerprintSHA256(s.hostKey))
	}
	opts := []ssh.Option{
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithVersion("hashdeck"),
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		wish.WithMaxTimeout(o.MaxSession + time.Minute), // a backstop: sessions end themselves at MaxSession
		wish.WithMiddleware(func(ssh.Handler) ssh.Handler { return s.handle }),
		ssh.WrapConn(s.wrapConn),
	}
	if o.AllowAnyone {
		opts = append(opts,
			// Clients that offer keyboard-interactive get in with no question
			// asked; those that offer nothing at all get in through the
			// "none" method (serverConfig).
			wish.WithKeyboardInteractiveAuth(func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }),
			wish.WithBannerHandler(func(ssh.Context) string { return anyoneBanner }),
		)
	}
	if s.ssh, err = wish.NewServer(opts...); err != nil {
		return nil, err
	}
	s.ssh.HandshakeTimeout = o.HandshakeTimeout
	s.ssh.ServerConfigCallback = s.serverConfig
	s.ssh.ConnectionFailedCallback = s.connectionFailed
	return s, nil
}

const anyoneBanner = "*** hashdeck: this server lets ANYONE in (--allow-anyone); treat what you see as public. ***\r\n"

// HostKey is the server's public host key.
func (s *Server) HostKey() gossh.PublicKey { return s.hostKey }

// Serve accepts SSH connections on ln until Shutdown; it returns nil then.
func (s *Server) Serve(ln net.Listener) error {
	if s.keys != nil {
		go s.watchKeys()
	}
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Run serves SSH on ln and, when metricsLn is not nil, the Prometheus
// metrics on it, until ctx ends or the SSH server fails. Then it says
// goodbye to every session and stops both servers within ShutdownBudget,
// calls drain (the caller's last work before exit, e.g. pending history
// writes; nil for none) and logs how long stopping took. The error is the
// SSH server's failure, nil when ctx ended.
func (s *Server) Run(ctx context.Context, ln, metricsLn net.Listener, drain func()) error {
	var web *http.Server
	if metricsLn != nil {
		web = s.metrics.server()
		addr := metricsLn.Addr()
		if !isLoopback(addr) {
			s.log.Warn("metrics are reachable from the network: anyone who can reach this address reads them", "addr", addr.String())
		}
		s.log.Info("metrics listening", "url", "http://"+addr.String()+"/metrics")
		go func() {
			if err := web.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("metrics server", "err", err)
			}
		}()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.Serve(ln) }()
	s.logStart(ln.Addr())

	var err error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down: saying goodbye to every session", "sessions", s.OpenSessions())
	case err = <-serveErr:
		if err == nil {
			err = errors.New("the SSH server stopped")
		}
		s.log.Error("ssh server stopped", "err", err)
	}
	start := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownBudget)
	defer cancel()
	s.Shutdown(sctx)
	if web != nil {
		mctx, mcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		if web.Shutdown(mctx) != nil {
			web.Close()
		}
		mcancel()
	}
	if drain != nil {
		drain()
	}
	s.log.Info("stopped", "shutdown", time.Since(start).Round(time.Millisecond).String())
	return err
}

// logStart announces the server, loudly when it is open to anyone or to
// the network.
func (s *Server) logStart(addr net.Addr) {
	host, port := s.connectHost(addr)
	auth := "authorized-keys"
	if s.o.AllowAnyone {
		auth = "anyone"
	}
	s.log.Info("listening", "addr", addr.String(), "auth", auth, "host_key", gossh.FingerprintSHA256(s.hostKey),
		"max_sessions", s.o.MaxSessions, "idle", s.o.Idle.String(), "max_session", s.o.MaxSession.String(),
		"connect", "ssh -t -p "+port+" "+host)
	if !isLoopback(addr) {
		s.log.Warn("LISTENING ON A NON-LOOPBACK ADDRESS: the dashboard is reachable from the network", "addr", addr.String())
	}
	if s.o.AllowAnyone {
		s.log.Warn("ANYONE CAN LOG IN (--allow-anyone): no key is checked; every viewer is told so")
	}
}

// connectHost is what a viewer types after "ssh -p port" to reach addr:
// its IP address (IPv6 without brackets, as ssh wants it), or for a
// wildcard address (0.0.0.0, ::) this machine's name, "HOST" when that is
// unknown.
func (s *Server) connectHost(addr net.Addr) (host, port string) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "HOST", "PORT"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "HOST"
		if name, err := s.hostname(); err == nil && name != "" && !strings.ContainsAny(name, " \t\r\n") {
			host = name
		}
	}
	return host, port
}

// isLoopback reports whether addr is a loopback address.
func isLoopback(addr net.Addr) bool {
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

// Why the server ends a session; their texts are the goodbyes.
var (
	errShutdown = errors.New("the server is shutting down")
	errRevoked  = errors.New("your key was removed from the authorised keys")
	errPanic    = errors.New("an internal error ended this session")
)

// Shutdown ends every session with a goodbye line, then closes every
// connection; it returns by ctx's deadline at the latest.
func (s *Server) Shutdown(ctx context.Context) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	close(s.stop)
	for _, ss := range s.sessions {
		ss.cancel(errShutdown)
	}
	s.mu.Unlock()

	// Stop accepting: Shutdown closes the listeners at once and then waits
	// for connections, which Close below ends.
	go s.ssh.Shutdown(ctx)
	done := make(chan struct{})
	go func() { s.handlers.Wait(); close(done) }()
	grace := s.o.QuitGrace + 500*time.Millisecond
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

// OpenSessions returns how many sessions are open.
func (s *Server) OpenSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// SetHistory hands every session (and the metrics and snapshots) a new
// history of the stored series.
func (s *Server) SetHistory(h *board.History) {
	s.mu.Lock()
	s.history = h
	s.mu.Unlock()
	s.notifyAll()
}

// SetBackfill hands every session the backfill's progress.
func (s *Server) SetBackfill(p feeds.BackfillProgress) {
	s.mu.Lock()
	s.backfill = &p
	s.mu.Unlock()
	s.notifyAll()
}

func (s *Server) shared() (*board.History, *feeds.BackfillProgress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.history, s.backfill
}

func (s *Server) sharedHistory() *board.History {
	h, _ := s.shared()
	return h
}

func (s *Server) notifyAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		ss.inbox.update()
	}
}

// watchKeys reads the authorised keys again when the file changes and
// ends the sessions of keys no longer in it.
func (s *Server) watchKeys() {
	t := time.NewTicker(s.o.KeysPoll)
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
					s.metrics.reject(rejectRevoked) // a session turned away, if late
					ss.cancel(errRevoked)
				}
			}
			s.mu.Unlock()
		}
	}
}

// shortDuration prints 30m0s as 30m and 24h0m0s as 24h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// returnMemory gives the memory the sessions used back to the system. The
// Go runtime returns freed memory only after a collection lowers its heap
// goal, and an idle server makes almost no garbage to start one: 100
// sessions gone left RSS at 300 % of the baseline a minute later. It runs
// when the last session handler has returned, after a second for the
// connection's own goroutines to end; a collection is a few milliseconds,
// once per last viewer leaving. The frames, plots and styled texts the
// sessions drew (tui.DropCaches) and the shared board they were drawn
// from (board.Env.DropShared) are dropped first, unless a viewer has come
// in the meantime (idle reports whether none has).
func returnMemory(env *board.Env, idle func() bool) {
	time.AfterFunc(time.Second, func() {
		if dropIfIdle(env, idle) {
			debug.FreeOSMemory()
		}
	})
}

// dropIfIdle drops what the sessions drew, and reports true, when idle
// says no viewer is connected.
func dropIfIdle(env *board.Env, idle func() bool) bool {
	if !idle() {
		return false
	}
	tui.DropCaches()
	if env != nil {
		env.DropShared()
	}
	return true
}
