package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/hashdeck/hashdeck/feeds/market"
)

// Resolution is the time resolution of a query.
type Resolution int

// The resolutions. See the package documentation for what each returns.
const (
	// Raw returns stored entries as they are: raw observations at their
	// own time, rolled-up entries (where Compact has rolled the raw ones)
	// at their bucket start.
	Raw Resolution = iota
	// Hourly returns one point per UTC hour: the mean of the hour's
	// observations, at the start of the hour.
	Hourly
	// Daily returns one point per UTC day: the mean of the day's
	// observations, at midnight UTC.
	Daily
)

// String returns "raw", "hourly" or "daily".
func (r Resolution) String() string {
	switch r {
	case Raw:
		return "raw"
	case Hourly:
		return "hourly"
	case Daily:
		return "daily"
	}
	return fmt.Sprintf("Resolution(%d)", int(r))
}

// Step returns the bucket width of r: an hour, a day, or 0 for Raw.
func (r Resolution) Step() time.Duration {
	switch r {
	case Hourly:
		return time.Hour
	case Daily:
		return 24 * time.Hour
	}
	return 0
}

func (r Resolution) stepMs() int64 { return r.Step().Milliseconds() }

func (r Resolution) check() error {
	if r < Raw || r > Daily {
		return fmt.Errorf("%w: unknown resolution %d", ErrInvalid, int(r))
	}
	return nil
}

// Key names one series: a metric's observations, or a stock's daily
// closes. Exactly one of its fields is set.
type Key struct {
	// Metric names a metric.
	Metric market.Metric
	// Symbol names a stock, whose daily closes the key stands for.
	Symbol string
}

// MetricKey returns the key of metric m.
func MetricKey(m market.Metric) Key { return Key{Metric: m} }

// CloseKey returns the key of the daily closes of symbol.
func CloseKey(symbol string) Key { return Key{Symbol: symbol} }

// String returns the metric name, or the symbol followed by " close".
func (k Key) String() string {
	if k.Symbol != "" {
		return k.Symbol + " close"
	}
	return string(k.Metric)
}

func (k Key) series() (seriesKey, error) {
	switch {
	case k.Metric != "" && k.Symbol == "":
		return seriesKey{kindMetric, string(k.Metric)}, nil
	case k.Symbol != "" && k.Metric == "":
		return seriesKey{kindClose, k.Symbol}, nil
	}
	return seriesKey{}, fmt.Errorf("%w: key %+v must name exactly one of a metric and a symbol", ErrInvalid, k)
}

// Point is one value of a series.
type Point struct {
	// At is the time the value refers to, UTC: an observation's own time
	// for a raw point, the bucket start for an hourly or daily one.
	At time.Time
	// Value is in the metric's unit; for a bucket, the mean of its
	// observations.
	Value float64
	// N is how many observations the value stands for: 1 for a raw
	// point, the bucket's count otherwise.
	N int
	// Source is where the value came from; for a bucket, the source of
	// most of its observations (ties go to the preferred source).
	Source string
}

// Series returns metric's values with times in [from, to), oldest first, at
// resolution res. For Hourly and Daily, from is rounded down and to up to
// the bucket boundary, so every bucket is whole; for Raw, entries rolled up
// by Compact are returned at their bucket start when it lies in [from, to).
// No value for the metric gives an empty slice and no error.
func (s *Store) Series(ctx context.Context, metric market.Metric, from, to time.Time, res Resolution) ([]Point, error) {
	op := "series " + string(metric)
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if err := res.check(); err != nil {
		return nil, pathError(s.path, op, err)
	}
	sid, ok, err := s.lookupSeries(ctx, MetricKey(metric))
	if err != nil || !ok {
		return nil, pathError(s.path, op, err)
	}
	lo, hi := msRange(from, to, res)
	if lo >= hi {
		return nil, nil
	}
	acc := []*accum{{sid: sid, step: res.stepMs(), sources: true}}
	if err := s.scan(ctx, nil, acc, lo, hi); err != nil {
		return nil, pathError(s.path, op, err)
	}
	src, err := s.sourceSnapshot(ctx)
	if err != nil {
		return nil, pathError(s.path, op, err)
	}
	buckets, counts := acc[0].merged()
	out := make([]Point, len(buckets))
	for i, b := range buckets {
		out[i] = Point{At: time.UnixMilli(b.t).UTC(), Value: b.sum / float64(b.n), N: int(b.n), Source: src.name(topSource(counts[i], src))}
	}
	return out, nil
}

