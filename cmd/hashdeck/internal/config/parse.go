package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/agnivade/levenshtein"
	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/hashdeck/hashdeck/feeds/provider"
)

// Parse is [Load] for a file already read: name is used in error messages.
//
// The TOML library decodes the file. Its parser also gives, in [keyLines],
// the line of every key, and each key and value is checked there against
// the settings' types: names are matched exactly (the decoder matches them
// whatever their case), and every unknown key and every value of the
// wrong type is reported, not only the first.
func Parse(name string, data []byte) (Config, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	c := Default()
	c.Peers.Aliases = nil // a table in the file replaces the renames, not adds to them
	derr := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	d := keyLines(data)
	if d.syntax {
		// The syntax error, wherever the decoder stopped: decoded into
		// nothing, a file has no wrong types, so its first error is the
		// parser's (or a repeated key before it).
		var none struct{}
		return c, syntaxError(name, data, toml.NewDecoder(bytes.NewReader(data)).Decode(&none))
	}
	// A value of the wrong type is among d.probs already (the decoder stops
	// at the first); a repeated key or a number out of range is not.
	mismatch := derr != nil && mismatchRE.MatchString(strings.TrimPrefix(derr.Error(), "toml: "))
	probs := d.probs
	if derr != nil {
		// Unless the walk reported it, at its key or one below it (the
		// decoder places an error inside a nested array at its table).
		e := d.decodeError(derr)
		if !mismatch || !slices.ContainsFunc(probs, func(p *Error) bool {
			return p.Key == e.Key || strings.HasPrefix(p.Key, e.Key+".") || strings.HasPrefix(p.Key, e.Key+"[")
		}) {
			probs = append(probs, e)
		}
	} else {
		if c.Peers.Aliases == nil {
			c.Peers.Aliases = Default().Peers.Aliases
		}
		for i := range c.Miners {
			if c.Miners[i].Source == "" {
				c.Miners[i].Source = defaultSource
			}
		}
		seen := map[string]bool{}
		for _, p := range d.probs {
			seen[p.Key] = true
		}
		for _, p := range Errors(c.Validate()) {
			if !seen[p.Key] {
				probs = append(probs, p) // a duration in the file's probs is not repeated
			}
		}
	}
	if len(probs) == 0 {
		return c, nil
	}
	for _, p := range probs {
		if p.Path = name; p.Line == 0 {
			p.Line = d.lookup(p.Key)
		}
	}
	slices.SortStableFunc(probs, func(a, b *Error) int { return sortLine(a) - sortLine(b) })
	return c, probs.err()
}

// sortLine puts the problems with no line last.
func sortLine(e *Error) int {
	if e.Line == 0 {
		return 1 << 30
	}
	return e.Line
}

// syntaxError reports err, the decoder's error for src, which the parser
// could not read to its end. The value of an API key is never shown; an
// unquoted duration gets a hint.
func syntaxError(name string, src []byte, err error) error {
	e := &Error{Path: name, Msg: "TOML syntax: " + strings.TrimPrefix(fmt.Sprint(err), "toml: "), Err: err}
	if strings.Contains(e.Msg, "already defined") {
		e.Msg = strings.TrimPrefix(e.Msg, "TOML syntax: ")
	}
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		return e
	}
	e.Line, e.Col = de.Position()
	lines := bytes.Split(src, []byte("\n"))
	text := string(lines[min(max(e.Line, 1), len(lines))-1])
	key, value, _ := strings.Cut(text, "=")
	for _, f := range typeFields(reflect.TypeFor[ProvidersConfig]()) {
		// The key part of the line, whatever its case ("CoinGecko_Key", found
		// in review), and not a comment that names an API key.
		isKey := strings.Contains(strings.ToLower(key), f.name) && !strings.Contains(key, "#")
		if reflect.TypeFor[ProvidersConfig]().FieldByIndex(f.index).Type == reflect.TypeFor[Secret]() && isKey && !strings.Contains(e.Msg, "already defined") {
			e.Msg = "the value of providers." + f.name + " cannot be read (not shown: it is an API key); write it in double quotes"
		}
	}
	for _, f := range typeFields(reflect.TypeFor[IntervalsConfig]()) {
		if strings.TrimSpace(key) == f.name && !strings.ContainsAny(value, `"'`) {
			e.Msg += fmt.Sprintf(` (a duration goes in quotes: %s = "60s")`, f.name)
		}
	}
	return e
}

