package feeds

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A fixture is a recorded HTTP response kept as a raw HTTP/1.1 message in
// testdata/<provider>/<case>.http: status line, headers (Content-Type,
// Retry-After, …), a blank line, then the body exactly as the upstream sends it.

// loadFixture reads and parses testdata/<name>.http.
func loadFixture(t testing.TB, name string) (status int, header http.Header, body []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".http"))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	// The head is parsed as HTTP (LF-only files are accepted); the body is
	// the rest of the file, verbatim.
	head, body, _ := bytes.Cut(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n\n"))
	head = append(bytes.ReplaceAll(head, []byte("\n"), []byte("\r\n")), "\r\n\r\n"...)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header, body
}

// fixtureBody returns only the body of a fixture (for decoder tests and fuzz seeds).
func fixtureBody(t testing.TB, name string) []byte {
	t.Helper()
	_, _, body := loadFixture(t, name)
	return body
}

// replay is an httptest server that answers each request path with a
// fixture, counts requests per path, and lets a test swap fixtures while it
// runs (to break an upstream and mend it again).
type replay struct {
	*httptest.Server
	t      testing.TB
	mu     sync.Mutex
	routes map[string]string // "/path" or "/path?query" → fixture name
	hits   map[string]int    // path → requests served
	last   map[string]*http.Request
}

// newReplay starts a server with the given routes; it is closed when the test ends.
func newReplay(t testing.TB, routes map[string]string) *replay {
	t.Helper()
	r := &replay{t: t, routes: map[string]string{}, hits: map[string]int{}, last: map[string]*http.Request{}}
	for k, v := range routes {
		r.routes[k] = v
	}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

// Set routes path (optionally with ?query) to a fixture; "" removes the route (404).
func (r *replay) Set(path, fixture string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fixture == "" {
		delete(r.routes, path)
		return
	}
	r.routes[path] = fixture
}

// Hits returns how many requests path received; "" counts every path.
func (r *replay) Hits(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if path == "" {
		n := 0
		for _, h := range r.hits {
			n += h
		}
		return n
	}
	return r.hits[path]
}

// LastRequest returns the last request to path (for header and query checks).
func (r *replay) LastRequest(path string) *http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[path]
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.hits[req.URL.Path]++
	r.last[req.URL.Path] = req.Clone(req.Context())
	name, ok := r.routes[req.URL.Path+"?"+req.URL.RawQuery]
	if !ok {
		name, ok = r.routes[req.URL.Path]
	}
	r.mu.Unlock()
	if !ok {
		http.Error(w, "no fixture for "+req.URL.String(), http.StatusNotFound)
		return
	}
	status, header, body := loadFixture(r.t, name)
	for k, vs := range header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}
