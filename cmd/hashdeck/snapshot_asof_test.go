package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
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
		// Values too: KEEL's ai_pivot of 2025-11-14 ends with a tenant
		// status as of May 2026; its exchange of 2026-02-06 names the
		// ticker change of April.
		{"2025-12-29", "as of ~May-2026"},
		{"2026-03-31", "KEEL since ~2026-04-06"},
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
	if _, out, _ := runSnap(t, "--at", "2026-04-08", "--format", "json"); !strings.Contains(out, "secwatch 2026-04-08") || !strings.Contains(out, "KEEL since ~2026-04-06") {
		t.Error("--at 2026-04-08: APLD's note of 2026-04-08 or KEEL's exchange of 2026-04-06 is missing")
	}
}

// As of a day, the embedded data's extents named in the JSON are those of
// the data the board could use then, none after the day.
func TestSnapshotAtDatasetExtents(t *testing.T) {
	snapEnv(t)
	for _, at := range []string{"2024-12-12", "2025-06-30", "2025-12-29T12:00:00Z", "2026-03-01"} {
		code, out, errs := runSnap(t, "--at", at, "--format", "json")
		if code != exitOK {
			t.Fatalf("--at %s: exit %d: %s", at, code, errs)
		}
		var doc struct {
			Embedded struct {
				AsOf map[string]any `json:"as_of"`
			} `json:"embedded_data"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		day := at[:10]
		for _, k := range []string{"network", "epoch_date", "btc_usd", "stocks", "facts"} {
			v, _ := doc.Embedded.AsOf[k].(string)
			if len(v) < 10 || v[:10] > day || v[:4] < "2024" {
				t.Errorf("--at %s: embedded_data.as_of.%s = %q, want a day on or before %s", at, k, v, day)
			}
		}
	}
}

// staleDoc is what the stale tests read of a JSON snapshot.
type staleDoc struct {
	Hashprice struct {
		Stale bool   `json:"stale"`
		AsOf  string `json:"as_of"`
	} `json:"hashprice"`
	Network struct {
		Sources map[string]struct {
			Stale bool `json:"stale"`
		} `json:"sources"`
	} `json:"network"`
	Peers []struct {
		Ticker string `json:"ticker"`
		Price  struct {
			AsOf  string `json:"as_of"`
			Stale bool   `json:"stale"`
		} `json:"price_usd"`
	} `json:"peers"`
}

// --at after the embedded network data end: the board shows the last day's
// hashprice marked stale, with that day, in the JSON and on screen.
func TestSnapshotAtAfterNetworkDataIsStale(t *testing.T) {
	snapEnv(t)
	for _, at := range []string{"2026-06-30", "2026-11-01"} {
		code, out, errs := runSnap(t, "--at", at, "--format", "json")
		if code != exitOK {
			t.Fatalf("--at %s: exit %d: %s", at, code, errs)
		}
		var doc staleDoc
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if !doc.Hashprice.Stale || !strings.HasPrefix(doc.Hashprice.AsOf, "2025-12-29") {
			t.Errorf("--at %s: hashprice stale %v as of %q, want stale as of 2025-12-29", at, doc.Hashprice.Stale, doc.Hashprice.AsOf)
		}
		for k, s := range doc.Network.Sources {
			if !s.Stale {
				t.Errorf("--at %s: network.sources.%s not stale", at, k)
			}
		}
		for _, view := range []string{"overview", "costs"} {
			_, txt, _ := runSnap(t, "--at", at, "--view", view, "--size", "120x40")
			if !strings.Contains(txt, "STALE") || !strings.Contains(txt, "2025-12-29") {
				t.Errorf("--at %s --view %s: no stale marking of the 2025-12-29 hashprice:\n%s", at, view, txt)
			}
		}
	}
	// On the data's last day the board is current: its network and
	// hashprice, and every close of the last session (2025-12-26, a Friday;
	// KEEL's closes end 2025-12-17, and that one is stale).
	_, out, _ := runSnap(t, "--at", snapAt, "--format", "json")
	var doc staleDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Hashprice.Stale {
		t.Errorf("--at %s: the hashprice is marked stale", snapAt)
	}
	for k, s := range doc.Network.Sources {
		if s.Stale {
			t.Errorf("--at %s: network.sources.%s is marked stale", snapAt, k)
		}
	}
	for _, p := range doc.Peers {
		if p.Price.AsOf == "" {
			continue // no close (APLD)
		}
		if want := p.Price.AsOf < "2025-12-26"; p.Price.Stale != want {
			t.Errorf("--at %s: %s's close of %s stale %v, want %v", snapAt, p.Ticker, p.Price.AsOf, p.Price.Stale, want)
		}
	}
}

// --at after the command's clock is refused, naming --at, like --at before
// any data; up to the clock it is drawn.
func TestSnapshotAtInTheFutureIsRefused(t *testing.T) {
	snapEnv(t)
	clock := func() time.Time { return time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC) }
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runSnapshotAt(args, &out, &errb, clock)
		return code, out.String(), errb.String()
	}
	for _, at := range []string{"2026-03-02", "2026-03-01T10:00:00Z", "2027-06-01", "2026-03-01T12:00:00+01:00"} {
		code, out, errs := run("--at", at, "--format", "json")
		if code != exitUsage || out != "" || !strings.Contains(errs, "--at") || !strings.Contains(errs, "future") {
			t.Errorf("--at %s with the clock at 2026-03-01T09:30Z: exit %d, stderr %q, %d bytes out; want exit 2 naming --at", at, code, errs, len(out))
		}
	}
	for _, at := range []string{"2026-03-01", "2026-03-01T09:30:00Z", "2026-02-28"} {
		if code, _, errs := run("--at", at, "--format", "txt"); code != exitOK {
			t.Errorf("--at %s with the clock at 2026-03-01T09:30Z: exit %d: %s", at, code, errs)
		}
	}
	// Before any data: refused as before.
	if code, _, errs := run("--at", "2024-01-01"); code != exitUsage || !strings.Contains(errs, "--at") {
		t.Errorf("--at 2024-01-01: exit %d: %s", code, errs)
	}
}
