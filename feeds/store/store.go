package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Default retention and connection settings; Options fields left zero take
// these.
const (
	// DefaultRawRetention is how long raw observations are kept before
	// Compact rolls them into hourly entries: 30 days.
	DefaultRawRetention = 30 * 24 * time.Hour
	// DefaultHourlyRetention is how old hourly entries get before Compact
	// rolls them into daily entries, which are kept forever: 365 days.
	DefaultHourlyRetention = 365 * 24 * time.Hour
	// DefaultBusyTimeout is how long a statement waits for a lock held by
	// another process (another hashdeck on the same file) before failing.
	DefaultBusyTimeout = 5 * time.Second
	// DefaultMaxReaders is the default size of the pool of read connections.
	DefaultMaxReaders = 4
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// RawRetention is the minimum age (measured by Compact's now) at which
	// raw observations are rolled into hourly entries; 0 means
	// DefaultRawRetention and a negative value keeps them raw forever.
	RawRetention time.Duration
	// HourlyRetention is the minimum age at which hourly entries are
	// rolled into daily entries; 0 means DefaultHourlyRetention and a
	// negative value keeps them hourly forever. It should not be shorter
	// than RawRetention.
	HourlyRetention time.Duration
	// SourceOrder lists source names, preferred first. When several
	// sources stored a value for the same metric (or symbol) and time,
	// queries return the value of the source listed first; unlisted
	// sources come after every listed one, and among equals the value
	// written last wins. Nil means the value written last always wins.
	SourceOrder []string
	// BusyTimeout bounds waits for locks held by another process; 0 means
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxReaders is the size of the read connection pool; 0 means
	// max(DefaultMaxReaders, GOMAXPROCS).
	MaxReaders int
	// SkipIntegrityCheck stops Open from running PRAGMA quick_check,
	// which reads the whole file (about 2 ms per megabyte) so that a file
	// whose pages are damaged, not just its header or schema, is moved
	// aside at once rather than failing queries later with ErrCorrupt.
	SkipIntegrityCheck bool
	// Now returns the current time; it names the file a corrupt database
	// is moved to and stamps migrations. Nil means time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.RawRetention == 0 {
		o.RawRetention = DefaultRawRetention
	}
	if o.HourlyRetention == 0 {
		o.HourlyRetention = DefaultHourlyRetention
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = DefaultBusyTimeout
	}
	if o.MaxReaders <= 0 {
		o.MaxReaders = max(DefaultMaxReaders, runtime.GOMAXPROCS(0))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.SourceOrder = append([]string(nil), o.SourceOrder...)
	return o
}

// Store is an open history database. It is safe for concurrent use by
// several goroutines: writes go through a single connection one
// transaction at a time, reads through a pool and see committed data only.
type Store struct {
	path          string
	opts          Options
	recovered     string
	recoveryCause error

	w *sql.DB // the single writer connection
	r *sql.DB // query-only readers

	loadChunkStmt  *sql.Stmt // on w
	storeChunkStmt *sql.Stmt // on w
	scanStmt       *sql.Stmt // on r
	lastStmt       *sql.Stmt // on r

	closed atomic.Bool

	mu     sync.RWMutex // guards series; serialises updates of src
	series map[seriesKey]int64
	src    atomic.Pointer[sources]
}

// seriesKey names a row of the series table.
type seriesKey struct {
	kind string
	name string
}

// DefaultPath returns where the history database lives when no data
// directory is given, following the XDG base directory rule:
// $XDG_DATA_HOME/hashdeck/history.db, or $HOME/.local/share/hashdeck/history.db
// when XDG_DATA_HOME is unset, empty or relative (the specification says a
// relative value is to be ignored). getenv is os.Getenv in production.
func DefaultPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "hashdeck", "history.db"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("history store: neither XDG_DATA_HOME nor HOME is set; pass a data directory")
	}
	return filepath.Join(home, ".local", "share", "hashdeck", "history.db"), nil
}

// Open opens the history database at path, creating its directory (mode
// 0700) and the file (0600) when they do not exist, and brings its schema
// up to date.
//
// A file that is not a database, or that is malformed (its schema, or
// unless Options.SkipIntegrityCheck any of its pages), is moved aside with its
// -wal and -shm files to path.corrupt-YYYYMMDDTHHMMSSZ (UTC) and a fresh
// database is created in its place; Recovered then reports where the old
// file went. Nothing is ever deleted. A read-only file or directory, a full
// disk, a database from a newer hashdeck (ErrNewerSchema) or a SQLite file
// that is not a history database (ErrNotHistory) is an error naming the
// path, and the file is left as it was.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if path == "" {
		return nil, fmt.Errorf("history store: %w: empty path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("history store %s: %w", path, err)
	}
	path = abs
	ctx := context.Background()

	if err := prepareFile(path); err != nil {
		return nil, err
	}
	// A file that does not even start like a database is moved aside
	// before SQLite sees it: SQLite would otherwise treat a -wal file
	// beside it as empty and delete it on close.
	err = sniff(path)
	var s *Store
	if err == nil {
		s, err = open(ctx, path, opts)
		if err == nil {
			return s, nil
		}
	}
	if kindOf(err) != ErrCorrupt {
		return nil, err
	}
	cause := err
	aside, err := moveAside(path, opts.Now())
	if err != nil {
		return nil, fmt.Errorf("%w; moving it aside failed: %w", cause, err)
	}
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	s, err = open(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("%w (the corrupt file was moved to %s)", err, aside)
	}
	s.recovered, s.recoveryCause = aside, cause
	return s, nil
}

