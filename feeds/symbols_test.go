package feeds

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestSymbolsDefaultsAndCanonical(t *testing.T) {
	s := DefaultSymbols()
	want := []string{"IREN", "CORZ", "WULF", "MARA", "RIOT", "CLSK", "CIFR", "HUT", "KEEL", "BTDR", "HIVE", "APLD"}
	if got := s.List(); !slices.Equal(got, want) {
		t.Errorf("List = %v, want %v", got, want)
	}
	for in, want := range map[string]string{"BITF": "KEEL", "bitf": "KEEL", " KEEL ": "KEEL", "IREN": "IREN", "xyz": "XYZ"} {
		if got := s.Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"KEEL", "BITF"} {
		if got := s.Aliases(in); !slices.Equal(got, []string{"KEEL", "BITF"}) {
			t.Errorf("Aliases(%s) = %v, want [KEEL BITF]", in, got)
		}
	}
	if got := s.Aliases("IREN"); !slices.Equal(got, []string{"IREN"}) {
		t.Errorf("Aliases(IREN) = %v", got)
	}
	// A chain of renames resolves to the newest ticker, tried newest first.
	c := Symbols{Renames: []Rename{{Old: "A", New: "B"}, {Old: "B", New: "C"}}}
	if got := c.Canonical("a"); got != "C" {
		t.Errorf("chain: Canonical(A) = %q", got)
	}
	if got := c.Aliases("A"); !slices.Equal(got, []string{"C", "B", "A"}) {
		t.Errorf("chain: Aliases(A) = %v", got)
	}
	// A cycle in a literal value must not hang.
	cyc := Symbols{Peers: []string{"X"}, Renames: []Rename{{Old: "X", New: "Y"}, {Old: "Y", New: "X"}}}
	_ = cyc.Canonical("X")
	_ = cyc.Aliases("X")
	_ = cyc.List()
}

func TestNewSymbols(t *testing.T) {
	s, err := NewSymbols([]string{"iren", "BITF", "KEEL", "corz", "IREN"}, map[string]string{"bitf": "keel"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"IREN", "KEEL", "CORZ"}; !slices.Equal(s.Peers, want) {
		t.Errorf("Peers = %v, want %v (either name resolves to the same peer)", s.Peers, want)
	}
	if !slices.Equal(s.Renames, []Rename{{Old: "BITF", New: "KEEL"}}) {
		t.Errorf("Renames = %v", s.Renames)
	}
	for _, tc := range []struct {
		peers   []string
		renames map[string]string
	}{
		{[]string{"IREN/../x"}, nil},
		{[]string{"IREN?a=b"}, nil},
		{[]string{""}, nil},
		{[]string{"TOOLONGTICKER1"}, nil},
		{nil, nil},
		{[]string{"IREN"}, map[string]string{"A": "A"}},
		{[]string{"IREN"}, map[string]string{"A": "B", "B": "A"}},
		{[]string{"IREN"}, map[string]string{"A": "b c"}},
	} {
		if _, err := NewSymbols(tc.peers, tc.renames); err == nil {
			t.Errorf("NewSymbols(%q, %v) accepted", tc.peers, tc.renames)
		}
	}
}

func TestNewYorkOffset(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 3, 8, 6, 59, 59, 0, time.UTC), -5 * 3600}, // 01:59:59 EST
		{time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), -4 * 3600},   // 03:00 EDT
		{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), -4 * 3600},
		{time.Date(2026, 11, 1, 5, 59, 59, 0, time.UTC), -4 * 3600}, // 01:59:59 EDT
		{time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), -5 * 3600},   // 01:00 EST
		{time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC), -4 * 3600},
		{time.Date(2025, 11, 2, 6, 0, 0, 0, time.UTC), -5 * 3600},
		{time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC), -5 * 3600},
	} {
		if got := newYorkOffset(tc.at); got != tc.want {
			t.Errorf("newYorkOffset(%v) = %d, want %d", tc.at, got, tc.want)
		}
	}
	if got, want := newYorkWall(time.Date(2026, 11, 20, 14, 4, 0, 0, time.UTC)), time.Date(2026, 11, 20, 19, 4, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("newYorkWall EST = %v, want %v", got, want)
	}
	if got, want := newYorkWall(time.Date(2026, 9, 25, 14, 40, 0, 0, time.UTC)), time.Date(2026, 9, 25, 18, 40, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("newYorkWall EDT = %v, want %v", got, want)
	}
	if got, want := newYorkClose(time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)), time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("newYorkClose after the spring change = %v, want %v", got, want)
	}
}

func TestStockPreferredError(t *testing.T) {
	plain := errors.New("decode")
	notFound := &HTTPError{Source: "s", Status: 404}
	busy := &HTTPError{Source: "s", Status: 429, RetryAfter: time.Minute}
	if got := stockPreferredError([]error{plain, notFound, fmt.Errorf("x: %w", busy)}); !errors.Is(got, busy) {
		t.Errorf("want the 429, got %v", got)
	}
	if got := stockPreferredError([]error{plain, notFound}); got != notFound {
		t.Errorf("want the first HTTP error, got %v", got)
	}
	if got := stockPreferredError([]error{nil, plain}); got != plain {
		t.Errorf("want the first error, got %v", got)
	}
	inBand := &ThrottleError{Source: "s", Message: "Too Many Requests"}
	if got := stockPreferredError([]error{notFound, fmt.Errorf("y: %w", inBand)}); !errors.Is(got, inBand) {
		t.Errorf("want the in-band rate limit, got %v", got)
	}
	if stockPreferredError(nil) != nil {
		t.Error("no errors gives an error")
	}
}
