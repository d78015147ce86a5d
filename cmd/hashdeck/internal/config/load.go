package config

import (
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
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/hashdeck/hashdeck/econ"
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
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errors returns the problems in err (as returned by [Load] or
// [Config.Validate]) one by one; an error that is not a *Error is
// wrapped in one.
func Errors(err error) []*Error {
	if err == nil {
		return nil
	}
	if ce, ok := err.(*Error); ok {
		return []*Error{ce}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, Errors(e)...)
		}
		return out
	}
	return []*Error{{Msg: err.Error(), Err: err}}
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

// maxFileSize is the largest configuration file read: the default file is
// a few kilobytes.
const maxFileSize = 1 << 20

// Load reads the configuration file at path (or, when path is "",
// at [DefaultPath] from getenv), lays it over [Default] and
// validates the result. A missing file is fine when it was not named
// explicitly (the defaults are returned); a missing file given with
// --config (explicit) is an error naming it. Anything but a regular file
// of at most 1 MiB is refused unread.
//
// Every problem is reported at once (errors.Join of *Error, in file
// order; see [Errors]), each naming its key and, when it is in the
// file, its line. The Config returned with an error holds what could be
// read and must not be used. The environment is not applied here: see
// [Config.Endpoints] and [Config.Keys].
func Load(path string, explicit bool, getenv func(string) string) (Config, error) {
	if path == "" {
		if explicit {
			return Default(), &Error{Key: "--config", Msg: "give the path of the file"}
		}
		p, err := DefaultPath(getenv)
		if err != nil {
			return Default(), err
		}
		path = p
	}
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !explicit {
			return Default(), nil
		}
		return Default(), &Error{Path: path, Msg: "no such file (create one with 'hashdeck config init --config " + path + "')", Err: err}
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return Default(), &Error{Path: path, Msg: "cannot read: " + pe.Err.Error(), Err: err}
		}
		return Default(), &Error{Path: path, Msg: "cannot read: " + err.Error(), Err: err}
	}
	return Parse(path, data)
}

// readFile reads a regular file of at most maxFileSize bytes: a device
// (/dev/zero), a pipe or a directory is refused before any read, and the
// read stops past the limit should the file grow meanwhile.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	tooBig := fmt.Errorf("larger than %d KiB: not a configuration file", maxFileSize>>10)
	if fi.Size() > maxFileSize {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = tooBig
	}
	return data, err
}

// Parse is [Load] for a file already read: name is used in
// error messages.
func Parse(name string, data []byte) (Config, error) {
	c := Default()
	src := strings.TrimPrefix(string(data), "\uFEFF") // the offsets the library reports are past it
	var doc map[string]any
	if _, err := toml.Decode(src, &doc); err != nil {
		return c, syntaxError(name, src, err)
	}
	var probs problems
	probs.table("", doc, reflect.ValueOf(&c).Elem())
	probs = append(probs, Errors(c.Validate())...)
	if len(probs) == 0 {
		return c, nil
	}
	at := keyLines(src)
	for _, p := range probs {
		p.Path, p.Line = name, at.lookup(p.Key)
	}
	slices.SortStableFunc(probs, func(a, b *Error) int {
		return cmpLine(a.Line) - cmpLine(b.Line)
	})
	return c, probs.err()
}

// cmpLine sorts problems with no line last.
func cmpLine(n int) int {
	if n == 0 {
		return math.MaxInt32
	}
	return n
}

// syntaxError turns a TOML error into an Error with its position,
// counted from the byte offset (the library's line is one too far when it
// stops at a newline: [fleet on line 1 would be reported on line 2).
// A syntax error in the value of an API key does not quote the value.
func syntaxError(name, src string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Path: name, Msg: err.Error(), Err: err}
	}
	start := min(max(pe.Position.Start, 0), len(src))
	line := 1 + strings.Count(src[:start], "\n")
	col := start - strings.LastIndexByte(src[:start], '\n')
	text := strings.TrimLeft(strings.Split(src, "\n")[line-1], " \t")
	key, value, _ := strings.Cut(text, "=")
	msg := "TOML syntax: " + pe.Message
	for _, f := range fields(&ProvidersConfig{}) {
		if f.v.Type() == reflect.TypeFor[Secret]() && strings.Contains(key, f.name) {
			msg = "TOML syntax error in the value of providers." + f.name + " (not shown: it is an API key); write it in double quotes"
		}
	}
	// A common slip: an interval without quotes (network = 60s).
	for _, iv := range intervalKeys(&IntervalsConfig{}) {
		if strings.TrimSpace(key) == iv.key && value != "" && !strings.ContainsAny(value, `"'`) {
			msg += fmt.Sprintf(` (a duration goes in quotes: %s = "60s")`, iv.key)
		}
	}
	return &Error{Path: name, Line: line, Col: col, Msg: msg, Err: err}
}