// decodeError turns an error of the decoder the checks of keyLines did not
// foresee (a repeated key, a number out of range) into an Error naming the
// key written where it is; the message is replaced on a line with an API key.
func (d *doc) decodeError(err error) *Error {
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		return &Error{Msg: err.Error(), Err: err}
	}
	line, col := de.Position()
	e := &Error{Line: line, Col: col, Key: strings.Join(de.Key(), "."), Msg: strings.TrimPrefix(de.Error(), "toml: "), Err: de}
	for _, k := range d.keys {
		if k.line == line && k.col <= col {
			e.Key = k.key // the innermost key written before the error
		}
	}
	if m := mismatchRE.FindStringSubmatch(e.Msg); m != nil {
		e.Msg = "a TOML " + m[1] + " does not go here" // not the Go types it names
	}
	if d.secret[line] && !strings.Contains(e.Msg, "already defined") {
		e.Msg = "the value cannot be read (not shown: it is an API key)"
	}
	return e
}

// doc is what keyLines learns of a file: where each key is, and the
// problems of its keys and values.
type doc struct {
	// line is the line of each key ("intervals.network", "miner[2]" for
	// the second [[miner]] header, "miner[2].ticker", "peers.tickers[3]").
	line map[string]int
	// keys lists the keys in file order, with their line and column.
	keys []keyPos
	// secret marks the lines that give an API key.
	secret map[int]bool
	probs  problems
	// syntax: the parser stopped at an error (the rest is not read).
	syntax   bool
	newlines []int
	count    map[string]int // [[name]] headers so far
}

// keyPos is where a key is written.
type keyPos struct {
	key       string
	line, col int
}

// keyLines reads src with the TOML library's parser (as far as it
// parses), and checks each key and value against the settings: a key the
// settings do not have (named by its first unknown part) and a value of
// the wrong type are problems. The n-th [[miner]] table is miner[n].
func keyLines(src []byte) *doc {
	d := &doc{line: map[string]int{}, secret: map[int]bool{}, count: map[string]int{}}
	for i, b := range src { // the parser's Shape scans from the start for each key
		if b == '\n' {
			d.newlines = append(d.newlines, i)
		}
	}
	var p unstable.Parser
	p.Reset(src)
	table, tt := "", reflect.TypeFor[Config]()
	for p.NextExpression() {
		switch e := p.Expression(); e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var at keyPos
			table, tt, at = d.resolve("", reflect.TypeFor[Config](), e.Key(), e.Kind)
			d.record(table, at)
		case unstable.KeyValue:
			key, t, at := d.resolve(table, tt, e.Key(), e.Kind)
			d.value(key, t, e.Value(), at)
		}
	}
	d.syntax = p.Error() != nil
	return d
}

// record notes where key is.
func (d *doc) record(key string, at keyPos) {
	if _, ok := d.line[key]; !ok {
		d.line[key] = at.line
	}
	d.keys = append(d.keys, keyPos{key, at.line, at.col})
}

// position returns the line and column of the byte at off.
func (d *doc) position(off int) keyPos {
	line := 1 + sort.SearchInts(d.newlines, off)
	if line == 1 {
		return keyPos{line: 1, col: off + 1}
	}
	return keyPos{line: line, col: off - d.newlines[line-2]}
}

