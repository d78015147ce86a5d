package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// WriteFileAtomic writes b to path through a temporary file in the same
// directory, so a reader never sees half a snapshot.
func WriteFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".hashdeck-snapshot-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(name, 0o644)); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
