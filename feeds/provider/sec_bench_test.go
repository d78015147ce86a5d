package provider

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/internal/fixture"
)

// secSyntheticFile writes a company-facts file of about size bytes to a
// temporary directory, shaped like a large filer's: a few dei facts, then
// us-gaap concepts of which every SECConcepts one is present with
// factsPerConcept facts, and the rest (the bulk) are concepts the decoder
// skips, some in shares or USD/shares. It returns the path, the file's
// size and how many facts the decoder should keep.
func secSyntheticFile(tb testing.TB, size int64) (path string, n int64, kept int) {
	tb.Helper()
	path = filepath.Join(tb.TempDir(), "CIK0000000001.json")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const factsPerConcept = 240
	writeFacts := func(unit string, seed int) {
		fmt.Fprintf(w, `"units":{%q:[`, unit)
		for i := range factsPerConcept {
			if i > 0 {
				w.WriteByte(',')
			}
			y := 2009 + (i/4)%17
			q := i % 4
			start := time.Date(y, time.Month(1+3*q), 1, 0, 0, 0, 0, time.UTC)
			end := start.AddDate(0, 3, -1)
			if i%5 == 4 { // some year-to-date periods
				start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			filed := end.AddDate(0, 1, 10+i%20)
			fmt.Fprintf(w, `{"start":"%s","end":"%s","val":%d,"accn":"0000000001-%02d-%06d","fy":%d,"fp":"Q%d","form":"10-Q","filed":"%s","frame":"CY%dQ%d"}`,
				start.Format(time.DateOnly), end.Format(time.DateOnly), 1000000+seed*7919+i*104729, y%100, seed*1000+i, y, q+1,
				filed.Format(time.DateOnly), y, q+1)
		}
		w.WriteString("]}")
	}
	w.WriteString(`{"cik":1,"entityName":"SYNTHETIC MINING CORP","facts":{"dei":{"EntityCommonStockSharesOutstanding":{"label":"Shares","description":"Cover page.",`)
	writeFacts("shares", 0)
	w.WriteString(`}},"us-gaap":{`)
	first := true
	concept := func(tag, unit string, seed int) {
		if !first {
			w.WriteByte(',')
		}
		first = false
		fmt.Fprintf(w, `%q:{"label":"%s label","description":"%s: a description of the concept, as long as the taxonomy's usually are, repeated to give the file a realistic weight per concept.",`, tag, tag, tag)
		writeFacts(unit, seed)
		w.WriteByte('}')
	}
	seed := 1
	for _, c := range SECConcepts() {
		if tag, ok := strings.CutPrefix(c, "us-gaap:"); ok {
			concept(tag, "USD", seed)
			kept += factsPerConcept
			seed++
		}
	}
	for i := 0; ; i++ {
		w.Flush()
		if st, _ := f.Stat(); st.Size() >= size {
			break
		}
		unit := "USD"
		switch i % 7 {
		case 5:
			unit = "shares"
		case 6:
			unit = "USD/shares"
		}
		concept(fmt.Sprintf("SyntheticConcept%05d", i), unit, seed)
		seed++
	}
	w.WriteString("}}}\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, st.Size(), kept
}

// heapSampler records the peak of the heap in use (objects plus free
// space in spans, like MemStats.HeapInuse) while it runs, sampling every
// 200 µs through runtime/metrics, which does not stop the world.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak atomic.Uint64
}

func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.peak.Store(heapInUse())
	h.done.Go(func() {
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if v := heapInUse(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak.Load()
}

// decodeFile decodes the file at path and measures the peak heap in use
// above what was in use before.
func decodeFile(tb testing.TB, path string) (SECCompanyFacts, uint64, time.Duration) {
	tb.Helper()
	runtime.GC()
	base := heapInUse()
	h := startHeapSampler()
	t0 := time.Now()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	got, err := DecodeSECCompanyFacts(f, nil)
	took := time.Since(t0)
	peak := h.Stop()
	if err != nil {
		tb.Fatal(err)
	}
	return got, peak - min(base, peak), took
}

// TestDecodeSECCompanyFactsLargeFile: a 30 MB file decodes with a peak
// heap far below its size, and keeps exactly the facts asked for.
func TestDecodeSECCompanyFactsLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 30 MB file")
	}
	path, size, kept := secSyntheticFile(t, 30<<20)
	got, peak, took := decodeFile(t, path)
	if len(got.Facts) != kept || got.CIK != 1 {
		t.Errorf("kept %d facts of CIK %d, want %d of CIK 1", len(got.Facts), got.CIK, kept)
	}
	t.Logf("%.1f MB decoded in %v, peak heap in use +%.1f MB, %d facts kept", float64(size)/1e6, took, float64(peak)/1e6, len(got.Facts))
	if limit := uint64(size / 4); peak > limit {
		t.Errorf("peak heap +%d bytes for a %d-byte file: more than a quarter of it", peak, size)
	}
}

// BenchmarkDecodeSECCompanyFacts decodes a synthetic 30 MB company-facts
// file from disk. Besides time and allocations per decode it reports
// peak-heap-MB (the largest heap in use above the start, sampled during
// the runs) and file-MB.
//
//	go test ./feeds/provider -run '^$' -bench DecodeSECCompanyFacts -benchtime 5x
func BenchmarkDecodeSECCompanyFacts(b *testing.B) {
	path, size, kept := secSyntheticFile(b, 30<<20)
	b.SetBytes(size)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		got, p, _ := decodeFile(b, path)
		if len(got.Facts) != kept {
			b.Fatalf("kept %d facts, want %d", len(got.Facts), kept)
		}
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(size)/1e6, "file-MB")
}