// resolve follows the parts of a key written in the file (a header's when
// kind is Table or ArrayTable) from key, of type t: it returns the key as
// messages name it, the setting's type (nil when there is none, the
// problem reported) and where the key is written.
func (d *doc) resolve(key string, t reflect.Type, it unstable.Iterator, kind unstable.Kind) (string, reflect.Type, keyPos) {
	header := kind != unstable.KeyValue
	var at keyPos
	for first := true; it.Next(); first = false {
		if first {
			at = d.position(int(it.Node().Raw.Offset))
		}
		name, parent := string(it.Node().Data), key
		part := name
		if strings.ContainsAny(part, ".\"[") {
			part = strconv.Quote(part) // one part, though it has a dot
		}
		key = strings.TrimPrefix(key+"."+part, ".")
		last := it.IsLast()
		if kind == unstable.ArrayTable && last {
			d.count[key]++
		}
		if n := d.count[key]; header && n > 0 && (kind == unstable.ArrayTable || !last) {
			key = fmt.Sprintf("%s[%d]", key, n) // [miner.extra] is below the last [[miner]]
		}
		switch {
		case t == nil:
			continue
		case t.Kind() == reflect.Map:
			t = t.Elem() // the user's key: its value
			continue
		case !isTableType(t):
			d.unknown(key, parent, name, nil, at, header)
			t = nil
			continue
		}
		i := slices.IndexFunc(typeFields(t), func(f fieldInfo) bool { return f.name == name })
		if i < 0 {
			d.unknown(key, parent, name, t, at, header)
			t = nil
			continue
		}
		if t = t.FieldByIndex(typeFields(t)[i].index).Type; !header {
			continue
		}
		switch array := t.Kind() == reflect.Slice && isTableType(t.Elem()); {
		case array && strings.HasSuffix(key, "]"):
			t = t.Elem() // one table of the array
		case array && !last:
			d.probs = append(d.probs, &Error{Key: key, Line: at.line, Msg: fmt.Sprintf("a table below [[%s]] comes after a [[%[1]s]] table", name)})
			t = t.Elem()
		case array:
			d.probs = append(d.probs, &Error{Key: key, Line: at.line, Msg: fmt.Sprintf("write [[%s]] (two brackets: one table per %s), not [%[1]s]", name, strings.TrimSuffix(name, "s"))})
			t = t.Elem() // its keys are checked all the same
		case kind == unstable.ArrayTable && last:
			d.probs = append(d.probs, &Error{Key: key, Line: at.line, Msg: "want " + want(t) + ", got an array of tables"})
			t = nil
		case last && !isTableType(t) && t.Kind() != reflect.Map:
			// [miner.cost_scope] as a header: a table where a value goes
			// (found in review: the decoder took it as the zero scope,
			// power). Keys below it are reported as below a value.
			d.probs = append(d.probs, &Error{Key: key, Line: at.line, Msg: "want " + want(t) + ", got a table"})
		}
	}
	return key, t, at
}

// unknown reports key, whose last part the settings do not have below
// parent (of type t; nil when parent is a value), with the known key it
// resembles, or the known keys.
func (d *doc) unknown(key, parent, k string, t reflect.Type, at keyPos, header bool) {
	var known []string
	if t != nil {
		for _, f := range typeFields(t) {
			known = append(known, f.name)
		}
	}
	what, in := "key", "in ["+unindex(parent)+"]"
	if header {
		what = "table"
	}
	if strings.Contains(parent, "[") {
		in = "in [[" + unindex(parent) + "]]"
	}
	e := &Error{Line: at.line, Key: key}
	switch s := suggest(k, known); {
	case s != "":
		e.Msg = fmt.Sprintf("unknown %s (did you mean %q?)", what, s)
	case parent == "":
		e.Msg = fmt.Sprintf("unknown %s; the tables are %s", what, strings.Join(known, ", "))
	case t == nil:
		e.Msg = fmt.Sprintf("unknown %s: %s is a value, not a table", what, parent)
	default:
		e.Msg = fmt.Sprintf("unknown %s; the keys %s are %s", what, in, strings.Join(known, ", "))
	}
	d.probs = append(d.probs, e)
}

