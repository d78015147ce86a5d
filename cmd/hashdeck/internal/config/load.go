package config

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

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
	// Err is the underlying error, if any (a toml.ParseError, an fs error).
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
// order; see [Errors]), each naming its key and, when it is in the
// file, its line. The Config returned with an error holds what could be
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
	c := Default()
	src := strings.TrimPrefix(string(data), "\uFEFF") // the library's offsets are past it
	var doc map[string]any
	if _, err := toml.Decode(src, &doc); err != nil {
		return c, syntaxError(name, src, err)
	}
	var probs problems
	probs.value("", doc, reflect.ValueOf(&c).Elem())
	if probs = append(probs, Errors(c.Validate())...); len(probs) == 0 {
		return c, nil
	}
	at := keyLines(src)
	for _, p := range probs {
		p.Path, p.Line = name, at.lookup(p.Key)
	}
	slices.SortStableFunc(probs, func(a, b *Error) int { return sortLine(a) - sortLine(b) })
	return c, probs.err()
}

// sortLine puts the problems with no line last.
func sortLine(e *Error) int {
	if e.Line == 0 {
		return math.MaxInt32
	}
	return e.Line
}

// syntaxError turns a TOML error into an Error with its position, counted
// from the byte offset: the library's line is one too far when it stops
// at a newline ("[fleet" on line 1 would be on line 2). The value of an
// API key is not quoted; a duration without quotes gets a hint.
func syntaxError(name, src string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Path: name, Msg: err.Error(), Err: err}
	}
	start := min(max(pe.Position.Start, 0), len(src))
	e := &Error{Path: name, Line: lineAt(src, start), Col: start - strings.LastIndexByte(src[:start], '\n'), Msg: "TOML syntax: " + pe.Message, Err: err}
	key, value, _ := strings.Cut(strings.Split(src, "\n")[e.Line-1], "=")
	for _, f := range fields(&ProvidersConfig{}) {
		if f.v.Type() == reflect.TypeFor[Secret]() && strings.Contains(key, f.name) {
			e.Msg = "TOML syntax error in the value of providers." + f.name + " (not shown: it is an API key); write it in double quotes"
		}
	}
	for _, iv := range intervalKeys(&IntervalsConfig{}) {
		if strings.TrimSpace(key) == iv.key && value != "" && !strings.ContainsAny(value, `"'`) {
			e.Msg += fmt.Sprintf(` (a duration goes in quotes: %s = "60s")`, iv.key)
		}
	}
	return e
}

// field is one key of a table: its name, its tags and the field it fills.
type field struct {
	name, help, example, check string
	v                          reflect.Value
}

// fields lists the keys of the table struct p points to (or p itself, a
// reflect.Value): its tagged fields, a "*_url" one standing for a key per
// field inside it (mempool_url for Mempool); intervalKeys for
// [intervals]. Keys of [providers] have their environment variable in
// their help.
func fields(p any) []field {
	v, ok := p.(reflect.Value)
	if !ok {
		v = reflect.ValueOf(p).Elem()
	}
	var out []field
	if iv, ok := v.Addr().Interface().(*IntervalsConfig); ok {
		for _, k := range intervalKeys(iv) {
			out = append(out, field{k.key, k.doc + "; floor " + formatDuration(k.floor), "", "", reflect.ValueOf(k.dst).Elem()})
		}
		return out
	}
	for i := range v.NumField() {
		sf, fv := v.Type().Field(i), v.Field(i)
		f := field{sf.Tag.Get("toml"), sf.Tag.Get("help"), sf.Tag.Get("example"), sf.Tag.Get("check"), fv}
		if suffix, ok := strings.CutPrefix(f.name, "*"); ok {
			for j := range fv.NumField() {
				out = append(out, field{name: strings.ToLower(sf.Type.Field(j).Name) + suffix, v: fv.Field(j)})
			}
		} else if f.name != "" {
			out = append(out, f)
		}
	}
	if v.Type() == reflect.TypeFor[ProvidersConfig]() {
		for i, f := range out {
			out[i].help = strings.TrimPrefix(f.help+"; "+envVar(f.name), "; ")
		}
	}
	return out
}