// field is one key of a table: its name, the field it fills (settable)
// and its tags.
type field struct {
	name, help, example, check string
	v                          reflect.Value
}

// fields lists the keys of a table: the tagged fields of the struct p
// points to (or p itself, a reflect.Value), each "*_url" field standing
// for one key per field inside it, or intervalKeys for [intervals].
// Every key of [providers] has its environment variable in its help.
func fields(p any) []field {
	v, ok := p.(reflect.Value)
	if !ok {
		v = reflect.ValueOf(p).Elem()
	}
	var out []field
	if iv, ok := v.Addr().Interface().(*IntervalsConfig); ok {
		for _, k := range intervalKeys(iv) {
			help := k.doc + "; floor " + formatDuration(k.floor)
			out = append(out, field{name: k.key, help: help, v: reflect.ValueOf(k.dst).Elem()})
		}
		return out
	}
	_, providers := v.Interface().(ProvidersConfig)
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		name, ok := sf.Tag.Lookup("toml")
		if !ok {
			continue
		}
		add := func(name string, v reflect.Value) {
			help := sf.Tag.Get("help")
			if providers {
				help = strings.TrimPrefix(help+"; "+envVar(name), "; ")
			}
			out = append(out, field{name, help, sf.Tag.Get("example"), sf.Tag.Get("check"), v})
		}
		if suffix, ok := strings.CutPrefix(name, "*"); ok {
			for j := range sf.Type.NumField() {
				add(strings.ToLower(sf.Type.Field(j).Name)+suffix, v.Field(i).Field(j))
			}
		} else {
			add(name, v.Field(i))
		}
	}
	return out
}

