// Package store is hashdeck's history store: every accepted observation and
// every daily close, kept in one SQLite database file (pure Go, no cgo,
// through modernc.org/sqlite), so that charts survive a restart and a
// backfill can resume where it stopped.
//
// # Time
//
// Everything is UTC. Times are stored as Unix milliseconds: sub-millisecond
// parts of an observation's time are dropped, and two observations of the
// same metric and source less than a millisecond apart are the same
// observation. Hourly and daily buckets are UTC hours and UTC days, and a
// bucket is reported at its start. Ranges are half-open, [from, to).
//
// # What is kept
//
// Each observation is stored as an entry keyed by (metric, time, source),
// at the "raw" level. Adding the same (metric, time, source) again is
// idempotent: an identical value changes nothing; a different value is
// taken as the source's correction and replaces the old one. Daily closes
// are entries keyed by (symbol, day, source), at the "daily" level.
//
// Compact rolls raw entries older than Options.RawRetention (30 days) into
// one hourly entry per UTC hour, and hourly entries older than
// Options.HourlyRetention (one year) into one daily entry per UTC day, kept
// forever. A rolled entry holds the mean of the observations it replaces,
// how many there were and the time of the newest, so that rolling up again,
// or mixing a rolled entry with late raw observations in the same bucket,
// weighs every original observation equally. Closes are never rolled.
//
// # Several sources: which value wins
//
// The store never drops a source's value when it is written: for the same
// (metric, time) each source keeps its own entry. The choice is made when
// reading: among entries for the same series, level and time, the source
// listed earliest in Options.SourceOrder wins; sources not listed rank
// after every listed one, and between equal ranks the entry written last
// wins (re-adding an identical value is not a write). With no SourceOrder,
// the latest-inserted entry always wins. Compact applies the same rule when
// it rolls entries up, so a rolled bucket is the mean of the winning
// values; the losing sources' raw entries are dropped with the raw
// entries.
//
// # Resolutions
//
// Raw returns the stored entries as they are: raw observations at their
// own time and, where Compact has rolled them up, hourly or daily entries
// at their bucket start. Hourly and Daily return, for each UTC bucket, the
// mean of every observation in the bucket (raw ones and those summarised by
// rolled entries, weighted by their counts), at the bucket's start. The
// rule is the mean at both resolutions for every metric, prices included
// (a daily close is its own daily value). Where the data has been rolled
// into days, an Hourly query returns one point per day, at midnight.
//
// # Schema
//
// Version 2 (see migrations in schema.go; version 1 had all but the
// filings tables, which Open adds to a version 1 file):
//
//	schema_migrations(version PK, name, applied_unix_s)   one row per applied step
//	series(id PK, kind 'metric'|'close', name, UNIQUE(kind, name))
//	sources(id PK, name UNIQUE)
//	counters(name PK, value)                             'seq': the write sequence
//	chunks(series_id → series, level 0|1|2, start_ms, data BLOB,
//	       PRIMARY KEY(series_id, level, start_ms))
//	filings_fetches(cik PK, ticker, entity, fetched_unix_ms, attempted_unix_ms,
//	       etag, last_modified, parser, error)           one row per SEC filer
//	filings_facts(cik → filings_fetches, concept, start_day, end_day, accession,
//	       value, form, filed_day,
//	       PRIMARY KEY(cik, concept, start_day, end_day, accession))
//
// The filings tables cache the SEC company facts the feeds keep per filer
// (every filed version of each kept concept, days as YYYY-MM-DD) and the
// last fetch's time, validators and error; see PutFilings.
//
// Entries are stored in chunks: one chunks row holds every entry of one
// series at one level whose time falls in [start_ms, start_ms + span): an
// hour for raw entries, seven days for hourly ones, 128 days for daily ones
// (spans counted from the Unix epoch). With a pure-Go SQLite each row read
// costs about a microsecond, so a chart of three years reads a few hundred
// chunks instead of tens of thousands of rows. A chunk's data is a format
// byte (1), a uvarint count, and per entry, sorted by time then source: the
// uvarint time delta (from start_ms, then from the previous entry), the
// uvarint source id, the value as 8 bytes of little-endian IEEE 754, the
// uvarint count n, the uvarint time of the newest observation summarised
// minus the entry's time, and the uvarint write sequence number. Writes
// rewrite the chunks they touch, in the same transaction.
//
// # Concurrency and durability
//
// A Store is safe for concurrent use. It holds two connection pools on the
// same file: one writer connection, through which every write transaction
// goes (so writers of this process queue in Go instead of failing with
// SQLITE_BUSY), and a pool of query-only readers that, thanks to WAL, read
// a consistent snapshot while the writer works. Write transactions begin
// IMMEDIATE (_txlock=immediate), taking the write lock at BEGIN, so that
// another process writing the same file makes this one wait up to the busy
// timeout instead of failing with SQLITE_BUSY halfway through a transaction
// that read first and could not upgrade its lock.
//
// The database runs in WAL mode with synchronous=NORMAL: a commit is
// appended to the WAL without an fsync, and the WAL is synced at
// checkpoints. A crash of hashdeck (even SIGKILL) loses nothing committed;
// a power cut or kernel crash can lose the last transactions since the
// latest checkpoint, but never corrupts the file. For history that can be
// fetched again, that trade is worth not fsyncing on every poll.
package store
