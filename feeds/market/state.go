package market

import (
	"sort"
	"time"
)

// Mode says where the data on screen comes from.
type Mode string

const (
	// ModeLive: the poller is running against upstream APIs.
	ModeLive Mode = "live"
	// ModeOffline: no request is made; data come from the embedded dataset and the store.
	ModeOffline Mode = "offline"
)

// Value is the latest accepted value of a metric.
type Value struct {
	V float64 `json:"value"`
	// At is the time the value refers to; Fetched when hashdeck received it.
	At      time.Time `json:"at"`
	Fetched time.Time `json:"fetched"`
	Source  string    `json:"source"`
	// Stale is set when the last poll of its group did not refresh it (its
	// providers failed, or the one now live does not supply it). The value
	// stays on screen, marked, with its age.
	Stale bool `json:"stale"`
}

// Age returns how old the value is at now, measured from the time it refers to.
func (v Value) Age(now time.Time) time.Duration { return max(now.Sub(v.At), 0) }

// QuoteValue is the latest quote of one stock with its freshness.
type QuoteValue struct {
	Quote
	Fetched time.Time `json:"fetched"`
	// Stale is set when the last poll of the equities group did not
	// refresh the quote, and whenever it is Outdated.
	Stale bool `json:"stale"`
	// Outdated is set when the quote's own time is older than the US market
	// allows (QuoteOutdated at the state's Updated time): its price is the
	// last good one, and its day change (against PrevClose) is not the
	// current session's.
	Outdated bool `json:"outdated,omitempty"`
}

// Circuit is a provider's circuit-breaker state.
type Circuit string

const (
	// CircuitClosed: the provider is used normally.
	CircuitClosed Circuit = "closed"
	// CircuitOpen: too many consecutive failures; it is skipped until NextAttempt.
	CircuitOpen Circuit = "open"
	// CircuitHalfOpen: the wait is over and the next attempt is a trial.
	CircuitHalfOpen Circuit = "half-open"
)

// Health is one provider's record.
type Health struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	// Live reports whether this provider supplied its group's last good poll.
	Live        bool      `json:"live"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// Failures counts consecutive failures; Requests every fetch attempted.
	Failures    int           `json:"consecutive_failures"`
	Requests    int           `json:"requests"`
	Latency     time.Duration `json:"latency_ns"`
	Circuit     Circuit       `json:"circuit"`
	NextAttempt time.Time     `json:"next_attempt,omitzero"`
}

// State is an immutable snapshot of everything the feeds know. A new State
// with a higher Version replaces it; nothing in a published State changes.
type State struct {
	Version uint64    `json:"version"`
	Mode    Mode      `json:"mode"`
	Updated time.Time `json:"updated"`
	// Values holds the latest value of each metric.
	Values map[Metric]Value `json:"values"`
	// Quotes holds the latest quote per current symbol (KEEL, not BITF).
	Quotes map[string]QuoteValue `json:"quotes"`
	// Histories holds daily closes per current symbol, when fetched.
	Histories map[string]History `json:"histories,omitempty"`
	// Live names the provider live for each group, "" when none answered.
	Live map[string]string `json:"live"`
	// Health lists every provider, in group order then preference order.
	Health []Health `json:"health"`
	// Rejected holds the most recent values providers refused (newest last).
	Rejected []Rejection `json:"rejected,omitempty"`
}

// Value returns the value of m and whether there is one.
func (s *State) Value(m Metric) (Value, bool) {
	if s == nil {
		return Value{}, false
	}
	v, ok := s.Values[m]
	return v, ok
}

// Quote returns the latest quote of symbol (either its current or its old
// name is accepted only if the caller canonicalises it; keys are current symbols).
func (s *State) Quote(symbol string) (QuoteValue, bool) {
	if s == nil {
		return QuoteValue{}, false
	}
	q, ok := s.Quotes[symbol]
	return q, ok
}

// AllDown reports whether the feeds are live but no group has a live
// provider: nothing upstream is answering.
func (s *State) AllDown() bool {
	if s == nil || s.Mode != ModeLive || len(s.Live) == 0 {
		return false
	}
	for _, name := range s.Live {
		if name != "" {
			return false
		}
	}
	return true
}

// Clone returns a copy whose maps and slices may be modified without
// touching s (map values are plain values, so a shallow copy of each map is enough).
func (s *State) Clone() *State {
	n := *s
	n.Values = cloneMap(s.Values)
	n.Quotes = cloneMap(s.Quotes)
	n.Histories = cloneMap(s.Histories)
	n.Live = cloneMap(s.Live)
	n.Health = append([]Health(nil), s.Health...)
	n.Rejected = append([]Rejection(nil), s.Rejected...)
	return &n
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Metrics returns the metrics that have a value, sorted by name.
func (s *State) Metrics() []Metric {
	if s == nil {
		return nil
	}
	out := make([]Metric, 0, len(s.Values))
	for m := range s.Values {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
