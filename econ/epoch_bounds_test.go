package econ

import (
	"testing"
	"time"
)

func TestCheckEpochStartAndRetargetDate(t *testing.T) {
	at := time.Date(2026, 1, 14, 15, 0, 0, 0, time.UTC)
	const height = 930_512 // 1,136 blocks in, 880 to go
	for _, tc := range []struct {
		start time.Time
		ok    bool
	}{
		{time.Unix(1767732842, 0), true},                     // mempool's previousTime, as recorded
		{at.Add(-1136 * 150 * time.Second), true},            // the fastest the protocol allows
		{at.Add(-1137 * 2400 * time.Second), true},           // the slowest
		{at.AddDate(0, 0, -332), false},                      // the replayed answer's epoch
		{at.Add(-1136*150*time.Second + 3*time.Hour), false}, // too fast even with the 2 h drift
		{at.Add(3 * time.Hour), false},                       // in the future
	} {
		if err := CheckEpochStart(height, tc.start, at); (err == nil) != tc.ok {
			t.Errorf("start %v: %v, want ok %v", tc.start, err, tc.ok)
		}
	}
	if err := CheckEpochStart(height-height%EpochBlocks, at.Add(-time.Hour), at); err != nil {
		t.Errorf("the epoch's first block an hour ago: %v", err)
	}
	for _, tc := range []struct {
		eta time.Time
		ok  bool
	}{
		{time.UnixMilli(1768921781760), true}, // mempool's estimatedRetargetDate, as recorded
		{at.AddDate(0, 0, -318), false},       // in the past
		{at.Add(880 * 2400 * time.Second), true},
		{at.AddDate(0, 0, 60), false}, // 880 blocks cannot take two months
	} {
		if err := CheckRetargetDate(height, tc.eta, at); (err == nil) != tc.ok {
			t.Errorf("eta %v: %v, want ok %v", tc.eta, err, tc.ok)
		}
	}
}
