package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// t0 is a fixed UTC instant the tests build times from.
var t0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "history.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func obs(m market.Metric, at time.Time, v float64, src string) market.Observation {
	return market.Observation{Metric: m, At: at, Value: v, Source: src}
}

func mustAdd(t testing.TB, s *Store, o ...market.Observation) {
	t.Helper()
	if err := s.Add(context.Background(), o...); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_DATA_HOME": "/x/data", "HOME": "/home/u"}, "/x/data/hashdeck/history.db"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/hashdeck/history.db"},
		{map[string]string{"XDG_DATA_HOME": "relative/data", "HOME": "/home/u"}, "/home/u/.local/share/hashdeck/history.db"},
	}
	for _, c := range cases {
		got, err := DefaultPath(env(c.env))
		if err != nil || got != c.want {
			t.Errorf("DefaultPath(%v) = %q, %v; want %q", c.env, got, err, c.want)
		}
	}
	if _, err := DefaultPath(env(nil)); err == nil {
		t.Error("DefaultPath with no HOME: want an error")
	}
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "history.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Recovered() != "" {
		t.Errorf("Recovered() = %q on a fresh database", s.Recovered())
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
	var mode string
	if err := s.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var sync int
	if err := s.r.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 1 {
		t.Errorf("synchronous = %d, %v; want 1 (NORMAL)", sync, err)
	}
	var fk int
	if err := s.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	versions := func(s *Store) []int {
		rows, err := s.r.Query("SELECT version FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var vs []int
		for rows.Next() {
			var v int
			rows.Scan(&v)
			vs = append(vs, v)
		}
		return vs
	}
	if got := versions(s); fmt.Sprint(got) != fmt.Sprint([]int{1, 2}) {
		t.Errorf("schema_migrations = %v, want [1 2]", got)
	}
	mustAdd(t, s, obs(market.PriceUSD, t0, 100, "kraken"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(context.Background(), obs(market.PriceUSD, t0, 100, "kraken")); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}

	// Reopening applies nothing and keeps the data.
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := versions(s); fmt.Sprint(got) != fmt.Sprint([]int{1, 2}) {
		t.Errorf("after reopening, schema_migrations = %v, want [1 2]", got)
	}
	p, ok, err := s.Latest(context.Background(), market.PriceUSD)
	if err != nil || !ok || p.Value != 100 {
		t.Errorf("Latest after reopening = %+v, %v, %v", p, ok, err)
	}
}

func TestPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "we?ird #dir%41", "history.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustAdd(t, s, obs(market.Height, t0, 1, "x"))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the path given: %v", err)
	}
}

