package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

func filingDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testFacts() []FilingFact {
	return []FilingFact{
		{Concept: "us-gaap:Revenues", Start: filingDay("2025-01-01"), End: filingDay("2025-03-31"), Value: 181700000, Accession: "0000827876-25-000020", Form: "10-Q", Filed: filingDay("2025-05-08")},
		{Concept: "us-gaap:Revenues", Start: filingDay("2024-10-01"), End: filingDay("2024-12-31"), Value: 162301000, Accession: "0000827876-26-000004", Form: "10-Q", Filed: filingDay("2026-02-05")},
		{Concept: "us-gaap:Revenues", Start: filingDay("2024-10-01"), End: filingDay("2024-12-31"), Value: 162301000, Accession: "0000827876-25-000005", Form: "10-Q", Filed: filingDay("2025-02-06")},
		{Concept: "us-gaap:InterestExpense", Start: filingDay("2024-10-01"), End: filingDay("2025-09-30"), Value: 8e6, Accession: "0000827876-25-000045", Form: "10-K", Filed: filingDay("2025-11-25")},
	}
}

func TestFilingsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, ok, err := s.FilingsState(ctx, 827876); ok || err != nil {
		t.Fatalf("state of an unknown filer: %v, %v", ok, err)
	}
	if f, err := s.FilingFacts(ctx, 827876); len(f) != 0 || err != nil {
		t.Fatalf("facts of an unknown filer: %v, %v", f, err)
	}
	st := FilingsState{
		CIK: 827876, Ticker: "CLSK", Entity: "CLEANSPARK, INC.",
		Fetched: time.Date(2026, 2, 10, 15, 0, 0, 0, time.UTC), Attempted: time.Date(2026, 2, 10, 15, 0, 0, 0, time.UTC),
		ETag: `"clsk-2026-02-06"`, LastModified: "Fri, 06 Feb 2026 03:12:44 GMT", Parser: 3,
	}
	if err := s.PutFilings(ctx, st, testFacts()); err != nil {
		t.Fatal(err)
	}
	// A 304 (or a failure) changes the state only.
	st2 := st
	st2.Attempted = st.Attempted.Add(25 * time.Hour)
	st2.Error = "SEC EDGAR: HTTP 503"
	if err := s.PutFilingsState(ctx, st2); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Both survive a restart.
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.FilingsState(ctx, 827876)
	if err != nil || !ok || !reflect.DeepEqual(got, st2) {
		t.Errorf("state\n got %+v %v %v\nwant %+v", got, ok, err, st2)
	}
	facts, err := s.FilingFacts(ctx, 827876)
	if err != nil {
		t.Fatal(err)
	}
	want := testFacts()
	want = []FilingFact{want[3], want[2], want[1], want[0]} // by concept, end, start, filed
	if !reflect.DeepEqual(facts, want) {
		t.Errorf("facts\n got %+v\nwant %+v", facts, want)
	}
	// PutFilings replaces the facts; other filers are untouched.
	other := FilingsState{CIK: 1507605, Ticker: "MARA"}
	if err := s.PutFilings(ctx, other, testFacts()[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFilings(ctx, st, testFacts()[:2]); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.FilingFacts(ctx, 827876); len(f) != 2 {
		t.Errorf("%d facts after replacing with 2", len(f))
	}
	if f, _ := s.FilingFacts(ctx, 1507605); len(f) != 1 {
		t.Errorf("the other filer has %d facts, want 1", len(f))
	}
	if got, _, _ := s.FilingsState(ctx, 1507605); !got.Fetched.IsZero() || !got.Attempted.IsZero() || got.Ticker != "MARA" {
		t.Errorf("zero times do not round-trip: %+v", got)
	}
	// The same fact twice in one file (one filing, two statements) is one row.
	dup := testFacts()[:1]
	dup = append(dup, dup[0])
	if err := s.PutFilings(ctx, other, dup); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.FilingFacts(ctx, 1507605); len(f) != 1 {
		t.Errorf("a duplicated fact stored %d times", len(f))
	}
}

func TestFilingsRefusesInvalid(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	st := FilingsState{CIK: 827876, Ticker: "CLSK"}
	if err := s.PutFilings(ctx, st, testFacts()); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*FilingFact){
		"no concept":   func(f *FilingFact) { f.Concept = "" },
		"no filed":     func(f *FilingFact) { f.Filed = time.Time{} },
		"backwards":    func(f *FilingFact) { f.Start = f.End.AddDate(0, 0, 1) },
		"NaN":          func(f *FilingFact) { f.Value = math.NaN() },
		"no accession": func(f *FilingFact) { f.Accession = "" },
	} {
		facts := testFacts()
		mutate(&facts[2])
		err := s.PutFilings(ctx, FilingsState{CIK: 827876, Ticker: "CLSK", Error: "changed"}, facts)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	for _, bad := range []FilingsState{{CIK: 0, Ticker: "X"}, {CIK: 5}} {
		if err := s.PutFilingsState(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("state %+v: %v, want ErrInvalid", bad, err)
		}
	}
	// Nothing of the refused writes landed.
	if got, _, _ := s.FilingsState(ctx, 827876); got.Error != "" {
		t.Errorf("state changed by a refused write: %+v", got)
	}
	if f, _ := s.FilingFacts(ctx, 827876); len(f) != 4 {
		t.Errorf("%d facts after refused writes, want 4", len(f))
	}
	s.Close()
	if err := s.PutFilingsState(ctx, st); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestUpgradeFromVersion1: a database written before the filings tables
// existed gains them on Open and keeps its history.
func TestUpgradeFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsn(path, DefaultBusyTimeout, false))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrations()[:1], t0); err != nil {
		t.Fatal(err)
	}
	if v, _ := schemaVersion(ctx, db); v != 1 {
		t.Fatalf("version %d, want 1", v)
	}
	// Some rows of the version 1 tables.
	if _, err := db.Exec(`INSERT INTO series (kind, name) VALUES ('metric', 'old_metric'); INSERT INTO sources (name) VALUES ('old source')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := schemaVersion(ctx, s.w); v != 2 {
		t.Fatalf("version after Open %d, want 2", v)
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM series WHERE name = 'old_metric'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("version 1 rows after the upgrade: %d, %v", n, err)
	}
	mustAdd(t, s, obs(market.PriceUSD, t0, 100, "kraken"))
	if err := s.PutFilings(ctx, FilingsState{CIK: 827876, Ticker: "CLSK"}, testFacts()); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := s.Latest(ctx, market.PriceUSD); !ok || err != nil || p.Value != 100 {
		t.Errorf("history after the upgrade: %+v %v %v", p, ok, err)
	}
}
