package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// Filings: the SEC company facts hashdeck keeps per filer, and what it
// knows of their last fetch, so that a restart neither refetches a file
// fetched today nor loses the quarters while the SEC is unreachable
// (schema version 2: filings_fetches and filings_facts).

// FilingsState is what the store keeps about one filer's company-facts
// file (one row of filings_fetches, keyed by CIK).
type FilingsState struct {
	// CIK is the SEC's Central Index Key (> 0).
	CIK int64
	// Ticker is the filer's current ticker; Entity the name the SEC gives.
	Ticker string
	Entity string
	// Fetched is when the file was last confirmed current (an answer of
	// 200 or 304); zero when never.
	Fetched time.Time
	// Attempted is when a fetch was last tried, whatever came of it.
	Attempted time.Time
	// ETag and LastModified are the validators of the file held.
	ETag, LastModified string
	// Parser is the version of the decoder that chose the facts held: a
	// reader with another version should refetch without validators.
	Parser int
	// Error is the last attempt's error, "" when it succeeded.
	Error string
}

// FilingFact is one stored fact: a concept's USD value for a period, as
// one filing reported it (every version is kept; choosing between them is
// the reader's business).
type FilingFact struct {
	// Concept is taxonomy-qualified: "us-gaap:Revenues".
	Concept string
	// Start and End are the first and last days of the period.
	Start, End time.Time
	Value      float64
	// Accession, Form and Filed identify the filing.
	Accession, Form string
	Filed           time.Time
}

// day formats a date as stored (YYYY-MM-DD, UTC).
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// checkFilingsState refuses a state that cannot be stored.
func checkFilingsState(st FilingsState) error {
	if st.CIK <= 0 || st.Ticker == "" {
		return fmt.Errorf("%w: filings state needs a CIK > 0 and a ticker (got %d, %q)", ErrInvalid, st.CIK, st.Ticker)
	}
	return nil
}

// PutFilings replaces everything stored for st.CIK, in one transaction:
// its state becomes st and its facts become facts (none when empty).
// A fact without concept, accession or dates, with End before Start or a
// value that is not finite is refused with ErrInvalid, and nothing is
// written.
func (s *Store) PutFilings(ctx context.Context, st FilingsState, facts []FilingFact) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	op := fmt.Sprintf("store filings of CIK %d", st.CIK)
	if err := checkFilingsState(st); err != nil {
		return pathError(s.path, op, err)
	}
	for i, f := range facts {
		var why string
		switch {
		case f.Concept == "" || f.Accession == "":
			why = "no concept or accession"
		case f.Start.IsZero() || f.End.IsZero() || f.Filed.IsZero():
			why = "a date is missing"
		case f.End.Before(f.Start):
			why = "it ends before it starts"
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			why = fmt.Sprintf("value %v is not finite", f.Value)
		}
		if why != "" {
			return pathError(s.path, op, fmt.Errorf("%w: fact %d (%s %s): %s", ErrInvalid, i, f.Concept, f.Accession, why))
		}
	}
	return s.write(ctx, op, func(t *writeTx) error {
		if err := putFilingsState(t, st); err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM filings_facts WHERE cik = ?`, st.CIK); err != nil {
			return err
		}
		if len(facts) == 0 {
			return nil
		}
		ins, err := t.tx.PrepareContext(t.ctx, `
INSERT INTO filings_facts (cik, concept, start_day, end_day, accession, value, form, filed_day)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO UPDATE SET value = excluded.value, form = excluded.form, filed_day = excluded.filed_day`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, f := range facts {
			if _, err := ins.ExecContext(t.ctx, st.CIK, f.Concept, day(f.Start), day(f.End), f.Accession, f.Value, f.Form, day(f.Filed)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutFilingsState stores st and leaves the filer's facts as they are (an
// answer of 304, or a failed attempt).
func (s *Store) PutFilingsState(ctx context.Context, st FilingsState) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	op := fmt.Sprintf("store filings state of CIK %d", st.CIK)
	if err := checkFilingsState(st); err != nil {
		return pathError(s.path, op, err)
	}
	return s.write(ctx, op, func(t *writeTx) error { return putFilingsState(t, st) })
}

func putFilingsState(t *writeTx, st FilingsState) error {
	ms := func(tm time.Time) int64 {
		if tm.IsZero() {
			return 0
		}
		return tm.UnixMilli()
	}
	_, err := t.tx.ExecContext(t.ctx, `
INSERT INTO filings_fetches (cik, ticker, entity, fetched_unix_ms, attempted_unix_ms, etag, last_modified, parser, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (cik) DO UPDATE SET
	ticker = excluded.ticker, entity = excluded.entity,
	fetched_unix_ms = excluded.fetched_unix_ms, attempted_unix_ms = excluded.attempted_unix_ms,
	etag = excluded.etag, last_modified = excluded.last_modified,
	parser = excluded.parser, error = excluded.error`,
		st.CIK, st.Ticker, st.Entity, ms(st.Fetched), ms(st.Attempted), st.ETag, st.LastModified, st.Parser, st.Error)
	return err
}

// FilingsState returns what is stored about cik's last fetch, and false
// when nothing is.
func (s *Store) FilingsState(ctx context.Context, cik int64) (FilingsState, bool, error) {
	if err := s.checkOpen(); err != nil {
		return FilingsState{}, false, err
	}
	var (
		st                 = FilingsState{CIK: cik}
		fetched, attempted int64
		op                 = fmt.Sprintf("read filings state of CIK %d", cik)
	)
	err := s.r.QueryRowContext(ctx, `
SELECT ticker, entity, fetched_unix_ms, attempted_unix_ms, etag, last_modified, parser, error
FROM filings_fetches WHERE cik = ?`, cik).Scan(&st.Ticker, &st.Entity, &fetched, &attempted, &st.ETag, &st.LastModified, &st.Parser, &st.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return FilingsState{}, false, nil
	}
	if err != nil {
		return FilingsState{}, false, pathError(s.path, op, err)
	}
	if fetched != 0 {
		st.Fetched = time.UnixMilli(fetched).UTC()
	}
	if attempted != 0 {
		st.Attempted = time.UnixMilli(attempted).UTC()
	}
	return st, true, nil
}

// FilingFacts returns every fact stored for cik, sorted by concept, end,
// start, filing day and accession (none when nothing is stored).
func (s *Store) FilingFacts(ctx context.Context, cik int64) ([]FilingFact, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	op := fmt.Sprintf("read filing facts of CIK %d", cik)
	rows, err := s.r.QueryContext(ctx, `
SELECT concept, start_day, end_day, accession, value, form, filed_day
FROM filings_facts WHERE cik = ?
ORDER BY concept, end_day, start_day, filed_day, accession`, cik)
	if err != nil {
		return nil, pathError(s.path, op, err)
	}
	defer rows.Close()
	var out []FilingFact
	for rows.Next() {
		var (
			f                 FilingFact
			start, end, filed string
		)
		if err := rows.Scan(&f.Concept, &start, &end, &f.Accession, &f.Value, &f.Form, &filed); err != nil {
			return nil, pathError(s.path, op, err)
		}
		var errs [3]error
		f.Start, errs[0] = time.Parse(time.DateOnly, start)
		f.End, errs[1] = time.Parse(time.DateOnly, end)
		f.Filed, errs[2] = time.Parse(time.DateOnly, filed)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, pathError(s.path, op, fmt.Errorf("a stored date is malformed: %w", err))
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, pathError(s.path, op, err)
	}
	return out, nil
}
