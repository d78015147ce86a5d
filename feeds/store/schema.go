package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// migration is one step of the schema. Steps are applied in order, each in
// its own transaction together with its row in schema_migrations, so a
// database is always at exactly one version.
type migration struct {
	version int
	name    string
	sql     string
}

// Stored levels. An entry's level is the resolution it was stored at:
// observations are written raw, Compact rolls them into hourly and then
// daily entries, and closes are daily from the start.
const (
	levelRaw    = 0
	levelHourly = 1
	levelDaily  = 2
)

// Series kinds in the series table.
const (
	kindMetric = "metric"
	kindClose  = "close"
)

// migrations returns the schema steps this binary knows, oldest first.
func migrations() []migration {
	return []migration{{
		version: 1,
		name:    "series, sources, counters, chunks",
		sql: `
CREATE TABLE series (
	id   INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('metric', 'close')),
	name TEXT NOT NULL,
	UNIQUE (kind, name)
);
CREATE TABLE sources (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('seq', 0);
CREATE TABLE chunks (
	series_id INTEGER NOT NULL REFERENCES series (id),
	level     INTEGER NOT NULL CHECK (level IN (0, 1, 2)),
	start_ms  INTEGER NOT NULL,
	data      BLOB    NOT NULL,
	PRIMARY KEY (series_id, level, start_ms)
);
`,
	}, {
		version: 2,
		name:    "filings_fetches, filings_facts",
		sql: `
CREATE TABLE filings_fetches (
	cik               INTEGER PRIMARY KEY CHECK (cik > 0),
	ticker            TEXT    NOT NULL,
	entity            TEXT    NOT NULL DEFAULT '',
	fetched_unix_ms   INTEGER NOT NULL DEFAULT 0,
	attempted_unix_ms INTEGER NOT NULL DEFAULT 0,
	etag              TEXT    NOT NULL DEFAULT '',
	last_modified     TEXT    NOT NULL DEFAULT '',
	parser            INTEGER NOT NULL DEFAULT 0,
	error             TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE filings_facts (
	cik       INTEGER NOT NULL REFERENCES filings_fetches (cik) ON DELETE CASCADE,
	concept   TEXT    NOT NULL,
	start_day TEXT    NOT NULL,
	end_day   TEXT    NOT NULL,
	accession TEXT    NOT NULL,
	value     REAL    NOT NULL,
	form      TEXT    NOT NULL,
	filed_day TEXT    NOT NULL,
	PRIMARY KEY (cik, concept, start_day, end_day, accession)
) WITHOUT ROWID;
`,
	}}
}

// latestVersion is the schema version this binary writes.
func latestVersion() int {
	m := migrations()
	return m[len(m)-1].version
}

// schemaVersion reads the database's schema version without writing
// anything: 0 for an empty database, ErrNotHistory for a database that has
// tables but no schema_migrations.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var hasMigrations, others int
	err := db.QueryRowContext(ctx, `
SELECT
	count(*) FILTER (WHERE name = 'schema_migrations'),
	count(*) FILTER (WHERE name <> 'schema_migrations')
FROM sqlite_schema
WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`).Scan(&hasMigrations, &others)
	if err != nil {
		return 0, err
	}
	if hasMigrations == 0 {
		if others > 0 {
			return 0, fmt.Errorf("%w: it has %d table(s) and no schema_migrations", ErrNotHistory, others)
		}
		return 0, nil
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// checkVersion refuses a database written by a newer hashdeck.
func checkVersion(v int) error {
	if latest := latestVersion(); v > latest {
		return fmt.Errorf("%w (schema %d > %d): upgrade hashdeck or use another data directory; the file was left untouched",
			ErrNewerSchema, v, latest)
	}
	return nil
}

// migrate applies every step newer than the database's version, each in an
// IMMEDIATE transaction that re-reads the version first, so that two
// processes opening a new database at once do not both apply a step.
func migrate(ctx context.Context, db *sql.DB, steps []migration, now time.Time) error {
	for _, m := range steps {
		if err := applyMigration(ctx, db, m, now); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, now time.Time) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if _, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS schema_migrations (
	version        INTEGER PRIMARY KEY,
	name           TEXT    NOT NULL,
	applied_unix_s INTEGER NOT NULL
)`); err != nil {
		return err
	}
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return err
	}
	if int(v.Int64) >= m.version {
		return tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_unix_s) VALUES (?, ?, ?)`,
		m.version, m.name, now.Unix()); err != nil {
		return err
	}
	return tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
