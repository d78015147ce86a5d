package serve

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"
)

// loadHostKey reads the host key at path, or creates an ed25519 key
// there (mode 0600, its directory 0700, and a .pub file beside it) when
// there is none. A key readable by group or others is refused, as sshd does.
func loadHostKey(path string) (signer gossh.Signer, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = createHostKey(path)
		created = err == nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("host key %s is readable by others (mode %04o): chmod 600 it", path, perm)
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, created, nil
}

func createHostKey(path string) ([]byte, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "hashdeck serve host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: never overwrite a key another process just wrote.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, err
	}
	if sp, err := gossh.NewPublicKey(pub); err == nil {
		// Best effort: the public half, for known_hosts files.
		_ = os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sp), 0o644)
	}
	return data, nil
}

// keyring is the set of authorised keys, read from an OpenSSH
// authorized_keys file and read again whenever its contents change
// (checked on every login attempt and every KeysPoll). Lines with options
// (from=, command=, restrict, cert-authority…) are ignored with a warning:
// hashdeck cannot honour them, and ignoring a restriction would let more in.
// A file that cannot be read, or that group or others may write, lets
// nobody in until it is fixed.
type keyring struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	raw     []byte            // the contents last parsed
	readErr string            // the last read error logged
	keys    map[string]string // marshalled key → fingerprint
	fps     map[string]bool
	gen     uint64 // incremented whenever the key set changes
}

func newKeyring(path string, log *slog.Logger) (*keyring, error) {
	k := &keyring{path: path, log: log}
	data, err := k.read()
	if err != nil {
		return nil, fmt.Errorf("--authorized-keys: %w", err)
	}
	k.parse(data)
	return k, nil
}

// read returns the file's contents, refusing a file others may write.
func (k *keyring) read() ([]byte, error) {
	f, err := os.Open(k.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", k.path)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return nil, fmt.Errorf("%s is writable by group or others (mode %04o): chmod go-w it", k.path, perm)
	}
	return io.ReadAll(io.LimitReader(f, 4<<20))
}

// parse replaces the key set with the keys in data. Call with k.mu held
// (or before k is shared).
func (k *keyring) parse(data []byte) {
	keys := make(map[string]string)
	fps := make(map[string]bool)
	ignored := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pk, _, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		switch {
		case err != nil:
			k.log.Warn("authorized keys: line is not a public key; ignored", "path", k.path, "line", n)
			ignored++
			continue
		case len(options) > 0:
			k.log.Warn("authorized keys: key options are not supported; key ignored", "path", k.path, "line", n,
				"fingerprint", gossh.FingerprintSHA256(pk))
			ignored++
			continue
		}
		fp := gossh.FingerprintSHA256(pk)
		keys[string(pk.Marshal())] = fp
		fps[fp] = true
	}
	k.raw, k.keys, k.fps = data, keys, fps
	k.gen++
	if len(keys) == 0 {
		k.log.Warn("authorized keys: no usable key: nobody can log in", "path", k.path, "ignored", ignored)
	} else {
		k.log.Info("authorized keys loaded", "path", k.path, "keys", len(keys), "ignored", ignored)
	}
}

// refresh reads the file again if it changed.
func (k *keyring) refresh() {
	data, err := k.read()
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil {
		if msg := err.Error(); msg != k.readErr {
			k.readErr = msg
			k.log.Error("authorized keys unreadable: nobody can log in until it is fixed", "err", err)
		}
		if k.keys != nil {
			k.gen++
		}
		k.raw, k.keys, k.fps = nil, nil, nil
		return
	}
	k.readErr = ""
	if k.keys != nil && bytes.Equal(data, k.raw) {
		return
	}
	k.parse(data)
}

// generation changes whenever the key set does (whoever noticed the change).
func (k *keyring) generation() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

// allowed reports whether key is authorised (reading the file again if it changed).
func (k *keyring) allowed(key gossh.PublicKey) bool {
	k.refresh()
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.keys[string(key.Marshal())]
	return ok
}

func (k *keyring) hasFingerprint(fp string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fps[fp]
}

// rateLimiter allows each remote IP address perMinute new
// connections a minute, in bursts of up to perMinute. It remembers at most
// rateEntries addresses, forgetting first those with a full bucket.
type rateLimiter struct {
	perMinute int
	mu        sync.Mutex
	ips       map[netip.Addr]*rateEntry
}

type rateEntry struct {
	lim        *rate.Limiter
	loggedAt   time.Time // when a reject of this address was last logged
	suppressed int       // rejects not logged since
}

const rateEntries = 4096

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, ips: make(map[netip.Addr]*rateEntry)}
}