// value records key, written at at, and checks its value v against the
// setting's type t (nil: no setting): the elements of an array and the
// keys of an inline table one by one.
func (d *doc) value(key string, t reflect.Type, v *unstable.Node, at keyPos) {
	d.record(key, at)
	if t == nil {
		return
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[Secret]() {
		d.secret[at.line] = true
	}
	switch {
	case v.Kind == unstable.InlineTable && t.Kind() != reflect.Slice:
		for it := v.Children(); it.Next(); {
			k, kt, kat := d.resolve(key, t, it.Node().Key(), unstable.KeyValue)
			d.value(k, kt, it.Node().Value(), kat)
		}
		if !fits(t, v.Kind) { // a table where a value goes: its keys are unknown too
			d.probs = append(d.probs, &Error{Key: key, Line: at.line, Msg: "want " + want(t) + ", got a table"})
		}
	case v.Kind == unstable.Array && t.Kind() == reflect.Slice:
		i := 0
		for it := v.Children(); it.Next(); {
			i++
			el := at
			if off := firstOffset(it.Node()); off > 0 {
				el = d.position(off)
			}
			d.value(fmt.Sprintf("%s[%d]", key, i), t.Elem(), it.Node(), el)
		}
	case !fits(t, v.Kind):
		d.probs = append(d.probs, &Error{Key: key, Line: at.line, Msg: "want " + want(t) + ", got " + got(v, t == reflect.TypeFor[Secret]())})
	}
}

// firstOffset is where value n starts in the document: its own offset, or
// for an array (the parser gives arrays none) its first element's; 0 when
// not known.
func firstOffset(n *unstable.Node) int {
	for n != nil && n.Raw.Offset == 0 && n.Kind == unstable.Array {
		n = n.Child()
	}
	if n == nil {
		return 0
	}
	return int(n.Raw.Offset)
}

// fits reports whether a TOML value of kind k decodes into a setting of type t.
func fits(t reflect.Type, k unstable.Kind) bool {
	switch {
	case t.Kind() == reflect.Slice:
		return k == unstable.Array
	case isTableType(t) || t.Kind() == reflect.Map:
		return k == unstable.InlineTable
	case t.Kind() == reflect.String || reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()):
		return k == unstable.String
	case t.Kind() == reflect.Bool:
		return k == unstable.Bool
	case t.Kind() == reflect.Int:
		return k == unstable.Integer
	}
	return k == unstable.Float || k == unstable.Integer
}

// got names a TOML value: its type and, unless it is an API key's, the value.
func got(v *unstable.Node, secret bool) string {
	var kind []rune // LocalDate → local date
	for i, r := range v.Kind.String() {
		if unicode.IsUpper(r) && i > 0 {
			kind = append(kind, ' ')
		}
		kind = append(kind, unicode.ToLower(r))
	}
	switch {
	case v.Kind == unstable.Array:
		return "an array"
	case v.Kind == unstable.InlineTable:
		return "a table"
	case secret:
		return string(kind) + " (value not shown)"
	case v.Kind == unstable.String:
		return string(kind) + " " + provider.Clip(strconv.Quote(string(v.Data)), 40)
	}
	return string(kind) + " " + provider.Clip(string(v.Data), 40)
}

// want says what a setting of type t is written as.
func want(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[Duration]():
		return `a duration in quotes, like "90s", "5m" or "1h"`
	case reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()):
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	}
	return "a table"
}

// isTableType reports whether t is a table of settings: a struct that is
// not a value such as a Duration or a Secret.
func isTableType(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// unindex drops the [N] of the array tables from key: miner[2].x → miner.x.
func unindex(key string) string { return indexRE.ReplaceAllString(key, "") }

var (
	indexRE = regexp.MustCompile(`\[\d+\]`)
	// The decoder's wrong-type messages, which name Go types after "into"
	// or "in a": "cannot decode TOML integer into struct field …",
	// "cannot store a table in a string".
	mismatchRE = regexp.MustCompile(`^cannot (?:decode TOML|store(?: an?)?) (.+?) in(?:to)? `)
)

// lookup returns the line of key, or of the nearest enclosing key or table
// in the file ("peers.tickers" for "peers.tickers[3]"); 0 when none is.
func (d *doc) lookup(key string) int {
	for d.line[key] == 0 && strings.ContainsAny(key, ".[") {
		key = key[:strings.LastIndexAny(key, ".[")]
	}
	return d.line[key]
}

// suggest returns the known key closest to k (k in another case, or at
// most two edits away, or one a prefix of the other, or k, less a plural
// s, inside it), or "". The known keys are in lower case.
func suggest(k string, known []string) string {
	lk, best, bestD := strings.ToLower(k), "", 3
	for _, c := range known {
		if d := levenshtein.ComputeDistance(lk, c); d < bestD {
			best, bestD = c, d
		}
	}
	for _, c := range known {
		if best == "" && len(lk) >= 4 && (strings.HasPrefix(c, lk) || strings.HasPrefix(lk, c) || strings.Contains(c, strings.TrimSuffix(lk, "s"))) {
			best = c
		}
	}
	return best
}
