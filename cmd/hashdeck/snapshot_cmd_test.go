package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/report"
)

// snapAt is the fixed clock of the golden files in tui/snapshot/testdata.
const snapAt = "2025-12-29T12:00:00Z"

// snapEnv isolates a snapshot from the machine: no config file, no keys,
// no NO_COLOR, the history store in a temporary directory.
func snapEnv(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("NO_COLOR", "")
	t.Setenv("HASHDECK_COINGECKO_KEY", "")
	t.Setenv("HASHDECK_HASHRATEINDEX_KEY", "")
}

// runSnap runs hashdeck snapshot with args.
func runSnap(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runSnapshot(args, &out, &errb)
	return code, out.String(), errb.String()
}

// snapFile runs a snapshot into a file and returns its bytes.
func snapFile(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	code, _, errs := runSnap(t, append(args, "--out", path)...)
	if code != exitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSnapshotBadFlags(t *testing.T) {
	snapEnv(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--size", "0x0"}, "--size"},
		{[]string{"--size", "9x9"}, "--size"},
		{[]string{"--size", "79x24"}, "--size"},
		{[]string{"--size", "big"}, "--size"},
		{[]string{"--size", "1000x1000"}, "--size"},
		{[]string{"--view", "nope"}, "--view"},
		{[]string{"--view", "peers:IREN"}, "--view"},
		{[]string{"--view", "miner:"}, "--view"},
		{[]string{"--view", "miner:ZZZZ"}, "--view"},
		{[]string{"--format", "bmp"}, "--format"},
		{[]string{"--out", filepath.Join(dir, "x.jpg")}, "--format"},
		{[]string{"--theme", "neon"}, "--theme"},
		{[]string{"--format", "png"}, "--out"},
		{[]string{"--frame"}, "--frame"},
		{[]string{"--format", "json", "--frame"}, "--frame"},
		{[]string{"--scale", "0", "--format", "svg"}, "--scale"},
		{[]string{"--scale", "9", "--format", "svg"}, "--scale"},
		{[]string{"--size", "500x200", "--scale", "4", "--out", filepath.Join(dir, "x.png")}, "--scale"},
		{[]string{"--timeout", "0s"}, "--timeout"},
		{[]string{"--at", "yesterday"}, "--at"},
		{[]string{"--at", "2020-01-01"}, "--at"},
		{[]string{"--range", "5Y"}, "--range"},
	} {
		args := append([]string{"--at", snapAt}, c.args...)
		code, out, errs := runSnap(t, args...)
		if code != exitUsage || !strings.Contains(errs, c.flag) {
			t.Errorf("%v: exit %d, stderr %q (want 2 naming %s)", c.args, code, errs, c.flag)
		}
		if out != "" {
			t.Errorf("%v: wrote %d bytes", c.args, len(out))
		}
	}
	if code, _, errs := runSnap(t, "--at", snapAt, "stray"); code != exitUsage || !strings.Contains(errs, "stray") {
		t.Errorf("positional argument: exit %d, %q", code, errs)
	}
	if code, _, errs := runSnap(t, "--bogus"); code != exitUsage || !strings.Contains(errs, "bogus") {
		t.Errorf("unknown flag: exit %d, %q", code, errs)
	}
	if code, out, _ := runSnap(t, "--help"); code != exitOK || !strings.Contains(out, "Usage: hashdeck snapshot") || !strings.Contains(out, "-frame") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

// TestSnapshotReproducible runs every format twice with --at: the bytes
// are the same, and the same as the golden files of package snapshot.
func TestSnapshotReproducible(t *testing.T) {
	snapEnv(t)
	for _, f := range []string{"txt", "ansi", "svg", "html", "json", "png"} {
		args := []string{"--at", snapAt, "--size", "120x40"}
		a := snapFile(t, "a."+f, args...)
		b := snapFile(t, "b."+f, args...)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ", f)
		}
		if f == "png" {
			continue // compared by pixels in package snapshot
		}
		golden, err := os.ReadFile(filepath.Join("..", "..", "tui", "snapshot", "testdata", "overview-120x40."+f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, golden) {
			t.Errorf("%s: differs from tui/snapshot/testdata/overview-120x40.%s", f, f)
		}
		// stdout gives the same bytes as the file.
		code, out, errs := runSnap(t, append(args, "--format", f)...)
		if code != exitOK || out != string(a) {
			t.Errorf("%s on stdout: exit %d, %d bytes (file %d): %s", f, code, len(out), len(a), errs)
		}
	}
}

func TestSnapshotFormats(t *testing.T) {
	snapEnv(t)
	at := []string{"--at", snapAt}
	// The format comes from the extension; --format wins over it.
	for ext, prefix := range map[string]string{
		"svg": "<?xml", "html": "<!DOCTYPE html>", "htm": "<!DOCTYPE html>", "json": "{", "png": "\x89PNG", "ans": "\x1b[", "txt": "hashdeck",
	} {
		if b := snapFile(t, "x."+ext, at...); !bytes.HasPrefix(b, []byte(prefix)) {
			t.Errorf(".%s starts with %q", ext, b[:min(len(b), 20)])
		}
	}
	if b := snapFile(t, "frame.txt", append(at, "--format", "ansi")...); !bytes.Contains(b, []byte("\x1b[")) {
		t.Error("--format ansi into a .txt file has no escapes")
	}
	// txt and ansi: exactly the requested size, txt without escapes.
	for _, sz := range [][2]int{{80, 24}, {123, 41}, {200, 60}} {
		size := strconv.Itoa(sz[0]) + "x" + strconv.Itoa(sz[1])
		for _, f := range []string{"txt", "ansi"} {
			for _, view := range []string{"overview", "peers", "charts", "miner:IREN", "scenario"} {
				code, out, errs := runSnap(t, "--at", snapAt, "--size", size, "--format", f, "--view", view)
				if code != exitOK {
					t.Fatalf("%s %s %s: exit %d %s", f, size, view, code, errs)
				}
				if f == "txt" && strings.ContainsRune(out, '\x1b') {
					t.Errorf("txt %s %s holds escapes", size, view)
				}
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if len(lines) != sz[1] {
					t.Errorf("%s %s %s: %d lines", f, size, view, len(lines))
				}
				for i, l := range lines {
					if ansi.StringWidth(l) != sz[0] {
						t.Errorf("%s %s %s: line %d is %d cells", f, size, view, i+1, ansi.StringWidth(l))
						break
					}
				}
			}
		}
	}
	// PNG: decoded size, at 1× and 2×, with and without the title bar.
	for _, c := range []struct {
		args []string
		w, h int
	}{
		{[]string{"--size", "160x48"}, 160 * 9, 48 * 18},
		{[]string{"--size", "160x48", "--scale", "2"}, 160 * 18, 48 * 36},
		{[]string{"--size", "100x30", "--frame"}, 100 * 9, 30*18 + 28},
	} {
		b := snapFile(t, "s.png", append(at, c.args...)...)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if s := img.Bounds().Size(); s.X != c.w || s.Y != c.h {
			t.Errorf("%v: %v, want %dx%d", c.args, s, c.w, c.h)
		}
	}
	// Views and ranges reach the frame; a former ticker names the same miner.
	for _, c := range []struct{ view, want string }{
		{"miner:iren", "IREN"}, {"miner:BITF", "KEEL"}, {"charts", "Range 3M"}, {"scenario", "what-if"},
	} {
		code, out, errs := runSnap(t, "--at", snapAt, "--view", c.view, "--range", "3m")
		if code != exitOK || !strings.Contains(out, c.want) {
			t.Errorf("--view %s: exit %d, lacks %q: %s\n%s", c.view, code, c.want, errs, out)
		}
	}
	var doc map[string]any
	if code, out, _ := runSnap(t, "--at", snapAt, "--format", "json", "--view", "miner:BITF"); code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || doc["view"] != "miner:KEEL" {
		t.Errorf("json view %v", doc["view"])
	}
	// --frame puts view, as-of time and data mode in a title bar.
	const title = "hashdeck · peers · as of 2025-12-29 12:00 UTC · OFFLINE"
	for _, f := range []string{"svg", "html"} {
		if code, out, _ := runSnap(t, "--at", snapAt, "--view", "peers", "--format", f, "--frame"); code != exitOK || !strings.Contains(out, title) {
			t.Errorf("%s --frame: exit %d, no title %q", f, code, title)
		}
	}
	if code, out, _ := runSnap(t, "--at", snapAt, "--out", "-", "--format", "png"); code != exitOK || !strings.HasPrefix(out, "\x89PNG") {
		t.Errorf("png to --out -: exit %d", code)
	}
	// --offline without --at: the embedded data now.
	if code, out, errs := runSnap(t, "--offline", "--size", "100x30"); code != exitOK || !strings.Contains(out, "OFFLINE") || errs != "" {
		t.Errorf("--offline: exit %d, stderr %q\n%s", code, errs, out)
	}
	// --no-color drops colour; NO_COLOR does for ansi.
	if _, out, _ := runSnap(t, "--at", snapAt, "--format", "ansi", "--no-color"); strings.Contains(out, "38;5;") {
		t.Error("--no-color: ansi still has colours")
	}
	t.Setenv("NO_COLOR", "1")
	if _, out, _ := runSnap(t, "--at", snapAt, "--format", "ansi"); strings.Contains(out, "38;5;") || !strings.Contains(out, "no colour") {
		t.Error("NO_COLOR: ansi still has colours")
	}
}

// snapConfig writes a configuration file and returns its path.
func snapConfig(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hashdeck-config-dir", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSnapshotHidesSecrets: API keys from the file and the environment,
// and the configuration's path, appear in no format.
func TestSnapshotHidesSecrets(t *testing.T) {
	snapEnv(t)
	const fileKey, envKey = "cg-FAKE-file-key-0123456789", "hri-FAKE-env-key-9876543210"
	cfg := snapConfig(t, "[providers]\ncoingecko_key = \""+fileKey+"\"\nhashrateindex_key = \"hri-FAKE-other-1111111\"\n")
	t.Setenv("HASHDECK_HASHRATEINDEX_KEY", envKey)
	for _, f := range []string{"txt", "ansi", "svg", "html", "json"} {
		for _, view := range []string{"overview", "peers", "miner:IREN", "scenario"} {
			code, out, errs := runSnap(t, "--config", cfg, "--at", snapAt, "--format", f, "--view", view)
			if code != exitOK {
				t.Fatalf("%s: exit %d %s", f, code, errs)
			}
			for _, secret := range []string{fileKey, envKey, "hri-FAKE-other", cfg, "hashdeck-config-dir"} {
				if strings.Contains(out, secret) || strings.Contains(errs, secret) {
					t.Errorf("%s %s shows %q", f, view, secret)
				}
			}
		}
	}
	// A frame that did show a key would have it masked, cell for cell.
	secrets := []string{fileKey, "/home/me/.config/hashdeck/config.toml"}
	if got := report.Redact("key "+fileKey+" in /home/me/.config/hashdeck/config.toml", secrets); strings.Contains(got, "FAKE") || strings.Contains(got, "/home") ||
		ansi.StringWidth(got) != ansi.StringWidth("key "+fileKey+" in /home/me/.config/hashdeck/config.toml") {
		t.Errorf("report.Redact: %q", got)
	}
}

// TestSnapshotHTMLIsInert: text from the configuration that looks like
// markup comes out escaped.
func TestSnapshotHTMLIsInert(t *testing.T) {
	snapEnv(t)
	cfg := snapConfig(t, `[[miner]]
ticker = "IREN"
hashrate_ehs = 50
hashrate_label = "<script>alert(1)</script>"
source = "<script>alert(2)</script> & co"
`)
	for _, view := range []string{"peers", "miner:IREN"} {
		b := snapFile(t, "p.html", "--config", cfg, "--at", snapAt, "--view", view, "--frame")
		s := string(b)
		if strings.Contains(strings.ToLower(s), "<script") {
			t.Errorf("%s: the page holds a live <script>", view)
		}
		if view == "peers" && !strings.Contains(s, "&lt;script&gt;") {
			t.Errorf("%s: the label is not on the page, escaped", view)
		}
		svg := string(snapFile(t, "p.svg", "--config", cfg, "--at", snapAt, "--view", view))
		if strings.Contains(strings.ToLower(svg), "<script") {
			t.Errorf("%s: the SVG holds a live <script>", view)
		}
	}
	_, out, _ := runSnap(t, "--config", cfg, "--at", snapAt, "--format", "json")
	var doc struct {
		Peers []struct {
			Ticker   string `json:"ticker"`
			Override *struct {
				Source string   `json:"source"`
				Fields []string `json:"fields"`
			} `json:"user_override"`
			Board struct {
				Hashrate float64 `json:"hashrate_ehs"`
			} `json:"board"`
		} `json:"peers"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Peers[0]
	if p.Ticker != "IREN" || p.Override == nil || p.Override.Source != "<script>alert(2)</script> & co" || p.Board.Hashrate != 50 ||
		len(p.Override.Fields) != 1 || p.Override.Fields[0] != "hashrate_ehs" {
		t.Errorf("IREN: %+v %+v", p, p.Override)
	}
	if strings.Contains(out, "<script") {
		t.Error("the JSON holds a raw <script> (json escapes it as \\u003c)")
	}
}

// TestSnapshotLive polls a local stand-in for every upstream once and
// reports which values are live, stale or embedded.
func TestSnapshotLive(t *testing.T) {
	srv := standIn(t, liveRoutes())
	snapEnv(t)
	setStandIn(t, srv.URL)
	const key = "hri-FAKE-live-key-555555555"
	t.Setenv("HASHDECK_HASHRATEINDEX_KEY", key) // its requests fail (404): the error must not show it
	code, out, errs := runSnap(t, "--format", "json", "--timeout", "20s")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var doc struct {
		Mode      string `json:"data_mode"`
		Fixed     bool   `json:"clock_fixed"`
		Freshness struct {
			Live, Stale, Embedded []string
		} `json:"freshness"`
		Network struct {
			Sources map[string]struct {
				Layer  string `json:"layer"`
				Source string `json:"source"`
			} `json:"sources"`
		} `json:"network"`
		Feeds []struct {
			Name string `json:"name"`
		} `json:"feeds"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Mode != "live" && doc.Mode != "stale" || doc.Fixed {
		t.Errorf("mode %q, clock fixed %v", doc.Mode, doc.Fixed)
	}
	if s := doc.Network.Sources["difficulty"]; s.Layer != "live" || !strings.Contains(s.Source, "mempool") {
		t.Errorf("difficulty %+v", s)
	}
	if len(doc.Freshness.Live) == 0 || len(doc.Feeds) == 0 {
		t.Errorf("freshness %+v, %d feeds", doc.Freshness, len(doc.Feeds))
	}
	t.Logf("stderr:\n%s", errs)
	if !strings.Contains(errs, "values live") {
		t.Errorf("stderr does not say what is live:\n%s", errs)
	}
	for _, s := range []string{out, errs} {
		if strings.Contains(s, key) {
			t.Error("the API key shows")
		}
	}
	// The frame says it is live.
	code, out, errs = runSnap(t, "--format", "txt", "--timeout", "20s", "--size", "120x40")
	if code != exitOK || !strings.Contains(out, "LIVE") && !strings.Contains(out, "STALE") {
		t.Errorf("txt: exit %d %s\n%s", code, errs, out)
	}
}

// Issue 14 rows 11 and 15, issue 13 "no panic": a live snapshot with no
// upstream answering in time draws the embedded data marked NO FEED (not
// OFFLINE) and says so on stderr; a bare --timeout number is seconds.
func TestSnapshotNoFeed(t *testing.T) {
	srv := silentUpstream(t)
	snapEnv(t)
	setStandIn(t, srv.URL)
	code, out, errs := runSnap(t, "--format", "txt", "--timeout", "0.3", "--size", "120x40")
	if code != exitOK || !strings.Contains(out, "NO FEED") || strings.Contains(out, "OFFLINE") {
		t.Errorf("exit %d, frame:\n%s\nstderr:\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "at most 300ms") || !strings.Contains(errs, "no source answered") {
		t.Errorf("stderr %q", errs)
	}
}
