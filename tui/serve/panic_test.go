package serve

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hashdeck/hashdeck/tui"
	"github.com/hashdeck/hashdeck/tui/serve/servetest"
)

// bomb is a dashboard that panics when its viewer presses "!": in Update,
// in the View after it, or in a command it returns.
type bomb struct {
	*tui.Model
	where string // "update", "view" or "command"
	armed bool
}

func (b *bomb) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "!" {
		switch b.where {
		case "update":
			panic("boom in Update")
		case "view":
			b.armed = true
			return b, nil
		case "command":
			return b, tea.Batch(nil, func() tea.Msg { panic("boom in a command") })
		}
	}
	_, cmd := b.Model.Update(msg)
	return b, cmd
}

func (b *bomb) View() tea.View {
	if b.armed {
		panic("boom in View")
	}
	return b.Model.View()
}

// TestServePanicEndsOnlyItsSession: a dashboard that panics (in Update,
// View or a command) ends its own session with a goodbye and exit status
// 1; the panic is logged with its stack; the other sessions and the server
// carry on.
func TestServePanicEndsOnlyItsSession(t *testing.T) {
	for _, where := range []string{"update", "view", "command"} {
		t.Run(where, func(t *testing.T) {
			st := startOffline(t, Options{}, func(s *Server) {
				s.newDashboard = func(o tui.Options) (dashboard, error) {
					m, err := tui.New(o)
					if err != nil {
						return nil, err
					}
					return &bomb{Model: m, where: where}, nil
				}
			})
			bystander := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
			bystander.WaitText(t, 10*time.Second, "Overview")
			victim := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
			victim.WaitText(t, 10*time.Second, "Overview")

			victim.Stdin.Write([]byte("!"))
			err := victim.WaitEnd(t, 5*time.Second)
			var exit *gossh.ExitError
			if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
				t.Errorf("the session ended with %v, want exit status 1", err)
			}
			if !strings.Contains(victim.Text(), "hashdeck: an internal error ended this session. Bye.") {
				t.Errorf("no goodbye:\n%s", servetest.Tail(victim.Text(), 300))
			}
			logs := st.logs.String()
			for _, want := range []string{`msg="panic: ending the session"`, "session=2", "panic=\"boom in", "stack=", "panic_test.go", `reason="an internal error ended this session"`} {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %q:\n%s", want, logs)
				}
			}
			if n := strings.Count(logs, `msg="panic: ending the session"`); n != 1 {
				t.Errorf("the panic was logged %d times", n)
			}

			// The other session still answers keys; a new one opens.
			bystander.Stdin.Write([]byte("?"))
			bystander.WaitText(t, 5*time.Second, "show or hide this help")
			if bystander.Ended() {
				t.Fatal("the other session ended")
			}
			fresh := servetest.OpenPTY(t, st.MustDial(t), 100, 30, "")
			fresh.WaitText(t, 10*time.Second, "Overview")
			if n := st.srv.OpenSessions(); n != 2 {
				t.Errorf("%d sessions open, want 2", n)
			}
		})
	}
}

// TestServePanicInSnapshot: a panic in a session without a terminal (here
// the snapshot) ends that session with a message and exit status 1, and
// is logged with its stack; the server carries on.
func TestServePanicInSnapshot(t *testing.T) {
	st := startOffline(t, Options{}, func(s *Server) {
		s.snapshot = func(time.Time) string { panic("boom in the snapshot") }
	})
	c := st.MustDial(t)
	out, _, status := servetest.Run(t, c, "snapshot")
	if status != 1 || !strings.Contains(out, "hashdeck: an internal error ended this session. Bye.") {
		t.Errorf("status %d:\n%s", status, out)
	}
	logs := st.logs.String()
	for _, want := range []string{`msg="panic: ending the session"`, `in="session handler"`, `panic="boom in the snapshot"`, "panic_test.go", `msg="session end"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if out, _, status := servetest.Run(t, c, "help"); status != 0 || !strings.Contains(out, "ssh -t") {
		t.Errorf("help after the panic: status %d\n%s", status, out)
	}
	if n := st.srv.OpenSessions(); n != 0 {
		t.Errorf("%d sessions still registered", n)
	}
}