// sniff reports ErrCorrupt when the file at path is neither empty nor
// starts with the SQLite header.
func sniff(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return pathError(path, "open", err)
	}
	defer f.Close()
	var head [100]byte
	n, err := io.ReadFull(f, head[:])
	switch {
	case n == 0 && err == io.EOF:
		return nil // new
	case err == io.ErrUnexpectedEOF:
		return pathError(path, "open", fmt.Errorf("%w: file is not a database (%d bytes, too short for a header)", ErrCorrupt, n))
	case err != nil:
		return pathError(path, "open", err)
	case string(head[:16]) != "SQLite format 3\x00":
		return pathError(path, "open", fmt.Errorf("%w: file is not a database (no SQLite header)", ErrCorrupt))
	}
	return nil
}

// prepareFile creates the directory and the file, and checks that both can
// be written, so that a permission problem is reported as such (SQLite
// would otherwise open a read-only file read-only and fail at the first
// write, or fail to create the -wal file with a vaguer error).
func prepareFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return pathError(path, "create directory "+dir, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("history store %s: %w: it is a directory, not a file", path, ErrInvalid)
	}
	op := "open for writing"
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		op = "create in " + dir
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return pathError(path, op, err)
	}
	if err := f.Close(); err != nil {
		return pathError(path, "open for writing", err)
	}
	// SQLite creates path-wal and path-shm next to the file.
	probe, err := os.CreateTemp(dir, ".hashdeck-probe-*")
	if err != nil {
		return pathError(path, "check directory "+dir+" is writable", err)
	}
	name := probe.Name()
	probe.Close()
	os.Remove(name) // our own empty probe file
	return nil
}

// dsn returns the driver's data source name for path: a file: URI (the
// path escaped, so that '?', '#' and '%' in it are safe) with the
// per-connection settings.
func dsn(path string, busy time.Duration, reader bool) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	q := []string{
		"_pragma=busy_timeout(" + fmt.Sprint(busy.Milliseconds()) + ")",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
		// 512 KiB of page cache per connection instead of SQLite's 2 MiB:
		// the dashboard's reads are a few thousand daily rows, and five
		// connections with full caches cost a long-running process ~10 MiB.
		"_pragma=cache_size(-512)",
	}
	if reader {
		q = append(q, "_pragma=query_only(1)")
	} else {
		q = append(q, "_txlock=immediate")
	}
	return "file:" + u.EscapedPath() + "?" + strings.Join(q, "&")
}

// open opens path, which exists and is writable. An error of kind
// ErrCorrupt means the file should be moved aside.
func open(ctx context.Context, path string, opts Options) (_ *Store, err error) {
	w, err := sql.Open("sqlite", dsn(path, opts.BusyTimeout, false))
	if err != nil {
		return nil, pathError(path, "open", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, opts: opts, w: w, series: make(map[seriesKey]int64)}
	s.src.Store(&sources{})
	defer func() {
		if err != nil {
			s.closeDBs()
		}
	}()

	// Read the version before changing anything: a newer schema must be
	// left exactly as it is, journal mode included.
	v, err := schemaVersion(ctx, w)
	if err != nil {
		return nil, pathError(path, "read schema version", err)
	}
	if err := checkVersion(v); err != nil {
		return nil, pathError(path, "open", err)
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return nil, pathError(path, "enable WAL", err)
	}
	if !opts.SkipIntegrityCheck {
		if err := quickCheck(ctx, w); err != nil {
			return nil, pathError(path, "integrity check", err)
		}
	}
	if err := migrate(ctx, w, migrations(), opts.Now()); err != nil {
		return nil, pathError(path, "migrate", err)
	}

	if s.loadChunkStmt, err = w.PrepareContext(ctx,
		`SELECT data FROM chunks WHERE series_id = ? AND level = ? AND start_ms = ?`); err != nil {
		return nil, pathError(path, "prepare", err)
	}
	if s.storeChunkStmt, err = w.PrepareContext(ctx, `
INSERT INTO chunks (series_id, level, start_ms, data) VALUES (?, ?, ?, ?)
ON CONFLICT DO UPDATE SET data = excluded.data`); err != nil {
		return nil, pathError(path, "prepare", err)
	}

	r, err := sql.Open("sqlite", dsn(path, opts.BusyTimeout, true))
	if err != nil {
		return nil, pathError(path, "open", err)
	}
	r.SetMaxOpenConns(opts.MaxReaders)
	r.SetMaxIdleConns(opts.MaxReaders)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	s.r = r
	if s.scanStmt, err = r.PrepareContext(ctx, scanSQL); err != nil {
		return nil, pathError(path, "prepare", err)
	}
	if s.lastStmt, err = r.PrepareContext(ctx, lastChunksSQL); err != nil {
		return nil, pathError(path, "prepare", err)
	}
	if err := s.loadSources(ctx); err != nil {
		return nil, pathError(path, "read sources", err)
	}
	return s, nil
}

// quickCheck runs PRAGMA quick_check and reports damage as ErrCorrupt.
func quickCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err != nil {
		return err
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		if m != "ok" {
			msgs = append(msgs, m)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(msgs, "; "))
	}
	return nil
}