// Closes returns the daily closes of symbol whose day lies in [from, to),
// oldest first, one per day (from the preferred source when several
// stored one).
func (s *Store) Closes(ctx context.Context, symbol string, from, to time.Time) ([]market.Bar, error) {
	op := "closes of " + symbol
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	sid, ok, err := s.lookupSeries(ctx, CloseKey(symbol))
	if err != nil || !ok {
		return nil, pathError(s.path, op, err)
	}
	lo, hi := msRange(from, to, Raw)
	if lo >= hi {
		return nil, nil
	}
	acc := []*accum{{sid: sid}}
	if err := s.scan(ctx, nil, acc, lo, hi); err != nil {
		return nil, pathError(s.path, op, err)
	}
	buckets, _ := acc[0].merged()
	out := make([]market.Bar, len(buckets))
	for i, b := range buckets {
		out[i] = market.Bar{Day: time.UnixMilli(b.t).UTC(), Close: b.sum / float64(b.n)}
	}
	return out, nil
}

// Aligned returns several series on one time grid: grid holds, oldest
// first, every bucket start (every distinct time, for Raw) in which at
// least one key has a value, and cols[i][j] is keys[i]'s value in bucket
// grid[j], or NaN when it has none. Values are computed as by Series (or
// Closes); values are matched by bucket time, never by position. The range
// is rounded as by Series. A key naming nothing stored gives a column of
// NaN.
func (s *Store) Aligned(ctx context.Context, keys []Key, from, to time.Time, res Resolution) (grid []time.Time, cols [][]float64, err error) {
	const op = "aligned series"
	if err := s.checkOpen(); err != nil {
		return nil, nil, err
	}
	if err := res.check(); err != nil {
		return nil, nil, pathError(s.path, op, err)
	}
	cols = make([][]float64, len(keys))
	lo, hi := msRange(from, to, res)
	if lo >= hi || len(keys) == 0 {
		return nil, cols, nil
	}
	// One read transaction, so that the series lookups and the scan see
	// the same snapshot (a series created by a commit in between would
	// otherwise show in one column and not another).
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, pathError(s.path, op, err)
	}
	defer tx.Rollback()
	accs := make([]*accum, len(keys))
	var distinct []*accum
	for i, k := range keys {
		sid, ok, err := s.lookupSeriesIn(ctx, tx, k)
		if err != nil {
			return nil, nil, pathError(s.path, op, err)
		}
		if !ok {
			continue
		}
		for _, a := range distinct {
			if a.sid == sid {
				accs[i] = a
			}
		}
		if accs[i] == nil {
			accs[i] = &accum{sid: sid, step: res.stepMs()}
			distinct = append(distinct, accs[i])
		}
	}
	if len(distinct) > 0 {
		if err := s.scan(ctx, tx, distinct, lo, hi); err != nil {
			return nil, nil, pathError(s.path, op, err)
		}
	}
	lists := make([][]bucket, len(keys))
	heads := make([]int, len(keys))
	total := 0
	for i, a := range accs {
		if a != nil {
			lists[i], _ = a.merged()
			total = max(total, len(lists[i]))
		}
	}
	// k-way merge of the sorted bucket lists into the grid.
	times := make([]int64, 0, total)
	for {
		next := int64(math.MaxInt64)
		for i, l := range lists {
			if heads[i] < len(l) && l[heads[i]].t < next {
				next = l[heads[i]].t
			}
		}
		if next == math.MaxInt64 {
			break
		}
		times = append(times, next)
		for i, l := range lists {
			if heads[i] < len(l) && l[heads[i]].t == next {
				heads[i]++
			}
		}
	}
	grid = make([]time.Time, len(times))
	for j, t := range times {
		grid[j] = time.UnixMilli(t).UTC()
	}
	nan := math.NaN()
	for i, l := range lists {
		col := make([]float64, len(times))
		h := 0
		for j, t := range times {
			if h < len(l) && l[h].t == t {
				col[j] = l[h].sum / float64(l[h].n)
				h++
			} else {
				col[j] = nan
			}
		}
		cols[i] = col
	}
	return grid, cols, nil
}

