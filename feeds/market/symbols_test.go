package market

import (
	"slices"
	"testing"
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
