package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Rows are stored in chunks: one row of the chunks table holds every entry
// of one series, at one level, whose time falls in [start, start+span),
// where span depends on the level and start is a multiple of it (counted
// from the Unix epoch, so chunks of every level begin at a UTC midnight or
// hour). A query reads a few hundred chunk rows where it would otherwise
// read tens of thousands of point rows: with a pure-Go SQLite every row
// returned costs far more than decoding a few entries.

// Chunk spans, in milliseconds, by level, and the chunk data format.
const (
	hourMs     = int64(3_600_000)
	dayMs      = 24 * hourMs
	spanRaw    = hourMs      // a raw chunk holds one hour
	spanHourly = 7 * dayMs   // an hourly chunk, seven days
	spanDaily  = 128 * dayMs // a daily chunk, 128 days
	chunkV1    = byte(1)
	maxEntries = 1 << 24 // a bound when decoding garbage
)

// span returns the chunk span of level.
func span(level int) int64 {
	switch level {
	case levelRaw:
		return spanRaw
	case levelHourly:
		return spanHourly
	}
	return spanDaily
}

// chunkStart returns the start of the chunk of level holding time t.
func chunkStart(level int, t int64) int64 {
	s := span(level)
	return floorDiv(t, s) * s
}

// entry is one stored value: one source's value for one time. For a raw
// entry n is 1 and last is t; for a rolled-up entry, n counts the
// observations it summarises, v is their mean and last the time of the
// newest. seq orders writes (the latest-inserted rule).
type entry struct {
	t    int64 // Unix ms
	src  int64 // source id
	v    float64
	n    int64
	last int64 // Unix ms
	seq  int64
}

// less orders entries by time, then source.
func (e *entry) less(o *entry) bool {
	return e.t < o.t || (e.t == o.t && e.src < o.src)
}

// encodeChunk appends the encoding of entries (sorted by time then source,
// all at or after start) to buf:
//
//	format byte (1), uvarint count, then per entry:
//	uvarint t − previous t (the chunk start for the first), uvarint source,
//	8-byte little-endian IEEE 754 value, uvarint n, uvarint last − t, uvarint seq.
func encodeChunk(buf []byte, start int64, es []entry) []byte {
	buf = append(buf, chunkV1)
	buf = binary.AppendUvarint(buf, uint64(len(es)))
	prev := start
	for _, e := range es {
		buf = binary.AppendUvarint(buf, uint64(e.t-prev))
		buf = binary.AppendUvarint(buf, uint64(e.src))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(e.v))
		buf = binary.AppendUvarint(buf, uint64(e.n))
		buf = binary.AppendUvarint(buf, uint64(e.last-e.t))
		buf = binary.AppendUvarint(buf, uint64(e.seq))
		prev = e.t
	}
	return buf
}

// decodeChunk appends the entries encoded in data to es. Anything
// malformed is reported as ErrCorrupt.
func decodeChunk(es []entry, start int64, data []byte) ([]entry, error) {
	bad := func(what string) ([]entry, error) {
		return es, fmt.Errorf("%w: chunk at %d: %s", ErrCorrupt, start, what)
	}
	if len(data) == 0 || data[0] != chunkV1 {
		return bad("unknown format")
	}
	p := data[1:]
	uv := func() (uint64, bool) {
		v, k := binary.Uvarint(p)
		if k <= 0 {
			return 0, false
		}
		p = p[k:]
		return v, true
	}
	count, ok := uv()
	if !ok || count > maxEntries || count > uint64(len(p)) {
		return bad("bad entry count")
	}
	es = slices.Grow(es, int(count))
	prev := start
	for range count {
		var e entry
		dt, ok1 := uv()
		src, ok2 := uv()
		if !ok1 || !ok2 || len(p) < 8 {
			return bad("truncated entry")
		}
		e.v = math.Float64frombits(binary.LittleEndian.Uint64(p))
		p = p[8:]
		n, ok3 := uv()
		dl, ok4 := uv()
		seq, ok5 := uv()
		if !ok3 || !ok4 || !ok5 {
			return bad("truncated entry")
		}
		if n == 0 || n > math.MaxInt64/4 || dt > math.MaxInt64/4 || dl > math.MaxInt64/4 || src > math.MaxInt64/4 || seq > math.MaxInt64/4 ||
			math.IsNaN(e.v) || math.IsInf(e.v, 0) {
			return bad("impossible entry")
		}
		e.t = prev + int64(dt)
		e.src, e.n, e.last, e.seq = int64(src), int64(n), e.t+int64(dl), int64(seq)
		es = append(es, e)
		prev = e.t
	}
	if len(p) != 0 {
		return bad("trailing bytes")
	}
	return es, nil
}

// upsert merges add (sorted by time, source, then write order) into es
// (sorted by time, source) by the idempotent rule: a new (time, source)
// is inserted; an existing one takes the new entry unless its value and
// count are the same (then the old entry, sequence number included,
// stays). Of several entries in add with the same key, the last counts.
// It returns the merged entries and whether anything changed.
func upsert(es, add []entry) ([]entry, bool) {
	out := make([]entry, 0, len(es)+len(add))
	changed := false
	i := 0
	for j := 0; j < len(add); j++ {
		a := add[j]
		for j+1 < len(add) && add[j+1].t == a.t && add[j+1].src == a.src {
			j++
			a = add[j]
		}
		for i < len(es) && es[i].less(&a) {
			out = append(out, es[i])
			i++
		}
		if i < len(es) && es[i].t == a.t && es[i].src == a.src {
			if es[i].v == a.v && es[i].n == a.n {
				out = append(out, es[i])
			} else {
				out = append(out, a)
				changed = true
			}
			i++
			continue
		}
		out = append(out, a)
		changed = true
	}
	return append(out, es[i:]...), changed
}

// better reports whether a beats b (same series, level and time) by the
// source rule: the lower rank, then the higher sequence number.
func better(src *sources, a, b *entry) bool {
	ra, rb := src.rank(a.src), src.rank(b.src)
	return ra < rb || (ra == rb && a.seq > b.seq)
}

// winners returns, for each time in es (sorted by time, source), the
// entry that wins by the source rule, in time order. It reuses es.
func winners(src *sources, es []entry) []entry {
	out := es[:0]
	for i := 0; i < len(es); {
		best := es[i]
		j := i + 1
		for ; j < len(es) && es[j].t == best.t; j++ {
			if better(src, &es[j], &best) {
				best = es[j]
			}
		}
		out = append(out, best)
		i = j
	}
	return out
}