// Latest returns the newest value of metric (a raw observation, or a
// rolled-up entry when nothing newer is raw), and false when there is none.
func (s *Store) Latest(ctx context.Context, metric market.Metric) (Point, bool, error) {
	op := "latest " + string(metric)
	if err := s.checkOpen(); err != nil {
		return Point{}, false, err
	}
	sid, ok, err := s.lookupSeries(ctx, MetricKey(metric))
	if err != nil || !ok {
		return Point{}, false, pathError(s.path, op, err)
	}
	byLevel, err := s.lastEntries(ctx, sid)
	if err != nil {
		return Point{}, false, pathError(s.path, op, err)
	}
	newest, found := int64(math.MinInt64), false
	var ids []int64
	for _, es := range byLevel {
		if len(es) > 0 {
			newest, found = max(newest, es[len(es)-1].t), true
		}
		for _, e := range es {
			ids = append(ids, e.src)
		}
	}
	if !found {
		return Point{}, false, nil
	}
	src, err := s.sourceSnapshot(ctx, ids...)
	if err != nil {
		return Point{}, false, pathError(s.path, op, err)
	}
	a := accum{sid: sid, sources: true}
	for level, es := range byLevel {
		for _, e := range winners(src, inRange(es, newest, newest+1)) {
			a.add(level, e)
		}
	}
	buckets, counts := a.merged()
	b := buckets[0]
	return Point{At: time.UnixMilli(b.t).UTC(), Value: b.sum / float64(b.n), N: int(b.n), Source: src.name(topSource(counts[0], src))}, true, nil
}

