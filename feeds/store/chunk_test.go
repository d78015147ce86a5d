package store

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

func TestChunkRoundTrip(t *testing.T) {
	start := chunkStart(levelRaw, t0.UnixMilli())
	es := []entry{
		{t: start, src: 1, v: 1.5, n: 1, last: start, seq: 1},
		{t: start, src: 7, v: -2, n: 1, last: start, seq: 9},
		{t: start + 59_999, src: 2, v: math.MaxFloat64, n: 3600, last: start + 3_599_999, seq: 1 << 40},
		{t: start + 3_599_999, src: 1, v: math.SmallestNonzeroFloat64, n: 1, last: start + 3_599_999, seq: 2},
	}
	data := encodeChunk(nil, start, es)
	got, err := decodeChunk(nil, start, data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, es) {
		t.Errorf("round trip:\n got %v\nwant %v", got, es)
	}
	// Every truncation and a trailing byte are refused, never a panic.
	for i := range data {
		if _, err := decodeChunk(nil, start, data[:i]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated to %d bytes: %v", i, err)
		}
	}
	if _, err := decodeChunk(nil, start, append(data, 0)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: %v", err)
	}
}

func FuzzDecodeChunk(f *testing.F) {
	f.Add(encodeChunk(nil, 0, []entry{{t: 5, src: 1, v: 2, n: 1, last: 5, seq: 3}}))
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := decodeChunk(nil, 1_000, data)
		if err != nil {
			return
		}
		// What decodes re-encodes to entries that decode the same.
		back, err := decodeChunk(nil, 1_000, encodeChunk(nil, 1_000, es))
		if err != nil || !slices.Equal(back, es) {
			t.Fatalf("re-encoding changed the entries: %v → %v (%v)", es, back, err)
		}
	})
}

func TestUpsert(t *testing.T) {
	e := func(tm, src int64, v float64, seq int64) entry {
		return entry{t: tm, src: src, v: v, n: 1, last: tm, seq: seq}
	}
	old := []entry{e(1, 1, 10, 1), e(2, 1, 20, 2), e(2, 2, 21, 3)}
	got, changed := upsert(slices.Clone(old), []entry{e(1, 1, 10, 7), e(2, 2, 21, 8)})
	if changed || !slices.Equal(got, old) {
		t.Errorf("identical re-add: changed=%v %v", changed, got)
	}
	got, changed = upsert(slices.Clone(old), []entry{e(0, 3, 1, 9), e(2, 1, 25, 10), e(2, 1, 26, 11), e(3, 1, 30, 12)})
	want := []entry{e(0, 3, 1, 9), e(1, 1, 10, 1), e(2, 1, 26, 11), e(2, 2, 21, 3), e(3, 1, 30, 12)}
	if !changed || !slices.Equal(got, want) {
		t.Errorf("upsert:\n got %v\nwant %v", got, want)
	}
}

// TestCorruptChunk: a damaged chunk (which SQLite's own checks cannot see)
// makes queries fail with ErrCorrupt naming the file, not return garbage.
func TestCorruptChunk(t *testing.T) {
	s := openTest(t, Options{})
	mustAdd(t, s, obs(market.PriceUSD, t0, 1, "a"))
	if _, err := s.w.Exec(`UPDATE chunks SET data = x'01ff'`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Series(context.Background(), market.PriceUSD, t0, t0.Add(time.Hour), Raw)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), s.Path()) {
		t.Errorf("Series over a corrupt chunk: %v", err)
	}
	if err := s.Add(context.Background(), obs(market.PriceUSD, t0.Add(time.Second), 2, "a")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Add into a corrupt chunk: %v", err)
	}
}

// TestChunkBoundaries: observations on both sides of chunk boundaries at
// every level come back in order.
func TestChunkBoundaries(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	m := market.Hashrate
	// Hour boundaries for raw chunks, and a batch spanning many chunks
	// given out of order.
	var batch []market.Observation
	for i := 9; i >= 0; i-- {
		at := t0.Add(time.Duration(i)*30*time.Minute - time.Millisecond)
		batch = append(batch, obs(m, at, float64(i), "a"))
	}
	mustAdd(t, s, batch...)
	ps, err := s.Series(ctx, m, t0.Add(-time.Hour), t0.Add(6*time.Hour), Raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 10 {
		t.Fatalf("%d points, want 10", len(ps))
	}
	for i, p := range ps {
		if p.Value != float64(i) {
			t.Errorf("point %d = %v", i, p.Value)
		}
	}
	// A range starting inside a chunk skips the chunk's earlier entries.
	ps, _ = s.Series(ctx, m, t0.Add(time.Hour), t0.Add(2*time.Hour), Raw)
	if len(ps) != 2 || ps[0].Value != 3 || ps[1].Value != 4 {
		t.Errorf("mid-chunk range: %s", pointsString(ps))
	}
	// Closes across a 128-day chunk boundary.
	b0 := time.UnixMilli(chunkStart(levelDaily, t0.UnixMilli())).UTC()
	bars := []market.Bar{{Day: b0.AddDate(0, 0, -1), Close: 1}, {Day: b0, Close: 2}}
	if err := s.AddBars(ctx, "CORZ", "y", bars); err != nil {
		t.Fatal(err)
	}
	got, err := s.Closes(ctx, "CORZ", b0.AddDate(0, 0, -5), b0.AddDate(0, 0, 5))
	if err != nil || len(got) != 2 || got[0].Close != 1 || got[1].Close != 2 {
		t.Errorf("closes across a chunk boundary: %v %v", got, err)
	}
}
