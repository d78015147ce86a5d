package config

import (
	"bytes"
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/hashdeck/hashdeck/feeds/provider"
)

// Error is one problem with the configuration: the key it concerns,
// what is wrong and, when known, the file and the line.
type Error struct {
	// Path is the file ("" for a Config that did not come from one).
	Path string
	// Line and Col are 1-based; 0 when not known.
	Line, Col int
	// Key names the setting: "intervals.network", "miner[2].cost_scope",
	// "peers.tickers[3]" ([N] counts from 1); "" for the file as a whole.
	Key string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any (a *toml.DecodeError, an fs error).
	Err error
}

// Error returns "path:line:col: key: message", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Path != "" && e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", e.Path, e.Line, e.Col)
	case e.Path != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Path, e.Line)
	case e.Path != "":
		b.WriteString(e.Path + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	return b.String() + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errors returns the problems in err (as returned by [Load] or
// [Config.Validate]) one by one; an error that is not a *Error is
// wrapped in one.
func Errors(err error) []*Error {
	var out []*Error
	if ce, ok := err.(*Error); ok {
		return []*Error{ce}
	} else if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, Errors(e)...)
		}
	} else if err != nil {
		out = append(out, &Error{Msg: err.Error(), Err: err})
	}
	return out
}

// problems collects Errors.
type problems []*Error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p problems) err() error {
	errs := make([]error, len(p))
	for i, e := range p {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// DefaultPath returns $XDG_CONFIG_HOME/hashdeck/config.toml when
// XDG_CONFIG_HOME is an absolute path (the XDG spec ignores a relative
// one), else $HOME/.config/hashdeck/config.toml, reading the variables
// with getenv. It fails when neither is usable.
func DefaultPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "hashdeck", "config.toml"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "hashdeck", "config.toml"), nil
	}
	return "", &Error{Msg: "cannot find the configuration file: neither XDG_CONFIG_HOME (absolute) nor HOME is set; give --config PATH"}
}

// maxFileSize bounds a configuration file; the default one is 5 KiB.
const maxFileSize = 1 << 20

// Load reads the configuration file at path (or, when path is "",
// at [DefaultPath] from getenv), lays it over [Default] and
// validates the result. A missing file is fine when it was not named
// explicitly (the defaults are returned); a missing file given with
// --config (explicit) is an error naming it. Anything but a regular file
// of at most 1 MiB is refused before it is read.
//
// Every problem is reported at once (errors.Join of *Error, in file
// order; see [Errors]), each naming its key and, when it is in the file,
// its line; but a syntax error or a value of the wrong type ends the
// reading, and is the one problem reported. The Config returned with an error holds what could be
// read and must not be used. The environment is not applied here: see
// [Config.Endpoints] and [Config.Keys].
func Load(path string, explicit bool, getenv func(string) string) (Config, error) {
	if path == "" && explicit {
		return Default(), &Error{Key: "--config", Msg: "give the path of the file"}
	} else if path == "" {
		p, err := DefaultPath(getenv)
		if err != nil {
			return Default(), err
		}
		path = p
	}
	data, err := readFile(path)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return Default(), nil
	case errors.Is(err, fs.ErrNotExist):
		return Default(), &Error{Path: path, Msg: "no such file (create one with 'hashdeck config init --config " + path + "')", Err: err}
	case errors.As(err, &pe):
		return Default(), &Error{Path: path, Msg: "cannot read: " + pe.Err.Error(), Err: err}
	case err != nil:
		return Default(), &Error{Path: path, Msg: "cannot read: " + err.Error(), Err: err}
	}
	return Parse(path, data)
}

// readFile reads a regular file of at most maxFileSize bytes. A device
// (/dev/zero), a pipe or a directory is refused unread, and the read stops
// past the limit should the file grow meanwhile.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case fi.Size() > maxFileSize:
		return nil, errTooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = errTooBig
	}
	return data, err
}

