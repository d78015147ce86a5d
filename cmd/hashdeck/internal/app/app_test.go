package app

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/dataset"
	"github.com/hashdeck/hashdeck/feeds/market"
	"github.com/hashdeck/hashdeck/feeds/store"
	"github.com/hashdeck/hashdeck/tui/board"
)

func TestLoadHistoryFromTheStore(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "history.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	if err := st.AddBars(ctx, "IREN", "yahoo", []market.Bar{{Day: day, Close: 55.5}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Add(ctx, market.Observation{Metric: market.PriceUSD, Value: 95_000, At: day.Add(12 * time.Hour), Source: "exchanges"}); err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := board.NewEnv(ds, []string{"IREN", "CORZ"})
	h, err := (&App{Store: st, Env: env}).LoadHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Through.Equal(day) {
		t.Errorf("history through %v, want %v", h.Through, day)
	}
	d := board.BuildWith(env, h, nil, time.Now(), econ.Scenario{})
	if p := d.Peers[0]; p.Ticker != "IREN" || p.Price.V != 55.5 || p.Price.Layer != board.LayerStored {
		t.Errorf("IREN from the store: %+v", p.Price)
	}
	if last := d.BTC.Points[len(d.BTC.Points)-1]; last.V != 95_000 || !last.T.Equal(day) {
		t.Errorf("BTC from the store: %+v", last)
	}
}

// The long-running commands collect at GCPercent unless GOGC is set.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	TuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, GCPercent)
	}
	TuneGC(func(k string) string {
		if k == "GOGC" {
			return "200"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=200 set: TuneGC changed the GC percent to %d", got)
	}
}