// value decodes the TOML value raw into dst, the setting key, by the Go
// type of dst; a table into a struct, key by key. A wrong type or an
// unknown key is a problem, and leaves the default. Whether values make
// sense is Validate's job.
func (p *problems) value(key string, raw any, dst reflect.Value) {
	want := func(what string) { p.add(key, "want %s, got %s", what, describe(raw, dst)) }
	s, isString := raw.(string)
	f, isNumber := raw.(float64)
	if i, ok := raw.(int64); ok {
		f, isNumber = float64(i), true
	}
	table, isTable := raw.(map[string]any)
	text, _ := dst.Addr().Interface().(encoding.TextUnmarshaler)
	_, maybe := dst.Addr().Interface().(json.Unmarshaler)
	switch k := dst.Kind(); {
	case k == reflect.Pointer: // *econ.Scope: set when valid
		v := reflect.New(dst.Type().Elem())
		if p.decoded(key, raw, v.Elem()) {
			dst.Set(v)
		}
	case text != nil && !isString:
		want("a string")
	case text != nil:
		if err := text.UnmarshalText([]byte(s)); err != nil {
			p.add(key, "%v", err)
		}
	case dst.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(strings.TrimSpace(s))
		switch {
		case !isString:
			want(`a duration in quotes, like "90s", "5m" or "1h"`)
		case err != nil:
			p.add(key, `%q is not a duration: write a number with a unit, like "90s", "5m" or "1h30m"`, s)
		default:
			dst.SetInt(int64(d))
		}
	case k == reflect.Slice && isTable:
		p.add(key, "write [[%s]] (two brackets: one table per %s), not [%s]", key, key, key)
	case k == reflect.Slice:
		arr := reflect.ValueOf(raw)
		if arr.Kind() != reflect.Slice {
			want("an array")
			return
		}
		dst.Set(reflect.MakeSlice(dst.Type(), 0, arr.Len()))
		for i := range arr.Len() {
			e, raw := reflect.New(dst.Type().Elem()).Elem(), arr.Index(i).Interface()
			if m, ok := e.Addr().Interface().(*MinerOverride); ok {
				m.Source = defaultSource
			}
			// A bad element is left out; a table keeps what it got right.
			_, isTable := raw.(map[string]any)
			if p.decoded(fmt.Sprintf("%s[%d]", key, i+1), raw, e) || isTable {
				dst.Set(reflect.Append(dst, e))
			}
		}
	case k == reflect.Map && isTable:
		dst.Set(reflect.MakeMap(dst.Type()))
		for _, name := range slices.Sorted(maps.Keys(table)) {
			e := reflect.New(dst.Type().Elem()).Elem()
			if p.decoded(key+"."+name, table[name], e) {
				dst.SetMapIndex(reflect.ValueOf(name), e)
			}
		}
	case (k == reflect.Map || k == reflect.Struct && !maybe) && !isTable:
		want("a table")
	case k == reflect.Struct && !maybe:
		p.table(key, table, dst)
	case k == reflect.Bool:
		if b, ok := raw.(bool); ok {
			dst.SetBool(b)
		} else {
			want("true or false")
		}
	case k == reflect.String && isString:
		dst.SetString(s)
	case k == reflect.String:
		want("a string")
	case k == reflect.Int && (!isNumber || f != math.Trunc(f)):
		want("a whole number")
	case k == reflect.Int && math.Abs(f) > math.MaxInt32:
		p.add(key, "%v is out of range", raw)
	case k == reflect.Int:
		dst.SetInt(int64(f))
	case !isNumber:
		want("a number")
	case math.IsNaN(f) || math.IsInf(f, 0):
		want("a finite number")
	case k == reflect.Float64:
		dst.SetFloat(f)
	default: // econ.Maybe: UnmarshalJSON is the setter reflection reaches
		_ = dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON([]byte(num(f)))
	}
}

// decoded is value, reporting whether it added no problem.
func (p *problems) decoded(key string, raw any, dst reflect.Value) bool {
	n := len(*p)
	p.value(key, raw, dst)
	return len(*p) == n
}