// LastTime returns the time of the newest observation (or close) stored
// for key, from any source, and false when there is none, so that a
// backfill can resume after it. For rows Compact rolled up it is the time
// of the newest observation they summarise, not the bucket start.
func (s *Store) LastTime(ctx context.Context, key Key) (time.Time, bool, error) {
	op := "last time of " + key.String()
	if err := s.checkOpen(); err != nil {
		return time.Time{}, false, err
	}
	sid, ok, err := s.lookupSeries(ctx, key)
	if err != nil || !ok {
		return time.Time{}, false, pathError(s.path, op, err)
	}
	byLevel, err := s.lastEntries(ctx, sid)
	if err != nil {
		return time.Time{}, false, pathError(s.path, op, err)
	}
	last, found := int64(math.MinInt64), false
	for _, es := range byLevel {
		for _, e := range es {
			last, found = max(last, e.last), true
		}
	}
	if !found {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(last).UTC(), true, nil
}

// lookupSeries returns the id of key's series, and false when nothing was
// ever stored for it.
func (s *Store) lookupSeries(ctx context.Context, key Key) (int64, bool, error) {
	return s.lookupSeriesIn(ctx, s.r, key)
}

// lookupSeriesIn is lookupSeries reading through q (a transaction).
func (s *Store) lookupSeriesIn(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key Key) (int64, bool, error) {
	k, err := key.series()
	if err != nil {
		return 0, false, err
	}
	s.mu.RLock()
	id, ok := s.series[k]
	s.mu.RUnlock()
	if ok {
		return id, true, nil
	}
	err = q.QueryRowContext(ctx, `SELECT id FROM series WHERE kind = ? AND name = ?`, k.kind, k.name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	s.mu.Lock()
	s.series[k] = id
	s.mu.Unlock()
	return id, true, nil
}

// msRange converts [from, to) to Unix milliseconds, rounded outward to
// res's buckets. An entry at millisecond t is at or after from when t >=
// ceil(from), and before to when t < ceil(to).
func msRange(from, to time.Time, res Resolution) (lo, hi int64) {
	lo, hi = ceilMilli(from), ceilMilli(to)
	if step := res.stepMs(); step > 0 {
		lo = floorDiv(lo, step) * step
		if r := hi - floorDiv(hi, step)*step; r != 0 {
			hi += step - r
		}
	}
	return lo, hi
}

func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).Before(t) {
		ms++
	}
	return ms
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// scanSQL reads the chunks of the series whose ids are in the JSON array
// ?1 that may hold times in [?2, ?3): for each level, the chunks starting
// after ?2 − span and before ?3. Each part is a range search on the
// primary key.
const scanSQL = `
SELECT series_id, level, start_ms, data FROM chunks
WHERE series_id IN (SELECT value FROM json_each(?1)) AND level = 0 AND start_ms > ?2 - 3600000 AND start_ms < ?3
UNION ALL
SELECT series_id, level, start_ms, data FROM chunks
WHERE series_id IN (SELECT value FROM json_each(?1)) AND level = 1 AND start_ms > ?2 - 604800000 AND start_ms < ?3
UNION ALL
SELECT series_id, level, start_ms, data FROM chunks
WHERE series_id IN (SELECT value FROM json_each(?1)) AND level = 2 AND start_ms > ?2 - 11059200000 AND start_ms < ?3`

// lastChunksSQL reads the newest chunk of each level of series ?1.
const lastChunksSQL = `
SELECT * FROM (SELECT level, start_ms, data FROM chunks WHERE series_id = ?1 AND level = 0 ORDER BY start_ms DESC LIMIT 1)
UNION ALL
SELECT * FROM (SELECT level, start_ms, data FROM chunks WHERE series_id = ?1 AND level = 1 ORDER BY start_ms DESC LIMIT 1)
UNION ALL
SELECT * FROM (SELECT level, start_ms, data FROM chunks WHERE series_id = ?1 AND level = 2 ORDER BY start_ms DESC LIMIT 1)`

// scan reads (in tx, when not nil) every entry of the accumulators'
// series with a time in [lo, hi), resolves same-time entries of different sources to one, and
// feeds the winners to the accumulators.
func (s *Store) scan(ctx context.Context, tx *sql.Tx, accs []*accum, lo, hi int64) error {
	src, err := s.sourceSnapshot(ctx)
	if err != nil {
		return err
	}
	ids := make([]byte, 0, 8*len(accs)+2)
	ids = append(ids, '[')
	for i, a := range accs {
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, a.sid, 10)
	}
	ids = append(ids, ']')
	stmt := s.scanStmt
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
		defer stmt.Close()
	}
	rows, err := stmt.QueryContext(ctx, string(ids), lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		buf   []entry
		sid   int64
		level int
		start int64
		data  sql.RawBytes
		cur   *accum
	)
	for rows.Next() {
		if err := rows.Scan(&sid, &level, &start, &data); err != nil {
			return err
		}
		if level < levelRaw || level > levelDaily {
			return fmt.Errorf("%w: chunk of series %d at level %d", ErrCorrupt, sid, level)
		}
		if buf, err = decodeChunk(buf[:0], start, data); err != nil {
			return err
		}
		es := inRange(buf, lo, hi)
		for i := range es {
			if !src.known(es[i].src) {
				if src, err = s.sourceSnapshot(ctx, es[i].src); err != nil {
					return err
				}
			}
		}
		if cur == nil || cur.sid != sid {
			cur = nil
			for _, a := range accs {
				if a.sid == sid {
					cur = a
				}
			}
			if cur == nil {
				continue
			}
		}
		for _, e := range winners(src, es) {
			cur.add(level, e)
		}
	}
	return rows.Err()
}

// inRange returns the entries of es (sorted by time) with times in [lo, hi).
func inRange(es []entry, lo, hi int64) []entry {
	i := 0
	for i < len(es) && es[i].t < lo {
		i++
	}
	j := len(es)
	for j > i && es[j-1].t >= hi {
		j--
	}
	return es[i:j]
}

// lastEntries returns the entries of the newest chunk of each level of
// series sid, by level.
func (s *Store) lastEntries(ctx context.Context, sid int64) (byLevel [3][]entry, err error) {
	rows, err := s.lastStmt.QueryContext(ctx, sid)
	if err != nil {
		return byLevel, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			level int
			start int64
			data  sql.RawBytes
		)
		if err := rows.Scan(&level, &start, &data); err != nil {
			return byLevel, err
		}
		if level < levelRaw || level > levelDaily {
			return byLevel, fmt.Errorf("%w: chunk of series %d at level %d", ErrCorrupt, sid, level)
		}
		if byLevel[level], err = decodeChunk(nil, start, data); err != nil {
			return byLevel, err
		}
	}
	return byLevel, rows.Err()
}

// bucket is the running total of one bucket.
type bucket struct {
	t   int64
	sum float64 // Σ value × n
	n   int64
}

// srcCount is how many observations of a bucket came from one source.
type srcCount struct {
	id int64
	n  int64
}

