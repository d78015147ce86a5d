// Package golden compares test output with golden files and prints a
// unified diff when they differ; `go test <pkg> -update` rewrites them.
// The tui and tui/snapshot tests share it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/charmbracelet/x/ansi"
)

// update is the -update flag of every test binary that imports this package.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Updating reports whether -update was given (for goldens that are not
// compared as text, such as images).
func Updating() bool { return *update }

// Check compares got with the file at path (relative to the package's
// directory), or writes it with -update. On a difference it fails the test
// with a unified diff of the text, escape sequences stripped so that a
// colour change shows as the line it is on, and the command that accepts it.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if bytes.Equal(want, got) {
		return
	}
	diff := udiff.Unified(path, "got", ansi.Strip(string(want)), ansi.Strip(string(got)))
	if diff == "" {
		diff = "(the text is the same: only colours or other escape sequences differ)\n"
	}
	t.Errorf("%s differs from the golden file (go test -run '%s' -update to accept):\n%s", path, t.Name(), diff)
}