// moveAside renames path, and its -wal, -shm and -journal files when they
// exist, to path.corrupt-YYYYMMDDTHHMMSSZ (plus the same suffixes), adding
// -2, -3, … when that name is taken. It returns the new name of path.
func moveAside(path string, now time.Time) (string, error) {
	base := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	target := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, target); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(path + suffix); err != nil {
			continue
		}
		if err := os.Rename(path+suffix, target+suffix); err != nil {
			return target, err
		}
	}
	return target, nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Recovered returns the path a corrupt database was moved to when Open
// replaced it with a fresh one, and "" otherwise. The UI should tell the
// user: the history is empty, and the old file is there to inspect.
func (s *Store) Recovered() string { return s.recovered }

// RecoveryCause returns why Open moved the database aside (an error of
// kind ErrCorrupt naming the file), or nil when it did not.
func (s *Store) RecoveryCause() error { return s.recoveryCause }

// Close closes the database. Calls in progress finish first; later calls
// fail with ErrClosed. Closing twice is harmless.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.loadChunkStmt, s.storeChunkStmt, s.scanStmt, s.lastStmt} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return pathError(s.path, "close", err)
	}
	return nil
}

func (s *Store) checkOpen() error {
	if s.closed.Load() {
		return fmt.Errorf("history store %s: %w", s.path, ErrClosed)
	}
	return nil
}

// sources is an immutable snapshot of the sources table with each
// source's preference rank (lower is preferred), indexed by source id.
type sources struct {
	names []string // "" where no source has that id
	ranks []int32
}

// known reports whether id is in the snapshot.
func (t *sources) known(id int64) bool {
	return id >= 0 && id < int64(len(t.names)) && t.names[id] != ""
}

// name returns the name of source id, or "?" when unknown.
func (t *sources) name(id int64) string {
	if !t.known(id) {
		return "?"
	}
	return t.names[id]
}

// rank returns the preference rank of source id; unknown ids rank last.
func (t *sources) rank(id int64) int32 {
	if !t.known(id) {
		return int32(1 << 30)
	}
	return t.ranks[id]
}

// rankOf returns name's position in order, or len(order) when absent.
func rankOf(order []string, name string) int32 {
	for i, n := range order {
		if n == name {
			return int32(i)
		}
	}
	return int32(len(order))
}

// loadSources reads the sources table and publishes a new snapshot.
func (s *Store) loadSources(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name FROM sources`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type row struct {
		id   int64
		name string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name); err != nil {
			return err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &sources{}
	if old := s.src.Load(); old != nil {
		t.names = append(t.names, old.names...)
		t.ranks = append(t.ranks, old.ranks...)
	}
	for _, r := range all {
		t.set(r.id, r.name, s.opts.SourceOrder)
	}
	s.src.Store(t)
	return nil
}

// addSources publishes a snapshot with the given sources added (ids
// created by a committed transaction).
func (s *Store) addSources(added map[string]int64) {
	if len(added) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.src.Load()
	t := &sources{names: append([]string(nil), old.names...), ranks: append([]int32(nil), old.ranks...)}
	for name, id := range added {
		t.set(id, name, s.opts.SourceOrder)
	}
	s.src.Store(t)
}

func (t *sources) set(id int64, name string, order []string) {
	if id < 0 {
		return
	}
	for int64(len(t.names)) <= id {
		t.names = append(t.names, "")
		t.ranks = append(t.ranks, 0)
	}
	t.names[id] = name
	t.ranks[id] = rankOf(order, name)
}

// sourceSnapshot returns the current sources snapshot, reloaded from the
// database first when it lacks one of ids (another process added a
// source since).
func (s *Store) sourceSnapshot(ctx context.Context, ids ...int64) (*sources, error) {
	t := s.src.Load()
	for _, id := range ids {
		if !t.known(id) {
			if err := s.loadSources(ctx); err != nil {
				return nil, err
			}
			return s.src.Load(), nil
		}
	}
	return t, nil
}
