package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Add stores observations, all in one transaction: either every one is
// stored or none is. Each is keyed by (metric, time, source), at
// millisecond precision: adding one that is already stored changes
// nothing, and adding a different value for the same key replaces the old
// one (the source corrected itself). A value from another source for the
// same metric and time is kept beside it; see the package documentation
// for which one queries return.
//
// An observation with an empty metric or source, a zero time or a value
// that is not finite is refused with ErrInvalid, and nothing is written.
// Values are not checked against market.Bounds: the providers have done it.
func (s *Store) Add(ctx context.Context, obs ...market.Observation) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if len(obs) == 0 {
		return nil
	}
	for i, o := range obs {
		var why string
		switch {
		case o.Metric == "":
			why = "empty metric"
		case o.Source == "":
			why = "empty source"
		case o.At.IsZero():
			why = "zero time"
		case math.IsNaN(o.Value) || math.IsInf(o.Value, 0):
			why = fmt.Sprintf("value %v is not finite", o.Value)
		}
		if why != "" {
			return fmt.Errorf("history store %s: add observations: %w: observation %d (%s from %q): %s",
				s.path, ErrInvalid, i, o.Metric, o.Source, why)
		}
	}
	return s.write(ctx, "add observations", func(tx *writeTx) error {
		tx.pending = len(obs)
		type keyed struct {
			sid int64
			e   entry
		}
		es := make([]keyed, len(obs))
		for i, o := range obs {
			sid, err := tx.seriesID(kindMetric, string(o.Metric))
			if err != nil {
				return err
			}
			src, err := tx.sourceID(o.Source)
			if err != nil {
				return err
			}
			t := o.At.UnixMilli()
			es[i] = keyed{sid, entry{t: t, src: src, v: o.Value, n: 1, last: t, seq: provisional(i)}}
		}
		// By series, then time and source, then write order (seq).
		slices.SortFunc(es, func(a, b keyed) int {
			if c := cmp.Compare(a.sid, b.sid); c != 0 {
				return c
			}
			if c := cmp.Compare(a.e.t, b.e.t); c != 0 {
				return c
			}
			if c := cmp.Compare(a.e.src, b.e.src); c != 0 {
				return c
			}
			return cmp.Compare(b.e.seq, a.e.seq) // provisional: −1, −2, …
		})
		batch := make([]entry, 0, len(es))
		for i := range es {
			batch = append(batch, es[i].e)
			if i+1 == len(es) || es[i+1].sid != es[i].sid {
				if err := tx.upsert(es[i].sid, levelRaw, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return nil
	})
}

// AddBars stores daily closes of symbol from source, in one transaction,
// keyed by (symbol, day, source) like Add: adding the same bars again
// changes nothing, a different close for the same day and source replaces
// the old one. Each bar's Day must be midnight UTC and its Close finite and
// positive; otherwise nothing is written and the error (ErrInvalid) names
// the bar. Symbols are stored as given: pass the current symbol (KEEL, not
// BITF).
func (s *Store) AddBars(ctx context.Context, symbol, source string, bars []market.Bar) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if symbol == "" || source == "" {
		return fmt.Errorf("history store %s: add closes: %w: empty symbol or source", s.path, ErrInvalid)
	}
	if len(bars) == 0 {
		return nil
	}
	for _, b := range bars {
		day := b.Day.UTC()
		var why string
		switch {
		case b.Day.IsZero():
			why = "zero day"
		case !day.Equal(day.Truncate(24 * time.Hour)):
			why = fmt.Sprintf("day %s is not midnight UTC", b.Day.Format(time.RFC3339))
		case math.IsNaN(b.Close) || math.IsInf(b.Close, 0) || b.Close <= 0:
			why = fmt.Sprintf("close %v on %s is not a positive finite number", b.Close, day.Format(time.DateOnly))
		}
		if why != "" {
			return fmt.Errorf("history store %s: add closes of %s from %s: %w: %s", s.path, symbol, source, ErrInvalid, why)
		}
	}
	return s.write(ctx, "add closes of "+symbol, func(tx *writeTx) error {
		tx.pending = len(bars)
		sid, err := tx.seriesID(kindClose, symbol)
		if err != nil {
			return err
		}
		src, err := tx.sourceID(source)
		if err != nil {
			return err
		}
		es := make([]entry, len(bars))
		for i, b := range bars {
			t := b.Day.UnixMilli()
			es[i] = entry{t: t, src: src, v: b.Close, n: 1, last: t, seq: provisional(i)}
		}
		slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(a.t, b.t) })
		return tx.upsert(sid, levelDaily, es)
	})
}

// writeTx is one write transaction on the writer connection, with the
// series and sources it created (published to the caches only once the
// transaction commits).
type writeTx struct {
	ctx        context.Context
	s          *Store
	tx         *sql.Tx
	newSeries  map[seriesKey]int64
	newSources map[string]int64
	buf        []byte
	load       *sql.Stmt // loadChunkStmt in this transaction
	store      *sql.Stmt // storeChunkStmt in this transaction
	// pending is how many provisional sequence numbers the new entries
	// use; base is the first real one, reserved when a chunk changes.
	pending int
	base    int64
}