// setVersion writes a schema_migrations row straight into the file.
func setVersion(t *testing.T, path string, v int) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, name, applied_unix_s) VALUES (?, 'future', 0)`, v); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	setVersion(t, path, 7)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open: %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, fmt.Sprintf("written by a newer hashdeck (schema 7 > %d)", latestVersion())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the newer database was modified")
	}
	assertFiles(t, dir, "history.db")
}

func TestNotHistoryRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Make it someone else's database: drop ours, add a foreign table.
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TABLE schema_migrations", "CREATE TABLE notes (x)"} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNotHistory) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open: %v, want ErrNotHistory naming the path", err)
	}
	assertFiles(t, dir, "history.db")
}

// assertFiles checks dir holds exactly the given names (-wal and -shm
// files aside, which SQLite may leave).
func assertFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), "-wal") && !strings.HasSuffix(e.Name(), "-shm") {
			got = append(got, e.Name())
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("files in %s: %v, want %v", dir, got, want)
	}
}

func TestCorruptMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	garbage := bytes.Repeat([]byte("this is not an SQLite database\x00\xff"), 200)
	walBytes := []byte("stray wal bytes")
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-wal", walBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))
	s, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := path + ".corrupt-20260506T050809Z"
	if s.Recovered() != want {
		t.Fatalf("Recovered() = %q, want %q", s.Recovered(), want)
	}
	if got, err := os.ReadFile(want); err != nil || !bytes.Equal(got, garbage) {
		t.Errorf("moved-aside file differs from the corrupt one (err %v)", err)
	}
	if got, err := os.ReadFile(want + "-wal"); err != nil || !bytes.Equal(got, walBytes) {
		t.Errorf("moved-aside -wal differs from the corrupt one (err %v)", err)
	}
	// The fresh database works.
	mustAdd(t, s, obs(market.Height, t0, 1, "x"))
	if _, ok, err := s.Latest(context.Background(), market.Height); !ok || err != nil {
		t.Errorf("fresh database: Latest = %v, %v", ok, err)
	}
	s.Close()

	// A second corruption in the same second does not overwrite the first.
	if err := os.WriteFile(path, garbage[:1000], 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Recovered() != want+"-2" {
		t.Errorf("second Recovered() = %q, want %q", s2.Recovered(), want+"-2")
	}
	if got, _ := os.ReadFile(want); !bytes.Equal(got, garbage) {
		t.Error("the first moved-aside file was overwritten")
	}
	assertFiles(t, dir, "history.db", "history.db.corrupt-20260506T050809Z", "history.db.corrupt-20260506T050809Z-2")
}

func TestMalformedMovedAside(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check bool
		// damage returns the file with some of it overwritten.
		damage func([]byte) []byte
	}{
		{"schema page", false, func(b []byte) []byte {
			// Keep the 100-byte header, wreck the rest of page 1 (the schema).
			for i := 100; i < 4096 && i < len(b); i++ {
				b[i] = 0xA5
			}
			return b
		}},
		{"data pages", true, func(b []byte) []byte {
			for i := 4096 * 2; i < len(b); i++ {
				b[i] = byte(i * 7)
			}
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "history.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var batch []market.Observation
			for i := range 5000 {
				batch = append(batch, obs(market.PriceUSD, t0.Add(time.Duration(i)*time.Minute), float64(i+1), "kraken"))
			}
			mustAdd(t, s, batch...)
			s.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			damaged := tc.damage(b)
			if err := os.WriteFile(path, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err = Open(path, Options{SkipIntegrityCheck: !tc.check})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Recovered() == "" {
				t.Fatal("damaged file was not moved aside")
			}
			if got, _ := os.ReadFile(s.Recovered()); !bytes.Equal(got, damaged) {
				t.Error("moved-aside file differs from the damaged one")
			}
			if _, ok, _ := s.Latest(context.Background(), market.PriceUSD); ok {
				t.Error("fresh database is not empty")
			}
		})
	}
}

func TestUnwritablePaths(t *testing.T) {
	base := t.TempDir()
	t.Run("path is a directory", func(t *testing.T) {
		path := filepath.Join(base, "isdir.db")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path, Options{})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("Open(directory) = %v", err)
		}
		t.Log(err)
	})
	t.Run("parent is a file", func(t *testing.T) {
		parent := filepath.Join(base, "afile")
		if err := os.WriteFile(parent, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(parent, "history.db")
		_, err := Open(path, Options{})
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("Open under a file = %v", err)
		}
		t.Log(err)
		if b, _ := os.ReadFile(parent); string(b) != "x" {
			t.Error("the file in the way was changed")
		}
	})
	if os.Geteuid() == 0 {
		// Root ignores permission bits, so a chmod cannot make a file or
		// directory read-only for this process; the error text is checked
		// by TestErrorKinds with the errors the kernel would return.
		t.Log("running as root: skipping the chmod cases")
		return
	}
	t.Run("read-only directory", func(t *testing.T) {
		dir := filepath.Join(base, "ro")
		if err := os.Mkdir(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		path := filepath.Join(dir, "history.db")
		_, err := Open(path, Options{})
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) {
			t.Fatalf("Open in a read-only directory = %v, want ErrReadOnly naming the path", err)
		}
		t.Log(err)
	})
	t.Run("read-only file", func(t *testing.T) {
		dir := filepath.Join(base, "rofile")
		path := filepath.Join(dir, "history.db")
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		_, err = Open(path, Options{})
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) {
			t.Fatalf("Open of a 0400 file = %v, want ErrReadOnly naming the path", err)
		}
		t.Log(err)
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("read-only file was changed")
		}
		assertFiles(t, dir, "history.db")
	})
}

// TestErrorKinds checks the text and kind of the errors for the failures a
// test cannot always cause (root ignores permissions; filling a disk is
// not done in tests).
func TestErrorKinds(t *testing.T) {
	const path = "/data/hashdeck/history.db"
	for _, c := range []struct {
		err  error
		kind Error
		text string
	}{
		{&fs.PathError{Op: "open", Path: path, Err: syscall.EROFS}, ErrReadOnly,
			"history store /data/hashdeck/history.db: open for writing: read-only: open /data/hashdeck/history.db: read-only file system"},
		{&fs.PathError{Op: "open", Path: path, Err: syscall.EACCES}, ErrReadOnly,
			"history store /data/hashdeck/history.db: open for writing: read-only: open /data/hashdeck/history.db: permission denied"},
		{&fs.PathError{Op: "open", Path: path, Err: syscall.ENOSPC}, ErrDiskFull,
			"history store /data/hashdeck/history.db: open for writing: disk full: open /data/hashdeck/history.db: no space left on device"},
	} {
		err := pathError(path, "open for writing", c.err)
		if !errors.Is(err, c.kind) || err.Error() != c.text {
			t.Errorf("pathError(%v) = %q (kind %q), want %q (kind %q)", c.err, err, kindOf(err), c.text, c.kind)
		}
	}
}

func TestDiskFull(t *testing.T) {
	s := openTest(t, Options{})
	mustAdd(t, s, obs(market.PriceUSD, t0, 1, "kraken"))
	// Cap the file at its current size: the next growth fails with
	// SQLITE_FULL, as on a full disk. The writer pool has one connection,
	// so the setting sticks.
	var pages int
	if err := s.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	var batch []market.Observation
	for i := range 20000 {
		batch = append(batch, obs(market.PriceUSD, t0.Add(time.Duration(i+1)*time.Second), float64(i), "kraken"))
	}
	err := s.Add(context.Background(), batch...)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), s.Path()) {
		t.Fatalf("Add on a full disk = %v, want ErrDiskFull naming the path", err)
	}
	t.Log(err)
	// Nothing of the failed batch was written, and the store still works.
	pts, err := s.Series(context.Background(), market.PriceUSD, t0, t0.Add(48*time.Hour), Raw)
	if err != nil || len(pts) != 1 {
		t.Errorf("after the failed batch: %d points, %v; want 1", len(pts), err)
	}
}

func TestRecoveredNameFormat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	os.WriteFile(path, []byte("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"), 0o600)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !regexp.MustCompile(`history\.db\.corrupt-\d{8}T\d{6}Z$`).MatchString(s.Recovered()) {
		t.Errorf("Recovered() = %q", s.Recovered())
	}
}

// TestMigrationAtomic: a step that fails halfway leaves the database at
// the previous version, with nothing of the step applied.
func TestMigrationAtomic(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	steps := append(migrations(), migration{
		version: latestVersion() + 1,
		name:    "broken",
		sql:     `CREATE TABLE extra (x); INSERT INTO no_such_table VALUES (1);`,
	})
	err := migrate(ctx, s.w, steps, t0)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("migration %d (broken)", latestVersion()+1)) {
		t.Fatalf("migrate with a broken step: %v", err)
	}
	v, err := schemaVersion(ctx, s.w)
	if err != nil || v != latestVersion() {
		t.Errorf("version after the failed step: %d, %v; want %d", v, err, latestVersion())
	}
	var n int
	s.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'extra'`).Scan(&n)
	if n != 0 {
		t.Error("the failed step's table exists")
	}
	// A working step applies once, however often migrate runs.
	steps[len(steps)-1].sql = `CREATE TABLE extra (x);`
	for range 2 {
		if err := migrate(ctx, s.w, steps, t0); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := schemaVersion(ctx, s.w); v != latestVersion()+1 {
		t.Errorf("version %d, want %d", v, latestVersion()+1)
	}
}
