package feeds

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
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

// validTicker reports whether s may be used as a ticker: 1 to 12 of
// A–Z, 0–9, '.', '-', '^', '='. The check also keeps symbols safe to put in
// a URL path.
func validTicker(s string) bool {
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

func normTicker(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// NewSymbols validates a configured peer list and renames (old → new) and
// returns them normalised: upper case, each peer under its current ticker,
// duplicates (including a peer listed under both names) removed. It fails
// on an invalid ticker, a rename of a ticker to itself, or a rename cycle.
func NewSymbols(peers []string, renames map[string]string) (Symbols, error) {
	var s Symbols
	for old, cur := range renames {
		o, n := normTicker(old), normTicker(cur)
		if !validTicker(o) || !validTicker(n) {
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
		t := normTicker(p)
		if !validTicker(t) {
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
	cur := normTicker(sym)
	for range len(s.Renames) + 1 {
		next := ""
		for _, r := range s.Renames {
			if normTicker(r.Old) == cur {
				next = normTicker(r.New)
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
			if normTicker(r.New) != out[i] {
				continue
			}
			o := normTicker(r.Old)
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

// isAlias reports whether name is canonical or one of its former tickers.
func (s Symbols) isAlias(canonical, name string) bool {
	name = normTicker(name)
	for _, a := range s.Aliases(canonical) {
		if a == name {
			return true
		}
	}
	return false
}

// checkStockRange reports whether rng is one of the Yahoo-style history
// ranges the stock providers accept.
func checkStockRange(rng string) error {
	switch rng {
	case "1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max":
		return nil
	}
	return fmt.Errorf("history range %q is not one of 1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max", clip(rng, 20))
}

// stockRoundPrice rounds a share price to n decimals (Yahoo sends float32
// artefacts such as 563.8200073242188 for 563.82).
func stockRoundPrice(v float64, n int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow10(n)
	r := math.Round(v*p) / p
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return v
	}
	return r
}

// stockDayUTC returns midnight UTC of t's calendar date (t's own location).
func stockDayUTC(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// newYorkOffset returns New York's UTC offset in seconds at instant t, by
// the US rule in force since 2007: daylight time (−4 h) from the second
// Sunday of March at 02:00 local to the first Sunday of November at 02:00
// local, standard time (−5 h) otherwise. It needs no time-zone database.
func newYorkOffset(t time.Time) int {
	const est, edt = -5 * 3600, -4 * 3600
	t = t.UTC()
	y := t.Year()
	start := nthSunday(y, time.March, 2).Add(2*time.Hour - est*time.Second)  // 07:00 UTC
	end := nthSunday(y, time.November, 1).Add(2*time.Hour - edt*time.Second) // 06:00 UTC
	if !t.Before(start) && t.Before(end) {
		return edt
	}
	return est
}

// nthSunday returns midnight (as a UTC time) of the n-th Sunday of month.
func nthSunday(year int, month time.Month, n int) time.Time {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	d := (7 - int(first.Weekday())) % 7
	return first.AddDate(0, 0, d+7*(n-1))
}

// newYorkWall converts a New York wall-clock time (given as the fields of
// wall, whose location is ignored) to the instant it names.
func newYorkWall(wall time.Time) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	naive := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	t := naive.Add(5 * time.Hour) // assume standard time
	if off := newYorkOffset(t); off != -5*3600 {
		t = naive.Add(-time.Duration(off) * time.Second)
	}
	return t
}

// newYorkClose returns 16:00 New York time on the date of day (a date whose
// location is ignored): the moment a regular session's close refers to.
func newYorkClose(day time.Time) time.Time {
	y, m, d := day.Date()
	return newYorkWall(time.Date(y, m, d, 16, 0, 0, 0, time.UTC))
}

// stockPreferredError picks the error a provider returns when every symbol
// failed: the first rate limit (HTTP 429 or a *ThrottleError) so the poller
// honours Retry-After, else the first *HTTPError, else the first error.
func stockPreferredError(errs []error) error {
	var firstHTTP, first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if first == nil {
			first = err
		}
		var he *HTTPError
		if errors.As(err, &he) {
			if he.Throttled() {
				return err
			}
			if firstHTTP == nil {
				firstHTTP = err
			}
		}
		var te *ThrottleError
		if errors.As(err, &te) {
			return err
		}
	}
	if firstHTTP != nil {
		return firstHTTP
	}
	return first
}

// stockUserAgent returns the User-Agent for the stock upstreams, which
// refuse non-browser clients (Yahoo answers 429, Nasdaq hangs): ua when it
// is a browser's (starts with "Mozilla/"), else BrowserUserAgent.
func stockUserAgent(ua string) string {
	if strings.HasPrefix(ua, "Mozilla/") {
		return ua
	}
	return BrowserUserAgent
}

// stockThrottleText reports whether a short plain-text body is a rate-limit
// message ("Too Many Requests", "Edge: Too Many Requests", "rate limit
// exceeded"), which some upstreams serve with HTTP 200.
func stockThrottleText(body []byte) (string, bool) {
	t := strings.TrimSpace(string(body[:min(len(body), 200)]))
	l := strings.ToLower(t)
	if strings.Contains(l, "too many requests") || strings.Contains(l, "rate limit") {
		return clip(strings.Join(strings.Fields(t), " "), 80), true
	}
	return "", false
}