// allow reports whether addr may open a connection now. When it may not,
// logIt says whether to log the reject (at most once a minute per
// address), and suppressed how many rejects were not logged before it.
func (r *rateLimiter) allow(addr net.Addr) (ok, logIt bool, suppressed int) {
	if r.perMinute <= 0 {
		return true, false, 0
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return true, false, 0
	}
	ip := ap.Addr().Unmap()
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	e, found := r.ips[ip]
	if !found {
		if len(r.ips) >= rateEntries {
			r.prune(now)
		}
		e = &rateEntry{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(r.perMinute)), r.perMinute)}
		r.ips[ip] = e
	}
	if e.lim.AllowN(now, 1) {
		return true, false, 0
	}
	if now.Sub(e.loggedAt) < time.Minute {
		e.suppressed++
		return false, false, 0
	}
	suppressed, e.loggedAt, e.suppressed = e.suppressed, now, 0
	return false, true, suppressed
}

// prune forgets the addresses whose bucket has refilled (they are as good
// as new), and if that is not enough, any half of them.
func (r *rateLimiter) prune(now time.Time) {
	for ip, e := range r.ips {
		if e.lim.TokensAt(now) >= float64(r.perMinute) {
			delete(r.ips, ip)
		}
	}
	for ip := range r.ips {
		if len(r.ips) < rateEntries/2 {
			break
		}
		delete(r.ips, ip)
	}
}

// fingerprintKey holds, in a connection's context, the fingerprint of
// the public key last offered (for the auth log).
type fingerprintKey struct{}

// publicKeyAuth decides whether key may log in. It is called for every key
// a client offers; the verdict is logged once the client signs (or not) in
// authLog.
func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	ctx.SetValue(fingerprintKey{}, gossh.FingerprintSHA256(key))
	if s.o.AllowAnyone {
		return true
	}
	return s.keys.allowed(key)
}

// serverConfig adds the auth log to each connection's SSH configuration.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		MaxAuthTries: 6,
		// With --allow-anyone, a client with no key at all, nor a way to
		// answer keyboard-interactive (ssh -o BatchMode=yes), gets in
		// through the "none" method that every client tries first.
		NoClientAuth: s.o.AllowAnyone,
		AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
			if method == "none" && err != nil {
				return // every client asks first; not an attempt
			}
			attrs := []any{"remote", conn.RemoteAddr().String(), "user", conn.User(), "method", method}
			if method == "publickey" {
				if fp, ok := ctx.Value(fingerprintKey{}).(string); ok {
					attrs = append(attrs, "fingerprint", fp)
				}
			}
			if err != nil {
				s.log.Info("auth rejected", attrs...)
				return
			}
			s.log.Info("auth accepted", attrs...)
			if c, ok := ctx.Value(connKey{}).(*trackedConn); ok {
				fp, _ := ctx.Value(fingerprintKey{}).(string)
				if method != "publickey" {
					fp = ""
				}
				c.loggedIn(conn.User(), fp)
			}
		},
	}
}

// connectionFailed logs and counts a connection that ended before its
// first session: failed authentication, a handshake error or timeout.
func (s *Server) connectionFailed(conn net.Conn, err error) {
	reason := rejectHandshake
	var authErr *gossh.ServerAuthError
	var ne net.Error
	switch {
	case errors.As(err, &authErr):
		reason = rejectAuth
	case errors.As(err, &ne) && ne.Timeout():
		reason = rejectHandshakeTimeout
	}
	s.metrics.reject(reason)
	s.log.Info("reject", "reason", reason.String(), "remote", conn.RemoteAddr().String(), "err", shortErr(err))
}

// shortErr keeps the first line of an error, bounded.
func shortErr(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// wrapConn applies the per-IP rate limit before the handshake, counts the
// bytes sent and logs the disconnect of every connection that logged in.
func (s *Server) wrapConn(ctx ssh.Context, c net.Conn) net.Conn {
	if ok, logIt, suppressed := s.limiter.allow(c.RemoteAddr()); !ok {
		s.metrics.reject(rejectRate)
		if logIt {
			s.log.Info("reject", "reason", rejectRate.String(), "remote", c.RemoteAddr().String(),
				"not_logged_before", suppressed, "next_log", "in a minute at the earliest")
		}
		return nil
	}
	w := &trackedConn{Conn: c, s: s, start: time.Now()}
	ctx.SetValue(connKey{}, w)
	return w
}

// connKey holds a connection's *trackedConn in its context.
type connKey struct{}

// trackedConn is a connection as the server sees it.
type trackedConn struct {
	net.Conn
	s     *Server
	start time.Time
	sent  atomic.Int64
	once  sync.Once

	mu          sync.Mutex
	user        string
	fingerprint string
	authed      bool
}

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent.Add(int64(n))
	c.s.metrics.sent.Add(float64(n))
	return n, err
}

// loggedIn records who the connection authenticated as.
func (c *trackedConn) loggedIn(user, fp string) {
	c.mu.Lock()
	c.user, c.fingerprint, c.authed = user, fp, true
	c.mu.Unlock()
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.mu.Lock()
		user, fp, authed := c.user, c.fingerprint, c.authed
		c.mu.Unlock()
		if authed {
			c.s.log.Info("disconnect", "remote", c.RemoteAddr().String(), "user", trim(user, 64), "fingerprint", fp,
				"duration", time.Since(c.start).Round(time.Millisecond).String(), "bytes_out", c.sent.Load())
		}
	})
	return err
}
