package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// headerLog is a server that records the headers of every request it gets.
type headerLog struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func newHeaderLog(t *testing.T, answer http.HandlerFunc) *headerLog {
	l := &headerLog{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.seen = append(l.seen, r.Header.Clone())
		l.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *headerLog) requests() []http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen
}

// Issue 13 row 3: an upstream answering 302 to another host used to have
// the API keys re-sent there, with a Referer naming the original URL.
func TestRedirectToAnotherHostSendsNoKey(t *testing.T) {
	const key = "cg-demo-key-Zq9"
	elsewhere := newHeaderLog(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"bitcoin":{"usd":90000,"last_updated_at":1767000000}}`))
	})
	upstream := newHeaderLog(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusFound)
	})
	p := NewCoinGecko(upstream.URL, key, HTTPOptions{})
	_, err := p.Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect to another host") {
		t.Errorf("Fetch = %v, want a refused redirect", err)
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("the error shows the key: %v", err)
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the other host got %d requests (headers %v)", n, elsewhere.requests())
	}
	if got := upstream.requests(); len(got) != 1 || got[0].Get("X-Cg-Demo-Api-Key") != key {
		t.Errorf("the configured host got %d requests, want 1 with the key", len(got))
	}
}

func TestRedirectWithinTheHost(t *testing.T) {
	var srv *headerLog
	srv = newHeaderLog(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	c := NewHTTPClient("test", srv.URL, HTTPOptions{Headers: map[string]string{"X-Key": "k"}})
	var v struct{ OK bool }
	if _, err := c.GetJSON(context.Background(), "/old", nil, nil, &v); err != nil || !v.OK {
		t.Fatalf("same-host redirect: %v", err)
	}
	got := srv.requests()
	if len(got) != 2 || got[1].Get("X-Key") != "k" || got[1].Get("Referer") != "" {
		t.Errorf("redirected request headers: %v", got)
	}
}

func TestRedirectPolicy(t *testing.T) {
	req := func(u string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, u, nil)
		return r
	}
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"https://api.example.com/a", "https://api.example.com/b", true},
		{"http://api.example.com/a", "https://api.example.com/b", true},
		{"https://api.example.com/a", "http://api.example.com/b", false},
		{"https://api.example.com/a", "https://evil.example.net/b", false},
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:9090/b", false},
	} {
		if err := sameHostRedirect(req(tc.to), []*http.Request{req(tc.from)}); (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v", tc.from, tc.to, err)
		}
	}
	long := make([]*http.Request, maxRedirects+1)
	for i := range long {
		long[i] = req("https://api.example.com/a")
	}
	if sameHostRedirect(req("https://api.example.com/b"), long) == nil {
		t.Error("an endless chain of redirects was followed")
	}
}

// The SEC client sends the user's declared User-Agent (an e-mail address):
// a redirect to another host must not carry it there.
func TestSECRedirectToAnotherHostSendsNoUserAgent(t *testing.T) {
	elsewhere := newHeaderLog(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) })
	upstream := newHeaderLog(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusFound)
	})
	c, err := NewSECClient(upstream.URL, SECOptions{UserAgent: secTestUA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tickers(context.Background()); err == nil {
		t.Error("Tickers followed a redirect to another host")
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the other host got %d requests (headers %v)", n, elsewhere.requests())
	}
}