// table decodes the TOML table raw into the struct v; an unknown key is
// named with the known key it resembles, or with the known keys.
func (p *problems) table(path string, raw map[string]any, v reflect.Value) {
	sub := func(k string) string { return strings.TrimPrefix(path+"."+k, ".") }
	var known []string
	for _, f := range fields(v) {
		if known = append(known, f.name); raw[f.name] != nil {
			p.value(sub(f.name), raw[f.name], f.v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if slices.Contains(known, k) {
			continue
		}
		what, in := "key", "in ["+path+"]"
		if _, ok := raw[k].(map[string]any); ok {
			what = "table"
		}
		if i := strings.IndexByte(path, '['); i >= 0 {
			in = "in [[" + path[:i] + "]]"
		}
		switch s := suggest(k, known); {
		case s != "":
			p.add(sub(k), "unknown %s (did you mean %q?)", what, s)
		case path == "":
			p.add(k, "unknown %s; the tables are %s", what, strings.Join(known, ", "))
		default:
			p.add(sub(k), "unknown %s; the keys %s are %s", what, in, strings.Join(known, ", "))
		}
	}
}

// suggest returns the known key closest to k (k in another case, or at
// most two edits away, or one a prefix of the other, or k, less a plural
// s, inside it), or "". The known keys are in lower case.
func suggest(k string, known []string) string {
	lk, best, bestD := strings.ToLower(k), "", 3
	for _, c := range known {
		if d := distance(lk, c); d < bestD {
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

// distance is the Levenshtein distance between a and b, in bytes. Neither
// the standard library nor a module in go.mod has one, and it is ten lines.
func distance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range len(a) {
		cur[0] = i + 1
		for j := range len(b) {
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+b2i(a[i] != b[j]))
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// describe names the type of a TOML value and, unless it was meant for a
// Secret, the value.
func describe(v any, dst reflect.Value) string {
	typ, val := fmt.Sprintf("%T", v), fmt.Sprint(v)
	switch x := v.(type) {
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case string:
		typ, val = "string", strconv.Quote(provider.Clip(x, 40))
	case int64:
		typ = "integer"
	case float64:
		typ, val = "float", num(x)
	case bool:
		typ = "boolean"
	case time.Time:
		typ, val = "date-time", x.Format(time.RFC3339)
	}
	if dst.Type() == reflect.TypeFor[Secret]() {
		return typ + " (value not shown)"
	}
	return typ + " " + val
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// lineMap maps keys to lines: "intervals.network", "miner[2].ticker",
// "miner[2]" (the header).
type lineMap map[string]int

// lookup returns the line of key, or of the nearest enclosing key or table
// in the file ("peers.tickers" for "peers.tickers[3]"); 0 when none is.
func (l lineMap) lookup(key string) int {
	for l[key] == 0 && strings.ContainsAny(key, ".[") {
		key = key[:strings.LastIndexAny(key, ".[")]
	}
	return l[key]
}

// maxMinerPasses bounds the passes of keyLines over [[miner]] tables: the
// keys of tables before the last 64 have the line of no key.
const maxMinerPasses = 64

// keyLines finds the line of every key and table header of src, valid TOML.
//
// BurntSushi/toml v1.6.0 records where each key is, but privately
// (MetaData.keyInfo): the position shows only in the toml.ParseError of a
// value that fails to decode, so probe decodes into lineProbe, which
// always fails. It also keeps one position per dotted name, for [[miner]]
// that of the last table: so the tables are read from the last back, the
// file cut before the last [[miner]] header after each pass.
func keyLines(src string) lineMap {
	out := lineMap{}
	for pass, n := 0, 0; pass <= maxMinerPasses; pass++ {
		var top map[string]toml.Primitive
		md, err := toml.Decode(src, &top)
		var miners []map[string]toml.Primitive
		array := err == nil && md.Type("miner") == "ArrayHash" && md.PrimitiveDecode(top["miner"], &miners) == nil
		for k, v := range top {
			if pass == 0 && (k != "miner" || !array) {
				probeLines(&md, src, v, k, out)
			}
		}
		if pass == 0 {
			n = len(miners)
		}
		if !array || n == 0 {
			return out
		}
		name := fmt.Sprintf("miner[%d]", n)
		header, _ := probe(&md, top["miner"])
		out[name] = lineAt(src, header)
		for k, v := range miners[len(miners)-1] {
			probeLines(&md, src, v, name+"."+k, out)
		}
		src, n = src[:header], n-1
	}
	return out
}

// probeLines records the line of the value v, named name, and of the keys
// inside it.
func probeLines(md *toml.MetaData, src string, v toml.Primitive, name string, out lineMap) {
	if start, ok := probe(md, v); ok {
		out[name] = lineAt(src, start)
	}
	var t map[string]toml.Primitive
	if md.PrimitiveDecode(v, &t) == nil {
		for k, e := range t {
			probeLines(md, src, e, name+"."+k, out)
		}
	}
}

// probe returns the byte offset where the library saw the key of v.
func probe(md *toml.MetaData, v toml.Primitive) (int, bool) {
	var pe toml.ParseError
	ok := errors.As(md.PrimitiveDecode(v, lineProbe{}), &pe) && pe.Position.Line > 0
	return pe.Position.Start, ok
}

// lineProbe is a TOML value that never decodes.
type lineProbe struct{}

// UnmarshalTOML fails.
func (lineProbe) UnmarshalTOML(any) error { return errors.New("probe") }

// lineAt is the line of the byte offset start of src.
func lineAt(src string, start int) int { return 1 + strings.Count(src[:start], "\n") }
