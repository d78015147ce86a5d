package main

import (
	"strings"
	"testing"
)

// The reviewer's cases: a board as of a day shows no note, or clause of
// one, published after it.
func TestSnapshotAtWithholdsLaterNotes(t *testing.T) {
	snapEnv(t)
	for _, tc := range []struct{ at, later string }{
		{"2026-01-31", "secwatch 2026-04-08"},  // APLD: an 8-K of April 2026
		{"2026-01-31", "Delta Forge 1"},        // the same clause
		{"2025-10-15", "$1.15B at 2025-12-31"}, // CLSK: a December balance
		{"2026-01-15", "$1.15B at 2025-12-31"}, // public with the quarter's report only
		{"2025-12-29", "Mar-2026 notes 8-K"},   // APLD: a March 2026 8-K
	} {
		code, out, errs := runSnap(t, "--at", tc.at, "--format", "json")
		if code != exitOK {
			t.Fatalf("--at %s: exit %d: %s", tc.at, code, errs)
		}
		if strings.Contains(out, tc.later) {
			t.Errorf("--at %s: the board shows %q, published later", tc.at, tc.later)
		}
	}
	// From its day on, the clause is shown.
	if _, out, _ := runSnap(t, "--at", "2026-04-08", "--format", "json"); !strings.Contains(out, "secwatch 2026-04-08") {
		t.Error("--at 2026-04-08: APLD's note of 2026-04-08 is missing")
	}
}