// sub names key k of the table at path ("" for the top).
func sub(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// table decodes the TOML table raw into the struct v, key by key. A wrong
// type or an unknown key is a problem; a value with a problem leaves the
// default. Whether values make sense is Validate's job.
func (p *problems) table(path string, raw map[string]any, v reflect.Value) {
	var known []string
	for _, f := range fields(v) {
		known = append(known, f.name)
		if x, ok := raw[f.name]; ok {
			p.value(sub(path, f.name), x, f.v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if slices.Contains(known, k) {
			continue
		}
		what := "key"
		if _, ok := raw[k].(map[string]any); ok {
			what = "table"
		}
		switch s := suggest(k, known); {
		case s != "":
			p.add(sub(path, k), "unknown %s (did you mean %q?)", what, s)
		case path == "":
			p.add(k, "unknown %s; the tables are %s", what, strings.Join(known, ", "))
		default:
			name := "[" + path + "]"
			if i := strings.IndexByte(path, '['); i >= 0 {
				name = "[[" + path[:i] + "]]"
			}
			p.add(sub(path, k), "unknown %s; the keys in %s are %s", what, name, strings.Join(known, ", "))
		}
	}
}

// value decodes the TOML value raw into dst, the field of key.
func (p *problems) value(key string, raw any, dst reflect.Value) {
	want := func(what string) { p.add(key, "want %s, got %s", what, describe(raw, false)) }
	s, isString := raw.(string)
	f, isNumber := raw.(float64)
	if i, ok := raw.(int64); ok {
		f, isNumber = float64(i), true
	}
	switch d := dst.Addr().Interface().(type) {
	case *Secret:
		if !isString {
			p.add(key, "want a string, got %s (value not shown)", describe(raw, true))
			return
		}
		*d = NewSecret(s)
	case *time.Duration:
		if !isString {
			want(`a duration in quotes, like "90s", "5m" or "1h"`)
			return
		}
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			p.add(key, `%q is not a duration: write a number with a unit, like "90s", "5m" or "1h30m"`, s)
			return
		}
		*d = v
	case **econ.Scope:
		sc, err := econ.ParseScope(s)
		switch {
		case !isString:
			want("a string")
		case err != nil:
			p.add(key, "%q is not a cost scope (power, direct, cash or all-in)", s)
		default:
			*d = &sc
		}
	case *[]string:
		arr, ok := raw.([]any)
		if !ok {
			want("an array of strings")
			return
		}
		*d = make([]string, 0, len(arr))
		for i, e := range arr {
			if s, ok := e.(string); ok {
				*d = append(*d, s)
			} else {
				p.add(fmt.Sprintf("%s[%d]", key, i+1), "want a string, got %s", describe(e, false))
			}
		}
	case *map[string]string:
		m, ok := raw.(map[string]any)
		if !ok {
			want(`a table of strings, like { BITF = "KEEL" }`)
			return
		}
		*d = make(map[string]string, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if s, ok := m[k].(string); ok {
				(*d)[k] = s
			} else {
				p.add(key+"."+k, "want a string, got %s", describe(m[k], false))
			}
		}
	case *[]MinerOverride:
		var elems []any
		switch x := raw.(type) {
		case []map[string]any:
			for _, m := range x {
				elems = append(elems, m)
			}
		case []any:
			elems = x
		case map[string]any:
			p.add(key, "write [[%s]] (two brackets: one table per %s), not [%s]", key, key, key)
		default:
			want(fmt.Sprintf("[[%s]] tables", key))
		}
		for i, e := range elems {
			k := fmt.Sprintf("%s[%d]", key, i+1)
			m, ok := e.(map[string]any)
			if !ok {
				p.add(k, "want a table, got %s", describe(e, false))
				continue
			}
			o := MinerOverride{Source: defaultSource}
			p.table(k, m, reflect.ValueOf(&o).Elem())
			*d = append(*d, o)
		}
	case *bool:
		if b, ok := raw.(bool); ok {
			*d = b
		} else {
			want("true or false")
		}
	default:
		_, maybe := dst.Addr().Interface().(json.Unmarshaler)
		switch {
		case dst.Kind() == reflect.String && isString:
			dst.SetString(s)
		case dst.Kind() == reflect.String:
			want("a string")
		case dst.Kind() == reflect.Struct && !maybe:
			if m, ok := raw.(map[string]any); ok {
				p.table(key, m, dst)
			} else {
				p.add(key, "want a table ([%s]), got %s", key, describe(raw, false))
			}
		case dst.Kind() == reflect.Int && (!isNumber || f != math.Trunc(f)):
			want("a whole number")
		case dst.Kind() == reflect.Int && math.Abs(f) > math.MaxInt32:
			p.add(key, "%s is out of range", num(f))
		case dst.Kind() == reflect.Int:
			dst.SetInt(int64(f))
		case !isNumber:
			want("a number")
		case math.IsNaN(f) || math.IsInf(f, 0):
			p.add(key, "want a finite number, got %v", f)
		case dst.Kind() == reflect.Float64:
			dst.SetFloat(f)
		default:
			// An econ.Maybe: UnmarshalJSON is the setter reflection can
			// reach (econ.Known is generic); it takes any finite number.
			_ = dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON([]byte(num(f)))
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
	if best != "" || len(lk) < 4 {
		return best
	}
	for _, c := range known {
		if strings.HasPrefix(c, lk) || strings.HasPrefix(lk, c) || strings.Contains(c, strings.TrimSuffix(lk, "s")) {
			return c
		}
	}
	return ""
}

// distance is the Levenshtein distance between a and b, in bytes. Neither
// the standard library nor a module hashdeck uses has one, and ten lines
// are less than a dependency.
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

// describe names a TOML value's type and, unless secret, the value.
func describe(v any, secret bool) string {
	var typ, val string
	switch x := v.(type) {
	case string:
		typ, val = "string", strconv.Quote(clip(x, 40))
	case int64:
		typ, val = "integer", strconv.FormatInt(x, 10)
	case float64:
		typ, val = "float", num(x)
	case bool:
		typ, val = "boolean", strconv.FormatBool(x)
	case time.Time:
		typ, val = "date-time", x.Format(time.RFC3339)
	case []any, []map[string]any:
		typ = "an array"
	case map[string]any:
		typ = "a table"
	default:
		typ = fmt.Sprintf("%T", v)
	}
	if secret || val == "" {
		return typ
	}
	return typ + " " + val
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// lineMap maps keys to their lines: "intervals.network", "miner[2].ticker",
// "miner[2]" (the header).
type lineMap map[string]int

// lookup returns the line of key, or of the nearest enclosing key or table
// in the file ("peers.tickers" for "peers.tickers[3]"); 0 when none is.
func (l lineMap) lookup(key string) int {
	for key != "" {
		if n, ok := l[key]; ok {
			return n
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// maxMinerPasses bounds the passes of keyLines over [[miner]] tables: the
// lines of the tables before the last ones fall back to nothing.
const maxMinerPasses = 64

// keyLines finds the line of every key and table header of src, valid TOML.
//
// BurntSushi/toml v1.6.0 records where each key is but keeps it private
// (MetaData.keyInfo): it shows only as the Position of a decoding error.
// So each value is decoded into lineProbe, which always fails. The library
// also keeps one position per dotted name, for [[miner]] that of the last
// table; the tables are therefore read from the last one back, cutting the
// file before each [[miner]] header in turn.
func keyLines(src string) lineMap {
	out := lineMap{}
	for pass, n := 0, 0; pass <= maxMinerPasses; pass++ {
		var top map[string]toml.Primitive
		md, err := toml.Decode(src, &top)
		if err != nil {
			break
		}
		var miners []map[string]toml.Primitive
		array := md.Type("miner") == "ArrayHash" && md.PrimitiveDecode(top["miner"], &miners) == nil && len(miners) > 0
		if pass == 0 {
			n = len(miners)
			for k, v := range top {
				if k != "miner" || !array {
					probeLines(&md, src, v, k, out)
				}
			}
		}
		if !array {
			break
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