// topSource returns the source with the most observations in cs; ties go
// to the preferred source.
func topSource(cs []srcCount, src *sources) int64 {
	best := srcCount{id: -1}
	for _, c := range cs {
		if best.id < 0 || c.n > best.n || (c.n == best.n && src.rank(c.id) < src.rank(best.id)) {
			best = c
		}
	}
	return best.id
}

func addSrc(cs []srcCount, id, n int64) []srcCount {
	for i := range cs {
		if cs[i].id == id {
			cs[i].n += n
			return cs
		}
	}
	return append(cs, srcCount{id, n})
}

// accum collects one series' winning entries into buckets of step
// milliseconds (each time its own bucket when step is 0), one sorted list
// per stored level, merged at the end. With sources set it also counts
// each bucket's observations by source.
type accum struct {
	sid      int64
	step     int64
	sources  bool
	levels   [3][]bucket
	srcs     [3][][]srcCount // with sources: counts of levels[l][i]
	unsorted [3]bool         // a level's buckets arrived out of order
}

// add adds a winning entry of level to its bucket.
func (a *accum) add(level int, e entry) {
	t := e.t
	if a.step > 0 {
		t = floorDiv(t, a.step) * a.step
	}
	l := &a.levels[level]
	k := len(*l)
	if k == 0 || (*l)[k-1].t != t {
		if k > 0 && (*l)[k-1].t > t {
			a.unsorted[level] = true
		}
		*l = append(*l, bucket{t: t})
		if a.sources {
			a.srcs[level] = append(a.srcs[level], nil)
		}
		k++
	}
	b := &(*l)[k-1]
	b.sum += e.v * float64(e.n)
	b.n += e.n
	if a.sources {
		a.srcs[level][k-1] = addSrc(a.srcs[level][k-1], e.src, e.n)
	}
}

// merged returns the buckets of every level in one list sorted by time,
// buckets of the same time added together, and with sources, each
// bucket's counts by source.
func (a *accum) merged() ([]bucket, [][]srcCount) {
	for level, unsorted := range a.unsorted {
		if unsorted {
			a.levels[level], a.srcs[level] = combine(a.levels[level], a.srcs[level])
			a.unsorted[level] = false
		}
	}
	nonEmpty, only := 0, 0
	for i, l := range a.levels {
		if len(l) > 0 {
			nonEmpty++
			only = i
		}
	}
	if nonEmpty <= 1 {
		return a.levels[only], a.srcs[only]
	}
	total := len(a.levels[0]) + len(a.levels[1]) + len(a.levels[2])
	out := make([]bucket, 0, total)
	var outSrcs [][]srcCount
	if a.sources {
		outSrcs = make([][]srcCount, 0, total)
	}
	var h [3]int
	for {
		next := int64(math.MaxInt64)
		for i, l := range a.levels {
			if h[i] < len(l) && l[h[i]].t < next {
				next = l[h[i]].t
			}
		}
		if next == math.MaxInt64 {
			return out, outSrcs
		}
		m := bucket{t: next}
		var ms []srcCount
		for i, l := range a.levels {
			if h[i] < len(l) && l[h[i]].t == next {
				m.sum += l[h[i]].sum
				m.n += l[h[i]].n
				if a.sources {
					for _, c := range a.srcs[i][h[i]] {
						ms = addSrc(ms, c.id, c.n)
					}
				}
				h[i]++
			}
		}
		out = append(out, m)
		if a.sources {
			outSrcs = append(outSrcs, ms)
		}
	}
}

// combine sorts buckets (and their counts, when srcs is not nil) by time
// and adds together those of the same time.
func combine(bs []bucket, srcs [][]srcCount) ([]bucket, [][]srcCount) {
	idx := make([]int, len(bs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(bs[x].t, bs[y].t) })
	out := make([]bucket, 0, len(bs))
	var outSrcs [][]srcCount
	for _, i := range idx {
		b := bs[i]
		if k := len(out); k > 0 && out[k-1].t == b.t {
			out[k-1].sum += b.sum
			out[k-1].n += b.n
			if srcs != nil {
				for _, c := range srcs[i] {
					outSrcs[k-1] = addSrc(outSrcs[k-1], c.id, c.n)
				}
			}
			continue
		}
		out = append(out, b)
		if srcs != nil {
			outSrcs = append(outSrcs, srcs[i])
		}
	}
	return out, outSrcs
}
