package feeds

import (
	"sync"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Hub hands each new State to every subscriber. Publishing never blocks: a
// subscriber that has not taken the previous state gets the newest one in
// its place (states are snapshots, so skipping versions loses nothing).
// All methods are safe from any goroutine.
type Hub struct {
	mu     sync.Mutex
	cur    *market.State
	subs   map[*Subscription]struct{}
	closed bool
}

// NewHub returns a hub whose current state is initial (which may be nil).
func NewHub(initial *market.State) *Hub {
	return &Hub{cur: initial, subs: make(map[*Subscription]struct{})}
}

// Subscription receives states from a hub until it is closed.
type Subscription struct {
	hub  *Hub
	ch   chan *market.State
	once sync.Once
}

// C returns the channel that delivers the newest state. It is closed when
// the subscription or the hub is closed.
func (s *Subscription) C() <-chan *market.State { return s.ch }

// Close ends the subscription and closes its channel. It is idempotent.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.hub.mu.Lock()
		defer s.hub.mu.Unlock()
		if _, ok := s.hub.subs[s]; ok {
			delete(s.hub.subs, s)
			close(s.ch)
		}
	})
}

// Subscribe returns a subscription that first delivers the current state
// (if any). On a closed hub the subscription's channel is already closed.
func (h *Hub) Subscribe() *Subscription {
	s := &Subscription{hub: h, ch: make(chan *market.State, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s
	}
	h.subs[s] = struct{}{}
	if h.cur != nil {
		s.ch <- h.cur
	}
	return s
}

// Publish makes st the current state and offers it to every subscriber,
// replacing any state a subscriber has not taken yet. It never blocks on a
// subscriber. A state older than the current one (lower Version) is ignored.
func (h *Hub) Publish(st *market.State) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || st == nil || (h.cur != nil && st.Version < h.cur.Version) {
		return
	}
	h.cur = st
	for s := range h.subs {
		select {
		case s.ch <- st:
		default:
			// Full: drop the unread older state and put the newest in its place.
			// Only Publish sends, under h.mu, so the second send cannot block.
			select {
			case <-s.ch:
			default:
			}
			s.ch <- st
		}
	}
}

// Current returns the newest published state (nil before the first).
func (h *Hub) Current() *market.State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}

// Subscribers returns how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close closes every subscription; later Publish calls do nothing and
// later subscriptions are born closed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
	}
}