var errTooBig = fmt.Errorf("larger than %d KiB: not a configuration file", maxFileSize>>10)

// Parse is [Load] for a file already read: name is used in
// error messages.
func Parse(name string, data []byte) (Config, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	c := Default()
	c.Peers.Aliases = nil // a table in the file replaces the renames, not adds to them
	// Unknown keys are found in keyLines' list below, not by the library's
	// strict mode: it matches names whatever their case, and builds each
	// of its errors from the whole document (a 1 MiB file of misspelt keys
	// took 30 s).
	err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	at := keyLines(data)
	var probs problems
	var de *toml.DecodeError
	switch {
	case errors.As(err, &de):
		e := decodeError(data, de, at)
		e.Path = name
		return c, e
	case err != nil:
		return c, &Error{Path: name, Msg: err.Error(), Err: err}
	}
	if c.Peers.Aliases == nil {
		c.Peers.Aliases = Default().Peers.Aliases
	}
	for i := range c.Miners {
		if c.Miners[i].Source == "" {
			c.Miners[i].Source = defaultSource
		}
	}
	if l := at.line["miner"]; l > 0 && at.header[l] {
		probs.add("miner", "write [[miner]] (two brackets: one table per miner), not [miner]")
	}
	reported := map[string]bool{}
	for _, key := range slices.SortedFunc(maps.Keys(at.line), func(a, b string) int { return cmp.Or(at.line[a]-at.line[b], strings.Compare(a, b)) }) {
		for _, p := range at.check(key, reflect.ValueOf(&c).Elem()) {
			if !reported[p.Key] {
				reported[p.Key] = true
				probs = append(probs, p)
			}
		}
	}
	if probs = append(probs, Errors(c.Validate())...); len(probs) == 0 {
		return c, nil
	}
	for _, p := range probs {
		if p.Path = name; p.Line == 0 {
			p.Line = at.lookup(p.Key)
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

// mismatch is the library's message for a value of the wrong type.
var mismatch = regexp.MustCompile(`^toml: cannot decode TOML (.+?) into (?:.* of type )?(\S+)$`)

// decodeError turns the library's error into an Error naming the key and
// its position: a wrong type says what the key wants; the value of an API
// key is never shown; a duration without quotes gets a hint.
func decodeError(src []byte, de *toml.DecodeError, at lineMap) *Error {
	line, col := de.Position()
	key := at.keyAt(line, col, de.Key())
	e := &Error{Line: line, Col: col, Key: key, Msg: strings.TrimPrefix(de.Error(), "toml: "), Err: de}
	text := string(bytes.Split(src, []byte("\n"))[line-1])
	t, known := fieldType(key)
	m := mismatch.FindStringSubmatch(de.Error())
	if known && m != nil && m[2] != t.String() && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
		t = t.Elem() // an element of the array or table
	}
	secret := known && t == reflect.TypeFor[Secret]()
	parsed := !at.syntax // the parser read the whole file: the error is the decoder's
	switch {
	case m != nil && known:
		e.Msg = "want " + want(t) + ", got " + got(m[1], valueAt(text, col), secret)
	case !parsed:
		e.Key, e.Msg = "", "TOML syntax: "+e.Msg
	case !known && at.at[line] != "":
		e.Key = at.at[line] // the library names the key in its table, or the outer one
	}
	name, value, _ := strings.Cut(text, "=")
	for _, f := range fields(&ProvidersConfig{}) {
		// The library's message may quote the value ("parsing \"1e999\"",
		// "unexpected character 'C'"): only a type mismatch or a repeated
		// key is safe to show when the line has an API key.
		if f.v.Type() == reflect.TypeFor[Secret]() && strings.Contains(text, f.name) && m == nil && !strings.Contains(e.Msg, "already defined") {
			e.Msg = "the value of providers." + f.name + " cannot be read (not shown: it is an API key); write it in double quotes"
		}
	}
	for _, f := range fields(&IntervalsConfig{}) {
		if strings.TrimSpace(name) == f.name && !parsed && !strings.ContainsAny(value, `"'`) {
			e.Msg += fmt.Sprintf(` (a duration goes in quotes: %s = "60s")`, f.name)
		}
	}
	return e
}

// got names a TOML value: its type and, unless it is an API key's, the value.
func got(kind, value string, secret bool) string {
	switch kind = strings.ToLower(kind); {
	case kind == "array":
		return "an array"
	case strings.Contains(kind, "table"), kind == "inline":
		return "a table"
	case secret:
		return kind + " (value not shown)"
	}
	return kind + " " + value
}

// valueAt returns the TOML value that starts at column col of line: a
// quoted string, or what comes before a separator.
func valueAt(line string, col int) string {
	line = strings.TrimRight(line, "\r")
	v := line[min(max(col-1, 0), len(line)):]
	if q := strings.IndexByte(v[min(1, len(v)):], v[0]); len(v) > 0 && (v[0] == '"' || v[0] == '\'') && q >= 0 {
		return provider.Clip(v[:q+2], 40)
	}
	if i := strings.IndexAny(v, ",]} \t#"); i >= 0 {
		v = v[:i]
	}
	return provider.Clip(v, 40)
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

// fieldType returns the type of the setting key ("miner[2].cost_scope").
func fieldType(key string) (reflect.Type, bool) {
	v, ok := fieldValue(reflect.ValueOf(&Config{}).Elem(), unindex(key))
	if !ok {
		return nil, false
	}
	return v.Type(), true
}

// fieldValue returns the field of the setting key in v, a Config; for a
// [[miner]] or map entry v does not have, a new one (not in v).
func fieldValue(v reflect.Value, key string) (reflect.Value, bool) {
	for part := range strings.SplitSeq(key, ".") {
		if part == "" {
			break
		}
		switch v.Kind() {
		case reflect.Map: // part is a key of the user's: its value
			v = reflect.New(v.Type().Elem()).Elem()
			continue
		case reflect.Slice:
			v = reflect.New(v.Type().Elem()).Elem()
		}
		if v.Kind() != reflect.Struct {
			return v, false
		}
		name, index, _ := strings.Cut(strings.TrimSuffix(part, "]"), "[")
		i := slices.IndexFunc(fields(v), func(f field) bool { return f.name == name })
		if i < 0 {
			return v, false
		}
		v = fields(v)[i].v
		if n, err := strconv.Atoi(index); err == nil && n >= 1 && n <= v.Len() {
			v = v.Index(n - 1)
		}
	}
	return v, true
}

// unindex drops the [N] of the array tables from key: miner[2].x → miner.x.
func unindex(key string) string { return regexp.MustCompile(`\[\d+\]`).ReplaceAllString(key, "") }

// check reports a key the settings do not have (named by its first
// unknown part, once), and a value the library reads without an error but
// should not: a duration or an API key that is not in quotes (it would
// read 60 as the text "60").
func (m lineMap) check(key string, c reflect.Value) []*Error {
	if p := unknownPart(key); p != "" {
		if p != key && m.line[p] != 0 {
			return nil // reported at p itself
		}
		return []*Error{unknownKey(p, m.line[key], m)}
	}
	v, ok := fieldValue(c, key)
	if _, has := m.kind[key]; !ok || !has || m.kind[key] == unstable.String {
		return nil
	}
	what := "want " + want(v.Type()) + ", got " + got(m.kind[key].String(), m.values[key], v.Type() == reflect.TypeFor[Secret]())
	switch d := v.Addr().Interface().(type) {
	case *Duration:
		d.problem = what
	case *Secret:
		*d = Secret{}
		return []*Error{{Key: key, Line: m.line[key], Msg: what}}
	}
	return nil
}

// unknownPart returns the part of key up to its first name that is not a
// setting's, in this case ("Peers" of "Peers.tickers": the library
// matches names whatever their case), or "".
func unknownPart(key string) string {
	v := reflect.ValueOf(&Config{}).Elem()
	parts := splitKey(key)
	for i, part := range parts {
		switch v.Kind() {
		case reflect.Map:
			return "" // its keys are the user's
		case reflect.Slice:
			v = reflect.New(v.Type().Elem()).Elem()
		}
		if !isTable(v) {
			return strings.Join(parts[:i+1], ".") // a key below a value
		}
		name, _, _ := strings.Cut(part, "[")
		fs := fields(v)
		j := slices.IndexFunc(fs, func(f field) bool { return f.name == name })
		if j < 0 {
			return strings.Join(parts[:i+1], ".")
		}
		v = fs[j].v
	}
	return ""
}

// isTable reports whether v, a setting, is a table of settings (a struct
// that is not a value such as a Duration or a Secret).
func isTable(v reflect.Value) bool { return isTableType(v.Type()) }

// isTableType is isTable for a type.
func isTableType(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// splitKey splits a dotted key as keyLines writes it, a part with a dot
// in double quotes ("a.b".c is two parts).
func splitKey(key string) []string {
	var parts []string
	for key != "" {
		i := strings.IndexByte(key, '.')
		if key[0] == '"' {
			if q, err := strconv.QuotedPrefix(key); err == nil {
				i = len(q)
			}
		}
		if i < 0 || i >= len(key) {
			return append(parts, key)
		}
		parts, key = append(parts, key[:i]), key[i+1:]
	}
	return parts
}

// unknownKey reports a key or table the settings do not have, with the
// known key it resembles, or the known keys.
func unknownKey(key string, line int, at lineMap) *Error {
	parent, k := "", key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		parent, k = key[:i], key[i+1:]
	}
	var known []string
	if t, ok := fieldType(parent); ok {
		if t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		for _, f := range fields(reflect.New(t).Elem()) {
			known = append(known, f.name)
		}
	}
	what, in := "key", "in ["+unindex(parent)+"]"
	if at.header[line] {
		what = "table"
	}
	if strings.Contains(parent, "[") {
		in = "in [[" + unindex(parent) + "]]"
	}
	e := &Error{Line: line, Key: key}
	switch s := suggest(k, known); {
	case s != "":
		e.Msg = fmt.Sprintf("unknown %s (did you mean %q?)", what, s)
	case parent == "":
		e.Msg = fmt.Sprintf("unknown %s; the tables are %s", what, strings.Join(known, ", "))
	case len(known) == 0:
		e.Msg = fmt.Sprintf("unknown %s: %s is a value, not a table", what, parent)
	default:
		e.Msg = fmt.Sprintf("unknown %s; the keys %s are %s", what, in, strings.Join(known, ", "))
	}
	return e
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

// lineMap says where the keys of a file are: line["intervals.network"],
// line["miner[2]"] (the header), line["miner[2].ticker"]; at[n] the key
// on line n; header[n] whether line n is a table header; the kind of each
// key's value and, for a scalar, its text.
type lineMap struct {
	line   map[string]int
	at     map[int]string
	header map[int]bool
	kind   map[string]unstable.Kind
	values map[string]string
	// syntax: the parser stopped at an error (the rest is not listed).
	syntax bool
	// keys lists every key with its line and column, in file order, and
	// newlines the offsets of the file's line ends.
	keys     []keyPos
	newlines []int
}

// keyPos is where a key is written.
type keyPos struct {
	key       string
	line, col int
}

// keyLines finds the line of every key and table header of src with the
// TOML library's parser (as far as src parses). The n-th [[miner]] table
// is miner[n].
func keyLines(src []byte) lineMap {
	m := &lineMap{line: map[string]int{}, at: map[int]string{}, header: map[int]bool{}, kind: map[string]unstable.Kind{}, values: map[string]string{}}
	var newlines []int // the parser's Shape scans from the start for each key
	for i, b := range src {
		if b == '\n' {
			newlines = append(newlines, i)
		}
	}
	m.newlines = newlines
	col := 0
	keyOf := func(n *unstable.Node) (string, int) {
		var parts []string
		line := 0
		for it := n.Key(); it.Next(); {
			if line == 0 {
				off := int(it.Node().Raw.Offset)
				line = 1 + sort.SearchInts(newlines, off)
				col = off + 1
				if line > 1 {
					col = off - newlines[line-2]
				}
			}
			part := string(it.Node().Data)
			if strings.ContainsAny(part, ".\"[") {
				part = strconv.Quote(part) // one part, though it has a dot
			}
			parts = append(parts, part)
		}
		return strings.Join(parts, "."), line
	}
	var p unstable.Parser
	p.Reset(src)
	table, count := "", map[string]int{}
	for p.NextExpression() {
		e := p.Expression()
		key, line := keyOf(e)
		parts := splitKey(key)
		switch e.Kind {
		case unstable.ArrayTable:
			count[key]++
			key = fmt.Sprintf("%s[%d]", key, count[key])
		case unstable.Table:
			if n := count[parts[0]]; n > 0 { // [miner.extra] belongs to the last [[miner]]
				key = fmt.Sprintf("%s[%d]%s", parts[0], n, strings.TrimPrefix(key, parts[0]))
			}
		default:
			key = strings.TrimPrefix(table+"."+key, ".")
		}
		if e.Kind != unstable.KeyValue {
			table, m.header[line] = key, true
		}
		m.line[key], m.at[line] = line, key
		m.keys = append(m.keys, keyPos{key, line, col})
		if e.Kind == unstable.KeyValue {
			m.value(key, e.Value(), keyOf, &col)
		}
	}
	m.syntax = p.Error() != nil
	return *m
}

// value records the kind of key's value v and, inside an inline table or
// an array of them, every key with its line (miner[2].ticker for the
// second table of miner = [...]).
func (m *lineMap) value(key string, v *unstable.Node, keyOf func(*unstable.Node) (string, int), col *int) {
	m.kind[key], m.values[key] = v.Kind, provider.Clip(string(v.Data), 40)
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			k, line := keyOf(it.Node())
			k = key + "." + k
			m.line[k] = line
			m.keys = append(m.keys, keyPos{k, line, *col})
			m.value(k, it.Node().Value(), keyOf, col)
		}
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			i++
			el := fmt.Sprintf("%s[%d]", key, i)
			if off := int(it.Node().Raw.Offset); off > 0 { // where the element starts: its line and column
				line := 1 + sort.SearchInts(m.newlines, off)
				c := off + 1
				if line > 1 {
					c = off - m.newlines[line-2]
				}
				m.line[el] = line
				m.keys = append(m.keys, keyPos{el, line, c})
			}
			if it.Node().Kind == unstable.InlineTable {
				m.value(el, it.Node(), keyOf, col)
			}
		}
	}
}

// lookup returns the line of key, or of the nearest enclosing key or table
// in the file ("peers.tickers" for "peers.tickers[3]"); 0 when none is.
func (m lineMap) lookup(key string) int {
	for m.line[key] == 0 && strings.ContainsAny(key, ".[") {
		key = key[:strings.LastIndexAny(key, ".[")]
	}
	return m.line[key]
}

// keyAt names the key the library reports at line:col: the last key
// written before it on that line (the innermost, inside an inline table),
// else the key written on that line when it is the library's, else the
// library's.
func (m lineMap) keyAt(line, col int, key toml.Key) string {
	best := ""
	for _, k := range m.keys {
		if k.line == line && k.col <= col {
			best = k.key
		}
	}
	lib := strings.Join(key, ".")
	if best != "" && strings.HasPrefix(best, lib) {
		return best
	}
	if k := m.at[line]; k != "" && unindex(k) == lib {
		return k // the one written there, with its [N]
	}
	return lib
}
