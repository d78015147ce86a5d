package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/hashdeck/hashdeck/tui/board"
	"github.com/hashdeck/hashdeck/tui/snapshot"
)

// Freshness says on stderr which values are live, stale or embedded.
func Freshness(w io.Writer, data *board.Data) {
	fr := snapshot.Fresh(data)
	fmt.Fprintf(w, "hashdeck snapshot: data %s: %d values live, %d stale, %d from the history store, %d embedded, %d unknown\n",
		data.Mode, len(fr.Live), len(fr.Stale), len(fr.Stored), len(fr.Embedded), len(fr.Unknown))
	for _, l := range []struct {
		name string
		list []string
	}{{"stale", fr.Stale}, {"stored", fr.Stored}, {"embedded", fr.Embedded}, {"unknown", fr.Unknown}} {
		if len(l.list) > 0 {
			fmt.Fprintf(w, "  %-9s %s\n", l.name+":", strings.Join(l.list, ", "))
		}
	}
	if data.Mode == board.ModeDown {
		fmt.Fprintln(w, "hashdeck snapshot: no source answered: the snapshot shows the embedded data")
	}
}

// Redact replaces every secret in s with as many '*' as it has
// characters, so a frame keeps its width.
func Redact(s string, secrets []string) string {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, strings.Repeat("*", len([]rune(x))))
		}
	}
	return s
}
