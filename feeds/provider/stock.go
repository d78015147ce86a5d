package provider

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// checkStockRange reports whether rng is one of the Yahoo-style history
// ranges the stock providers accept.
func checkStockRange(rng string) error {
	switch rng {
	case "1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max":
		return nil
	}
	return fmt.Errorf("history range %q is not one of 1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max", Clip(rng, 20))
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

// newYorkOffset is market.NewYorkOffset: New York's UTC offset in seconds
// at instant t, without a time-zone database.
func newYorkOffset(t time.Time) int { return market.NewYorkOffset(t) }

// newYorkWall is market.NewYorkWall: the instant a New York wall-clock
// time names.
func newYorkWall(wall time.Time) time.Time { return market.NewYorkWall(wall) }

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
		return Clip(strings.Join(strings.Fields(t), " "), 80), true
	}
	return "", false
}
