package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/atomicfile"
)

// WriteFile writes data to path with mode 0600, creating its
// directory with mode 0700. Without force an existing file is an error
// wrapping fs.ErrExist; with force the file (or, for a symbolic link, its
// target) is replaced atomically.
func WriteFile(path string, data []byte, force bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, werr := f.Write(data)
		cerr := f.Chmod(0o600) // exactly 0600, whatever the umask
		if err := errors.Join(werr, cerr, f.Close()); err != nil {
			_ = os.Remove(path)
			return err
		}
		return nil
	}
	return atomicfile.Write(path, data, 0o600)
}

// DefaultFile returns the file 'hashdeck config init' writes: every
// setting at its default ([Default]) with its unit, range and floor, made
// from the definitions of the settings; the optional ones, those with an
// example ([[miner]], [alerts]), commented out.
func DefaultFile() string {
	c := Default()
	var b strings.Builder
	b.WriteString(`# hashdeck configuration (TOML): https://toml.io
#
# Every setting is optional: delete a line (or the whole file) and hashdeck
# uses the default written here. Units are in the key names. Unknown keys
# are errors. Check this file with 'hashdeck config check'.
`)
	for _, t := range tables(&c) {
		if strings.HasPrefix(t.header, "[[") { // [[miner]]: an example
			t.header = "# " + t.header
		}
		b.WriteString("\n" + t.header + "\n")
		comment(&b, t.help)
		type line struct {
			kv, help string
			above    bool // the comment goes above: too long to go beside
		}
		var lines []line
		width := 0
		for _, f := range t.keys {
			l := line{kv: "# " + f.name + " = " + f.example, help: f.help}
			switch k := f.v.Kind(); {
			case f.example == "":
				l.kv = f.name + " = " + tomlValue(f.v)
			case k == reflect.String || want(f.v.Type()) == "a string":
				l.kv = "# " + f.name + " = " + strconv.Quote(f.example)
			}
			if f.v.Type() == reflect.TypeFor[Theme]() {
				l.help += ": " + strings.ReplaceAll(strings.Trim(fmt.Sprint(Themes()), "[]"), " ", " | ")
			}
			if _, want := inRange(f.check, 0); want != "" {
				l.help += "; " + want
			}
			if l.above = len(l.kv) > 52 || len(l.help) > 72; !l.above {
				width = max(width, len(l.kv))
			}
			lines = append(lines, l)
		}
		for _, l := range lines {
			if l.above {
				comment(&b, l.help)
				b.WriteString(l.kv + "\n")
			} else {
				fmt.Fprintf(&b, "%-*s  # %s\n", width, l.kv, l.help)
			}
		}
	}
	return b.String()
}

// table is a table of the file: "[peers]" or "[[miner]]", its help and
// its keys.
type table struct {
	header, help string
	keys         []field
}

// tables lists the tables of c; the keys of [[miner]] are those of a new
// table.
func tables(c *Config) []table {
	var out []table
	for _, s := range fields(c) {
		t := table{"[" + s.name + "]", s.help, nil}
		if s.v.Kind() == reflect.Slice {
			t.header, s.v = "[["+s.name+"]]", reflect.New(s.v.Type().Elem()).Elem()
		}
		t.keys = fields(s.v)
		out = append(out, t)
	}
	return out
}

// Tables lists the tables of the file in order, each as its header and
// its keys: {"[peers]", "tickers", "aliases"}, {"[[miner]]", "ticker", ...}.
func Tables() [][]string {
	var out [][]string
	for _, t := range tables(&Config{}) {
		names := []string{t.header}
		for _, f := range t.keys {
			names = append(names, f.name)
		}
		out = append(out, names)
	}
	return out
}

// comment writes text as comment lines of at most 76 columns.
func comment(b *strings.Builder, text string) {
	line := "#"
	for _, w := range strings.Fields(text) {
		if len(line) > 1 && len(line)+1+len(w) > 76 {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + w
	}
	if line != "#" {
		b.WriteString(line + "\n")
	}
}

// tomlValue writes the value of a field as TOML. A Secret is written
// empty, whatever it holds.
func tomlValue(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case Secret:
		return `""`
	case Duration:
		return strconv.Quote(x.String())
	case bool:
		return strconv.FormatBool(x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case map[string]string:
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if strings.Trim(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
				k = strconv.Quote(k) // a bare key is only A-Za-z0-9_-
			}
			kv = append(kv, k+" = "+strconv.Quote(x[k]))
		}
		return "{ " + strings.Join(kv, ", ") + " }"
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	}
	s := strconv.FormatFloat(v.Float(), 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// IntervalsHelp describes each poll interval setting for the help text:
// "network (1m, floor 30s)".
func IntervalsHelp() []string {
	var out []string
	def, fl := reflect.ValueOf(Default().Intervals), reflect.ValueOf(floors())
	for i, f := range fields(&IntervalsConfig{}) {
		out = append(out, fmt.Sprintf("%s (%s, floor %s)", f.name, def.Field(i).Interface(), fl.Field(i).Interface()))
	}
	return out
}
