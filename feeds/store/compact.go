package store

import (
	"context"
	"math"
	"time"
)

// Stats says what one Compact did. Counts are of entries (one value of
// one source at one time).
type Stats struct {
	// RawRolled counts raw entries removed after being rolled into hourly
	// entries (the losing sources' entries at the same times included).
	RawRolled int
	// HourlyWritten counts hourly entries written, new or updated.
	HourlyWritten int
	// HourlyRolled counts hourly entries removed after being rolled into
	// daily entries.
	HourlyRolled int
	// DailyWritten counts daily entries written, new or updated.
	DailyWritten int
	// RawBefore and HourlyBefore are the cutoffs used, UTC: raw entries
	// before RawBefore were rolled into hourly ones, hourly entries before
	// HourlyBefore into daily ones. Zero when that step is disabled.
	RawBefore, HourlyBefore time.Time
}

// Compact applies the retention rules as of now, in one transaction:
//
//   - raw observations older than Options.RawRetention are rolled into one
//     hourly entry per UTC hour: the cutoff is now − RawRetention rounded
//     down to the hour, so only whole hours are rolled and an observation
//     stays raw at least RawRetention (at most an hour more);
//   - hourly entries older than Options.HourlyRetention are rolled into
//     one daily entry per UTC day, the cutoff rounded down to midnight UTC;
//   - daily entries and closes are kept forever.
//
// A rolled entry is the mean of the winning values (see the package
// documentation for the source rule) of the entries it replaces, weighted
// by their counts, with the total count, the time of the newest
// observation summarised (for LastTime), and the source of most of them.
// Entries rolled into a bucket that already has one are merged into it, so
// Compact may run at any time and any number of times: a second call with
// the same now changes nothing. Daily answers are the same before and
// after (up to floating-point rounding), and so are Hourly answers for the
// hours still held raw or hourly; hours rolled into a day come back as
// that one day.
//
// An observation added again after its hour was rolled up is counted
// again: resume backfills from LastTime, which accounts for rolled
// entries.
func (s *Store) Compact(ctx context.Context, now time.Time) (Stats, error) {
	var st Stats
	if err := s.checkOpen(); err != nil {
		return st, err
	}
	nowMs := now.UnixMilli()
	var rawCut, hourCut int64
	hour, day := Hourly.stepMs(), Daily.stepMs()
	if s.opts.RawRetention > 0 {
		rawCut = floorDiv(nowMs-s.opts.RawRetention.Milliseconds(), hour) * hour
		st.RawBefore = time.UnixMilli(rawCut).UTC()
	}
	if s.opts.HourlyRetention > 0 {
		hourCut = floorDiv(nowMs-s.opts.HourlyRetention.Milliseconds(), day) * day
		st.HourlyBefore = time.UnixMilli(hourCut).UTC()
	}
	err := s.write(ctx, "compact", func(tx *writeTx) error {
		st.RawRolled, st.HourlyWritten, st.HourlyRolled, st.DailyWritten = 0, 0, 0, 0
		rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM series WHERE kind = ? ORDER BY id`, kindMetric)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// One sequence number for every entry this compaction writes,
		// reserved only when it writes one, so that a Compact with
		// nothing to do writes nothing.
		var seq int64
		seqFor := func() (int64, error) {
			if seq == 0 {
				first, err := tx.reserveSeq(1)
				if err != nil {
					return 0, err
				}
				seq = first
			}
			return seq, nil
		}
		for _, sid := range ids {
			if s.opts.RawRetention > 0 {
				rolled, written, err := tx.rollUp(sid, levelRaw, levelHourly, hourMs, rawCut, seqFor)
				if err != nil {
					return err
				}
				st.RawRolled += rolled
				st.HourlyWritten += written
			}
			if s.opts.HourlyRetention > 0 {
				rolled, written, err := tx.rollUp(sid, levelHourly, levelDaily, dayMs, hourCut, seqFor)
				if err != nil {
					return err
				}
				st.HourlyRolled += rolled
				st.DailyWritten += written
			}
		}
		return nil
	})
	return st, err
}

// rollBatch is how many chunks rollUp reads at a time.
const rollBatch = 256

// rollUp rolls series sid's entries at level from with times before cut
// (a multiple of step) into one entry per bucket of step milliseconds at
// level to, merged with the entry already there; seqFor gives the
// sequence number of the entries it writes. It returns how many
// entries it removed from level from and how many it wrote at level to.
func (t *writeTx) rollUp(sid int64, from, to int, step, cut int64, seqFor func() (int64, error)) (removed, written int, err error) {
	src, err := t.s.sourceSnapshot(t.ctx)
	if err != nil {
		return 0, 0, err
	}
	after := int64(math.MinInt64)
	for {
		// The chunks of level from that start before cut, oldest first,
		// a batch at a time.
		rows, err := t.tx.QueryContext(t.ctx, `
SELECT start_ms, data FROM chunks
WHERE series_id = ? AND level = ? AND start_ms > ? AND start_ms < ?
ORDER BY start_ms LIMIT ?`, sid, from, after, cut, rollBatch)
		if err != nil {
			return removed, written, err
		}
		type chunk struct {
			start int64
			es    []entry
		}
		var chunks []chunk
		for rows.Next() {
			var c chunk
			var data []byte
			if err := rows.Scan(&c.start, &data); err != nil {
				rows.Close()
				return removed, written, err
			}
			if c.es, err = decodeChunk(nil, c.start, data); err != nil {
				rows.Close()
				return removed, written, err
			}
			chunks = append(chunks, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return removed, written, err
		}
		if len(chunks) == 0 {
			return removed, written, nil
		}
		after = chunks[len(chunks)-1].start

		// Take the entries before cut out of their chunks and bucket
		// the winners.
		var buckets []rollBucket
		for _, c := range chunks {
			k := 0
			for k < len(c.es) && c.es[k].t < cut {
				k++
			}
			if k == 0 {
				continue
			}
			old := c.es[:k:k]
			for i := range old {
				if !src.known(old[i].src) {
					if src, err = t.s.sourceSnapshot(t.ctx, old[i].src); err != nil {
						return removed, written, err
					}
				}
			}
			removed += len(old)
			for _, e := range winners(src, old) {
				b := floorDiv(e.t, step) * step
				if n := len(buckets); n == 0 || buckets[n-1].t != b {
					buckets = append(buckets, rollBucket{bucket: bucket{t: b}, last: e.last})
				}
				buckets[len(buckets)-1].add(e)
			}
			if err := t.storeChunk(sid, from, c.start, c.es[k:]); err != nil {
				return removed, written, err
			}
		}

		// Merge the buckets into the chunks of level to.
		for len(buckets) > 0 {
			start := chunkStart(to, buckets[0].t)
			end := start + span(to)
			k := 1
			for k < len(buckets) && buckets[k].t < end {
				k++
			}
			es, err := t.loadChunk(sid, to, start)
			if err != nil {
				return removed, written, err
			}
			for i := range es {
				if !src.known(es[i].src) {
					if src, err = t.s.sourceSnapshot(t.ctx, es[i].src); err != nil {
						return removed, written, err
					}
				}
			}
			seq, err := seqFor()
			if err != nil {
				return removed, written, err
			}
			out := make([]entry, 0, len(es)+k)
			i := 0
			for _, b := range buckets[:k] {
				for i < len(es) && es[i].t < b.t {
					out = append(out, es[i])
					i++
				}
				// Entries already at this bucket: the winner joins it,
				// the others (only ever left by a foreign writer) go.
				var best *entry
				for ; i < len(es) && es[i].t == b.t; i++ {
					if best == nil || better(src, &es[i], best) {
						best = &es[i]
					}
				}
				if best != nil {
					b.add(*best)
				}
				out = append(out, entry{t: b.t, src: topSource(b.srcs, src), v: b.sum / float64(b.n), n: b.n, last: b.last, seq: seq})
				written++
			}
			out = append(out, es[i:]...)
			if err := t.storeChunk(sid, to, start, out); err != nil {
				return removed, written, err
			}
			buckets = buckets[k:]
		}
	}
}

// rollBucket is a bucket being rolled up, with the time of the newest
// observation in it.
type rollBucket struct {
	bucket
	last int64
	srcs []srcCount
}

func (b *rollBucket) add(e entry) {
	b.sum += e.v * float64(e.n)
	b.n += e.n
	b.last = max(b.last, e.last)
	b.srcs = addSrc(b.srcs, e.src, e.n)
}
