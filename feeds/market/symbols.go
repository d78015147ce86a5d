package market

import (
	"fmt"
	"strings"
)

// Symbols is the list of listed miners whose shares the stock providers
// fetch, in display order, with the ticker renames they must follow. It is a
// small value: copy it freely, the providers never modify it.
//
// A peer may be configured under its current or its former ticker (BITF or
// KEEL): both resolve to the same peer, quoted under the current ticker.
// A literal Symbols{...} works as well as one from NewSymbols; NewSymbols
// additionally validates the tickers and the renames.
type Symbols struct {
	// Peers are the tickers to fetch, in display order (upper case, Yahoo
	// spelling: BRK-B, not BRK.B).
	Peers []string
	// Renames maps former tickers to current ones, old → new.
	Renames []Rename
}

// Rename is one ticker change: Old was renamed New (BITF → KEEL).
type Rename struct {
	Old string
	New string
}

// DefaultSymbols returns the default peer list (IREN, CORZ, WULF, MARA,
// RIOT, CLSK, CIFR, HUT, KEEL, BTDR, HIVE, APLD) and the rename BITF → KEEL
// (Bitfarms redomiciled as Keel Infrastructure around 1 April 2026).
func DefaultSymbols() Symbols {
	return Symbols{
		Peers:   []string{"IREN", "CORZ", "WULF", "MARA", "RIOT", "CLSK", "CIFR", "HUT", "KEEL", "BTDR", "HIVE", "APLD"},
		Renames: []Rename{{Old: "BITF", New: "KEEL"}},
	}
}

// maxTickerLen bounds a ticker's length; real ones are at most about 10.
const maxTickerLen = 12

// ValidTicker reports whether s may be used as a ticker: 1 to 12 of
// A–Z, 0–9, '.', '-', '^', '='. The check also keeps symbols safe to put in
// a URL path.
func ValidTicker(s string) bool {
	if s == "" || len(s) > maxTickerLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '^', c == '=':
		default:
			return false
		}
	}
	return true
}

func NormTicker(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// NewSymbols validates a configured peer list and renames (old → new) and
// returns them normalised: upper case, each peer under its current ticker,
// duplicates (including a peer listed under both names) removed. It fails
// on an invalid ticker, a rename of a ticker to itself, or a rename cycle.
func NewSymbols(peers []string, renames map[string]string) (Symbols, error) {
	var s Symbols
	for old, cur := range renames {
		o, n := NormTicker(old), NormTicker(cur)
		if !ValidTicker(o) || !ValidTicker(n) {
			return Symbols{}, fmt.Errorf("symbols: invalid rename %q → %q", old, cur)
		}
		if o == n {
			return Symbols{}, fmt.Errorf("symbols: %s is renamed to itself", o)
		}
		s.Renames = append(s.Renames, Rename{Old: o, New: n})
	}
	// Map iteration order is random: sort the renames so the value (and the
	// order in which former names are tried) is deterministic.
	for i := 1; i < len(s.Renames); i++ {
		for j := i; j > 0 && s.Renames[j].Old < s.Renames[j-1].Old; j-- {
			s.Renames[j], s.Renames[j-1] = s.Renames[j-1], s.Renames[j]
		}
	}
	for _, r := range s.Renames {
		if _, ok := s.follow(r.Old); !ok {
			return Symbols{}, fmt.Errorf("symbols: the renames of %s form a cycle", r.Old)
		}
	}
	for _, p := range peers {
		t := NormTicker(p)
		if !ValidTicker(t) {
			return Symbols{}, fmt.Errorf("symbols: invalid ticker %q", p)
		}
		s.Peers = append(s.Peers, t)
	}
	s.Peers = s.List()
	if len(s.Peers) == 0 {
		return Symbols{}, fmt.Errorf("symbols: no peers configured")
	}
	return s, nil
}

// follow walks the renames from sym to its current ticker; ok is false on
// a cycle.
func (s Symbols) follow(sym string) (string, bool) {
	cur := NormTicker(sym)
	for range len(s.Renames) + 1 {
		next := ""
		for _, r := range s.Renames {
			if NormTicker(r.Old) == cur {
				next = NormTicker(r.New)
				break
			}
		}
		if next == "" {
			return cur, true
		}
		cur = next
	}
	return cur, false
}

// Canonical returns the current ticker of sym (KEEL for BITF), upper case;
// a ticker that was never renamed is returned as it is.
func (s Symbols) Canonical(sym string) string {
	c, _ := s.follow(sym)
	return c
}

// List returns the peers to fetch under their current tickers, in order,
// without duplicates. The slice is new on each call.
func (s Symbols) List() []string {
	out := make([]string, 0, len(s.Peers))
	for _, p := range s.Peers {
		c := s.Canonical(p)
		dup := false
		for _, o := range out {
			if o == c {
				dup = true
				break
			}
		}
		if !dup && c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Aliases returns the tickers under which the peer sym may be found: its
// current ticker first, then its former ones, most recent first (KEEL,
// BITF). Providers try them in that order when an upstream does not know a
// ticker.
func (s Symbols) Aliases(sym string) []string {
	out := []string{s.Canonical(sym)}
	for i := 0; i < len(out) && len(out) <= len(s.Renames); i++ {
		for _, r := range s.Renames {
			if NormTicker(r.New) != out[i] {
				continue
			}
			o := NormTicker(r.Old)
			seen := false
			for _, x := range out {
				seen = seen || x == o
			}
			if !seen {
				out = append(out, o)
			}
		}
	}
	return out
}

// IsAlias reports whether name is canonical or one of its former tickers.
func (s Symbols) IsAlias(canonical, name string) bool {
	name = NormTicker(name)
	for _, a := range s.Aliases(canonical) {
		if a == name {
			return true
		}
	}
	return false
}