// provisional returns the provisional sequence number of the i-th new
// entry of a write. It is negative, so it cannot be mistaken for a stored
// one; finalSeq turns it into a real one once the entry is to be stored,
// so that a write that changes nothing does not even move the counter.
func provisional(i int) int64 { return -int64(i) - 1 }

// finalSeq replaces the provisional sequence numbers in es.
func (t *writeTx) finalSeq(es []entry) error {
	for i := range es {
		if es[i].seq >= 0 {
			continue
		}
		if t.base == 0 {
			first, err := t.reserveSeq(t.pending)
			if err != nil {
				return err
			}
			t.base = first
		}
		es[i].seq = t.base + (-es[i].seq - 1)
	}
	return nil
}

// write runs fn in an IMMEDIATE transaction on the writer connection and
// commits it; any error rolls it back and is returned naming the path and
// op, and its kind (ErrDiskFull, ErrReadOnly, ErrCorrupt) when it has one.
func (s *Store) write(ctx context.Context, op string, fn func(*writeTx) error) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return pathError(s.path, op, err)
	}
	wt := &writeTx{ctx: ctx, s: s, tx: tx}
	defer func() {
		if err != nil {
			err = pathError(s.path, op, errors.Join(err, ignoreDone(tx.Rollback())))
		}
	}()
	if err := fn(wt); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if len(wt.newSeries) > 0 {
		s.mu.Lock()
		for k, id := range wt.newSeries {
			s.series[k] = id
		}
		s.mu.Unlock()
	}
	s.addSources(wt.newSources)
	return nil
}

// upsert merges es (one series, sorted by time, source, then write
// order) into the chunks of level, rewriting only the chunks that change.
func (t *writeTx) upsert(sid int64, level int, es []entry) error {
	for len(es) > 0 {
		start := chunkStart(level, es[0].t)
		end := start + span(level)
		k := 1
		for k < len(es) && es[k].t < end {
			k++
		}
		old, err := t.loadChunk(sid, level, start)
		if err != nil {
			return err
		}
		merged, changed := upsert(old, es[:k])
		if changed {
			if err := t.finalSeq(merged); err != nil {
				return err
			}
			if err := t.storeChunk(sid, level, start, merged); err != nil {
				return err
			}
		}
		es = es[k:]
	}
	return nil
}

// loadChunk returns the entries of one chunk, none when it does not exist.
func (t *writeTx) loadChunk(sid int64, level int, start int64) ([]entry, error) {
	var data []byte
	if t.load == nil {
		t.load = t.tx.StmtContext(t.ctx, t.s.loadChunkStmt)
	}
	err := t.load.QueryRowContext(t.ctx, sid, level, start).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeChunk(nil, start, data)
}

// storeChunk writes one chunk, or deletes it when es is empty.
func (t *writeTx) storeChunk(sid int64, level int, start int64, es []entry) error {
	if len(es) == 0 {
		_, err := t.tx.ExecContext(t.ctx, `DELETE FROM chunks WHERE series_id = ? AND level = ? AND start_ms = ?`, sid, level, start)
		return err
	}
	t.buf = encodeChunk(t.buf[:0], start, es)
	if t.store == nil {
		t.store = t.tx.StmtContext(t.ctx, t.s.storeChunkStmt)
	}
	_, err := t.store.ExecContext(t.ctx, sid, level, start, t.buf)
	return err
}

// reserveSeq reserves n consecutive insertion sequence numbers and returns
// the first. The sequence orders writes across processes and restarts,
// for the latest-inserted rule.
func (t *writeTx) reserveSeq(n int) (int64, error) {
	var last int64
	if err := t.tx.QueryRowContext(t.ctx,
		`UPDATE counters SET value = value + ? WHERE name = 'seq' RETURNING value`, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("reserve sequence numbers: %w", err)
	}
	return last - int64(n) + 1, nil
}

// seriesID returns the id of the series, creating it when needed.
func (t *writeTx) seriesID(kind, name string) (int64, error) {
	k := seriesKey{kind, name}
	if id, ok := t.newSeries[k]; ok {
		return id, nil
	}
	t.s.mu.RLock()
	id, ok := t.s.series[k]
	t.s.mu.RUnlock()
	if ok {
		return id, nil
	}
	err := t.tx.QueryRowContext(t.ctx, `SELECT id FROM series WHERE kind = ? AND name = ?`, kind, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		res, err = t.tx.ExecContext(t.ctx, `INSERT INTO series (kind, name) VALUES (?, ?)`, kind, name)
		if err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("series %s %q: %w", kind, name, err)
	}
	if t.newSeries == nil {
		t.newSeries = make(map[seriesKey]int64)
	}
	t.newSeries[k] = id
	return id, nil
}

// sourceID returns the id of the named source, creating it when needed.
func (t *writeTx) sourceID(name string) (int64, error) {
	if id, ok := t.newSources[name]; ok {
		return id, nil
	}
	src := t.s.src.Load()
	for id, n := range src.names {
		if n == name {
			return int64(id), nil
		}
	}
	var id int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT id FROM sources WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		res, err = t.tx.ExecContext(t.ctx, `INSERT INTO sources (name) VALUES (?)`, name)
		if err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("source %q: %w", name, err)
	}
	if t.newSources == nil {
		t.newSources = make(map[string]int64)
	}
	t.newSources[name] = id
	return id, nil
}