// FuzzDecodeSECCompanyFacts: whatever the body, the decoder returns an
// error or facts that hold its promises, and SECQuarters turns them into
// well-formed quarters.
func FuzzDecodeSECCompanyFacts(f *testing.F) {
	for _, body := range fixture.Bodies(f, "sec") {
		f.Add(body)
	}
	f.Add([]byte(`{"cik":1,"facts":{"us-gaap":{"Revenues":{"units":{"USD":[{"start":"2025-01-01","end":"2025-06-30","val":9,"accn":"a","form":"10-Q","filed":"2025-08-01"},{"start":"2025-01-01","end":"2025-03-31","val":4,"accn":"b","form":"10-Q","filed":"2025-05-01"}]}}}}}`))
	want := map[string]bool{}
	for _, c := range SECConcepts() {
		want[c] = true
	}
	filer := SECFiler{Ticker: "FUZZ", CIK: 1, FiscalYearEnd: time.June, FiscalYearEndDay: 30, Cost: SECCostIncludesDA}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeSECCompanyFacts(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		if got.CIK <= 0 || got.CIK > 9999999999 {
			t.Fatalf("CIK %d accepted", got.CIK)
		}
		for i, x := range got.Facts {
			switch {
			case !want[x.Concept]:
				t.Fatalf("fact of %q kept", x.Concept)
			case math.IsNaN(x.Value) || math.IsInf(x.Value, 0):
				t.Fatalf("value %v kept", x.Value)
			case x.End.Before(x.Start) || x.End.Sub(x.Start) > secMaxPeriodDays*24*time.Hour:
				t.Fatalf("period %v..%v kept", x.Start, x.End)
			case x.Accession == "" || x.Filed.IsZero():
				t.Fatalf("fact without provenance kept: %+v", x)
			case i > 0 && compareSECFacts(got.Facts[i-1], x) > 0:
				t.Fatalf("facts not sorted at %d", i)
			}
		}
		qs := SECQuarters(filer, got.Facts)
		for i, q := range qs {
			if d := secDays(q.Start.Time(), q.End.Time()); d < secQuarterMinDays || d > secQuarterMaxDays {
				t.Fatalf("quarter of %d days: %+v", d, q)
			}
			if i > 0 && qs[i-1].End.After(q.End) {
				t.Fatal("quarters not sorted")
			}
			for _, it := range []struct {
				name string
				ok   bool
				v    float64
			}{
				{"revenue", q.RevenueTotal.OK(), float64(q.RevenueTotal.Value.Or(0))},
				{"cost", q.CostTotal.OK(), float64(q.CostTotal.Value.Or(0))},
				{"sga", q.SGA.OK(), float64(q.SGA.Value.Or(0))},
				{"stock comp", q.StockComp.OK(), float64(q.StockComp.Value.Or(0))},
				{"da", q.DA.OK(), float64(q.DA.Value.Or(0))},
				{"interest", q.Interest.OK(), float64(q.Interest.Value.Or(0))},
			} {
				if it.ok && (it.v < 0 || math.IsInf(it.v, 0) || math.IsNaN(it.v)) {
					t.Fatalf("%s %v in %+v", it.name, it.v, q)
				}
			}
			if q.Published.IsZero() || q.Fiscal == "" || q.Calendar == "" {
				t.Fatalf("quarter without dates or labels: %+v", q)
			}
		}
	})
}
