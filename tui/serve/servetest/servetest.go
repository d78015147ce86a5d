// Package servetest is the client side of the tests of package serve and
// of `hashdeck serve`: keys, connections, terminal sessions seen from the
// viewer, and waiting for what they show.
package servetest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// Buffer is a goroutine-safe buffer (session output, logs).
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Len returns how many bytes were written so far.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// Wait checks cond every 10 ms until it holds (true) or d has passed (false).
func Wait(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Tail is the last n bytes of s, for failure messages.
func Tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// Key is a client key pair.
type Key struct {
	Signer gossh.Signer
	Line   []byte // the authorized_keys line
	PEM    []byte // the OpenSSH private key, for the ssh binary
}

// NewKey makes a fresh ed25519 client key.
func NewKey(t testing.TB) Key {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	return Key{Signer: signer, Line: gossh.MarshalAuthorizedKey(signer.PublicKey()), PEM: pem.EncodeToMemory(block)}
}

// Client dials one server as user "viewer" and checks its host key.
type Client struct {
	Addr    string
	HostKey gossh.PublicKey
	Key     Key // offered when Dial is given no auth method
}

// Dial connects with the given auth methods (c.Key by default).
func (c Client) Dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	if len(auth) == 0 {
		auth = []gossh.AuthMethod{gossh.PublicKeys(c.Key.Signer)}
	}
	return gossh.Dial("tcp", c.Addr, &gossh.ClientConfig{
		User:            "viewer",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(c.HostKey),
		Timeout:         5 * time.Second,
	})
}

// MustDial is Dial that fails the test on an error and closes the
// connection when the test ends.
func (c Client) MustDial(t testing.TB, auth ...gossh.AuthMethod) *gossh.Client {
	t.Helper()
	conn, err := c.Dial(auth...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// PTY is a terminal session seen from the viewer.
type PTY struct {
	Sess   *gossh.Session
	Stdin  io.WriteCloser
	Out    *Buffer    // everything received on stdout
	ErrOut *Buffer    // and on stderr
	Done   chan error // Wait's result
}

// OpenPTY starts cmd ("" for the shell: the dashboard) in a w×h
// xterm-256color terminal.
func OpenPTY(t testing.TB, c *gossh.Client, w, h int, cmd string) *PTY {
	t.Helper()
	return OpenPTYEnv(t, c, "xterm-256color", w, h, cmd, nil)
}

// OpenPTYEnv is OpenPTY with a terminal type and environment variables
// (sent with Setenv before the terminal is asked for).
func OpenPTYEnv(t testing.TB, c *gossh.Client, term string, w, h int, cmd string, env map[string]string) *PTY {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	for k, v := range env {
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	p := &PTY{Sess: sess, Out: &Buffer{}, ErrOut: &Buffer{}, Done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = p.Out, p.ErrOut
	if p.Stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty(term, h, w, gossh.TerminalModes{}); err != nil {
		t.Fatalf("pty: %v", err)
	}
	if cmd == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(cmd)
	}
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	go func() { p.Done <- sess.Wait() }()
	return p
}

// Text is everything received, without escape sequences.
func (p *PTY) Text() string { return ansi.Strip(p.Out.String()) }

// WaitText fails the test unless everything in want shows within d.
func (p *PTY) WaitText(t testing.TB, d time.Duration, want ...string) {
	t.Helper()
	if !Wait(d, func() bool {
		s := p.Text()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("did not see %q within %v; got:\n%s\nstderr: %s", want, d, Tail(p.Text(), 3000), p.ErrOut.String())
	}
}

// WaitEnd waits up to d for the session to end and returns how it ended.
func (p *PTY) WaitEnd(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-p.Done:
		return err
	case <-time.After(d):
		t.Fatalf("session still open after %v; output:\n%s", d, Tail(p.Text(), 2000))
		return nil
	}
}

// Ended reports whether the session has ended, without waiting. Its
// result is kept for WaitEnd.
func (p *PTY) Ended() bool {
	select {
	case err := <-p.Done:
		p.Done <- err
		return true
	default:
		return false
	}
}

// Run runs cmd without a terminal and returns stdout, stderr and the exit
// status.
func Run(t testing.TB, c *gossh.Client, cmd string) (stdout, stderr string, status int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	if cmd == "" {
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		err = sess.Wait()
	} else {
		err = sess.Run(cmd)
	}
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitStatus()
	case err != nil:
		t.Fatalf("%q: %v", cmd, err)
	}
	return out.String(), errb.String(), status
}

// ReadHostPub reads a public key file (the host key's .pub).
func ReadHostPub(t testing.TB, path string) gossh.PublicKey {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, err := gossh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Scrape GETs url and returns the body, failing the test unless it is 200 OK.
func Scrape(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	return string(b)
}
