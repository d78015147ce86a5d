package board

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/econ"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// secQuarters decodes the recorded company-facts answer of feeds/testdata/sec
// for ticker, with val replaced by repl in its body (to change a fact).
func secQuarters(t *testing.T, ticker, name string, repl ...string) []econ.Quarter {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "feeds", "testdata", "sec", name+".http"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := bytes.Cut(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n\n"))
	if len(repl) == 2 {
		body = bytes.ReplaceAll(body, []byte(repl[0]), []byte(repl[1]))
	}
	facts, err := provider.DecodeSECCompanyFacts(bytes.NewReader(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(provider.SECFilers(), func(f provider.SECFiler) bool { return f.Ticker == ticker })
	if i < 0 {
		t.Fatalf("%s is not a filer", ticker)
	}
	return provider.SECQuarters(provider.SECFilers()[i], facts.Facts)
}

// Issue 11 "done when": live, a US filer's cash and all-in costs come from
// its SEC facts (the source names the filing), merged over the research
// data that gives its mining share, and they change when the facts change.
func TestFiledFactsGiveCashAndAllIn(t *testing.T) {
	at := time.Date(2025, 9, 15, 12, 0, 0, 0, time.UTC) // 2025-Q2 filed (2025-07-29), in the window
	env := NewEnvAt(testEnv().Dataset, testEnv().Peers, at)
	cost := func(h *History) (cash, allIn econ.ScopeCost) {
		d := BuildWith(env, h, nil, at, econ.Scenario{})
		for _, m := range d.Board.Implied {
			if m.Ticker != "CLSK" {
				continue
			}
			for _, q := range m.Quarters {
				if q.Calendar == "2025-Q2" {
					return q.Costs[econ.ScopeCash], q.Costs[econ.ScopeAllIn]
				}
			}
		}
		t.Fatal("no CLSK 2025-Q2 on the board")
		return
	}
	embedded, _ := cost(nil)
	base := NewHistory(env, nil, Network{})
	filed := base.WithFiled(env, map[string][]econ.Quarter{"CLSK": secQuarters(t, "CLSK", "companyfacts-clsk")}, nil)
	cash, allIn := cost(filed)
	if embedded.PerPHDay.OK() {
		t.Errorf("the embedded data alone give CLSK 2025-Q2 cash %v: the test shows nothing", embedded.PerPHDay)
	}
	if !cash.PerPHDay.OK() || !allIn.PerPHDay.OK() {
		t.Fatalf("with the filing: cash %+v, all-in %+v", cash, allIn)
	}
	if !strings.Contains(cash.Source+cash.Note, "0000827876-25-") && !strings.Contains(allIn.Source+allIn.Note, "0000827876-25-") {
		t.Errorf("the cost does not name the filing: cash %+v", cash.Provenance)
	}
	if !(allIn.PerPHDay.Or(0) > cash.PerPHDay.Or(0)) {
		t.Errorf("all-in %v not above cash %v", allIn.PerPHDay, cash.PerPHDay)
	}
	// A changed fact changes the cost.
	changed := base.WithFiled(env, map[string][]econ.Quarter{"CLSK": secQuarters(t, "CLSK", "companyfacts-clsk", `"val": 35500000`, `"val": 45500000`)}, nil)
	if c2, _ := cost(changed); c2.PerPHDay == cash.PerPHDay {
		t.Errorf("SG&A +$10M left the cash cost at %v", c2.PerPHDay)
	}
}
