package provider

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

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
